"""The maker's LMSR arithmetic against the exact reference.

``pmarket.lmsr.fixed``/``pool`` (the chain's integers) against mpmath at 60 digits
(``pmarket.lmsr.exact``) and numpy float64 (``pmarket.lmsr.analytics``); and, on Anvil,
``LMSRHarness`` (the contracts' own ``LMSRMath``/``PoolMath``) against ``fixed``/``pool`` to the unit.
Everything is seeded; the samples span ``b`` from 1e15 to 1e27 wei and states up to ``|q| = 50 b``.
"""

from __future__ import annotations

import random

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmarket.lmsr import analytics, exact, fixed, pool
from pmarket.lmsr.pool import Side, Terms
from pmarket.wad import WAD as W

ONE = fixed.ONE
MP = mpmath.mp.clone()
MP.dps = 80


def _b(rng: random.Random) -> int:
    return int(10 ** rng.uniform(15, 27))


def _charged(b: int, ql: int, qs: int, side: Side, n: int) -> int:
    """What ``n`` forward units of ``side`` cost on ``[0, 1]`` (wei; negative: proceeds): the cost
    difference plus twice the error bound, rounded up, as ``PoolMath.price`` charges. Works beyond
    ``2**95 - 1`` too, where ``pool.price`` refuses; where it does not, the two are asserted equal."""
    d0 = (ql - qs) * W
    d1 = d0 + (n if side == Side.LONG else -n) * W
    cash = pool.ceil_div(fixed.cost_delta(d0, d1, b) + 2 * fixed.error_bound(b), W)
    charged = cash + (0 if side == Side.LONG else n)
    trade = pool.price(Terms(0, W, b), ql, qs, side, n)
    if trade is not None:
        assert pool.paid(trade) == charged
    return charged


def _exact(b: int, ql: int, qs: int, side: Side, n: int) -> mpmath.mpf:
    long = side == Side.LONG
    return exact.trade_cost(ql, qs, n if long else 0, 0 if long else n, b)


def _check_trade(b: int, ql: int, qs: int, side: Side, n: int) -> mpmath.mpf:
    err = _charged(b, ql, qs, side, n) - _exact(b, ql, qs, side, n)
    assert err >= 0, f"in the trader's favour by {err} wei: b={b} q=({ql}, {qs}) {side.name} n={n}"
    # One wei of rounding up plus the allowance 2 * errorBound (and the math's own error, < that).
    assert (err - 1) * W <= 4 * fixed.error_bound(b), (b, ql, qs, side, n, err)
    assert err <= 10
    return err


