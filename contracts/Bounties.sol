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
/// token against a registered artifact until an expiry of the poster's choice; an oracle of the
/// artifact registry distributes each bounty once before it expires, to claimants in proportion to
/// their weights, to the token unit. After the expiry an undistributed bounty goes back to its
/// funders, each taking exactly what it contributed.
/// @dev The rounding rule: shares are differences of rounded-down running totals,
/// `floor(A * W_i / W) - floor(A * W_{i-1} / W)`. They telescope to exactly `A`, none is negative,
/// and each is within one unit of `A * w_i / W`; the units that plain per-claimant rounding would
/// leave over fall to the claimants where the running total crosses a whole unit.
/// A share whose transfer fails (a blacklisted claimant, a token returning false) does not stop the
/// distribution: it is owed to the claimant, who pulls it with `claim(to)`; a reclaim whose transfer
/// fails is owed the same way. So this contract always holds exactly `escrowed() + owedTotal()`
/// (tokens that arrive by plain transfer stay here, outside any bounty). Fee-on-transfer tokens are
/// credited with what arrived.
/// Time: a bounty is open (funds, distribution) while `block.timestamp <= expiresAt` and expired
/// (reclaims) once `block.timestamp > expiresAt`.
contract Bounties is IBounties, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Most claimants of one distribution (bounds its loop and gas).
    uint256 public constant MAX_CLAIMANTS = 256;

    struct Bounty {
        bytes32 artifact;
        address funder;
        uint64 expiresAt;
        bool distributed;
        uint256 amount;
    }

    IArtifacts public immutable artifacts;
    IERC20 public immutable token;
    bytes32 private immutable _oracleRole;

    mapping(bytes32 id => Bounty) private _bounties;
    mapping(bytes32 id => mapping(address funder => uint256)) private _contributions;
    mapping(address account => uint256) private _owed;
    uint256 private _escrowed;
    uint256 private _owedTotal;

    /// @param artifacts_ The artifact registry whose oracles distribute and whose artifacts bounties name.
    /// @param token_ The token escrowed (the Exchange's collateral, usually).
    /// @param oracleRole The registry's oracle role id (`Artifacts.ORACLE_ROLE`).
    constructor(IArtifacts artifacts_, IERC20 token_, bytes32 oracleRole) {
        artifacts = artifacts_;
        token = token_;
        _oracleRole = oracleRole;
    }

    /// @inheritdoc IBounties
    function post(bytes32 id, bytes32 artifact, uint256 amount, uint64 expiresAt) external nonReentrant {
        if (id == 0 || _bounties[id].funder != address(0)) revert BountyExists(id);
        if (expiresAt <= block.timestamp) revert InvalidExpiry(expiresAt, block.timestamp);
        _requireArtifact(artifact);
        uint256 received = _pull(amount);
        _bounties[id] = Bounty(artifact, msg.sender, expiresAt, false, received);
        _contributions[id][msg.sender] = received;
        _escrowed += received;
        emit BountyPosted(id, artifact, msg.sender, received, expiresAt);
    }

    /// @inheritdoc IBounties
    function fund(bytes32 id, uint256 amount) external nonReentrant {
        Bounty storage b = _open(id);
        uint256 received = _pull(amount);
        b.amount += received;
        _contributions[id][msg.sender] += received;
        _escrowed += received;
        emit BountyFunded(id, msg.sender, received);
    }

    /// @inheritdoc IBounties
    /// @dev Every effect of the bounty (distributed, escrowed) precedes the first transfer. Each
    /// transfer is a call to the escrow's own token that reports failure instead of reverting
    /// (`SafeERC20.trySafeTransfer`: a revert, a false return or a missing contract fail; only 32
    /// bytes of return data are copied). It gets all the gas: no claimant code runs in a plain
    /// ERC-20 transfer, a bound would be a guess at the token's cost (proxies, cold storage) that
    /// could turn good transfers into pending ones, and a transfer that runs out of gas leaves this
    /// call 1/64 of what it had, for any ordinary token far too little to credit the share: the
    /// whole distribution reverts rather than mistake a low gas limit for a refusing claimant. A
    /// failed share is credited after the call that failed, under `nonReentrant`.
    function distribute(bytes32 id, address[] calldata claimants, uint256[] calldata weights) external nonReentrant {
        if (!IAccessControl(address(artifacts)).hasRole(_oracleRole, msg.sender)) revert NotOracle(msg.sender);
        Bounty storage b = _open(id);
        uint256 n = claimants.length;
        if (n == 0 || n != weights.length || n > MAX_CLAIMANTS) {
            revert InvalidClaimants(n, weights.length, MAX_CLAIMANTS);
        }
        uint256 total;
        for (uint256 i; i < n; ++i) {
            address claimant = claimants[i];
            if (claimant == address(0) || claimant == address(this) || weights[i] == 0) {
                revert InvalidClaimant(i, claimant, weights[i]);
            }
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
            if (share != 0) _send(id, claimants[i], share);
        }
    }

    /// @inheritdoc IBounties
    function reclaim(bytes32 id) external nonReentrant {
        Bounty storage b = _bounties[id];
        if (b.funder == address(0)) revert UnknownBounty(id);
        if (b.distributed) revert AlreadyDistributed(id);
        if (block.timestamp <= b.expiresAt) revert BountyNotExpired(id, b.expiresAt, block.timestamp);
        uint256 amount = _contributions[id][msg.sender];
        if (amount == 0) revert NothingToReclaim(id, msg.sender);
        _contributions[id][msg.sender] = 0;
        b.amount -= amount;
        _escrowed -= amount;
        emit BountyReclaimed(id, msg.sender, amount);
        _send(id, msg.sender, amount);
    }

    /// @inheritdoc IBounties
    /// @dev The transfer reverts on failure (nothing changes; claim again to another address).
    function claim(address to) external nonReentrant {
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        uint256 amount = _owed[msg.sender];
        if (amount == 0) revert NothingOwed(msg.sender);
        _owed[msg.sender] = 0;
        _owedTotal -= amount;
        emit BountyClaimed(msg.sender, to, amount);
        token.safeTransfer(to, amount);
    }

    /// @inheritdoc IBounties
    function bounty(bytes32 id)
        external
        view
        returns (bytes32 artifact, address funder, uint256 amount, bool distributed, uint64 expiresAt)
    {
        Bounty storage b = _bounties[id];
        if (b.funder == address(0)) revert UnknownBounty(id);
        return (b.artifact, b.funder, b.amount, b.distributed, b.expiresAt);
    }

    /// @inheritdoc IBounties
    function contribution(bytes32 id, address funder) external view returns (uint256) {
        return _contributions[id][funder];
    }

    /// @inheritdoc IBounties
    function escrowed() external view returns (uint256) {
        return _escrowed;
    }

    /// @inheritdoc IBounties
    function owed(address account) external view returns (uint256) {
        return _owed[account];
    }

    /// @inheritdoc IBounties
    function owedTotal() external view returns (uint256) {
        return _owedTotal;
    }

    /// @dev An existing bounty, not distributed and not expired.
    function _open(bytes32 id) private view returns (Bounty storage b) {
        b = _bounties[id];
        if (b.funder == address(0)) revert UnknownBounty(id);
        if (b.distributed) revert AlreadyDistributed(id);
        if (block.timestamp > b.expiresAt) revert BountyExpired(id, b.expiresAt, block.timestamp);
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

    /// @dev Send `amount` of bounty `id` to `to`, or owe it to `to` if the transfer fails.
    function _send(bytes32 id, address to, uint256 amount) private {
        if (token.trySafeTransfer(to, amount)) return;
        _owed[to] += amount;
        _owedTotal += amount;
        emit BountyPending(id, to, amount);
    }
}
