"""Deployment: the routine that deploys an Exchange, and the records of deployments (which
addresses, on which chain, since which block).

``ape run deploy`` writes ``deployments/<chain id>.json``; the client, the console extras and later
tooling (ledger export, the node) read it to find a deployment and the block to scan from. That
record is written only for a complete deployment. While one is under way, and after one failed part
way, ``deployments/<chain id>.partial.json`` (:class:`PartialDeployment`) holds what was deployed,
its addresses and transaction hashes, the transaction in flight and the step that failed;
``ape run deploy --resume`` continues from it and removes it once the deployment is complete.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .errors import PMarketError

DEFAULT_FOLDER = Path("deployments")


class DeploymentNotFound(PMarketError):
    """No deployment record for this chain."""


@dataclass(frozen=True)
class DeploymentRecord:
    chain_id: int
    network: str
    exchange: str
    collateral: str
    collateral_decimals: int
    max_branches: int
    block: int
    deployer: str
    tx_hash: str
    max_open_orders: int = 32
    max_roots: int = 64
    #: The LMSR maker the Exchange created ("" in records written before it existed).
    maker: str = ""
    #: The artifact registry and the bounty escrow ("" when deployed without them).
    artifacts: str = ""
    bounties: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def record_path(chain_id: int, folder: Path = DEFAULT_FOLDER) -> Path:
    return folder / f"{chain_id}.json"


def save_record(record: DeploymentRecord, folder: Path = DEFAULT_FOLDER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = record_path(record.chain_id, folder)
    path.write_text(record.to_json())
    return path


def load_record(chain_id: int, *, path: Optional[str] = None) -> DeploymentRecord:
    file = Path(path) if path else record_path(chain_id)
    if not file.exists():
        raise DeploymentNotFound(f"no deployment record at {file}: run `ape run deploy --network ...` first")
    return DeploymentRecord(**json.loads(file.read_text()))


@dataclass
class PartialDeployment:
    """A deployment under way or stopped part way: the journal ``ape run deploy`` keeps (and
    rewrites after every step) until the final record is written."""

    chain_id: int
    network: str
    deployer: str
    #: The deployment's parameters (collateral, caps, registry parameters): a resume uses these.
    parameters: dict[str, Any]
    #: step -> {"address", "tx_hash", "block", "nonce"} for each confirmed contract, in order.
    deployed: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The transaction sent and not yet confirmed: {"step", "nonce", "address" (predicted), "block"}.
    pending: Optional[dict[str, Any]] = None
    #: The step that failed and why ("" while under way).
    failed_step: str = ""
    error: str = ""
    #: Contracts left behind by an earlier attempt ({"step", "address", "tx_hash", "why"}).
    abandoned: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    def address(self, step: str) -> str:
        return str(self.deployed[step]["address"]) if step in self.deployed else ""


def partial_path(chain_id: int, folder: Path = DEFAULT_FOLDER) -> Path:
    return folder / f"{chain_id}.partial.json"


def save_partial(partial: PartialDeployment, folder: Path = DEFAULT_FOLDER) -> Path:
    """Write the partial record atomically (a crash mid-write leaves the previous one)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = partial_path(partial.chain_id, folder)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(partial.to_json())
    os.replace(tmp, path)
    return path


def load_partial(chain_id: int, folder: Path = DEFAULT_FOLDER) -> Optional[PartialDeployment]:
    path = partial_path(chain_id, folder)
    if not path.exists():
        return None
    return PartialDeployment(**json.loads(path.read_text()))


def remove_partial(chain_id: int, folder: Path = DEFAULT_FOLDER) -> None:
    partial_path(chain_id, folder).unlink(missing_ok=True)


# ---- the deployment routine ----------------------------------------------------------------------

#: The Exchange's modules, in the order of the constructor's ``Exchange.Modules`` struct: the step
#: name (also the key of a partial record) and the contract type.
MODULES: tuple[tuple[str, str], ...] = (
    ("markets", "MarketsModule"),
    ("orders", "OrdersModule"),
    ("matching", "MatchingModule"),
    ("settlement", "SettlementModule"),
    ("pools", "PoolsModule"),
    ("managed", "ManagedRootsModule"),
    ("collateral_module", "CollateralModule"),
)

#: Every contract type whose ABI the Exchange's address serves (the Exchange and its modules).
EXCHANGE_PARTS: tuple[str, ...] = ("Exchange",) + tuple(kind for _, kind in MODULES)


@dataclass(frozen=True)
class ExchangeParts:
    """The addresses :func:`deploy_exchange` produced."""

    exchange: str
    modules: dict[str, str]


def deploy_exchange(
    step: Callable[[str, str, tuple[Any, ...]], str],
    collateral: str,
    max_branches: int,
    max_open_orders: int,
    max_roots: int,
    *,
    with_maker: bool = True,
) -> ExchangeParts:
    """Deploy an Exchange: its modules, each built with the four deployment constants, then the
    Exchange, which checks them (``ModuleMismatch``) and creates its Maker. No address is predicted,
    so the order of the transactions is all that matters.

    ``step(name, contract_type, args)`` sends one deployment and returns the new contract's address;
    it is the only thing the client (:meth:`pmarket.exchange.Exchange.deploy`), the scenario chain
    backend and ``ape run deploy`` (which records each step and may already hold some) differ in.
    ``tests/forge/utils/Deploy.sol`` runs the same sequence in Solidity.
    """
    config = (collateral, max_branches, max_open_orders, max_roots)
    modules = {name: step(name, kind, config) for name, kind in MODULES}
    exchange = step("exchange", "Exchange", config + (tuple(modules[name] for name, _ in MODULES), with_maker))
    return ExchangeParts(exchange, modules)
