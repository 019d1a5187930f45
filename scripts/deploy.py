"""Deploy pmarket: ``ape run deploy --network <network> [--account ALIAS] [--collateral ADDRESS] [--resume]``.

On a local network without ``--collateral`` a fresh 6-decimal TestToken serves as collateral. The
Exchange (its seven modules, then the Exchange, which creates its Maker) comes first, then the artifact registry
and the bounty escrow (``--no-artifacts`` leaves them out); the deploying account holds the
registry's role admin.

Every argument is checked before the first transaction (:mod:`pmarket.deploy_checks`); a refusal
is one line. While the deployment is under way ``deployments/<chain id>.partial.json`` records each
contract as it is confirmed; if a step fails, that record stays, and ``--resume`` continues from it.
The final record (addresses, chain id, block) goes to ``deployments/<chain id>.json`` once every
piece is deployed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Collection, Optional

import click

from pmarket.artifacts import DAY, SEED_PRICES
from pmarket.deploy_checks import (
    DeployCheckError,
    check_address,
    check_alias,
    check_balance,
    check_collateral,
    check_limits,
    check_network_uri,
    check_nothing_pending,
    plan_steps,
    recorded_code,
    registry_parameters,
    verify_partial,
)
from pmarket.deployment import (
    DEFAULT_FOLDER,
    DeploymentRecord,
    PartialDeployment,
    load_partial,
    partial_path,
    remove_partial,
    save_partial,
    save_record,
)
from pmarket.exchange import DEFAULT_MAX_BRANCHES, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_ROOTS
from pmarket.wad import format_wad
from scripts._common import CheckedCommand, Refusal

#: Option -> the recorded parameter it sets (a resume refuses an option that contradicts the record).
_RECORDED = {"collateral": "collateral", "test_collateral": "collateral", "max_branches": "max_branches",
             "max_open_orders": "max_open_orders", "max_roots": "max_roots", "with_artifacts": "artifacts",
             "close_after_days": "close_after", "window_hours": "window", "trigger_prices": "thresholds"}


def _prices(text: str) -> list[str]:
    return [p.strip() for p in text.split(",")]


def _preflight(ctx: click.Context) -> None:
    """The checks that need no chain, before connecting to one."""
    from ape import accounts, project
    from ape.api.providers import ProviderAPI

    p = ctx.params
    provider = p.get("network")
    network = provider.network if isinstance(provider, ProviderAPI) else None
    local = network is not None and network.is_local
    try:
        check_limits(p["max_branches"], p["max_open_orders"], p["max_roots"])
        if p["with_artifacts"]:
            registry_parameters(p["close_after_days"], p["window_hours"], _prices(p["trigger_prices"]))
        if p["collateral"] is not None:
            check_address("--collateral", p["collateral"])
            if p["test_collateral"]:
                raise DeployCheckError("pass --collateral ADDRESS or --test-collateral, not both")
        elif not (local or p["test_collateral"] or p["resume"]):
            raise DeployCheckError("pass --collateral ADDRESS (the ERC-20 to trade against) or --test-collateral")
        if isinstance(provider, ProviderAPI):
            check_network_uri(provider, Path(project.path) / "ape-config.yaml")
        if p["alias"]:
            check_alias(p["alias"], accounts.aliases)
        elif not local:
            raise DeployCheckError("on a live network pass --account ALIAS (see `ape accounts list`)")
    except DeployCheckError as err:
        raise Refusal(str(err)) from None


@click.command(cls=CheckedCommand, preflight=_preflight,
               short_help="Deploy pmarket: the Exchange with its Maker, the artifact registry and the bounty escrow")
@click.option("--account", "alias", default=None, help="Alias of the deploying ape account.")
@click.option("--collateral", default=None, help="ERC-20 collateral address (default: a new TestToken on local networks).")
@click.option("--test-collateral", is_flag=True, help="Deploy a fresh 6-decimal TestToken as collateral (any network).")
@click.option("--max-branches", default=DEFAULT_MAX_BRANCHES, show_default=True, help="Most branches one root may have (1..64).")
@click.option("--max-open-orders", default=DEFAULT_MAX_OPEN_ORDERS, show_default=True, help="Most open orders per trader and root (1..48).")
@click.option("--max-roots", default=DEFAULT_MAX_ROOTS, show_default=True, help="Most roots one trader may be active in (1..255).")
@click.option("--artifacts/--no-artifacts", "with_artifacts", default=True, show_default=True,
              help="Also deploy the artifact registry and the bounty escrow.")
@click.option("--close-after-days", default=90, show_default=True,
              help="Days an artifact stays listed before holders may close at the pool's price (0 or more).")
@click.option("--window-hours", default=24, show_default=True,
              help="How long a price must stay past its threshold before anyone may trigger the state (1 or more).")
@click.option("--trigger-prices", default=",".join(SEED_PRICES), show_default=True,
              help="Prices the pool must stay above (validated) or below (flagged, deprecated) through the window for anyone to trigger.")
@click.option("--resume", is_flag=True,
              help="Continue the partial deployment recorded in <out>/<chain id>.partial.json, with its parameters.")
@click.option("--out", "folder", default=str(DEFAULT_FOLDER), show_default=True, help="Folder for the deployment record.")
def cli(network, alias: Optional[str], collateral: Optional[str], test_collateral: bool, max_branches: int,
        max_open_orders: int, max_roots: int, with_artifacts: bool, close_after_days: int, window_hours: int,
        trigger_prices: str, resume: bool, folder: str) -> None:
    from scripts._common import pick_account

    ctx = click.get_current_context()
    params = plan_parameters(collateral, max_branches, max_open_orders, max_roots, with_artifacts,
                             close_after_days, window_hours, _prices(trigger_prices))
    given = {_RECORDED[name] for name in _RECORDED
             if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)}
    deployer = pick_account(alias)
    try:
        deploy(params, deployer, Path(folder), network=network.choice, resume=resume, given=given)
    except DeployCheckError as err:
        raise Refusal(str(err)) from None


def plan_parameters(collateral: Optional[str], max_branches: int, max_open_orders: int, max_roots: int,
                    with_artifacts: bool, close_after_days: int, window_hours: int, prices: list[str]) -> dict[str, Any]:
    """The deployment's parameters as the partial record keeps them (checked)."""
    check_limits(max_branches, max_open_orders, max_roots)
    close_after, window, thresholds = (registry_parameters(close_after_days, window_hours, prices) if with_artifacts
                                       else (close_after_days * DAY, window_hours * 3600, []))
    return {"collateral": check_address("--collateral", collateral) if collateral else "",
            "max_branches": max_branches, "max_open_orders": max_open_orders, "max_roots": max_roots,
            "artifacts": with_artifacts, "close_after": close_after, "window": window,
            "trigger_prices": prices if with_artifacts else [], "thresholds": thresholds}


