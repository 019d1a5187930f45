// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Definition} from "../libraries/OrderStructs.sol";

/// @title IMarketsEE
/// @notice Errors and events of the market registry (protocol.md section 1).
interface IMarketsEE {
    /// @notice `caller` is neither the owner of root `rootId` nor one of its oracles.
    error NotMarketOwner(uint256 rootId, address caller);
    /// @notice Market `(rootId, branchId)` has never been defined.
    error UnknownMarket(uint256 rootId, uint16 branchId);
    /// @notice A definition with `min > max`.
    error InvalidBounds(int128 min, int128 max);
    /// @notice Branch 0, or a branch that would leave a gap after the root's `branchCount` branches,
    /// or one past the deployment's `maxBranches`.
    error InvalidBranch(uint256 rootId, uint16 branchId, uint16 branchCount);
    /// @notice A definition for branch `branchId >= 2` while branch `maxOrderedBranch >= branchId`
    /// of the same root already has orders: re-bounding a traded sub-market changes open terms.
    error MarketLocked(uint256 rootId, uint16 branchId, uint16 maxOrderedBranch);
    /// @notice Root `rootId` has settled at `outcome`: it takes no further definitions or orders.
    error MarketSettled(uint256 rootId, int128 outcome);
    /// @notice Root `rootId` is frozen by its owner or oracle: no orders, matches or pool trades.
    error MarketFrozen(uint256 rootId);
    /// @notice Root `rootId` (an artifact's market) closed at the flagged terms: it takes no further
    /// orders or trades; its traders claim the flagged payoffs.
    error MarketFlagged(uint256 rootId);
    /// @notice Root ids at or above 2^96 carry their owner's address in the upper 160 bits.
    error ReservedRootId(uint256 rootId, address definer);
    /// @notice A signed definition was not signed by `signer`.
    error InvalidDefinitionSignature(address signer);
    /// @notice Root ownership cannot go to `newOwner` (the zero address).
    error InvalidOwner(uint256 rootId, address newOwner);
    /// @notice A relayed definition of `account` does not carry its next nonce `currentNonce`.
    error InvalidAccountNonce(address account, uint256 currentNonce);
    /// @notice A signed definition whose deadline has passed.
    error DefinitionExpired(uint64 deadline, uint256 timestamp);

    /// @notice Root `rootId` was created by its first definition; `owner` owns it.
    event RootCreated(uint256 indexed rootId, address indexed owner);
    /// @notice A definition `(min, max)` was posted for `(rootId, branchId)` by `definer`;
    /// `effectiveMin`/`effectiveMax` are the branch's bounds after the fold. Replaying these events
    /// in order with the fold rule rebuilds every market's bounds.
    event MarketDefined(
        uint256 indexed rootId,
        uint16 indexed branchId,
        address indexed definer,
        int128 min,
        int128 max,
        int128 effectiveMin,
        int128 effectiveMax
    );
    /// @notice `signer`'s definition with nonce `nonce` was relayed by `relayer` (the
    /// `MarketDefined` event that follows names `signer` as definer).
    event DefinitionSigned(address indexed signer, uint256 nonce, address indexed relayer);
    /// @notice Root `rootId` was narrowed to a point: its outcome is known.
    event RootSettled(uint256 indexed rootId, int128 outcome);
    /// @notice The owner of `rootId` authorised (or revoked) `oracle`.
    event OracleSet(uint256 indexed rootId, address indexed oracle, bool authorized);
    /// @notice Root `rootId` was frozen (`frozen`) or unfrozen by `by`, its owner or an oracle.
    event RootFrozen(uint256 indexed rootId, bool frozen, address indexed by);
    /// @notice Ownership of root `rootId` moved from `previousOwner` to `newOwner`.
    event RootOwnershipTransferred(uint256 indexed rootId, address indexed previousOwner, address indexed newOwner);
}

/// @title IMarkets
/// @notice The market registry: roots, nested sub-market branches and their bounds.
interface IMarkets is IMarketsEE {
    /// @notice Post a definition `(min, max)` for market `(rootId, branchId)`.
    /// @dev The first definition of a root (branch 1) creates it, owned by the caller.
    function defineMarket(uint256 rootId, uint16 branchId, int128 min, int128 max) external;

    /// @notice Settle existing root `rootId` at `outcome`: a definition with `min == max == outcome`.
    /// Owner or oracle: the posting that fixes every position's payoff in the root.
    function settle(uint256 rootId, int128 outcome) external;

    /// @notice Effective bounds of market `(rootId, branchId)`.
    function bounds(uint256 rootId, uint16 branchId) external view returns (int128 min, int128 max);

    /// @notice Owner, number of branches and highest branch with orders of root `rootId`.
    function rootInfo(uint256 rootId)
        external
        view
        returns (address owner, uint16 branchCount, uint16 maxOrderedBranch);

    /// @notice The most branches one root may have (a deployment constant).
    function maxBranches() external view returns (uint16);

    /// @notice Post a definition signed (EIP-712) by the root's owner or oracle; anyone may relay it.
    function defineMarketBySig(Definition calldata definition, bytes calldata signature) external;

    /// @notice Authorise or revoke an oracle of root `rootId`. Owner only.
    function setOracle(uint256 rootId, address oracle, bool authorized) external;

    /// @notice Hand root `rootId` to `newOwner`. Owner only.
    function transferRootOwnership(uint256 rootId, address newOwner) external;

    /// @notice Whether `account` may define markets of root `rootId` (owner or oracle).
    function canDefine(uint256 rootId, address account) external view returns (bool);

    /// @notice Whether `oracle` is an authorised oracle of root `rootId`.
    function isOracle(uint256 rootId, address oracle) external view returns (bool);

    /// @notice Freeze (or unfreeze) root `rootId` and all its sub-markets: while frozen, no order
    /// enters its book, nothing matches and no pool trades there (`MarketFrozen`). Owner or oracle
    /// (a posting; it moves no position).
    function setFrozen(uint256 rootId, bool frozen) external;

    /// @notice Whether root `rootId` is frozen.
    function isFrozen(uint256 rootId) external view returns (bool);

    /// @notice EIP-712 digest a relayed definition must be signed over.
    function hashDefinition(Definition calldata definition) external view returns (bytes32);

    /// @notice The next nonce of `signer` for relayed definitions.
    function nonces(address signer) external view returns (uint256);
}
