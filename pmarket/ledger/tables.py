"""The ledger's derived tables (SQLAlchemy Core), beside the events they come from.

Two kinds, both in :data:`.schema.metadata`:

- **History** tables hold one row per event of a kind, written by :meth:`Ledger.sync` in the same
  transaction as the events (:mod:`.projections`). Their rows never change; each carries the
  event's block, log index and transaction, keyed ``(deployment, block, log_index)`` like the events.
- **State** tables hold what the independent node rebuilt from the index (:func:`.state.refresh`):
  markets and their bounds, the open book, pools and their prices, artifacts, reputation scores
  (balances and positions are in :mod:`.schema`). A refresh rewrites them together in one
  transaction.

Amounts are decimal strings (wad: beyond what a 64-bit column holds); ids are ``0x`` hex (bytes32)
or decimal strings (uint256 root ids); addresses are checksummed.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from .schema import metadata

_HASH = String(66)
_ADDRESS = String(42)


def _history(name: str, *columns: Column) -> Table:
    """A history table: the event's place (deployment, block, log index, transaction, emitter) and
    its own ``columns``."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("deployment_id", Integer, ForeignKey("deployments.id"), nullable=False),
        Column("block", BigInteger, nullable=False),
        Column("log_index", Integer, nullable=False),
        Column("tx_hash", _HASH, nullable=False),
        Column("emitter", _ADDRESS, nullable=False),
        *columns,
        UniqueConstraint("deployment_id", "block", "log_index", name=f"one_{name}_row_per_log"),
    )


def _state(name: str, *columns: Column) -> Table:
    return Table(name, metadata, Column("deployment_id", Integer, ForeignKey("deployments.id"), primary_key=True), *columns)


# ---- history ---------------------------------------------------------------------------------

#: ``MarketDefined``: each definition posted, with the branch's bounds after the fold.
definitions = _history(
    "definitions",
    Column("root_id", Text, nullable=False, index=True),
    Column("branch_id", Integer, nullable=False),
    Column("definer", _ADDRESS, nullable=False),
    Column("min", Text, nullable=False),
    Column("max", Text, nullable=False),
    Column("effective_min", Text, nullable=False),
    Column("effective_max", Text, nullable=False),
)

#: ``OrderAdded``: every order that entered the book, whole, with its signature.
orders = _history(
    "orders",
    Column("order_hash", _HASH, nullable=False, unique=False, index=True),
    Column("trader", _ADDRESS, nullable=False, index=True),
    Column("root_id", Text, nullable=False, index=True),
    Column("branch_id", Integer, nullable=False),
    Column("trade_type", Integer, nullable=False),
    Column("trade_root_id", Text, nullable=False),
    Column("trade_branch_id", Integer, nullable=False),
    Column("is_matched", Boolean, nullable=False),
    Column("price", Text, nullable=False),
    Column("quantity", Text, nullable=False),
    Column("previous", _HASH, nullable=False),
    Column("expiry", BigInteger, nullable=False),
    Column("signature", Text, nullable=False),
    Column("relayer", _ADDRESS, nullable=False),
    Column("erc1271", Boolean, nullable=False),
)

#: ``OrdersMatched``: each match of a bid and an ask.
matches = _history(
    "matches",
    Column("bid_hash", _HASH, nullable=False, index=True),
    Column("ask_hash", _HASH, nullable=False, index=True),
    Column("root_id", Text, nullable=False, index=True),
    Column("branch_id", Integer, nullable=False),
    Column("quantity", Text, nullable=False),
    Column("price", Text, nullable=False),
)

#: What changed an order besides a match: ``cancel`` (OrderCancelled), ``reduce`` (OrderReduced),
#: ``partial`` (PartialUsed: ``by_hash`` is the Partial), ``pool_fill`` (OrderFilledByPool).
amendments = _history(
    "amendments",
    Column("kind", String(16), nullable=False),
    Column("order_hash", _HASH, nullable=False, index=True),
    Column("by_hash", String(66), nullable=False),
    Column("quantity", Text, nullable=False),
    Column("remaining", Text, nullable=True),
)

#: Trades with a pool: ``trade`` (PoolTraded), ``fill`` of a resting order (PoolFilled), ``close``
#: of a whole position (PositionClosed). ``quantity`` in forward units (wad, signed), ``cost`` 36
#: decimals (fee included), ``fee`` and ``discount`` wad.
trades = _history(
    "trades",
    Column("kind", String(8), nullable=False),
    Column("pool_id", _HASH, nullable=False, index=True),
    Column("trader", _ADDRESS, nullable=False, index=True),
    Column("order_hash", String(66), nullable=False),
    Column("side", Integer, nullable=True),
    Column("quantity", Text, nullable=False),
    Column("cost", Text, nullable=False),
    Column("fee", Text, nullable=False),
    Column("discount", Text, nullable=False),
)

#: ``PoolCreated``: each pool, its key, its account and funding (``period`` 0 for a plain pool).
pools = _history(
    "pools",
    Column("pool_id", _HASH, nullable=False, index=True),
    Column("creator", _ADDRESS, nullable=False),
    Column("root_id", Text, nullable=False, index=True),
    Column("branch_id", Integer, nullable=False),
    Column("lo", Text, nullable=False),
    Column("hi", Text, nullable=False),
    Column("b", Text, nullable=False),
    Column("fee_bps", Integer, nullable=False),
    Column("salt", Text, nullable=False),
    Column("account", _ADDRESS, nullable=False),
    Column("funding", Text, nullable=False),
    Column("period", BigInteger, nullable=False),
)

