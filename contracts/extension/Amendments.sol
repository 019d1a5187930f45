// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAmendments} from "../interfaces/IMatching.sol";
import {Order, TradeType} from "../libraries/OrderStructs.sol";
import {Collateral} from "../mixins/Collateral.sol";

/// @title Amendments
/// @notice Cancelling an open order by its owner's signed Offset and trimming it by a signed
/// Reduction (protocol.md section 4), served by the Exchange's extension. Neither needs a
/// collateral check: removing open quantity only removes `min(0, payoff)` terms. In a frozen managed
/// root (a challenged artifact) both are refused with `MarketFrozen`: the freeze holds every term.
abstract contract Amendments is IAmendments, Collateral {
    /// @inheritdoc IAmendments
    function cancelOrder(Order calldata order, Order calldata offset, bytes calldata signature) external {
        bytes32 orderHash = _orderHash(order);
        OrderRecord memory rec = _openRecord(orderHash);
        _requireAmendable(order.marketRootId);
        bytes32 offsetHash = _orderHash(offset);
        _checkTerms(offset, offsetHash);
        if (
            offset.tradeType != uint8(TradeType.Offset) || offset.isMatched || !_sameTrade(offset, order)
                || offset.price != order.price || offset.quantity != -order.quantity || offset.previous != orderHash
        ) revert DependentOrderMismatch(offsetHash, orderHash);
        if (_book[offsetHash].tradeType != TradeType.None) revert OrderExists(offsetHash);
        _checkSignature(order.trader, offsetHash, signature);

        _book[offsetHash] = OrderRecord(TradeType.Offset, false, 0, 0, 0);
        _book[orderHash].remaining = 0;
        _shrinkOpen(order.trader, order.marketRootId, rec.slot, rec.remaining);
        _logOrder(offsetHash, offset, signature);
        emit OrderCancelled(orderHash, offsetHash, rec.remaining);
    }

    /// @inheritdoc IAmendments
    function reduceOrder(Order calldata order, Order calldata reduction, bytes calldata signature) external {
        bytes32 orderHash = _orderHash(order);
        OrderRecord memory rec = _openRecord(orderHash);
        _requireAmendable(order.marketRootId);
        bytes32 reductionHash = _orderHash(reduction);
        _checkTerms(reduction, reductionHash);
        if (
            reduction.tradeType != uint8(TradeType.Reduction) || !reduction.isMatched || !_sameTrade(reduction, order)
                || reduction.price != order.price || (reduction.quantity > 0) == (order.quantity > 0)
                || reduction.previous != orderHash
        ) revert DependentOrderMismatch(reductionHash, orderHash);
        if (_book[reductionHash].tradeType != TradeType.None) revert OrderExists(reductionHash);
        uint128 size = _size(reduction.quantity);
        if (size > rec.remaining) revert QuantityExceedsRemaining(orderHash, size, rec.remaining);
        _checkSignature(order.trader, reductionHash, signature);

        _book[reductionHash] = OrderRecord(TradeType.Reduction, true, 0, 0, 0);
        uint128 left = rec.remaining - size;
        _book[orderHash].remaining = left;
        _shrinkOpen(order.trader, order.marketRootId, rec.slot, size);
        _logOrder(reductionHash, reduction, signature);
        emit OrderReduced(orderHash, reductionHash, size, left);
    }

    /// @dev A hard freeze (a frozen managed root) refuses amendments.
    function _requireAmendable(uint256 rootId) private view {
        if (_roots[rootId].flags & (ROOT_MANAGED | ROOT_FROZEN) == (ROOT_MANAGED | ROOT_FROZEN)) {
            revert MarketFrozen(rootId);
        }
    }
}
