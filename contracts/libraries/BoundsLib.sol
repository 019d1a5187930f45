// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A closed interval `[min, max]` of outcomes or prices, 18-decimal fixed point.
/// @dev Packed into one storage slot (2 x int128).
struct Bounds {
    int128 min;
    int128 max;
}

/// @title BoundsLib
/// @notice The clamp arithmetic of pmarket's market definitions (protocol.md section 1).
/// @dev Every function is pure, exact (no rounding) and cannot overflow: results are always one of
/// the int128 inputs.
library BoundsLib {
    /// @dev `x` clamped into `[lo, hi]`. Requires `lo <= hi` (callers guarantee it).
    function clamp(int256 x, int256 lo, int256 hi) internal pure returns (int256) {
        return x < lo ? lo : (x > hi ? hi : x);
    }

    /// @dev The fold rule: definition `d` applied to current bounds `cur` gives
    /// `L' = min(max(L, l), U)` and `U' = max(min(U, u), L')`. For `l <= u` this equals clamping both
    /// ends of `d` into `cur`: bounds only narrow, and a disjoint definition collapses the market to
    /// the nearest end instead of inverting it.
    function apply_(Bounds memory cur, int128 l, int128 u) internal pure returns (Bounds memory) {
        int128 lo = l > cur.min ? l : cur.min;
        if (lo > cur.max) lo = cur.max;
        int128 hi = u < cur.max ? u : cur.max;
        if (hi < lo) hi = lo;
        return Bounds(lo, hi);
    }

    /// @dev True when the interval is a single point (a settled root).
    function isPoint(Bounds memory b) internal pure returns (bool) {
        return b.min == b.max;
    }

    /// @dev True when `x` lies in `[b.min, b.max]`.
    function contains(Bounds memory b, int256 x) internal pure returns (bool) {
        return x >= b.min && x <= b.max;
    }
}
