"""What ``ape run deploy`` checks before its first transaction, and when it resumes.

Every check raises :class:`DeployCheckError` with one line that names the value and what is wrong
with it. The ranges mirror the contracts' constructor checks, once:

- ``maxBranches`` 1..64 (``Markets.sol``: ``InvalidBranch`` past ``MAX_BRANCHES_LIMIT``);
- ``maxOpenOrders`` 1..48 (``Collateral.sol``: ``InvalidConfiguration`` past ``MAX_OPEN_ORDERS_LIMIT``);
- ``maxRoots`` 1..255 (``Collateral.sol``: not zero; a ``uint8``);
- the collateral's ``decimals()`` at most 36 (``Vault.sol``: ``UnsupportedDecimals``);
- the registry's window and trigger prices (:func:`pmarket.artifacts.deployment_parameters`).
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from eth_utils import keccak

from .artifacts import DAY, deployment_parameters
from .deployment import MODULES
from .errors import PMarketError

MAX_BRANCHES_RANGE = (1, 64)
MAX_OPEN_ORDERS_RANGE = (1, 48)
MAX_ROOTS_RANGE = (1, 255)
MAX_DECIMALS = 36
#: ``--close-after-days`` from 0, ``--window-hours`` from 1 (the registry takes a window of 1 s to 2**32 - 1 s).
MIN_CLOSE_AFTER_DAYS = 0
MIN_WINDOW_HOURS = 1

#: Gas of each deployment transaction, measured on Anvil and rounded up by about 10 %
#: (``tests/test_deploy_checks.py`` checks that a real deployment stays under it).
DEPLOY_GAS = {
    "collateral": 600_000,  # the TestToken
    "markets": 1_850_000,
    "orders": 1_700_000,
    "matching": 500_000,
    "settlement": 2_000_000,
    "pools": 2_750_000,
    "managed": 1_200_000,
    "collateral_module": 2_400_000,
    "exchange": 9_700_000,  # creates its Maker (with TrackedPools) too
    "artifacts": 4_300_000,
    "bounties": 1_400_000,  # with expiries, reclaims and owed shares
}

_DECIMALS, _TOTAL_SUPPLY, _BALANCE_OF = "0x313ce567", "0x18160ddd", "0x70a08231"


class DeployCheckError(PMarketError, ValueError):
    """A deployment argument or its environment is refused before anything is sent."""


# ---- offline: the arguments ------------------------------------------------------------------
def check_range(option: str, value: int, bounds: tuple[int, Optional[int]], why: str) -> int:
    low, high = bounds
    if value < low or (high is not None and value > high):
        shown = f"{low}..{high}" if high is not None else f"{low} or more"
        raise DeployCheckError(f"{option} {value} is out of range: {why} accepts {shown}")
    return value


def check_limits(max_branches: int, max_open_orders: int, max_roots: int) -> None:
    """The Exchange's caps, in the ranges its constructor accepts."""
    check_range("--max-branches", max_branches, MAX_BRANCHES_RANGE, "the Exchange (Markets.sol, MAX_BRANCHES_LIMIT)")
    check_range("--max-open-orders", max_open_orders, MAX_OPEN_ORDERS_RANGE,
                "the Exchange (Collateral.sol, MAX_OPEN_ORDERS_LIMIT)")
    check_range("--max-roots", max_roots, MAX_ROOTS_RANGE, "the Exchange (Collateral.sol, a non-zero uint8)")


def registry_parameters(close_after_days: int, window_hours: int, prices: Sequence[str]) -> tuple[int, int, list[int]]:
    """``(close_after, window, thresholds)`` in seconds and wad, after the registry constructor's checks."""
    check_range("--close-after-days", close_after_days, (MIN_CLOSE_AFTER_DAYS, None), "the registry")
    check_range("--window-hours", window_hours, (MIN_WINDOW_HOURS, None), "the registry")
    close_after, window = close_after_days * DAY, window_hours * 3600
    try:
        return close_after, window, deployment_parameters(close_after, window, prices)
    except ValueError as err:  # AmountError (not a decimal) included
        raise DeployCheckError(f"--trigger-prices: {err}") from None


