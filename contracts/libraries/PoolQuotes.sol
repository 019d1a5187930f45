// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side} from "../interfaces/IMaker.sol";
import {LMSRMath} from "./LMSRMath.sol";
import {PoolMath, Terms, Trade} from "./PoolMath.sol";

/// @title PoolQuotes
/// @notice The inverse quote of an LMSR pool: how many shares a budget buys.
library PoolQuotes {
    int256 private constant WAD = 1e18;

    /// @dev The most shares of `side` that `budget` (18 decimals, fee included) buys from a pool with
    /// terms `k` and state `(qLong, qShort)`. Closed form: buying long moves `d` to the `z` with
    /// `f(z) = f(d) + c`, `z = t + b ln(1 - e^(-t/b))` for `t = f(d) + c` (short: the same on `-d`);
    /// then the trade is priced exactly and backed off (by 1, 2, 4, ... forward wei) until it fits
    /// the budget, so the answer is never more than the budget buys; it is capped at what the side
    /// can still hold (2^95 - 1 forward units).
    function sharesForCost(Terms memory k, int256 qLong, int256 qShort, Side side, uint256 budget)
        internal
        pure
        returns (uint256)
    {
        int256 w = k.hi - k.lo;
        int256 n = _estimate(k, (qLong - qShort) * w * (side == Side.Long ? int256(1) : -1), budget) / w;
        // Never past the pool's range: a budget that buys more than the side can hold buys all of it.
        int256 room = PoolMath.MAX_Q - (side == Side.Long ? qLong : qShort);
        if (n > room) n = room;
        int256 step = 1;
        for (uint256 i; i < 128 && n > 0; ++i) {
            (Trade memory t, bool ok) = PoolMath.price(k, qLong, qShort, side, n);
            if (ok && PoolMath.ceilDiv(t.pay, WAD) <= int256(budget)) return uint256(n * w / WAD);
            n -= step;
            step *= 2;
        }
        return 0;
    }

    /// @dev The shares (36 decimals) `budget` buys on the side whose state is `d`, estimated.
    function _estimate(Terms memory k, int256 d, uint256 budget) private pure returns (int256) {
        if (budget > uint256(uint128(type(int128).max))) budget = uint256(uint128(type(int128).max));
        // Net of the fee (`c + ceil(c fee) <= budget`), less the trade's rounding allowance.
        int256 net = int256(budget * 1e4 / (1e4 + k.feeBps)) * WAD - 2 * int256(LMSRMath.errorBound(k.b)) - WAD;
        int256 t = LMSRMath.cost(d, k.b) + net;
        if (net <= 0 || t <= 0) return 0;
        uint256 u = LMSRMath.expNeg(uint256(t) / k.b < LMSRMath.X_MAX / 1e18 ? uint256(t) * 1e18 / k.b : LMSRMath.X_MAX);
        if (u >= LMSRMath.ONE) return 0;
        int256 z = t + LMSRMath.ln(LMSRMath.ONE - u) * int256(k.b) / 1e18;
        return z > d ? z - d : int256(0);
    }
}
