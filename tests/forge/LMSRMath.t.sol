// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {FixedPointMathLib as FPM} from "solady/utils/FixedPointMathLib.sol";

import {Side} from "../../contracts/interfaces/IMaker.sol";
import {LMSRMath} from "../../contracts/libraries/LMSRMath.sol";
import {PoolMath, Terms, Trade} from "../../contracts/libraries/PoolMath.sol";

/// @title LMSRMathTest
/// @notice Fuzz tests (default 10,000 runs each) of the on-chain LMSR math: the 36-decimal `expNeg`
/// and `ln` against solady's independent 18-decimal `expWad`/`lnWad`, and the pricing properties
/// that make every trade "never in the trader's favour": prices sum to one, the cost is monotone,
/// every charged `costDelta` lies above a true lower bound of the exact cost (tangent lines of the
/// convex `f`), splitting a buy never makes it cheaper, a round trip never pays, and `costDelta`
/// agrees with two `cost` evaluations.
/// @dev The library is internal: the test contract calls it directly (inlined), no harness needed.
/// Liquidity `b` runs over [1e15, 1e27] log-uniformly and `|d|` over [0, 50b] shares with a random
/// binary scale, so small trades, small states and the `e^-50` tail are all reached.
///
/// Tolerances against solady (18 decimals): `expNeg(y * 1e18) / 1e18` within 2 wei of `expWad(-y)`
/// and `ln(x * 1e18) / 1e18` within 3 wei of `lnWad(x)` (both absolute, in units of 1e-18: solady is
/// accurate to about 1 ulp, our value is truncated from 36 decimals; measured worst: 0 and 2 wei).
contract LMSRMathTest is Test {
    int256 internal constant ONE = 1e36;
    int256 internal constant WAD = 1e18;

    /*//////////////////////////////////////////////////////////////
                                  INPUTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Liquidity in [1e15, 1e27], log-uniform over the decades.
    function _b(uint256 r) internal pure returns (uint256) {
        uint256 e = 15 + r % 12;
        return 10 ** e * _bound(r >> 8, 1e18, 10e18) / 1e18;
    }

    /// @dev A state `d` (36 decimals, a whole number of share-wei) with `|d| <= 50b` shares, scaled down
    /// by a random power of two and signed.
    function _d(uint256 r, uint256 b) internal pure returns (int256) {
        uint256 mag = _bound(r >> 16, 0, 50 * b) >> (r & 0x7f) % 100;
        int256 q = int256(mag);
        return ((r >> 8) & 1 == 1 ? -q : q) * WAD;
    }

    function _abs(int256 a) internal pure returns (uint256) {
        return a >= 0 ? uint256(a) : uint256(-a);
    }

    /*//////////////////////////////////////////////////////////////
                    (a) EXP AND LN AGAINST SOLADY
    //////////////////////////////////////////////////////////////*/

    /// @notice `expNeg` agrees with solady's `expWad` within 2 wei (18 decimals) over solady's whole
    /// nonzero range `[0, 41.4]`; both are zero beyond it; `expNeg(0)` is exactly one.
    function testFuzz_expNegMatchesSolady(uint256 yRaw) public pure {
        uint256 y = _bound(yRaw, 0, 45e18) >> (yRaw >> 250); // wad, small arguments too
        uint256 ours = LMSRMath.expNeg(y * 1e18) / 1e18;
        int256 ref = FPM.expWad(-int256(y));
        assertApproxEqAbs(int256(ours), ref, 2, "expNeg vs expWad");
        assertLe(LMSRMath.expNeg(y * 1e18), uint256(ONE), "expNeg <= 1");
        assertEq(LMSRMath.expNeg(0), uint256(ONE), "expNeg(0)");
    }

    /// @notice `expNeg` is non-increasing in its argument, at 36 decimals (adjacent arguments too).
    function testFuzz_expNegMonotone(uint256 xRaw, uint256 stepRaw) public pure {
        uint256 x = _bound(xRaw, 0, 90e36) >> (xRaw >> 250);
        uint256 step = _bound(stepRaw, 1, 1e36) >> (stepRaw >> 250);
        if (step == 0) step = 1;
        assertGe(LMSRMath.expNeg(x), LMSRMath.expNeg(x + step), "expNeg not monotone");
    }

    /// @notice `ln` agrees with solady's `lnWad` within 3 wei (18 decimals) for arguments from 1e-18
    /// to 1e20 (ln from -41 to 46), including values just around 1 where the series is used directly.
    function testFuzz_lnMatchesSolady(uint256 xRaw) public pure {
        uint256 x = _bound(xRaw, 1, 1e38) >> (xRaw >> 249); // wad
        if (x == 0) x = 1;
        int256 ours = LMSRMath.ln(x * 1e18) / 1e18;
        int256 ref = FPM.lnWad(int256(x));
        assertApproxEqAbs(ours, ref, 3, "ln vs lnWad");
    }

    /// @notice `ln(1) == 0` and `ln(2) == LN2` (to 2 units of 1e-36), `ln` is monotone.
    function testFuzz_lnMonotone(uint256 vRaw, uint256 stepRaw) public pure {
        assertEq(LMSRMath.ln(1e36), 0, "ln 1");
        assertApproxEqAbs(LMSRMath.ln(2e36), int256(LMSRMath.LN2), 2, "ln 2");
        uint256 v = _bound(vRaw, 1, 1e60);
        uint256 step = _bound(stepRaw, 1, 1e36);
        assertLe(LMSRMath.ln(v), LMSRMath.ln(v + step), "ln not monotone");
    }

    /// @notice `cost(d, b)` agrees with an independent 18-decimal evaluation by solady,
    /// `max(d, 0) + b lnWad(1 + expWad(-|d|/b))`, within `5b * 1e-18 + 4` wei (solady's own error
    /// times `b`).
    function testFuzz_costMatchesSolady(uint256 bRaw, uint256 dRaw) public pure {
        uint256 b = _b(bRaw);
        int256 d = _d(dRaw, b);
        int256 q = d / WAD; // shares, wad
        uint256 x = _abs(q) * 1e18 / b; // |d| / b, wad
        int256 tail = int256(b) * FPM.lnWad(1e18 + FPM.expWad(-int256(x))) / WAD;
        int256 ref = (q > 0 ? q : int256(0)) + tail;
        int256 ours = LMSRMath.cost(d, b) / WAD;
        assertApproxEqAbs(ours, ref, 5 * b / 1e18 + 4, "cost vs solady");
    }

    /*//////////////////////////////////////////////////////////////
                           (b) PRICING PROPERTIES
    //////////////////////////////////////////////////////////////*/

    /// @notice Long and short prices, both floored to 18 decimals, sum to 1e18 or 1e18 - 1; the long
    /// price is exactly symmetric (`p(d) + p(-d) == 1` at 36 decimals), is 1/2 at `d = 0`, and
    /// agrees with solady's logistic `1 / (1 + expWad(-d/b))` within 3 wei.
    function testFuzz_pricesSumToOne(uint256 bRaw, uint256 dRaw) public pure {
        uint256 b = _b(bRaw);
        int256 d = _d(dRaw, b);
        uint256 pl = LMSRMath.priceLong(d, b);
        assertLe(pl, uint256(ONE), "price above one");
        uint256 sum = pl / 1e18 + (uint256(ONE) - pl) / 1e18;
        assertTrue(sum == 1e18 || sum == 1e18 - 1, "prices do not sum to one");
        assertEq(pl + LMSRMath.priceLong(-d, b), uint256(ONE), "asymmetric");
        assertEq(LMSRMath.priceLong(0, b), uint256(ONE) / 2, "p(0)");
        int256 x = int256(_abs(d) / 1e18 * 1e18 / b); // wad
        int256 lean = 1e36 / (1e18 + FPM.expWad(-x));
        int256 ref = d >= 0 ? lean : 1e18 - lean;
        assertApproxEqAbs(int256(pl / 1e18), ref, 3, "price vs solady");
    }

    /// @notice The cost is non-decreasing in `d`, down to steps of one share-wei, and so is the long
    /// price.
    function testFuzz_costMonotone(uint256 bRaw, uint256 dRaw, uint256 stepRaw) public pure {
        uint256 b = _b(bRaw);
        int256 d0 = _d(dRaw, b);
        int256 step = int256(_bound(stepRaw, 1, 10 * b) >> (stepRaw >> 250)) * WAD;
        if (step == 0) step = WAD;
        int256 d1 = d0 + step;
        assertLe(LMSRMath.cost(d0, b), LMSRMath.cost(d1, b), "cost decreased");
        assertLe(LMSRMath.priceLong(d0, b), LMSRMath.priceLong(d1, b), "price decreased");
    }

    /// @notice What a trade is charged, `costDelta(d0, d1) + 2 errorBound(b)`, is at least a true lower
    /// bound of the exact `f(d1) - f(d0)`: by convexity `(d1 - d0) p(d0) <= f(d1) - f(d0) <=
    /// (d1 - d0) p(d1)` in either direction, and likewise on 16 slices (a left Riemann sum, much
    /// tighter). `slack` covers the prices' own error (64 units of 1e-36 each) and the floor of each
    /// product. The charge also stays below the upper bound plus `4 errorBound`: no gross overcharge.
    /// With (a) this is the on-chain check that no trade is in the trader's favour.
    function testFuzz_costDeltaWithinConvexityBounds(uint256 bRaw, uint256 d0Raw, uint256 d1Raw) public pure {
        uint256 b = _b(bRaw);
        int256 d0 = _d(d0Raw, b);
        int256 d1 = _d(d1Raw, b);
        // Half the runs take a small step from d0 (a few share-wei up to b / 2^20), where the bounds
        // pinch the exact cost closely.
        if (d1Raw >> 255 == 1) d1 = d0 + (d1 / WAD >> ((d1Raw >> 248) % 64 + 20)) * WAD;
        int256 delta = d1 - d0;
        int256 charged = LMSRMath.costDelta(d0, d1, b) + 2 * int256(LMSRMath.errorBound(b));
        int256 slack = int256(_abs(delta) * 64 / 1e36) + 17;
        // The two tangents at the ends.
        assertGe(charged, _times(delta, LMSRMath.priceLong(d0, b)) - slack, "below the tangent at d0");
        assertLe(
            charged,
            _times(delta, LMSRMath.priceLong(d1, b)) + slack + 4 * int256(LMSRMath.errorBound(b)),
            "above the tangent at d1"
        );
        // Sixteen slices.
        (int256 lower, int256 upper) = _riemann(d0, d1, b, 16);
        assertGe(charged, lower - slack, "below the left Riemann sum");
        assertLe(charged, upper + slack + 4 * int256(LMSRMath.errorBound(b)), "above the right Riemann sum");
    }

    /// @dev `delta * p / 1e36` for `delta` a whole number of share-wei (36 decimals), without overflow.
    function _times(int256 delta, uint256 p) internal pure returns (int256) {
        return delta / WAD * int256(p) / WAD;
    }

    /// @dev Left and right Riemann sums of the long price over `k` slices from `d0` to `d1`.
    function _riemann(int256 d0, int256 d1, uint256 b, int256 k) internal pure returns (int256 lower, int256 upper) {
        int256 prev = d0;
        uint256 pPrev = LMSRMath.priceLong(d0, b);
        for (int256 i = 1; i <= k; ++i) {
            int256 next = d0 + (d1 - d0) / WAD * i / k * WAD;
            uint256 pNext = LMSRMath.priceLong(next, b);
            lower += _times(next - prev, pPrev);
            upper += _times(next - prev, pNext);
            (prev, pPrev) = (next, pNext);
        }
    }

    /// @notice `costDelta(d0, d1)` equals `cost(d1) - cost(d0)` within `2 errorBound(b)`, and
    /// `costDelta(d, d) == 0`.
    function testFuzz_costDeltaMatchesCostDifference(uint256 bRaw, uint256 d0Raw, uint256 d1Raw) public pure {
        uint256 b = _b(bRaw);
        int256 d0 = _d(d0Raw, b);
        int256 d1 = _d(d1Raw, b);
        int256 diff = LMSRMath.cost(d1, b) - LMSRMath.cost(d0, b);
        assertApproxEqAbs(LMSRMath.costDelta(d0, d1, b), diff, 2 * LMSRMath.errorBound(b), "costDelta != diff");
        assertEq(LMSRMath.costDelta(d0, d0, b), 0, "costDelta(d, d)");
    }

    /*//////////////////////////////////////////////////////////////
                         (b) TRADES VIA POOLMATH
    //////////////////////////////////////////////////////////////*/

    /// @dev A pool and its state for the trade properties.
    struct Case {
        Terms k;
        int256 qL;
        int256 qS;
        int256 maxN;
    }

    /// @dev Random pool terms (width 0.1 to 10 units, any fee up to 10%) and a start state with
    /// `|d| <= 25b`; `maxN` is the most forward units a trade may move so that `|d|` stays within 50b.
    function _setup(uint256 r) internal pure returns (Case memory c) {
        c.k = _terms(r);
        uint256 b = c.k.b;
        int256 w = c.k.hi - c.k.lo;
        // Forward units stay below 2^92 each (the pool's range is 2^95 - 1).
        int256 maxN = int256(25 * b) * WAD / w;
        if (maxN > 2 ** 92) maxN = 2 ** 92;
        c.maxN = maxN;
        int256 dq = _d(uint256(keccak256(abi.encode(r, "d"))), b) / 2 / w; // |dq * w| <= 25b shares
        if (dq > maxN) dq = maxN;
        if (dq < -maxN) dq = -maxN;
        c.qS = int256(_bound(r >> 160, 0, uint256(maxN))) >> (r >> 240) % 64;
        c.qL = c.qS + dq;
    }

    function _terms(uint256 r) internal pure returns (Terms memory) {
        int256 w = int256(_bound(r >> 64, 1e17, 1e19));
        if ((r >> 200) & 3 == 0) w = WAD; // the common [0, 1] width exactly
        int256 lo = int256(_bound(r >> 128, 0, 2e19)) - 1e19;
        return Terms(lo, lo + w, _b(r), (r >> 210) % 4 == 0 ? 0 : _bound(r >> 212, 0, 1000));
    }

    function _price(Terms memory k, int256 qL, int256 qS, Side side, int256 n) internal pure returns (Trade memory t) {
        bool ok;
        (t, ok) = PoolMath.price(k, qL, qS, side, n);
        assertTrue(ok, "out of range");
    }

    /// @notice Buying (or selling) `n` forward units in `k` random slices (k = 2..8), each priced by
    /// `PoolMath.price` on the state the previous one left, never costs less in total than the same
    /// trade at once: in 36-decimal `pay` (fee included), in whole wei as the maker charges, and in
    /// the position's total cost. Both sides, any fee.
    function testFuzz_splitTradeNeverCheaper(uint256 r, uint256 nRaw, uint8 kRaw, bool short_, bool sell)
        public
        pure
    {
        Case memory c = _setup(r);
        int256 slices = int256(_bound(kRaw, 2, 8));
        int256 n = int256(_bound(nRaw, uint256(slices), uint256(c.maxN) + uint256(slices)) >> (nRaw >> 250));
        if (n < slices) n = slices;
        if (sell) n = -n;
        Side side = short_ ? Side.Short : Side.Long;
        Trade memory once = _price(c.k, c.qL, c.qS, side, n);
        Trade memory sum = _slices(c, side, n, slices, nRaw);
        assertEq(sum.qLong, once.qLong, "same end state (long)");
        assertEq(sum.qShort, once.qShort, "same end state (short)");
        assertGe(sum.pay, once.pay, "split pays less (36 dec)");
        assertGe(sum.worst, PoolMath.ceilDiv(once.pay, WAD), "split charged less (wei)");
        assertGe(sum.cost, once.cost, "split position cost lower");
    }

    /// @dev `n` in `slices` random parts applied in turn: the end state, the summed `pay` and `cost`,
    /// and (in `worst`) the summed whole-wei charges `ceil(pay / 1e18)`.
    function _slices(Case memory c, Side side, int256 n, int256 slices, uint256 seed)
        internal
        pure
        returns (Trade memory sum)
    {
        (sum.qLong, sum.qShort) = (c.qL, c.qS);
        int256 left = n;
        for (int256 i = 0; i < slices; ++i) {
            int256 part = left;
            if (i < slices - 1) {
                // Leave at least one unit for each slice still to come.
                uint256 room = _abs(left) - uint256(slices - 1 - i);
                part = int256(_bound(uint256(keccak256(abi.encode(seed, i))), 1, room));
                if (n < 0) part = -part;
            }
            Trade memory t = _price(c.k, sum.qLong, sum.qShort, side, part);
            (sum.qLong, sum.qShort) = (t.qLong, t.qShort);
            sum.pay += t.pay;
            sum.worst += PoolMath.ceilDiv(t.pay, WAD);
            sum.cost += t.cost;
            left -= part;
        }
        assertEq(left, 0, "slices");
    }

    /// @notice A round trip, buying `n` of a side and selling the same `n` back, never returns more
    /// than it cost (36 decimals and whole wei as the maker rounds: `cost >= proceeds`), leaves the
    /// state where it was, and the trader's net position is zero quantity at a non-negative cost.
    /// Buying `n` of both sides (a complete set worth exactly `n W` shares) costs at least `n W`.
    function testFuzz_roundTripNeverPays(uint256 r, uint256 nRaw, bool short_) public pure {
        Case memory c = _setup(r);
        Terms memory k = c.k;
        int256 n = int256(_bound(nRaw, 1, uint256(c.maxN)) >> (nRaw >> 250));
        if (n == 0) n = 1;
        Side side = short_ ? Side.Short : Side.Long;
        Trade memory buyT = _price(k, c.qL, c.qS, side, n);
        Trade memory sellT = _price(k, buyT.qLong, buyT.qShort, side, -n);
        assertEq(sellT.qLong, c.qL, "state back (long)");
        assertEq(sellT.qShort, c.qS, "state back (short)");
        assertGe(buyT.pay + sellT.pay, 0, "round trip pays (36 dec)");
        int256 cost = PoolMath.ceilDiv(buyT.pay, WAD);
        int256 proceeds = -PoolMath.ceilDiv(sellT.pay, WAD);
        assertGe(cost, proceeds, "round trip pays (wei)");
        assertEq(buyT.quantity + sellT.quantity, 0, "net quantity");
        assertGe(buyT.cost + sellT.cost, 0, "net position cost negative");

        Trade memory other = _price(k, buyT.qLong, buyT.qShort, short_ ? Side.Long : Side.Short, n);
        assertGe(buyT.pay + other.pay, n * (k.hi - k.lo), "complete set below its payoff");
    }

    /// @notice Over any 8 trades (either side, buys and sales, each up to 200b shares, so `|d|` may run
    /// far past the 100b where the tail is cut to zero), the pool's payoff `-Q x + sum of the
    /// traders' costs` at both ends of `[lo, hi]` (so everywhere: it is linear) is at least minus its
    /// funding `ceil(b ln 2)`: the maker's bounded loss, from the pricing alone.
    function testFuzz_poolLossWithinFunding(uint256 r, uint256 seed) public pure {
        Terms memory k = _terms(r);
        int256 w = k.hi - k.lo;
        int256 qL;
        int256 qS;
        int256 q; // the traders' total quantity (the pool holds -q)
        int256 c; // the traders' total cost, 36 decimals
        for (uint256 i; i < 8; ++i) {
            uint256 h = uint256(keccak256(abi.encode(seed, i)));
            uint256 shares = _bound(h >> 16, 1, 200 * k.b) >> (h & 0xff) % 96;
            int256 n = PoolMath.forward(shares, w);
            if (n == 0) continue;
            (Trade memory t, bool ok) = PoolMath.price(k, qL, qS, (h >> 8) & 1 == 0 ? Side.Long : Side.Short, (h >> 9) & 1 == 0 ? n : -n);
            if (!ok) continue;
            (qL, qS, q, c) = (t.qLong, t.qShort, q + t.quantity, c + t.cost);
        }
        assertEq(-q, -(qL - qS), "pool quantity");
        int256 floor_ = -int256(PoolMath.funding(k.b)) * WAD;
        assertGe(c - q * k.lo, floor_, "pool loses more than its funding at lo");
        assertGe(c - q * k.hi, floor_, "pool loses more than its funding at hi");
    }
}
