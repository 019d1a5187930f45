"""State tables: the independent node replays the index and its balances and positions are
written back as rows, so positions and balances are served from the database, and each refresh
reports what the node did not accept."""

from __future__ import annotations

import json
from typing import Any, Optional

from eth_utils import to_checksum_address
from sqlalchemy import select

from .schema import balances, deployments, positions
from .sync import Ledger, LogDecoder


def header_of(ledger: Ledger, deployment: int) -> dict[str, Any]:
    """The deployment's row as a ledger file's header (what :func:`archive.replay_from` takes)."""
    with ledger.engine.connect() as db:
        d = db.execute(select(deployments).where(deployments.c.id == deployment)).one()
    return {"chain_id": int(d.chain_id), "exchange": d.exchange, "maker": d.maker, "config": json.loads(d.config)}


def refresh(ledger: Ledger, deployment: int, decoder: LogDecoder) -> list[tuple[str, str]]:
    """Replay the deployment's indexed events through the node and rewrite its balances and
    positions in one transaction; returns the node's discrepancies ``(event name, error)``."""
    from .archive import replay_from

    header = header_of(ledger, deployment)
    if not header["config"]:
        from .sync import LedgerError

        raise LedgerError("this deployment was followed without its replay config: follow it with config=config_of(...)")
    replay = replay_from(header).feed(ledger.events(deployment, decoder))
    s = replay.node.s
    balance_rows = [{"deployment_id": deployment, "account": a, "balance": str(b)} for a, b in sorted(s.balances.items())]
    position_rows = [
        {"deployment_id": deployment, "trader": t, "root_id": str(r), "branch_id": b, "quantity": str(p.quantity), "cost": str(p.cost)}
        for (t, r, b), p in sorted(s.positions.items())
        if p.quantity or p.cost
    ]
    with ledger.engine.begin() as db:
        db.execute(balances.delete().where(balances.c.deployment_id == deployment))
        db.execute(positions.delete().where(positions.c.deployment_id == deployment))
        if balance_rows:
            db.execute(balances.insert(), balance_rows)
        if position_rows:
            db.execute(positions.insert(), position_rows)
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
