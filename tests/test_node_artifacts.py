"""The independent node's artifact markets, without a chain: the flagged terms of a thin pool
against the reference, triggers on the pool's price range (a dip's delay), closes at the range
within the holder's own credit, who may make tracked pools, all-or-nothing refusals, and money
conservation to the wei through a whole lifecycle.
(`tests/test_artifact_scenarios.py` runs the same rules against Anvil and compares every report.)"""

from __future__ import annotations

import math
from copy import deepcopy

import pytest

from pmarket import errors
from pmarket.lifecycle import State, compute_settlement_pnl
from pmarket.lmsr import fixed
from pmarket.lmsr.pool import Side, Terms, price
from pmarket.node import Node, NodeConfig
from pmarket.node.artifacts import ORACLE_ROLE, ArtifactsNode
from pmarket.node.bounties import BountiesNode
from pmarket.node.state import addr
from pmarket.scenario import Scenario
from pmarket.scenario.backends import NodeBackend
from pmarket.scenario.runner import Runner
from pmarket.vault import to_internal
from pmarket.wad import WAD

from .artifact_fixtures import around

DAY = 86_400
REGISTRY, ADMIN = addr("0x" + "11" * 20), addr("0x" + "22" * 20)
ANN, BOB, CAT = (addr("0x" + c * 40) for c in "abc")
ZERO_ADDRESS = "0x" + "00" * 20


def aid(name: str) -> bytes:
    return name.encode().ljust(32, b"\0")


@pytest.fixture
def reg():
    node = Node(NodeConfig(decimals=6))
    node.s.now = 1_700_000_000
    registry = ArtifactsNode(node, REGISTRY, ADMIN)
    registry.grant_role(ADMIN, ORACLE_ROLE, ADMIN)
    for who in (ANN, BOB, CAT):
        node.deposit(who, 1_000 * 10**6)
    return registry


def refused(name: str, fn) -> dict:
    with pytest.raises(errors.ContractError) as info:
        fn()
    assert info.value.name == name, info.value
    return info.value.values


def conserved(node: Node) -> None:
    """Every token in the vault is someone's balance or in a pot, to the wei."""
    held = sum(node.s.balances.values()) + sum(node.s.pots.values())
    assert held == to_internal(node.s.vault_tokens, node.s.config.decimals)


THIN = {"actions": [
    {"do": "deposit", "by": "ann", "amount": "100"},
    {"do": "deposit", "by": "bob", "amount": "100"},
    {"do": "grant", "by": "admin", "role": "oracle", "to": "ora"},
    {"do": "artifact", "by": "reg", "id": "thin", "b": "1"},
    {"do": "order", "by": "ann", "id": "l", "root": "thin", "branch": 1, "price": "0.1", "quantity": "20"},
    {"do": "order", "by": "bob", "id": "s", "root": "thin", "branch": 1, "price": "0.1", "quantity": "-20"},
    {"do": "match", "bid": "l", "ask": "s", "quantity": "20"},
    {"do": "lifecycle", "by": "ora", "artifact": "thin", "state": "flagged"},
]}


def test_flagged_thin_pool_pays_the_reference_terms():
    """b = 1 (funding 0.69), a long and a short of 20 at 0.1 on the book: ann commits 2, bob 18.
    The pot (20) and the pool's funding pay ann's half (1) and bob's whole 18 back, but only
    1.69 of bob's 4.5 bonus: it shrinks pro rata; returns stay whole."""
    runner = Runner(Scenario.load(THIN), NodeBackend())
    runner.run()
    reg, node = runner.backend.registry, runner.backend.node
    ann, bob = runner.address("ann"), runner.address("bob")
    a, root = aid("thin"), reg.rounds[(aid("thin"), 0)].root_id
    terms = node.s.flag_terms[root]
    assert terms.return_rate == WAD and 0 < terms.bonus_rate < WAD
    # available 20 + funding ceil(b ln 2) = 0.693147180559945310; returns 1 + 18; bonuses 4.5
    assert terms.bonus_rate == (WAD + 693_147_180_559_945_310) * WAD // (9 * WAD // 2)
    positions = {w: node.position(w, root, 1) for w in (ann, bob)}
    before = {w: node.balance(w) for w in (ann, bob)}
    credited, skipped = reg.settle(ann, a, 0, [ann, bob, runner.address("ora")])
    assert credited == 2 and skipped == [(runner.address("ora"), "NothingToClaim")]
    for w in (ann, bob):
        assert node.balance(w) - before[w] == compute_settlement_pnl(positions[w], State.FLAGGED, terms)
    assert node.balance(ann) - before[ann] == -WAD  # half of 2 back
    assert reg.round_info(a, 0).collected
    conserved(node)
    assert 0 <= node.s.pots[root] < 10  # rounding dust only, never negative
    # reputation: a long on a flagged artifact is wrong, a short right
    assert (reg.reputation(ann)[0].incorrect, reg.reputation(bob)[0].correct) == (1, 1)


