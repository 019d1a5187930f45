// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ISettlementEE} from "../interfaces/ISettlement.sol";
import {Reputation, State} from "../interfaces/IArtifacts.sol";
import {ArtifactsBase} from "./ArtifactsBase.sol";

/// @title ArtifactSettlement
/// @notice Crediting settled positions, trader by trader, with the ledger's events and reputations
/// (protocol.md section 6).
/// @dev A round's market is managed: only this contract may claim there, so every credit and debit
/// passes here and is logged (`Settlement`) and scored. The Exchange's claim is idempotent (a
/// trader's root is marked claimed) and keeps the pot whole (a gain waits for the losses).
///
/// Reputation: a prediction is a position with a non-zero quantity in a round that settled. It is
/// correct when long on a validated artifact, or short on a deprecated or flagged one; incorrect
/// otherwise. Its stake is what it committed (its worst-case loss, wad). The believability score is
/// `(correctStake + 1) / (totalStake + 2)` in 18 decimals (stakes in whole units of 1e18): a
/// Laplace-smoothed, stake-weighted share of correct predictions, 0.5 with no record, rounded down.
abstract contract ArtifactSettlement is ArtifactsBase {
    /// @dev Credit `traders` in a settled round: two passes, the second retrying the gains that
    /// found the pot short until the losses came in. The residual's remainder is collected after.
    function _settleMany(bytes32 artifact, uint256 round, address[] calldata traders) internal returns (uint256 n) {
        Round memory r = _rounds[artifact][round];
        if (r.outcome == State.None) revert RoundNotSettled(artifact, round);
        bool[] memory retry = new bool[](traders.length);
        for (uint256 pass; pass < 2; ++pass) {
            for (uint256 i; i < traders.length; ++i) {
                if (pass == 1 && !retry[i]) continue;
                bytes memory reason = _settleOne(artifact, round, r, traders[i]);
                if (reason.length == 0) {
                    ++n;
                } else if (pass == 0 && bytes4(reason) == ISettlementEE.SettlementPending.selector) {
                    retry[i] = true;
                } else {
                    emit SettlementSkipped(artifact, traders[i], round, reason);
                }
            }
        }
        _collect(artifact, round);
    }

    /// @dev Claim one trader's payoff on the Exchange; log it and score the prediction. Returns the
    /// refusal (empty on success).
    function _settleOne(bytes32 artifact, uint256 round, Round memory r, address trader)
        private
        returns (bytes memory)
    {
        (int256 q, int256 cost) = _exchange.position(trader, r.rootId, 1);
        try _exchange.claimFor(trader, r.rootId) returns (int256 payoff) {
            _ledger(artifact, trader, round, payoff);
            if (q != 0 && !_isResidual(r, trader)) _score(artifact, round, trader, r.outcome, q, cost);
            return "";
        } catch (bytes memory reason) {
            return reason;
        }
    }

    /// @dev Fold one settled prediction (in `artifact`'s round `round`) into `trader`'s reputation.
    function _score(bytes32 artifact, uint256 round, address trader, State outcome, int256 q, int256 cost) private {
        bool correct = q > 0 ? outcome == State.Validated : outcome != State.Validated;
        // What it committed: its worst-case loss over [0, 1] (36 decimals), in wad rounded down.
        int256 worst = q < 0 ? q * WAD - cost : -cost;
        uint256 stake = worst < 0 ? uint256(-worst) / uint256(WAD) : 0;
        Reputation memory rep = _reputations[trader];
        if (correct) {
            rep.correct += 1;
            rep.correctStake = _add96(rep.correctStake, stake);
        } else {
            rep.incorrect += 1;
        }
        rep.totalStake = _add96(rep.totalStake, stake);
        _reputations[trader] = rep;
        emit ReputationUpdated(trader, artifact, round, correct, stake, _scoreOf(rep));
    }

    /// @dev The believability score of a record (see the contract's notes).
    function _scoreOf(Reputation memory rep) internal pure returns (uint256) {
        return (uint256(rep.correctStake) + uint256(WAD)) * uint256(WAD) / (uint256(rep.totalStake) + 2 * uint256(WAD));
    }

    /// @dev Saturating add into 96 bits (about 7.9e10 whole units): a record never reverts a claim.
    function _add96(uint96 a, uint256 b) private pure returns (uint96) {
        uint256 sum = uint256(a) + b;
        return sum > type(uint96).max ? type(uint96).max : uint96(sum);
    }

    function _isResidual(Round memory r, address account) private view returns (bool) {
        return account == (r.poolId == 0 ? address(this) : _maker.poolAccount(r.poolId));
    }

    /// @dev Close `trader`'s position at the marginal price once the round is old enough.
    function _close(bytes32 artifact, address trader) internal returns (int256 quantity, int256 cost) {
        Artifact storage a = _known(artifact);
        Round storage r = _rounds[artifact][a.round];
        if (a.state == State.Challenged && a.open) revert MarketFrozen(r.rootId);
        if (a.state != State.Listed || r.poolId == 0) revert NotClosable(artifact, a.state);
        uint256 allowedAt = a.roundStart + _closeAfter + 1; // listed for *more than* the delay
        if (block.timestamp < allowedAt) revert CloseNotYet(artifact, allowedAt);
        (quantity, cost,) = _maker.closeFor(_maker.poolKey(r.poolId), trader);
    }

    /// @dev The registrant takes a final artifact's reserve (collecting the last round first).
    function _withdrawReserve(bytes32 artifact, address to) internal returns (uint256 amount) {
        Artifact storage a = _known(artifact);
        bool final_ = a.state == State.Validated || a.state == State.Deprecated;
        if (msg.sender != a.registrant || !final_) revert ReserveLocked(artifact, msg.sender);
        _collect(artifact, a.round);
        amount = a.reserve;
        a.reserve = 0;
        emit ReserveWithdrawn(artifact, to, amount);
        if (amount != 0) _exchange.withdrawTo(to, amount);
    }
}
