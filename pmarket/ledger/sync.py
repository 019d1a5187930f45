"""Follow a deployment's events into the ledger index: incremental, resumable, reorg-safe.

:meth:`Ledger.sync` reads the logs of a deployment's contracts (the Exchange, its Maker, and an
artifact registry and bounty escrow beside them) with ``eth_getLogs`` over block ranges, from where
the last sync stopped to ``head - confirmations``:

- **Resumable, no duplicates.** Each range's events and the new ``next_block`` are written in one
  database transaction, so a crash loses at most the range in flight and a re-sync neither skips
  nor repeats a log (the key ``(deployment, block, log_index)`` refuses a duplicate too).
- **Range limits.** A node that refuses a range (public RPCs cap blocks or results) gets half of
  it, down to one block; after a success the range doubles again, up to ``chunk``.
- **Reorganisations.** Only blocks ``confirmations`` deep are written. Each sync first checks that
  the last synced block still has the hash it had; if not, the chain reorganised deeper than the
  confirmation depth and :class:`ReorgBeyondDepth` names the block instead of building on wrong rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

from eth_abi import decode
from eth_utils import keccak, to_checksum_address
from sqlalchemy import create_engine, func, select

from ..artifact_history import SettlementEntry
from ..errors import PMarketError
from ..node.replay.core import Event
from .history import project
from .queries import settlement_history
from .schema import deployments, events, metadata

#: The widest block range asked of the node in one ``eth_getLogs``.
DEFAULT_CHUNK = 2_000
#: Blocks a sync stays behind the head.
DEFAULT_CONFIRMATIONS = 2


class LedgerError(PMarketError):
    """The ledger cannot go on as asked."""


class ReorgBeyondDepth(LedgerError):
    """The chain changed a block the index already holds: deeper than the confirmation depth."""


class RpcRefused(LedgerError):
    """The node refused a log query even for a single block."""


class LogDecoder:
    """Decodes a deployment's logs by emitter and first topic (``contract_types``: address -> ape
    contract type). A log it has no ABI for keeps the name ``?<topic>``: the replay then reports it
    as an unknown event instead of skipping it."""

    def __init__(self, contract_types: Mapping[str, Any]) -> None:
        self._abis: dict[tuple[str, str], Any] = {}
        for address, contract_type in contract_types.items():
            for event in contract_type.events:
                topic = "0x" + keccak(text=event.selector).hex()
                self._abis[(to_checksum_address(address), topic)] = event

    @property
    def addresses(self) -> list[str]:
        return sorted({address for address, _ in self._abis})

    def decode(self, address: str, topics: Sequence[str], data: str) -> tuple[str, dict[str, Any]]:
        event = self._abis.get((to_checksum_address(address), topics[0] if topics else ""))
        if event is None:
            return "?" + (topics[0] if topics else ""), {}
        indexed = [i for i in event.inputs if i.indexed]
        plain = [i for i in event.inputs if not i.indexed]
        args = {
            i.name: _checksummed(i.canonical_type, decode([i.canonical_type], bytes.fromhex(t[2:]))[0])
            for i, t in zip(indexed, topics[1:])
        }
        values = decode([i.canonical_type for i in plain], bytes.fromhex(data[2:]))
        args.update({i.name: _checksummed(i.canonical_type, v) for i, v in zip(plain, values)})
        return event.name, args


class LogSource:
    """The three JSON-RPC questions a sync asks, over ``request(method, params)`` (for example
    ``web3.provider.make_request``); a reply with an ``error`` raises :class:`RpcRefused`."""

    def __init__(self, request: Callable[[str, list], Any]) -> None:
        self._request = request

    def _ask(self, method: str, params: list) -> Any:
        reply = self._request(method, params)
        if isinstance(reply, Mapping) and "error" in reply:
            raise RpcRefused(f"{method} refused: {reply['error'].get('message', reply['error'])}")
        return reply["result"] if isinstance(reply, Mapping) and "result" in reply else reply

    def head(self) -> int:
        return int(self._ask("eth_blockNumber", []), 16)

    def block(self, number: int) -> tuple[str, int]:
        """``(hash, timestamp)`` of block ``number``."""
        b = self._ask("eth_getBlockByNumber", [hex(number), False])
        return b["hash"], int(b["timestamp"], 16)

    def logs(self, addresses: Sequence[str], start: int, stop: int) -> list[dict[str, Any]]:
        return self._ask("eth_getLogs", [{"address": list(addresses), "fromBlock": hex(start), "toBlock": hex(stop)}])


@dataclass(frozen=True)
class SyncReport:
    """What one sync did: the blocks it covered, the events it wrote, the queries it needed."""

    first_block: int
    last_block: int
    events: int
    queries: int


class Ledger:
    """The index in a database: ``url`` is any SQLAlchemy URL (``sqlite:///ledger.db`` by default:
    a file, no server; ``postgresql+psycopg://...`` for a shared one)."""

    def __init__(self, url: str = "sqlite:///pmarket-ledger.db") -> None:
        self.engine = create_engine(url)
        metadata.create_all(self.engine)

    def follow(
        self, chain_id: int, exchange: str, start_block: int, *, config: Optional[Mapping[str, Any]] = None, **contracts: str
    ) -> int:
        """The id of deployment ``(chain_id, exchange)``, recorded now if new (``contracts``: its
        ``maker``, ``artifacts`` and ``bounties`` addresses; ``config``: what an offline replay
        needs, :func:`pmarket.ledger.archive.config_of`)."""
        exchange = to_checksum_address(exchange)
        with self.engine.begin() as db:
            row = db.execute(
                select(deployments.c.id).where(deployments.c.chain_id == chain_id, deployments.c.exchange == exchange)
            ).first()
            if row is not None:
                return int(row.id)
            values = {k: to_checksum_address(v) if v else "" for k, v in contracts.items()}
            result = db.execute(
                deployments.insert().values(
                    chain_id=chain_id, exchange=exchange, start_block=start_block, next_block=start_block,
                    config=json.dumps(dict(config or {}), sort_keys=True), **values,
                )
            )
            return int(result.inserted_primary_key[0])

    def next_block(self, deployment: int) -> int:
        with self.engine.connect() as db:
            return int(db.execute(select(deployments.c.next_block).where(deployments.c.id == deployment)).scalar_one())

    def sync(
        self,
        source: LogSource,
        deployment: int,
        decoder: LogDecoder,
        *,
        confirmations: int = DEFAULT_CONFIRMATIONS,
        chunk: int = DEFAULT_CHUNK,
        to_block: Optional[int] = None,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> SyncReport:
        """Write the deployment's events from where the last sync stopped to ``head - confirmations``
        (or ``to_block`` if lower); ``progress(done_blocks, total_blocks)`` after each range."""
        with self.engine.connect() as db:
            row = db.execute(select(deployments).where(deployments.c.id == deployment)).one()
        start, synced_hash = int(row.next_block), row.synced_hash
        if synced_hash and source.block(start - 1)[0] != synced_hash:
            raise ReorgBeyondDepth(
                f"block {start - 1} changed since it was synced (was {synced_hash}): the chain reorganised deeper than "
                f"the confirmation depth; re-sync into a fresh database or raise --confirmations"
            )
        stop = source.head() - confirmations
        if to_block is not None:
            stop = min(stop, to_block)
        written, queries, width, at = 0, 0, max(1, chunk), start
        while at <= stop:
            end = min(stop, at + width - 1)
            queries += 1
            try:
                logs = source.logs(decoder.addresses, at, end)
            except RpcRefused:
                if width == 1:
                    raise
                width //= 2
                continue
            written += self._write(deployment, decoder, source, logs, end)
            if progress is not None:
                progress(end - start + 1, stop - start + 1)
            at, width = end + 1, min(chunk, width * 2)
        return SyncReport(start, max(start - 1, stop), written, queries)

    def _write(self, deployment: int, decoder: LogDecoder, source: LogSource, logs: list[dict[str, Any]], end: int) -> int:
        """One range in one transaction: its events and the new ``next_block`` with ``end``'s hash."""
        stamps: dict[int, tuple[str, int]] = {}
        rows = []
        derived: dict[Any, list[dict[str, Any]]] = {}
        for log in logs:
            block = int(log["blockNumber"], 16)
            if block not in stamps:
                # A round trip saved per block: nodes that follow the newer JSON-RPC spec put the
                # block's time in each log; only the others are asked for the block.
                stamp = log.get("blockTimestamp")
                stamps[block] = (log["blockHash"], int(stamp, 16)) if stamp else source.block(block)
            name, args = decoder.decode(log["address"], log["topics"], log["data"])
            rows.append(
                {
                    "deployment_id": deployment,
                    "block": block,
                    "block_hash": log["blockHash"],
                    "timestamp": stamps[block][1],
                    "tx_hash": log["transactionHash"],
                    "tx_index": int(log["transactionIndex"], 16),
                    "log_index": int(log["logIndex"], 16),
                    "address": to_checksum_address(log["address"]),
                    "name": name,
                    "topics": json.dumps(log["topics"]),
                    "data": log["data"],
                    "args": json.dumps(jsonable(args), sort_keys=True),
                }
            )
            history = project(name, args, rows[-1])
            if history is not None:
                derived.setdefault(history[0], []).append(history[1])
        end_hash = stamps[end][0] if end in stamps else source.block(end)[0]
        with self.engine.begin() as db:
            if rows:
                db.execute(events.insert(), rows)
            for table, table_rows in derived.items():
                db.execute(table.insert(), table_rows)
            db.execute(deployments.update().where(deployments.c.id == deployment).values(next_block=end + 1, synced_hash=end_hash))
        return len(rows)

    def count(self, deployment: int) -> int:
        with self.engine.connect() as db:
            return int(db.execute(select(func.count()).select_from(events).where(events.c.deployment_id == deployment)).scalar_one())

    def settlement_history(
        self, deployment: int, *, artifact: Any = None, trader: Any = None, limit: Optional[int] = None
    ) -> list[SettlementEntry]:
        """Settlement credits and debits, newest first, by artifact (id or name) and by trader."""
        from ..addresses import address_of
        from ..artifacts import artifact_id

        return settlement_history(
            self.engine,
            deployment,
            artifact=artifact_id(artifact) if artifact is not None else None,
            trader=address_of(trader) if trader is not None else None,
            limit=limit,
        )

    def events(self, deployment: int, decoder: LogDecoder) -> list[Event]:
        """The deployment's events in chain order, decoded again from the stored logs (what the
        replay takes: ``Replay.feed(ledger.events(...))``)."""
        query = select(events).where(events.c.deployment_id == deployment).order_by(events.c.block, events.c.log_index)
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        out = []
        for r in rows:
            name, args = decoder.decode(r.address, json.loads(r.topics), r.data)
            out.append(Event(name, args, int(r.block), int(r.timestamp), r.address, r.tx_hash))
        return out


def _checksummed(canonical: str, value: Any) -> Any:
    """``value`` of ABI type ``canonical`` with every address checksummed (eth-abi gives lower case;
    ape and the node use checksums)."""
    if canonical.endswith("]"):
        inner = canonical[: canonical.rindex("[")]
        return [_checksummed(inner, v) for v in value]
    if canonical.startswith("("):
        return tuple(_checksummed(c, v) for c, v in zip(_components(canonical[1:-1]), value))
    return to_checksum_address(value) if canonical == "address" else value


def _components(inner: str) -> list[str]:
    """The top-level types of a tuple's canonical type (the text between its parentheses)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    return parts + [inner[start:]] if inner else parts


def jsonable(value: Any) -> Any:
    """JSON for an event argument: integers as decimal strings (beyond 2^53), bytes as 0x hex."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    return str(value)
