"""The LMSR maker on a real Anvil node through the client: pools, trades, fills, refusals, the pool's
own collateral under stress, closing, settlement and the node's replay of it all."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from pmarket import errors
from pmarket.addresses import address_of
from pmarket.lmsr import Side, exact, forward, paid, price, prices, shares_for_cost
from pmarket.lmsr.pool import forward_price
from pmarket.wad import WAD

ROOT, OTHER, WIDE = 7, 8, 9  # roots: the pools' [0, 1], another [0, 1], and [-50, 150]


def dec(wad: int) -> Decimal:
    """A wad integer as the exact decimal the client takes."""
    return Decimal(wad).scaleb(-18)


def pos(ex, who, root=ROOT, branch=1) -> tuple[int, int]:
    p = ex.position(who, root, branch)
    return p.quantity, p.cost


def ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def refused(error, action) -> dict:
    """Run ``action``, which must raise ``error``; its decoded values."""
    with pytest.raises(error) as err:
        action()
    return err.value.values


def resting(ex, trader, root, limit, quantity):
    """A signed limit order on branch 1 of ``root``, placed in the book."""
    signed = ex.sign_limit(trader, root, 1, limit, quantity)
    ex.place(signed)
    return signed


@pytest.fixture
def market(exchange, owner):
    exchange.define(ROOT, 1, 0, 1, sender=owner)
    return exchange


@pytest.fixture
def pool(market, carol, credit):
    credit(carol, "100")
    return market.maker.create_pool(ROOT, b=100, sender=carol)


def test_pool_locks_b_ln2_and_prices_half(market, pool, carol):
    """Pins createPool: ceil(b ln 2) moves from the creator into the pool's account; prices 1/2."""
    maker = market.maker
    funding = maker.funding_for(100)
    assert funding == 69314718055994530942  # ceil(100 ln 2) in wei, ln 2 rounded up
    assert market.balance(pool.account) == funding
    assert market.balance(carol) == 100 * WAD - funding
    assert maker.prices(pool) == (WAD // 2, WAD // 2)
    assert maker.pool_key(pool.id) == pool


def test_buy_charges_the_reference_and_positions_mirror(market, pool, alice, credit):
    """Pins a buy: quote, PoolTraded and both positions equal pool.price; the pool's state moves."""
    credit(alice, "50")
    maker = market.maker
    expected = price(pool.terms, 0, 0, Side.LONG, 10 * WAD)
    quoted, fee, quantity = maker.quote(pool, "long", 10)
    assert (quoted, fee, quantity) == (paid(expected), 0, 10 * WAD)
    receipt = maker.buy(pool, "long", 10, max_cost="5.2", sender=alice)
    log = receipt.decode_logs(maker.contract.PoolTraded)[0]
    assert (log.quantity, log.cost, log.fee) == (10 * WAD, expected.cost, 0)
    assert tuple(market.position(alice, ROOT, 1).__dict__.values()) == (10 * WAD, expected.cost)
    assert tuple(market.position(pool.account, ROOT, 1).__dict__.values()) == (-10 * WAD, -expected.cost)
    assert maker.pool_state(pool) == (10 * WAD, 0, True)


def test_refusals_carry_their_values(market, pool, alice, credit):
    """Pins SlippageExceeded, InsufficientCollateral (decoded through the maker: trader, worstCase,
    balance) and DeadlinePassed with their values; a refused trade leaves pool and trader as they were."""
    maker = market.maker
    credit(alice, "1")
    expected = price(pool.terms, 0, 0, Side.LONG, 10 * WAD)
    slipped = refused(errors.SlippageExceeded, lambda: maker.buy(pool, "long", 10, max_cost="5", sender=alice))
    assert slipped == {"amount": paid(expected), "limit": 5 * WAD}
    # the trader's whole worst case with the trade (its lowest payoff: the cost at x = 0), her balance
    short = refused(errors.InsufficientCollateral, lambda: maker.buy(pool, "long", 10, sender=alice))
    assert short == {"trader": alice.address, "worstCase": expected.worst, "balance": WAD}
    assert expected.worst == -paid(expected)
    late = refused(errors.DeadlinePassed, lambda: maker.buy(pool, "long", 1, deadline=1, sender=alice))
    assert late["deadline"] == 1 and late["timestamp"] > 1
    assert maker.pool_state(pool) == (0, 0, True) and pos(market, alice) == (0, 0)


def test_pool_creation_refusals(market, pool, owner, carol, alice, credit):
    """Pins FeeTooHigh (cap 1000 bps accepted, 1001 refused), InvalidLiquidity (b = 0), PointMarket
    (a root settled to a point), PoolExists (same key and salt again, also after closing), and
    UnknownPool for a key with one wrong field; none of them moves carol's balance."""
    maker = market.maker
    credit(carol, "100")
    too_high = refused(errors.FeeTooHigh, lambda: maker.create_pool(ROOT, b=1, fee_bps=1001, sender=carol))
    assert too_high == {"feeBps": 1001, "maxBps": 1000}
    capped = maker.create_pool(ROOT, b=1, fee_bps=1000, sender=carol)
    assert maker.pool_key(capped.id).fee_bps == 1000
    assert refused(errors.InvalidLiquidity, lambda: maker.create_pool(ROOT, b=0, sender=carol)) == {"b": 0}
    market.define(OTHER, 1, 0, 1, sender=owner)
    market.settle(OTHER, "0.5", sender=owner)
    point = refused(errors.PointMarket, lambda: maker.create_pool(OTHER, b=1, sender=carol))
    assert point == {"rootId": OTHER, "branchId": 1}
    maker.close_pool(capped)
    before = market.balance(carol)
    again = refused(errors.PoolExists, lambda: maker.create_pool(ROOT, b=100, salt=pool.salt, sender=carol))
    assert again == {"poolId": pool.id}
    # a closed pool's key stays taken
    refused(errors.PoolExists, lambda: maker.create_pool(ROOT, b=1, fee_bps=1000, salt=capped.salt, sender=carol))
    assert market.balance(carol) == before
    wrong = pool.__class__(*(pool.as_tuple()[:4] + (pool.b + 1,) + pool.as_tuple()[5:]))
    assert refused(errors.UnknownPool, lambda: maker.buy(wrong, "long", 1, sender=alice)) == {"poolId": wrong.id}


def test_fills_of_a_bid_and_an_offer_at_and_beyond_their_limits(market, pool, owner, alice, bob, credit):
    """Pins Maker.fill: a resting bid (buys long) and offer (buys short) fill at the LMSR cost when
    the average price is within the limit (the limit set to that average, rounded against the
    owner), the owner's position grows by pool.price's cost and the open order shrinks; one wei of
    limit less (bid) or more (offer), or the next slice at a moved price, is FillBeyondLimit with
    the rounded average and the limit, and changes nothing."""
    maker = market.maker
    for who in (alice, bob):
        credit(who, "100")
    four = price(pool.terms, 0, 0, Side.LONG, 4 * WAD)
    limit = ceil_div(four.cost, 4 * WAD)  # the average, rounded up against the bidder
    bid = resting(market, alice, ROOT, dec(limit), "10")
    tight = resting(market, alice, ROOT, dec(limit - 1), "4")
    beyond = refused(errors.FillBeyondLimit, lambda: maker.fill(pool, tight.order, 4, sender=owner))
    assert beyond == {"orderHash": tight.hash, "averagePrice": limit, "limit": limit - 1}
    receipt = maker.fill(pool, bid.order, 4, sender=bob)  # anyone may fill
    log = receipt.decode_logs(maker.contract.PoolFilled)[0]
    assert (log.quantity, log.cost, log.fee, log.owner) == (4 * WAD, four.cost, 0, alice.address)
    assert pos(market, alice) == (4 * WAD, four.cost)
    assert pos(market, pool.account) == (-4 * WAD, -four.cost)
    assert market.order_state(bid)[2] == 6 * WAD and maker.pool_state(pool) == (4 * WAD, 0, True)
    six = price(pool.terms, 4 * WAD, 0, Side.LONG, 6 * WAD)
    beyond = refused(errors.FillBeyondLimit, lambda: maker.fill(pool, bid.order, 6, sender=owner))
    assert beyond["averagePrice"] == ceil_div(six.cost, 6 * WAD) > limit  # the price moved up
    assert market.order_state(bid)[2] == 6 * WAD
    # An offer sells long (takes short shares): its average is rounded down against the seller.
    five = price(pool.terms, 4 * WAD, 0, Side.SHORT, 5 * WAD)
    floor_avg = (-five.cost) // (5 * WAD)
    offer = resting(market, bob, ROOT, dec(floor_avg), "-8")
    greedy = resting(market, bob, ROOT, dec(floor_avg + 1), "-5")
    beyond = refused(errors.FillBeyondLimit, lambda: maker.fill(pool, greedy.order, 5, sender=owner))
    assert beyond == {"orderHash": greedy.hash, "averagePrice": floor_avg, "limit": floor_avg + 1}
    maker.fill(pool, offer.order, 5, sender=owner)
    assert pos(market, bob) == (-5 * WAD, five.cost)
    assert market.order_state(offer)[2] == 3 * WAD
    assert [o.remaining for o in market.open_orders(bob, ROOT).values()] == [-3 * WAD, -5 * WAD]
    assert maker.pool_state(pool) == (4 * WAD, 5 * WAD, True)
    assert pos(market, pool.account) == (WAD, -four.cost - five.cost)
    assert market.root_worst_case(pool.account, ROOT) >= -maker.funding_for(100)


def test_fills_refused_in_another_market_frozen_or_settled(market, pool, owner, alice, credit):
    """Pins PoolMarketMismatch (an order of another root), MarketFrozen while the root is frozen
    (fills and buys), the same fill accepted after unfreezing, and MarketSettled after settlement;
    every refusal leaves the order and the pool untouched."""
    maker = market.maker
    credit(alice, "100")
    market.define(OTHER, 1, 0, 1, sender=owner)
    bid = resting(market, alice, ROOT, "0.9", "10")
    elsewhere = resting(market, alice, OTHER, "0.9", "1")
    mismatch = refused(errors.PoolMarketMismatch, lambda: maker.fill(pool, elsewhere.order, 1, sender=owner))
    assert mismatch == {"poolId": pool.id, "rootId": OTHER, "branchId": 1}
    market.set_frozen(ROOT, sender=owner)
    assert refused(errors.MarketFrozen, lambda: maker.fill(pool, bid.order, 1, sender=owner)) == {"rootId": ROOT}
    refused(errors.MarketFrozen, lambda: maker.buy(pool, "long", 1, sender=alice))
    assert market.order_state(bid)[2] == 10 * WAD and maker.pool_state(pool) == (0, 0, True)
    market.set_frozen(ROOT, False, sender=owner)
    maker.fill(pool, bid.order, 1, sender=owner)
    assert market.order_state(bid)[2] == 9 * WAD and maker.pool_state(pool) == (WAD, 0, True)
    market.settle(ROOT, "0.25", sender=owner)
    settled = refused(errors.MarketSettled, lambda: maker.fill(pool, bid.order, 1, sender=owner))
    assert settled == {"rootId": ROOT, "outcome": WAD // 4}
    refused(errors.MarketSettled, lambda: maker.sell(pool, "long", 1, sender=alice))
    assert maker.pool_state(pool) == (WAD, 0, True)


def test_pool_never_loses_more_than_its_funding_under_stress(market, owner, alice, bob, carol, credit):
    """Pins the pool's own collateral under ~35 random buys and sales of both sides by three traders
    driving d = q_long - q_short to +40 b, then -40 b, then back: after every trade the chain's
    exact worst case of the pool account is >= -funding, within [exact LMSR loss - 1 wei, + 1 wei
    per trade] (the rounding it keeps), balance + worst >= 0 (funding_left); at checkpoints the
    replayed node's worst cases (pool and traders) and pool state equal the chain's."""
    maker = market.maker
    b = 10
    credit(carol, "10")
    pool = maker.create_pool(ROOT, b=b, sender=carol)
    funding = maker.funding_for(b)
    traders = [alice, bob, owner]
    for who in traders:
        credit(who, "1000")
    rng = random.Random(43)
    ql = qs = trades = deepest = 0
    for target in (40 * b * WAD, -40 * b * WAD, 10 * b * WAD):
        up = ql - qs < target
        while (ql - qs < target) == up:
            side = rng.choice(list(Side))
            size = rng.randint(2 * b, 8 * b)
            buying = (side == Side.LONG) == up  # buying long or selling short moves d up
            t = price(pool.terms, ql, qs, side, size * WAD if buying else -size * WAD)
            trader = rng.choice(traders)
            (maker.buy if buying else maker.sell)(pool, side.name.lower(), size, sender=trader)
            ql, qs, trades = t.q_long, t.q_short, trades + 1
            deepest = max(deepest, abs(ql - qs))
            worst = market.root_worst_case(pool.account, ROOT)
            lmsr_loss = exact.cost(ql, qs, b * WAD) - exact.cost(0, 0, b * WAD) - max(ql, qs)
            assert -funding <= worst and lmsr_loss - 1 < worst <= lmsr_loss + trades + 1, (trades, worst)
            assert market.worst_case(pool.account) == (worst, funding)
            assert maker.funding_left(pool) == funding + worst >= 0
            if trades % 8 == 0:
                _same_as_node(market, pool, traders, (ql, qs))
    assert deepest >= 40 * b * WAD and trades >= 25
    assert worst < -funding // 2  # the walk ended leaning: the pool is really at risk
    _same_as_node(market, pool, traders, (ql, qs))


def _same_as_node(market, pool, traders, state):
    replay = market.node()
    assert replay.discrepancies == []
    node = replay.node
    assert node.root_worst_case(pool.account, ROOT) == market.root_worst_case(pool.account, ROOT)
    assert node.funding_left(pool) == market.maker.funding_left(pool)
    assert (node.pool(pool).q_long, node.pool(pool).q_short) == state == market.maker.pool_state(pool)[:2]
    for who in traders:
        assert node.worst_case(who.address) == market.worst_case(who)


def test_close_an_idle_pool(market, pool, owner, alice, bob, carol, credit):
    """Pins closePool: refused with PoolNotIdle (its q values) while shares are out and with
    NotPoolCreator for anyone else; once idle (also at q_long = q_short != 0) the creator gets the
    whole balance back (PoolRetired released = funding), the round trip's rounding stays in the
    pool's position, and every later buy, sell, fill or close is PoolClosed."""
    maker = market.maker
    for who in (alice, bob):
        credit(who, "50")
    funding = maker.funding_for(100)
    bid = resting(market, alice, ROOT, "0.9", "5")
    bought = price(pool.terms, 0, 0, Side.LONG, 5 * WAD)
    maker.buy(pool, "long", 5, sender=alice)
    busy = refused(errors.PoolNotIdle, lambda: maker.close_pool(pool))
    assert busy == {"poolId": pool.id, "qLong": 5 * WAD, "qShort": 0}
    sold = price(pool.terms, 5 * WAD, 0, Side.LONG, -5 * WAD)
    maker.sell(pool, "long", 5, sender=alice)
    stranger = refused(errors.NotPoolCreator, lambda: maker.close_pool(pool, sender=bob))
    assert stranger == {"poolId": pool.id, "caller": bob.address}
    before = market.balance(carol)
    receipt = maker.close_pool(pool)
    assert receipt.decode_logs(maker.contract.PoolRetired)[0].released == funding
    assert market.balance(carol) == before + funding and market.balance(pool.account) == 0
    assert maker.pool_state(pool) == (0, 0, False)
    kept = paid(bought) + paid(sold)  # what alice lost to rounding on the round trip
    assert 0 <= kept <= 2 and pos(market, alice) == (0, kept * WAD)
    assert market.root_worst_case(pool.account, ROOT) == kept
    for action in (lambda: maker.buy(pool, "long", 1, sender=alice), lambda: maker.sell(pool, "short", 1, sender=alice),
                   lambda: maker.fill(pool, bid.order, 1, sender=owner), lambda: maker.close_pool(pool)):
        assert refused(errors.PoolClosed, action) == {"poolId": pool.id}
    credit(carol, "100")
    second = maker.create_pool(ROOT, b=100, sender=carol)
    maker.buy(second, "long", 3, sender=alice)
    maker.buy(second, "short", 3, sender=bob)
    assert maker.pool_state(second) == (3 * WAD, 3 * WAD, True)
    before = market.balance(carol)
    maker.close_pool(second)
    assert market.balance(carol) == before + funding
    assert market.root_worst_case(second.account, ROOT) >= 0


def test_settlement_pays_the_creator_what_is_left_and_the_money_adds_up(market, pool, owner, alice, bob, carol,
                                                                        credit):
    """Pins settlement with pools: after settle, claim_many (including one pool's account) credits each
    trader and the pool floor(payoff); claim_pool releases the pool's whole balance to the creator
    (PoolSettled), claiming the pool's account itself when nobody did; a second claim_pool is
    NothingLeft; and tokens held * 1e12 == all balances + the root's pot, to the wei."""
    maker = market.maker
    for who, amount in ((alice, "200"), (bob, "200"), (owner, "200"), (carol, "100")):
        credit(who, amount)
    fee_pool = maker.create_pool(ROOT, b=50, fee_bps=100, sender=carol)
    maker.buy(pool, "long", 30, sender=alice)
    maker.buy(pool, "short", 20, sender=bob)
    maker.sell(pool, "long", 10, sender=bob)
    maker.buy(fee_pool, "short", 10, sender=alice)
    maker.sell(fee_pool, "short", 4, sender=bob)
    bid = resting(market, owner, ROOT, "0.99", "6")
    maker.fill(fee_pool, bid.order, 6, sender=alice)
    accounts = [alice, bob, carol, owner, pool.account, fee_pool.account]
    positions = {str(a): market.position(a, ROOT, 1) for a in accounts}
    balances = {str(a): market.balance(a) for a in accounts}
    outcome = 3 * WAD // 10
    market.settle(ROOT, "0.3", sender=owner)

    payoff = lambda a: positions[str(a)].payoff36(outcome) // WAD  # noqa: E731
    market.claim_many(ROOT, [pool.account, alice, bob, owner], sender=owner)
    for a in (alice, bob, owner, pool.account):
        assert market.has_claimed(a, ROOT) and market.balance(a) == balances[str(a)] + payoff(a)
    before = market.balance(carol)
    first = maker.claim_pool(pool, sender=bob).decode_logs(maker.contract.PoolSettled)[0].released
    assert first == balances[pool.account] + payoff(pool.account) > 0
    second = maker.claim_pool(fee_pool, sender=bob).decode_logs(maker.contract.PoolSettled)[0].released
    assert market.has_claimed(fee_pool.account, ROOT)
    assert second == balances[fee_pool.account] + payoff(fee_pool.account) > 0
    assert market.balance(carol) == before + first + second
    assert market.balance(pool.account) == market.balance(fee_pool.account) == 0
    assert not maker.pool_state(pool)[2] and not maker.pool_state(fee_pool)[2]
    refused(errors.NothingLeft, lambda: maker.claim_pool(pool, sender=bob))
    held = market.token.balanceOf(market.address) * 10**12
    assert held == sum(market.balance(a) for a in accounts) + market.pot(ROOT)
    assert 0 <= market.pot(ROOT) < len(accounts)  # only the floors' dust stays in the pot


def test_quote_is_what_a_trade_charges_on_a_wide_market(market, owner, alice, carol, credit):
    """Pins, on [-50, 150] (one share = 1/200 forward unit) with a 25 bps fee: quote() equals
    pool.price's paid/fee/quantity for buys and sales of both sides (fractional shares too), is
    the exact slippage boundary (max_cost one wei less, min_proceeds one wei more: refused), the
    PoolTraded log and the trader's position change equal pool.price, the shares' price is the
    forward cost less the quantity at lo (long) or hi (short), and prices, forward_price and
    shares_for_cost equal the Python port after every trade."""
    maker = market.maker
    market.define(WIDE, 1, "-50", "150", sender=owner)
    for who in (carol, alice):
        credit(who, "100")
    wide = maker.create_pool(WIDE, b=40, fee_bps=25, sender=carol)
    lo, hi = wide.lo, wide.hi
    for side, shares in (("long", "30"), ("short", "12"), ("long", "-7"), ("short", "-20"), ("short", "0.3")):
        s, amount = Side.parse(side), Decimal(shares)
        ql, qs, _ = maker.pool_state(wide)
        n = forward(int(abs(amount) * WAD), hi - lo)
        t = price(wide.terms, ql, qs, s, n if amount > 0 else -n)
        cost, fee, quantity = maker.quote(wide, side, amount)
        assert (cost, fee, quantity) == (paid(t), t.fee, t.quantity) and fee > 0
        assert cost == ceil_div(t.cost - t.quantity * (lo if s == Side.LONG else hi), WAD)
        before = pos(market, alice, WIDE)
        # buys: max_cost = cost passes, one wei less slips; sales: min_proceeds = -cost, one wei more
        if amount > 0:
            act, bound, limit, step = maker.buy, "max_cost", cost, -1
        else:
            act, bound, limit, step = maker.sell, "min_proceeds", -cost, 1
        trade = lambda lim: act(wide, side, abs(amount), **{bound: dec(lim)}, sender=alice)  # noqa: E731
        slipped = refused(errors.SlippageExceeded, lambda: trade(limit + step))
        assert slipped == {"amount": limit, "limit": limit + step}
        receipt = trade(limit)
        log = receipt.decode_logs(maker.contract.PoolTraded)[0]
        assert (log.side, log.quantity, log.cost, log.fee) == (s, t.quantity, t.cost, t.fee)
        assert pos(market, alice, WIDE) == (before[0] + t.quantity, before[1] + t.cost)
        assert maker.pool_state(wide) == (t.q_long, t.q_short, True)
        assert maker.prices(wide) == prices(wide.terms, t.q_long, t.q_short)
        assert maker.forward_price(wide) == forward_price(wide.terms, t.q_long, t.q_short)
        for budget in (1, 25):
            expected = shares_for_cost(wide.terms, t.q_long, t.q_short, s, budget * WAD)
            assert maker.shares_for_cost(wide, side, budget) == expected


def test_the_node_replays_a_maker_session_exactly(market, pool, owner, alice, bob, carol, credit):
    """Pins the node's replay of a session with two roots and three pools (one with a fee), buys,
    sales, fills of a bid and an offer, a freeze with a refused trade and an unfreeze, a close, a
    settlement, claim_many and claim_pool: no discrepancy, and every balance, position, root worst
    case, worst case, pool state and pot equals the chain's."""
    maker = market.maker
    for who, amount in ((alice, "300"), (bob, "300"), (owner, "300"), (carol, "100")):
        credit(who, amount)
    market.define(OTHER, 1, 0, 1, sender=owner)
    other = maker.create_pool(OTHER, b=20, fee_bps=50, sender=bob)
    maker.buy(pool, "long", 25, sender=alice)
    maker.sell(pool, "long", 8, sender=bob)
    maker.buy(pool, "short", 3, sender=carol)
    bid = resting(market, alice, ROOT, "0.7", "6")
    maker.fill(pool, bid.order, 4, sender=owner)
    offer = resting(market, owner, OTHER, "0.3", "-5")
    maker.fill(other, offer.order, 5, sender=carol)
    maker.buy(other, "short", 7, sender=alice)
    market.set_frozen(ROOT, sender=owner)
    refused(errors.MarketFrozen, lambda: maker.buy(pool, "short", 1, sender=bob))
    market.set_frozen(ROOT, False, sender=owner)
    maker.sell(pool, "long", 10, sender=alice)
    idle = maker.create_pool(OTHER, b=5, sender=alice)
    maker.buy(idle, "short", 2, sender=bob)
    maker.sell(idle, "short", 2, sender=bob)
    maker.close_pool(idle)
    market.settle(ROOT, "0.6", sender=owner)
    market.claim_many(ROOT, [alice, bob, carol, owner], sender=owner)
    maker.claim_pool(pool, sender=carol)
    replay = market.node()
    assert replay.discrepancies == []
    node = replay.node
    for who in (alice, bob, carol, owner, pool.account, other.account, idle.account):
        address = address_of(who)
        assert node.balance(address) == market.balance(who), address
        assert node.worst_case(address) == market.worst_case(who), address
        for root in (ROOT, OTHER):
            assert node.position(address, root, 1) == market.position(who, root, 1), (address, root)
            assert node.root_worst_case(address, root) == market.root_worst_case(who, root), (address, root)
    for key in (pool, other, idle):
        p = node.pool(key)
        assert (p.q_long, p.q_short, p.open) == maker.pool_state(key)
    assert node.s.pots.get(ROOT, 0) == market.pot(ROOT) and market.pot(ROOT) >= 0
    assert market.worst_case(other.account)[0] >= -maker.funding_for(20)
