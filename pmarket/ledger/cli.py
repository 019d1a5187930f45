"""``pmarket ledger sync|export|import|verify`` and ``pmarket serve`` (docs/ledger.md).

    pmarket ledger sync --network ethereum:sepolia:node [--deployment deployments/11155111.json]
        [--db sqlite:///pmarket-ledger.db] [--confirmations 2] [--chunk 2000]
    pmarket serve [--db sqlite:///pmarket-ledger.db] [--deployment-id N] [--host 127.0.0.1] [--port 8000]
"""

from __future__ import annotations

from typing import Any, Optional

import click

from .sync import DEFAULT_CHUNK, DEFAULT_CONFIRMATIONS


@click.group()
def ledger() -> None:
    """The ledger: a deployment's events in a database (SQLite by default, PostgreSQL by URL)."""


@ledger.command("sync")
@click.option("--network", required=True, help="ape network, e.g. ethereum:local:foundry or ethereum:sepolia:node.")
@click.option("--deployment", "record", default=None, help="Deployment record (default: deployments/<chain id>.json).")
@click.option("--db", "url", default="sqlite:///pmarket-ledger.db", show_default=True, help="SQLAlchemy database URL.")
@click.option("--confirmations", default=DEFAULT_CONFIRMATIONS, show_default=True, help="Blocks to stay behind the head.")
@click.option("--chunk", default=DEFAULT_CHUNK, show_default=True, help="Widest block range per log query.")
def sync_cmd(network: str, record: Optional[str], url: str, confirmations: int, chunk: int) -> None:
    """Follow the deployment's events into the index, from where the last sync stopped."""
    from ape import networks
    from ape.exceptions import ApeException
    from ape.logging import logger

    from ..errors import PMarketError

    logger.set_level("WARNING")
    try:
        with networks.parse_network_choice(network):
            _sync(record, url, confirmations, chunk)
    except (PMarketError, ApeException, OSError) as err:
        raise click.ClickException(" ".join(str(err).split()) or type(err).__name__) from None


def _sync(record: Optional[str], url: str, confirmations: int, chunk: int) -> None:
    from ape import chain
    from rich.progress import Progress

    from ..exchange import deployed
    from . import Ledger, LogSource, decoder_for
    from .archive import config_of

    exchange = deployed(record)
    others = _beside(exchange, record)
    store = Ledger(url)
    registries = [others["artifacts"]] if "artifacts" in others else []
    escrows = [others["bounties"]] if "bounties" in others else []
    deployment = store.follow(
        chain.chain_id, exchange.address, exchange.start_block, config=config_of(exchange, registries, escrows),
        maker=exchange.maker.address, **{name: getattr(o, "address", "") for name, o in others.items()},
    )
    source = LogSource(chain.provider.web3.provider.make_request)
    with Progress(transient=True) as bar:
        task = bar.add_task("syncing blocks", total=None)
        report = store.sync(
            source, deployment, decoder_for(exchange, *others.values()), confirmations=confirmations, chunk=chunk,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    click.echo(
        f"synced blocks {report.first_block}..{report.last_block}: {report.events} events "
        f"({store.count(deployment)} in the index, {report.queries} log queries) into {url}"
    )
    _refresh(store, deployment, decoder_for(exchange, *others.values()))


def _refresh(store: Any, deployment: int, decoder: Any) -> None:
    """Rewrite the state tables from the node's replay; one line per event the node refused."""
    from .state import refresh

    refused = refresh(store, deployment, decoder)
    for name, error in refused:
        click.echo(f"the node refused {name}: {error}", err=True)
    if refused:
        raise click.ClickException(f"{len(refused)} event(s) the node does not accept: state tables hold its view without them")


def _beside(exchange: Any, record: Optional[str]) -> dict[str, Any]:
    """The artifact registry and the bounty escrow the deployment record names, if any."""
    from ..artifacts import Artifacts
    from ..bounties import Bounties
    from ..deployment import DeploymentNotFound

    out: dict[str, Any] = {}
    try:
        registry = Artifacts.deployed(exchange, record)
    except DeploymentNotFound:
        return out
    out["artifacts"] = registry
    try:
        out["bounties"] = Bounties.deployed(registry, record)
    except DeploymentNotFound:
        pass
    return out


@click.command("serve")
@click.option("--db", "url", default="sqlite:///pmarket-ledger.db", show_default=True, help="SQLAlchemy database URL.")
@click.option("--deployment-id", type=int, default=None, help="Which followed deployment (default: the only one).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(url: str, deployment_id: Optional[int], host: str, port: int) -> None:
    """Serve the index read-only over HTTP (JSON; OpenAPI docs at /docs)."""
    import uvicorn

    from .api import AmbiguousDeployment, create_app, pick_deployment
    from .sync import Ledger

    store = Ledger(url)
    try:
        deployment = pick_deployment(store, deployment_id)
    except AmbiguousDeployment as err:
        raise click.ClickException(str(err)) from None
    uvicorn.run(create_app(store, deployment), host=host, port=port, log_level="warning")


@ledger.command("export")
@click.option("--db", "url", default="sqlite:///pmarket-ledger.db", show_default=True, help="SQLAlchemy database URL.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="File format (default: from the suffix of --out).")
@click.option("--deployment-id", type=int, default=None, help="Which followed deployment (default: the only one).")
def export_cmd(url: str, out: str, fmt: Optional[str], deployment_id: Optional[int]) -> None:
    """Write the index of a deployment to a file whose every record commits to the one before."""
    from pathlib import Path

    from .api import AmbiguousDeployment, pick_deployment
    from .archive import export
    from .formats import FormatError
    from .sync import Ledger

    store = Ledger(url)
    try:
        header = export(store, pick_deployment(store, deployment_id), Path(out), fmt)
    except (AmbiguousDeployment, FormatError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"exported {header['records']} records of {header['exchange']} (chain {header['chain_id']}) to {out}")


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
                             help="File format (default: from the file's suffix).")


@ledger.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "url", default="sqlite:///pmarket-ledger.db", show_default=True, help="SQLAlchemy database URL.")
@FORMAT_OPTION
def import_cmd(file: str, url: str, fmt: Optional[str]) -> None:
    """Load a ledger file into an index, without any RPC (its chain of hashes checked first)."""
    from pathlib import Path

    from ..errors import PMarketError
    from ..scenario.chain import pmarket_project
    from .archive import decoder_of, import_file, read
    from .sync import Ledger

    try:
        header, _ = read(Path(file), fmt)
        store, decoder = Ledger(url), decoder_of(header, pmarket_project())
        deployment = import_file(Path(file), store, decoder, fmt)
    except PMarketError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"imported {header['records']} records as deployment {deployment} into {url}")
    try:
        _refresh(store, deployment, decoder)
    except PMarketError as err:  # a file without the replay config: the events are in, the state is not
        raise click.ClickException(str(err)) from None


