// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {State, Transition} from "../interfaces/IArtifacts.sol";
import {ArtifactsBase} from "./ArtifactsBase.sol";

/// @title Lifecycle
/// @notice Lifecycle transitions and what each does to the artifact's round (protocol.md section 6).
/// @dev The transition matrix: listed -> flagged | challenged | validated | deprecated;
/// flagged -> listed | challenged | validated | deprecated; challenged -> listed | flagged |
/// validated | deprecated; validated and deprecated are final. Effects on the round's market, when
/// it still trades: flagged closes it at the flagged terms, validated and deprecated settle it at 1
/// and 0, challenged freezes it and leaving challenged unfreezes it. Listed after a closed round
/// (flagged, or challenged after flagged) opens a new round. Each effect is O(1): it fixes every
/// position's payoff at once, and claims credit them later.
abstract contract Lifecycle is ArtifactsBase {
    /// @dev Post `to` for `artifact` (an oracle's post or a trigger's), with every effect.
    function _transition(bytes32 artifact, State to, bool triggered) internal {
        Artifact storage a = _known(artifact);
        State from = a.state;
        if (!_allowed(from, to)) revert InvalidTransition(from, to);
        uint256 round = a.round;
        Round storage r = _rounds[artifact][round];
        uint256 price = _price(r.poolId);
        a.state = to;
        bool settled;
        if (a.open) {
            // Leaving a challenge unfreezes (a flagged close needs no unfreeze: it ends trading).
            if (from == State.Challenged && to != State.Flagged) _exchange.setFrozen(r.rootId, false);
            if (to == State.Challenged) {
                _exchange.setFrozen(r.rootId, true);
            } else if (to != State.Listed) {
                if (to == State.Flagged) {
                    address residual = r.poolId == 0 ? address(this) : _maker.poolAccount(r.poolId);
                    _exchange.flagRoot(r.rootId, residual);
                } else {
                    _exchange.settle(r.rootId, to == State.Validated ? int128(WAD) : int128(0));
                }
                a.open = false;
                r.outcome = to;
                settled = true;
            }
        } else if (to == State.Listed) {
            a.round = uint16(round + 1);
            _openRound(artifact, a);
        }
        _history[artifact].push(
            Transition(to, uint40(block.timestamp), msg.sender, triggered, uint64(price), uint16(a.round))
        );
        emit LifecycleTransition(artifact, from, to, msg.sender, triggered, price, a.round);
        if (settled) _collect(artifact, round);
    }

    /// @dev The transition matrix.
    function _allowed(State from, State to) internal pure returns (bool) {
        if (from == to || to == State.None) return false;
        if (from == State.Listed) return to != State.Listed;
        if (from == State.Flagged || from == State.Challenged) return true;
        return false; // None, Validated, Deprecated
    }

    /// @dev Check that the pool's time-weighted log-odds, from the newest observation at least a
    /// window old to now, is past `to`'s threshold.
    function _requireTriggerable(bytes32 artifact, State to) internal view {
        Artifact storage a = _known(artifact);
        Round storage r = _rounds[artifact][a.round];
        bool eligible = to == State.Flagged || to == State.Validated || to == State.Deprecated;
        if (a.state != State.Listed || !a.open || r.poolId == 0 || !eligible) {
            revert NotTriggerable(artifact, a.state, to);
        }
        (int256 cumulative, uint256 now_,) = _maker.observe(r.poolId);
        Observation memory o = _usable(artifact, a.head, a.roundStart, now_);
        int256 twap = (cumulative - o.cumulative) / int256(now_ - o.time);
        int256 threshold = to == State.Validated ? _validateLogit : to == State.Flagged ? _flagLogit : _deprecateLogit;
        bool past = to == State.Validated ? twap > threshold : twap < threshold;
        if (!past) revert ThresholdNotMet(artifact, to, twap, threshold);
    }

    /// @dev The newest observation of this round at least a window old (the ring holds eight, at
    /// least a quarter window apart, so one is whenever observations kept coming).
    function _usable(bytes32 artifact, uint8 head, uint40 roundStart, uint256 now_)
        private
        view
        returns (Observation memory o)
    {
        Observation[RING] storage ring = _observations[artifact];
        for (uint256 k; k < RING; ++k) {
            o = ring[(head + RING - k) % RING];
            if (o.time < roundStart) break; // older slots belong to an earlier round
            if (now_ - o.time >= _window && now_ > o.time) return o;
        }
        revert WindowNotElapsed(artifact, _window);
    }

    /// @dev Record an observation when the newest is at least a quarter window old.
    function _observe(bytes32 artifact) internal {
        Artifact storage a = _known(artifact);
        bytes32 poolId = _rounds[artifact][a.round].poolId;
        if (!a.open || poolId == 0) return;
        uint8 head = a.head;
        if (block.timestamp - _observations[artifact][head].time < _window / 4) return;
        (int256 cumulative,,) = _maker.observe(poolId);
        head = uint8((head + 1) % RING);
        a.head = head;
        _observations[artifact][head] = Observation(int128(cumulative), uint40(block.timestamp));
    }
}