def check_address(option: str, value: str) -> str:
    """``value`` as a checksummed address, or a refusal naming it."""
    from eth_utils import is_address, to_checksum_address

    if not is_address(value):
        raise DeployCheckError(f"{option} {value} is not an address (20 bytes of hex, 0x..., with a valid checksum if mixed-case)")
    return to_checksum_address(value)


def check_alias(alias: str, known: Iterable[str]) -> None:
    if alias not in set(known):
        raise DeployCheckError(
            f"--account {alias}: no ape account has that alias; `ape accounts list` shows the known ones "
            f"(`ape accounts import {alias}` adds one)"
        )


def check_network_uri(provider: Any, config_file: Optional[Path] = None) -> None:
    """A live network's provider must have an RPC URI configured, before connecting: without one,
    ape fails at connect time with a traceback, or picks a random public RPC (no place to deploy from)."""
    from ape.exceptions import ConfigError

    network = provider.network
    if network.is_dev or network.is_adhoc or not hasattr(type(provider), "_configured_rpc"):
        return  # a local chain its plugin runs, a URI given as --network, or a provider without URIs
    choice = f"{network.choice}:{provider.name}"
    key = f"{provider.name}.{network.ecosystem.name}.{network.name}.uri"
    try:
        if provider._configured_rpc:
            return
        invalid = False
    except ConfigError:
        invalid = True
    var = _env_var_of(config_file, key) if config_file else None
    if var and os.environ.get(var):
        raise DeployCheckError(f"--network {choice}: {var} is set but is not an http(s)/ws(s) URI ({key} reads it)")
    if var:
        raise DeployCheckError(f"--network {choice} has no RPC URI: set {var} ({key} in {config_file.name} reads it)")
    what = "is not a URI" if invalid else "is not set"
    raise DeployCheckError(f"--network {choice} has no RPC URI: {key} {what} (ape-config.yaml), "
                           f"or pass --network {network.choice}:https://...")


def _env_var_of(config_file: Path, key: str) -> Optional[str]:
    """The environment variable ``key`` reads in the raw (unexpanded) ``config_file``, if any."""
    import yaml

    try:
        node: Any = yaml.safe_load(config_file.read_text())
    except (OSError, yaml.YAMLError):
        return None
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    match = re.search(r"\$\{?(\w+)\}?", node) if isinstance(node, str) else None
    return match.group(1) if match else None


# ---- on the chain, before the first transaction ----------------------------------------------
def check_collateral(provider: Any, address: str, holder: str, label: str = "--collateral") -> int:
    """The collateral's decimals, after checking that ``address`` is a contract that answers
    ``decimals()``, ``totalSupply()`` and ``balanceOf(holder)`` like an ERC-20 (plain ``eth_call``s,
    nothing sent), with at most 36 decimals."""
    if not provider.get_code(address):
        raise DeployCheckError(
            f"{label} {address} has no contract code on chain {provider.chain_id} "
            "(a plain account, or the wrong network): the collateral must be an ERC-20 token contract"
        )
    answers = {}
    for name, data in (("decimals()", _DECIMALS), ("totalSupply()", _TOTAL_SUPPLY),
                       ("balanceOf(address)", _BALANCE_OF + holder[2:].lower().rjust(64, "0"))):
        answers[name] = _uint_call(provider, address, data, f"{label} {address} is a contract but not an ERC-20 token: {name}")
    decimals = answers["decimals()"]
    if decimals > MAX_DECIMALS:
        raise DeployCheckError(
            f"{label} {address} has {decimals} decimals: the Exchange takes at most {MAX_DECIMALS} (Vault.sol)"
        )
    return decimals


def _uint_call(provider: Any, address: str, data: str, what: str) -> int:
    try:
        raw = provider.make_request("eth_call", [{"to": address, "data": data}, "latest"])
    except Exception as err:  # a revert arrives as one of several ape / web3 types
        reason = " ".join(str(err).split())[:80] or type(err).__name__
        raise DeployCheckError(f"{what} reverted ({reason})") from None
    result = bytes.fromhex(raw.removeprefix("0x")) if isinstance(raw, str) else bytes(raw)
    if len(result) < 32:
        raise DeployCheckError(f"{what} returned {len(result)} bytes, not a number")
    return int.from_bytes(result[:32], "big")


