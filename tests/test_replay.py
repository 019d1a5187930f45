"""The node rebuilt from a deployment's events agrees with the chain, and refuses forged entries."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pmarket.exchange import Exchange
from pmarket.node import Node
from pmarket.matching import Leg, MatchRequest, offset_of
from pmarket.node.replay import Replay, events_of, node_from_chain
from pmarket.orders import Order
from pmarket.scenario import Scenario
from pmarket.scenario.chain import ChainBackend
from pmarket.scenario.runner import Runner

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def _played(project, name: str):
    scenario = Scenario.load(EXAMPLES / f"{name}.json")
    runner = Runner(scenario, ChainBackend(scenario.traders, project=project))
    runner.run()
    exchange = Exchange.at(runner.backend.ex.address, project=project)
    exchange.start_block = 0
    return scenario, runner, exchange


@pytest.mark.parametrize("name", ["interior_minimum", "partial_legs", "cancel_reduce", "claims", "batch"])
def test_replayed_node_matches_the_chain(project, name):
    scenario, runner, exchange = _played(project, name)
    replay = node_from_chain(exchange)
    assert replay.discrepancies == []
    node = replay.node
    for trader in scenario.traders:
        who = runner.address(trader)
        assert node.worst_case(who) == exchange.worst_case(who)
        for root, branch in runner.markets:
            assert node.position(who, root, branch) == exchange.position(who, root, branch)
    for oid, signed in runner.orders.items():
        record = node.s.book.get(signed.hash)
        assert (record.remaining if record else 0) == exchange.order_state(signed)[2], oid


def test_node_never_builds_on_an_order_it_rejects(project):
    _, runner, exchange = _played(project, "interior_minimum")
    events = events_of(exchange)
    first = next(i for i, e in enumerate(events) if e.name == "OrderAdded")
    signature = bytes(events[first].args["signature"])
    forged_sig = signature[:64] + bytes([55 - signature[64]])  # v is 27 or 28: flip it
    forged = replace(events[first], args={**events[first].args, "signature": forged_sig})
    template = node_from_chain(exchange).node  # a node with the deployment's constants
    replay = Replay(Node(template.s.config)).feed(events[:first] + [forged] + events[first + 1 :])
    errors = [d.error for d in replay.discrepancies]
    assert errors[0] == "InvalidSignature"
    # the match that used it is refused too, and alice's next order breaks her chain in the node
    assert "OrderNotOpen" in errors
    assert bytes(events[first].args["orderHash"]) not in replay.node.s.book


def test_a_contract_wallets_orders_replay_from_their_events(project, owner, alice, bob):
    """A TestWallet (alice's key signs for it) buys 4 from bob through the book, then places another
    order and cancels it with an Offset signed for the wallet. The node cannot run the wallet: each wallet order's
    ``OrderAdded`` says the chain checked it through ERC-1271 (its ``erc1271`` field), and the
    replay takes that word for that digest only."""
    token = project.TestToken.deploy("Test USD", "tUSD", 6, sender=owner)
    ex = Exchange.deploy(collateral=token, max_branches=8, sender=owner)
    ex.define(3, 1, "0", "1", sender=owner)
    wallet = project.TestWallet.deploy(alice.address, sender=alice)
    for who in (wallet.address, bob.address):
        units = ex.token_units("100")
        token.mint(owner.address, units, sender=owner)
        token.approve(ex.address, units, sender=owner)
        ex.contract.depositFor(who, units, sender=owner)
    bid = Order.limit(wallet.address, 3, 1, "0.5", "4").sign(alice, ex.domain)
    ex.place(bid, sender=bob)
    ask = ex.sign_limit(bob, 3, 1, "0.5", "-4")
    ex.place(ask)
    ex.match(MatchRequest(Leg(bid.order), Leg(ask.order), 4 * 10**18), sender=bob)
    rest = Order.limit(wallet.address, 3, 1, "0.4", "2", previous=bid.hash).sign(alice, ex.domain)
    ex.place(rest, sender=bob)
    ex.cancel(alice, rest.order, sender=bob)
    offset = offset_of(rest.order, rest.hash).sign(alice, ex.domain)

    replay = node_from_chain(ex)
    assert [d.error for d in replay.discrepancies] == []
    assert replay.node.position(wallet.address, 3, 1) == ex.position(wallet.address, 3, 1)
    assert replay.node.s.book[rest.hash].remaining == 0 == ex.order_state(rest)[2]
    assert replay.wallet_signed == {bid.hash, rest.hash, offset.hash}
    assert ask.hash not in replay.wallet_signed  # bob's order: an EOA's, verified by the node


def test_chain_backend_reports_errors_with_their_values(project):
    from pmarket import errors

    backend = ChainBackend(["ann"], project=project)
    with pytest.raises(errors.UnknownMarket) as refused:
        backend.settle(backend.admin, 77, 10**18)
    assert refused.value.values == {"rootId": 77, "branchId": 1}
