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

    /// @dev Check that the pool's price stayed past `to`'s threshold for at least the whole window:
    /// the round is a window old and the lowest long price of the window is above the validate
    /// threshold (validated), or the highest below the flag or deprecate threshold. A spike, however
    /// high, moves the window's other end only.
    function _requireTriggerable(bytes32 artifact, State to) internal view {
        Artifact storage a = _known(artifact);
        Round storage r = _rounds[artifact][a.round];
        bool eligible = to == State.Flagged || to == State.Validated || to == State.Deprecated;
        if (a.state != State.Listed || !a.open || r.poolId == 0 || !eligible) {
            revert NotTriggerable(artifact, a.state, to);
        }
        uint256 readyAt = uint256(a.roundStart) + _window;
        if (block.timestamp < readyAt) revert WindowNotElapsed(artifact, readyAt);
        (uint256 low, uint256 high,) = _maker.priceRange(r.poolId);
        if (to == State.Validated) {
            if (low <= _validatePrice) revert ThresholdNotMet(artifact, to, low, _validatePrice);
        } else {
            uint256 threshold = to == State.Flagged ? _flagPrice : _deprecatePrice;
            if (high >= threshold) revert ThresholdNotMet(artifact, to, high, threshold);
        }
    }
}
