// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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
    /// from an insertion sort of `2 + 2B` points; each open order adds one term per candidate.
    function worst36(
        int256 rootMin,
        int256 rootMax,
        BranchTerm[] memory branches,
        int256 cost,
        OpenTerm[] memory opens
    ) internal pure returns (int256 worst) {
        uint256 nb = branches.length;
        uint256 n = 2 + 2 * nb;
        int256[] memory xs = new int256[](n);
        int256[] memory slopeAt = new int256[](n);
        xs[0] = rootMin;
        xs[1] = rootMax;
        int256 f = -cost;
        for (uint256 b; b < nb; ++b) {
            BranchTerm memory t = branches[b];
            (xs[2 + 2 * b], slopeAt[2 + 2 * b]) = (t.lo, t.quantity);
            (xs[3 + 2 * b], slopeAt[3 + 2 * b]) = (t.hi, -t.quantity);
            f += t.quantity * t.lo; // at rootMin every branch is clamped to its lo (lo >= rootMin)
        }
        _sort(xs, slopeAt);
        worst = type(int256).max;
        int256 slope;
        int256 previous = xs[0];
        for (uint256 i; i < n; ++i) {
            int256 x = xs[i];
            f += slope * (x - previous);
            previous = x;
            slope += slopeAt[i];
            int256 v = opens.length == 0 ? f : f + _openLosses(x, branches, opens);
            if (v < worst) worst = v;
        }
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

    /// @dev Insertion sort of `xs` ascending, moving `ys` along (n <= 130; O(n^2) cheap swaps).
    function _sort(int256[] memory xs, int256[] memory ys) private pure {
        for (uint256 i = 1; i < xs.length; ++i) {
            (int256 x, int256 y) = (xs[i], ys[i]);
            uint256 j = i;
            while (j > 0 && xs[j - 1] > x) {
                (xs[j], ys[j]) = (xs[j - 1], ys[j - 1]);
                --j;
            }
            (xs[j], ys[j]) = (x, y);
        }
    }
}