@ledger.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@FORMAT_OPTION
@click.option("--network", default=None, help="Also check every record against this network's receipts.")
def verify_cmd(file: str, fmt: Optional[str], network: Optional[str]) -> None:
    """Check a ledger file: its chain of hashes, a replay of every record by the node, and with
    --network every record against the chain's receipts."""
    from pathlib import Path

    from ..errors import PMarketError
    from ..scenario.chain import pmarket_project
    from .archive import decoder_of, read, verify

    try:
        header, _ = read(Path(file), fmt)
        verdict = verify(Path(file), decoder_of(header, pmarket_project()), fmt)
    except PMarketError as err:
        raise click.ClickException(str(err)) from None
    for number, name, error in verdict.discrepancies:
        click.echo(f"record {number} ({name}): {error}", err=True)
    if verdict.discrepancies:
        raise click.ClickException(f"{len(verdict.discrepancies)} record(s) the node does not accept")
    checked = ""
    if network is not None:
        _receipts(network, verdict)
        checked = f", and every one matches {network}'s receipts"
    click.echo(f"{len(verdict.records)} records: the chain of hashes holds and the node replays every one{checked}")


def _receipts(network: str, verdict: Any) -> None:
    from ape import chain, networks
    from ape.exceptions import ApeException
    from ape.logging import logger

    from ..errors import PMarketError
    from .receipts import check_receipts

    logger.set_level("WARNING")
    try:
        with networks.parse_network_choice(network):
            if chain.chain_id != int(verdict.header["chain_id"]):
                raise click.ClickException(f"{network} is chain {chain.chain_id}; the file is of chain {verdict.header['chain_id']}")
            problems = check_receipts(verdict.header, verdict.records, chain.provider.web3.provider.make_request)
    except (PMarketError, ApeException, OSError) as err:
        raise click.ClickException(" ".join(str(err).split()) or type(err).__name__) from None
    for number, what in problems:
        click.echo(f"record {number}: {what}" if number >= 0 else what, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} difference(s) from the chain's receipts")
