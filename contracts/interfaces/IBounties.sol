// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBountiesEE
/// @notice Errors and events of artifact bounties.
interface IBountiesEE {
    /// @notice A bounty with id `id` exists already (or the id is zero).
    error BountyExists(bytes32 id);
    /// @notice No bounty has id `id`.
    error UnknownBounty(bytes32 id);
    /// @notice Bounty `id` was distributed already: each is paid out once (and then not reclaimed).
    error AlreadyDistributed(bytes32 id);
    /// @notice A bounty against an artifact that was never registered.
    error UnknownArtifact(bytes32 artifact);
    /// @notice Nothing arrived: a zero amount (or a token that delivered nothing).
    error ZeroAmount();
    /// @notice Claimants and weights differ in length, are empty, or exceed `max` entries.
    error InvalidClaimants(uint256 claimants, uint256 weights, uint256 max);
    /// @notice Claimant `index` is the zero address, the escrow itself, or has weight zero.
    error InvalidClaimant(uint256 index, address claimant, uint256 weight);
    /// @notice `caller` does not hold the artifact registry's oracle role.
    error NotOracle(address caller);
    /// @notice A post whose expiry `expiresAt` is not after the block's `timestamp`.
    error InvalidExpiry(uint64 expiresAt, uint256 timestamp);
    /// @notice Bounty `id` expired at `expiresAt` (before the block's `timestamp`): it takes no
    /// funds and no distribution; its funders reclaim their parts.
    error BountyExpired(bytes32 id, uint64 expiresAt, uint256 timestamp);
    /// @notice A reclaim of bounty `id` at `timestamp`, not after its expiry `expiresAt`.
    error BountyNotExpired(bytes32 id, uint64 expiresAt, uint256 timestamp);
    /// @notice `funder` has no part of bounty `id` left to reclaim (never funded it, or took it back).
    error NothingToReclaim(bytes32 id, address funder);
    /// @notice `claimant` is owed nothing.
    error NothingOwed(address claimant);
    /// @notice A claim to the zero address or to the escrow itself.
    error InvalidRecipient(address to);

    /// @notice `funder` escrowed `amount` token units as bounty `id` against `artifact`, open until
    /// `expiresAt` (inclusive).
    event BountyPosted(
        bytes32 indexed id, bytes32 indexed artifact, address indexed funder, uint256 amount, uint64 expiresAt
    );
    /// @notice `funder` added `amount` to bounty `id`.
    event BountyFunded(bytes32 indexed id, address indexed funder, uint256 amount);
    /// @notice Bounty `id` was distributed by `oracle` over a total weight `totalWeight`.
    event BountyDistributed(bytes32 indexed id, bytes32 indexed artifact, address indexed oracle, uint256 amount, uint256 totalWeight);
    /// @notice `claimant`'s share of bounty `id` is `amount` token units for weight `weight`: sent to
    /// it, unless a `BountyPending` for the same claimant follows.
    event BountyPaid(bytes32 indexed id, address indexed claimant, uint256 amount, uint256 weight);
    /// @notice The transfer of `amount` to `account` (a claimant's share of bounty `id`, or a funder's
    /// reclaimed part) failed: it is owed to `account` instead, who takes it with `claim`.
    event BountyPending(bytes32 indexed id, address indexed account, uint256 amount);
    /// @notice `funder` took back its `amount` of expired bounty `id` (sent, or owed if a
    /// `BountyPending` follows).
    event BountyReclaimed(bytes32 indexed id, address indexed funder, uint256 amount);
    /// @notice `account` took the `amount` it was owed, sent to `to`.
    event BountyClaimed(address indexed account, address indexed to, uint256 amount);
}

/// @title IBounties
/// @notice Token bounties escrowed against artifacts until an expiry, distributed once by an oracle
/// or, once expired, taken back by their funders.
/// @dev Accounting: the escrow's token balance is `escrowed() + owedTotal()` to the token unit
/// (plus whatever was sent to it by plain transfer, which belongs to no bounty).
interface IBounties is IBountiesEE {
    /// @notice Escrow `amount` token units (approve this contract first) as bounty `id` against
    /// registered artifact `artifact`, open for funds and its distribution until `expiresAt`
    /// (inclusive; unix seconds, after the block's timestamp). Anyone: the caller is the bounty's
    /// funder and its first contributor.
    function post(bytes32 id, bytes32 artifact, uint256 amount, uint64 expiresAt) external;

    /// @notice Add `amount` token units to an undistributed bounty that has not expired. Anyone:
    /// the caller's contribution grows by what arrived.
    function fund(bytes32 id, uint256 amount) external;

    /// @notice Pay bounty `id` out to `claimants` in proportion to `weights`, once, until its expiry
    /// (caller: an oracle of the artifact registry). Claimant `i` gets
    /// `floor(A * W_i / W) - floor(A * W_{i-1} / W)`, with `W_i` the running sum of the weights and
    /// `W` their total: the shares sum to the bounty `A` exactly and each is within one token unit of
    /// its exact share. A share whose transfer fails (the token reverts or returns false) is owed to
    /// its claimant instead (`BountyPending`, `owed`); the others are sent.
    function distribute(bytes32 id, address[] calldata claimants, uint256[] calldata weights) external;

    /// @notice Take back the caller's whole contribution to bounty `id` after its expiry, if it was
    /// not distributed (caller: a funder of the bounty, for its own part only). Sent to the caller;
    /// if that transfer fails, owed to it instead (`BountyPending`, then `claim`).
    function reclaim(bytes32 id) external;

    /// @notice Send everything the caller is owed to `to` (caller: the account owed, e.g. a claimant
    /// whose share could not be sent to it; `to` may be another address of its own).
    function claim(address to) external;

    /// @notice A bounty: its artifact, funder (the poster), amount in token units (what it holds, or
    /// what it paid out once distributed: reclaims lower it), whether it was paid out, and its expiry.
    function bounty(bytes32 id)
        external
        view
        returns (bytes32 artifact, address funder, uint256 amount, bool distributed, uint64 expiresAt);

    /// @notice What `funder` contributed to bounty `id` and can still reclaim after the expiry if the
    /// bounty is not distributed (0 once reclaimed).
    function contribution(bytes32 id, address funder) external view returns (uint256);

    /// @notice Token units escrowed in undistributed bounties, not reclaimed, over all bounties.
    function escrowed() external view returns (uint256);

    /// @notice Token units `account` is owed (shares and reclaims whose transfer failed) and may `claim`.
    function owed(address account) external view returns (uint256);

    /// @notice Token units owed over all accounts: with `escrowed()`, the escrow's token balance.
    function owedTotal() external view returns (uint256);
}
