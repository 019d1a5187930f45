"""Ledger files in every format (JSON lines, CSV, Parquet) with one chain of hashes, and a file
checked against a real Anvil's receipts (``pmarket ledger verify --network``)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from pmarket.ledger import Ledger
from pmarket.ledger.archive import TamperedRecord, _hash, decoder_of, export, import_file, read, verify
from pmarket.ledger.receipts import check_receipts
from pmarket.ledger.schema import events

from .test_ledger import settled  # noqa: F401  (the artifact lifecycle, synced: a fixture)


def _event_rows(ledger, deployment):
    columns = [c for c in events.c if c.name not in ("id", "deployment_id")]
    with ledger.engine.connect() as db:
        return db.execute(select(*columns).where(events.c.deployment_id == deployment).order_by(events.c.block, events.c.log_index)).all()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_format_carries_the_same_chain_of_hashes(settled, tmp_path, project, fmt):  # noqa: F811
    """A CSV or Parquet file holds the JSON-lines file's records and hashes, imports to the same
    index, replays through the node, and a changed value is refused with its line or row named."""
    _, _, ledger, deployment, _ = settled
    header = export(ledger, deployment, tmp_path / "ledger.jsonl")
    path = tmp_path / f"ledger.{fmt}"
    assert export(ledger, deployment, path) == header
    assert read(path) == read(tmp_path / "ledger.jsonl")
    decoder = decoder_of(header, project)
    assert verify(path, decoder).discrepancies == []
    fresh = Ledger(f"sqlite:///{tmp_path / 'imported.db'}")
    assert _event_rows(fresh, import_file(path, fresh, decoder)) == _event_rows(ledger, deployment)

    _, records = read(path)
    target = next(n for n, r in enumerate(records) if r["name"] == "OrdersMatched")
    data = records[target]["data"]
    flipped = data[:-1] + ("0" if data[-1] != "0" else "1")
    tampered = tmp_path / f"tampered.{fmt}"
    if fmt == "csv":
        lines = path.read_text().splitlines()
        place = f"line {target + 3}"  # column names, header, then the records
        lines[target + 2] = lines[target + 2].replace(data, flipped)
        tampered.write_text("\n".join(lines) + "\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        column = table.column("data").to_pylist()
        column[target] = flipped
        changed = table.set_column(table.schema.get_field_index("data"), "data", pa.array(column, type=pa.string()))
        pq.write_table(changed.replace_schema_metadata(table.schema.metadata), tampered)
        place = f"row {target + 1}"
    with pytest.raises(TamperedRecord, match=f"{place} \\(record {target},.*does not match its hash"):
        read(tampered)
    with pytest.raises(TamperedRecord, match="unknown ledger format 'txt'"):
        read(tmp_path / "ledger.txt")


def test_a_file_is_checked_against_the_chains_receipts(settled, tmp_path):  # noqa: F811
    """Every record equals its receipt's log; a forged value (every hash recomputed) and a record
    left out of its transaction are named; the command line says the same in one line each."""
    from ape import chain
    from click.testing import CliRunner

    from pmarket.cli import cli

    _, _, ledger, deployment, _ = settled
    path = tmp_path / "ledger.jsonl"
    export(ledger, deployment, path)
    header, records = read(path)
    request = chain.provider.web3.provider.make_request
    assert check_receipts(header, records, request) == []

    forged = [dict(r) for r in records]
    target = next(n for n, r in enumerate(forged) if r["name"] == "OrdersMatched")
    forged[target]["data"] = forged[target]["data"][:-1] + ("0" if forged[target]["data"][-1] != "0" else "1")
    assert check_receipts(header, forged, request) == [(target, "data differs from the receipt's")]
    left_out = records[:target] + records[target + 1:]
    problems = check_receipts(header, left_out, request)
    assert problems == [(-1, f"block {records[target]['block']} log {records[target]['log_index']} of "
                             f"{records[target]['address']} (transaction {records[target]['tx_hash']}) is on the chain but not in the file")]

    network = chain.provider.web3.provider.endpoint_uri
    ok = CliRunner().invoke(cli, ["ledger", "verify", str(path), "--network", network])
    assert ok.exit_code == 0 and "matches" in ok.output and "receipts" in ok.output, ok.output

    # The forged file, hashes recomputed: the chain of hashes holds and the replay catches the match;
    # a forged transaction hash instead passes the replay and only the receipts catch it.
    prev, lines = header["hash"], [json.dumps(header, sort_keys=True)]
    for n, r in enumerate(records):
        rec = dict(r)
        if n == target:
            rec["tx_hash"] = "0x" + "ab" * 32
        rec["prev"] = prev
        rec.pop("hash")
        rec["hash"] = prev = _hash(rec)
        lines.append(json.dumps(rec, sort_keys=True))
    moved = tmp_path / "moved.jsonl"
    moved.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["ledger", "verify", str(moved), "--network", network])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"record {target}: transaction 0x{'ab' * 32} is not on this chain" in result.output
    assert "difference(s) from the chain's receipts" in result.output
