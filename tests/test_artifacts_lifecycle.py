"""Artifact lifecycles on Anvil, through the Python clients: a challenge freezes every action on the
artifact's market (and nothing else), flagged -> listed opens a new round that trades and settles,
the 90-day close at the pool's price range within the holder's own credit (pump-then-close loses),
price-triggered transitions on the range (a spike does not trigger), who may make tracked pools,
reputations after mixed outcomes across artifacts, and the history queries.

Refusals arrive as :mod:`pmarket.errors` classes; each test registers its own artifacts on the
module's registry (ape reverts every test), so clock moves of one test do not reach another."""

from __future__ import annotations

import math

import pytest

from pmarket import errors
from pmarket.artifacts import artifact_id
from pmarket.collateral import Position
from pmarket.lifecycle import LOSS, PROFIT, Reputation, State, compute_settlement_pnl
from pmarket.lmsr import pool as lmsr
from pmarket.matching import Leg, MatchRequest

from .artifact_fixtures import *  # noqa: F401,F403 (fixtures)
from .artifact_fixtures import DAY, UNIT, WAD, around, book_trade, give, register, root_of
from .test_maker import refused

F10 = 6_931_471_805_599_453_095  # funding of b = 10: ceil(10 ln 2) at 18 decimals, ln 2 rounded up


def _frozen(root):
    return {"rootId": root}


# ---- challenged: every action on the artifact's market is frozen -------------------------------
@pytest.fixture
def hot(ex, registry, owner, oracle, alice, bob, carol, dave):
    """"hot" (b = 10, fee 1%): alice long 10 at 0.6 against bob; alice's bid 2 at 0.5 and bob's ask
    2 at 0.5 rest in the book (they cross, nobody matched them); carol bought 1 long from the pool.
    Then the oracle posts challenged. "calm" is another artifact, root 7 a plain market."""
    for who in (alice, bob, carol, dave):
        give(ex, owner, who, "10")
    register(registry, owner, "hot", b=10, fee_bps=100)
    register(registry, owner, "calm", b=10)
    ex.define(7, 1, "0", "1", sender=owner)
    root = root_of(registry, "hot")
    book_trade(ex, root, alice, bob, "0.6", "10", sender=owner)
    bid = ex.sign_limit(alice, root, 1, "0.5", "2")
    ex.place(bid)
    ask = ex.sign_limit(bob, root, 1, "0.5", "-2")
    ex.place(ask)
    ex.maker.buy(registry.pool_key("hot"), "long", 1, sender=carol)
    registry.transition("hot", "challenged", sender=oracle)
    return root, bid, ask


def test_challenged_freezes_orders_matches_pool_trades_cancels_and_reductions(hot, ex, registry, owner, alice, bob, carol):
    root, bid, ask = hot
    key = registry.pool_key("hot")
    assert ex.is_frozen(root) and registry.info("hot").state is State.CHALLENGED
    frozen = _frozen(root)
    assert refused(errors.MarketFrozen, lambda: ex.place(ex.sign_limit(carol, root, 1, "0.5", "1"))) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.match(MatchRequest(Leg(bid.order), Leg(ask.order), WAD), sender=owner)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.maker.buy(key, "long", 1, sender=carol)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.maker.sell(key, "long", 1, sender=carol)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.maker.fill(key, ask.order, "1", sender=carol)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.cancel(alice, bid.order)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.reduce(alice, bid.order, "1")) == frozen
    # nothing moved: both orders still rest whole, the positions are as they were
    assert ex.order_state(bid)[2] == ex.order_state(ask)[2] == 2 * WAD
    assert ex.position(alice, root, 1) == Position(10 * WAD, 6 * WAD * WAD)


def test_challenged_refuses_needed_withdrawals_only(hot, ex, registry, alice, carol, dave, owner):
    """alice has 10; her long commits 10 * 0.6 = 6 and her open bid 2 * 0.5 = 1: 3 are free. One
    token unit more would use collateral the frozen market needs."""
    root, _, _ = hot
    assert ex.worst_case(alice) == (-7 * WAD, 10 * WAD)
    assert refused(errors.MarketFrozen, lambda: ex.withdraw("3.000001", sender=alice)) == _frozen(root)
    wallet = ex.token.balanceOf(alice)
    ex.withdraw("3", sender=alice)
    assert ex.balance(alice) == 7 * WAD and ex.token.balanceOf(alice) - wallet == 3 * 10**6
    # other markets are untouched: the other artifact's pool, a plain root, carol's withdrawal
    calm = registry.pool_key("calm")
    ex.maker.buy(calm, "long", 1, sender=carol)
    assert ex.position(carol, calm.root_id, 1).quantity == WAD
    book_trade(ex, 7, carol, dave, "0.5", "2", sender=owner)
    assert ex.position(dave, 7, 1) == Position(-2 * WAD, -WAD * WAD)
    assert not ex.is_frozen(calm.root_id) and not ex.is_frozen(7)
    ex.withdraw("1", sender=dave)  # his short of 2 at 0.5 commits 1 of his 10: 1 of the 9 free
    assert ex.balance(dave) == 9 * WAD


