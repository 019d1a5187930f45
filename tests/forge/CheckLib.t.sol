// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {BranchTerm, CheckLib, OpenTerm} from "../../contracts/libraries/CheckLib.sol";
import {Position, PositionLib} from "../../contracts/libraries/PositionLib.sol";

/// @notice Exposes the pure libraries (memory arguments cross an external call intact).
contract CheckLibHarness {
    function worst36(int256 rootMin, int256 rootMax, BranchTerm[] memory branches, int256 cost, OpenTerm[] memory opens)
        external
        pure
        returns (int256)
    {
        return CheckLib.worst36(rootMin, rootMax, branches, cost, opens);
    }

    function add(Position memory pos, int256 q, int256 p) external pure returns (Position memory, bool) {
        return PositionLib.add(pos, q, p);
    }

    function cost36(Position memory pos) external pure returns (int256) {
        return PositionLib.cost36(pos);
    }

    function payoff36(Position memory pos, int256 c) external pure returns (int256) {
        return PositionLib.payoff36(pos, c);
    }

    function floorDiv(int256 a, int256 b) external pure returns (int256) {
        return PositionLib.floorDiv(a, b);
    }
}

/// @title CheckLibTest
/// @notice `CheckLib.worst36` against an independent brute force (every subset of open orders on a
/// dense grid of outcomes), and the exact arithmetic of `PositionLib`.
contract CheckLibTest is Test {
    /// @dev Raw fuzz input of one case; `_build` maps it onto a valid small case.
    struct Raw {
        uint8 scale;
        int8 rootLo;
        uint8 rootSpan;
        uint8 nb;
        uint8 no;
        uint8[8] nest;
        int96[4] quantities;
        bool[4] wholeQ;
        int192 cost;
        uint8[4] openBranch;
        int96[4] openRemaining;
        uint256[4] openPrice;
    }

    struct Case {
        int256 rootMin;
        int256 rootMax;
        BranchTerm[] branches;
        int256 cost;
        OpenTerm[] opens;
        int256 step;
    }

    int256 internal constant WAD = 1e18;
    int256 internal constant MAX_ABS = 2 ** 95 - 1;

    CheckLibHarness internal h;

    function setUp() public {
        h = new CheckLibHarness();
    }

    /*//////////////////////////////////////////////////////////////
                                 WORST36
    //////////////////////////////////////////////////////////////*/

    /// @notice For 1-4 nested branches inside the root, random matched quantities and cost and 0-4
    /// open orders, `worst36` equals the minimum over a dense grid of outcomes (step 1/4, covering
    /// the root and every bound) and over every subset of the open orders being filled.
    /// forge-config: default.fuzz.runs = 3000
    function testFuzz_worst36EqualsBruteForce(Raw calldata raw) public view {
        Case memory c = _build(raw);
        int256 expected = _bruteForce(c);
        assertEq(h.worst36(c.rootMin, c.rootMax, c.branches, c.cost, c.opens), expected, "worst36 != brute force");
    }

    /// @notice At any outcome in the root (any wei, not only the grid) and any subset of open orders
    /// filled, the payoff is at least `worst36`: the check is a lower bound everywhere.
    /// forge-config: default.fuzz.runs = 2000
    function testFuzz_worst36BelowEveryOutcome(Raw calldata raw, uint256 xRaw, uint8 subset) public view {
        Case memory c = _build(raw);
        int256 x = c.rootMin + int256(xRaw % uint256(c.rootMax - c.rootMin + 1));
        int256 v = _positions(c, x);
        for (uint256 o; o < c.opens.length; ++o) {
            if ((subset >> o) & 1 == 1) v += _openPayoff(c, o, x);
        }
        assertGe(v, h.worst36(c.rootMin, c.rootMax, c.branches, c.cost, c.opens), "payoff below the worst case");
    }

    /// @notice A worked example whose minimum lies strictly inside the root: short 1 of the root
    /// [0, 100] at 50 and long 4 of the sub-market [40, 60] at 50 pay 10 at x = 0, -30 at x = 40,
    /// 30 at x = 60 and -10 at x = 100. An open bid of 1 on the sub-market at 50 costs 10 more at 40.
    function test_worst36InteriorMinimum() public view {
        BranchTerm[] memory b = new BranchTerm[](2);
        b[0] = BranchTerm(0, 100 * WAD, -1 * WAD);
        b[1] = BranchTerm(40 * WAD, 60 * WAD, 4 * WAD);
        int256 cost = (-1 * WAD) * (50 * WAD) + (4 * WAD) * (50 * WAD);
        OpenTerm[] memory none = new OpenTerm[](0);
        assertEq(h.worst36(0, 100 * WAD, b, cost, none), -30 * WAD * WAD, "interior minimum");
        OpenTerm[] memory one = new OpenTerm[](1);
        one[0] = OpenTerm(1, 1 * WAD, 50 * WAD);
        assertEq(h.worst36(0, 100 * WAD, b, cost, one), -40 * WAD * WAD, "with an open bid");
        // Without branch bounds as candidates the minimum would be missed: the root's ends give -10.
        BranchTerm[] memory rootOnly = new BranchTerm[](0);
        assertEq(h.worst36(0, 100 * WAD, rootOnly, 0, none), 0, "no branches, no cost");
    }

    /// @notice Sub-markets whose bounds missed a narrowed root are points outside it: root [70, 100]
    /// with branch {60} (below) and branch {110} (above). Long 1 of the root at 80, short 1 of {60}
    /// at 50 and long 2 of {110} at 105 pay `(x - 80) - 10 + 10 = x - 80`: -10 at x = 70, +20 at
    /// x = 100. An open ask of k on the root at 90 adds `k * min(0, 90 - x)`, -10k at x = 100: the
    /// minimum stays -10 up to k = 3 (a tie) and is -20 at x = 100 for k = 4.
    function test_worst36BranchPointsOutsideRoot() public view {
        BranchTerm[] memory b = new BranchTerm[](3);
        b[0] = BranchTerm(70 * WAD, 100 * WAD, 1 * WAD);
        b[1] = BranchTerm(60 * WAD, 60 * WAD, -1 * WAD);
        b[2] = BranchTerm(110 * WAD, 110 * WAD, 2 * WAD);
        int256 cost = (1 * WAD) * (80 * WAD) + (-1 * WAD) * (50 * WAD) + (2 * WAD) * (105 * WAD);
        assertEq(h.worst36(70 * WAD, 100 * WAD, b, cost, new OpenTerm[](0)), -10 * WAD * WAD, "positions");
        OpenTerm[] memory ask = new OpenTerm[](1);
        ask[0] = OpenTerm(0, -1 * WAD, 90 * WAD);
        assertEq(h.worst36(70 * WAD, 100 * WAD, b, cost, ask), -10 * WAD * WAD, "with the ask");
        ask[0] = OpenTerm(0, -2 * WAD, 90 * WAD); // -20 at x = 100, with the positions' +20 there: 0
        assertEq(h.worst36(70 * WAD, 100 * WAD, b, cost, ask), -10 * WAD * WAD, "bigger ask");
        ask[0] = OpenTerm(0, -3 * WAD, 90 * WAD); // -30 + 20 at x = 100
        assertEq(h.worst36(70 * WAD, 100 * WAD, b, cost, ask), -10 * WAD * WAD, "bigger still: tie");
        ask[0] = OpenTerm(0, -4 * WAD, 90 * WAD); // -40 + 20 at x = 100
        assertEq(h.worst36(70 * WAD, 100 * WAD, b, cost, ask), -20 * WAD * WAD, "the ask dominates");
    }

    /*//////////////////////////////////////////////////////////////
                               POSITIONLIB
    //////////////////////////////////////////////////////////////*/

    /// @notice After several adds the position holds exactly `sum q` and `sum q * p` (36 decimals),
    /// split into `costWad = floor(cost / 1e18)` and `costRem = cost mod 1e18`; the first add that
    /// takes the quantity or `costWad` beyond 2^95 - 1 in magnitude returns `ok = false`.
    /// forge-config: default.fuzz.runs = 3000
    function testFuzz_addIsExact(int256[6] calldata qs, int256[6] calldata ps, uint8 scale) public view {
        Position memory pos;
        int256 quantity;
        int256 cost;
        for (uint256 i; i < 6; ++i) {
            // Magnitudes from a few wei up to the whole range, per the scale bits.
            int256 lim = ((scale >> (i % 4)) & 1) == 1 ? MAX_ABS : int256(1e24);
            int256 q = bound(qs[i], -lim, lim);
            int256 p = bound(ps[i], -lim, lim);
            (Position memory next, bool ok) = h.add(pos, q, p);
            quantity += q;
            cost += q * p;
            int256 costWad = _floorDivModel(cost, WAD);
            bool fits = quantity >= -MAX_ABS && quantity <= MAX_ABS && costWad >= -MAX_ABS && costWad <= MAX_ABS;
            assertEq(ok, fits, "ok flag");
            if (!ok) return;
            pos = next;
            assertEq(pos.quantity, quantity, "quantity");
            assertEq(h.cost36(pos), cost, "cost36");
            assertEq(pos.costWad, costWad, "costWad");
            assertEq(uint256(pos.costRem), uint256(cost - costWad * WAD), "costRem");
            assertLt(uint256(pos.costRem), 1e18, "costRem range");
            assertEq(h.payoff36(pos, 7 * WAD + 3), quantity * (7 * WAD + 3) - cost, "payoff36");
        }
    }

    /// @notice A worked example: three trades net to quantity 2 at a cost of 2.000...003 exactly.
    function test_addWorkedExample() public view {
        Position memory pos;
        bool ok;
        (pos, ok) = h.add(pos, 3 * WAD, 1.5e18);
        assertTrue(ok);
        (pos, ok) = h.add(pos, -2 * WAD, 2e18 + 1);
        assertTrue(ok);
        (pos, ok) = h.add(pos, 1 * WAD, 1e18 + 5);
        assertTrue(ok);
        assertEq(pos.quantity, 2 * WAD, "quantity");
        // 4.5e36 - (4e36 + 2e18) + (1e36 + 5e18) = 1.5e36 + 3e18
        assertEq(h.cost36(pos), 1.5e36 + 3e18, "cost36");
        assertEq(pos.costWad, 1.5e18 + 3, "costWad");
        assertEq(pos.costRem, 0, "costRem");
        // A negative cost keeps a non-negative remainder: -1 wei of cost36 is -1 wad + (1e18 - 1).
        (pos, ok) = h.add(Position(0, 0, 0), 1, -1);
        assertTrue(ok);
        assertEq(pos.costWad, -1, "negative costWad rounds down");
        assertEq(pos.costRem, 1e18 - 1, "negative cost remainder");
        assertEq(h.cost36(pos), -1, "negative cost36");
    }

    /// @notice The range edges: quantity and whole-wad cost of exactly +-(2^95 - 1) fit, one wei
    /// more does not; a cost one 36-decimal unit below -(2^95 - 1) wad rounds down to -2^95 wad and
    /// is refused.
    function test_addOverflowAt2pow95() public view {
        Position memory empty;
        (Position memory pos, bool ok) = h.add(empty, MAX_ABS, 0);
        assertTrue(ok, "quantity 2^95 - 1");
        assertEq(pos.quantity, MAX_ABS);
        (, ok) = h.add(pos, 1, 0);
        assertFalse(ok, "quantity 2^95");
        (pos, ok) = h.add(empty, -MAX_ABS, 0);
        assertTrue(ok, "quantity -(2^95 - 1)");
        (, ok) = h.add(pos, -1, 0);
        assertFalse(ok, "quantity -2^95");

        (pos, ok) = h.add(empty, WAD, MAX_ABS);
        assertTrue(ok, "costWad 2^95 - 1");
        assertEq(pos.costWad, MAX_ABS);
        (, ok) = h.add(pos, 1, WAD);
        assertFalse(ok, "costWad 2^95");
        (pos, ok) = h.add(empty, WAD, -MAX_ABS);
        assertTrue(ok, "costWad -(2^95 - 1)");
        (, ok) = h.add(pos, 1, -1);
        assertFalse(ok, "costWad rounds down to -2^95");
        // Netting back inside the range is fine again.
        (pos, ok) = h.add(pos, WAD, 1);
        assertTrue(ok, "back inside");
        assertEq(h.cost36(pos), -MAX_ABS * WAD + WAD, "cost after netting");
    }

    /// @notice `floorDiv` rounds toward negative infinity: `q * b <= a < (q + 1) * b`.
    /// forge-config: default.fuzz.runs = 3000
    function testFuzz_floorDiv(int256 a, int256 b) public view {
        a = bound(a, -(2 ** 250), 2 ** 250);
        b = bound(b, 1, 2 ** 128);
        int256 q = h.floorDiv(a, b);
        assertLe(q * b, a, "rounded up");
        assertGt(q * b + b, a, "rounded down too far");
        assertEq(q, _floorDivModel(a, b), "model");
    }

    function test_floorDivExamples() public view {
        assertEq(h.floorDiv(7, 2), 3);
        assertEq(h.floorDiv(-7, 2), -4);
        assertEq(h.floorDiv(-8, 2), -4);
        assertEq(h.floorDiv(-1, 1e18), -1);
        assertEq(h.floorDiv(0, 5), 0);
        assertEq(h.floorDiv(-1e36 - 1, 1e18), -1e18 - 1);
    }

    /*//////////////////////////////////////////////////////////////
                               THE MODEL
    //////////////////////////////////////////////////////////////*/

    /// @dev Map a raw input onto a case: root [l, l + 1 + span] (whole units in [-8, 20]; a unit
    /// is one wad, 4 wei or 2^122 wei, so that bounds reach both tiny and near-int128 values), 1-4
    /// branches each nested in the previous one (the first in the root; points allowed; sometimes a
    /// later branch is a point a few units outside the root, as after a narrowing), random
    /// matched quantities (any wei up to 2^95 - 1, or whole wad), any cost, 0-4 open orders at any
    /// price within their branch's bounds and within +-(2^95 - 1). Every bound is a whole number of
    /// units, so the grid of step unit / 4 holds every bound.
    function _build(Raw calldata r) internal pure returns (Case memory c) {
        uint8 m = r.scale % 4;
        int256 unit = m == 2 ? int256(4) : (m == 3 ? int256(2 ** 122) : WAD);
        c.step = unit / 4;
        int256 lo = int256(r.rootLo) % 9;
        int256 hi = lo + 1 + int256(uint256(r.rootSpan % 12));
        c.rootMin = lo * unit;
        c.rootMax = hi * unit;
        uint256 nb = 1 + r.nb % 4;
        c.branches = new BranchTerm[](nb);
        for (uint256 i; i < nb; ++i) {
            // Nested: a sub-interval of the enclosing one, often the same interval.
            uint8 a = r.nest[2 * i];
            uint8 b = r.nest[2 * i + 1];
            if (a % 4 != 0) lo = lo + int256(uint256(a) % uint256(hi - lo + 1));
            if (b % 4 != 0) hi = hi - int256(uint256(b) % uint256(hi - lo + 1));
            int256 q = _inRange(r.quantities[i]);
            if (r.wholeQ[i]) q = (q % 50) * WAD;
            c.branches[i] = BranchTerm(lo * unit, hi * unit, q);
            // A sub-market whose bounds missed a narrowed root is a single point outside the root
            // (e.g. [20, 60] after the root narrows to [70, 100] is {60}): 1 branch in 8 past the first.
            if (i > 0 && a % 8 == 5) {
                int256 off = 1 + int256(uint256(b % 4));
                int256 p = (b >> 7) == 0 ? c.rootMin / unit - off : c.rootMax / unit + off;
                c.branches[i].lo = p * unit;
                c.branches[i].hi = p * unit;
            }
        }
        c.cost = int256(r.cost);
        uint256 no = r.no % 5;
        c.opens = new OpenTerm[](no);
        for (uint256 o; o < no; ++o) {
            uint256 bi = r.openBranch[o] % nb;
            int256 rem = _inRange(r.openRemaining[o]);
            if (rem == 0) rem = 1;
            BranchTerm memory t = c.branches[bi];
            int256 price = t.lo + int256(r.openPrice[o] % uint256(t.hi - t.lo + 1));
            price = price > MAX_ABS ? MAX_ABS : (price < -MAX_ABS ? -MAX_ABS : price);
            c.opens[o] = OpenTerm(bi, rem, price);
        }
    }

    /// @dev Minimum over the grid `rootMin, rootMin + 1/4, ..., rootMax` and over every subset of
    /// open orders of the matched payoff plus the filled orders' payoffs.
    function _bruteForce(Case memory c) internal pure returns (int256 worst) {
        worst = type(int256).max;
        uint256 subsets = 1 << c.opens.length;
        for (int256 x = c.rootMin; x <= c.rootMax; x += c.step) {
            int256 base = _positions(c, x);
            int256[] memory pay = new int256[](c.opens.length);
            for (uint256 o; o < c.opens.length; ++o) {
                pay[o] = _openPayoff(c, o, x);
            }
            for (uint256 s; s < subsets; ++s) {
                int256 v = base;
                for (uint256 o; o < c.opens.length; ++o) {
                    if ((s >> o) & 1 == 1) v += pay[o];
                }
                if (v < worst) worst = v;
            }
        }
    }

    function _positions(Case memory c, int256 x) internal pure returns (int256 v) {
        v = -c.cost;
        for (uint256 b; b < c.branches.length; ++b) {
            v += c.branches[b].quantity * _clamp(x, c.branches[b].lo, c.branches[b].hi);
        }
    }

    function _openPayoff(Case memory c, uint256 o, int256 x) internal pure returns (int256) {
        OpenTerm memory t = c.opens[o];
        BranchTerm memory b = c.branches[t.branch];
        return t.remaining * (_clamp(x, b.lo, b.hi) - t.price);
    }

    function _inRange(int96 v) internal pure returns (int256) {
        return v == type(int96).min ? -MAX_ABS : int256(v);
    }

    function _clamp(int256 x, int256 lo, int256 hi) internal pure returns (int256) {
        return x < lo ? lo : (x > hi ? hi : x);
    }

    function _floorDivModel(int256 a, int256 b) internal pure returns (int256) {
        if (a >= 0) return a / b;
        return -((-a + b - 1) / b);
    }
}
