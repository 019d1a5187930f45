"""The ledger's read-only HTTP API (FastAPI): ``pmarket serve --db URL``, OpenAPI docs at ``/docs``.

Served from the index alone (no RPC): the seed's settlement history
``GET /api/market/settlements?artifact_id=X&agent_id=Y&limit=N``, the followed deployments with
their sync position, and the raw events. Integers that can exceed 2^53 (amounts, payoffs, event
arguments) are decimal strings, so no JSON reader rounds them.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from fastapi import FastAPI, HTTPException, Query
from sqlalchemy import select

from .. import __version__
from .schema import deployments, events
from .sync import Ledger


class AmbiguousDeployment(ValueError):
    """The database follows several deployments and none was chosen."""


def pick_deployment(ledger: Ledger, deployment: Optional[int] = None) -> int:
    """``deployment`` if it is followed, else the database's only one."""
    with ledger.engine.connect() as db:
        ids = [int(r.id) for r in db.execute(select(deployments.c.id))]
    if deployment is not None:
        if deployment not in ids:
            raise AmbiguousDeployment(f"deployment {deployment} is not in the index (it has {ids or 'none'})")
        return deployment
    if len(ids) != 1:
        raise AmbiguousDeployment(f"the index follows {len(ids)} deployments {ids}: choose one with --deployment-id")
    return ids[0]


def create_app(ledger: Ledger, deployment: int) -> FastAPI:
    """The API over ``ledger``'s deployment ``deployment``."""
    app = FastAPI(title="pmarket ledger", version=__version__, description=__doc__)

    @app.get("/api/market/settlements")
    def settlements(
        artifact_id: Optional[str] = Query(None, description="Artifact id (0x + 64 hex) or name."),
        agent_id: Optional[str] = Query(None, description="Trader address."),
        limit: int = Query(100, ge=1, le=10_000),
    ) -> list[dict[str, Any]]:
        """Settlement credits and debits, newest first, by artifact and by agent (trader)."""
        try:
            entries = ledger.settlement_history(deployment, artifact=artifact_id, trader=agent_id, limit=limit)
        except ValueError as err:  # not an address, not an artifact id
            raise HTTPException(status_code=422, detail=str(err)) from None
        return [
            {
                "artifact_id": "0x" + e.artifact.hex(),
                "agent_id": e.trader,
                "round": e.round,
                "amount": str(e.amount),
                "reason": e.reason,
                "payoff": str(e.payoff),
                "block": e.block,
                "tx": e.tx,
            }
            for e in entries
        ]

    @app.get("/api/deployment")
    def deployment_info() -> dict[str, Any]:
        """The followed deployment: chain, addresses and how far the index is synced."""
        with ledger.engine.connect() as db:
            row = db.execute(select(deployments).where(deployments.c.id == deployment)).one()
        return {k: getattr(row, k) for k in ("chain_id", "exchange", "maker", "artifacts", "bounties", "start_block", "next_block")}

    @app.get("/api/events")
    def event_list(
        name: Optional[str] = Query(None, description="Event name, e.g. OrdersMatched."),
        from_block: int = Query(0, ge=0),
        limit: int = Query(100, ge=1, le=10_000),
    ) -> list[dict[str, Any]]:
        """Raw events in chain order with their decoded arguments."""
        t = events
        query = select(t).where(t.c.deployment_id == deployment, t.c.block >= from_block)
        if name is not None:
            query = query.where(t.c.name == name)
        query = query.order_by(t.c.block, t.c.log_index).limit(limit)
        with ledger.engine.connect() as db:
            rows = db.execute(query).all()
        return [
            {"name": r.name, "block": r.block, "log_index": r.log_index, "tx": r.tx_hash, "address": r.address,
             "args": json.loads(r.args)}
            for r in rows
        ]

    return app
