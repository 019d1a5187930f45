"""Artifact lifecycles on Anvil, through the Python clients: a challenge freezes every action on the
artifact's market (and nothing else), flagged -> listed opens a new round that trades and settles,
the 90-day close at the pool's marginal price with time travel, price-triggered transitions over
observations, reputations after mixed outcomes across artifacts, and the history queries.

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
from pmarket.lmsr.fixed import ln_wad
from pmarket.matching import Leg, MatchRequest

from .artifact_fixtures import *  # noqa: F401,F403 (fixtures)
from .artifact_fixtures import DAY, UNIT, WAD, book_trade, give, register, root_of
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
    ex.define(owner, 7, 1, "0", "1")
    root = root_of(registry, "hot")
    book_trade(ex, root, alice, bob, "0.6", "10", sender=owner)
    bid = ex.sign_limit(alice, root, 1, "0.5", "2")
    ex.place(bid)
    ask = ex.sign_limit(bob, root, 1, "0.5", "-2")
    ex.place(ask)
    ex.maker.buy(carol, registry.pool_key("hot"), "long", 1)
    registry.transition(oracle, "hot", "challenged")
    return root, bid, ask


def test_challenged_freezes_orders_matches_pool_trades_cancels_and_reductions(hot, ex, registry, owner, alice, bob, carol):
    root, bid, ask = hot
    key = registry.pool_key("hot")
    assert ex.is_frozen(root) and registry.info("hot").state is State.CHALLENGED
    frozen = _frozen(root)
    assert refused(errors.MarketFrozen, lambda: ex.place(ex.sign_limit(carol, root, 1, "0.5", "1"))) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.match(MatchRequest(Leg(bid.order), Leg(ask.order), WAD), sender=owner)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.maker.buy(carol, key, "long", 1)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.maker.sell(carol, key, "long", 1)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.maker.fill(key, ask.order, "1", sender=carol)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.cancel(alice, bid.order)) == frozen
    assert refused(errors.MarketFrozen, lambda: ex.reduce(alice, bid.order, "1")) == frozen
    # nothing moved: both orders still rest whole, the positions are as they were
    assert ex.order_state(bid.hash)[2] == ex.order_state(ask.hash)[2] == 2 * WAD
    assert ex.position(alice, root, 1) == Position(10 * WAD, 6 * WAD * WAD)


def test_challenged_refuses_needed_withdrawals_only(hot, ex, registry, alice, carol, dave, owner):
    """alice has 10; her long commits 10 * 0.6 = 6 and her open bid 2 * 0.5 = 1: 3 are free. One
    token unit more would use collateral the frozen market needs."""
    root, _, _ = hot
    assert ex.worst_case(alice) == (-7 * WAD, 10 * WAD)
    assert refused(errors.MarketFrozen, lambda: ex.withdraw(alice, "3.000001")) == _frozen(root)
    wallet = ex.token.balanceOf(alice)
    ex.withdraw(alice, "3")
    assert ex.balance(alice) == 7 * WAD and ex.token.balanceOf(alice) - wallet == 3 * 10**6
    # other markets are untouched: the other artifact's pool, a plain root, carol's withdrawal
    calm = registry.pool_key("calm")
    ex.maker.buy(carol, calm, "long", 1)
    assert ex.position(carol, calm.root_id, 1).quantity == WAD
    book_trade(ex, 7, carol, dave, "0.5", "2", sender=owner)
    assert ex.position(dave, 7, 1) == Position(-2 * WAD, -WAD * WAD)
    assert not ex.is_frozen(calm.root_id) and not ex.is_frozen(7)
    ex.withdraw(dave, "1")  # his short of 2 at 0.5 commits 1 of his 10: 1 of the 9 free
    assert ex.balance(dave) == 9 * WAD


def test_challenged_refuses_the_close_even_after_ninety_days(hot, registry, alice, chain):
    start = registry.info("hot").round_start
    chain.pending_timestamp = start + 91 * DAY
    assert refused(errors.MarketFrozen, lambda: registry.close(alice, "hot")) == _frozen(hot[0])


def test_listed_again_unfreezes_the_same_round(hot, ex, registry, oracle, alice, carol):
    root, bid, _ = hot
    registry.transition(oracle, "hot", "listed")
    info = registry.info("hot")
    assert (info.state, info.round, info.open, info.root_id) == (State.LISTED, 0, True, root)
    assert not ex.is_frozen(root)
    ex.cancel(alice, bid.order)
    assert ex.order_state(bid.hash)[2] == 0
    ex.maker.buy(carol, registry.pool_key("hot"), "short", 1)
    ex.withdraw(alice, "4")  # the bid's 1 is free again: 10 - 6 = 4
    assert ex.balance(alice) == 6 * WAD
    with pytest.raises(errors.InsufficientCollateral):
        ex.withdraw(alice, "0.000001")
    assert [r.state for r in registry.history("hot")] == [State.LISTED, State.CHALLENGED, State.LISTED]


def test_challenge_resolved_by_deprecated_settles_the_frozen_market(hot, ex, registry, oracle, alice, bob):
    """alice long 10 at 0.6 loses her 6, bob short gains 6 (the resting orders are void)."""
    before = {w.address: ex.balance(w) for w in (alice, bob)}
    report = registry.settle_artifact(oracle, "hot", "deprecated", progress=False)
    assert report.skipped == [] and report.round == 0
    assert ex.balance(alice) - before[alice.address] == -6 * WAD
    assert ex.balance(bob) - before[bob.address] == 6 * WAD
    assert ex.open_orders(alice, hot[0]) == {} and ex.worst_case(alice)[0] == 0


def test_challenge_resolved_by_flagged_closes_at_the_flagged_terms(hot, ex, registry, oracle, alice, bob, carol):
    """Flagged from challenged: the market is closed for good (MarketFlagged), payoffs fixed: alice
    long 10 at 0.6 gets back 3 of her 6; bob's 4 come back with a bonus of 1."""
    root = hot[0]
    before = {w.address: ex.balance(w) for w in (alice, bob)}
    registry.settle_artifact(oracle, "hot", "flagged", progress=False)
    assert ex.balance(alice) - before[alice.address] == -3 * WAD
    assert ex.balance(bob) - before[bob.address] == WAD
    assert refused(errors.MarketFlagged, lambda: ex.place(ex.sign_limit(carol, root, 1, "0.5", "1"))) == _frozen(root)
    # the pool was collected into the reserve when the losses came in: it trades no more
    key = registry.pool_key("hot")
    assert refused(errors.PoolClosed, lambda: ex.maker.buy(carol, key, "long", 1)) == {"poolId": key.id}


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
    report = registry.settle_artifact(oracle, "phoenix", "flagged", progress=False)
    assert (report.round, report.settled, report.skipped) == (0, 3, [])
    assert (ex.balance(alice), ex.balance(bob), ex.balance(carol)) == (7 * WAD, 11 * WAD, 10 * WAD)
    assert ex.open_orders(carol, root0) == {} and ex.worst_case(carol)[0] == 0
    assert registry.info("phoenix").reserve == dust + F10 + 2 * WAD
    assert refused(errors.PoolClosed, lambda: ex.maker.buy(dave, old_key, "long", 1)) == {"poolId": old_key.id}
    assert refused(errors.MarketFlagged, lambda: ex.place(ex.sign_limit(dave, root0, 1, "0.5", "1"))) == _frozen(root0)

    # Listed again: round 1, a new market and a new pool of b = 10 funded from the reserve
    registry.settle_artifact(oracle, "phoenix", "listed", progress=False)
    info = registry.info("phoenix")
    assert (info.state, info.round, info.open) == (State.LISTED, 1, True)
    assert info.root_id != root0 and info.reserve == dust + 2 * WAD
    key = registry.pool_key("phoenix")
    assert key.b == 10 * WAD and key.root_id == info.root_id and ex.balance(key.account) == F10
    assert refused(errors.CloseNotYet, lambda: registry.close(alice, "phoenix"))["allowedAt"] == info.round_start + 90 * DAY + 1

    # Round 1 trades: carol long 5 at 0.7 against dave; alice buys 2 long from the new pool at
    # C2 = 10 ln((1 + e^0.2) / 2) = 1.04995... (rounded up to the wei)
    book_trade(ex, info.root_id, carol, dave, "0.7", "5", sender=owner)
    ex.maker.buy(alice, key, "long", 2)
    c2 = ex.position(alice, info.root_id, 1).cost
    assert abs(c2 / WAD / WAD - 10 * math.log((1 + math.exp(0.2)) / 2)) < 1e-12
    before = {w.address: ex.balance(w) for w in (alice, carol, dave)}
    report = registry.settle_artifact(oracle, "phoenix", "validated", progress=False)
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
    err = refused(errors.AccessControlUnauthorizedAccount, lambda: registry.transition(alice, "strict", "validated"))
    assert err == {"account": alice.address, "neededRole": registry.oracle_role}
    assert refused(errors.InvalidTransition, lambda: registry.transition(oracle, "strict", "listed")) == {"from": 1, "to": 1}
    registry.transition(oracle, "strict", "validated")
    for to in State:
        if to is not State.NONE:
            assert refused(errors.InvalidTransition, lambda: registry.transition(oracle, "strict", to)) == {"from": 4, "to": int(to)}
    registry.revoke_oracle(owner, oracle)
    assert not registry.is_oracle(oracle)
    register(registry, owner, "strict-2", b=1)
    assert refused(errors.AccessControlUnauthorizedAccount, lambda: registry.transition(oracle, "strict-2", "flagged"))
    assert refused(errors.UnknownArtifact, lambda: registry.info("never")) == {"artifact": artifact_id("never")}


