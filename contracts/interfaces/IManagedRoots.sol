// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IManagedRootsEE
/// @notice Errors and events of managed roots: the markets of artifacts (protocol.md section 6).
interface IManagedRootsEE {
    /// @notice Root `rootId` cannot become managed: it must be its caller's, unsettled, unfrozen,
    /// bounded `[0, 1]`, without sub-markets, orders or pools.
    error RootNotManageable(uint256 rootId);
    /// @notice Root `rootId` is not managed (only a managed root can close at the flagged terms).
    error RootNotManaged(uint256 rootId);

    /// @notice Root `rootId` became managed by its owner: its totals are kept, its claims go
    /// through its owner and a freeze also stops cancels, reductions and needed withdrawals.
    event RootManaged(uint256 indexed rootId, address indexed owner);
    /// @notice Root `rootId` closed at the flagged terms: every position's payoff is fixed. Longs
    /// get back `returnRate` (wad) of half of what they committed, shorts `returnRate` of it and
    /// `bonusRate` of a quarter of it; `residual` (the pool) takes `residualPayoff` (18 decimals).
    /// `available` is what the residual could pay beyond every trader's worst payoff (36 decimals).
    event RootFlagged(
        uint256 indexed rootId,
        address indexed residual,
        uint256 returnRate,
        uint256 bonusRate,
        int256 residualPayoff,
        int256 available
    );
}

/// @title IManagedRoots
/// @notice Managed roots (served by the Exchange's extension): an artifact registry owns them.
interface IManagedRoots is IManagedRootsEE {
    /// @notice Make the caller's fresh root `rootId` (bounds `[0, 1]`, nothing traded) managed.
    function manageRoot(uint256 rootId) external;

    /// @notice Close managed root `rootId` at the flagged terms, `residual` (the pool's account, or
    /// any account without a position there) taking the difference: no more trading; every payoff
    /// is fixed now and credited by claims. Owner only (the registry, on an oracle's or a
    /// trigger's flagged state).
    function flagRoot(uint256 rootId, address residual) external;

    /// @notice Whether root `rootId` is managed.
    function isManaged(uint256 rootId) external view returns (bool);

    /// @notice A managed root's totals (wad, each position's share rounded up): the short open
    /// interest and what longs and shorts committed, over every account (pool included).
    function rootTotals(uint256 rootId)
        external
        view
        returns (uint256 shortInterest, uint256 longCommitted, uint256 shortCommitted);

    /// @notice The flagged terms of root `rootId` (all zero before it was flagged).
    function flagTerms(uint256 rootId)
        external
        view
        returns (uint256 returnRate, uint256 bonusRate, address residual, int256 residualPayoff);
}
