"""A ledger file: export an index, import it without RPC, verify it (hash chain and replay).

A file (``FORMAT``; JSON lines, CSV or Parquet: :mod:`.formats`) holds a header and one record per event. The header names the
chain, the addresses, the block range and what an offline replay needs (``config``). Each record
is one log exactly as the node served it (with its block, transaction and position) plus
``prev``, the hash of the line before it, and ``hash``, the keccak-256 of its own canonical JSON
(``prev`` included, ``hash`` left out). The header's hash starts the chain, so changing, dropping,
inserting or reordering any line breaks the chain at that line, and :func:`verify` names it.
A forger who recomputes every hash is caught by the replay: the independent node re-checks every
signature, chain link, collateral check and amount.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from eth_utils import keccak, to_checksum_address
from sqlalchemy import select

from ..node.replay.core import Event
from .formats import FormatError, format_of, load, write
from .history import project
from .schema import deployments, events
from .sync import Ledger, LedgerError, LogDecoder, jsonable

FORMAT = "pmarket-ledger/1"
#: The fields of a record, in the order they are written.
FIELDS = ("block", "block_hash", "timestamp", "tx_hash", "tx_index", "log_index", "address", "name", "topics", "data")


class TamperedRecord(LedgerError):
    """A line of a ledger file does not hash to what the chain of hashes says."""


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _hash(value: Any) -> str:
    return "0x" + keccak(_canonical(value)).hex()


def config_of(exchange: Any, registries: Iterable[Any] = (), escrows: Iterable[Any] = ()) -> dict[str, Any]:
    """What an offline replay of ``exchange``'s deployment needs, read from the chain once: the
    caps and decimals, each registry's parameters and each escrow's registry (as ``replay_for``)."""
    c = exchange.contract
    out: dict[str, Any] = {
        "decimals": exchange.decimals,
        "max_branches": int(c.maxBranches()),
        "max_open_orders": int(c.maxOpenOrders()),
        "max_roots": int(c.maxRoots()),
        "registries": [],
        "escrows": [],
    }
    for registry in registries:
        contract = getattr(registry, "contract", registry)
        close_after, window, *prices = (int(v) for v in contract.parameters())
        out["registries"].append({"address": str(contract.address), "close_after": close_after, "window": window,
                                  "prices": [str(p) for p in prices[:3]]})
    for escrow in escrows:
        contract = getattr(escrow, "contract", escrow)
        out["escrows"].append({"address": str(contract.address), "registry": str(contract.artifacts())})
    return out


def replay_from(header: dict[str, Any]) -> Any:
    """An empty replay configured from a file's header alone (no chain)."""
    from ..node import Node
    from ..node.state import NodeConfig
    from ..node.replay import Replay

    cfg = header["config"]
    node = Node(NodeConfig(
        chain_id=int(header["chain_id"]), verifying_contract=to_checksum_address(header["exchange"]),
        decimals=int(cfg["decimals"]), max_branches=int(cfg["max_branches"]),
        max_open_orders=int(cfg["max_open_orders"]), max_roots=int(cfg["max_roots"]),
        maker=to_checksum_address(header["maker"]),
    ))
    replay = Replay(node)
    for r in cfg.get("registries", []):
        prices = tuple(int(p) for p in r["prices"])
        replay.add_registry(to_checksum_address(r["address"]), close_after=int(r["close_after"]), window=int(r["window"]), prices=prices)
    for e in cfg.get("escrows", []):
        replay.add_escrow(to_checksum_address(e["address"]), to_checksum_address(e["registry"]))
    return replay


def export(ledger: Ledger, deployment: int, out: Path, fmt: Optional[str] = None) -> dict[str, Any]:
    """Write deployment ``deployment`` of ``ledger`` to ``out`` (``fmt``: jsonl, csv or parquet;
    by default the one ``out``'s suffix names); returns the header."""
    fmt = format_of(out, fmt)
    with ledger.engine.connect() as db:
        d = db.execute(select(deployments).where(deployments.c.id == deployment)).one()
        rows = db.execute(
            select(events).where(events.c.deployment_id == deployment).order_by(events.c.block, events.c.log_index)
        ).all()
    header = {
        "format": FORMAT, "chain_id": int(d.chain_id), "exchange": d.exchange, "maker": d.maker,
        "artifacts": d.artifacts, "bounties": d.bounties, "start_block": int(d.start_block),
        "next_block": int(d.next_block), "synced_hash": d.synced_hash, "config": json.loads(d.config),
        "records": len(rows),
    }
    header["hash"] = _hash(header)
    prev, records = header["hash"], []
    for r in rows:
        record = {k: getattr(r, k) for k in FIELDS}
        record["topics"] = json.loads(r.topics)
        record["prev"] = prev
        record["hash"] = prev = _hash(record)
        records.append(record)
    write(out, header, records, fmt)
    return header


