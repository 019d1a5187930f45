"""A deployment with artifact markets rebuilt from its events by the independent node: managed
roots, hard freezes, a flagged close with pro-rata bonuses, claims through the registry, a tracked
pool's close after 90 days (at its price range, within the holder's credit), pool claims and the
registrant's reserve. The node must accept every event with the chain's values (tracked pools
from their ``PoolCreated``) and end with the chain's balances, ranges, credits and cushions."""

from __future__ import annotations

from pmarket.lifecycle import State

from .artifact_fixtures import *  # noqa: F401,F403 (fixtures)
from .artifact_fixtures import DAY, book_trade, give, register, root_of, warp_to


def test_a_node_rebuilds_artifact_markets_from_events(ex, registry, owner, oracle, alice, bob, carol, dave, chain):
    for who in (alice, bob, carol, dave):
        give(ex, owner, who, "100")
    # "thin": b = 1, a long and a short of 20 at 0.1 on the book, a pool buy; challenged, then
    # flagged: bob's bonus shrinks pro rata (the pool's funding cannot pay it whole).
    register(registry, owner, "thin", b="1")
    thin = root_of(registry, "thin")
    book_trade(ex, thin, alice, bob, "0.1", "20", sender=owner)
    ex.maker.buy(carol, registry.pool_key("thin"), "short", 1)
    registry.transition(oracle, "thin", "challenged")
    registry.settle_artifact(oracle, "thin", "flagged", progress=False)
    registry.transition(oracle, "thin", "listed")  # round 1, funded from the reserve
    # "slow": fees build a cushion of credits; after 90 days alice closes
    register(registry, owner, "slow", b="10", fee_bps=1000)
    key = registry.pool_key("slow")
    ex.maker.buy(alice, key, "long", 5)
    for _ in range(3):
        ex.maker.buy(dave, key, "short", 8)
        ex.maker.sell(dave, key, "short", 8)
    warp_to(chain, registry.info("slow").round_start + 90 * DAY + 1)
    registry.close(alice, "slow")
    ex.maker.buy(dave, key, "long", 2)
    registry.settle_artifact(oracle, "slow", "validated", progress=False)
    registry.withdraw_reserve(owner, "slow", owner)

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
    assert len(tracked) == 3  # thin's two rounds, slow's
    for pool in tracked:
        assert node.price_range(pool.key.id) == maker.price_range(pool.key)
        assert node.observe_pool(pool.key.id)[2] == maker.cushion(pool.key)
        for who in (alice, bob, carol, dave):
            assert node.credit(pool.key.id, who.address) == maker.credit(pool.key, who)
    assert node.credit(key.id, dave.address) > 0 and node.s.pools[key.id].cushion > 0
    assert registry.info("slow").state is State.VALIDATED
