"""Speed of the ledger index (for ``make bench``; see scripts/bench.py and docs/ledger.md)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _busy_deployment(project: Any, pairs: int) -> tuple[Any, int]:
    """A fresh deployment with ``pairs`` matched pairs of orders (three events each), sent through
    the scenario backend's raw transport and signed over the EIP-712 digest directly; returns the
    backend and the deployment's first block."""
    from ape import chain
    from eth_keys import keys

    from pmarket.matching import Leg, MatchRequest
    from pmarket.node.verify import order_digest
    from pmarket.orders import ZERO_HASH, Order, SignedOrder
    from pmarket.scenario.chain import ChainBackend
    from pmarket.wad import WAD

    start = chain.blocks.head.number + 1
    backend = ChainBackend(["ann", "bob"], project=project)
    ann, bob = list(backend.keys)[1:3]
    backend.define(backend.admin, 1, 1, 0, 100 * WAD)
    for who in (ann, bob):
        backend.deposit(who, "1000000")
    heads = {ann: ZERO_HASH, bob: ZERO_HASH}
    domain = backend.domain

    def signed(who: str, quantity: str) -> SignedOrder:
        order = Order.limit(who, 1, 1, "50", quantity).with_previous(heads[who])
        digest = order_digest(order, domain.chain_id, domain.verifying_contract)
        sig = keys.PrivateKey(bytes(backend.keys[who].key)).sign_msg_hash(digest)
        heads[who] = digest
        return SignedOrder(order, sig.to_bytes()[:64] + bytes([sig.v + 27]), digest)

    for _ in range(pairs):
        bid, ask = signed(ann, "1"), signed(bob, "-1")
        backend.place(ann, bid)
        backend.place(bob, ask)
        backend.match(MatchRequest(Leg(bid.order), Leg(ask.order), WAD))
    return backend, start


def _settled_deployment(project: Any) -> tuple[Any, int]:
    """An artifact market taken through its lifecycle to settlement (the scenario runner)."""
    from ape import chain

    from pmarket.scenario import Scenario
    from pmarket.scenario.chain import ChainBackend
    from pmarket.scenario.runner import Runner

    actions: list[dict[str, Any]] = [
        {"do": "deposit", "by": "ann", "amount": "1000"},
        {"do": "deposit", "by": "bob", "amount": "1000"},
        {"do": "grant", "by": "admin", "role": "oracle", "to": "ora"},
        {"do": "artifact", "by": "reg", "id": "paper", "b": "10", "fee": 100},
        {"do": "order", "by": "ann", "id": "pa", "root": "paper", "branch": 1, "price": "0.6", "quantity": "10"},
        {"do": "order", "by": "bob", "id": "pb", "root": "paper", "branch": 1, "price": "0.6", "quantity": "-10"},
        {"do": "match", "bid": "pa", "ask": "pb", "quantity": "10"},
        {"do": "lifecycle", "by": "ora", "artifact": "paper", "state": "validated"},
        {"do": "settle_artifact", "by": "cat", "artifact": "paper"},
    ]
    start = chain.blocks.head.number + 1
    scenario = Scenario.load({"actions": actions})
    runner = Runner(scenario, ChainBackend(scenario.traders, project=project))
    runner.run()
    return runner, start


def ledger_speed(project: Any, pairs: int = 3_400) -> dict[str, Any]:
    """Sync throughput over 10,000+ events (SQLite file), and an agent's settlement history from
    the index against the same query by log filter over RPC (median of 20 each)."""
    from ape import chain

    from pmarket.artifacts import Artifacts
    from pmarket.exchange import Exchange
    from pmarket.ledger import Ledger, LogDecoder, LogSource

    source = LogSource(chain.provider.web3.provider.make_request)
    backend, start = _busy_deployment(project, pairs)
    decoder = LogDecoder({h.address: h.contract_type for h in (backend.ex, backend.maker, backend.registry, backend.escrow)})
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(f"sqlite:///{Path(folder) / 'bench.db'}")
        deployment = ledger.follow(chain.chain_id, backend.ex.address, start, maker=backend.maker.address)
        began = time.perf_counter()
        report = ledger.sync(source, deployment, decoder, confirmations=0)
        seconds = time.perf_counter() - began

        # The seed's query: one agent's settlement history, from the index and from the logs.
        runner, start = _settled_deployment(project)
        b = runner.backend
        exchange = Exchange.at(b.ex.address, project=project)
        registry = Artifacts.at(b.registry.address, exchange, project=project, start_block=start)
        decoder = LogDecoder({h.address: h.contract_type for h in (b.ex, b.maker, b.registry, b.escrow)})
        settled = ledger.follow(chain.chain_id, b.ex.address, start, maker=b.maker.address, artifacts=b.registry.address)
        ledger.sync(source, settled, decoder, confirmations=0)
        ann = runner.address("ann")
        assert ledger.settlement_history(settled, trader=ann) == registry.settlement_history(trader=ann) != []
        index_s = statistics.median(_timed(lambda: ledger.settlement_history(settled, trader=ann)) for _ in range(20))
        rpc_s = statistics.median(_timed(lambda: registry.settlement_history(trader=ann)) for _ in range(20))
    return {
        "ledger: events synced": report.events,
        "ledger: sync throughput (events per second, SQLite)": int(report.events / seconds),
        "ledger: log queries for the sync": report.queries,
        "ledger: an agent's settlement history from the index (ms)": round(index_s * 1000, 2),
        "ledger: the same by log query over RPC (ms)": round(rpc_s * 1000, 2),
        "ledger: RPC / index time": round(rpc_s / index_s, 1),
    }


def _timed(fn: Any) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began