@dataclass
class Verdict:
    """What :func:`verify` found once the chain of hashes held: the header, the records, and the
    node's discrepancies as ``(record number, event name, error)``."""

    header: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    discrepancies: list[tuple[int, str, str]] = field(default_factory=list)


def read(path: Path, fmt: Optional[str] = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and records of a ledger file (any format), the chain of hashes checked: a broken
    link raises :class:`TamperedRecord` naming the first bad line (or row)."""
    try:
        header, entries = load(path, format_of(path, fmt))
    except FormatError as err:
        raise TamperedRecord(str(err)) from None
    if header.get("format") != FORMAT:
        raise TamperedRecord(f"{path}: the header is not a {FORMAT} header (format {header.get('format')!r})")
    if _hash({k: v for k, v in header.items() if k != "hash"}) != header.get("hash"):
        raise TamperedRecord(f"{path}: line 1 (the header) does not match its hash")
    records, prev = [], header["hash"]
    for number, (place, record) in enumerate(entries):
        where = f"{path}: {place} (record {number}, block {record.get('block')}, log {record.get('log_index')})"
        if record.get("prev") != prev:
            raise TamperedRecord(f"{where} does not follow the line before it (a record was dropped, added or moved)")
        if _hash({k: v for k, v in record.items() if k != "hash"}) != record.get("hash"):
            raise TamperedRecord(f"{where} does not match its hash (its content changed)")
        records.append(record)
        prev = record["hash"]
    if len(records) != header["records"]:
        raise TamperedRecord(f"{path}: {len(records)} records, the header says {header['records']} (the end was cut)")
    return header, records


def verify(path: Path, decoder: LogDecoder, fmt: Optional[str] = None) -> Verdict:
    """Check the chain of hashes (:func:`read`), then replay every record through the independent
    node: each discrepancy is ``(record number, event name, error)``."""
    header, records = read(path, fmt)
    verdict = Verdict(header, records)
    replay = replay_from(header)
    evs = list(_events(records, decoder))
    replay.feed(evs)
    index = {id(e): n for n, e in enumerate(evs)}
    for d in replay.discrepancies:
        verdict.discrepancies.append((index.get(id(d.event), -1), d.event.name, d.error))
    return verdict


def _events(records: list[dict[str, Any]], decoder: LogDecoder) -> Iterator[Event]:
    for r in records:
        name, args = decoder.decode(r["address"], r["topics"], r["data"])
        yield Event(name, args, int(r["block"]), int(r["timestamp"]), to_checksum_address(r["address"]), r["tx_hash"])


def import_file(path: Path, ledger: Ledger, decoder: LogDecoder, fmt: Optional[str] = None) -> int:
    """Load a ledger file (any format) into ``ledger`` (no RPC): the chain of hashes is checked
    first, and nothing is written if it breaks. Returns the new deployment id."""
    header, records = read(path, fmt)
    deployment = ledger.follow(
        int(header["chain_id"]), header["exchange"], int(header["start_block"]), config=header["config"],
        maker=header["maker"], artifacts=header["artifacts"], bounties=header["bounties"],
    )
    if ledger.count(deployment):
        raise LedgerError(f"the index already holds events of {header['exchange']} on chain {header['chain_id']}: import into a fresh database")
    rows, derived = [], {}
    for r in records:
        name, args = decoder.decode(r["address"], r["topics"], r["data"])
        row = {k: r[k] for k in FIELDS}
        row.update(deployment_id=deployment, name=name, topics=json.dumps(r["topics"]),
                   args=json.dumps(jsonable(args), sort_keys=True))
        rows.append(row)
        history = project(name, args, row)
        if history is not None:
            derived.setdefault(history[0], []).append(history[1])
    with ledger.engine.begin() as db:
        if rows:
            db.execute(events.insert(), rows)
        for table, table_rows in derived.items():
            db.execute(table.insert(), table_rows)
        db.execute(deployments.update().where(deployments.c.id == deployment).values(
            next_block=int(header["next_block"]), synced_hash=header["synced_hash"]))
    return deployment



def decoder_of(header: dict[str, Any], project: Any) -> LogDecoder:
    """The decoder for a file's deployment from pmarket's compiled ABIs (no chain needed)."""
    from ..artifacts import artifacts_contract_type
    from ..maker import maker_contract_type
    from ..transport import merged_contract_type

    types = {header["exchange"]: merged_contract_type(project), header["maker"]: maker_contract_type(project)}
    if header.get("artifacts"):
        types[header["artifacts"]] = artifacts_contract_type(project)
    if header.get("bounties"):
        types[header["bounties"]] = project.Bounties.contract_type
    return LogDecoder({a: t for a, t in types.items() if a})
