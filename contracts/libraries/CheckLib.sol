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
    /// `rootMin`, `rootMax` and every `lo_b`, `hi_b`. Gas: (2 + 2B)(B + O) terms for B branches and
    /// O open orders.
    function worst36(
        int256 rootMin,
        int256 rootMax,
        BranchTerm[] memory branches,
        int256 cost,
        OpenTerm[] memory opens
    ) internal pure returns (int256 worst) {
        uint256 nb = branches.length;
        int256[] memory clamped = new int256[](nb);
        worst = type(int256).max;
        uint256 candidates = 2 + 2 * nb;
        for (uint256 i; i < candidates; ++i) {
            int256 x = i == 0 ? rootMin : i == 1 ? rootMax : ((i & 1) == 0 ? branches[(i - 2) >> 1].lo : branches[(i - 2) >> 1].hi);
            int256 v = -cost;
            for (uint256 b; b < nb; ++b) {
                BranchTerm memory t = branches[b];
                int256 c = BoundsLib.clamp(x, t.lo, t.hi);
                clamped[b] = c;
                v += t.quantity * c;
            }
            for (uint256 o; o < opens.length; ++o) {
                OpenTerm memory open = opens[o];
                int256 p = open.remaining * (clamped[open.branch] - open.price);
                if (p < 0) v += p;
            }
            if (v < worst) worst = v;
        }
    }
}
