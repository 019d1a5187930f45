"""Queries the index serves: history (settlements, orders, matches, trades, transitions,
reputation, bounties) and state (markets, the book, positions with P&L, pools and prices,
artifacts), each one SQL query over the tables of :mod:`.schema` and :mod:`.tables`.

Rows come back as dicts of the table's columns (without ``id`` and ``deployment_id``), amounts as
decimal strings exactly as stored, so the HTTP API passes them on unchanged and no reader rounds a
wad. :func:`settlement_history` gives :class:`~pmarket.artifact_history.SettlementEntry` objects, as
the client's own call does. State rows are as of the last :func:`.state.refresh`.
"""

from __future__ import annotations

from typing import Any, Optional

from eth_utils import to_checksum_address
from sqlalchemy import Table, and_, or_, select
from sqlalchemy.engine import Engine

from ..artifact_history import SettlementEntry
from . import tables as t
from .schema import balances, positions, settlements

Row = dict[str, Any]
WAD = 10**18
_HIDDEN = ("id", "deployment_id")


def _rows(engine: Engine, query: Any) -> list[Row]:
    with engine.connect() as db:
        return [{k: v for k, v in r._mapping.items() if k not in _HIDDEN} for r in db.execute(query)]


def _newest(table: Table, query: Any, limit: Optional[int]) -> Any:
    query = query.order_by(table.c.block.desc(), table.c.log_index.desc())
    return query.limit(limit) if limit is not None else query


def _hex(value: Any) -> str:
    return value if isinstance(value, str) else "0x" + bytes(value).hex()


def settlement_history(
    engine: Engine, deployment: int, *, artifact: Optional[bytes] = None, trader: Optional[str] = None, limit: Optional[int] = None
) -> list[SettlementEntry]:
    """Settlement credits and debits, newest first, by artifact and by trader: the same entries as
    :meth:`pmarket.artifacts.Artifacts.settlement_history` reads from logs."""
    s = settlements
    query = select(s).where(s.c.deployment_id == deployment)
    if artifact is not None:
        query = query.where(s.c.artifact == _hex(artifact))
    if trader is not None:
        query = query.where(s.c.trader == to_checksum_address(trader))
    return [
        SettlementEntry(bytes.fromhex(r["artifact"][2:]), r["trader"], int(r["round"]), int(r["amount"]), r["reason"],
                        int(r["payoff"]), int(r["block"]), r["tx_hash"])
        for r in _rows(engine, _newest(s, query, limit))
    ]


def markets(engine: Engine, deployment: int, root_id: Optional[int] = None) -> list[Row]:
    """Every market (root, branch) with its effective bounds, owner, outcome once settled, flags."""
    m = t.markets
    query = select(m).where(m.c.deployment_id == deployment)
    if root_id is not None:
        query = query.where(m.c.root_id == str(root_id))
    return sorted(_rows(engine, query), key=lambda r: (int(r["root_id"]), r["branch_id"]))


def book(engine: Engine, deployment: int, root_id: int, branch_id: int) -> Row:
    """The open book of market ``(root_id, branch_id)``: ``bids`` best (highest) first and ``asks``
    best (lowest) first, each by price then time (``seq``), with ``best_bid``, ``best_ask`` and
    ``mid`` (wad, rounded down; ``None`` without both sides)."""
    b = t.book
    rows = _rows(engine, select(b).where(b.c.deployment_id == deployment, b.c.root_id == str(root_id), b.c.branch_id == branch_id))
    bids = sorted((r for r in rows if int(r["remaining"]) > 0), key=lambda r: (-int(r["price"]), r["seq"]))
    asks = sorted((r for r in rows if int(r["remaining"]) < 0), key=lambda r: (int(r["price"]), r["seq"]))
    best_bid = int(bids[0]["price"]) if bids else None
    best_ask = int(asks[0]["price"]) if asks else None
    mid = (best_bid + best_ask) // 2 if best_bid is not None and best_ask is not None else None
    return {"root_id": str(root_id), "branch_id": branch_id, "bids": bids, "asks": asks,
            "best_bid": _str(best_bid), "best_ask": _str(best_ask), "mid": _str(mid)}


def _str(value: Optional[int]) -> Optional[str]:
    return None if value is None else str(value)


