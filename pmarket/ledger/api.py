"""The ledger's read-only HTTP API (FastAPI): ``pmarket serve --db URL``, OpenAPI docs at ``/docs``.

Served from the index alone (no RPC): the seed's settlement history
``GET /api/market/settlements?artifact_id=X&agent_id=Y&limit=N``, markets and the book of each,
a trader's positions with P&L, orders and trades, pools with their prices, artifacts with their
rounds and lifecycle, reputation, bounties, the followed deployment and the raw events. Integers
that can exceed 2^53 (amounts, prices, ids, event arguments) are decimal strings, so no JSON
reader rounds them. State (markets, book, positions, pools, artifacts, scores) is as of the last
refresh (``pmarket ledger sync`` refreshes after every sync).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from fastapi import FastAPI, HTTPException, Query
from sqlalchemy import select

from .. import __version__
from . import queries as q
from .schema import deployments, events
from .sync import Ledger

Rows = list[dict[str, Any]]


def _address(value: Optional[str], what: str) -> Optional[str]:
    """A checksummed address, or 422 naming what was wrong."""
    from eth_utils import is_address, to_checksum_address

    if value is None:
        return None
    if not is_address(value):
        raise HTTPException(status_code=422, detail=f"{what}={value!r} is not an address")
    return to_checksum_address(value)


def _hash(value: Optional[str], what: str) -> Optional[bytes]:
    """A bytes32 id from ``0x`` + 64 hex, or 422."""
    if value is None:
        return None
    text = value[2:] if value.startswith("0x") else value
    if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise HTTPException(status_code=422, detail=f"{what}={value!r} is not 0x + 64 hex digits")
    return bytes.fromhex(text)


def _uint(value: Optional[str], what: str) -> Optional[int]:
    """A uint256 (decimal or 0x hex), or 422."""
    if value is None:
        return None
    try:
        number = int(value, 0)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"{what}={value!r} is not an integer") from None
    if not 0 <= number < 2**256:
        raise HTTPException(status_code=422, detail=f"{what}={value!r} is outside 0..2^256-1")
    return number


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

    _state_routes(app, ledger, deployment)
    return app


def _state_routes(app: FastAPI, ledger: Ledger, deployment: int) -> None:
    """Markets, book, traders, pools, artifacts, reputation and bounties (:mod:`.queries`)."""
    engine = ledger.engine
    limit_q = Query(100, ge=1, le=10_000)

    @app.get("/api/markets")
    def market_list(root_id: Optional[str] = Query(None, description="A root id (decimal or 0x hex).")) -> Rows:
        """Every market (root, branch): effective bounds, owner, outcome once settled, frozen, managed."""
        return q.markets(engine, deployment, _uint(root_id, "root_id"))

    @app.get("/api/markets/{root_id}/{branch_id}/book")
    def market_book(root_id: str, branch_id: int) -> dict[str, Any]:
        """The open book: bids best first, asks best first (price, then time), best bid, best ask, mid."""
        return q.book(engine, deployment, _uint(root_id, "root_id") or 0, branch_id)

    @app.get("/api/traders/{trader}/portfolio")
    def trader_portfolio(trader: str) -> dict[str, Any]:
        """Balance, positions with average price, mark and unrealised P&L, and realised P&L (claims)."""
        return q.portfolio(engine, deployment, _address(trader, "trader") or "")

    @app.get("/api/orders")
    def order_list(trader: Optional[str] = None, root_id: Optional[str] = None, limit: int = limit_q) -> Rows:
        """Orders that entered the book, newest first, with what remains open of each."""
        return q.orders(engine, deployment, trader=_address(trader, "trader"), root_id=_uint(root_id, "root_id"), limit=limit)

    @app.get("/api/matches")
    def match_list(root_id: Optional[str] = None, order_hash: Optional[str] = None, limit: int = limit_q) -> Rows:
        """Matches, newest first, of a root or of one order."""
        return q.matches(engine, deployment, root_id=_uint(root_id, "root_id"), order_hash=_hash(order_hash, "order_hash"), limit=limit)

    @app.get("/api/trades")
    def trade_list(trader: Optional[str] = None, pool_id: Optional[str] = None, limit: int = limit_q) -> Rows:
        """Trades with pools (trade, fill, close), newest first."""
        return q.trades(engine, deployment, trader=_address(trader, "trader"), pool_id=_hash(pool_id, "pool_id"), limit=limit)

    @app.get("/api/pools")
    def pool_list(root_id: Optional[str] = None) -> Rows:
        """Every pool: key, funding, shares outstanding, whether it trades, prices (long, short, forward)."""
        return q.pools(engine, deployment, _uint(root_id, "root_id"))

    @app.get("/api/artifacts")
    def artifact_list() -> Rows:
        """Every artifact: state, round, reserve, registration, rounds and lifecycle transitions."""
        return q.artifacts(engine, deployment)

    @app.get("/api/artifacts/{artifact_id}")
    def artifact_one(artifact_id: str) -> dict[str, Any]:
        """One artifact with its history (404 if the index has none of that id)."""
        found = q.artifacts(engine, deployment, _hash(artifact_id, "artifact_id"))
        if not found:
            raise HTTPException(status_code=404, detail=f"no artifact {artifact_id} in the index")
        return found[0]

    @app.get("/api/reputation")
    def reputation_list(trader: Optional[str] = None) -> Rows:
        """Reputation scores (wad) best first; with a trader, their record's history too."""
        return q.reputation(engine, deployment, _address(trader, "trader"))

    @app.get("/api/bounties")
    def bounty_list(bounty_id: Optional[str] = None, limit: int = limit_q) -> Rows:
        """The bounty escrow's events, newest first."""
        return q.bounties(engine, deployment, _hash(bounty_id, "bounty_id"), limit)
