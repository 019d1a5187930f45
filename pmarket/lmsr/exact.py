"""The exact LMSR, for reference: mpmath at 60 significant digits (far beyond the chain's 36).

The tests measure the chain's integer arithmetic (:mod:`pmarket.lmsr.fixed`, the contracts) against
these values; the bench prints the worst error in wei. Inputs are the chain's integers (shares and
``b`` in 18 decimals); results are exact reals as ``mpmath.mpf`` in the same units (wei).
"""

from __future__ import annotations

import mpmath

#: Working precision, in decimal digits.
DIGITS = 60


def _ctx() -> mpmath.ctx_mp.MPContext:
    ctx = mpmath.mp.clone()
    ctx.dps = DIGITS
    return ctx


def cost(q_long: int, q_short: int, b: int) -> mpmath.mpf:
    """``C(q) = b ln(e^(q_long/b) + e^(q_short/b))`` in wei, for share quantities in wei."""
    mp = _ctx()
    big = max(q_long, q_short)
    # The log-sum-exp shift keeps the exponentials at most 1.
    return mp.mpf(big) + b * mp.log(mp.exp(mp.mpf(q_long - big) / b) + mp.exp(mp.mpf(q_short - big) / b))


def trade_cost(q_long: int, q_short: int, d_long: int, d_short: int, b: int) -> mpmath.mpf:
    """The exact cost, in wei, of moving the pool from ``(q_long, q_short)`` by ``(d_long, d_short)``
    shares (negative for proceeds)."""
    return cost(q_long + d_long, q_short + d_short, b) - cost(q_long, q_short, b)


def price_long(q_long: int, q_short: int, b: int) -> mpmath.mpf:
    """The exact long price ``e^(q_long/b) / (e^(q_long/b) + e^(q_short/b))``."""
    mp = _ctx()
    return 1 / (1 + mp.exp(mp.mpf(q_short - q_long) / b))


def max_loss(b: int) -> mpmath.mpf:
    """A pool's worst loss, ``b ln 2``, in wei."""
    mp = _ctx()
    return b * mp.log(2)