def deploy(params: dict[str, Any], deployer: Any, folder: Path, *, network: str, resume: bool = False,
           given: Collection[str] = (), echo: Callable[[str], None] = click.echo) -> DeploymentRecord:
    """Check on the chain, then deploy what ``params`` (or, resuming, the partial record) still
    lacks, recording each piece; a failure leaves the partial record and raises a one-line
    :class:`click.ClickException`. A refusal before the first transaction is a ``DeployCheckError``."""
    from ape import chain, project

    provider, chain_id, sender = chain.provider, chain.chain_id, str(deployer.address)
    where = partial_path(chain_id, folder)
    partial = load_partial(chain_id, folder)
    notes: list[str] = []
    check_nothing_pending(provider, sender)  # a resume must know which transactions landed
    if resume:
        if partial is None:
            raise DeployCheckError(f"--resume: no partial deployment at {where} to resume")
        recorded = partial.parameters
        for key in sorted(given):
            if key in recorded and str(params[key]).lower() != str(recorded[key]).lower():
                raise DeployCheckError(f"--resume continues with the recorded parameters: {key} {params[key]} differs "
                                       f"from the recorded {recorded[key]} in {where} (leave the option out)")
        params = recorded
        notes = verify_partial(partial, sender, provider, project, str(where))
    elif partial is not None:
        if recorded_code(provider, partial):
            failed = f" (failed at {partial.failed_step}: {partial.error})" if partial.failed_step else ""
            raise DeployCheckError(f"a partial deployment is recorded in {where}{failed}: pass --resume to continue it, "
                                   "or remove the file to start over")
        echo(f"ignoring {where}: none of its contracts exists on chain {chain_id} (an Anvil that has ended?)")
        partial = None
    if params["collateral"]:
        check_collateral(provider, params["collateral"], sender)
    if partial is None:
        partial = PartialDeployment(chain_id=chain_id, network=network, deployer=sender, parameters=params)
    todo = [s for s in plan_steps(params) if s not in partial.deployed]
    check_balance(provider, sender, int(deployer.balance), todo)

    journal = _Journal(partial, folder)
    kept = [s for s in plan_steps(params) if s in partial.deployed]
    try:
        _send_steps(journal, params, deployer, project)
    except (Exception, KeyboardInterrupt) as err:
        reason = " ".join(str(err).split())[:200]
        error = f"{type(err).__name__}: {reason}" if reason else type(err).__name__
        journal.fail(error)
        done = ", ".join(f"{s} {v['address']}" for s, v in partial.deployed.items()) or "nothing"
        again = "the same --network" if network.endswith(":custom") else f"--network {network}"  # a URI may hold a key
        raise click.ClickException(
            f"the {journal.step or 'first'} step failed ({error}); deployed so far: {done}; recorded in {where}: "
            f"`ape run deploy` with {again} and --resume continues from there"
        ) from None

    from pmarket.artifacts import Artifacts
    from pmarket.exchange import Exchange

    pieces = partial.deployed
    exchange = Exchange.at(pieces["exchange"]["address"], project=project)
    record = DeploymentRecord(
        chain_id=chain_id,
        network=partial.network,
        exchange=exchange.address,
        collateral=str(exchange.token.address),
        collateral_decimals=exchange.decimals,
        max_branches=params["max_branches"],
        block=int(pieces["exchange"]["block"]),
        deployer=sender,
        tx_hash=str(pieces["exchange"]["tx_hash"]),
        max_open_orders=params["max_open_orders"],
        max_roots=params["max_roots"],
        maker=str(exchange.maker.address),
        artifacts=partial.address("artifacts"),
        bounties=partial.address("bounties"),
    )
    path = save_record(record, folder)
    remove_partial(chain_id, folder)
    if resume:
        echo(f"resumed {where}: kept {', '.join(kept) or 'nothing'}; deployed {', '.join(todo) or 'nothing'}")
    for note in notes:
        echo(note)
    echo(f"pmarket Exchange {record.exchange} on chain {record.chain_id} (block {record.block})")
    echo(f"maker {record.maker}; collateral {record.collateral} ({record.collateral_decimals} decimals)")
    if params["artifacts"]:
        registry = Artifacts.at(record.artifacts, exchange, project=project)
        close, window, *prices = registry.contract.parameters()  # read back from the chain
        triggers = "/".join(format_wad(p) for p in prices)
        echo(f"artifact registry {record.artifacts}: close after {close // DAY} days, window {window // 3600} h, "
             f"triggers {triggers}; oracle role admin {sender}")
        echo(f"bounty escrow {record.bounties}")
    echo(f"record: {path}")
    return record