def orders(engine: Engine, deployment: int, *, trader: Optional[str] = None, root_id: Optional[int] = None,
           limit: Optional[int] = None) -> list[Row]:
    """Orders that entered the book, newest first, with ``remaining`` (signed; ``"0"`` once closed)."""
    o, b = t.orders, t.book
    query = (
        select(o, b.c.remaining)
        .outerjoin(b, and_(b.c.deployment_id == o.c.deployment_id, b.c.order_hash == o.c.order_hash))
        .where(o.c.deployment_id == deployment)
    )
    if trader is not None:
        query = query.where(o.c.trader == to_checksum_address(trader))
    if root_id is not None:
        query = query.where(o.c.root_id == str(root_id))
    rows = _rows(engine, _newest(o, query, limit))
    for r in rows:
        r["remaining"] = r["remaining"] or "0"
    return rows


def matches(engine: Engine, deployment: int, *, root_id: Optional[int] = None, order_hash: Optional[bytes] = None,
            limit: Optional[int] = None) -> list[Row]:
    """Matches, newest first, of a market's root or of one order (as bid or ask)."""
    m = t.matches
    query = select(m).where(m.c.deployment_id == deployment)
    if root_id is not None:
        query = query.where(m.c.root_id == str(root_id))
    if order_hash is not None:
        h = _hex(order_hash)
        query = query.where(or_(m.c.bid_hash == h, m.c.ask_hash == h))
    return _rows(engine, _newest(m, query, limit))


def trades(engine: Engine, deployment: int, *, trader: Optional[str] = None, pool_id: Optional[bytes] = None,
           limit: Optional[int] = None) -> list[Row]:
    """Trades with pools (``trade``, ``fill``, ``close``), newest first, by trader or by pool."""
    tr = t.trades
    query = select(tr).where(tr.c.deployment_id == deployment)
    if trader is not None:
        query = query.where(tr.c.trader == to_checksum_address(trader))
    if pool_id is not None:
        query = query.where(tr.c.pool_id == _hex(pool_id))
    return _rows(engine, _newest(tr, query, limit))


def balances_of(engine: Engine, deployment: int) -> dict[str, int]:
    """Every account's balance (wad)."""
    return {r["account"]: int(r["balance"]) for r in _rows(engine, select(balances).where(balances.c.deployment_id == deployment))}


def pools(engine: Engine, deployment: int, root_id: Optional[int] = None) -> list[Row]:
    """Every pool: its key, funding and period (from ``PoolCreated``) with its shares outstanding,
    whether it trades, and its prices (long, short and forward, wad; ``None`` before a refresh)."""
    p, s = t.pools, t.pool_state
    query = (
        select(p, s.c.q_long, s.c.q_short, s.c.open, s.c.price_long, s.c.price_short, s.c.forward_price)
        .outerjoin(s, and_(s.c.deployment_id == p.c.deployment_id, s.c.pool_id == p.c.pool_id))
        .where(p.c.deployment_id == deployment)
        .order_by(p.c.block, p.c.log_index)
    )
    if root_id is not None:
        query = query.where(p.c.root_id == str(root_id))
    return _rows(engine, query)


