"""Deployment records: which addresses, on which chain, since which block.

``ape run deploy`` writes ``deployments/<chain id>.json``; the client, the console extras and later
tooling (ledger export, the node) read it to find a deployment and the block to scan from.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

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
    #: The LMSR maker bound to the Exchange ("" in records written before it existed).
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
