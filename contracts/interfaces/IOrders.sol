// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Order} from "../libraries/OrderStructs.sol";

/// @title IOrdersEE
/// @notice Errors and events of the append-only book and the signature chain (protocol.md section 4).
interface IOrdersEE {
    /// @notice The order's price lies outside its market's effective bounds.
    error PriceOutOfBounds(int128 price, int128 min, int128 max);
    /// @notice An order with zero quantity.
    error ZeroQuantity(bytes32 orderHash);
    /// @notice `signature` is not `trader`'s (ECDSA with low s for an EOA, ERC-1271 for a contract).
    error InvalidSignature(address trader, bytes32 orderHash);
    /// @notice The order's `previous` is not the trader's last valid order.
    error BrokenChain(address trader, bytes32 expected, bytes32 provided);
    /// @notice The order is already in the book.
    error OrderExists(bytes32 orderHash);
    /// @notice The order expired at `expiry`; the block's time is `timestamp`.
    error OrderExpired(bytes32 orderHash, uint64 expiry, uint256 timestamp);
    /// @notice The order's price or quantity is beyond the supported range (magnitude 2^95 - 1 wad).
    error OrderOutOfRange(bytes32 orderHash, int128 price, int128 quantity);
    /// @notice `orderHash` is not an open Primary order of the book (unknown, filled or cancelled).
    error OrderNotOpen(bytes32 orderHash);
    /// @notice This entry point does not take orders of this type / matched flag.
    error UnsupportedOrder(bytes32 orderHash, uint8 tradeType, bool isMatched);
    /// @notice `quantity` is more than the `remaining` open quantity of `orderHash`.
    error QuantityExceedsRemaining(bytes32 orderHash, uint128 quantity, uint128 remaining);
    /// @notice `orderHash` (a Partial, Offset or Reduction) does not fit the order `targetHash` it
    /// depends on: its type, trader, market, trade id, link, side, price or size is wrong.
    error DependentOrderMismatch(bytes32 orderHash, bytes32 targetHash);

    /// @notice An order entered the book. Carries the whole order and its signature, so any node
    /// can rebuild the book and verify every signature and chain link itself. `erc1271`: the trader
    /// had code, so its signature was checked through ERC-1271 and the wallet accepted it at this
    /// block (a node cannot rerun that; an EOA's ECDSA signature it verifies alone).
    event OrderAdded(
        bytes32 indexed orderHash,
        address indexed trader,
        uint256 indexed marketRootId,
        Order order,
        bytes signature,
        address relayer,
        bool erc1271
    );
    /// @notice `orderHash` was cancelled by its owner's signed offset `offsetHash`; `cancelled` was open.
    event OrderCancelled(bytes32 indexed orderHash, bytes32 indexed offsetHash, uint128 cancelled);
    /// @notice `orderHash` was trimmed by `reduced` by its owner's signed Reduction `reductionHash`.
    event OrderReduced(bytes32 indexed orderHash, bytes32 indexed reductionHash, uint128 reduced, uint128 remaining);
}

/// @title IOrders
/// @notice Wallet-signed EIP-712 orders in an append-only book, chained per trader.
interface IOrders is IOrdersEE {
    /// @notice Add a signed Primary limit order to the book. Anyone may relay it. Authority: the
    /// trader's signature; nothing else of theirs moves.
    /// @return orderHash The order's EIP-712 digest, its key in the book.
    function placeOrder(Order calldata order, bytes calldata signature) external returns (bytes32 orderHash);

    /// @notice EIP-712 digest of `order` under this contract's domain (what the trader signs).
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice The book's record of `order` (found by its digest): its trade type (0 = not in the
    /// book), whether it is matched, the quantity still open, its slot among the trader's open
    /// orders in its root and its number in the root's book (1 for the root's first order; 0 for
    /// orders that never rest). Takes the order, not its hash: the open quantity lives with the
    /// trader's open order in the root, which the order's trader and root locate.
    function orderState(Order calldata order)
        external
        view
        returns (uint8 tradeType, bool isMatched, uint128 remaining, uint8 slot, uint64 seq);

    /// @notice Hash of `trader`'s last valid order (zero before the first): the next Primary order
    /// must name it as `previous`.
    function chainHead(address trader) external view returns (bytes32);

    /// @notice Cancel the open rest of `order` by appending `offset`, signed by the order's owner
    /// (authority: that signature; anyone may relay it)
    /// (tradeType Offset, unmatched, `quantity == -order.quantity`, same price, `previous` = the
    /// order's hash).
    function cancelOrder(Order calldata order, Order calldata offset, bytes calldata signature) external;

    /// @notice Trim `order` by appending `reduction`, signed by its owner (authority: that signature;
    /// anyone may relay it) (tradeType Reduction,
    /// matched, opposite sign, same price, `previous` = the order's hash, size at most what is open).
    function reduceOrder(Order calldata order, Order calldata reduction, bytes calldata signature) external;
}
