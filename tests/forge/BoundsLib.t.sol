// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {Bounds, BoundsLib} from "../../contracts/libraries/BoundsLib.sol";
import {FoldModel} from "./utils/FoldModel.sol";

/// @title BoundsLibTest
/// @notice The clamp arithmetic alone: the fold rule's formula and the identities the lazy storage
/// of sub-market bounds relies on.
contract BoundsLibTest is Test, FoldModel {
    using BoundsLib for Bounds;

    /// @notice `BoundsLib.apply_` computes exactly the specification's formula for any inputs, and
    /// its result lies inside the current bounds, is never inverted and is idempotent. For a valid
    /// definition (`l <= u`) it equals clamping both ends of the definition into the current bounds:
    /// the intersection when they overlap, the nearest end when they are disjoint.
    function testFuzz_applyMatchesFormula(uint8 mode, int128 a, int128 b, int128 l, int128 u) public pure {
        int128 lo = _value(mode, a);
        int128 hi = _value(mode >> 2, b);
        if (lo > hi) (lo, hi) = (hi, lo);
        l = _value(mode >> 4, l);
        u = _value(mode >> 6, u);

        Bounds memory r = Bounds(lo, hi).apply_(l, u);

        (int128 el, int128 eu) = _rule(lo, hi, l, u);
        assertEq(r.min, el, "formula min");
        assertEq(r.max, eu, "formula max");

        assertLe(r.min, r.max, "inverted");
        assertGe(r.min, lo, "below current min");
        assertLe(r.max, hi, "above current max");

        Bounds memory again = r.apply_(l, u);
        assertEq(again.min, r.min, "not idempotent (min)");
        assertEq(again.max, r.max, "not idempotent (max)");

        if (l <= u) {
            assertEq(r.min, _clampModel(l, lo, hi), "min != clamp(l)");
            assertEq(r.max, _clampModel(u, lo, hi), "max != clamp(u)");
            if (u < lo) {
                assertEq(r.min, lo, "disjoint below: min");
                assertEq(r.max, lo, "disjoint below: max");
            } else if (l > hi) {
                assertEq(r.min, hi, "disjoint above: min");
                assertEq(r.max, hi, "disjoint above: max");
            } else {
                assertEq(r.min, _max(lo, l), "overlap: min is the highest minimum");
                assertEq(r.max, _min(hi, u), "overlap: max is the lowest maximum");
            }
        } else {
            // The contract refuses l > u; the formula still never inverts and collapses to a point.
            assertEq(r.min, r.max, "l > u must give a point");
        }
    }

    /// @notice The identity the lazy storage rests on: applying definitions is associative,
    /// `(A <- B) <- C == A <- (B <- C)`, where `X <- Y` applies definition `Y` to bounds `X`; and
    /// `BoundsLib.clamp` of a point into `A <- B` equals clamping into `B` and then into `A`.
    function testFuzz_applyIsAssociative(uint16 mode, int128[6] calldata v, int128 x) public pure {
        Bounds memory A = _interval(mode, v[0], v[1]);
        Bounds memory B = _interval(mode >> 4, v[2], v[3]);
        Bounds memory C = _interval(mode >> 8, v[4], v[5]);
        x = _value(uint8(mode >> 12), x);

        Bounds memory left = A.apply_(B.min, B.max).apply_(C.min, C.max);
        Bounds memory bc = B.apply_(C.min, C.max);
        Bounds memory right = A.apply_(bc.min, bc.max);
        assertEq(left.min, right.min, "assoc min");
        assertEq(left.max, right.max, "assoc max");

        Bounds memory ab = A.apply_(B.min, B.max);
        int256 direct = BoundsLib.clamp(x, ab.min, ab.max);
        int256 twice = BoundsLib.clamp(BoundsLib.clamp(x, B.min, B.max), A.min, A.max);
        assertEq(direct, twice, "clamp composition");
        assertEq(direct, int256(_clampModel(x, ab.min, ab.max)), "clamp model");
    }
}
