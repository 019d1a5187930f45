// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LibBit} from "solady/utils/LibBit.sol";

/// @title LMSRMath
/// @notice The cost function and prices of a two-outcome logarithmic market scoring rule
/// (protocol.md section 5) in 36-decimal fixed point, with the log-sum-exp shift.
/// @dev Why 36 decimals and not solady's `expWad`/`lnWad`: the cost `b * ln(...)` of a pool with
/// liquidity `b` inherits the logarithm's absolute error times `b`. At 18 decimals that is about
/// `b * 1e-18`, a billion wei at `b = 1e27`; pmarket promises every trade's cost within 10 wei of
/// the exact value for `b` up to 1e27. Here every function is exact to a few units of 1e-36 (the
/// bound `ERR` is checked against mpmath at 60 digits in tests/test_lmsr_reference.py), so the
/// error of a cost is below `b * 1e-33`, a millionth of a wei at `b = 1e27`. The forge suite checks
/// these functions against solady's `expWad`/`lnWad` as an independent implementation.
///
/// Notation: the pool's state is `d = q_long - q_short` in shares (36 decimals); the cost function,
/// normalised so that `q_short` is the reference, is `f(d) = b * ln(1 + e^(d/b))
/// = max(d, 0) + b * ln(1 + e^(-|d|/b))` (the shift: the exponential never exceeds 1, so nothing
/// overflows whatever `|d| / b`). The long price is the logistic `e^(d/b) / (1 + e^(d/b))`.
library LMSRMath {
    /// @dev 1 in 36-decimal fixed point.
    uint256 internal constant ONE = 1e36;
    /// @dev ln 2, 36 decimals, rounded down.
    uint256 internal constant LN2 = 693147180559945309417232121458176568;
    /// @dev Bound on the absolute error of `log1pExpNeg` and `lnRatio` in units of 1e-36 (measured
    /// worst: see docs/maker.md; tests assert it with a margin of 10x).
    uint256 internal constant ERR = 1000;
    /// @dev Beyond `|d| / b = 100` the tail `b * ln(1 + e^-100)` is below `b * 4e-44`: zero here.
    uint256 internal constant X_MAX = 100e36;

    /*//////////////////////////////////////////////////////////////
                           EXP AND LN, 36 DECIMALS
    //////////////////////////////////////////////////////////////*/

    /// @dev `e^(-x)` for `x >= 0` (36 decimals). Argument reduction `x = k ln 2 + y`, `y < ln 2`;
    /// `e^(-y) = (e^(-y/8))^8` with a Taylor series for `e^(-y/8)` (at most 19 terms: `(y/8)^n / n!`
    /// falls below 1e-36) and three squarings.
    function expNeg(uint256 x) internal pure returns (uint256 r) {
        uint256 k = x / LN2;
        // e^(-88.03) * 1e36 < 1: nothing left to represent.
        if (k >= 127) return 0;
        // Gas: the series runs in assembly, two terms per turn (about 40 gas a term instead of 150
        // with checked arithmetic). y / 8 < 0.0867, so every partial sum stays within [0.91, 1] * ONE
        // and every product below 2^240: nothing wraps. Same integer results as the plain loop.
        assembly ("memory-safe") {
            let one := ONE
            let y := div(sub(x, mul(k, LN2)), 8)
            let term := one
            let sum := one
            for { let n := 1 } term { n := add(n, 2) } {
                term := div(mul(term, y), mul(n, one))
                sum := sub(sum, term)
                term := div(mul(term, y), mul(add(n, 1), one))
                sum := add(sum, term)
            }
            sum := div(mul(sum, sum), one)
            sum := div(mul(sum, sum), one)
            sum := div(mul(sum, sum), one)
            r := shr(k, sum)
        }
    }

    /// @dev `ln(v)` for `v > 0` (36 decimals). Reduction `v = m 2^k` with `m` in
    /// `[2^119, 2^120)`, about `[0.66, 1.33)` in units of 1e36, then
    /// `ln m = 2 atanh(z)`, `z = (m - 1)/(m + 1)`, `|z| < 0.2017`: at most 26 odd terms.
    function ln(uint256 v) internal pure returns (int256) {
        // Unchecked: fls(v) <= 255, so |k| < 2^8 and k * LN2 < 2^128.
        unchecked {
            int256 k = int256(LibBit.fls(v)) - 119;
            uint256 m = k >= 0 ? v >> uint256(k) : v << uint256(-k);
            return k * int256(LN2) + _lnNearOne(m);
        }
    }

    /// @dev `ln(a / c)` (36 decimals) for `0 < a, c <= 2e36`: one series, short when the ratio is
    /// near 1 (a small trade).
    function lnRatio(uint256 a, uint256 c) internal pure returns (int256) {
        unchecked {
            return ln(a * ONE / c); // a <= 2e36: the product is below 2^241
        }
    }

    /// @dev `ln m` for `m` in `[2^119, 2^120)` (36 decimals): `2 atanh(z)`, `z = (m - 1)/(m + 1)`.
    function _lnNearOne(uint256 m) private pure returns (int256 r) {
        // Gas: assembly, as in `expNeg`. |m - ONE| < 2^119 and ONE < 2^120, so every signed product
        // stays below 2^240 and `sdiv` truncates toward zero exactly as Solidity's `/` does.
        assembly ("memory-safe") {
            let one := ONE
            let z := sdiv(mul(sub(m, one), one), add(m, one))
            let z2 := div(mul(z, z), one)
            let term := z
            let sum := z
            for { let n := 3 } term { n := add(n, 2) } {
                term := sdiv(mul(term, z2), one)
                sum := add(sum, sdiv(term, n))
            }
            r := mul(2, sum)
        }
    }

    /*//////////////////////////////////////////////////////////////
                             THE COST FUNCTION
    //////////////////////////////////////////////////////////////*/

    /// @dev `x = |d| / b` in 36 decimals (`d` in 36, `b` in 18 decimals), capped at `X_MAX`.
    function _x(uint256 ad, uint256 b) private pure returns (uint256) {
        // ad / b < 100e18 keeps ad * 1e18 below 2^223 for b < 2^96 (unchecked: b > 0 is the caller's).
        unchecked {
            return ad / b < X_MAX / 1e18 ? ad * 1e18 / b : X_MAX;
        }
    }

    /// @dev `ln(1 + e^(-x))` (36 decimals), error below `ERR` units.
    function log1pExpNeg(uint256 x) internal pure returns (uint256) {
        return uint256(ln(ONE + expNeg(x)));
    }

    /// @dev `f(d) = max(d, 0) + b ln(1 + e^(-|d|/b))` for `d` in shares (36 decimals) and liquidity
    /// `b` (18 decimals, `0 < b < 2^96`); the result in shares, 36 decimals, within
    /// `errorBound(b)` of the exact value.
    function cost(int256 d, uint256 b) internal pure returns (int256) {
        uint256 ad = d >= 0 ? uint256(d) : uint256(-d);
        int256 tail = int256(b * log1pExpNeg(_x(ad, b)) / 1e18);
        return (d > 0 ? d : int256(0)) + tail;
    }

    /// @dev `f(d1) - f(d0)` (36 decimals), within `2 * errorBound(b)` of the exact value. On one
    /// side of zero the two exponentials are one full `expNeg` at the smaller `|d| / b` and a short
    /// one for the trade's own step, and the two logarithms are one `lnRatio`: a small trade costs a
    /// fraction of two full evaluations.
    function costDelta(int256 d0, int256 d1, uint256 b) internal pure returns (int256) {
        if ((d0 < 0 && d1 > 0) || (d0 > 0 && d1 < 0)) return cost(d1, b) - cost(d0, b);
        // Gas: unchecked. |d| < 2^224 (the pool's state times its width), u <= ONE, the ratio's
        // logarithm is below 2^120 in magnitude and b below 2^96: no operation below can wrap.
        unchecked {
            uint256 x0 = _x(d0 >= 0 ? uint256(d0) : uint256(-d0), b);
            uint256 x1 = _x(d1 >= 0 ? uint256(d1) : uint256(-d1), b);
            uint256 u0;
            uint256 u1;
            if (x0 <= x1) {
                u0 = expNeg(x0);
                u1 = u0 * expNeg(x1 - x0) / ONE;
            } else {
                u1 = expNeg(x1);
                u0 = u1 * expNeg(x0 - x1) / ONE;
            }
            int256 tail = lnRatio(ONE + u1, ONE + u0) * int256(b) / 1e18;
            return (d1 > 0 ? d1 : int256(0)) - (d0 > 0 ? d0 : int256(0)) + tail;
        }
    }

    /// @dev Bound, in 36-decimal units, on the error of one `cost` (or half a `costDelta`):
    /// the function's `ERR` scaled by `b`, plus one unit for the final division.
    function errorBound(uint256 b) internal pure returns (uint256) {
        return b * ERR / 1e18 + 2;
    }

    /// @dev The long price `e^(d/b) / (1 + e^(d/b))` (36 decimals, rounded down); the short price
    /// is `ONE` minus it, so the two never sum above 1.
    function priceLong(int256 d, uint256 b) internal pure returns (uint256) {
        uint256 ad = d >= 0 ? uint256(d) : uint256(-d);
        uint256 u = expNeg(_x(ad, b));
        // 1 / (1 + e^(-x)) is the price of the side the state leans to.
        uint256 lean = ONE * ONE / (ONE + u);
        return d >= 0 ? lean : ONE - lean;
    }
}
