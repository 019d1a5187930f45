// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LibSort} from "solady/utils/LibSort.sol";

import {BoundsLib} from "./BoundsLib.sol";

/// @notice One branch of a root as the check sees it: its effective bounds and the trader's matched
/// quantity there (`sum q`).
struct BranchTerm {
    int256 lo;
    int256 hi;
    int256 quantity;
}

/// @notice One open order: index of its branch in the `BranchTerm` array, signed open quantity, price.
struct OpenTerm {
    uint256 branch;
    int256 remaining;
    int256 price;
}

/// @title CheckLib
/// @notice The exact worst case of one root (protocol.md section 3), as a pure function of memory
/// arrays so that it can be fuzzed against brute force on its own.
/// @dev Within a root the trader's total payoff is piecewise linear in the outcome `x`. Matched
/// positions bend only where `x` crosses a branch bound; an open order's `min(0, payoff)` adds a
/// concave kink, never a minimum. So the minimum over the whole range lies at a candidate point:
/// an end of the root or a bound of one of the trader's branches. Branch bounds always lie inside
/// the root's bounds, so every candidate is a possible outcome.
/// Ranges: bounds are int128, quantities and prices at most 2^95 in magnitude (PositionLib), so a
/// term is below 2^223 and no sum of the at most 64 + 48 terms can overflow an int256.
library CheckLib {
    /// @dev The minimum over candidate points of
    /// `sum_b quantity_b * clamp(x, lo_b, hi_b) - cost + sum_o min(0, remaining_o * (clamp(x) - price_o))`,
    /// 36 decimals, exact. `cost` is the root's total `sum q * p` (36 decimals). The candidates are
    /// `rootMin`, `rootMax` and every `lo_b`, `hi_b`.
    /// Cost: the matched part is a sweep over the sorted candidates (the payoff at `rootMin` is
    /// `sum q_b * lo_b - cost`; between candidates it moves by its slope, which changes by `+q_b` at
    /// `lo_b` and `-q_b` at `hi_b`), so with no open orders the gas is linear in the branches apart
    /// from sorting the `2 + 2B` candidates; each open order adds one term per candidate.
    /// Why the sweep may start at the smallest candidate with the payoff at `rootMin`: a branch's
    /// effective bounds lie inside the root's bounds, or are a single point outside them (a branch
    /// whose own bounds missed the root's); below `rootMin` every branch sits at its `lo` either way,
    /// so the payoff is flat there and every slope change cancels before `rootMin`.
    function worst36(
        int256 rootMin,
        int256 rootMax,
        BranchTerm[] memory branches,
        int256 cost,
        OpenTerm[] memory opens
    ) internal pure returns (int256 worst) {
        uint256 nb = branches.length;
        uint256 n = 2 + 2 * nb;
        // Each candidate packed with the slope change it brings into one word, `x * 2^128 + delta`
        // (x is an int128 bound; |delta| = |q| < 2^95 fits the low 128 bits): sorting the words
        // sorts the candidates, with solady's sort (O(n log n)).
        int256[] memory keys = new int256[](n);
        keys[0] = _key(rootMin, 0);
        keys[1] = _key(rootMax, 0);
        int256 f = -cost;
        for (uint256 b; b < nb; ++b) {
            BranchTerm memory t = branches[b];
            keys[2 + 2 * b] = _key(t.lo, t.quantity);
            keys[3 + 2 * b] = _key(t.hi, -t.quantity);
            f += t.quantity * t.lo; // at rootMin every branch is clamped to its lo (see below)
        }
        LibSort.sort(keys);
        worst = type(int256).max;
        int256 slope;
        int256 previous = keys[0] >> 128;
        for (uint256 i; i < n; ++i) {
            int256 x = keys[i] >> 128; // arithmetic shift: the signed bound
            f += slope * (x - previous);
            previous = x;
            slope += int128(uint128(uint256(keys[i])));
            int256 v = opens.length == 0 ? f : f + _openLosses(x, branches, opens);
            if (v < worst) worst = v;
        }
    }

    /// @dev A candidate and its slope change in one sortable word.
    function _key(int256 x, int256 delta) private pure returns (int256) {
        return x * 2 ** 128 + int256(uint256(uint128(int128(delta))));
    }

    /// @dev `sum_o min(0, remaining_o * (clamp(x, lo, hi of its branch) - price_o))` at outcome `x`.
    function _openLosses(int256 x, BranchTerm[] memory branches, OpenTerm[] memory opens)
        private
        pure
        returns (int256 v)
    {
        for (uint256 o; o < opens.length; ++o) {
            OpenTerm memory open = opens[o];
            BranchTerm memory t = branches[open.branch];
            int256 p = open.remaining * (BoundsLib.clamp(x, t.lo, t.hi) - open.price);
            if (p < 0) v += p;
        }
    }
}
