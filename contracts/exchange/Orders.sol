// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IOrdersEE} from "../interfaces/IOrders.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Order, OrderStructs, TradeType} from "../libraries/OrderStructs.sol";
import {OpenOrder, PositionLib} from "../libraries/PositionLib.sol";
import {OrderRecord, ROOT_FROZEN, ROOT_MANAGED} from "./ExchangeStorage.sol";
import {Markets} from "./Markets.sol";

/// @title Orders
/// @notice The append-only book of wallet-signed orders and the per-trader signature chain, and the
/// owner's amendments of an open order: a cancel by a signed Offset, a trim by a signed Reduction
/// (protocol.md section 4).
/// @dev The book (`ExchangeStorage`: `book`, `chainHead`) maps an order's EIP-712 digest to a
/// one-slot record; the order itself lives in calldata and in the `OrderAdded` event. A record is
/// written once and never deleted or edited (a used Partial enters as a matched Primary); an open
/// order's quantity lives in its trader's `OpenOrder` slot (`_openQuantity`).
abstract contract Orders is IOrdersEE, Markets {
    using BoundsLib for Bounds;

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Admit a signed Primary order: checks, chain link, the collateral check, the book.
    function _placeOrder(Order calldata order, bytes calldata signature) internal returns (bytes32 orderHash) {
        orderHash = _orderHash(order);
        if (order.tradeType != uint8(TradeType.Primary) || order.isMatched) {
            revert UnsupportedOrder(orderHash, order.tradeType, order.isMatched);
        }
        Bounds memory b = _validateNewOrder(order, orderHash, signature);
        _s().chainHead[order.trader] = orderHash;
        uint48 seq = _nextOrderSeq(order.marketRootId, order.marketBranchId);
        // Registers the open order with the collateral check, which reverts if it fails.
        uint8 slot = _openOrder(order, b, seq);
        _s().book[orderHash] = OrderRecord(TradeType.Primary, false, slot, seq);
        _logOrder(orderHash, order, signature);
    }

    /// @dev The rules an order must pass to enter the book, in this order (the first failure is the
    /// error reported; the Python node checks in the same order):
    /// quantity, range, expiry, market, settlement, price, duplicate, chain link, signature.
    /// Returns the market's effective bounds.
    function _validateNewOrder(Order calldata order, bytes32 orderHash, bytes calldata signature)
        internal
        view
        returns (Bounds memory b)
    {
        _checkTerms(order, orderHash);
        b = _tradableBounds(order.marketRootId, order.marketBranchId);
        if (!b.contains(order.price)) revert PriceOutOfBounds(order.price, b.min, b.max);
        if (_s().book[orderHash].tradeType != TradeType.None) revert OrderExists(orderHash);
        bytes32 head = _s().chainHead[order.trader];
        if (order.previous != head) revert BrokenChain(order.trader, head, order.previous);
        _checkSignature(order.trader, orderHash, signature);
    }

    /// @dev Quantity, range and expiry: the checks every signed order passes first.
    function _checkTerms(Order calldata order, bytes32 orderHash) internal view {
        if (order.quantity == 0) revert ZeroQuantity(orderHash);
        int256 max = PositionLib.MAX_ABS;
        if (order.quantity > max || order.quantity < -max || order.price > max || order.price < -max) {
            revert OrderOutOfRange(orderHash, order.price, order.quantity);
        }
        if (order.expiry != 0 && block.timestamp > order.expiry) {
            revert OrderExpired(orderHash, order.expiry, block.timestamp);
        }
    }

    /// @dev `signature` is `trader`'s over `orderHash` (ECDSA with low s, or ERC-1271).
    function _checkSignature(address trader, bytes32 orderHash, bytes calldata signature) internal view {
        if (!SignatureChecker.isValidSignatureNowCalldata(trader, orderHash, signature)) {
            revert InvalidSignature(trader, orderHash);
        }
    }

    /// @dev The order's EIP-712 digest under this deployment's domain: its key in the book.
    function _orderHash(Order calldata order) internal view returns (bytes32) {
        return _hashTypedDataV4(OrderStructs.hash(order));
    }

    /// @dev Log an order that entered the book, in full with its signature, and whether it was
    /// checked through ERC-1271: `SignatureChecker` asks the wallet exactly when the trader has code
    /// (its account is warm here: the check read it).
    function _logOrder(bytes32 orderHash, Order calldata order, bytes calldata signature) internal {
        bool erc1271 = order.trader.code.length != 0;
        emit OrderAdded(orderHash, order.trader, order.marketRootId, order, signature, msg.sender, erc1271);
    }

    /// @dev |quantity| of an order whose quantity passed `_checkTerms` (so it fits 96 bits).
    function _size(int128 quantity) internal pure returns (uint128) {
        return uint128(quantity < 0 ? -quantity : quantity);
    }

    /// @dev The book record of `order` (digest `orderHash`), its open order's slot and its open
    /// quantity when it is an open Primary order; `OrderNotOpen` otherwise.
    function _openRecord(Order calldata order, bytes32 orderHash)
        internal
        view
        returns (OrderRecord memory rec, OpenOrder storage open, uint128 remaining)
    {
        rec = _s().book[orderHash];
        (open, remaining) = _openQuantity(order, rec);
        if (remaining == 0) revert OrderNotOpen(orderHash);
    }

    /// @dev The open quantity of `order` with book record `rec`: its trader's open order in the
    /// record's slot (returned), when that slot still holds this order (same number in the root's
    /// book); zero for every other record (absent, not Primary, matched, filled, cancelled or its
    /// slot reused).
    function _openQuantity(Order calldata order, OrderRecord memory rec)
        internal
        view
        returns (OpenOrder storage open, uint128 remaining)
    {
        open = _s().openOrders[order.trader][order.marketRootId][rec.slot];
        if (rec.tradeType != TradeType.Primary || rec.isMatched) return (open, 0);
        (int96 left, uint48 seq) = (open.remaining, open.seq);
        if (seq != rec.seq) return (open, 0);
        remaining = uint128(uint96(left < 0 ? -left : left));
    }

    /// @dev Same trader, market and trade id: a dependent order's link to its order.
    function _sameTrade(Order calldata a, Order calldata b) internal pure returns (bool) {
        return a.trader == b.trader && a.marketRootId == b.marketRootId && a.marketBranchId == b.marketBranchId
            && a.tradeRootId == b.tradeRootId;
    }

    /// @dev Cancel the open rest of `order` by its owner's signed `offset`. No collateral check:
    /// removing open quantity only removes `min(0, payoff)` terms. In a frozen managed root (a
    /// challenged artifact) refused with `MarketFrozen`: the freeze holds every term.
    function _cancel(Order calldata order, Order calldata offset, bytes calldata signature) internal {
        bytes32 orderHash = _orderHash(order);
        (OrderRecord memory rec, OpenOrder storage open, uint128 remaining) = _openRecord(order, orderHash);
        _requireAmendable(order.marketRootId);
        bytes32 offsetHash = _orderHash(offset);
        _checkTerms(offset, offsetHash);
        if (
            offset.tradeType != uint8(TradeType.Offset) || offset.isMatched || !_sameTrade(offset, order)
                || offset.price != order.price || offset.quantity != -order.quantity || offset.previous != orderHash
        ) revert DependentOrderMismatch(offsetHash, orderHash);
        if (_s().book[offsetHash].tradeType != TradeType.None) revert OrderExists(offsetHash);
        _checkSignature(order.trader, offsetHash, signature);

        _s().book[offsetHash] = OrderRecord(TradeType.Offset, false, 0, 0);
        _shrinkOpen(open, order.trader, order.marketRootId, rec.slot, remaining);
        _logOrder(offsetHash, offset, signature);
        emit OrderCancelled(orderHash, offsetHash, remaining);
    }

    /// @dev Trim `order` by its owner's signed `reduction` (no check needed, as for a cancel).
    function _reduce(Order calldata order, Order calldata reduction, bytes calldata signature) internal {
        bytes32 orderHash = _orderHash(order);
        (OrderRecord memory rec, OpenOrder storage open, uint128 remaining) = _openRecord(order, orderHash);
        _requireAmendable(order.marketRootId);
        bytes32 reductionHash = _orderHash(reduction);
        _checkTerms(reduction, reductionHash);
        if (
            reduction.tradeType != uint8(TradeType.Reduction) || !reduction.isMatched || !_sameTrade(reduction, order)
                || reduction.price != order.price || (reduction.quantity > 0) == (order.quantity > 0)
                || reduction.previous != orderHash
        ) revert DependentOrderMismatch(reductionHash, orderHash);
        if (_s().book[reductionHash].tradeType != TradeType.None) revert OrderExists(reductionHash);
        uint128 size = _size(reduction.quantity);
        if (size > remaining) revert QuantityExceedsRemaining(orderHash, size, remaining);
        _checkSignature(order.trader, reductionHash, signature);

        _s().book[reductionHash] = OrderRecord(TradeType.Reduction, true, 0, 0);
        uint128 left = remaining - size;
        _shrinkOpen(open, order.trader, order.marketRootId, rec.slot, size);
        _logOrder(reductionHash, reduction, signature);
        emit OrderReduced(orderHash, reductionHash, size, left);
    }

    /// @dev A hard freeze (a frozen managed root) refuses amendments.
    function _requireAmendable(uint256 rootId) private view {
        if (_s().roots[rootId].flags & (ROOT_MANAGED | ROOT_FROZEN) == (ROOT_MANAGED | ROOT_FROZEN)) {
            revert MarketFrozen(rootId);
        }
    }

    /// @dev Register a new Primary order (in a market of effective bounds `b`) with the collateral
    /// check (which may revert) and return its slot among the trader's open orders in the root.
    /// `seq` is the order's number in the root's book, kept with the open order.
    function _openOrder(Order calldata order, Bounds memory b, uint48 seq) internal virtual returns (uint8 slot);

    /// @dev Take `amount` off `open`, the open order in `slot` (`Collateral`); frees the slot when
    /// nothing is left.
    function _shrinkOpen(OpenOrder storage open, address trader, uint256 rootId, uint8 slot, uint128 amount)
        internal
        virtual;
}
