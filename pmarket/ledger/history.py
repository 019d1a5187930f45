"""History tables derived from events as they are synced, and the queries they serve.

A projection turns one decoded event into one row of a history table; :meth:`Ledger.sync` writes
the rows in the same transaction as the events, so a table never runs ahead of or behind the
events it comes from. Today: ``Settlement`` -> ``settlements`` (:func:`settlement_history`).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from eth_utils import to_checksum_address
from sqlalchemy import Table, select
from sqlalchemy.engine import Engine

from ..artifact_history import SettlementEntry
from .schema import settlements

Row = dict[str, Any]


def _settlement(args: dict[str, Any]) -> Row:
    return {
        "artifact": "0x" + bytes(args["artifact"]).hex(),
        "trader": to_checksum_address(args["trader"]),
        "round": int(args["round"]),
        "amount": str(int(args["amount"])),
        "reason": bytes(args["reason"]).rstrip(b"\0").decode(),
        "payoff": str(int(args["payoff"])),
    }


#: Event name -> (table, the row's own columns from the event's arguments).
PROJECTIONS: dict[str, tuple[Table, Callable[[dict[str, Any]], Row], str]] = {
    "Settlement": (settlements, _settlement, "registry"),
}


def project(name: str, args: dict[str, Any], where: Row) -> Optional[tuple[Table, Row]]:
    """The history row of one event (``where``: deployment, block, log index, transaction and
    emitter), or ``None`` for an event without a history table."""
    projection = PROJECTIONS.get(name)
    if projection is None:
        return None
    table, columns, emitter = projection
    row = {k: where[k] for k in ("deployment_id", "block", "log_index", "tx_hash")}
    row[emitter] = where["address"]
    row.update(columns(args))
    return table, row


def settlement_history(
    engine: Engine, deployment: int, *, artifact: Optional[bytes] = None, trader: Optional[str] = None, limit: Optional[int] = None
) -> list[SettlementEntry]:
    """Settlement credits and debits from the index, newest first, by artifact and by trader:
    the same entries as :meth:`pmarket.artifacts.Artifacts.settlement_history` reads from logs."""
    t = settlements
    query = select(t).where(t.c.deployment_id == deployment)
    if artifact is not None:
        query = query.where(t.c.artifact == "0x" + bytes(artifact).hex())
    if trader is not None:
        query = query.where(t.c.trader == to_checksum_address(trader))
    query = query.order_by(t.c.block.desc(), t.c.log_index.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as db:
        rows = db.execute(query).all()
    return [
        SettlementEntry(bytes.fromhex(r.artifact[2:]), r.trader, int(r.round), int(r.amount), r.reason, int(r.payoff), int(r.block), r.tx_hash)
        for r in rows
    ]
