"""The ledger index on a real Anvil: it holds the deployment's events exactly, the node replayed
from it equals the node rebuilt from the chain, and a sync resumes, survives a crash, adapts to a
node's range limits and refuses to build on a reorganised block."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmarket.exchange import Exchange
from pmarket.ledger import Ledger, LogDecoder, LogSource, ReorgBeyondDepth, RpcRefused, decoder_for
from pmarket.node.replay import events_of, node_from_chain, replay_for
from pmarket.scenario import Scenario
from pmarket.scenario.chain import ChainBackend
from pmarket.scenario.runner import Runner

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


@pytest.fixture(scope="module")
def played(project):
    """An example scenario with pools, claims and settlement on a fresh deployment."""
    return _play(project, "maker_settlement")


def _play(project, name):
    from ape import chain

    start = chain.blocks.head.number + 1
    scenario = Scenario.load(EXAMPLES / f"{name}.json")
    runner = Runner(scenario, ChainBackend(scenario.traders, project=project))
    runner.run()
    exchange = Exchange.at(runner.backend.ex.address, project=project)
    exchange.start_block = start
    return scenario, runner, exchange


def _source():
    from ape import chain

    return LogSource(chain.provider.web3.provider.make_request)


def _ledger(tmp_path, exchange, name="ledger.db"):
    from ape import chain

    ledger = Ledger(f"sqlite:///{tmp_path / name}")
    deployment = ledger.follow(chain.chain_id, exchange.address, exchange.start_block, maker=exchange.maker.address)
    return ledger, deployment


def _plain(value):
    """A value as both decoders agree on it: sequences as tuples, addresses in lower case (ape gives a
    struct as a list with lower-case addresses, the ledger a tuple with checksums)."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value


def _key(e):
    return (e.name, e.block, e.tx, e.address, {k: _plain(v) for k, v in e.args.items()})


def test_the_index_holds_every_event_and_replays_to_the_chains_node(played, tmp_path):
    scenario, runner, exchange = played
    ledger, deployment = _ledger(tmp_path, exchange)
    decoder = decoder_for(exchange)
    report = ledger.sync(_source(), deployment, decoder, confirmations=0)
    from_chain = events_of(exchange)
    from_index = ledger.events(deployment, decoder)
    assert report.events == len(from_chain) == ledger.count(deployment) > 20
    assert [_key(e) for e in from_index] == [_key(e) for e in from_chain]

    replayed = replay_for(exchange).feed(from_index)
    direct = node_from_chain(exchange)
    assert replayed.discrepancies == direct.discrepancies == []
    for trader in scenario.traders:
        who = runner.address(trader)
        assert replayed.node.balance(who) == direct.node.balance(who) == exchange.balance(who)
        for root, branch in runner.markets:
            assert replayed.node.position(who, root, branch) == exchange.position(who, root, branch)


