// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side} from "../interfaces/IMaker.sol";
import {LMSRMath} from "./LMSRMath.sol";
import {PositionLib} from "./PositionLib.sol";

/// @notice A pool's fixed terms as the pricing needs them (from its key).
struct Terms {
    int256 lo;
    int256 hi;
    uint256 b;
    uint256 feeBps;
}

/// @notice One priced trade with a pool: the pool's state after it and the trader's side of it.
/// @param qLong, qShort The pool's outstanding shares per side after the trade, in forward units.
/// @param quantity The trader's forward quantity (18 decimals).
/// @param cost The trader's total cost `quantity * average price` (36 decimals, fee included): what
/// their position's cost grows by.
/// @param pay What the trader pays for the shares (36 decimals, fee included; negative: receives).
/// @param fee The pool's fee (18 decimals).
/// @param worst The trade's lowest payoff over `[lo, hi]` (18 decimals, rounded down).
struct Trade {
    int256 qLong;
    int256 qShort;
    int256 quantity;
    int256 cost;
    int256 pay;
    uint256 fee;
    int256 worst;
}

/// @title PoolMath
/// @notice A trade with an LMSR pool as a bounded forward (protocol.md section 5).
/// @dev A pool on `[lo, hi]` with width `W = hi - lo` keeps its outstanding shares per side in
/// forward units `q` (one share is `1/W` of a forward unit, so `q * W` shares pay `q * (x - lo)`).
/// Its LMSR state is `d = (qLong - qShort) * W` shares (36 decimals) and the cost function `f(d)` of
/// `LMSRMath`. Buying `n` forward units of long shares moves `d` by `+nW` and costs
/// `f(d + nW) - f(d)`; buying `n` of short moves `d` by `-nW` and costs `nW + f(d - nW) - f(d)`
/// (`C(qLong, qShort) = qShort + f(d)`); a sale is a purchase of `-n`. As a bounded forward the
/// trader takes quantity `+n` (long) or `-n` (short) at total cost `quantity * lo + cash`, where
/// `cash = f(d') - f(d)` plus the fee: its payoff is exactly what the shares pay minus what they
/// cost. Every rounding is against the trader: `cash` is rounded up to a whole wei after adding
/// twice the math's error bound, the fee is rounded up.
library PoolMath {
    int256 internal constant WAD = 1e18;
    /// @dev Largest outstanding shares per side, in forward units (the Exchange's position range).
    int256 internal constant MAX_Q = 2 ** 95 - 1;

    /// @dev Price a trade of `n` forward units (positive buys, negative sells) of `side` on a pool
    /// with terms `k` and state `(qLong, qShort)`. `ok` is false when the state would leave `MAX_Q`.
    function price(Terms memory k, int256 qLong, int256 qShort, Side side, int256 n)
        internal
        pure
        returns (Trade memory t, bool ok)
    {
        bool long = side == Side.Long;
        // Gas: unchecked. |qLong|, |qShort| <= MAX_Q (stored) and |n| <= MAX_Q + 1 (`forward`, or a
        // uint128 fill), so the new state is below 2^97 before its range check; the width is below
        // 2^128 and b below 2^96, so every product below stays under 2^240.
        unchecked {
            (t.qLong, t.qShort) = long ? (qLong + n, qShort) : (qLong, qShort + n);
            if (t.qLong > MAX_Q || t.qLong < -MAX_Q || t.qShort > MAX_Q || t.qShort < -MAX_Q) return (t, false);
            int256 w = k.hi - k.lo;
            int256 delta = LMSRMath.costDelta((qLong - qShort) * w, (t.qLong - t.qShort) * w, k.b)
                + 2 * int256(LMSRMath.errorBound(k.b));
            int256 cash = ceilDiv(delta, WAD);
            // What the shares cost: short shares also pay the n * W the forward representation nets out.
            int256 shareCost = cash * WAD + (long ? int256(0) : n * w);
            if (k.feeBps != 0) t.fee = uint256(ceilDiv(int256(_abs(shareCost) * k.feeBps), 1e4 * WAD));
            t.pay = shareCost + int256(t.fee) * WAD;
            t.quantity = long ? n : -n;
            t.cost = t.quantity * k.lo + (cash + int256(t.fee)) * WAD;
            int256 atLo = t.quantity * k.lo;
            int256 atHi = t.quantity * k.hi;
            t.worst = PositionLib.floorDiv((atLo < atHi ? atLo : atHi) - t.cost, WAD);
        }
        ok = true;
    }

    /// @dev Forward units for `shares` (18 decimals) of a pool of width `w`: `shares / w`, rounded
    /// down (exact when `w` is one unit, as in every [0, 1] market).
    function forward(uint256 shares, int256 w) internal pure returns (int256) {
        if (shares > uint256(MAX_Q)) return MAX_Q + 1; // refused by `price` as out of range
        return w == WAD ? int256(shares) : int256(shares * uint256(WAD) / uint256(w));
    }

    /// @dev The funding of a pool of liquidity `b`: `ceil(b ln 2)`, with `ln 2` rounded up.
    function funding(uint256 b) internal pure returns (uint256) {
        // b < 2^96 (uint96 in a key): the product is below 2^216.
        return (b * (LMSRMath.LN2 + 1) + LMSRMath.ONE - 1) / LMSRMath.ONE;
    }

    /// @dev `a / b` rounded toward positive infinity (`b > 0`).
    function ceilDiv(int256 a, int256 b) internal pure returns (int256 q) {
        unchecked {
            q = a / b; // b > 0: no overflow
            if (a % b != 0 && a > 0) q += 1;
        }
    }

    /// @dev `a / b` rounded toward negative infinity (`b > 0`).
    function floorDiv(int256 a, int256 b) internal pure returns (int256) {
        return PositionLib.floorDiv(a, b);
    }

    function _abs(int256 a) private pure returns (uint256) {
        return a >= 0 ? uint256(a) : uint256(-a);
    }
}