# ---- the 90-day close ---------------------------------------------------------------------------
def test_close_after_ninety_days_at_the_marginal_price_within_the_cushion(ex, registry, owner, oracle, alice, bob, carol, chain):
    """b = 100, fee 3%. alice buys 10 long (the pool's cushion: her fee, 3% of 5.1249 = 0.1537),
    carol 2 short. After 90 days (and one second) each may sell back at the pool's marginal price,
    rounded against them; the pool gives up the difference to the LMSR price out of its cushion:
    alice's 10 long from d = 8 cost it 10 sigma(0.08) - 100 (ln(1 + e^0.08) - ln(1 + e^-0.02)) =
    0.124914. bob's 20 short later would cost more than what is left: refused."""
    for who in (alice, bob, carol):
        give(ex, owner, who, "20")
    register(registry, owner, "old", b=100, fee_bps=300)
    key = registry.pool_key("old")
    terms = lmsr.Terms(0, WAD, 100 * WAD, 0)  # a close pays no fee
    fees = [int(log.fee) for tx in (ex.maker.buy(alice, key, "long", 10), ex.maker.buy(carol, key, "short", 2))
            for log in ex.maker.contract.PoolTraded.from_receipt(tx)]
    # alice's fee: 3% of 5.12495 = 0.15375; carol's: 3% of her 2 short shares' 0.955 = 0.0287
    assert 0.15374 * WAD < fees[0] < 0.15375 * WAD + 1 and 0.0286 * WAD < fees[1] < 0.0287 * WAD
    assert int(ex.maker.contract.observe(key.id)[2]) == sum(fees)  # the cushion
    start = registry.info("old").round_start
    allowed = start + 90 * DAY + 1
    assert refused(errors.CloseNotYet, lambda: registry.close(alice, "old")) == {"artifact": artifact_id("old"), "allowedAt": allowed}
    chain.pending_timestamp = allowed - 1  # the last second of the 90 days: still refused
    assert refused(errors.CloseNotYet, lambda: registry.close(alice, "old"))["allowedAt"] == allowed
    chain.pending_timestamp = allowed

    def close(who, q, side):
        """Close ``who``'s position of ``q`` (signed) and check it against the hand rules."""
        q_long, q_short, _ = ex.maker.pool_state(key)
        pl36 = lmsr.price_long(terms, q_long, q_short)  # the marginal long price, 36 decimals
        assert pl36 % WAD != 0  # so the rounding below matters
        price = pl36 // WAD if q > 0 else -(-pl36 // WAD)  # a seller gets it rounded down, a buyer pays it up
        cost = -q * price
        sale = lmsr.price(terms, q_long, q_short, side, -abs(q))  # the same sale at the LMSR price
        discount = -(-(sale.cost - cost) // WAD)
        cushion = int(ex.maker.contract.observe(key.id)[2])
        before = ex.position(who, key.root_id, 1)
        receipt = registry.close(who, "old")
        [log] = ex.maker.contract.PositionClosed.from_receipt(receipt)
        assert (str(log.trader), int(log.quantity), int(log.cost), int(log.discount)) == (who.address, -q, cost, discount)
        assert ex.position(who, key.root_id, 1) == Position(0, before.cost + cost)
        assert int(ex.maker.contract.observe(key.id)[2]) == cushion - discount
        return before, discount, cushion

    _, discount, cushion = close(alice, 10 * WAD, lmsr.Side.LONG)
    assert cushion == sum(fees)
    assert 0.12491 * WAD < discount < 0.12492 * WAD
    close(carol, -2 * WAD, lmsr.Side.SHORT)

    # bob's 20 short: the pool would give up about 20^2 / (2 * 100) * p (1 - p) ~ 0.5 > its cushion
    ex.maker.buy(bob, key, "short", 20)
    q_long, q_short, _ = ex.maker.pool_state(key)
    pl36 = lmsr.price_long(terms, q_long, q_short)
    cost = 20 * WAD * -(-pl36 // WAD)
    sale = lmsr.price(terms, q_long, q_short, lmsr.Side.SHORT, -20 * WAD)
    err = refused(errors.BeyondCushion, lambda: registry.close(bob, "old"))
    assert err == {"poolId": key.id, "discount": -(-(sale.cost - cost) // WAD), "cushion": int(ex.maker.contract.observe(key.id)[2])}
    assert err["discount"] > err["cushion"]

    # a closed position settles at what the close locked in, whatever the outcome, and scores nothing
    balance = ex.balance(alice)
    registry.settle_artifact(oracle, "old", "validated", progress=False)
    locked = ex.position(alice, key.root_id, 1)
    assert ex.balance(alice) - balance == compute_settlement_pnl(locked, "validated") == (-locked.cost) // WAD
    assert compute_settlement_pnl(locked, "deprecated") == compute_settlement_pnl(locked, "validated")
    assert registry.reputation(alice)[0] == Reputation()


def test_close_is_refused_when_not_listed_or_nothing_to_close(ex, registry, owner, oracle, alice, bob, chain):
    give(ex, owner, alice, "10")
    register(registry, owner, "quiet", b=10, fee_bps=100)
    chain.pending_timestamp = registry.info("quiet").round_start + 90 * DAY + 1
    assert refused(errors.NothingToClose, lambda: registry.close(bob, "quiet"))["trader"] == bob.address
    ex.maker.buy(alice, registry.pool_key("quiet"), "long", 1)
    registry.transition(oracle, "quiet", "flagged")
    assert refused(errors.NotClosable, lambda: registry.close(alice, "quiet")) == {"artifact": artifact_id("quiet"), "state": 2}


# ---- price-triggered transitions --------------------------------------------------------------
def test_trigger_on_the_time_weighted_price(ex, registry, owner, alice, bob, carol, chain):
    """b = 10: carol's 10 long move the log-odds to d / b = 1 (price sigma(1) = 0.7311 > 0.7) in the
    registration's own second. Over [t0, T] the time-weighted log-odds is 1 * (T - t_trade) / (T - t0)."""
    give(ex, owner, carol, "10")
    register(registry, owner, "trig", b=10)
    t0 = registry.info("trig").round_start
    aid = artifact_id("trig")
    # the only observation (the round's opening) is not a window (one day) old yet
    assert refused(errors.WindowNotElapsed, lambda: registry.trigger(bob, "trig", "validated")) == {"artifact": aid, "window": DAY}
    receipt = ex.maker.buy(carol, registry.pool_key("trig"), "long", 10)
    t_trade = receipt.timestamp
    assert ex.maker.prices(registry.pool_key("trig"))[0] == 731_058_578_630_004_879  # sigma(1)
    T = t0 + DAY + 100
    chain.pending_timestamp = T
    twap = WAD * (T - t_trade) // (T - t0)
    # flagged needs the log-odds below ln(0.3 / 0.7) = -0.8473, deprecated below ln(1/9) = -2.1972
    err = refused(errors.ThresholdNotMet, lambda: registry.trigger(bob, "trig", "flagged"))
    assert (err["artifact"], err["to"], err["twap"]) == (aid, State.FLAGGED, twap)
    assert abs(err["threshold"] / WAD - math.log(3 / 7)) < 1e-15
    # the node's port of solady's lnWad gives the registry's threshold to the wei
    assert err["threshold"] == ln_wad(3 * WAD // 10 * WAD // (7 * WAD // 10))
    err = refused(errors.ThresholdNotMet, lambda: registry.trigger(bob, "trig", "deprecated"))
    assert err["to"] == State.DEPRECATED and abs(err["threshold"] / WAD - math.log(1 / 9)) < 1e-15
    assert err["threshold"] == ln_wad(WAD // 10 * WAD // (9 * WAD // 10))
    for to in ("challenged", "listed"):
        assert refused(errors.NotTriggerable, lambda: registry.trigger(bob, "trig", to)) == {
            "artifact": aid, "state": State.LISTED, "to": State.parse(to)}
    # validated needs above ln(0.7 / 0.3) = 0.8473: twap ~ 1 passes; bob, no oracle, triggers it
    assert twap > math.log(7 / 3) * WAD
    registry.trigger(bob, "trig", "validated")
    last = registry.history("trig")[-1]
    assert (last.state, last.by, last.triggered, last.price, last.round) == (State.VALIDATED, bob.address, True, 731_058_578_630_004_879, 0)
    assert registry.info("trig").state is State.VALIDATED
    assert refused(errors.NotTriggerable, lambda: registry.trigger(bob, "trig", "validated"))["state"] == State.VALIDATED


def test_observations_keep_the_window_recent(ex, registry, owner, alice, bob, carol, dave, chain):
    """Two artifacts priced high (log-odds 1) for ten days, then back to 0.5 (log-odds 0). On "obs"
    someone observes then; on "twin" nobody does. A day later the twin's only usable observation is
    the round's opening: over 11 days the log-odds average 10/11 = 0.91 > 0.847 and validated
    triggers on stale prices. "obs" uses the observation of day 10: average 0, refused. Then the
    price falls to sigma(-1) = 0.27 < 0.3; observed and a day later, flagged triggers."""
    for who in (alice, bob, carol, dave):
        give(ex, owner, who, "20")
    register(registry, owner, "obs", b=10)
    register(registry, owner, "twin", b=10)
    keys = {name: registry.pool_key(name) for name in ("obs", "twin")}
    t0 = max(registry.info(n).round_start for n in keys)
    ex.maker.buy(alice, keys["obs"], "long", 10)
    ex.maker.buy(bob, keys["twin"], "long", 10)
    chain.pending_timestamp = t0 + 10 * DAY
    ex.maker.sell(alice, keys["obs"], "long", 10)
    ex.maker.sell(bob, keys["twin"], "long", 10)
    t10 = registry.observe(carol, "obs").timestamp
    assert ex.maker.prices(keys["obs"])[0] == WAD // 2
    chain.pending_timestamp = t0 + 11 * DAY + 60
    err = refused(errors.ThresholdNotMet, lambda: registry.trigger(carol, "obs", "validated"))
    assert err["twap"] == 0
    registry.trigger(carol, "twin", "validated")  # stale: nobody observed the fall
    assert registry.info("twin").state is State.VALIDATED
    # the fall below 0.3, observed, and a window later
    t_fall = ex.maker.buy(dave, keys["obs"], "short", 10).timestamp
    t_obs = registry.observe(carol, "obs").timestamp
    # half a day later the newest observation a window old is still day 10's: log-odds 0 until the
    # fall, -1 since: the average is -1 * (T - t_fall) / (T - t10) ~ -1/3, not below -0.847
    T = t_obs + DAY // 2
    chain.pending_timestamp = T
    err = refused(errors.ThresholdNotMet, lambda: registry.trigger(carol, "obs", "flagged"))
    assert err["twap"] == -(WAD * (T - t_fall) // (T - t10))
    chain.pending_timestamp = t_obs + DAY + 1
    registry.trigger(carol, "obs", "flagged")
    record = registry.history("obs")[-1]
    assert (record.state, record.triggered, record.by) == (State.FLAGGED, True, carol.address)
    assert record.price == ex.maker.contract.prices(keys["obs"].id)[0] == 268_941_421_369_995_120  # sigma(-1), down


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
    ex.maker.buy(alice, registry.pool_key("rE"), "long", 10)
    c = ex.position(alice, root_of(registry, "rE"), 1).cost // WAD
    start = {w.address: ex.balance(w) for w in (alice, bob)}
    for name, state in outcome.items():
        registry.settle_artifact(oracle, name, state, progress=False)
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

