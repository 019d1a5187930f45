"""Artifact markets on a real Anvil node, through the Python client: registration, trading against
the artifact's pool, settle_artifact in batches, the ledger's history and reputations, the
90-day close with time travel, frozen withdrawals, price triggers and bounties."""

from __future__ import annotations

import pytest

from pmarket import errors
from pmarket.artifacts import Artifacts, artifact_id
from pmarket.bounties import Bounties
from pmarket.lifecycle import LOSS, PROFIT, State, compute_settlement_pnl
from pmarket.lmsr import pool as lmsr
from pmarket.wad import WAD

from .test_maker import refused

DAY = 86_400


@pytest.fixture
def arts(exchange, owner, carol):
    registry = Artifacts.deploy(exchange, sender=owner)
    registry.grant_oracle(carol, sender=owner)
    return registry


@pytest.fixture
def listed(arts, exchange, owner, funded, credit, alice, bob):
    """Artifact "paper" (b = 100, no fee) with alice and bob funded on the Exchange."""
    exchange.token.mint(owner.address, 1_000 * 10**6, sender=owner)
    arts.register("paper", b=100, sender=owner)
    credit(alice, "1000")
    credit(bob, "1000")
    return arts


def test_register_opens_a_listed_round_with_a_funded_pool(listed, exchange, owner):
    info = listed.info("paper")
    assert (info.state, info.round, info.open) == (State.LISTED, 0, True)
    assert info.root_id >> 96 == int(listed.address, 16)  # the registry's namespace
    key = listed.pool_key("paper")
    assert key.creator == listed.address and key.b == 100 * WAD
    assert exchange.maker.prices(key)[0] == WAD // 2
    assert refused(errors.ArtifactExists, lambda: listed.register("paper", b=1, sender=owner)) == {"artifact": artifact_id("paper")}


def test_settle_artifact_credits_everyone_with_ledger_and_reputation(listed, exchange, alice, bob, carol):
    """alice buys 10 long and bob 4 short from the pool; validated: the ledger's credits and debits
    equal the reference P&L of each position, and the traders' notifications list them."""
    key = listed.pool_key("paper")
    exchange.maker.buy(key, "long", 10, sender=alice)
    exchange.maker.buy(key, "short", 4, sender=bob)
    positions = {who.address: listed.position(who, "paper") for who in (alice, bob)}
    before = {who.address: exchange.balance(who) for who in (alice, bob)}
    report = listed.settle_artifact("paper", "validated", progress=False, sender=carol)
    # the pool was claimed by the transition itself (its gain or loss is in the ledger too)
    assert (report.state, report.settled, report.skipped) == (State.VALIDATED, 2, [])
    for who in (alice, bob):
        pnl = compute_settlement_pnl(positions[who.address], State.VALIDATED)
        assert exchange.balance(who) - before[who.address] == pnl
        [entry] = listed.settlement_history(trader=who)
        assert entry.payoff == pnl and entry.reason == (PROFIT if pnl > 0 else LOSS) and entry.amount == abs(pnl)
    rep, score = listed.reputation(alice)
    assert (rep.correct, rep.incorrect) == (1, 0) and score > WAD // 2
    rep, score = listed.reputation(bob)
    assert (rep.correct, rep.incorrect) == (0, 1) and score < WAD // 2
    assert len(listed.settlement_history(artifact="paper")) == 3
    assert len(listed.settlement_history(artifact="paper", limit=1)) == 1


def test_close_after_ninety_days_with_time_travel(listed, exchange, alice, chain):
    key = listed.pool_key("paper")
    exchange.maker.buy(key, "long", 10, sender=alice)
    allowed = listed.info("paper").round_start + 90 * DAY + 1
    assert refused(errors.CloseNotYet, lambda: listed.close("paper", sender=alice))["allowedAt"] == allowed
    chain.pending_timestamp = allowed
    # A pool without fees credits nobody: the close is the fee-free LMSR sale, nothing given up.
    q_long, q_short, _ = exchange.maker.pool_state(key)
    sale = lmsr.price(key.terms, q_long, q_short, lmsr.Side.LONG, -10 * WAD)
    [log] = exchange.maker.contract.PositionClosed.from_receipt(listed.close("paper", sender=alice))
    assert (int(log.quantity), int(log.cost), int(log.discount)) == (-10 * WAD, sale.cost, 0)
    assert exchange.position(alice, key.root_id, 1).quantity == 0 and exchange.maker.cushion(key) == 0


def test_bounty_shares_sum_exactly(listed, exchange, owner, alice, bob, carol):
    bounties = Bounties.deploy(listed, sender=owner)
    exchange.token.mint(owner.address, 100 * 10**6, sender=owner)
    bounties.post("review", "paper", "100", sender=owner)
    paid = bounties.distribute("review", {alice: 1, bob: 1, owner: 1}, sender=carol)
    assert sorted(paid.values()) == [33_333_333, 33_333_333, 33_333_334]
    assert sum(paid.values()) == 100 * 10**6 and bounties.escrowed() == 0
    assert refused(errors.AlreadyDistributed, lambda: bounties.distribute("review", {alice: 1}, sender=carol))


def test_the_console_attaches_the_recorded_registry_and_escrow(arts, exchange, owner, chain, tmp_path, monkeypatch):
    """``ape run deploy`` records the registry and the escrow; ``ape console`` (its extras) and
    ``Artifacts.deployed`` / ``Bounties.deployed`` attach to them from the record."""
    from dataclasses import replace

    from ape_console_extras import ape_init_extras

    from pmarket.deployment import DeploymentNotFound, DeploymentRecord, save_record

    escrow = Bounties.deploy(arts, sender=owner)
    record = DeploymentRecord(
        chain_id=chain.chain_id, network="ethereum:local", exchange=exchange.address,
        collateral=str(exchange.token.address), collateral_decimals=6, max_branches=8, block=1,
        deployer=owner.address, tx_hash="0x00", maker=str(exchange.maker.address),
        artifacts=arts.address, bounties=escrow.address,
    )
    save_record(record, tmp_path / "deployments")
    monkeypatch.chdir(tmp_path)  # the extras read deployments/<chain id>.json from the working directory
    names = ape_init_extras(chain)
    assert names["exchange"].address == exchange.address
    assert names["artifacts"].address == arts.address and names["bounties"].address == escrow.address
    assert tuple(names["artifacts"].contract.parameters())[:2] == (90 * DAY, DAY)
    assert names["bounties"].artifacts.address == arts.address
    # a deployment made with --no-artifacts: the exchange attaches, the registry says why it cannot
    save_record(replace(record, artifacts="", bounties=""), tmp_path / "deployments")
    names = ape_init_extras(chain)
    assert "exchange" in names and "artifacts" not in names and "bounties" not in names
    with pytest.raises(DeploymentNotFound, match="--no-artifacts"):
        Artifacts.deployed(names["exchange"])
