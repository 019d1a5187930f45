// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The seed's order types. `None` (0) marks a hash that is not in the book.
enum TradeType {
    None,
    Primary,
    Partial,
    Offset,
    Reduction
}

/// @notice A wallet-signed order (EIP-712 typed data), protocol.md section 4.
/// @dev The full order travels in calldata and in the `OrderAdded` event; the book stores its hash.
struct Order {
    // Trader-chosen id of the trade; its partials, offsets and reductions share it.
    uint256 tradeRootId;
    // 1 for the primary, 2.. for the dependent orders of the same trade.
    uint16 tradeBranchId;
    bool isMatched;
    // 18-decimal price, inside the market's effective bounds.
    int128 price;
    // 18-decimal quantity: positive bids (long), negative offers (short).
    int128 quantity;
    uint256 marketRootId;
    uint16 marketBranchId;
    address trader;
    // A `TradeType` (Primary = 1, Partial = 2, Offset = 3, Reduction = 4).
    uint8 tradeType;
    // Primary and Partial: the trader's previous valid order (zero for the first).
    // Offset and Reduction: the order they offset or reduce.
    bytes32 previous;
    // Unix time after which the order may not enter the book; 0 = no expiry.
    uint64 expiry;
}

/// @notice One side of a match: a resting Primary order and, optionally, a pre-signed Partial of it
/// (`partialFill.tradeType == 0` for none) with the Partial's signature.
struct Leg {
    Order order;
    Order partialFill;
    bytes signature;
}

/// @notice A match of a bid and an ask for `quantity`, at `price` when `atPrice`, else at the limit
/// of the order that entered the book first.
struct MatchRequest {
    Leg bid;
    Leg ask;
    uint128 quantity;
    int128 price;
    bool atPrice;
}

/// @notice A market definition signed by the root's owner or oracle and relayed by anyone.
struct Definition {
    uint256 rootId;
    uint16 branchId;
    int128 min;
    int128 max;
    address signer;
    // The signer's next nonce (`nonces(signer)`), so a signed definition applies once.
    uint256 nonce;
    // Unix time after which the signature is refused; 0 = no deadline.
    uint64 deadline;
}

/// @title OrderStructs
/// @notice EIP-712 type hashes of pmarket's signed messages. The Python package hashes the same
/// strings (`pmarket.typed`), and a test compares both on random orders.
library OrderStructs {
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(uint256 tradeRootId,uint16 tradeBranchId,bool isMatched,int128 price,int128 quantity,"
        "uint256 marketRootId,uint16 marketBranchId,address trader,uint8 tradeType,bytes32 previous,"
        "uint64 expiry)"
    );

    bytes32 internal constant DEFINITION_TYPEHASH = keccak256(
        "Definition(uint256 rootId,uint16 branchId,int128 min,int128 max,address signer,uint256 nonce,"
        "uint64 deadline)"
    );

    /// @dev EIP-712 struct hash of an order. `abi.encode` of a static struct is exactly the
    /// EIP-712 encoding of its fields, so one `abi.encode(TYPEHASH, order)` suffices.
    function hash(Order calldata order) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_TYPEHASH, order));
    }

    /// @dev EIP-712 struct hash of a market definition.
    function hash(Definition calldata d) internal pure returns (bytes32) {
        return keccak256(abi.encode(DEFINITION_TYPEHASH, d));
    }
}
