"""The on-chain LMSR arithmetic, integer for integer (``contracts/libraries/LMSRMath.sol``).

Every function returns exactly what the Solidity library returns for the same inputs, so the node
prices a pool trade to the wei the way the chain does. Solidity's signed division truncates toward
zero; :func:`tdiv` does the same (Python's ``//`` floors).
"""

from __future__ import annotations

ONE = 10**36
LN2 = 693147180559945309417232121458176568
ERR = 1000
X_MAX = 100 * 10**36


def tdiv(a: int, b: int) -> int:
    """``a / b`` truncated toward zero, as Solidity's ``int256`` division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def exp_neg(x: int) -> int:
    """``e^(-x)`` for ``x >= 0``, 36 decimals (``LMSRMath.expNeg``)."""
    k = x // LN2
    if k >= 127:
        return 0
    y = (x - k * LN2) // 8
    term = ONE
    total = ONE
    n = 1
    while term != 0:
        term = term * y // (n * ONE)
        total = total - term if n & 1 else total + term
        n += 1
    for _ in range(3):
        total = total * total // ONE
    return total >> k


def _ln_near_one(m: int) -> int:
    z = tdiv((m - ONE) * ONE, m + ONE)
    z2 = tdiv(z * z, ONE)
    term = z
    total = z
    n = 3
    while term != 0:
        term = tdiv(term * z2, ONE)
        total += tdiv(term, n)
        n += 2
    return 2 * total


def ln(v: int) -> int:
    """``ln(v)`` for ``v > 0``, 36 decimals (``LMSRMath.ln``)."""
    if v <= 0:
        raise ValueError(f"ln of a non-positive value {v}")
    k = (v.bit_length() - 1) - 119
    m = v >> k if k >= 0 else v << -k
    return k * LN2 + _ln_near_one(m)


def ln_ratio(a: int, c: int) -> int:
    """``ln(a / c)``, 36 decimals (``LMSRMath.lnRatio``)."""
    return ln(a * ONE // c)


def _x(ad: int, b: int) -> int:
    return ad * 10**18 // b if ad // b < X_MAX // 10**18 else X_MAX


def log1p_exp_neg(x: int) -> int:
    """``ln(1 + e^(-x))``, 36 decimals (``LMSRMath.log1pExpNeg``)."""
    return ln(ONE + exp_neg(x))


def cost(d: int, b: int) -> int:
    """``f(d) = max(d, 0) + b ln(1 + e^(-|d|/b))`` in 36-decimal shares (``LMSRMath.cost``)."""
    tail = b * log1p_exp_neg(_x(abs(d), b)) // 10**18
    return max(d, 0) + tail


def cost_delta(d0: int, d1: int, b: int) -> int:
    """``f(d1) - f(d0)``, 36 decimals (``LMSRMath.costDelta``)."""
    if (d0 < 0 < d1) or (d1 < 0 < d0):
        return cost(d1, b) - cost(d0, b)
    x0 = _x(abs(d0), b)
    x1 = _x(abs(d1), b)
    if x0 <= x1:
        u0 = exp_neg(x0)
        u1 = u0 * exp_neg(x1 - x0) // ONE
    else:
        u1 = exp_neg(x1)
        u0 = u1 * exp_neg(x0 - x1) // ONE
    tail = tdiv(ln_ratio(ONE + u1, ONE + u0) * b, 10**18)
    return max(d1, 0) - max(d0, 0) + tail


def error_bound(b: int) -> int:
    """Bound on one ``cost``'s error in 36-decimal units (``LMSRMath.errorBound``)."""
    return b * ERR // 10**18 + 2


def price_long(d: int, b: int) -> int:
    """The long price, 36 decimals, rounded down (``LMSRMath.priceLong``)."""
    u = exp_neg(_x(abs(d), b))
    lean = ONE * ONE // (ONE + u)
    return lean if d >= 0 else ONE - lean

