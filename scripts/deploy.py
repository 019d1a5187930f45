"""Deploy pmarket: ``ape run deploy --network <network> [--account ALIAS] [--collateral ADDRESS]``.

On a local network without ``--collateral`` a fresh 6-decimal TestToken serves as collateral. The
Exchange (with its Maker and extension) comes first, then the artifact registry and the bounty
escrow (``--no-artifacts`` leaves them out); the deploying account holds the registry's role admin.
The deployment record (addresses, chain id, block) goes to ``deployments/<chain id>.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click
from ape.cli import ConnectedProviderCommand

from pmarket.artifacts import DAY, SEED_PRICES, Artifacts, deployment_parameters
from pmarket.bounties import Bounties
from pmarket.deployment import DEFAULT_FOLDER, DeploymentRecord, save_record
from pmarket.exchange import DEFAULT_MAX_BRANCHES, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_ROOTS, Exchange
from pmarket.wad import format_wad


@click.command(cls=ConnectedProviderCommand, short_help="Deploy pmarket: the Exchange with its Maker, the artifact registry and the bounty escrow")
@click.option("--account", "alias", default=None, help="Alias of the deploying ape account.")
@click.option("--collateral", default=None, help="ERC-20 collateral address (default: a new TestToken on local networks).")
@click.option("--test-collateral", is_flag=True, help="Deploy a fresh 6-decimal TestToken as collateral (any network).")
@click.option("--max-branches", default=DEFAULT_MAX_BRANCHES, show_default=True, help="Most branches one root may have.")
@click.option("--max-open-orders", default=DEFAULT_MAX_OPEN_ORDERS, show_default=True, help="Most open orders per trader and root (1..48).")
@click.option("--max-roots", default=DEFAULT_MAX_ROOTS, show_default=True, help="Most roots one trader may be active in (1..255).")
@click.option("--artifacts/--no-artifacts", "with_artifacts", default=True, show_default=True,
              help="Also deploy the artifact registry and the bounty escrow.")
@click.option("--close-after-days", default=90, show_default=True, type=click.IntRange(min=0),
              help="Days an artifact stays listed before holders may close at the pool's price.")
@click.option("--window-hours", default=24, show_default=True, type=click.IntRange(min=1),
              help="Window of the time-weighted price behind triggered transitions.")
@click.option("--trigger-prices", default=",".join(SEED_PRICES), show_default=True,
              help="Time-weighted prices past which anyone may trigger validated (above), flagged and deprecated (below).")
@click.option("--out", "folder", default=str(DEFAULT_FOLDER), show_default=True, help="Folder for the deployment record.")
def cli(network, alias: Optional[str], collateral: Optional[str], test_collateral: bool, max_branches: int,
        max_open_orders: int, max_roots: int, with_artifacts: bool, close_after_days: int, window_hours: int,
        trigger_prices: str, folder: str) -> None:
    from ape import chain

    from scripts._common import pick_account

    prices = [p.strip() for p in trigger_prices.split(",")]
    close_after, window = close_after_days * DAY, window_hours * 3600
    if with_artifacts:
        try:
            deployment_parameters(close_after, window, prices)  # before anything is deployed
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--trigger-prices") from err
    deployer = pick_account(alias)
    if collateral is None and not (network.is_local or test_collateral):
        raise click.UsageError("pass --collateral ADDRESS (the ERC-20 to trade against) or --test-collateral")
    exchange = Exchange.deploy(
        deployer, collateral=collateral, max_branches=max_branches, max_open_orders=max_open_orders, max_roots=max_roots
    )
    receipt = chain.get_receipt(exchange.deploy_tx)
    artifacts = bounties = ""
    if with_artifacts:
        registry = Artifacts.deploy(exchange, deployer, close_after=close_after, window=window, prices=prices)
        artifacts, bounties = registry.address, Bounties.deploy(registry, deployer).address
    record = DeploymentRecord(
        chain_id=chain.chain_id,
        network=network.choice,
        exchange=exchange.address,
        collateral=str(exchange.token.address),
        collateral_decimals=exchange.decimals,
        max_branches=max_branches,
        block=receipt.block_number,
        deployer=str(deployer.address),
        tx_hash=str(receipt.txn_hash),
        max_open_orders=max_open_orders,
        max_roots=max_roots,
        maker=str(exchange.maker.address),
        artifacts=artifacts,
        bounties=bounties,
    )
    path = save_record(record, Path(folder))
    click.echo(f"pmarket Exchange {record.exchange} on chain {record.chain_id} (block {record.block})")
    click.echo(f"maker {record.maker}; collateral {record.collateral} ({record.collateral_decimals} decimals)")
    if with_artifacts:
        close, window, *prices = registry.contract.parameters()  # read back from the chain
        triggers = "/".join(format_wad(p) for p in prices)
        click.echo(f"artifact registry {artifacts}: close after {close // DAY} days, window {window // 3600} h, "
                   f"triggers {triggers}; oracle role admin {deployer.address}")
        click.echo(f"bounty escrow {bounties}")
    click.echo(f"record: {path}")
