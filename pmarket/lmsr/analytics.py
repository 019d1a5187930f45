"""LMSR analytics in numpy float64: price curves, costs and loss profiles, for plots and studies.

Floats decide nothing here: the chain and :mod:`pmarket.lmsr.pool` price trades in integers. These
vectorised versions take arrays of share quantities in whole units (not wei) and are accurate to
float64 (about 1e-15 relative), the cheap side's tiny prices and costs included (log-sum-exp with
``log1p``, the logistic split by sign).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def cost(q_long: ArrayLike, q_short: ArrayLike, b: float) -> NDArray[np.float64]:
    """``b ln(e^(q_long/b) + e^(q_short/b))``, with the log-sum-exp shift."""
    ql = np.asarray(q_long, dtype=np.float64)
    qs = np.asarray(q_short, dtype=np.float64)
    return np.maximum(ql, qs) + b * np.log1p(np.exp(-np.abs(ql - qs) / b))


def price_long(q_long: ArrayLike, q_short: ArrayLike, b: float) -> NDArray[np.float64]:
    """The long price, a logistic of ``(q_long - q_short) / b``."""
    x = (np.asarray(q_long, dtype=np.float64) - np.asarray(q_short, dtype=np.float64)) / b
    e = np.exp(-np.abs(x))
    # 1 / (1 + e^-|x|) on the side the state leans to, e^-|x| / (1 + e^-|x|) on the other: no
    # cancellation, so a price of 1e-18 keeps its digits.
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def trade_cost(q_long: float, q_short: float, shares: ArrayLike, b: float, side: str = "long") -> NDArray[np.float64]:
    """The cost of buying each of ``shares`` (an array; negative sells) of ``side`` from the state."""
    n = np.asarray(shares, dtype=np.float64)
    if side == "long":
        after = cost(q_long + n, q_short, b)
    elif side == "short":
        after = cost(q_long, q_short + n, b)
    else:
        raise ValueError(f"side must be 'long' or 'short', not {side!r}")
    return after - cost(q_long, q_short, b)


def average_price(q_long: float, q_short: float, shares: ArrayLike, b: float, side: str = "long") -> NDArray[np.float64]:
    """Average price per share of buying each of ``shares`` (non-zero) of ``side``."""
    n = np.asarray(shares, dtype=np.float64)
    return trade_cost(q_long, q_short, n, b, side) / n


def pool_pnl(q_long: float, q_short: float, collected: float, outcome: ArrayLike) -> NDArray[np.float64]:
    """The pool's payoff at each ``outcome`` fraction ``f = (x - lo)/(hi - lo)`` in [0, 1]: what it
    collected minus what its outstanding shares pay."""
    f = np.clip(np.asarray(outcome, dtype=np.float64), 0.0, 1.0)
    return collected - (q_long * f + q_short * (1.0 - f))


def max_loss(b: float) -> float:
    """``b ln 2``: the most a two-outcome pool can lose."""
    return float(b * np.log(2.0))
