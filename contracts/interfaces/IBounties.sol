// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBountiesEE
/// @notice Errors and events of artifact bounties.
interface IBountiesEE {
    /// @notice A bounty with id `id` exists already (or the id is zero).
    error BountyExists(bytes32 id);
    /// @notice No bounty has id `id`.
    error UnknownBounty(bytes32 id);
    /// @notice Bounty `id` was distributed already: each is paid out once.
    error AlreadyDistributed(bytes32 id);
    /// @notice A bounty against an artifact that was never registered.
    error UnknownArtifact(bytes32 artifact);
    /// @notice Nothing arrived: a zero amount (or a token that delivered nothing).
    error ZeroAmount();
    /// @notice Claimants and weights differ in length, are empty, or exceed `max` entries.
    error InvalidClaimants(uint256 claimants, uint256 weights, uint256 max);
    /// @notice Claimant `index` is the zero address or has weight zero.
    error InvalidClaimant(uint256 index, address claimant, uint256 weight);
    /// @notice `caller` does not hold the artifact registry's oracle role.
    error NotOracle(address caller);

    /// @notice `funder` escrowed `amount` token units as bounty `id` against `artifact`.
    event BountyPosted(bytes32 indexed id, bytes32 indexed artifact, address indexed funder, uint256 amount);
    /// @notice `funder` added `amount` to bounty `id`.
    event BountyFunded(bytes32 indexed id, address indexed funder, uint256 amount);
    /// @notice Bounty `id` was distributed by `oracle` over a total weight `totalWeight`.
    event BountyDistributed(bytes32 indexed id, bytes32 indexed artifact, address indexed oracle, uint256 amount, uint256 totalWeight);
    /// @notice `claimant` received `amount` token units of bounty `id` for weight `weight`.
    event BountyPaid(bytes32 indexed id, address indexed claimant, uint256 amount, uint256 weight);
}

/// @title IBounties
/// @notice Token bounties escrowed against artifacts and distributed once by an oracle.
interface IBounties is IBountiesEE {
    /// @notice Escrow `amount` token units (approve this contract first) as bounty `id` against
    /// registered artifact `artifact`. Anyone.
    function post(bytes32 id, bytes32 artifact, uint256 amount) external;

    /// @notice Add `amount` token units to an undistributed bounty. Anyone.
    function fund(bytes32 id, uint256 amount) external;

    /// @notice Pay bounty `id` out to `claimants` in proportion to `weights`, once (oracle role of
    /// the artifact registry). Claimant `i` gets `floor(A * W_i / W) - floor(A * W_{i-1} / W)`, with
    /// `W_i` the running sum of the weights and `W` their total: the shares sum to the bounty `A`
    /// exactly and each is within one token unit of its exact share.
    function distribute(bytes32 id, address[] calldata claimants, uint256[] calldata weights) external;

    /// @notice A bounty: its artifact, funder, escrowed amount (token units) and whether it was paid out.
    function bounty(bytes32 id)
        external
        view
        returns (bytes32 artifact, address funder, uint256 amount, bool distributed);

    /// @notice Token units escrowed and not yet distributed, over all bounties.
    function escrowed() external view returns (uint256);
}