def test_trade_cost_never_below_exact_and_within_10_wei():
    """Pins: every trade's charge (buys and sales, long and short, small and huge, b in [1e15, 1e27],
    states up to 50 b, beyond the chain's 2**95 range via the same formula) is at or above mpmath's
    exact cost and at most 1 wei + 4 error bounds above it; small trades (1 wei, b/1e6) included."""
    rng = random.Random(20240501)
    worst = mpmath.mpf(0)
    for i in range(320):
        b = _b(rng)
        ql, qs = rng.randint(-50 * b, 50 * b), rng.randint(-50 * b, 50 * b)
        if i % 3 == 0:
            n = rng.randint(-50 * b, 50 * b)
        else:
            n = rng.choice([1, -1, rng.randint(-b, b) // rng.choice([1, 100, 10**6])]) or 1
        worst = max(worst, _check_trade(b, ql, qs, rng.choice(list(Side)), n))
    assert worst > 0.5  # the samples do reach the rounding (a vacuous comparison would show 0)


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(
    b_exp=st.floats(15, 27),
    fl=st.floats(-50, 50),
    fs=st.floats(-50, 50),
    fn=st.floats(-50, 50).filter(lambda x: x != 0),
    side=st.sampled_from(list(Side)),
)
def test_trade_cost_property(b_exp, fl, fs, fn, side):
    """Pins the same bound as above on hypothesis' edge-seeking states (0, +-50 b, tiny trades)."""
    b = int(10**b_exp)
    n = int(fn * b) or 1
    _check_trade(b, int(fl * b), int(fs * b), side, n)


def test_cost_and_cost_delta_within_their_error_bounds():
    """Pins ``cost`` within ``errorBound(b)`` and ``cost_delta`` within ``2 errorBound(b)`` of exact
    (36 decimals), across zero, at x = |d|/b near 88 (exp underflow) and 100 (the cap)."""
    rng = random.Random(7)
    for _ in range(200):
        b = _b(rng)
        d0 = rng.choice([rng.randint(-50 * b, 50 * b), rng.choice([-1, 1]) * (88 * b + rng.randint(0, b)), 0])
        d1 = d0 + rng.choice([rng.randint(-50 * b, 50 * b), rng.randint(-b, b) // 10**6 or 1, 100 * b])
        eb = fixed.error_bound(b)
        e0, e1 = exact.cost(d0, 0, b) * W, exact.cost(d1, 0, b) * W  # C(d, 0) = f(d)
        assert abs(fixed.cost(d0 * W, b) - e0) <= eb
        assert abs(fixed.cost_delta(d0 * W, d1 * W, b) - (e1 - e0)) <= 2 * eb


def test_exp_ln_log1p_within_a_tenth_of_err():
    """Pins exp_neg, ln, ln_ratio and log1p_exp_neg within ERR/10 = 100 units of 1e-36 of mpmath
    (the 10x margin behind ERR = 1000), at the edges too: 0, multiples of ln 2, x ~ 88 where
    exp_neg reaches 0, the 2**119 reduction boundaries, 1 and 2**256 - 1."""
    rng = random.Random(11)
    xs = [0, 1, fixed.LN2 - 1, fixed.LN2, 127 * fixed.LN2 - 1, 127 * fixed.LN2, 88 * ONE, fixed.X_MAX]
    xs += [rng.randint(0, ONE) for _ in range(150)] + [rng.randint(0, fixed.X_MAX) for _ in range(150)]
    xs += [k * fixed.LN2 + rng.randint(-(10**30), 10**30) for k in range(1, 127, 9)]
    for x in xs:
        ex = MP.exp(-MP.mpf(x) / ONE)
        assert abs(fixed.exp_neg(x) - ex * ONE) < fixed.ERR / 10, x
        assert abs(fixed.log1p_exp_neg(x) - MP.log1p(ex) * ONE) < fixed.ERR / 10, x
    vs = [1, 2, ONE - 1, ONE, ONE + 1, 2 * ONE, 2**119 - 1, 2**119, 2**120 - 1, 2**120, 2**256 - 1]
    vs += [rng.randint(ONE, 2 * ONE) for _ in range(150)] + [rng.randint(1, 2**256 - 1) for _ in range(100)]
    for v in vs:
        assert abs(fixed.ln(v) - MP.log(MP.mpf(v) / ONE) * ONE) < fixed.ERR / 10, v
    for _ in range(100):  # the ratio of two 1 + u, as cost_delta uses it; near 1 included
        a = rng.randint(ONE, 2 * ONE)
        c = rng.choice([rng.randint(ONE, 2 * ONE), a + rng.randint(-(10**6), 10**6)])
        assert abs(fixed.ln_ratio(a, c) - MP.log(MP.mpf(a) / c) * ONE) < fixed.ERR / 10, (a, c)


def test_prices_sum_to_one_and_are_within_a_wei_of_exact():
    """Pins ``pool.prices``: long + short is 1e18 or 1e18 - 1 (never above 1), each within 1 wei of
    the exact marginal price, on unit and non-unit widths, and the forward price ``lo + p W``."""
    rng = random.Random(13)
    for _ in range(250):
        b = _b(rng)
        lo, hi = rng.choice([(0, W), (2 * 10**17, 8 * 10**17), (-50 * W, 150 * W)])
        terms = Terms(lo, hi, b)
        lim = 50 * b * W // (hi - lo)
        ql, qs = rng.randint(-lim, lim), rng.randint(-lim, lim)
        long, short = pool.prices(terms, ql, qs)
        assert long + short in (W, W - 1)
        p = exact.price_long((ql - qs) * (hi - lo), 0, b * W)  # both in 36 decimals
        assert abs(long - p * W) <= 1 and abs(short - (1 - p) * W) <= 1
        assert abs(pool.forward_price(terms, ql, qs) - (lo + p * (hi - lo))) <= 2


@pytest.mark.parametrize("fee_bps", [0, 30, 1000])
@pytest.mark.parametrize("side", list(Side))
def test_split_trades_never_cheaper_and_round_trips_never_profit(side, fee_bps):
    """Pins path-independence against the trader: buying (or selling) in k = 2..8 steps never costs
    less (brings more) than at once, and buy-then-sell or sell-then-buy of the same amount never
    nets the trader anything, for long and short, with and without a fee."""
    rng = random.Random(17 + fee_bps + side)
    for _ in range(40):
        b = _b(rng)
        terms = Terms(0, W, b, fee_bps)
        lim = min(40 * b, pool.MAX_Q // 2)
        ql, qs = rng.randint(-lim, lim), rng.randint(-lim, lim)
        n = rng.choice([1, -1]) * rng.randint(2, rng.choice([10, b // 1000, min(10 * b, pool.MAX_Q // 4)]))
        once = pool.paid(pool.price(terms, ql, qs, side, n))
        cuts = sorted({rng.randint(1, abs(n) - 1) for _ in range(rng.randint(1, 7))})
        parts = [hi - lo for lo, hi in zip([0] + cuts, cuts + [abs(n)])]  # 2..8 positive steps
        total, (l, s) = 0, (ql, qs)
        for part in parts:
            t = pool.price(terms, l, s, side, part if n > 0 else -part)
            total += pool.paid(t)
            l, s = t.q_long, t.q_short
        there = pool.price(terms, ql, qs, side, n)
        assert (l, s) == (there.q_long, there.q_short)
        assert total >= once, (b, ql, qs, side, n, parts)
        back = pool.price(terms, there.q_long, there.q_short, side, -n)
        assert (back.q_long, back.q_short) == (ql, qs)
        assert pool.paid(there) + pool.paid(back) >= 0, (b, ql, qs, side, n)
        if fee_bps:  # the two fees are collected on top of the round trip's rounding
            assert pool.paid(there) + pool.paid(back) >= there.fee + back.fee - 1


def test_funding_covers_b_ln2_by_less_than_two_wei():
    """Pins ``funding(b)``: at least the exact maximum loss ``b ln 2`` and less than 2 wei above it,
    across b from 1 wei to 2**96 - 1."""
    rng = random.Random(19)
    for b in [1, 2, 10**15, 10**18, 10**27, 2**96 - 1] + [_b(rng) for _ in range(200)]:
        loss = exact.max_loss(b)
        assert loss <= pool.funding(b) < loss + 2, b


def test_shares_for_cost_fits_the_budget_and_is_nearly_maximal():
    """Pins ``shares_for_cost``: what it returns costs at most the budget when bought (through
    ``forward``, as the chain converts), is never 0 for a budget of >= 1e9 wei, and 1e-6 more
    forward units (at least one) would cost more than the budget (or leave the chain's range)."""
    rng = random.Random(23)
    for _ in range(200):
        b = _b(rng)
        lo, hi = rng.choice([(0, W), (2 * 10**17, 8 * 10**17), (-50 * W, 150 * W)])
        terms = Terms(lo, hi, b, rng.choice([0, 30, 1000]))
        lim = min(50 * b * W // (hi - lo), pool.MAX_Q // 2)
        ql, qs = rng.randint(-lim, lim), rng.randint(-lim, lim)
        side = rng.choice(list(Side))
        budget = int(10 ** rng.uniform(9, 28))
        shares = pool.shares_for_cost(terms, ql, qs, side, budget)
        assert shares > 0, (terms, ql, qs, side, budget)
        n = pool.forward(shares, hi - lo)
        assert pool.paid(pool.price(terms, ql, qs, side, n)) <= budget
        more = pool.price(terms, ql, qs, side, n + max(1, n // 10**6))
        assert more is None or pool.paid(more) > budget, (terms, ql, qs, side, budget, shares)


def test_shares_for_cost_when_the_budget_exceeds_the_pools_range():
    """Pins that a budget able to take the pool to its range limit buys about that limit, and a
    bigger budget never fewer shares (the estimate is capped at 2**95 - 1 before backing off; before
    the cap, 5e28 wei bought 3.019e28 shares and 1e30 bought 0 at b = 1 unit)."""
    terms = Terms(0, W, W)
    limit = pool.paid(pool.price(terms, 0, 0, Side.LONG, pool.MAX_Q))
    answers = [pool.shares_for_cost(terms, 0, 0, Side.LONG, budget) for budget in (limit, 5 * 10**28, 10**30)]
    assert answers == sorted(answers) and answers[0] >= pool.MAX_Q - pool.MAX_Q // 10**6


def test_analytics_agrees_with_exact():
    """Pins numpy float64 analytics against mpmath: state costs, trade costs and prices to 1e-9
    relative, plus float64's absolute resolution of the scale (1e-15 b for costs, 1e-15 for prices;
    the tail below that is the xfail below)."""
    rng = random.Random(29)
    for _ in range(300):
        b = _b(rng)
        ql, qs = rng.randint(-50 * b, 50 * b), rng.randint(-50 * b, 50 * b)
        n = rng.choice([1, -1]) * rng.randint(b // 1000, 20 * b)
        side = rng.choice(list(Side))
        bf, lf, sf = b / W, ql / W, qs / W
        c = exact.cost(ql, qs, b) / W
        assert abs(float(analytics.cost(lf, sf, bf)) - c) <= 1e-9 * abs(c) + 1e-15 * bf
        tc = _exact(b, ql, qs, side, n) / W
        got = float(analytics.trade_cost(lf, sf, [n / W], bf, side.name.lower())[0])
        assert abs(got - tc) <= 1e-9 * abs(tc) + 1e-14 * (abs(c) + abs(tc) + bf)
        p = exact.price_long(ql, qs, b)
        assert abs(float(analytics.price_long(lf, sf, bf)) - p) <= 1e-9 * p + 1e-15
    assert analytics.max_loss(2.5) == pytest.approx(float(exact.max_loss(25 * 10**17)) / W, rel=1e-15)


def test_analytics_relative_accuracy_in_the_tail():
    """Pins relative accuracy on the cheap side: at d = -40 b the long price is 4.2e-18 and the cost
    of the state (-40 b, 0) is 4.2e-16 b (0.0 with the naive tanh and log forms)."""
    b = 100 * W
    price_tail, cost_tail = float(exact.price_long(-40 * b, 0, b)), float(exact.cost(-40 * b, 0, b) / W)
    assert float(analytics.price_long(-4000.0, 0.0, 100.0)) == pytest.approx(price_tail, rel=1e-9, abs=0)
    assert float(analytics.cost(-4000.0, 0.0, 100.0)) == pytest.approx(cost_tail, rel=1e-9, abs=0)


def _harness_cases(rng: random.Random):
    """(view name, args, expected) triples: extremes first, then random."""
    b_edges = [1, 10**15, 10**18, 10**27, 2**96 - 1]
    for x in [0, 1, fixed.LN2 - 1, fixed.LN2, 127 * fixed.LN2 - 1, 127 * fixed.LN2, 88 * ONE, fixed.X_MAX, 2**255]:
        yield "expNeg", (x,), fixed.exp_neg(x)
    for v in [1, ONE - 1, ONE, ONE + 1, 2**119, 2**120 - 1, 2**256 - 1, rng.randint(1, 2**200)]:
        yield "ln", (v,), fixed.ln(v)
    for _ in range(22):
        b = rng.choice(b_edges + [_b(rng)] * 4)
        sign = rng.choice([1, -1])
        d0 = rng.choice([0, 1, -1, rng.randint(-50 * b, 50 * b) * W, sign * (88 * b * W + rng.randint(0, b * W)),
                         sign * 100 * b * W, rng.randint(-(2**200), 2**200)])
        d1 = rng.choice([d0, d0 + 1, d0 - 1, -d0, d0 + rng.randint(-50 * b, 50 * b) * W, 0])
        yield "cost", (d0, b), fixed.cost(d0, b)
        yield "costDelta", (d0, d1, b), fixed.cost_delta(d0, d1, b)
        yield "tradeCash", (d0, d1, b), pool.ceil_div(fixed.cost_delta(d0, d1, b) + 2 * fixed.error_bound(b), W)
        yield "priceLong", (d0, b), fixed.price_long(d0, b)
    widths = [(0, W), (2 * 10**17, 8 * 10**17), (-50 * W, 150 * W), (-(2**100), 2**100)]
    for i in range(40):
        lo, hi = widths[i % 4]
        b = rng.choice(b_edges + [_b(rng)] * 3)
        terms = Terms(lo, hi, b, rng.choice([0, 1, 30, 1000]))
        lim = min(pool.MAX_Q, 50 * b * W // (hi - lo) + 1)
        ql, qs = rng.randint(-lim, lim), rng.randint(-lim, lim)
        n = rng.choice([1, -1, rng.randint(-lim, lim), pool.MAX_Q - ql, pool.MAX_Q + 1, -(pool.MAX_Q + 1)]) or 1
        side = rng.choice(list(Side))
        t = pool.price(terms, ql, qs, side, n)
        yield "price", ((lo, hi, b, terms.fee_bps), ql, qs, int(side), n), t


def test_harness_equals_fixed_and_pool_bit_for_bit(project, owner):
    """Pins the Python port against the contracts to the unit: LMSRHarness's expNeg, ln, cost,
    costDelta, tradeCash, priceLong and PoolMath.price (with fees, widths 1, 0.6, 200 and 2**101,
    out-of-range trades as ok = false) equal pmarket.lmsr.fixed / pool on ~200 inputs."""
    harness = project.LMSRHarness.deploy(sender=owner)
    rng = random.Random(31)
    seen = {"price": 0, "refused": 0}
    for name, args, expected in _harness_cases(rng):
        got = getattr(harness, name)(*args)
        if name != "price":
            assert int(got) == expected, (name, args)
            continue
        seen["price"] += 1
        trade, ok = got
        assert bool(ok) == (expected is not None), args
        if expected is None:
            seen["refused"] += 1
            continue
        fields = ("qLong", "qShort", "quantity", "cost", "pay", "fee", "worst")
        values = tuple(int(getattr(trade, f)) for f in fields) if hasattr(trade, "qLong") else tuple(map(int, trade))
        assert values == tuple(expected.__dict__.values()), args
    assert seen["price"] == 40 and 0 < seen["refused"] < 40