class _Journal:
    """The partial record, rewritten before each transaction is sent and after it is confirmed."""

    def __init__(self, partial: PartialDeployment, folder: Path) -> None:
        self.partial, self.folder, self.step = partial, folder, ""
        partial.failed_step = partial.error = ""

    def send(self, step: str, container: Any, *args: Any, deployer: Any, errors_of: Any = None) -> str:
        """Deploy ``container(*args)`` as ``step`` and record it; a revert raises the pmarket error."""
        from ape import chain
        from ape.exceptions import ContractLogicError

        from pmarket.exchange import translate
        from pmarket.maker import create_address

        self.step = step
        nonce = int(deployer.nonce)
        self.partial.pending = {"step": step, "nonce": nonce, "address": create_address(str(deployer.address), nonce),
                                "block": chain.blocks.head.number}
        save_partial(self.partial, self.folder)
        try:
            contract = container.deploy(*args, sender=deployer)
        except ContractLogicError as err:
            raise translate(err, (errors_of or container).contract_type) from err
        receipt = chain.get_receipt(contract.txn_hash)
        self.partial.deployed[step] = {"address": str(contract.address), "tx_hash": str(receipt.txn_hash),
                                       "block": receipt.block_number, "nonce": nonce}
        self.partial.pending = None
        save_partial(self.partial, self.folder)
        return str(contract.address)

    def fail(self, error: str) -> None:
        self.partial.failed_step, self.partial.error = self.step, error
        save_partial(self.partial, self.folder)


def _send_steps(journal: _Journal, params: dict[str, Any], deployer: Any, project: Any) -> None:
    """Send every piece the partial record lacks, in order (what ``Exchange.deploy``,
    ``Artifacts.deploy`` and ``Bounties.deploy`` send, one recorded transaction at a time)."""
    from eth_utils import keccak

    from pmarket.deployment import deploy_exchange

    done = journal.partial.deployed

    def have(step: str) -> str:
        return str(done[step]["address"]) if step in done else ""

    collateral = params["collateral"] or have("collateral") or journal.send(
        "collateral", project.TestToken, "pmarket test dollar", "pUSD", 6, deployer=deployer)
    if not have("exchange"):
        # The modules, then the Exchange, which checks them and creates its Maker (the routine of
        # pmarket.deployment: steps already recorded are not sent again).
        deploy_exchange(
            lambda name, kind, args: have(name) or journal.send(
                name, getattr(project, kind), *args, deployer=deployer, errors_of=project.Exchange),
            collateral, params["max_branches"], params["max_open_orders"], params["max_roots"],
        )
    if params["artifacts"]:
        exchange = have("exchange")
        registry = have("artifacts") or journal.send(
            "artifacts", project.Artifacts, exchange, params["close_after"], params["window"], params["thresholds"],
            deployer=deployer)
        if not have("bounties"):
            journal.send("bounties", project.Bounties, registry, collateral, keccak(text="ORACLE_ROLE"), deployer=deployer)