SPOT = 731_058_578_630_004_879_251_159_241_821_836_273  # sigma(1) in 36 decimals, as LMSRMath rounds it
# log-odds exactly 1 (1e9 of the range's units of 1e-9): the range is SPOT -+ 1e-33, to the wei
LOW, HIGH = 731_058_578_630_004_879, 731_058_578_630_004_880
OPENING = (WAD // 2 - 1, WAD // 2 + 1)  # log-odds 0: 0.5 -+ 1e-33, rounded outwards


def test_trigger_reads_the_price_range(reg):
    """b = 10 and 10 long bought at registration: the price is sigma(1) = 0.7310585786300048792...
    from t0 on. The range covers the last one to two days, so for a day it still holds the
    opening 0.5: validated triggers two days on, never before."""
    node, a = reg.node, aid("trig")
    _, pool_id = reg.register(ADMIN, a, 10 * WAD, 0)
    t0, key = node.clock(), node.s.pools[pool_id].key
    assert node.price_range(pool_id) == (*OPENING, DAY)  # a new pool: log-odds 0; period = window
    assert around(10**36 // 2) == OPENING and around(SPOT) == (LOW, HIGH)
    node.trade_forward(CAT, key, Side.LONG, 10 * WAD, 2**200)
    assert fixed.price_long((10 * WAD) * WAD, 10 * WAD) == SPOT and abs(SPOT / 10**36 - 1 / (1 + math.exp(-1))) < 1e-15
    assert node.price_range(pool_id) == (OPENING[0], HIGH, DAY)
    node.s.now = t0 + DAY - 1
    assert refused("WindowNotElapsed", lambda: reg.trigger(BOB, a, State.VALIDATED)) == {"artifact": a, "readyAt": t0 + DAY}
    node.s.now = t0 + DAY  # the first day (0.5 to 0.731) is the previous period now
    assert node.price_range(pool_id) == (OPENING[0], HIGH, DAY)
    v = refused("ThresholdNotMet", lambda: reg.trigger(BOB, a, State.VALIDATED))
    assert v == {"artifact": a, "to": State.VALIDATED, "price": OPENING[0], "threshold": 7 * WAD // 10}
    v = refused("ThresholdNotMet", lambda: reg.trigger(BOB, a, State.FLAGGED))
    assert v == {"artifact": a, "to": State.FLAGGED, "price": HIGH, "threshold": 3 * WAD // 10}
    snapshot = deepcopy((node.s, reg.artifacts, reg.transitions))
    refused("NotTriggerable", lambda: reg.trigger(BOB, a, State.CHALLENGED))
    assert deepcopy((node.s, reg.artifacts, reg.transitions)) == snapshot  # a refusal changes nothing
    node.s.now = t0 + 2 * DAY  # two periods without a trade: the range is the constant price
    assert node.price_range(pool_id) == (LOW, HIGH, DAY)
    reg.trigger(BOB, a, State.VALIDATED)
    last = reg.history(a)[-1]
    assert (last.state, last.by, last.triggered, last.price) == (State.VALIDATED, BOB, True, SPOT // 10**18)


def test_a_dip_delays_a_trigger_by_one_to_two_windows(reg):
    """The price stays at sigma(1) for three days; bob sells it to sigma(-0.2) = 0.45 for a minute
    and buys back. The dip's low stays in the range until two days after the dip began."""
    node, a = reg.node, aid("dip")
    _, pool_id = reg.register(ADMIN, a, 10 * WAD, 0)
    t0, key = node.clock(), node.s.pools[pool_id].key
    node.trade_forward(CAT, key, Side.LONG, 10 * WAD, 2**200)
    node.s.now = dip = t0 + 3 * DAY
    node.trade_forward(BOB, key, Side.SHORT, 12 * WAD, 2**200)
    dip_low = around(fixed.price_long(-2 * WAD * WAD, 10 * WAD))[0]  # x = (10 - 12) / 10
    node.s.now = dip + 60
    node.trade_forward(BOB, key, Side.SHORT, -12 * WAD, -(2**200))
    assert node.price_range(pool_id)[:2] == (dip_low, HIGH)
    node.s.now = dip + 2 * DAY - 1
    v = refused("ThresholdNotMet", lambda: reg.trigger(BOB, a, State.VALIDATED))
    assert (v["price"], v["threshold"]) == (dip_low, 7 * WAD // 10)
    node.s.now = dip + 2 * DAY
    assert node.price_range(pool_id)[:2] == (LOW, HIGH)
    reg.trigger(BOB, a, State.VALIDATED)


def test_a_trade_late_in_a_period_keeps_a_dip_for_up_to_three_windows(reg):
    """The range's previous period is as long as the time between the two rolls that bound it: a
    trade just before the second day ends rolls the range with the dip's day in it, and that day
    stays for one more period, so the dip counts until almost three days after it began."""
    node, a = reg.node, aid("late")
    _, pool_id = reg.register(ADMIN, a, 10 * WAD, 0)
    t0, key = node.clock(), node.s.pools[pool_id].key
    node.trade_forward(CAT, key, Side.LONG, 10 * WAD, 2**200)
    node.s.now = dip = t0 + 3 * DAY  # the dip's trade rolls the range: it starts a period at `dip`
    node.trade_forward(BOB, key, Side.SHORT, 12 * WAD, 2**200)
    node.trade_forward(BOB, key, Side.SHORT, -12 * WAD, -(2**200))
    dip_low = node.price_range(pool_id)[0]
    assert dip_low < WAD // 2
    node.s.now = dip + 2 * DAY - 1  # a tiny trade rolls it late: the previous period is [dip, now)
    node.trade_forward(CAT, key, Side.LONG, WAD // 1000, 2**200)
    node.s.now = dip + 3 * DAY - 2
    assert node.price_range(pool_id)[0] == dip_low
    refused("ThresholdNotMet", lambda: reg.trigger(BOB, a, State.VALIDATED))
    node.s.now = dip + 3 * DAY - 1
    assert node.price_range(pool_id)[0] > 7 * WAD // 10
    reg.trigger(BOB, a, State.VALIDATED)


def test_close_at_the_range_within_the_holders_own_credit(reg):
    """After the delay: without fees (no credit) a close is the fee-free LMSR sale exactly. With a
    10% fee, ann (2 long, a fee of 0.105) is paid the range's low, sigma(1) less 1e-33 rounded down,
    her credit covering the discount against the LMSR sale (0.04); cat (8 long, a fee of 0.515)
    would need 0.74 at the range's new low: she gets the LMSR sale plus all of her credit. Nobody's
    close touches bob's credit (1.71, from trading in and out)."""
    node = reg.node
    for name, fee in (("nofee", 0), ("fees", 1000)):
        _, pool_id = reg.register(ADMIN, aid(name), 10 * WAD, fee)
        key = node.s.pools[pool_id].key
        node.trade_forward(ANN, key, Side.LONG, 2 * WAD, 2**200)
        node.trade_forward(CAT, key, Side.LONG, 8 * WAD, 2**200)
        for _ in range(3):
            node.trade_forward(BOB, key, Side.SHORT, 8 * WAD, 2**200)
            node.trade_forward(BOB, key, Side.SHORT, -8 * WAD, -(2**200))
    refused("CloseNotYet", lambda: reg.close(ANN, aid("fees")))
    node.s.now += 90 * DAY + 1
    nofee, fees = (reg.rounds[(aid(n), 0)].pool_id for n in ("nofee", "fees"))
    assert node.observe(nofee)[2] == node.credit(nofee, ANN) == 0
    pool = node.s.pools[nofee]
    sale = price(pool.key.terms, pool.q_long, pool.q_short, Side.LONG, -2 * WAD)
    assert reg.close(ANN, aid("nofee")) == (-2 * WAD, sale.cost)
    assert node.observe(nofee)[2] == 0

    pool, terms = node.s.pools[fees], Terms(0, WAD, 10 * WAD, 0)  # a close pays no fee
    credits = {w: node.credit(fees, w) for w in (ANN, BOB, CAT)}
    assert 0 < credits[ANN] < credits[CAT] < credits[BOB] and node.observe(fees)[2] == sum(credits.values())
    spot = fixed.price_long((pool.q_long - pool.q_short) * WAD, 10 * WAD)
    low = around(spot)[0]
    assert node.price_range(fees)[0] == low  # quiet for 90 days: the range is the price
    sale = price(terms, pool.q_long, pool.q_short, Side.LONG, -2 * WAD)
    at_range = -2 * WAD * low
    need = -(-(sale.cost - at_range) // WAD)
    assert 0 < need <= credits[ANN]
    assert reg.close(ANN, aid("fees")) == (-2 * WAD, at_range)
    assert node.credit(fees, ANN) == credits[ANN] - need

    # cat's close: her credit does not cover the discount at the (now lower) range low
    low = node.price_range(fees)[0]
    sale = price(terms, pool.q_long, pool.q_short, Side.LONG, -8 * WAD)
    assert -(-(sale.cost - -8 * WAD * low) // WAD) > credits[CAT]
    assert reg.close(CAT, aid("fees")) == (-8 * WAD, sale.cost - credits[CAT] * WAD)
    assert node.credit(fees, CAT) == 0 and node.credit(fees, BOB) == credits[BOB]
    assert node.observe(fees)[2] == credits[BOB] + credits[ANN] - need
    assert node.position(ANN, reg.rounds[(aid("fees"), 0)].root_id, 1).quantity == 0
    refused("NothingToClose", lambda: reg.close(ANN, aid("fees")))
    conserved(node)


def test_only_the_root_manager_makes_tracked_pools_and_closes(reg):
    """Tracked pools are the managed root's owner's: cat is refused on a plain root and on the
    artifact's; the registry itself needs a period; a close for another trader is the pool
    creator's (the registry's) only."""
    node, a = reg.node, aid("own")
    root, pool_id = reg.register(ADMIN, a, 10 * WAD, 100)
    node.define(CAT, 7, 1, 0, WAD)
    for r in (7, root):
        assert refused("NotRootManager", lambda: node.create_tracked_pool(CAT, r, 1, WAD, 0, 0, DAY)) == {
            "rootId": r, "caller": CAT}
    assert refused("NotRootManager", lambda: node.create_tracked_pool(REGISTRY, 7, 1, WAD, 0, 0, DAY))["rootId"] == 7
    assert refused("InvalidPeriod", lambda: node.create_tracked_pool(REGISTRY, root, 1, WAD, 0, 9, 0)) == {"period": 0}
    node.create_pool(CAT, 7, 1, WAD, 0, 0)  # an untracked pool is anyone's
    key = node.s.pools[pool_id].key
    node.trade_forward(ANN, key, Side.LONG, WAD, 2**200)
    assert refused("NotPoolCreator", lambda: node.close_for(CAT, key, ANN)) == {"poolId": key.id, "caller": CAT}
    assert node.position(ANN, root, 1).quantity == WAD
    untracked = next(p.key for p in node.s.pools.values() if not p.tracked)
    assert refused("PoolNotTracked", lambda: node.close_for(CAT, untracked, ANN)) == {"poolId": untracked.id}
    refused("PoolNotTracked", lambda: node.price_range(untracked.id))


def test_bounty_escrow(reg):
    reg.register(ADMIN, aid("paper"), WAD, 0)
    escrow = BountiesNode(reg)
    later = reg.node.clock() + DAY
    refused("UnknownArtifact", lambda: escrow.post(CAT, aid("r"), aid("nope"), 100, later))
    escrow.post(CAT, aid("r"), aid("paper"), 100, later)
    refused("BountyExists", lambda: escrow.post(CAT, aid("r"), aid("paper"), 1, later))
    refused("NotOracle", lambda: escrow.distribute(CAT, aid("r"), [ANN], [1]))
    refused("InvalidClaimant", lambda: escrow.distribute(ADMIN, aid("r"), [ANN, BOB], [1, 0]))
    assert escrow.distribute(ADMIN, aid("r"), [ANN, BOB, CAT], [1, 1, 1]) == [(ANN, 33), (BOB, 33), (CAT, 34)]
    assert escrow.escrowed == 0
    refused("AlreadyDistributed", lambda: escrow.distribute(ADMIN, aid("r"), [ANN], [1]))


def test_bounty_expiry_and_reclaims(reg):
    """Open while the clock is at most the expiry; after it no funds or distribution, and each
    funder takes back exactly its own contribution, once."""
    reg.register(ADMIN, aid("paper"), WAD, 0)
    escrow = BountiesNode(reg)
    now = reg.node.clock()
    assert refused("InvalidExpiry", lambda: escrow.post(CAT, aid("x"), aid("paper"), 100, now)) == {"expiresAt": now, "timestamp": now}
    escrow.post(CAT, aid("x"), aid("paper"), 60, now + DAY)
    escrow.fund(ANN, aid("x"), 40)
    escrow.fund(CAT, aid("x"), 5)
    escrow.post(ANN, aid("y"), aid("paper"), 9, now + DAY)
    assert (escrow.contribution(aid("x"), CAT), escrow.contribution(aid("x"), ANN)) == (65, 40)
    reg.node.s.now = now + DAY  # exactly the expiry: still open
    refused("BountyNotExpired", lambda: escrow.reclaim(CAT, aid("x")))
    assert escrow.distribute(ADMIN, aid("y"), [BOB], [1]) == [(BOB, 9)]
    reg.node.s.now = now + DAY + 1
    expired = {"id": aid("x"), "expiresAt": now + DAY, "timestamp": now + DAY + 1}
    assert refused("BountyExpired", lambda: escrow.fund(BOB, aid("x"), 1)) == expired
    assert refused("BountyExpired", lambda: escrow.distribute(ADMIN, aid("x"), [BOB], [1])) == expired
    refused("AlreadyDistributed", lambda: escrow.reclaim(ANN, aid("y")))
    assert escrow.reclaim(ANN, aid("x")) == 40
    assert refused("NothingToReclaim", lambda: escrow.reclaim(ANN, aid("x"))) == {"id": aid("x"), "funder": ANN}
    refused("NothingToReclaim", lambda: escrow.reclaim(BOB, aid("x")))
    assert escrow.reclaim(CAT, aid("x")) == 65
    assert escrow.bounty(aid("x")).amount == 0 and escrow.escrowed == 0 and escrow.owed_total == 0
    refused("UnknownBounty", lambda: escrow.reclaim(CAT, aid("z")))


def test_bounty_refused_transfers_are_owed(reg):
    """A claimant (or a funder) the token refuses is owed its share; it claims it to another
    address; escrowed + owed is the escrow's balance throughout."""
    reg.register(ADMIN, aid("paper"), WAD, 0)
    escrow = BountiesNode(reg, "0x" + "ee" * 20)
    now = reg.node.clock()
    escrow.refusing.add(BOB)
    escrow.post(CAT, aid("r"), aid("paper"), 100, now + DAY)
    refused("InvalidClaimant", lambda: escrow.distribute(ADMIN, aid("r"), [ANN, escrow.address], [1, 1]))
    balance = 100
    assert escrow.distribute(ADMIN, aid("r"), [ANN, BOB, CAT], [1, 1, 1]) == [(ANN, 33), (BOB, 33), (CAT, 34)]
    balance -= 33 + 34  # sent to ann and cat
    assert escrow.owed == {BOB: 33} and escrow.owed_total == 33 == balance - escrow.escrowed
    assert refused("InvalidRecipient", lambda: escrow.claim(BOB, ZERO_ADDRESS)) == {"to": ZERO_ADDRESS}
    refused("InvalidRecipient", lambda: escrow.claim(BOB, escrow.address))
    assert refused("Revert", lambda: escrow.claim(BOB, BOB)) == {"to": BOB}
    assert refused("NothingOwed", lambda: escrow.claim(ANN, ANN)) == {"claimant": ANN}
    assert escrow.claim(BOB, CAT) == 33
    assert escrow.owed_total == 0 and escrow.owed[BOB] == 0
    # a funder refused after posting: its reclaim is owed too
    escrow.post(ANN, aid("s"), aid("paper"), 7, now + 1)
    escrow.refusing.add(ANN)
    reg.node.s.now = now + 2
    assert escrow.reclaim(ANN, aid("s")) == 7
    assert escrow.owed[ANN] == 7 and escrow.escrowed == 0
    assert escrow.claim(ANN, CAT) == 7
