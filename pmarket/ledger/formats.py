"""The containers of a ledger file: JSON lines, CSV or Parquet, one chain of hashes for all three.

A ledger file is a header and records (:mod:`.archive`); each record's ``hash`` is the keccak-256
of its canonical JSON, whatever the container, so a file converted from one format to another
keeps every hash, and :func:`.archive.read` checks all three the same way.

- ``jsonl``: the header on line 1, one record per line.
- ``csv``: a row of column names, the header as a row of kind ``header`` (its JSON in the
  ``header`` column), then one row of kind ``record`` per record (``topics`` as JSON text).
- ``parquet``: one row per record (typed columns: 64-bit integers, text), the header's JSON in the
  file's key-value metadata under ``pmarket-ledger``.

:func:`load` gives the header and each record with where it sits (``line N`` or ``row N``), so a
broken link is named in the file's own terms.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterable

FORMATS = ("jsonl", "csv", "parquet")
#: Record fields, in the order CSV and Parquet columns are written; the integers among them.
COLUMNS = ("block", "block_hash", "timestamp", "tx_hash", "tx_index", "log_index", "address", "name", "topics", "data", "prev", "hash")
INTEGERS = ("block", "timestamp", "tx_index", "log_index")
_META = b"pmarket-ledger"


class FormatError(ValueError):
    """A file is not a ledger file in the format asked."""


def format_of(path: Path, given: str | None = None) -> str:
    """``given``, or the format named by ``path``'s suffix (``.jsonl``, ``.csv``, ``.parquet``)."""
    name = given or path.suffix.lstrip(".").lower()
    if name == "json":
        name = "jsonl"
    if name not in FORMATS:
        raise FormatError(f"{path}: unknown ledger format {name!r}: choose one of {', '.join(FORMATS)} (--format)")
    return name


def write(path: Path, header: dict[str, Any], records: Iterable[dict[str, Any]], fmt: str) -> None:
    """Write ``header`` and ``records`` (hashes already set) to ``path`` in format ``fmt``."""
    if fmt == "jsonl":
        with path.open("w") as f:
            f.write(json.dumps(header, sort_keys=True) + "\n")
            for r in records:
                f.write(json.dumps(r, sort_keys=True) + "\n")
    elif fmt == "csv":
        with path.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(("kind", "header", *COLUMNS))
            out.writerow(("header", json.dumps(header, sort_keys=True), *([""] * len(COLUMNS))))
            for r in records:
                out.writerow(("record", "", *(json.dumps(r[c]) if c == "topics" else r[c] for c in COLUMNS)))
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = list(records)
        table = pa.table({
            c: pa.array([r[c] for r in rows], type=pa.int64() if c in INTEGERS else pa.string())
            if c != "topics" else pa.array([json.dumps(r[c]) for r in rows], type=pa.string())
            for c in COLUMNS
        })
        pq.write_table(table.replace_schema_metadata({_META: json.dumps(header, sort_keys=True).encode()}), path)


def load(path: Path, fmt: str) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """The header and ``(where, record)`` pairs of a file, nothing checked yet."""
    try:
        if fmt == "jsonl":
            lines = path.read_text().splitlines()
            if not lines:
                raise FormatError(f"{path}: empty file, no header")
            return json.loads(lines[0]), [(f"line {n}", json.loads(x)) for n, x in enumerate(lines[1:], start=2)]
        if fmt == "csv":
            with path.open(newline="") as f:
                rows = list(csv.reader(f))
            if len(rows) < 2 or rows[0][:2] != ["kind", "header"] or rows[1][0] != "header":
                raise FormatError(f"{path}: not a ledger CSV (line 1 must name the columns, line 2 hold the header)")
            names = rows[0][2:]
            out = []
            for n, row in enumerate(rows[2:], start=3):
                record = dict(zip(names, row[2:]))
                for c in INTEGERS:
                    record[c] = int(record[c])
                record["topics"] = json.loads(record["topics"])
                out.append((f"line {n}", record))
            return json.loads(rows[1][1]), out
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = (table.schema.metadata or {}).get(_META)
        if meta is None:
            raise FormatError(f"{path}: a Parquet file without a pmarket-ledger header in its metadata")
        records = table.to_pylist()
        for r in records:
            r["topics"] = json.loads(r["topics"])
        return json.loads(meta), [(f"row {n}", r) for n, r in enumerate(records, start=1)]
    except (json.JSONDecodeError, KeyError, ValueError) as err:
        if isinstance(err, FormatError):
            raise
        raise FormatError(f"{path}: not a readable {fmt} ledger file ({type(err).__name__}: {err})") from None
