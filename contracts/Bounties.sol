// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IArtifacts, State} from "./interfaces/IArtifacts.sol";
import {IBounties} from "./interfaces/IBounties.sol";

/// @title pmarket Bounties
/// @notice Token bounties against artifacts (protocol.md section 6): anyone escrows the collateral
/// token against a registered artifact; an oracle of the artifact registry distributes each bounty
/// once, to claimants in proportion to their weights, to the token unit.
/// @dev The rounding rule: shares are differences of rounded-down running totals,
/// `floor(A * W_i / W) - floor(A * W_{i-1} / W)`. They telescope to exactly `A`, none is negative,
/// and each is within one unit of `A * w_i / W`; the units that plain per-claimant rounding would
/// leave over fall to the claimants where the running total crosses a whole unit. So this contract
/// always holds exactly the sum of undistributed bounties (tokens that arrive by plain transfer
/// stay here, outside any bounty). Fee-on-transfer tokens are credited with what arrived.
contract Bounties is IBounties, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Most claimants of one distribution (bounds its loop and gas).
    uint256 public constant MAX_CLAIMANTS = 256;

    struct Bounty {
        bytes32 artifact;
        address funder;
        bool distributed;
        uint256 amount;
    }

    IArtifacts public immutable artifacts;
    IERC20 public immutable token;
    bytes32 private immutable _oracleRole;

    mapping(bytes32 id => Bounty) private _bounties;
    uint256 private _escrowed;

    /// @param artifacts_ The artifact registry whose oracles distribute and whose artifacts bounties name.
    /// @param token_ The token escrowed (the Exchange's collateral, usually).
    /// @param oracleRole The registry's oracle role id (`Artifacts.ORACLE_ROLE`).
    constructor(IArtifacts artifacts_, IERC20 token_, bytes32 oracleRole) {
        artifacts = artifacts_;
        token = token_;
        _oracleRole = oracleRole;
    }

    /// @inheritdoc IBounties
    function post(bytes32 id, bytes32 artifact, uint256 amount) external nonReentrant {
        if (id == 0 || _bounties[id].funder != address(0)) revert BountyExists(id);
        _requireArtifact(artifact);
        uint256 received = _pull(amount);
        _bounties[id] = Bounty(artifact, msg.sender, false, received);
        _escrowed += received;
        emit BountyPosted(id, artifact, msg.sender, received);
    }

    /// @inheritdoc IBounties
    function fund(bytes32 id, uint256 amount) external nonReentrant {
        Bounty storage b = _open(id);
        uint256 received = _pull(amount);
        b.amount += received;
        _escrowed += received;
        emit BountyFunded(id, msg.sender, received);
    }

    /// @inheritdoc IBounties
    function distribute(bytes32 id, address[] calldata claimants, uint256[] calldata weights) external nonReentrant {
        if (!IAccessControl(address(artifacts)).hasRole(_oracleRole, msg.sender)) revert NotOracle(msg.sender);
        Bounty storage b = _open(id);
        uint256 n = claimants.length;
        if (n == 0 || n != weights.length || n > MAX_CLAIMANTS) {
            revert InvalidClaimants(n, weights.length, MAX_CLAIMANTS);
        }
        uint256 total;
        for (uint256 i; i < n; ++i) {
            if (claimants[i] == address(0) || weights[i] == 0) revert InvalidClaimant(i, claimants[i], weights[i]);
            total += weights[i];
        }
        uint256 amount = b.amount;
        b.distributed = true;
        _escrowed -= amount;
        emit BountyDistributed(id, b.artifact, msg.sender, amount, total);
        uint256 running;
        uint256 paid;
        for (uint256 i; i < n; ++i) {
            running += weights[i];
            // mulDiv: amount * running may pass 2^256 for huge weights.
            uint256 upTo = Math.mulDiv(amount, running, total);
            uint256 share = upTo - paid;
            paid = upTo;
            emit BountyPaid(id, claimants[i], share, weights[i]);
            if (share != 0) token.safeTransfer(claimants[i], share);
        }
    }

    /// @inheritdoc IBounties
    function bounty(bytes32 id)
        external
        view
        returns (bytes32 artifact, address funder, uint256 amount, bool distributed)
    {
        Bounty storage b = _bounties[id];
        if (b.funder == address(0)) revert UnknownBounty(id);
        return (b.artifact, b.funder, b.amount, b.distributed);
    }

    /// @inheritdoc IBounties
    function escrowed() external view returns (uint256) {
        return _escrowed;
    }

    function _open(bytes32 id) private view returns (Bounty storage b) {
        b = _bounties[id];
        if (b.funder == address(0)) revert UnknownBounty(id);
        if (b.distributed) revert AlreadyDistributed(id);
    }

    function _requireArtifact(bytes32 artifact) private view {
        try artifacts.artifactState(artifact) returns (State, uint256, bool, uint256, address, uint256) {
            return;
        } catch {
            revert UnknownArtifact(artifact);
        }
    }

    /// @dev Take `amount` from the caller; returns what arrived.
    function _pull(uint256 amount) private returns (uint256 received) {
        uint256 before = token.balanceOf(address(this));
        if (amount != 0) token.safeTransferFrom(msg.sender, address(this), amount);
        received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
    }

}