def test_challenged_refuses_the_close_even_after_ninety_days(hot, registry, alice, chain):
    start = registry.info("hot").round_start
    chain.pending_timestamp = start + 91 * DAY
    assert refused(errors.MarketFrozen, lambda: registry.close("hot", sender=alice)) == _frozen(hot[0])


def test_listed_again_unfreezes_the_same_round(hot, ex, registry, oracle, alice, carol):
    root, bid, _ = hot
    registry.transition("hot", "listed", sender=oracle)
    info = registry.info("hot")
    assert (info.state, info.round, info.open, info.root_id) == (State.LISTED, 0, True, root)
    assert not ex.is_frozen(root)
    ex.cancel(alice, bid.order)
    assert ex.order_state(bid)[2] == 0
    ex.maker.buy(registry.pool_key("hot"), "short", 1, sender=carol)
    ex.withdraw("4", sender=alice)  # the bid's 1 is free again: 10 - 6 = 4
    assert ex.balance(alice) == 6 * WAD
    with pytest.raises(errors.InsufficientCollateral):
        ex.withdraw("0.000001", sender=alice)
    assert [r.state for r in registry.history("hot")] == [State.LISTED, State.CHALLENGED, State.LISTED]


def test_challenge_resolved_by_deprecated_settles_the_frozen_market(hot, ex, registry, oracle, alice, bob):
    """alice long 10 at 0.6 loses her 6, bob short gains 6 (the resting orders are void)."""
    before = {w.address: ex.balance(w) for w in (alice, bob)}
    report = registry.settle_artifact("hot", "deprecated", progress=False, sender=oracle)
    assert report.skipped == [] and report.round == 0
    assert ex.balance(alice) - before[alice.address] == -6 * WAD
    assert ex.balance(bob) - before[bob.address] == 6 * WAD
    assert ex.open_orders(alice, hot[0]) == {} and ex.worst_case(alice)[0] == 0


def test_challenge_resolved_by_flagged_closes_at_the_flagged_terms(hot, ex, registry, oracle, alice, bob, carol):
    """Flagged from challenged: the market is closed for good (MarketFlagged), payoffs fixed: alice
    long 10 at 0.6 gets back 3 of her 6; bob's 4 come back with a bonus of 1."""
    root = hot[0]
    before = {w.address: ex.balance(w) for w in (alice, bob)}
    registry.settle_artifact("hot", "flagged", progress=False, sender=oracle)
    assert ex.balance(alice) - before[alice.address] == -3 * WAD
    assert ex.balance(bob) - before[bob.address] == WAD
    assert refused(errors.MarketFlagged, lambda: ex.place(ex.sign_limit(carol, root, 1, "0.5", "1"))) == _frozen(root)
    # the pool was collected into the reserve when the losses came in: it trades no more
    key = registry.pool_key("hot")
    assert refused(errors.PoolClosed, lambda: ex.maker.buy(key, "long", 1, sender=carol)) == {"poolId": key.id}


