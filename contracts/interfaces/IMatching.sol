// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MatchRequest, Order} from "../libraries/OrderStructs.sol";
import {IOrdersEE} from "./IOrders.sol";

/// @title IMatchingEE
/// @notice Errors and events of matching resting orders (protocol.md section 4).
interface IMatchingEE is IOrdersEE {
    /// @notice The bid's limit `bidPrice` is below the ask's limit `askPrice`.
    error OrdersDoNotCross(bytes32 bidHash, bytes32 askHash, int128 bidPrice, int128 askPrice);
    /// @notice The order given as bid does not buy (quantity <= 0), or the one given as ask does
    /// not sell (quantity >= 0).
    error WrongSide(bytes32 orderHash, int128 quantity);
    /// @notice Bid and ask are in different markets.
    error MarketMismatch(bytes32 bidHash, bytes32 askHash);
    /// @notice The match price `price` is outside `[askPrice, bidPrice]`, the two limits.
    error PriceOutsideLimits(int128 price, int128 askPrice, int128 bidPrice);

    /// @notice `quantity` of bid `bidHash` and ask `askHash` matched at `price` in `(rootId,
    /// branchId)`. For each side this is the offset of `quantity` of the open order and a matched
    /// trade of `quantity` at `price` (the event is the book's record of both).
    event OrdersMatched(
        bytes32 indexed bidHash,
        bytes32 indexed askHash,
        uint256 indexed rootId,
        uint16 branchId,
        uint128 quantity,
        int128 price
    );
    /// @notice Pre-signed Partial `partialHash` of `orderHash` was picked up by the match that
    /// follows; it is now a Primary matched order of the book.
    event PartialUsed(bytes32 indexed partialHash, bytes32 indexed orderHash);
    /// @notice Entry `index` of a batch was skipped; `reason` is its revert data (a custom error).
    event MatchSkipped(uint256 indexed index, bytes reason);
}

/// @title IMatching
/// @notice Permissionless matching of resting signed orders and their pre-signed partial fills.
interface IMatching is IMatchingEE {
    /// @notice Match a resting bid and ask (optionally through pre-signed Partials). Anyone may call;
    /// authority: both owners' signatures on the orders, each filled within its limit and quantity;
    /// the contract checks every order. No collateral check is needed: a fill at a price within both
    /// limits never lowers either trader's worst case (docs/protocol.md).
    function matchOrders(MatchRequest calldata request) external;

    /// @notice `matchOrders` of two resting orders without Partials, at the limit of the one that
    /// entered the book first: the common case, with the smallest calldata.
    function matchPair(Order calldata bid, Order calldata ask, uint128 quantity) external;

    /// @notice Apply many matches; a failing one is skipped with `MatchSkipped` instead of reverting
    /// the batch.
    /// @return matched How many were applied.
    function matchBatch(MatchRequest[] calldata requests) external returns (uint256 matched);
}