def test_a_sync_resumes_where_it_stopped_and_never_duplicates(played, tmp_path):
    _, _, exchange = played
    ledger, deployment = _ledger(tmp_path, exchange)
    decoder = decoder_for(exchange)
    all_events = events_of(exchange)
    middle = all_events[len(all_events) // 2].block  # half the events on each side
    first = ledger.sync(_source(), deployment, decoder, confirmations=0, to_block=middle)
    assert ledger.next_block(deployment) == middle + 1
    second = ledger.sync(_source(), deployment, decoder, confirmations=0)
    again = ledger.sync(_source(), deployment, decoder, confirmations=0)
    assert first.events > 0 and second.events > 0 and again.events == 0
    assert ledger.count(deployment) == first.events + second.events == len(all_events)


def test_a_crash_mid_sync_loses_only_the_range_in_flight(played, tmp_path):
    _, _, exchange = played
    ledger, deployment = _ledger(tmp_path, exchange)
    decoder = decoder_for(exchange)
    source = _source()
    calls = {"n": 0}
    real_logs = source.logs

    def crashing(addresses, start, stop):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("the process dies")
        return real_logs(addresses, start, stop)

    source.logs = crashing  # the real node's answers, and a crash on the third query
    with pytest.raises(KeyboardInterrupt):
        ledger.sync(source, deployment, decoder, confirmations=0, chunk=8)
    kept = ledger.count(deployment)
    assert ledger.next_block(deployment) == exchange.start_block + 16  # two ranges of 8 committed
    assert kept == sum(1 for e in events_of(exchange) if e.block < exchange.start_block + 16)
    ledger.sync(_source(), deployment, decoder, confirmations=0)
    assert ledger.count(deployment) == len(events_of(exchange))


def test_a_node_that_refuses_wide_ranges_gets_narrower_ones(played, tmp_path):
    _, _, exchange = played
    ledger, deployment = _ledger(tmp_path, exchange)
    decoder = decoder_for(exchange)
    source = _source()
    real_logs = source.logs

    def capped(addresses, start, stop):
        if stop - start + 1 > 5:  # as a public RPC caps the range of eth_getLogs
            raise RpcRefused("eth_getLogs refused: block range exceeds 5")
        return real_logs(addresses, start, stop)

    source.logs = capped
    report = ledger.sync(source, deployment, decoder, confirmations=0, chunk=64)
    assert ledger.count(deployment) == len(events_of(exchange))
    assert report.queries > 64 // 5  # it narrowed and kept going


def test_confirmations_keep_recent_blocks_out_and_a_deep_reorg_is_refused(project, tmp_path):
    from ape import chain

    _, _, exchange = _play(project, "claims")
    ledger, deployment = _ledger(tmp_path, exchange)
    decoder = decoder_for(exchange)
    head = chain.blocks.head.number
    ledger.sync(_source(), deployment, decoder, confirmations=3)
    assert ledger.next_block(deployment) == head - 2  # the last three blocks wait

    # A reorganisation of the unconfirmed blocks is harmless: they were never written.
    snapshot = chain.provider.web3.provider.make_request("evm_snapshot", [])["result"]
    chain.mine(5)
    ledger.sync(_source(), deployment, decoder, confirmations=3)
    synced = ledger.next_block(deployment)
    chain.provider.web3.provider.make_request("evm_revert", [snapshot])
    chain.provider.web3.provider.make_request("evm_increaseTime", [1_000])  # other blocks, other hashes
    chain.mine(7)  # a different chain of the same height and more: the synced blocks changed
    with pytest.raises(ReorgBeyondDepth, match=f"block {synced - 1} changed"):
        ledger.sync(_source(), deployment, decoder, confirmations=3)


def test_the_command_line_syncs_a_recorded_deployment_and_refuses_in_one_line(played, tmp_path):
    from ape import chain
    from click.testing import CliRunner

    from pmarket.cli import cli
    from pmarket.deployment import DeploymentRecord, save_record

    _, _, exchange = played
    record = DeploymentRecord(
        chain_id=chain.chain_id, network="ethereum:local:foundry", exchange=exchange.address,
        collateral=exchange.token.address, collateral_decimals=exchange.decimals, max_branches=8,
        block=exchange.start_block, deployer="", tx_hash="", maker=exchange.maker.address,
    )
    path = save_record(record, tmp_path)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    # The session's Anvil by its URL (``ethereum:local:foundry`` would start a fresh one).
    network = chain.provider.web3.provider.endpoint_uri
    args = ["ledger", "sync", "--network", network, "--deployment", str(path), "--db", db]
    result = CliRunner().invoke(cli, args + ["--confirmations", "0"])
    assert result.exit_code == 0, result.output
    total = len(events_of(exchange))
    assert f"{total} events ({total} in the index" in result.output
    again = CliRunner().invoke(cli, args + ["--confirmations", "0"])
    assert "0 events" in again.output and f"({total} in the index" in again.output

    missing = CliRunner().invoke(cli, ["ledger", "sync", "--network", network, "--deployment",
                                       str(tmp_path / "none.json"), "--db", db])
    assert missing.exit_code == 1 and "no deployment record at" in missing.output
    assert "Traceback" not in missing.output
    out = tmp_path / "cli.jsonl"
    exported = CliRunner().invoke(cli, ["ledger", "export", "--db", db, "--out", str(out)])
    assert exported.exit_code == 0 and f"exported {total} records" in exported.output, exported.output
    checked = CliRunner().invoke(cli, ["ledger", "verify", str(out)])
    assert checked.exit_code == 0 and f"{total} records: the chain of hashes holds" in checked.output, checked.output
    other = f"sqlite:///{tmp_path / 'other.db'}"
    loaded = CliRunner().invoke(cli, ["ledger", "import", str(out), "--db", other])
    assert loaded.exit_code == 0 and f"imported {total} records as deployment 1" in loaded.output, loaded.output
    twice = CliRunner().invoke(cli, ["ledger", "import", str(out), "--db", other])
    assert twice.exit_code == 1 and "already holds events" in twice.output
    lines = out.read_text().splitlines()
    lines[1] = lines[1].replace('"tx_index": ', '"tx_index": 1', 1)  # one byte more in the first record
    out.write_text("\n".join(lines) + "\n")
    broken = CliRunner().invoke(cli, ["ledger", "verify", str(out)])
    assert broken.exit_code == 1 and "does not match its hash" in broken.output and "Traceback" not in broken.output

    empty = CliRunner().invoke(cli, ["serve", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert empty.exit_code == 1 and "the index follows 0 deployments" in empty.output
    unknown = CliRunner().invoke(cli, ["serve", "--db", db, "--deployment-id", "7"])
    assert unknown.exit_code == 1 and "deployment 7 is not in the index (it has [1])" in unknown.output


@pytest.fixture(scope="module")
def settled(project, tmp_path_factory):
    """An artifact market's whole lifecycle (tests/test_artifact_scenarios.py's table) synced into
    an index: ``(runner, registry client, ledger, deployment id, database URL)``."""
    from ape import chain

    from pmarket.artifacts import Artifacts
    from pmarket.bounties import Bounties
    from pmarket.ledger import LogDecoder
    from pmarket.ledger.archive import config_of

    from .test_artifact_scenarios import TABLE

    start = chain.blocks.head.number + 1
    scenario = Scenario.load(TABLE)
    runner = Runner(scenario, ChainBackend(scenario.traders, project=project))
    runner.run()
    backend = runner.backend
    exchange = Exchange.at(backend.ex.address, project=project)
    exchange.start_block = start
    registry = Artifacts.at(backend.registry.address, exchange, project=project, start_block=start)
    decoder = LogDecoder({h.address: h.contract_type for h in (backend.ex, backend.maker, backend.registry, backend.escrow)})
    url = f"sqlite:///{tmp_path_factory.mktemp('settled') / 'settlements.db'}"
    ledger = Ledger(url)
    escrow = Bounties.at(backend.escrow.address, registry, project=project)
    deployment = ledger.follow(chain.chain_id, exchange.address, start, maker=exchange.maker.address,
                               artifacts=backend.registry.address, bounties=backend.escrow.address,
                               config=config_of(exchange, [registry], [escrow]))
    ledger.sync(_source(), deployment, decoder, confirmations=0)
    return runner, registry, ledger, deployment, url


def test_settlement_history_from_the_index_equals_the_logs(settled):
    """The settlement ledger by artifact and by trader: the registry's logs read over RPC and the
    index's ``settlements`` table give the same entries, newest first; the client uses the index
    once one is attached."""
    runner, registry, ledger, deployment, _ = settled
    from_logs = registry.settlement_history()
    assert {e.reason for e in from_logs} == {"settlement:profit", "settlement:loss"}  # ann won, bob lost
    assert ledger.settlement_history(deployment) == from_logs
    ann = runner.address("ann")
    assert ledger.settlement_history(deployment, artifact="paper", trader=ann) == registry.settlement_history("paper", ann)
    assert ledger.settlement_history(deployment, limit=1) == from_logs[:1]
    assert ledger.settlement_history(deployment, artifact="no such paper") == []

    registry.use_index(ledger, deployment)
    try:
        assert registry.settlement_history(trader=ann) == [e for e in from_logs if e.trader == ann]
    finally:
        registry.index = None


def test_the_http_api_serves_the_seeds_settlement_query(settled):
    """A real uvicorn server on a free port, called with a real HTTP client."""
    import requests

    from pmarket.ledger.api import create_app

    from .served import served

    runner, registry, ledger, deployment, _ = settled
    with served(create_app(ledger, deployment)) as base:
        ann = runner.address("ann")
        paper = "0x" + b"paper".ljust(32, b"\0").hex()
        reply = requests.get(f"{base}/api/market/settlements", params={"artifact_id": paper, "agent_id": ann, "limit": 5}, timeout=10)
        assert reply.status_code == 200
        expected = registry.settlement_history("paper", ann, limit=5)
        assert [(r["agent_id"], int(r["amount"]), r["reason"], int(r["payoff"]), r["tx"]) for r in reply.json()] == [
            (e.trader, e.amount, e.reason, e.payoff, e.tx) for e in expected
        ] != []
        everyone = requests.get(f"{base}/api/market/settlements", timeout=10).json()
        assert len(everyone) == len(registry.settlement_history())
        bad = requests.get(f"{base}/api/market/settlements", params={"agent_id": "not-an-address"}, timeout=10)
        assert bad.status_code == 422 and "not-an-address" in bad.text
        assert requests.get(f"{base}/api/deployment", timeout=10).json()["exchange"] == runner.backend.ex.address
        matches = requests.get(f"{base}/api/events", params={"name": "OrdersMatched"}, timeout=10).json()
        assert len(matches) == 1 and matches[0]["args"]["quantity"] == str(10 * 10**18)
        assert requests.get(f"{base}/openapi.json", timeout=10).json()["info"]["title"] == "pmarket ledger"


def test_export_import_verify_and_a_tampered_byte(settled, tmp_path, project):
    """Export -> import into a fresh database gives the same rows without RPC; verify replays the
    file through the node with no discrepancy; a one-byte change is refused with its line named,
    and a forger who recomputes every hash is caught by the replay."""
    import json

    from sqlalchemy import select

    from pmarket.ledger.archive import TamperedRecord, decoder_of, export, import_file, read, verify
    from pmarket.ledger.schema import events, settlements

    _, _, ledger, deployment, _ = settled
    path = tmp_path / "ledger.jsonl"
    header = export(ledger, deployment, path)
    assert header["records"] == ledger.count(deployment) > 40
    decoder = decoder_of(header, project)
    verdict = verify(path, decoder)
    assert verdict.discrepancies == [] and len(verdict.records) == header["records"]

    fresh = Ledger(f"sqlite:///{tmp_path / 'imported.db'}")
    again = import_file(path, fresh, decoder)
    columns = [c for c in events.c if c.name not in ("id", "deployment_id")]
    rows = lambda db_ledger, dep, table, cols: db_ledger.engine.connect().execute(  # noqa: E731
        select(*cols).where(table.c.deployment_id == dep).order_by(table.c.block, table.c.log_index)).all()
    assert rows(fresh, again, events, columns) == rows(ledger, deployment, events, columns)
    scols = [c for c in settlements.c if c.name not in ("id", "deployment_id")]
    assert rows(fresh, again, settlements, scols) == rows(ledger, deployment, settlements, scols) != []
    assert fresh.settlement_history(again) == ledger.settlement_history(deployment)
    assert fresh.next_block(again) == ledger.next_block(deployment)

    # One byte: a digit of an event's data.
    lines = path.read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if '"name": "OrdersMatched"' in line)
    record = json.loads(lines[target])
    data = record["data"]
    flipped = data[:-1] + ("0" if data[-1] != "0" else "1")
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines[:target] + [lines[target].replace(data, flipped)] + lines[target + 1:]) + "\n")
    with pytest.raises(TamperedRecord, match=f"line {target + 1} .*does not match its hash"):
        read(tampered)
    with pytest.raises(TamperedRecord):
        import_file(tampered, Ledger(f"sqlite:///{tmp_path / 'refused.db'}"), decoder)

    # A dropped line breaks the next link.
    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text("\n".join(lines[:target] + lines[target + 1:]) + "\n")
    with pytest.raises(TamperedRecord, match=f"line {target + 1} .*does not follow"):
        read(dropped)

    # A forger changes the matched quantity and recomputes every hash: the chain holds, the node does not.
    from pmarket.ledger.archive import _hash

    forged_lines, prev = [lines[0]], json.loads(lines[0])["hash"]
    for i, line in enumerate(lines[1:], start=1):
        rec = json.loads(line)
        if i == target:
            rec["data"] = flipped
        rec["prev"] = prev
        rec.pop("hash")
        rec["hash"] = prev = _hash(rec)
        forged_lines.append(json.dumps(rec, sort_keys=True))
    forged = tmp_path / "forged.jsonl"
    forged.write_text("\n".join(forged_lines) + "\n")
    found = verify(forged, decoder).discrepancies
    assert found and found[0][0] == target - 1 and found[0][1] == "OrdersMatched"


