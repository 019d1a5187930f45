// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Bounds} from "../../../contracts/libraries/BoundsLib.sol";

/// @title FoldModel
/// @notice The plain eager specification of protocol.md section 1, written independently of the
/// contract: the effective bounds of branch `b` are the fold, in posting order, of every definition
/// posted for branch `b` or any smaller branch, each applied with
/// `L' = min(max(L, l), U)`, `U' = max(min(U, u), L')`; the first definition starts at `[l, u]`.
abstract contract FoldModel {
    /// @dev One accepted definition, in posting order.
    struct Def {
        uint16 branch;
        int128 l;
        int128 u;
    }

    function _min(int128 a, int128 b) internal pure returns (int128) {
        return a < b ? a : b;
    }

    function _max(int128 a, int128 b) internal pure returns (int128) {
        return a > b ? a : b;
    }

    /// @dev The fold rule, straight from the specification.
    function _rule(int128 lo, int128 hi, int128 l, int128 u) internal pure returns (int128, int128) {
        int128 nl = _min(_max(lo, l), hi);
        int128 nu = _max(_min(hi, u), nl);
        return (nl, nu);
    }

    /// @dev Eager fold over `defs` of every definition for a branch `<= branch`.
    function _fold(Def[] storage defs, uint16 branch) internal view returns (int128 lo, int128 hi) {
        bool started;
        for (uint256 i; i < defs.length; ++i) {
            Def storage d = defs[i];
            if (d.branch > branch) continue;
            if (!started) {
                (lo, hi) = (d.l, d.u);
                started = true;
            } else {
                (lo, hi) = _rule(lo, hi, d.l, d.u);
            }
        }
        require(started, "model: no definition for branch");
    }

    /// @dev A value from one of four ranges chosen by the low two bits of `mode`: tiny ([-4, 4]:
    /// collapses, equal and disjoint bounds are frequent), small ([-1000, 1000]), the whole int128
    /// range, or an int128 edge value.
    function _value(uint8 mode, int128 raw) internal pure returns (int128) {
        uint8 m = mode % 4;
        if (m == 0) return raw % 5;
        if (m == 1) return raw % 1001;
        if (m == 2) return raw;
        uint256 pick = uint256(uint128(raw)) % 7;
        if (pick == 0) return type(int128).min;
        if (pick == 1) return type(int128).min + 1;
        if (pick == 2) return -1;
        if (pick == 3) return 0;
        if (pick == 4) return 1;
        if (pick == 5) return type(int128).max - 1;
        return type(int128).max;
    }

    function _interval(uint16 mode, int128 a, int128 b) internal pure returns (Bounds memory) {
        int128 x = _value(uint8(mode), a);
        int128 y = _value(uint8(mode >> 2), b);
        return x <= y ? Bounds(x, y) : Bounds(y, x);
    }

    function _clampModel(int128 x, int128 lo, int128 hi) internal pure returns (int128) {
        if (x < lo) return lo;
        if (x > hi) return hi;
        return x;
    }
}
