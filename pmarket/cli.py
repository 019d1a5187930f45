"""``pmarket`` command line (click, as ape's commands are).

    pmarket order-hash --chain-id 31337 --contract 0x... --trader 0x... --root 1 --branch 1 \\
        --price 0.5 --quantity 10 [--previous 0x...] [--expiry 0]
    pmarket to-wad 0.1
"""

from __future__ import annotations

import click

from . import __version__
from .orders import Order
from .typed import Domain
from .wad import AmountError, FloatNotAllowed, to_wad


@click.group()
@click.version_option(__version__, prog_name="pmarket")
def cli() -> None:
    """pmarket: markets in bounded forward contracts."""


@cli.command("to-wad")
@click.argument("amount")
@click.option("--decimals", default=18, show_default=True, help="Implied decimals of the result.")
def to_wad_cmd(amount: str, decimals: int) -> None:
    """Print AMOUNT as an exact integer with DECIMALS implied decimals."""
    try:
        click.echo(to_wad(amount, decimals=decimals))
    except (AmountError, FloatNotAllowed) as err:
        raise click.BadParameter(str(err), param_hint="AMOUNT") from err


@cli.command("order-hash")
@click.option("--chain-id", type=int, required=True)
@click.option("--contract", required=True, help="Exchange address (EIP-712 verifying contract).")
@click.option("--trader", required=True)
@click.option("--root", "root_id", type=int, required=True)
@click.option("--branch", "branch_id", type=int, default=1, show_default=True)
@click.option("--price", required=True, help="Decimal price, e.g. 0.5")
@click.option("--quantity", required=True, help="Decimal quantity: positive bids, negative offers.")
@click.option("--previous", default=None, help="Hash of the trader's previous valid order.")
@click.option("--expiry", type=int, default=0, show_default=True)
def order_hash(chain_id: int, contract: str, trader: str, root_id: int, branch_id: int, price: str,
               quantity: str, previous: str | None, expiry: int) -> None:
    """Print the EIP-712 digest of a Primary limit order (what the trader signs)."""
    try:
        order = Order.limit(trader, root_id, branch_id, price, quantity, previous=previous, expiry=expiry)
    except (AmountError, ValueError) as err:
        raise click.UsageError(str(err)) from err
    click.echo("0x" + order.digest(Domain(chain_id, contract)).hex())


@cli.group()
def scenario() -> None:
    """Try a book before trading: run a scenario file on the node, on a fresh chain, or both."""


@scenario.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--offchain", "mode", flag_value="offchain", default=True, help="The independent node only (default).")
@click.option("--chain", "mode", flag_value="chain", help="Fresh contracts on a fresh Anvil, one signed transaction per action.")
@click.option("--compare", "mode", flag_value="compare", help="Both; exit 1 on any difference.")
@click.option("--network", default="ethereum:local:foundry", show_default=True, help="ape network for --chain/--compare.")
def scenario_run(file: str, mode: str, network: str) -> None:
    """Run scenario FILE and print its JSON report."""
    import json

    from .scenario import Scenario, ScenarioError, diff, run_chain, run_offchain

    try:
        loaded = Scenario.load(file)
    except (ScenarioError, ValueError) as err:
        raise click.UsageError(f"{file}: {err}") from err
    if mode == "offchain":
        click.echo(json.dumps(run_offchain(loaded), indent=2))
        return
    from ape.logging import logger

    from .scenario.chain import fresh_anvil

    logger.set_level("WARNING")  # keep stdout for the JSON report (no "Starting 'anvil'" lines)
    with fresh_anvil(network):
        chain_report = run_chain(loaded)
    if mode == "chain":
        click.echo(json.dumps(chain_report, indent=2))
        return
    node_report = run_offchain(loaded)
    differences = diff(node_report, chain_report)
    click.echo(json.dumps(node_report, indent=2))
    if differences:
        click.echo(f"node and chain differ in {len(differences)} place(s):", err=True)
        for line in differences:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1)
    click.echo("node and chain agree on every verdict, error, balance, position, open order and worst case", err=True)


def _register() -> None:
    """The command groups that live beside their concern."""
    from .ledger.cli import ledger, serve

    cli.add_command(ledger)
    cli.add_command(serve)


_register()
