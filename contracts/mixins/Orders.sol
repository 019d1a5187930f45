// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IOrders} from "../interfaces/IOrders.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Order, OrderStructs, TradeType} from "../libraries/OrderStructs.sol";
import {Markets} from "./Markets.sol";

/// @title Orders
/// @notice The append-only book of wallet-signed orders and the per-trader signature chain
/// (protocol.md section 4).
/// @dev The book maps an order's EIP-712 digest to a one-slot record; the order itself lives in
/// calldata and in the `OrderAdded` event. A record is written once and never deleted; only its
/// trade type may later move from a non-primary type to Primary (when a match picks it up).
abstract contract Orders is IOrders, Markets {
    using BoundsLib for Bounds;

    /// @dev One slot: trade type (1 byte) + matched flag (1) + open quantity (16).
    struct OrderRecord {
        TradeType tradeType;
        bool isMatched;
        uint128 remaining;
    }

    mapping(bytes32 orderHash => OrderRecord) internal _book;
    mapping(address trader => bytes32) internal _chainHead;

    /*//////////////////////////////////////////////////////////////
                                 ENTRY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOrders
    function placeOrder(Order calldata order, bytes calldata signature) external returns (bytes32 orderHash) {
        orderHash = _hashTypedDataV4(OrderStructs.hash(order));
        if (order.tradeType != uint8(TradeType.Primary) || order.isMatched) {
            revert UnsupportedOrder(orderHash, order.tradeType, order.isMatched);
        }
        _validateNewOrder(order, orderHash, signature);
        _chainHead[order.trader] = orderHash;
        _addToBook(order, orderHash, signature);
        _afterOrderAdded(order, orderHash);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOrders
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(OrderStructs.hash(order));
    }

    /// @inheritdoc IOrders
    function orderState(bytes32 orderHash)
        external
        view
        returns (uint8 tradeType, bool isMatched, uint128 remaining)
    {
        OrderRecord memory rec = _book[orderHash];
        return (uint8(rec.tradeType), rec.isMatched, rec.remaining);
    }

    /// @inheritdoc IOrders
    function chainHead(address trader) external view returns (bytes32) {
        return _chainHead[trader];
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev The rules an order must pass to enter the book, in this order (the first failure is the
    /// error reported; the Python node checks in the same order):
    /// quantity, expiry, market, settlement, price, duplicate, chain link, signature.
    function _validateNewOrder(Order calldata order, bytes32 orderHash, bytes calldata signature) internal view {
        if (order.quantity == 0) revert ZeroQuantity(orderHash);
        if (order.expiry != 0 && block.timestamp > order.expiry) {
            revert OrderExpired(orderHash, order.expiry, block.timestamp);
        }
        Bounds memory b = _tradableBounds(order.marketRootId, order.marketBranchId);
        if (!b.contains(order.price)) revert PriceOutOfBounds(order.price, b.min, b.max);
        if (_book[orderHash].tradeType != TradeType.None) revert OrderExists(orderHash);
        bytes32 head = _chainHead[order.trader];
        if (order.previous != head) revert BrokenChain(order.trader, head, order.previous);
        if (!SignatureChecker.isValidSignatureNowCalldata(order.trader, orderHash, signature)) {
            revert InvalidSignature(order.trader, orderHash);
        }
    }

    /// @dev Append an order to the book and log it in full.
    function _addToBook(Order calldata order, bytes32 orderHash, bytes calldata signature) internal {
        uint128 size = uint128(uint256(order.quantity < 0 ? -int256(order.quantity) : int256(order.quantity)));
        _book[orderHash] = OrderRecord(TradeType(order.tradeType), order.isMatched, order.isMatched ? 0 : size);
        _markOrdered(order.marketRootId, order.marketBranchId);
        emit OrderAdded(orderHash, order.trader, order.marketRootId, order, signature, msg.sender);
    }

    /// @dev Hook after an order entered the book: the collateral check runs here.
    function _afterOrderAdded(Order calldata order, bytes32 orderHash) internal virtual {}
}
