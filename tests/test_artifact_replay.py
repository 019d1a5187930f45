"""A deployment with artifact markets rebuilt from its events by the independent node: managed
roots, hard freezes, a flagged close with pro-rata bonuses, claims through the registry, a tracked
pool's close after 90 days (at its price range, within the holder's credit), a trigger on the price
range, pool claims, the registrant's reserve, roles, and bounties (distributed, reclaimed, and owed
to a claimant the token refuses). The node must accept every event with the chain's values (tracked
pools from their ``PoolCreated``) and end with the chain's balances, ranges, credits and cushions;
with the registry's and the escrows' events, with their state too (artifacts, rounds, reserves,
history, reputations, the ledger, roles; bounties, contributions, what is owed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pmarket.artifacts import artifact_id
from pmarket.bounties import Bounties
from pmarket.lifecycle import State
from pmarket.node.artifacts import ADMIN_ROLE, ORACLE_ROLE
from pmarket.node.replay import events_of, node_from_chain, replay_for

from .artifact_fixtures import *  # noqa: F401,F403 (fixtures)
from .artifact_fixtures import DAY, book_trade, give, register, root_of, warp_to

NAMES = ("thin", "slow", "hot")
TOKEN = 10**6


@pytest.fixture(scope="module")
def blk_escrow(project, registry, owner) -> Bounties:
    """An escrow of a token that refuses chosen accounts, beside the registry."""
    token = project.BlacklistToken.deploy(6, sender=owner)
    token.mint(owner.address, 1_000 * TOKEN, sender=owner)
    return Bounties.deploy(registry, token=token, sender=owner)


def test_a_node_rebuilds_artifact_markets_from_events(ex, registry, escrow, blk_escrow, owner, oracle, alice, bob, carol, dave, erin, chain):
    for who in (alice, bob, carol, dave):
        give(ex, owner, who, "100")
    # "thin": b = 1, a long and a short of 20 at 0.1 on the book, a pool buy; challenged, then
    # flagged: bob's bonus shrinks pro rata (the pool's funding cannot pay it whole).
    register(registry, owner, "thin", b="1")
    thin = root_of(registry, "thin")
    book_trade(ex, thin, alice, bob, "0.1", "20", sender=owner)
    ex.maker.buy(registry.pool_key("thin"), "short", 1, sender=carol)
    registry.transition("thin", "challenged", sender=oracle)
    registry.settle_artifact("thin", "flagged", progress=False, sender=oracle)
    registry.transition("thin", "listed", sender=oracle)  # round 1, funded from the reserve
    # "slow": fees build a cushion of credits; after 90 days alice closes
    register(registry, owner, "slow", b="10", fee_bps=1000)
    key = registry.pool_key("slow")
    ex.maker.buy(key, "long", 5, sender=alice)
    for _ in range(3):
        ex.maker.buy(key, "short", 8, sender=dave)
        ex.maker.sell(key, "short", 8, sender=dave)
    warp_to(chain, registry.info("slow").round_start + 90 * DAY + 1)
    registry.close("slow", sender=alice)
    ex.maker.buy(key, "long", 2, sender=dave)
    registry.settle_artifact("slow", "validated", progress=False, sender=oracle)
    registry.withdraw_reserve("slow", owner, sender=owner)
    # "hot": carol's buy holds the price past 0.7 for two days; bob (no oracle) triggers validated
    register(registry, owner, "hot", b="10")
    ex.maker.buy(registry.pool_key("hot"), "long", 10, sender=carol)
    warp_to(chain, registry.info("hot").round_start + 2 * DAY)
    registry.trigger("hot", "validated", sender=bob)
    registry.settle_round("hot", 0, progress=False, sender=bob)
    # bounties: one split by the oracle, one expired and reclaimed by its two funders, and one of
    # the refusing token whose refused share is owed and then taken elsewhere
    ex.token.mint(alice.address, 50 * TOKEN, sender=alice)
    ex.token.mint(bob.address, 50 * TOKEN, sender=bob)
    escrow.post("split", "slow", "30", sender=alice)
    escrow.fund("split", "10", sender=bob)
    escrow.distribute("split", {carol: 2, dave: 1}, sender=oracle)
    escrow.post("late", "thin", "5", expires_in=DAY, sender=alice)
    escrow.fund("late", "1", sender=bob)
    warp_to(chain, escrow.info("late").expires_at + 1)
    escrow.reclaim("late", sender=alice)
    escrow.reclaim("late", sender=bob)
    blk_escrow.post("refused", "hot", "100", sender=owner)
    blk_escrow.token.setRefusal(dave.address, 1, sender=owner)  # dave's transfers revert
    blk_escrow.distribute("refused", {alice: 1, dave: 1}, sender=oracle)
    blk_escrow.claim(to=erin, sender=dave)
    registry.revoke_oracle(oracle, sender=owner)

    # the Exchange's and the Maker's events alone rebuild the markets
    replay = ex.node()
    assert replay.discrepancies == []
    node = replay.node
    assert node.s.registry.roots[thin].flagged and node.s.flag_terms[thin].bonus_rate < 10**18
    for who in (alice, bob, carol, dave, registry.address, registry.pool_key("thin").account):
        assert node.balance(who) == ex.balance(who), who
    # every tracked pool's range, credits and cushion as the Maker keeps them (replayed from
    # PoolCreated's period, each trade, fill and close at its block's time)
    maker = registry.exchange.maker
    tracked = [p for p in node.s.pools.values() if p.tracked]
    assert len(tracked) == 4  # thin's two rounds, slow's, hot's
    for pool in tracked:
        assert node.price_range(pool.key.id) == maker.price_range(pool.key)
        assert node.observe(pool.key.id)[2] == maker.cushion(pool.key)
        for who in (alice, bob, carol, dave):
            assert node.credit(pool.key.id, who.address) == maker.credit(pool.key, who)
    assert node.credit(key.id, dave.address) > 0 and node.s.pools[key.id].cushion > 0
    assert registry.info("slow").state is State.VALIDATED

    # with the registry's and the escrows' events, their whole state
    full = node_from_chain(ex, registries=[registry], escrows=[escrow, blk_escrow])
    assert full.discrepancies == [], full.discrepancies[:3]
    assert full.applied > replay.applied and full.informational == replay.informational
    reg = full.registries[registry.address]
    _same_registry(reg, registry, (alice, bob, carol, dave, owner), chain)
    # roles from the registry's RoleGranted / RoleRevoked: the deployer administers, the oracle left
    assert reg.has_role(ADMIN_ROLE, owner.address) and not reg.has_role(ORACLE_ROLE, oracle.address)
    assert not registry.is_oracle(oracle)
    for chain_escrow, bounties in ((escrow, ("split", "late")), (blk_escrow, ("refused",))):
        _same_escrow(full.escrows[chain_escrow.address], chain_escrow, bounties, (alice, bob, carol, dave, erin, owner))
    assert full.escrows[blk_escrow.address].owed_total == 0 and blk_escrow.owed(dave) == 0

    # each rule bites: a stream with one record changed is refused at that record
    events = events_of(ex, registry, escrow, blk_escrow)

    def first_refusal(i: int, **args) -> tuple[str, str]:
        changed = [*events[:i], replace(events[i], args={**events[i].args, **args}), *events[i + 1:]]
        replay = replay_for(ex, registries=[registry], escrows=[escrow, blk_escrow]).feed(changed)
        d = replay.discrepancies[0]
        assert d.event == changed[i]
        return d.event.name, d.error

    def at(name: str, **match) -> int:
        return next(i for i, e in enumerate(events) if e.name == name and all(e.args[k] == v for k, v in match.items()))

    posted = at("LifecycleTransition", triggered=False, to=int(State.CHALLENGED))
    assert first_refusal(posted, by=bob.address) == ("LifecycleTransition", "AccessControlUnauthorizedAccount")
    scored = at("ReputationUpdated")
    name, error = first_refusal(scored, stake=int(events[scored].args["stake"]) + 1)
    assert name == "ReputationUpdated" and error.startswith("reputation")
    name, error = first_refusal(at("BountyPaid"), amount=1)
    assert name == "BountyPaid" and error.startswith("share 1 is not")
    opened = at("RoundOpened", round=1)
    name, error = first_refusal(opened, funding=int(events[opened].args["funding"]) + 1)
    assert name == "RoundOpened" and error.startswith("funding")
    credit = at("Settlement")
    name, error = first_refusal(credit, payoff=int(events[credit].args["payoff"]) + 1)
    assert name == "Settlement" and error.startswith("no claim paying")
    # without the oracle's grant, its first post is refused, and so is everything built on it
    grant = at("RoleGranted", account=oracle.address)
    replay = replay_for(ex, registries=[registry], escrows=[escrow, blk_escrow]).feed(events[:grant] + events[grant + 1:])
    assert replay.discrepancies[0].error == "AccessControlUnauthorizedAccount"


def _same_registry(reg, registry, traders, chain) -> None:
    for name in NAMES:
        aid = artifact_id(name)
        info = registry.info(name)
        assert reg.artifact_state(aid) == (info.state, info.round, info.open, info.round_start, info.registrant, info.reserve), name
        for round_ in range(info.round + 1):
            root_id, pool_id, outcome, collected = registry.contract.roundInfo(aid, round_)
            r = reg.round_info(aid, round_)
            assert (r.root_id, r.pool_id, r.outcome, r.collected) == (int(root_id), bytes(pool_id), State(int(outcome)), bool(collected))
        assert reg.history(aid) == registry.history(name), name
    for who in traders:
        assert reg.reputation(who.address) == registry.reputation(who), who
    head = chain.blocks.head.number
    logged = [(bytes(log.artifact), str(log.trader), int(log.round), int(log.payoff))
              for log in registry.contract.Settlement.range(registry.start_block, head + 1)]
    assert reg.ledger == logged and len(logged) > 5


def _same_escrow(esc, escrow, bounties, funders) -> None:
    assert (esc.escrowed, esc.owed_total) == (escrow.escrowed(), escrow.owed_total())
    for name in bounties:
        b, info = esc.bounty(artifact_id(name)), escrow.info(name)
        assert (b.artifact, b.funder, b.amount, b.distributed, b.expires_at) == (
            info.artifact, info.funder, info.amount, info.distributed, info.expires_at), name
        for who in funders:
            assert esc.contribution(artifact_id(name), who.address) == escrow.contribution(name, who), (name, who)
    for who in funders:
        assert esc.owed.get(who.address, 0) == escrow.owed(who), who