#: Money in and out of the vault and out of settled roots: ``deposit`` (Deposited), ``withdraw``
#: (Withdrawn), ``claim`` (Claimed: ``amount`` is the signed payoff, ``counterparty`` the caller).
transfers = _history(
    "transfers",
    Column("kind", String(8), nullable=False),
    Column("account", _ADDRESS, nullable=False, index=True),
    Column("counterparty", _ADDRESS, nullable=False),
    Column("root_id", Text, nullable=True),
    Column("amount", Text, nullable=False),
    Column("token_amount", Text, nullable=True),
)

#: ``ArtifactRegistered`` and ``RoundOpened``: artifacts (``round`` null) and their rounds.
artifacts = _history(
    "artifacts",
    Column("artifact", _HASH, nullable=False, index=True),
    Column("round", BigInteger, nullable=True),
    Column("registrant", String(42), nullable=True),
    Column("b", Text, nullable=True),
    Column("fee_bps", Integer, nullable=True),
    Column("root_id", Text, nullable=True),
    Column("pool_id", String(66), nullable=True),
    Column("funding", Text, nullable=False),
)

#: ``LifecycleTransition``: each artifact's lifecycle, posted by an oracle or a trigger, at the pool's price.
transitions = _history(
    "transitions",
    Column("artifact", _HASH, nullable=False, index=True),
    Column("from_state", Integer, nullable=False),
    Column("to_state", Integer, nullable=False),
    Column("by", _ADDRESS, nullable=False),
    Column("triggered", Boolean, nullable=False),
    Column("price", Text, nullable=False),
    Column("round", BigInteger, nullable=False),
)

#: ``ReputationUpdated``: a trader's record after each settled prediction.
reputation = _history(
    "reputation",
    Column("trader", _ADDRESS, nullable=False, index=True),
    Column("artifact", _HASH, nullable=False),
    Column("round", BigInteger, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("stake", Text, nullable=False),
    Column("score", Text, nullable=False),
)

#: The bounty escrow's events: ``posted``, ``funded``, ``distributed``, ``paid``, ``pending``,
#: ``reclaimed`` (by bounty id) and ``claimed`` (an account's pending payments, no id).
bounties = _history(
    "bounties",
    Column("kind", String(12), nullable=False),
    Column("bounty_id", String(66), nullable=True, index=True),
    Column("artifact", String(66), nullable=True),
    Column("account", _ADDRESS, nullable=False),
    Column("amount", Text, nullable=False),
    Column("weight", Text, nullable=True),
    Column("expires_at", BigInteger, nullable=True),
)

# ---- state (rewritten by a refresh) -----------------------------------------------------------

#: Every market with its effective bounds and its root's owner; ``outcome`` once settled.
markets = _state(
    "markets",
    Column("root_id", Text, primary_key=True),
    Column("branch_id", Integer, primary_key=True),
    Column("min", Text, nullable=False),
    Column("max", Text, nullable=False),
    Column("owner", _ADDRESS, nullable=False),
    Column("outcome", Text, nullable=True),
    Column("frozen", Boolean, nullable=False),
    Column("managed", Boolean, nullable=False),
)

#: The open book: every order with an open quantity (``remaining``, signed like the order).
book = _state(
    "book",
    Column("order_hash", _HASH, primary_key=True),
    Column("trader", _ADDRESS, nullable=False),
    Column("root_id", Text, nullable=False),
    Column("branch_id", Integer, nullable=False),
    Column("price", Text, nullable=False),
    Column("remaining", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

#: Every pool's shares outstanding and prices (wad) as the node computes them.
pool_state = _state(
    "pool_state",
    Column("pool_id", _HASH, primary_key=True),
    Column("root_id", Text, nullable=False),
    Column("branch_id", Integer, nullable=False),
    Column("q_long", Text, nullable=False),
    Column("q_short", Text, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("price_long", Text, nullable=False),
    Column("price_short", Text, nullable=False),
    Column("forward_price", Text, nullable=False),
)

#: Every artifact's state in its registry (``state`` is ``IArtifacts.State``).
artifact_state = _state(
    "artifact_state",
    Column("registry", _ADDRESS, primary_key=True),
    Column("artifact", _HASH, primary_key=True),
    Column("state", Integer, nullable=False),
    Column("round", BigInteger, nullable=False),
    Column("open", Boolean, nullable=False),
    Column("reserve", Text, nullable=False),
    Column("root_id", Text, nullable=False),
    Column("pool_id", _HASH, nullable=False),
)

#: Every trader's reputation in a registry: the record and its score (wad).
scores = _state(
    "scores",
    Column("registry", _ADDRESS, primary_key=True),
    Column("trader", _ADDRESS, primary_key=True),
    Column("correct", Integer, nullable=False),
    Column("incorrect", Integer, nullable=False),
    Column("correct_stake", Text, nullable=False),
    Column("total_stake", Text, nullable=False),
    Column("score", Text, nullable=False),
)

#: History tables in the order :func:`.projections.project` fills them.
HISTORY = (definitions, orders, matches, amendments, trades, pools, transfers, artifacts, transitions, reputation, bounties)
#: State tables a refresh rewrites (with :data:`.schema.balances` and :data:`.schema.positions`).
STATE = (markets, book, pool_state, artifact_state, scores)
