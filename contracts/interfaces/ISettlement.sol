// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISettlementEE
/// @notice Errors and events of claims on settled roots.
interface ISettlementEE {
    /// @notice Root `rootId` has not settled (its bounds are not a single point).
    error MarketNotSettled(uint256 rootId);
    /// @notice `trader` already claimed root `rootId`.
    error AlreadyClaimed(address trader, uint256 rootId);
    /// @notice `trader` never had a position or an order in root `rootId`.
    error NothingToClaim(address trader, uint256 rootId);
    /// @notice Root `rootId`'s pot holds `pot`, less than the `payoff` claimed: the root's losers
    /// pay in first (anyone may claim for them, or use `claimMany`).
    error SettlementPending(uint256 rootId, uint256 pot, int256 payoff);

    /// @notice `trader`'s positions in settled root `rootId` paid `payoff` (18 decimals, negative for
    /// a loss), credited to (or debited from) their balance; `caller` sent the claim.
    event Claimed(address indexed trader, uint256 indexed rootId, int256 payoff, address caller);
    /// @notice `claimMany` skipped `trader`; `reason` is the revert data (a custom error).
    event ClaimSkipped(address indexed trader, uint256 indexed rootId, bytes reason);
}

/// @title ISettlement
/// @notice Claims on settled roots: each trader's positions pay `q * (clamp(outcome, lo_b, hi_b) - p)`
/// once; losses go into the root's pot and gains come out of it, so no claim pays out money that
/// has not come in.
interface ISettlement is ISettlementEE {
    /// @notice Claim the caller's payoff in settled root `rootId`; their open orders there are void.
    function claim(uint256 rootId) external returns (int256 payoff);

    /// @notice Claim for `trader` (anyone may; the payoff goes to `trader`'s balance). Authority: a
    /// settlement, the payoff fixed by the root's settlement; a managed root only by its owner.
    function claimFor(address trader, uint256 rootId) external returns (int256 payoff);

    /// @notice Claim for many traders (a settlement, like `claimFor`): losses first, then gains; failing entries are skipped with
    /// `ClaimSkipped`.
    /// @return claimed How many claims were applied.
    function claimMany(uint256 rootId, address[] calldata traders) external returns (uint256 claimed);

    /// @notice What root `rootId`'s pot holds: paid-in losses not yet paid out as gains.
    function pot(uint256 rootId) external view returns (uint256);

    /// @notice Whether `trader` has claimed root `rootId`.
    function hasClaimed(address trader, uint256 rootId) external view returns (bool);
}