@pytest.fixture(scope="module")
def pg_url():
    from .postgres import postgres_server

    with postgres_server() as url:
        yield url


def test_the_same_index_on_a_real_postgresql_server(played, settled, pg_url, tmp_path, project):
    """Sync, resume, the replayed node, the settlement history and an import, on PostgreSQL."""
    from ape import chain
    from sqlalchemy import select

    from pmarket.ledger.archive import decoder_of, export, import_file
    from pmarket.ledger.schema import events

    scenario, runner, exchange = played
    ledger = Ledger(pg_url)
    assert ledger.engine.dialect.name == "postgresql"
    deployment = ledger.follow(chain.chain_id, exchange.address, exchange.start_block, maker=exchange.maker.address)
    decoder = decoder_for(exchange)
    all_events = events_of(exchange)
    ledger.sync(_source(), deployment, decoder, confirmations=0, to_block=all_events[len(all_events) // 2].block)
    ledger.sync(_source(), deployment, decoder, confirmations=0)
    assert ledger.count(deployment) == len(all_events)
    assert [_key(e) for e in ledger.events(deployment, decoder)] == [_key(e) for e in all_events]
    replayed = replay_for(exchange).feed(ledger.events(deployment, decoder))
    assert replayed.discrepancies == []
    for trader in scenario.traders:
        assert replayed.node.balance(runner.address(trader)) == exchange.balance(runner.address(trader))

    # The artifact market's file (exported from SQLite) imported into PostgreSQL: same rows, same history.
    _, registry, sqlite, settled_id, _ = settled
    path = tmp_path / "settled.jsonl"
    header = export(sqlite, settled_id, path)
    imported = import_file(path, ledger, decoder_of(header, project))
    assert ledger.settlement_history(imported) == registry.settlement_history() != []
    columns = [c for c in events.c if c.name not in ("id", "deployment_id")]
    def rows(store, dep):
        with store.engine.connect() as db:
            return db.execute(select(*columns).where(events.c.deployment_id == dep).order_by(events.c.block, events.c.log_index)).all()
    assert rows(ledger, imported) == rows(sqlite, settled_id)


def test_refresh_writes_the_nodes_balances_and_positions_equal_to_the_chain(settled):
    """The node replays the index and its state becomes rows: every trader's balance and position
    equal the chain's, and the replay accepted every event."""
    from pmarket.ledger.state import balance_of, positions_of, refresh

    runner, registry, ledger, deployment, _ = settled
    backend = runner.backend
    decoder = LogDecoder({h.address: h.contract_type for h in (backend.ex, backend.maker, backend.registry, backend.escrow)})
    assert refresh(ledger, deployment, decoder) == []
    exchange = registry.exchange
    held = positions_of(ledger, deployment)
    assert held, "the lifecycle leaves positions"
    for name in runner.scenario.traders:
        who = runner.address(name)
        assert balance_of(ledger, deployment, who) == exchange.balance(who), name
        for root, branch in runner.markets:
            chain_position = exchange.position(who, root, branch)
            assert held.get((who, root, branch), (0, 0)) == (chain_position.quantity, chain_position.cost), (name, root)
    for (who, root, branch), (quantity, cost) in held.items():  # every row, the artifact's market too
        chain_position = exchange.position(who, root, branch)
        assert (quantity, cost) == (chain_position.quantity, chain_position.cost) != (0, 0)
    assert refresh(ledger, deployment, decoder) == [] and positions_of(ledger, deployment) == held  # idempotent