def deployment_gas(steps: Iterable[str]) -> int:
    return sum(DEPLOY_GAS[s] for s in steps)


def check_balance(provider: Any, deployer: str, balance: int, steps: Sequence[str]) -> int:
    """Refuse when ``balance`` (wei) cannot pay for ``steps`` at the current gas price; the cost
    estimated (wei) otherwise. A rough estimate: the measured gas of each contract (:data:`DEPLOY_GAS`)."""
    raw = provider.make_request("eth_gasPrice", [])
    price = int(raw, 16) if isinstance(raw, str) else int(raw)
    gas = deployment_gas(steps)
    cost = gas * price
    if balance < cost:
        symbol = getattr(provider.network.ecosystem, "fee_token_symbol", "ETH")
        raise DeployCheckError(
            f"the deployer {deployer} holds {_ether(balance)} {symbol}, less than the deployment needs: "
            f"about {_ether(cost)} {symbol} ({gas:,} gas for {', '.join(steps)} at the current gas price of "
            f"{_gwei(price)} gwei; a rough estimate from the contracts' measured gas)"
        )
    return cost


def _ether(wei: int) -> str:
    return f"{(Decimal(wei) / 10**18).normalize():f}" if wei else "0"


def _gwei(wei: int) -> str:
    return f"{(Decimal(wei) / 10**9).normalize():f}" if wei else "0"


# ---- resuming: the recorded pieces -----------------------------------------------------------
#: The pieces of a deployment, in the order they are sent.
STEPS = ("collateral", *(name for name, _ in MODULES), "exchange", "artifacts", "bounties")
_TYPES = {**dict(MODULES), "exchange": "Exchange", "artifacts": "Artifacts", "bounties": "Bounties"}
#: A module's concern, as its ``moduleInfo()`` names it (``keccak256("pmarket.module.<concern>")``).
_CONCERNS = {"markets": "markets", "orders": "orders", "matching": "matching", "settlement": "settlement",
             "pools": "pools", "managed": "managed", "collateral_module": "collateral"}


def plan_steps(params: Mapping[str, Any]) -> list[str]:
    """The pieces a deployment with ``params`` consists of."""
    skip = {"collateral"} if params["collateral"] else set()
    if not params["artifacts"]:
        skip |= {"artifacts", "bounties"}
    return [s for s in STEPS if s not in skip]


def check_nothing_pending(provider: Any, deployer: str) -> None:
    """Refuse while the deployer has transactions waiting in the pool: a resume needs to know which
    of the deployer's transactions landed."""
    nonce = int(provider.get_nonce(deployer, block_id="latest"))
    raw = provider.make_request("eth_getTransactionCount", [deployer, "pending"])
    waiting = int(raw, 16) if isinstance(raw, str) else int(raw)
    if waiting > nonce:
        raise DeployCheckError(f"the deployer {deployer} has {waiting - nonce} transaction(s) pending from nonce {nonce}: "
                               "wait until they are mined or dropped, then run again")


def recorded_code(provider: Any, partial: Any) -> list[str]:
    """The recorded (and in-flight) addresses of ``partial`` that hold code on the connected chain."""
    addresses = [v["address"] for v in partial.deployed.values()]
    if partial.pending:
        addresses.append(partial.pending["address"])
    return [a for a in addresses if provider.get_code(a)]


