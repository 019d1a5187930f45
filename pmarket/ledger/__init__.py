"""The ledger: a deployment's events in a database (SQLite by default, PostgreSQL by URL).

:class:`Ledger` holds the index; :meth:`Ledger.sync` follows a deployment into it (incremental,
resumable, adapting to a node's range limits, reorg-safe behind a confirmation depth), and
:meth:`Ledger.events` gives the events back for the independent node's replay.
:func:`decoder_for` builds the decoder of a deployment from its clients. :mod:`.history` keeps
history tables beside the events (settlements), :mod:`.state` the node's balances and positions
(``refresh``), :mod:`.archive` the hash-chained files (export, import, verify), :mod:`.api` the
HTTP API (``pmarket serve``). See docs/ledger.md.
"""

from __future__ import annotations

from typing import Any

from .sync import (
    DEFAULT_CHUNK,
    DEFAULT_CONFIRMATIONS,
    Ledger,
    LedgerError,
    LogDecoder,
    LogSource,
    ReorgBeyondDepth,
    RpcRefused,
    SyncReport,
)

__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_CONFIRMATIONS",
    "Ledger",
    "LedgerError",
    "LogDecoder",
    "LogSource",
    "ReorgBeyondDepth",
    "RpcRefused",
    "SyncReport",
    "decoder_for",
]


def decoder_for(exchange: Any, *others: Any) -> LogDecoder:
    """The decoder of a deployment: an :class:`~pmarket.exchange.Exchange` client (its merged ABI
    and its Maker's), and ``others`` beside it (clients or ape contracts: a registry, an escrow)."""
    types = {exchange.address: exchange.contract.contract_type}
    maker = exchange.maker
    if maker is not None:
        types[maker.contract.address] = maker.contract.contract_type
    for other in others:
        contract = getattr(other, "contract", other)
        types[contract.address] = contract.contract_type
    return LogDecoder(types)
