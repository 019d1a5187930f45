"""Deploy pmarket: ``ape run deploy --network <network> [--account ALIAS] [--collateral ADDRESS]``.

On a local network without ``--collateral`` a fresh 6-decimal TestToken serves as collateral. The
deployment record (addresses, chain id, block) goes to ``deployments/<chain id>.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click
from ape.cli import ConnectedProviderCommand

from pmarket.deployment import DEFAULT_FOLDER, DeploymentRecord, save_record
from pmarket.exchange import DEFAULT_MAX_BRANCHES, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_ROOTS, Exchange


@click.command(cls=ConnectedProviderCommand, short_help="Deploy the pmarket Exchange")
@click.option("--account", "alias", default=None, help="Alias of the deploying ape account.")
@click.option("--collateral", default=None, help="ERC-20 collateral address (default: a new TestToken on local networks).")
@click.option("--test-collateral", is_flag=True, help="Deploy a fresh 6-decimal TestToken as collateral (any network).")
@click.option("--max-branches", default=DEFAULT_MAX_BRANCHES, show_default=True, help="Most branches one root may have.")
@click.option("--max-open-orders", default=DEFAULT_MAX_OPEN_ORDERS, show_default=True, help="Most open orders per trader and root (1..48).")
@click.option("--max-roots", default=DEFAULT_MAX_ROOTS, show_default=True, help="Most roots one trader may be active in (1..255).")
@click.option("--out", "folder", default=str(DEFAULT_FOLDER), show_default=True, help="Folder for the deployment record.")
def cli(network, alias: Optional[str], collateral: Optional[str], test_collateral: bool, max_branches: int,
        max_open_orders: int, max_roots: int, folder: str) -> None:
    from ape import chain

    from scripts._common import pick_account

    deployer = pick_account(alias)
    if collateral is None and not (network.is_local or test_collateral):
        raise click.UsageError("pass --collateral ADDRESS (the ERC-20 to trade against) or --test-collateral")
    exchange = Exchange.deploy(
        deployer, collateral=collateral, max_branches=max_branches, max_open_orders=max_open_orders, max_roots=max_roots
    )
    receipt = chain.get_receipt(exchange.deploy_tx)
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
    )
    path = save_record(record, Path(folder))
    click.echo(f"pmarket Exchange {record.exchange} on chain {record.chain_id} (block {record.block})")
    click.echo(f"maker {record.maker}; collateral {record.collateral} ({record.collateral_decimals} decimals); record: {path}")
