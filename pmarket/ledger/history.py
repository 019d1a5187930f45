"""History rows derived from events as they are synced (projections).

A projection turns one decoded event into one row of a history table (:mod:`.tables`, and
``settlements`` in :mod:`.schema`). :meth:`Ledger.sync` and :func:`.archive.import_file` write the
rows in the same transaction as the events, so a table never runs ahead of or behind the events it
comes from. Each row keeps the event's place: deployment, block, log index, transaction, emitter.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from eth_utils import to_checksum_address
from sqlalchemy import Table

from . import tables as t
from .schema import settlements

Row = dict[str, Any]


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


def _text(value: Any) -> str:
    return str(int(value))


def _id(value: Any) -> str:
    """A hash (bytes32, as ``0x`` hex) or an address (already text, checksummed)."""
    return value if isinstance(value, str) else _hex(value)


def _settlement(a: dict[str, Any]) -> Row:
    return {
        "artifact": _hex(a["artifact"]),
        "trader": to_checksum_address(a["trader"]),
        "round": int(a["round"]),
        "amount": _text(a["amount"]),
        "reason": bytes(a["reason"]).rstrip(b"\0").decode(),
        "payoff": _text(a["payoff"]),
    }


def _definition(a: dict[str, Any]) -> Row:
    return {
        "root_id": _text(a["rootId"]), "branch_id": int(a["branchId"]), "definer": a["definer"],
        "min": _text(a["min"]), "max": _text(a["max"]),
        "effective_min": _text(a["effectiveMin"]), "effective_max": _text(a["effectiveMax"]),
    }


def _order(a: dict[str, Any]) -> Row:
    # The Order tuple, in OrderStructs.Order's field order.
    trade_root, trade_branch, is_matched, price, quantity, root, branch, trader, kind, previous, expiry = a["order"]
    return {
        "order_hash": _hex(a["orderHash"]), "trader": trader, "root_id": _text(root), "branch_id": int(branch),
        "trade_type": int(kind), "trade_root_id": _text(trade_root), "trade_branch_id": int(trade_branch),
        "is_matched": bool(is_matched), "price": _text(price), "quantity": _text(quantity), "previous": _hex(previous),
        "expiry": int(expiry), "signature": _hex(a["signature"]), "relayer": a["relayer"], "erc1271": bool(a["erc1271"]),
    }


def _match(a: dict[str, Any]) -> Row:
    return {
        "bid_hash": _hex(a["bidHash"]), "ask_hash": _hex(a["askHash"]), "root_id": _text(a["rootId"]),
        "branch_id": int(a["branchId"]), "quantity": _text(a["quantity"]), "price": _text(a["price"]),
    }


def _amendment(kind: str, by: str, quantity: str, remaining: Optional[str] = None) -> Callable[[dict[str, Any]], Row]:
    def row(a: dict[str, Any]) -> Row:
        return {
            "kind": kind, "order_hash": _hex(a["orderHash"]), "by_hash": _id(a[by]),
            "quantity": _text(a[quantity]) if quantity else "0", "remaining": _text(a[remaining]) if remaining else None,
        }

    return row


def _trade(kind: str, trader: str) -> Callable[[dict[str, Any]], Row]:
    def row(a: dict[str, Any]) -> Row:
        return {
            "kind": kind, "pool_id": _hex(a["poolId"]), "trader": a[trader],
            "order_hash": _hex(a["orderHash"]) if "orderHash" in a else "",
            "side": int(a["side"]) if "side" in a else None, "quantity": _text(a["quantity"]), "cost": _text(a["cost"]),
            "fee": _text(a.get("fee", 0)), "discount": _text(a.get("discount", 0)),
        }

    return row


def _pool(a: dict[str, Any]) -> Row:
    root, branch, lo, hi, b, fee_bps, creator, salt = a["key"]
    return {
        "pool_id": _hex(a["poolId"]), "creator": creator, "root_id": _text(root), "branch_id": int(branch),
        "lo": _text(lo), "hi": _text(hi), "b": _text(b), "fee_bps": int(fee_bps), "salt": _text(salt),
        "account": a["account"], "funding": _text(a["funding"]), "period": int(a["period"]),
    }


def _transfer(kind: str) -> Callable[[dict[str, Any]], Row]:
    def row(a: dict[str, Any]) -> Row:
        if kind == "claim":
            return {"kind": kind, "account": a["trader"], "counterparty": a["caller"], "root_id": _text(a["rootId"]),
                    "amount": _text(a["payoff"]), "token_amount": None}
        deposit = kind == "deposit"
        return {
            "kind": kind, "account": a["account"], "counterparty": a["payer"] if deposit else a["to"], "root_id": None,
            "amount": _text(a["credited"] if deposit else a["debited"]), "token_amount": _text(a["tokenAmount"]),
        }

    return row


def _registered(a: dict[str, Any]) -> Row:
    return {"artifact": _hex(a["artifact"]), "round": None, "registrant": a["registrant"], "b": _text(a["b"]),
            "fee_bps": int(a["feeBps"]), "root_id": None, "pool_id": None, "funding": _text(a["funded"])}


def _round(a: dict[str, Any]) -> Row:
    return {"artifact": _hex(a["artifact"]), "round": int(a["round"]), "registrant": None, "b": None, "fee_bps": None,
            "root_id": _text(a["rootId"]), "pool_id": _hex(a["poolId"]), "funding": _text(a["funding"])}


def _transition(a: dict[str, Any]) -> Row:
    return {"artifact": _hex(a["artifact"]), "from_state": int(a["from"]), "to_state": int(a["to"]), "by": a["by"],
            "triggered": bool(a["triggered"]), "price": _text(a["price"]), "round": int(a["round"])}


def _reputation(a: dict[str, Any]) -> Row:
    return {"trader": a["trader"], "artifact": _hex(a["artifact"]), "round": int(a["round"]), "correct": bool(a["correct"]),
            "stake": _text(a["stake"]), "score": _text(a["score"])}


def _bounty(kind: str, account: str) -> Callable[[dict[str, Any]], Row]:
    def row(a: dict[str, Any]) -> Row:
        weight = a.get("weight", a.get("totalWeight"))
        return {
            "kind": kind, "bounty_id": _hex(a["id"]) if "id" in a else None,
            "artifact": _hex(a["artifact"]) if "artifact" in a else None, "account": a[account],
            "amount": _text(a["amount"]), "weight": _text(weight) if weight is not None else None,
            "expires_at": int(a["expiresAt"]) if "expiresAt" in a else None,
        }

    return row


#: Event name -> (table, the row's own columns from the event's arguments, the emitter's column).
PROJECTIONS: dict[str, tuple[Table, Callable[[dict[str, Any]], Row], str]] = {
    "Settlement": (settlements, _settlement, "registry"),
    "MarketDefined": (t.definitions, _definition, "emitter"),
    "OrderAdded": (t.orders, _order, "emitter"),
    "OrdersMatched": (t.matches, _match, "emitter"),
    "OrderCancelled": (t.amendments, _amendment("cancel", "offsetHash", "cancelled"), "emitter"),
    "OrderReduced": (t.amendments, _amendment("reduce", "reductionHash", "reduced", "remaining"), "emitter"),
    "PartialUsed": (t.amendments, _amendment("partial", "partialHash", ""), "emitter"),
    "OrderFilledByPool": (t.amendments, _amendment("pool_fill", "pool", "quantity"), "emitter"),
    "PoolTraded": (t.trades, _trade("trade", "trader"), "emitter"),
    "PoolFilled": (t.trades, _trade("fill", "owner"), "emitter"),
    "PositionClosed": (t.trades, _trade("close", "trader"), "emitter"),
    "PoolCreated": (t.pools, _pool, "emitter"),
    "Deposited": (t.transfers, _transfer("deposit"), "emitter"),
    "Withdrawn": (t.transfers, _transfer("withdraw"), "emitter"),
    "Claimed": (t.transfers, _transfer("claim"), "emitter"),
    "ArtifactRegistered": (t.artifacts, _registered, "emitter"),
    "RoundOpened": (t.artifacts, _round, "emitter"),
    "LifecycleTransition": (t.transitions, _transition, "emitter"),
    "ReputationUpdated": (t.reputation, _reputation, "emitter"),
    "BountyPosted": (t.bounties, _bounty("posted", "funder"), "emitter"),
    "BountyFunded": (t.bounties, _bounty("funded", "funder"), "emitter"),
    "BountyDistributed": (t.bounties, _bounty("distributed", "oracle"), "emitter"),
    "BountyPaid": (t.bounties, _bounty("paid", "claimant"), "emitter"),
    "BountyPending": (t.bounties, _bounty("pending", "account"), "emitter"),
    "BountyReclaimed": (t.bounties, _bounty("reclaimed", "funder"), "emitter"),
    "BountyClaimed": (t.bounties, _bounty("claimed", "account"), "emitter"),
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
