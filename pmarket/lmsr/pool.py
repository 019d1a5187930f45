"""One trade with an LMSR pool as a bounded forward, integer for integer with the chain
(``contracts/libraries/PoolMath.sol`` and ``PoolQuotes.sol``).

A pool on ``[lo, hi]`` of width ``W`` keeps its outstanding shares per side in forward units (one
share is ``1/W`` of a forward unit). Its state is ``d = (q_long - q_short) * W`` shares (36
decimals). Buying ``n`` forward units of long shares costs ``f(d + nW) - f(d)``; of short shares
``nW + f(d - nW) - f(d)``; a sale is a purchase of ``-n``. The trader takes quantity ``+n`` (long) or
``-n`` (short) at total cost ``quantity * lo + cash`` (36 decimals), ``cash`` being the rounded-up
cost difference plus the fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Optional

from ..wad import WAD
from . import fixed

MAX_Q = 2**95 - 1


class Side(IntEnum):
    """Which outcome token: long pays ``(x - lo)/(hi - lo)`` per share, short the rest."""

    LONG = 0
    SHORT = 1

    @classmethod
    def parse(cls, value: "str | int | Side") -> "Side":
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(f"side must be 'long' or 'short', not {value!r}") from None
        return cls(value)


@dataclass(frozen=True)
class Terms:
    """A pool's fixed terms as the pricing needs them (18 decimals; ``fee_bps`` in basis points)."""

    lo: int
    hi: int
    b: int
    fee_bps: int = 0

    @property
    def width(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True)
class Trade:
    """A priced trade: the pool's state after it and the trader's side (see ``PoolMath.Trade``)."""

    q_long: int
    q_short: int
    quantity: int
    cost: int
    pay: int
    fee: int
    worst: int


def ceil_div(a: int, b: int) -> int:
    """Solidity's ``PoolMath.ceilDiv`` (``b > 0``): toward positive infinity."""
    return -((-a) // b)


def price(terms: Terms, q_long: int, q_short: int, side: Side, n: int) -> Optional[Trade]:
    """Price ``n`` forward units (positive buys, negative sells) of ``side``; None when the pool's
    state would leave ``2**95 - 1`` (the chain's ``PoolOverflow``)."""
    long = side == Side.LONG
    nl, ns = (q_long + n, q_short) if long else (q_long, q_short + n)
    if max(abs(nl), abs(ns)) > MAX_Q:
        return None
    w = terms.width
    delta = fixed.cost_delta((q_long - q_short) * w, (nl - ns) * w, terms.b) + 2 * fixed.error_bound(terms.b)
    cash = ceil_div(delta, WAD)
    share_cost = cash * WAD + (0 if long else n * w)
    fee = ceil_div(abs(share_cost) * terms.fee_bps, 10**4 * WAD)
    quantity = n if long else -n
    cost = quantity * terms.lo + (cash + fee) * WAD
    worst = (min(quantity * terms.lo, quantity * terms.hi) - cost) // WAD
    return Trade(nl, ns, quantity, cost, share_cost + fee * WAD, fee, worst)


def forward(shares: int, width: int) -> int:
    """Forward units for ``shares`` of a pool of ``width``, rounded down (``PoolMath.forward``)."""
    if shares > MAX_Q:
        return MAX_Q + 1
    return shares if width == WAD else shares * WAD // width


def funding(b: int) -> int:
    """What a pool of liquidity ``b`` locks: ``ceil(b ln 2)`` with ``ln 2`` rounded up."""
    return (b * (fixed.LN2 + 1) + fixed.ONE - 1) // fixed.ONE


def paid(trade: Trade) -> int:
    """What a buy costs (18 decimals, rounded up); minus what a sale brings."""
    return ceil_div(trade.pay, WAD)


def price_long(terms: Terms, q_long: int, q_short: int) -> int:
    """The long price, 36 decimals, rounded down."""
    return fixed.price_long((q_long - q_short) * terms.width, terms.b)


def prices(terms: Terms, q_long: int, q_short: int) -> tuple[int, int]:
    """Marginal prices of a long and a short share, 18 decimals, rounded down (``Maker.prices``)."""
    p = price_long(terms, q_long, q_short)
    return p // 10**18, (fixed.ONE - p) // 10**18


def forward_price(terms: Terms, q_long: int, q_short: int) -> int:
    """``lo + price(long) * W`` (18 decimals; ``Maker.forwardPrice``)."""
    return terms.lo + fixed.tdiv(price_long(terms, q_long, q_short) * terms.width, fixed.ONE)


def shares_for_cost(terms: Terms, q_long: int, q_short: int, side: Side, budget: int) -> int:
    """The most shares of ``side`` that ``budget`` buys (``PoolQuotes.sharesForCost``)."""
    w = terms.width
    sign = 1 if side == Side.LONG else -1
    n = fixed.tdiv(_estimate(terms, (q_long - q_short) * w * sign, budget), w)
    n = min(n, MAX_Q - (q_long if side == Side.LONG else q_short))
    step = 1
    for _ in range(128):
        if n <= 0:
            break
        trade = price(terms, q_long, q_short, side, n)
        if trade is not None and paid(trade) <= budget:
            return n * w // WAD
        n -= step
        step *= 2
    return 0


def _estimate(terms: Terms, d: int, budget: int) -> int:
    budget = min(budget, 2**127 - 1)
    net = budget * 10**4 // (10**4 + terms.fee_bps) * WAD - 2 * fixed.error_bound(terms.b) - WAD
    t = fixed.cost(d, terms.b) + net
    if net <= 0 or t <= 0:
        return 0
    x = t * 10**18 // terms.b if t // terms.b < fixed.X_MAX // 10**18 else fixed.X_MAX
    u = fixed.exp_neg(x)
    if u >= fixed.ONE:
        return 0
    z = t + fixed.tdiv(fixed.ln(fixed.ONE - u) * terms.b, 10**18)
    return z - d if z > d else 0
