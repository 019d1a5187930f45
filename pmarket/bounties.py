"""Bounties on artifacts (``Bounties.sol``): escrow tokens, distribute once by weight.

Anyone escrows the collateral token against a registered artifact; an oracle of the artifact
registry pays a bounty out once, in proportion to the claimants' weights. The shares are
differences of rounded-down running totals (:func:`pmarket.lifecycle.bounty_shares`): they sum to
the bounty exactly, so not one token unit is lost or created::

    bounties = Bounties.deploy(artifacts, admin)
    bounties.post(funder, "review-1", "paper-42", "100")          # 100 tokens
    bounties.distribute_bounty(oracle, "review-1", {alice: 2, bob: 1})
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

from eth_utils import to_checksum_address

from .artifacts import ArtifactLike, artifact_id
from .lifecycle import bounty_shares
from .wad import DecimalLike, to_wad

if TYPE_CHECKING:  # pragma: no cover
    from .artifacts import Artifacts

BountyLike = Union[str, bytes]


@dataclass(frozen=True)
class BountyInfo:
    """A bounty: its artifact, funder, escrowed amount (token units) and whether it was paid."""

    bounty: bytes
    artifact: bytes
    funder: str
    amount: int
    distributed: bool


@dataclass
class Bounties:
    """A deployed bounty escrow, bound to its artifact registry."""

    contract: Any
    artifacts: "Artifacts"

    @classmethod
    def deploy(cls, artifacts: "Artifacts", deployer: Any, *, project: Any = None) -> "Bounties":
        from .exchange import _ape_project

        project = project or _ape_project()
        token = artifacts.exchange.token.address
        contract = project.Bounties.deploy(artifacts.address, token, artifacts.oracle_role, sender=deployer)
        return cls.at(contract.address, artifacts, project=project)

    @classmethod
    def deployed(cls, artifacts: "Artifacts", record_path: Optional[str] = None, *, project: Any = None) -> "Bounties":
        """Attach to the bounty escrow recorded for the connected chain (``ape run deploy``)."""
        from ape import chain

        from .deployment import DeploymentNotFound, load_record

        record = load_record(chain.chain_id, path=record_path)
        if not record.bounties:
            raise DeploymentNotFound(f"the deployment on chain {record.chain_id} has no bounty escrow (deployed with --no-artifacts)")
        return cls.at(record.bounties, artifacts, project=project)

    @classmethod
    def at(cls, address: str, artifacts: "Artifacts", *, project: Any = None) -> "Bounties":
        from ape.contracts import ContractInstance

        from .exchange import _ape_project

        project = project or _ape_project()
        return cls(ContractInstance(str(address), contract_type=project.Bounties.contract_type), artifacts)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _units(self, amount: DecimalLike) -> int:
        decimals = int(self.artifacts.exchange.token.decimals())
        return to_wad(amount, name="amount", decimals=decimals)

    def post(self, funder: Any, bounty: BountyLike, artifact: ArtifactLike, amount: DecimalLike) -> Any:
        """Escrow ``amount`` tokens (a decimal in token units) as ``bounty`` against ``artifact``."""
        units = self._units(amount)
        self.artifacts.exchange.token.approve(self.address, units, sender=funder)
        return self._transact("post", artifact_id(bounty), artifact_id(artifact), units, sender=funder)

    def fund(self, funder: Any, bounty: BountyLike, amount: DecimalLike) -> Any:
        units = self._units(amount)
        self.artifacts.exchange.token.approve(self.address, units, sender=funder)
        return self._transact("fund", artifact_id(bounty), units, sender=funder)

    def distribute_bounty(self, oracle: Any, bounty: BountyLike, claimants: Mapping[Any, int]) -> dict[str, int]:
        """Pay ``bounty`` out to ``claimants`` (account -> positive integer weight), once; returns
        each claimant's share in token units (what :func:`bounty_shares` computes, and the chain paid)."""
        addresses = [to_checksum_address(str(getattr(c, "address", c))) for c in claimants]
        weights = [int(w) for w in claimants.values()]
        amount = self.info(bounty).amount
        receipt = self._transact("distribute", artifact_id(bounty), addresses, weights, sender=oracle)
        paid = {str(log.claimant): int(log.amount) for log in self.contract.BountyPaid.from_receipt(receipt)}
        expected = dict(zip(addresses, bounty_shares(amount, weights)))
        if paid != expected:  # the chain and the reference must agree to the unit
            raise AssertionError(f"bounty shares differ from the reference: {paid} != {expected}")
        return paid

    def info(self, bounty: BountyLike) -> BountyInfo:
        bid = artifact_id(bounty)
        artifact, funder, amount, distributed = self._call("bounty", bid)
        return BountyInfo(bid, bytes(artifact), str(funder), int(amount), bool(distributed))

    def escrowed(self) -> int:
        return int(self._call("escrowed"))

    def _transact(self, method: str, *args: Any, sender: Any) -> Any:
        from .exchange import transact

        return transact(self.contract, method, *args, sender=sender)

    def _call(self, method: str, *args: Any) -> Any:
        from .exchange import call

        return call(self.contract, method, *args)
