"""The ledger index's tables (SQLAlchemy Core): one row per followed deployment, one per event.

An event row keeps the log exactly as the node served it (``topics`` and ``data``), so the index can
be checked against receipts and decoded again by anyone with the ABIs, beside its decoded name and
arguments (``args``: JSON, integers as decimal strings, bytes as ``0x`` hex) for queries. The key
``(deployment, block, log_index)`` makes a re-sync of a block a no-op instead of a duplicate.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

#: A followed deployment: its chain and addresses, how far it is synced (``next_block``, with the
#: hash of the block before it, to see a reorganisation deeper than the confirmation depth).
deployments = Table(
    "deployments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("exchange", String(42), nullable=False),
    Column("maker", String(42), nullable=False, default=""),
    Column("artifacts", String(42), nullable=False, default=""),
    Column("bounties", String(42), nullable=False, default=""),
    Column("start_block", BigInteger, nullable=False),
    Column("next_block", BigInteger, nullable=False),
    Column("synced_hash", String(66), nullable=False, default=""),
    #: What an offline replay needs (JSON): decimals, caps, registries' parameters, escrows.
    Column("config", Text, nullable=False, default="{}"),
    UniqueConstraint("chain_id", "exchange", name="one_row_per_deployment"),
)

#: Every log of a deployment's contracts, in chain order (``block``, ``log_index``).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deployment_id", Integer, ForeignKey("deployments.id"), nullable=False),
    Column("block", BigInteger, nullable=False),
    Column("block_hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("tx_index", Integer, nullable=False),
    Column("log_index", Integer, nullable=False),
    Column("address", String(42), nullable=False),
    Column("name", String(64), nullable=False),
    Column("topics", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("args", Text, nullable=False),
    UniqueConstraint("deployment_id", "block", "log_index", name="one_row_per_log"),
)

#: Settlement credits and debits (the registry's ``Settlement`` events), with their reason: the
#: seed's settlement history by artifact and by agent. Amounts are decimal strings (wad, beyond 2^63).
settlements = Table(
    "settlements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deployment_id", Integer, ForeignKey("deployments.id"), nullable=False),
    Column("block", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("registry", String(42), nullable=False),
    Column("artifact", String(66), nullable=False, index=True),
    Column("trader", String(42), nullable=False, index=True),
    Column("round", BigInteger, nullable=False),
    Column("amount", Text, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("payoff", Text, nullable=False),
    UniqueConstraint("deployment_id", "block", "log_index", name="one_row_per_settlement"),
)

#: The state the independent node rebuilt from the index (``Ledger.refresh``): every account's
#: balance and every position, rewritten together after a replay. Values are decimal strings (wad;
#: a position's cost has 36 decimals).
balances = Table(
    "balances",
    metadata,
    Column("deployment_id", Integer, ForeignKey("deployments.id"), primary_key=True),
    Column("account", String(42), primary_key=True),
    Column("balance", Text, nullable=False),
)

positions = Table(
    "positions",
    metadata,
    Column("deployment_id", Integer, ForeignKey("deployments.id"), primary_key=True),
    Column("trader", String(42), primary_key=True),
    Column("root_id", Text, primary_key=True),
    Column("branch_id", Integer, primary_key=True),
    Column("quantity", Text, nullable=False),
    Column("cost", Text, nullable=False),
)