def verify_partial(partial: Any, deployer: str, provider: Any, project: Any, where: str) -> list[str]:
    """Check a partial record against the chain before resuming it, and settle it: the transaction
    in flight is adopted when its contract is there with the expected views (dropped otherwise).
    Refuses when the deployer differs or a recorded contract is missing or does not match the
    recorded parameters. Returns one note per decision."""
    if partial.deployer.lower() != deployer.lower():
        raise DeployCheckError(f"the partial deployment in {where} was sent by {partial.deployer}, not {deployer}: "
                               "resume it with that account (--account ALIAS)")
    params, notes = partial.parameters, []

    def wrong(step: str, address: str, addresses: Mapping[str, str]) -> list[str]:
        if not provider.get_code(address):
            return ["no code"]
        if step == "collateral":
            try:
                check_collateral(provider, address, deployer, label="the recorded collateral")
            except DeployCheckError as err:
                return [str(err)]
            return []
        contract = _instance(project, step, address)
        return mismatches(contract, expected_views(step, params, addresses))

    addresses = {s: str(v["address"]) for s, v in partial.deployed.items()}
    if partial.pending:
        step, address = partial.pending["step"], partial.pending["address"]
        if not wrong(step, address, addresses):
            partial.deployed[step] = {"address": address, "tx_hash": "", "block": partial.pending["block"],
                                      "nonce": partial.pending["nonce"]}
            addresses[step] = address
            notes.append(f"{step} {address}: created by the transaction in flight when the run stopped "
                         f"(nonce {partial.pending['nonce']}), views as expected: kept (its tx hash is not known)")
        partial.pending = None
    recorded = [s for s in STEPS if s in addresses]
    for step in recorded:
        if not provider.get_code(addresses[step]):
            raise DeployCheckError(f"the recorded {step} {addresses[step]} has no code on chain {provider.chain_id}: "
                                   f"{where} is not a deployment on this chain; remove it to start over")
    for step in recorded:
        found = wrong(step, addresses[step], addresses)
        if found:
            raise DeployCheckError(f"the recorded {step} {addresses[step]} does not match the recorded parameters "
                                   f"({found[0]}); remove {where} to start over")
    return notes


def _instance(project: Any, step: str, address: str) -> Any:
    from ape.contracts import ContractInstance

    if step == "exchange":  # its views are served by its modules too
        from .exchange import merged_contract_type

        return ContractInstance(address, contract_type=merged_contract_type(project))
    return ContractInstance(address, contract_type=getattr(project, _TYPES[step]).contract_type)


def expected_views(step: str, params: Mapping[str, Any], deployed: Mapping[str, str]) -> dict[str, Any]:
    """What a recorded piece's views must return for ``params`` and the other pieces' addresses."""
    collateral = deployed.get("collateral") or params["collateral"]
    constants = (collateral, params["max_branches"], params["max_open_orders"], params["max_roots"])
    if step in _CONCERNS:
        return {"moduleInfo": (keccak(text=f"pmarket.module.{_CONCERNS[step]}"), config_hash(*constants))}
    if step == "exchange":
        return {"collateral": collateral, "maxBranches": params["max_branches"], "maxOpenOrders": params["max_open_orders"],
                "maxRoots": params["max_roots"], "modules": tuple(deployed.get(name) for name, _ in MODULES)}
    if step == "artifacts":
        return {"exchange": deployed.get("exchange"),
                "parameters": (params["close_after"], params["window"], *params["thresholds"])}
    if step == "bounties":
        return {"artifacts": deployed.get("artifacts"), "token": collateral}
    return {}


def config_hash(collateral: str, max_branches: int, max_open_orders: int, max_roots: int) -> bytes:
    """``ExchangeBase._configHash()``: the deployment constants every module is built with."""
    from eth_abi import encode

    return keccak(encode(["address", "uint16", "uint8", "uint8"], [collateral, max_branches, max_open_orders, max_roots]))


def mismatches(contract: Any, expected: Mapping[str, Any]) -> list[str]:
    """``view: got X, expected Y`` for each view of ``contract`` that differs (or reverts)."""
    found = []
    for view, want in expected.items():
        try:
            got = getattr(contract, view)()
        except Exception as err:  # the wrong contract at the address: its views revert
            found.append(f"{view}() reverted ({type(err).__name__})")
            continue
        if _normal(got) != _normal(want):
            found.append(f"{view}() is {_normal(got)}, expected {_normal(want)}")
    return found


def _normal(value: Any) -> Any:
    """Views compare as tuples of ints and lower-case addresses."""
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    return value.lower() if isinstance(value, str) else value
