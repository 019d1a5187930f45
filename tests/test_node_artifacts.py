"""The independent node's artifact markets, without a chain: solady's lnWad ported bit for bit,
the flagged terms of a thin pool against the reference, the time-weighted trigger, the cushion of
a close, all-or-nothing refusals, and money conservation to the wei through a whole lifecycle.
(`tests/test_artifact_scenarios.py` runs the same rules against Anvil and compares every report.)"""

from __future__ import annotations

import math
from copy import deepcopy

import pytest

from pmarket import errors
from pmarket.lifecycle import State, compute_settlement_pnl
from pmarket.lmsr.fixed import ln_wad
from pmarket.lmsr.pool import Side
from pmarket.node import Node, NodeConfig
from pmarket.node.artifacts import ORACLE_ROLE, ArtifactsNode
from pmarket.node.bounties import BountiesNode
from pmarket.node.state import addr
from pmarket.scenario import Scenario
from pmarket.scenario.backends import NodeBackend
from pmarket.scenario.runner import Runner
from pmarket.vault import to_internal

WAD = 10**18
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


def test_ln_wad_is_solady_bit_for_bit():
    # exact points of ln and the three seed thresholds (the chain test compares them with
    # the registry's own ThresholdNotMet values)
    assert ln_wad(WAD) == 0 and ln_wad(2 * WAD) == 693_147_180_559_945_309
    assert [ln_wad(p * WAD // (WAD - p)) for p in (7 * WAD // 10, 3 * WAD // 10, WAD // 10)] == [
        847_297_860_387_203_613, -847_297_860_387_203_615, -2_197_224_577_336_219_384]
    for x in (1, 10**9, 123_456_789 * 10**12, WAD - 1, WAD + 1, 10**30, 2**254):
        assert abs(ln_wad(x) / WAD - math.log(x / WAD)) < 1e-12 * max(1.0, abs(math.log(x / WAD)))
    with pytest.raises(ValueError):
        ln_wad(0)


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


def test_time_weighted_trigger(reg):
    """b = 10 and 10 long bought at registration: log-odds exactly 1 from t0 on."""
    node, a = reg.node, aid("trig")
    _, pool_id = reg.register(ADMIN, a, 10 * WAD, 0)
    key = node.s.pools[pool_id].key
    refused("WindowNotElapsed", lambda: reg.trigger(BOB, a, State.VALIDATED))
    node.trade_forward(CAT, key, Side.LONG, 10 * WAD, 2**200)
    node.s.now += DAY + 100
    v = refused("ThresholdNotMet", lambda: reg.trigger(BOB, a, State.FLAGGED))
    assert (v["twap"], v["threshold"]) == (WAD, reg.logits[1])
    snapshot = deepcopy((node.s, reg.artifacts, reg.transitions))
    refused("NotTriggerable", lambda: reg.trigger(BOB, a, State.CHALLENGED))
    assert deepcopy((node.s, reg.artifacts, reg.transitions)) == snapshot  # a refusal changes nothing
    reg.trigger(BOB, a, State.VALIDATED)
    last = reg.history(a)[-1]
    assert (last.state, last.by, last.triggered, last.price) == (State.VALIDATED, BOB, True, 731_058_578_630_004_879)


def test_close_spends_the_cushion(reg):
    """After the delay a close at the marginal price gives up the difference to the LMSR price of
    the same sale; without fees the cushion is empty and the close is refused."""
    node = reg.node
    for name, fee in (("nofee", 0), ("fees", 1000)):
        _, pool_id = reg.register(ADMIN, aid(name), 10 * WAD, fee)
        key = node.s.pools[pool_id].key
        node.trade_forward(ANN, key, Side.LONG, 5 * WAD, 2**200)
        for _ in range(3):
            node.trade_forward(BOB, key, Side.SHORT, 8 * WAD, 2**200)
            node.trade_forward(BOB, key, Side.SHORT, -8 * WAD, -(2**200))
    refused("CloseNotYet", lambda: reg.close(ANN, aid("fees")))
    node.s.now += 90 * DAY + 1
    cushion = node.observe_pool(reg.rounds[(aid("nofee"), 0)].pool_id)[2]
    assert cushion == 0
    v = refused("BeyondCushion", lambda: reg.close(ANN, aid("nofee")))
    assert v["discount"] > 0 and v["cushion"] == 0
    fees = reg.rounds[(aid("fees"), 0)].pool_id
    before = node.observe_pool(fees)[2]
    quantity, cost = reg.close(ANN, aid("fees"))
    after = node.observe_pool(fees)[2]
    assert quantity == -5 * WAD and 0 < before - after
    assert node.position(ANN, reg.rounds[(aid("fees"), 0)].root_id, 1).quantity == 0
    refused("NothingToClose", lambda: reg.close(ANN, aid("fees")))
    conserved(node)


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
