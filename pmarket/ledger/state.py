"""State tables: the independent node replays the index and writes back what it rebuilt.

:func:`refresh` replays a deployment's indexed events through the node (offline, configured from
the index) and rewrites, in one transaction, every state table: balances, positions, markets and
their bounds, the open book, pools and their prices, artifacts and reputation scores. It returns
what the node did not accept (nothing, for a deployment of these contracts). Values are decimal
strings in the database: wad, and 36 decimals for a position's cost.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from eth_utils import to_checksum_address
from sqlalchemy import Table, select

from ..lmsr.pool import forward_price, prices
from ..orders import TradeType
from . import tables as t
from .schema import balances, deployments, positions
from .sync import Ledger, LedgerError, LogDecoder

Rows = list[dict[str, Any]]


def header_of(ledger: Ledger, deployment: int) -> dict[str, Any]:
    """The deployment's row as a ledger file's header (what :func:`archive.replay_from` takes)."""
    with ledger.engine.connect() as db:
        d = db.execute(select(deployments).where(deployments.c.id == deployment)).one()
    return {"chain_id": int(d.chain_id), "exchange": d.exchange, "maker": d.maker, "artifacts": d.artifacts,
            "bounties": d.bounties, "config": json.loads(d.config)}


def replay_index(ledger: Ledger, deployment: int, decoder: Optional[LogDecoder] = None) -> Any:
    """The node replayed from the deployment's indexed events (a :class:`~pmarket.node.replay.Replay`),
    configured from the index alone; ``decoder`` defaults to pmarket's compiled ABIs."""
    from .archive import decoder_of, replay_from

    header = header_of(ledger, deployment)
    if decoder is None:
        from ..transport import ape_project

        decoder = decoder_of(header, ape_project())
    if not header["config"]:
        raise LedgerError("this deployment was followed without its replay config: follow it with config=config_of(...)")
    return replay_from(header).feed(ledger.events(deployment, decoder))


def state_rows(replay: Any) -> dict[Table, Rows]:
    """Every state table's rows (without ``deployment_id``) from a replayed node."""
    s = replay.node.s
    out: dict[Table, Rows] = {
        balances: [{"account": a, "balance": str(b)} for a, b in sorted(s.balances.items())],
        positions: [
            {"trader": tr, "root_id": str(r), "branch_id": b, "quantity": str(p.quantity), "cost": str(p.cost)}
            for (tr, r, b), p in sorted(s.positions.items())
            if p.quantity or p.cost
        ],
        t.markets: [],
        t.book: [],
        t.pool_state: [],
        t.artifact_state: [],
        t.scores: [],
    }
    for root_id, root in sorted(s.registry.roots.items()):
        settled = s.registry.bounds(root_id, 1)
        for branch in range(1, root.branch_count + 1):
            bounds = s.registry.bounds(root_id, branch)
            out[t.markets].append({
                "root_id": str(root_id), "branch_id": branch, "min": str(bounds.min), "max": str(bounds.max),
                "owner": root.owner, "outcome": str(settled.min) if settled.is_point else None,
                "frozen": root.frozen, "managed": root.managed,
            })
    for order_hash, rec in s.book.items():
        order = s.orders.get(order_hash)
        if order is None or rec.remaining == 0 or rec.trade_type not in (TradeType.PRIMARY, TradeType.PARTIAL):
            continue
        out[t.book].append({
            "order_hash": "0x" + order_hash.hex(), "trader": order.trader, "root_id": str(order.market_root_id),
            "branch_id": order.market_branch_id, "price": str(order.price),
            "remaining": str(rec.remaining if order.quantity > 0 else -rec.remaining), "seq": rec.seq,
        })
    for pool_id, pool in s.pools.items():
        terms = pool.key.terms
        long, short = prices(terms, pool.q_long, pool.q_short)
        out[t.pool_state].append({
            "pool_id": "0x" + pool_id.hex(), "root_id": str(pool.key.root_id), "branch_id": pool.key.branch_id,
            "q_long": str(pool.q_long), "q_short": str(pool.q_short), "open": pool.open,
            "price_long": str(long), "price_short": str(short),
            "forward_price": str(forward_price(terms, pool.q_long, pool.q_short)),
        })
    for address, registry in replay.registries.items():
        for artifact, a in registry.artifacts.items():
            rnd = registry.rounds.get((artifact, a.round))
            out[t.artifact_state].append({
                "registry": address, "artifact": "0x" + artifact.hex(), "state": int(a.state), "round": a.round,
                "open": a.open, "reserve": str(a.reserve), "root_id": str(rnd.root_id if rnd else 0),
                "pool_id": "0x" + (rnd.pool_id if rnd else bytes(32)).hex(),
            })
        for trader, rep in registry.reputations.items():
            out[t.scores].append({
                "registry": address, "trader": trader, "correct": rep.correct, "incorrect": rep.incorrect,
                "correct_stake": str(rep.correct_stake), "total_stake": str(rep.total_stake), "score": str(rep.score),
            })
    return out


def refresh(ledger: Ledger, deployment: int, decoder: LogDecoder) -> list[tuple[str, str]]:
    """Replay the deployment's indexed events through the node and rewrite every state table in
    one transaction; returns the node's discrepancies ``(event name, error)``."""
    replay = replay_index(ledger, deployment, decoder)
    rows = state_rows(replay)
    with ledger.engine.begin() as db:
        for table, table_rows in rows.items():
            db.execute(table.delete().where(table.c.deployment_id == deployment))
            if table_rows:
                db.execute(table.insert(), [{"deployment_id": deployment, **r} for r in table_rows])
    return [(d.event.name, d.error) for d in replay.discrepancies]


def balance_of(ledger: Ledger, deployment: int, account: str) -> int:
    """An account's balance (wad) as of the last refresh (0 if it has none)."""
    with ledger.engine.connect() as db:
        value = db.execute(select(balances.c.balance).where(
            balances.c.deployment_id == deployment, balances.c.account == to_checksum_address(account))).scalar()
    return int(value) if value is not None else 0


def positions_of(ledger: Ledger, deployment: int, trader: Optional[str] = None) -> dict[tuple[str, int, int], tuple[int, int]]:
    """``(trader, root, branch) -> (quantity, cost36)`` as of the last refresh, for one trader or all."""
    query = select(positions).where(positions.c.deployment_id == deployment)
    if trader is not None:
        query = query.where(positions.c.trader == to_checksum_address(trader))
    with ledger.engine.connect() as db:
        rows = db.execute(query).all()
    return {(r.trader, int(r.root_id), int(r.branch_id)): (int(r.quantity), int(r.cost)) for r in rows}