# ---- flagged -> listed -> trading again -------------------------------------------------------
def test_flagged_then_listed_opens_a_new_round_that_trades_and_settles(ex, registry, owner, oracle, alice, bob, carol, dave):
    for who in (alice, bob, carol, dave):
        give(ex, owner, who, "10")
    register(registry, owner, "phoenix", b=10)
    dust = registry.info("phoenix").reserve  # the registration's funding rounded up to token units
    assert dust == -(-F10 // UNIT) * UNIT - F10
    root0 = root_of(registry, "phoenix")
    old_key = registry.pool_key("phoenix")
    book_trade(ex, root0, alice, bob, "0.6", "10", sender=owner)
    carol_bid = ex.sign_limit(carol, root0, 1, "0.2", "1")
    ex.place(carol_bid)  # reserves 0.2 of carol's 10
    assert ex.worst_case(carol) == (-WAD // 5, 10 * WAD)

    # Round 0 flagged: alice -3, bob +1, the pool +2 (S = 10 covers tier 1 = 3 + 4 and the bonus 1);
    # carol's open order is void: she is credited 0 and her 0.2 is free again.
    report = registry.settle_artifact("phoenix", "flagged", progress=False, sender=oracle)
    assert (report.round, report.settled, report.skipped) == (0, 3, [])
    assert (ex.balance(alice), ex.balance(bob), ex.balance(carol)) == (7 * WAD, 11 * WAD, 10 * WAD)
    assert ex.open_orders(carol, root0) == {} and ex.worst_case(carol)[0] == 0
    assert registry.info("phoenix").reserve == dust + F10 + 2 * WAD
    assert refused(errors.PoolClosed, lambda: ex.maker.buy(old_key, "long", 1, sender=dave)) == {"poolId": old_key.id}
    assert refused(errors.MarketFlagged, lambda: ex.place(ex.sign_limit(dave, root0, 1, "0.5", "1"))) == _frozen(root0)

    # Listed again: round 1, a new market and a new pool of b = 10 funded from the reserve
    registry.settle_artifact("phoenix", "listed", progress=False, sender=oracle)
    info = registry.info("phoenix")
    assert (info.state, info.round, info.open) == (State.LISTED, 1, True)
    assert info.root_id != root0 and info.reserve == dust + 2 * WAD
    key = registry.pool_key("phoenix")
    assert key.b == 10 * WAD and key.root_id == info.root_id and ex.balance(key.account) == F10
    assert refused(errors.CloseNotYet, lambda: registry.close("phoenix", sender=alice))["allowedAt"] == info.round_start + 90 * DAY + 1

    # Round 1 trades: carol long 5 at 0.7 against dave; alice buys 2 long from the new pool at
    # C2 = 10 ln((1 + e^0.2) / 2) = 1.04995... (rounded up to the wei)
    book_trade(ex, info.root_id, carol, dave, "0.7", "5", sender=owner)
    ex.maker.buy(key, "long", 2, sender=alice)
    c2 = ex.position(alice, info.root_id, 1).cost
    assert abs(c2 / WAD / WAD - 10 * math.log((1 + math.exp(0.2)) / 2)) < 1e-12
    before = {w.address: ex.balance(w) for w in (alice, carol, dave)}
    report = registry.settle_artifact("phoenix", "validated", progress=False, sender=oracle)
    assert (report.round, report.settled, report.skipped) == (1, 3, [])
    # carol: 5 (1 - 0.7) = 1.5; dave loses his 5 * 0.3 = 1.5; alice: 2 - C2
    assert ex.balance(carol) - before[carol.address] == 3 * WAD // 2
    assert ex.balance(dave) - before[dave.address] == -3 * WAD // 2
    assert ex.balance(alice) - before[alice.address] == (2 * WAD * WAD - c2) // WAD
    # round 0's ledger is untouched by round 1's: each round's entries name it
    rounds = {(e.trader, e.round) for e in registry.settlement_history(artifact="phoenix")}
    assert {(alice.address, 0), (bob.address, 0), (old_key.account, 0)} < rounds
    assert {(alice.address, 1), (carol.address, 1), (dave.address, 1)} < rounds
    records = registry.history("phoenix")
    assert [(r.state, r.round, r.by, r.triggered) for r in records] == [
        (State.LISTED, 0, owner.address, False),
        (State.FLAGGED, 0, oracle.address, False),
        (State.LISTED, 1, oracle.address, False),
        (State.VALIDATED, 1, oracle.address, False),
    ]
    # prices: a flat pool at 0.5 three times, then the new pool after alice's 2 long, sigma(0.2)
    assert [r.price for r in records[:3]] == [WAD // 2] * 3
    assert abs(records[3].price / WAD - 1 / (1 + math.exp(-0.2))) < 1e-15
    # reputation: alice wrong in round 0 (stake 6), right in round 1 (stake C2); carol's round-0
    # order was no prediction, her round-1 long is right (stake 5 * 0.7 = 3.5)
    assert registry.reputation(alice)[0] == Reputation(1, 1, c2 // WAD, 6 * WAD + c2 // WAD)
    assert registry.reputation(carol)[0] == Reputation(1, 0, 7 * WAD // 2, 7 * WAD // 2)


def test_transitions_need_the_oracle_and_follow_the_matrix(ex, registry, owner, oracle, alice):
    register(registry, owner, "strict", b=1)
    err = refused(errors.AccessControlUnauthorizedAccount, lambda: registry.transition("strict", "validated", sender=alice))
    assert err == {"account": alice.address, "neededRole": registry.oracle_role}
    assert refused(errors.InvalidTransition, lambda: registry.transition("strict", "listed", sender=oracle)) == {"from": 1, "to": 1}
    registry.transition("strict", "validated", sender=oracle)
    for to in State:
        if to is not State.NONE:
            assert refused(errors.InvalidTransition, lambda: registry.transition("strict", to, sender=oracle)) == {"from": 4, "to": int(to)}
    registry.revoke_oracle(oracle, sender=owner)
    assert not registry.is_oracle(oracle)
    register(registry, owner, "strict-2", b=1)
    assert refused(errors.AccessControlUnauthorizedAccount, lambda: registry.transition("strict-2", "flagged", sender=oracle))
    assert refused(errors.UnknownArtifact, lambda: registry.info("never")) == {"artifact": artifact_id("never")}


# ---- the 90-day close ---------------------------------------------------------------------------
def expected_close(ex, key, who):
    """The close of ``who``'s position by the contract's rule, from what the chain shows: the fee-free
    LMSR sale of the whole position, the range's worse end for the holder (its low for a long, its
    high for a short; on ``[0, 1]`` the forward price at either end is ``priceRange``'s) and the
    holder's credit. Returns quantity, cost, discount and which of the three cases it is."""
    q = ex.position(who, key.root_id, 1).quantity
    q_long, q_short, _ = ex.maker.pool_state(key)
    sale = lmsr.price(lmsr.Terms(key.lo, key.hi, key.b, 0), q_long, q_short, lmsr.Side.LONG if q > 0 else lmsr.Side.SHORT, -abs(q))
    low, high, _ = ex.maker.price_range(key)
    quantity = -q
    at_range = quantity * (high if quantity > 0 else low)
    if at_range >= sale.cost:
        return quantity, sale.cost, 0, "lmsr"
    need, credit = -(-(sale.cost - at_range) // WAD), ex.maker.credit(key, who)
    return (quantity, at_range, need, "range") if need <= credit else (quantity, sale.cost - credit * WAD, credit, "credit")


def test_close_after_ninety_days_at_the_range_within_the_holders_credit(ex, registry, owner, oracle, alice, bob, carol, dave, chain):
    """b = 100, fee 3%. alice buys 10 long, dave 30 long, carol 2 short; each fee is its payer's
    credit and the cushion their sum. After 90 days (and one second), quiet since: the range is the
    price, sigma(0.38) -+ 1e-33 rounded outwards. alice's 10 are bought back at the range's low, her
    credit (3% of 5.12) paying the discount against the LMSR sale (0.12); dave's 30 would need 1.11
    at the range's new low, more than his credit (3% of 16.9): he gets the LMSR sale plus all of it;
    carol, buying back 2 at the range's high, would pay more than the LMSR price: she pays that,
    nothing given up. Nobody's close moves anyone else's credit."""
    for who in (alice, bob, carol, dave):
        give(ex, owner, who, "40")
    register(registry, owner, "old", b=100, fee_bps=300)
    key = registry.pool_key("old")
    fees = {}
    for who, side, q in ((alice, "long", 10), (dave, "long", 30), (carol, "short", 2)):
        [log] = ex.maker.contract.PoolTraded.from_receipt(ex.maker.buy(key, side, q, sender=who))
        fees[who.address] = int(log.fee)
        assert ex.maker.credit(key, who) == fees[who.address] > 0
    assert ex.maker.credit(key, bob) == 0 and ex.maker.cushion(key) == sum(fees.values())
    start = registry.info("old").round_start
    allowed = start + 90 * DAY + 1
    assert refused(errors.CloseNotYet, lambda: registry.close("old", sender=alice)) == {"artifact": artifact_id("old"), "allowedAt": allowed}
    chain.pending_timestamp = allowed - 1  # the last second of the 90 days: still refused
    assert refused(errors.CloseNotYet, lambda: registry.close("old", sender=alice))["allowedAt"] == allowed
    chain.mine(timestamp=allowed)
    spot = lmsr.price_long(lmsr.Terms(0, WAD, 100 * WAD, 0), 38 * WAD, 0)  # d = 10 + 30 - 2, 36 decimals
    assert abs(spot / 10**36 - 1 / (1 + math.exp(-0.38))) < 1e-15
    assert ex.maker.price_range(key) == (*around(spot), DAY)  # log-odds 0.38 exactly

    cases = []
    for who in (alice, dave, carol):
        quantity, cost, discount, case = expected_close(ex, key, who)
        credits = {w: ex.maker.credit(key, w) for w in fees}
        cushion, before = ex.maker.cushion(key), ex.position(who, key.root_id, 1)
        [log] = ex.maker.contract.PositionClosed.from_receipt(registry.close("old", sender=who))
        assert (str(log.trader), int(log.quantity), int(log.cost), int(log.discount)) == (who.address, quantity, cost, discount)
        assert ex.position(who, key.root_id, 1) == Position(0, before.cost + cost)
        assert ex.maker.cushion(key) == cushion - discount
        assert {w: ex.maker.credit(key, w) for w in fees} == {**credits, who.address: credits[who.address] - discount}
        cases.append((case, discount))
    assert [c for c, _ in cases] == ["range", "credit", "lmsr"]
    # alice's discount: 10 sigma(0.38) - 100 (ln(1 + e^0.38) - ln(1 + e^0.28)) = 0.1213
    f = lambda d: 100 * math.log(1 + math.exp(d / 100))  # noqa: E731 (the LMSR cost in shares)
    assert abs(cases[0][1] / WAD - (10 / (1 + math.exp(-0.38)) - (f(38) - f(28)))) < 1e-9
    assert cases[1][1] == fees[dave.address]
    assert ex.maker.cushion(key) == sum(fees.values()) - cases[0][1] - cases[1][1] == ex.maker.credit(key, alice) + ex.maker.credit(key, carol)

    # a closed position settles at what the close locked in, whatever the outcome, and scores nothing
    balance = ex.balance(alice)
    registry.settle_artifact("old", "validated", progress=False, sender=oracle)
    locked = ex.position(alice, key.root_id, 1)
    assert ex.balance(alice) - balance == compute_settlement_pnl(locked, "validated") == (-locked.cost) // WAD
    assert compute_settlement_pnl(locked, "deprecated") == compute_settlement_pnl(locked, "validated")
    assert registry.reputation(alice)[0] == Reputation()


def _flat(ex, who, root):
    """What ``who``'s flat position in ``root`` realised (wad, 36-decimal cost): a flat position
    pays ``-cost`` at settlement whatever the outcome."""
    p = ex.position(who, root, 1)
    assert p.quantity == 0
    return -p.cost


def test_pump_then_close_ends_below_the_close_alone(ex, registry, owner, alice, bob, carol, chain):
    """Three twin artifacts (b = 10, fee 5%): alice long 4, bob and carol trading in and out three
    times (their fees credited to them). After the delay, on "alone" alice just closes; on "pump"
    she first buys 100 more and closes the lot (the old rule paid her the pumped marginal price out
    of the others' fees); on "friend" carol buys 50 long, alice closes, carol sells. The range keeps
    the price from before the pump and the LMSR is path-independent, so pumping only adds its fee:
    alice ends lower, and alice and carol together end lower than without the friend's pump."""
    for who in (alice, bob, carol):
        give(ex, owner, who, "400")
    names = ("alone", "pump", "friend")
    for name in names:
        register(registry, owner, name, b=10, fee_bps=500)
    keys = {n: registry.pool_key(n) for n in names}
    for name in names:
        ex.maker.buy(keys[name], "long", 4, sender=alice)
        for _ in range(3):
            for who, side in ((bob, "short"), (carol, "long")):
                ex.maker.buy(keys[name], side, 5, sender=who)
                ex.maker.sell(keys[name], side, 5, sender=who)
    chain.mine(timestamp=max(registry.info(n).round_start for n in names) + 91 * DAY)
    others = {n: {w.address: ex.maker.credit(keys[n], w) for w in (bob, carol)} for n in names}
    assert others["alone"] == others["pump"] == others["friend"] and all(others["alone"].values())

    registry.close("alone", sender=alice)
    alone = _flat(ex, alice, keys["alone"].root_id)

    ex.maker.buy(keys["pump"], "long", 100, sender=alice)
    registry.close("pump", sender=alice)
    assert _flat(ex, alice, keys["pump"].root_id) < alone
    assert {w.address: ex.maker.credit(keys["pump"], w) for w in (bob, carol)} == others["pump"]

    carol_before = -ex.position(carol, keys["friend"].root_id, 1).cost  # flat after her round trips
    ex.maker.buy(keys["friend"], "long", 50, sender=carol)
    registry.close("friend", sender=alice)
    ex.maker.sell(keys["friend"], "long", 50, sender=carol)
    together = _flat(ex, alice, keys["friend"].root_id) + _flat(ex, carol, keys["friend"].root_id)
    assert together < alone + carol_before
    assert ex.maker.credit(keys["friend"], bob) == others["friend"][bob.address]


def test_close_is_refused_when_not_listed_or_nothing_to_close(ex, registry, owner, oracle, alice, bob, chain):
    give(ex, owner, alice, "10")
    register(registry, owner, "quiet", b=10, fee_bps=100)
    chain.pending_timestamp = registry.info("quiet").round_start + 90 * DAY + 1
    assert refused(errors.NothingToClose, lambda: registry.close("quiet", sender=bob))["trader"] == bob.address
    ex.maker.buy(registry.pool_key("quiet"), "long", 1, sender=alice)
    registry.transition("quiet", "flagged", sender=oracle)
    assert refused(errors.NotClosable, lambda: registry.close("quiet", sender=alice)) == {"artifact": artifact_id("quiet"), "state": 2}


# ---- price-triggered transitions --------------------------------------------------------------
def test_trigger_on_the_price_range(ex, registry, owner, bob, carol, chain):
    """b = 10: carol's 10 long move the price to sigma(1) = 0.7311 > 0.7 in the registration's own
    second. The range covers the last one to two days: for the first day it still holds the
    opening 0.5, so validated waits two days; flagged and deprecated are refused with the range's
    high, validated with its low."""
    give(ex, owner, carol, "10")
    register(registry, owner, "trig", b=10)
    t0 = registry.info("trig").round_start
    aid = artifact_id("trig")
    assert refused(errors.WindowNotElapsed, lambda: registry.trigger("trig", "validated", sender=bob)) == {"artifact": aid, "readyAt": t0 + DAY}
    ex.maker.buy(registry.pool_key("trig"), "long", 10, sender=carol)
    spot = 731_058_578_630_004_879  # sigma(1), as LMSRMath rounds it
    assert ex.maker.prices(registry.pool_key("trig"))[0] == spot
    low, high = around(731_058_578_630_004_879_251_159_241_821_836_273)  # log-odds 1 exactly: sigma(1) -+ 1e-33
    opening = WAD // 2 - 1  # log-odds 0: 0.5 - 1e-33, rounded down
    assert registry.price_range("trig") == (opening, high, DAY)
    chain.mine(timestamp=t0 + DAY)  # a day on: the first day is the previous period
    err = refused(errors.ThresholdNotMet, lambda: registry.trigger("trig", "validated", sender=bob))
    assert err == {"artifact": aid, "to": State.VALIDATED, "price": opening, "threshold": 7 * WAD // 10}
    for to, threshold in (("flagged", 3 * WAD // 10), ("deprecated", WAD // 10)):
        err = refused(errors.ThresholdNotMet, lambda: registry.trigger("trig", to, sender=bob))
        assert err == {"artifact": aid, "to": State.parse(to), "price": high, "threshold": threshold}
    for to in ("challenged", "listed"):
        assert refused(errors.NotTriggerable, lambda: registry.trigger("trig", to, sender=bob)) == {
            "artifact": aid, "state": State.LISTED, "to": State.parse(to)}
    chain.mine(timestamp=t0 + 2 * DAY)  # two quiet days: the range is the price
    assert registry.price_range("trig") == (low, high, DAY)
    registry.trigger("trig", "validated", sender=bob)  # bob, no oracle
    last = registry.history("trig")[-1]
    assert (last.state, last.by, last.triggered, last.price, last.round) == (State.VALIDATED, bob.address, True, spot, 0)
    assert registry.info("trig").state is State.VALIDATED
    assert refused(errors.NotTriggerable, lambda: registry.trigger("trig", "validated", sender=bob))["state"] == State.VALIDATED


def test_a_spike_does_not_trigger_a_price_that_stayed_does(ex, registry, owner, alice, bob, carol, chain):
    """b = 10, a one-day window. bob's 5 short put the price at sigma(-0.5) = 0.3775 for three days;
    alice pushes it to within 1e-12 of 1 (x = 100, the range's cap) for 30 minutes and sells back. (The old
    time-weighted rule averaged (0.5 h * 100 - 23.5 h * 0.5) / 24 h = 1.59 > ln(7/3) and validated.)
    The range's low stays 0.3775: refused during the spike, a day and two days after, with that low.
    Then carol's 20 long hold the price at sigma(1.5) = 0.8176: a day later the low is still the old
    0.3775; two days later it is 0.8176 and validated triggers."""
    give(ex, owner, alice, "2000")
    give(ex, owner, carol, "50")
    give(ex, owner, bob, "10")
    register(registry, owner, "spike", b=10)
    key, t0 = registry.pool_key("spike"), registry.info("spike").round_start
    aid = artifact_id("spike")
    ex.maker.buy(key, "short", 5, sender=bob)
    terms = lmsr.Terms(0, WAD, 10 * WAD, 0)
    calm = around(lmsr.price_long(terms, 0, 5 * WAD))[0]  # sigma(-0.5) - 1e-33, rounded down
    assert abs(calm / WAD - 1 / (1 + math.exp(0.5))) < 1e-11
    chain.mine(timestamp=t0 + 3 * DAY)
    spike_at = ex.maker.buy(key, "long", 1005, sender=alice).timestamp
    assert ex.maker.prices(key)[0] > WAD - 10**6  # within 1e-12 of 1
    chain.pending_timestamp = spike_at + 30 * 60
    ex.maker.sell(key, "long", 1005, sender=alice)
    low, high, _ = registry.price_range("spike")
    assert low == calm and high == WAD  # x = 100: LMSRMath's price is 1 to 36 decimals
    for at in (spike_at + 31 * 60, spike_at + DAY, spike_at + 2 * DAY):
        chain.mine(timestamp=at)
        err = refused(errors.ThresholdNotMet, lambda: registry.trigger("spike", "validated", sender=carol))
        assert err == {"artifact": aid, "to": State.VALIDATED, "price": calm, "threshold": 7 * WAD // 10}
    stayed = ex.maker.buy(key, "long", 20, sender=carol).timestamp  # d = 15: sigma(1.5)
    above = around(lmsr.price_long(terms, 20 * WAD, 5 * WAD))[0]
    assert abs(above / WAD - 1 / (1 + math.exp(-1.5))) < 1e-11
    chain.mine(timestamp=stayed + DAY)
    assert refused(errors.ThresholdNotMet, lambda: registry.trigger("spike", "validated", sender=carol))["price"] == calm
    chain.mine(timestamp=stayed + 2 * DAY)
    assert registry.price_range("spike")[0] == above
    registry.trigger("spike", "validated", sender=carol)
    assert registry.info("spike").state is State.VALIDATED


# ---- who may make tracked pools and close through them ------------------------------------------
def test_only_a_managed_roots_owner_makes_tracked_pools_and_closes(ex, registry, owner, alice, bob, carol, chain):
    """The review's first finding: anyone could create a tracked pool with b = 1 next to any market,
    push its price to about 0 and close anyone's position there. carol is now refused on a book
    root and on an artifact's root (NotRootManager with the root and her address); the owner of a
    root it manages (here an account, not the registry) makes one with a period of at least a
    second and may close through it while it owns the root; nobody closes through the registry's
    pool but the registry, and only for the holder's own call."""
    for who in (alice, bob, carol):
        give(ex, owner, who, "100")
    ex.define(7, 1, "0", "1", sender=owner)
    book_trade(ex, 7, alice, bob, "0.5", "100", sender=owner)
    register(registry, owner, "mine", b=10)
    root = root_of(registry, "mine")
    for r in (7, root):
        err = refused(errors.NotRootManager, lambda: ex.maker.create_tracked_pool(r, b=1, period=DAY, sender=carol))
        assert err == {"rootId": r, "caller": carol.address}
    # the owner of root 7, which is not managed, is refused too
    assert refused(errors.NotRootManager, lambda: ex.maker.create_tracked_pool(7, b=1, period=DAY, sender=owner)) == {
        "rootId": 7, "caller": owner.address}
    plain = ex.maker.create_pool(7, b=1, sender=carol)  # an untracked pool is anyone's: it trades only with its callers
    [log] = ex.maker.contract.PoolCreated.range(chain.blocks.head.number, chain.blocks.head.number + 1)
    assert (bytes(log.poolId), int(log.period)) == (plain.id, 0)  # a plain pool logs period 0
    assert ex.position(alice, 7, 1) == Position(100 * WAD, 50 * WAD * WAD)

    # carol cannot close alice's position in the artifact's market, directly or through the registry
    book_trade(ex, root, alice, bob, "0.5", "10", sender=owner)
    key = registry.pool_key("mine")
    chain.mine(timestamp=registry.info("mine").round_start + 91 * DAY)
    assert refused(errors.NotPoolCreator, lambda: ex.maker.close_for(key, alice, sender=carol)) == {"poolId": key.id, "caller": carol.address}
    assert refused(errors.NothingToClose, lambda: registry.close("mine", sender=carol)) == {"poolId": key.id, "trader": carol.address}
    assert ex.position(alice, root, 1) == Position(10 * WAD, 5 * WAD * WAD)
    registry.close("mine", sender=alice)  # her own call closes her whole position, the book-matched part too
    assert ex.position(alice, root, 1).quantity == 0

    # an account managing its own [0, 1] root: a period of 0 is refused; a day is fine
    ex.define(9, 1, "0", "1", sender=owner)
    ex.contract.manageRoot(9, sender=owner)
    assert refused(errors.InvalidPeriod, lambda: ex.maker.create_tracked_pool(9, b=1, period=0, sender=owner)) == {"period": 0}
    give(ex, owner, owner, "1")
    pool = ex.maker.create_tracked_pool(9, b=1, period=DAY, sender=owner)
    [log] = ex.maker.contract.PoolCreated.range(chain.blocks.head.number, chain.blocks.head.number + 1)
    assert (bytes(log.poolId), int(log.period)) == (pool.id, DAY)  # one event: the pool and its period
    assert ex.maker.price_range(pool) == (WAD // 2 - 1, WAD // 2 + 1, DAY)  # log-odds 0: 0.5 -+ 1e-33, outwards
    assert refused(errors.PoolNotTracked, lambda: ex.maker.price_range(plain)) == {"poolId": plain.id}
    assert refused(errors.PoolNotTracked, lambda: ex.maker.close_for(plain, alice)) == {"poolId": plain.id}
    ex.maker.buy(pool, "long", 1, sender=alice)
    ex.maker.close_for(pool, alice)  # the owner closes through its own pool: it can settle the root anyway
    assert ex.position(alice, 9, 1).quantity == 0
    ex.maker.buy(pool, "long", 1, sender=alice)
    ex.contract.transferRootOwnership(9, bob.address, sender=owner)
    assert refused(errors.NotRootManager, lambda: ex.maker.close_for(pool, alice)) == {"rootId": 9, "caller": owner.address}


# ---- reputation and history across several artifacts ------------------------------------------
@pytest.fixture
def several(ex, registry, owner, oracle, alice, bob):
    """Five artifacts, each settled in turn (A to E), alice and bob on opposite sides:

    ====  ===========================================  =========  ===========================
    name  trade                                        outcome    alice / bob (stake, right?)
    ====  ===========================================  =========  ===========================
    rA    alice long 10 at 0.6, bob short              validated  +4 (6, yes) / -4 (4, no)
    rB    bob long 5 at 0.4, alice short               validated  -3 (3, no) / +3 (2, yes)
    rC    alice long 4 at 0.25, bob short              flagged    -0.5 (1, no) / +0.75 (3, yes)
    rD    bob long 2 at 0.5, alice short               deprecated +1 (1, yes) / -1 (1, no)
    rE    alice buys 10 long from the pool (b = 100)   deprecated -C (C = 5.1249..., no)
    ====  ===========================================  =========  ===========================

    (rC's pool pays 4 - 3.5 - 0.75 = -0.25: S = 4, tier 1 = 0.5 + 3, tier 2 = 0.75.)"""
    for who in (alice, bob):
        give(ex, owner, who, "50")
    trades = {"rA": (alice, bob, "0.6", "10"), "rB": (bob, alice, "0.4", "5"), "rC": (alice, bob, "0.25", "4"),
              "rD": (bob, alice, "0.5", "2")}
    outcome = {"rA": "validated", "rB": "validated", "rC": "flagged", "rD": "deprecated", "rE": "deprecated"}
    for name in outcome:
        register(registry, owner, name, b=100)
    for name, (long, short, price, q) in trades.items():
        book_trade(ex, root_of(registry, name), long, short, price, q, sender=owner)
    ex.maker.buy(registry.pool_key("rE"), "long", 10, sender=alice)
    c = ex.position(alice, root_of(registry, "rE"), 1).cost // WAD
    start = {w.address: ex.balance(w) for w in (alice, bob)}
    for name, state in outcome.items():
        registry.settle_artifact(name, state, progress=False, sender=oracle)
    return c, start


def test_reputation_after_mixed_outcomes(several, registry, ex, alice, bob):
    c, start = several
    assert c == 5_124_947_951_362_558_542
    # alice: right on rA (6) and rD (1), wrong on rB (3), rC (1), rE (C)
    alice_rep = Reputation(2, 3, 7 * WAD, 11 * WAD + c)
    # score (7 + 1) / (16.124947951362558542 + 2) = 0.441380577834905899 (rounded down)
    assert registry.reputation(alice) == (alice_rep, 441_380_577_834_905_899)
    assert alice_rep.score == (7 * WAD + WAD) * WAD // (11 * WAD + c + 2 * WAD)
    # bob: right on rB (2) and rC (3), wrong on rA (4) and rD (1): (5 + 1) / (10 + 2) = 0.5
    assert registry.reputation(bob) == (Reputation(2, 2, 5 * WAD, 10 * WAD), WAD // 2)
    # the balances moved by the ledger's payoffs: alice 4 - 3 - 0.5 + 1 - C, bob -4 + 3 + 0.75 - 1
    assert ex.balance(alice) - start[alice.address] == 15 * WAD // 10 - c
    assert ex.balance(bob) - start[bob.address] == -5 * WAD // 4
    assert sum(e.payoff for e in registry.settlement_history(trader=alice)) == 15 * WAD // 10 - c


def test_settlement_history_filters_newest_first(several, registry, alice, bob, carol):
    c, _ = several
    mine = registry.settlement_history(trader=alice)
    names = [e.artifact.rstrip(b"\0").decode() for e in mine]
    assert names == ["rE", "rD", "rC", "rB", "rA"]  # settled A to E: newest first
    assert [(e.reason, e.payoff) for e in mine] == [
        (LOSS, -c), (PROFIT, WAD), (LOSS, -WAD // 2), (LOSS, -3 * WAD), (PROFIT, 4 * WAD)]
    assert all(e.amount == abs(e.payoff) and e.trader == alice.address for e in mine)
    assert [(e.block, e.tx) for e in mine] == sorted(((e.block, e.tx) for e in mine), reverse=True)
    assert registry.settlement_history(trader=alice, limit=2) == mine[:2]
    assert registry.settlement_history(trader=alice, limit=0) == []
    # rC: the pool's loss came in at the flag, then alice's loss, then bob's gain
    pool_c = registry.pool_key("rC").account
    assert [(e.trader, e.payoff) for e in registry.settlement_history(artifact="rC")] == [
        (bob.address, 3 * WAD // 4), (alice.address, -WAD // 2), (pool_c, -WAD // 4)]
    [only] = registry.settlement_history(artifact="rB", trader=bob)
    assert (only.reason, only.payoff, only.round) == (PROFIT, 3 * WAD, 0)
    assert registry.settlement_history(trader=carol) == []
    assert registry.settlement_history(artifact="never") == []
    assert len(registry.settlement_history()) == 2 + 2 + 3 + 2 + 2  # rE: alice and the pool
    assert registry.settlement_history(limit=1)[0].artifact == artifact_id("rE")


def test_history_records_each_transition(several, registry, owner, oracle):
    for name, state in (("rA", State.VALIDATED), ("rC", State.FLAGGED), ("rE", State.DEPRECATED)):
        first, last = registry.history(name)
        assert (first.state, first.by, first.round, first.price) == (State.LISTED, owner.address, 0, WAD // 2)
        assert (last.state, last.by, last.triggered) == (state, oracle.address, False)
        assert first.time <= last.time
    # rE's pool sold alice 10 long before the post: its price then was sigma(0.1)
    assert abs(registry.history("rE")[1].price / WAD - 1 / (1 + math.exp(-0.1))) < 1e-15
    assert registry.history("never") == []