def portfolio(engine: Engine, deployment: int, trader: str) -> Row:
    """A trader's balance and positions with P&L. Each position carries ``average_price`` (cost /
    quantity, wad), a ``mark`` (the open pool's forward price on that market, else the book's mid,
    else none) and ``unrealised`` = ``(quantity * mark - cost) / 1e18`` (wad, rounded down: against
    the trader). ``realised`` is the sum of the trader's claimed payoffs (wad)."""
    trader = to_checksum_address(trader)
    marks: dict[tuple[str, int], tuple[int, str]] = {}
    for pool in pools(engine, deployment):
        if pool["open"]:
            marks.setdefault((pool["root_id"], pool["branch_id"]), (int(pool["forward_price"]), "pool"))
    out = []
    for r in _rows(engine, select(positions).where(positions.c.deployment_id == deployment, positions.c.trader == trader)):
        q, cost = int(r["quantity"]), int(r["cost"])
        key = (r["root_id"], r["branch_id"])
        if key not in marks:
            mid = book(engine, deployment, int(r["root_id"]), r["branch_id"])["mid"]
            if mid is not None:
                marks[key] = (int(mid), "book")
        mark, source = marks.get(key, (None, None))
        out.append({
            **r, "average_price": str(cost // q) if q else None, "mark": _str(mark), "mark_source": source,
            "unrealised": str((q * mark - cost) // WAD) if mark is not None else None,
        })
    tf = t.transfers
    claims = _rows(engine, select(tf.c.amount).where(tf.c.deployment_id == deployment, tf.c.kind == "claim", tf.c.account == trader))
    balance = _rows(engine, select(balances.c.balance).where(balances.c.deployment_id == deployment, balances.c.account == trader))
    return {"trader": trader, "balance": balance[0]["balance"] if balance else "0", "positions": out,
            "realised": str(sum(int(c["amount"]) for c in claims))}


def artifacts(engine: Engine, deployment: int, artifact: Optional[bytes] = None) -> list[Row]:
    """Every artifact (or one): its state in its registry with its registration, its rounds and its
    transitions, oldest first."""
    s, a, tr = t.artifact_state, t.artifacts, t.transitions
    query = select(s).where(s.c.deployment_id == deployment)
    if artifact is not None:
        query = query.where(s.c.artifact == _hex(artifact))
    out = []
    for row in _rows(engine, query):
        same = (a.c.deployment_id == deployment, a.c.artifact == row["artifact"])
        records = _rows(engine, select(a).where(*same).order_by(a.c.block, a.c.log_index))
        history = _rows(engine, select(tr).where(tr.c.deployment_id == deployment, tr.c.artifact == row["artifact"])
                        .order_by(tr.c.block, tr.c.log_index))
        registered = next((r for r in records if r["round"] is None), {})
        out.append({**row, "registrant": registered.get("registrant"), "b": registered.get("b"),
                    "fee_bps": registered.get("fee_bps"), "rounds": [r for r in records if r["round"] is not None],
                    "transitions": history})
    return out


def reputation(engine: Engine, deployment: int, trader: Optional[str] = None) -> list[Row]:
    """Traders' reputation scores (wad) and records, best first; with one trader, its history too."""
    s = t.scores
    query = select(s).where(s.c.deployment_id == deployment)
    if trader is not None:
        query = query.where(s.c.trader == to_checksum_address(trader))
    rows = sorted(_rows(engine, query), key=lambda r: (-int(r["score"]), r["trader"]))
    if trader is not None:
        h = t.reputation
        history = _rows(engine, select(h).where(h.c.deployment_id == deployment, h.c.trader == to_checksum_address(trader))
                        .order_by(h.c.block, h.c.log_index))
        for r in rows:
            r["history"] = [x for x in history if x["emitter"] == r["registry"]]
    return rows


def bounties(engine: Engine, deployment: int, bounty_id: Optional[bytes] = None, limit: Optional[int] = None) -> list[Row]:
    """The bounty escrow's events, newest first, of every bounty or of one."""
    b = t.bounties
    query = select(b).where(b.c.deployment_id == deployment)
    if bounty_id is not None:
        query = query.where(b.c.bounty_id == _hex(bounty_id))
    return _rows(engine, _newest(b, query, limit))


def traders_of(engine: Engine, deployment: int, root_id: int, pool_ids: set[str]) -> list[str]:
    """Every account with an order in ``root_id``, a trade with or a fill by one of ``pool_ids``:
    order traders first, then pool traders, then fill owners, each in chain order, every account
    once (exactly what :meth:`pmarket.artifacts.Artifacts.traders_of` reads from logs)."""
    o, tr = t.orders, t.trades
    seen: dict[str, None] = {}
    query = select(o.c.trader).where(o.c.deployment_id == deployment, o.c.root_id == str(root_id))
    for r in _rows(engine, query.order_by(o.c.block, o.c.log_index)):
        seen[r["trader"]] = None
    for kind in ("trade", "fill"):
        query = select(tr.c.trader).where(tr.c.deployment_id == deployment, tr.c.kind == kind, tr.c.pool_id.in_(sorted(pool_ids)))
        for r in _rows(engine, query.order_by(tr.c.block, tr.c.log_index)):
            seen[r["trader"]] = None
    return list(seen)
