"""Bounties on artifacts (``Bounties.sol``): escrow tokens until an expiry, distribute once by
weight, or take them back after the expiry.

Anyone escrows the collateral token against a registered artifact, open until an expiry the poster
chooses (a year from now unless told otherwise); anyone may add to it while it is open. An oracle
of the artifact registry pays a bounty out once, before it expires, in proportion to the claimants'
weights. The shares are differences of rounded-down running totals
(:func:`pmarket.lifecycle.bounty_shares`): they sum to the bounty exactly, so not one token unit is
lost or created. A share the token refuses to send (a blacklisted claimant) is owed to its claimant,
who takes it with :meth:`Bounties.claim`, to any address. After the expiry an undistributed bounty
goes back to its funders, each reclaiming its own contribution::

    bounties = Bounties.deploy(artifacts, sender=admin)
    bounties.post("review-1", "paper-42", "100", sender=funder)   # 100 tokens, open for 365 days
    bounties.distribute("review-1", {alice: 2, bob: 1}, sender=oracle)
    bounties.post("review-2", "paper-42", "5", expires_in=30 * DAY, sender=funder)
    bounties.reclaim("review-2", sender=funder)                   # after the 30 days, if undistributed
    bounties.claim(to=other, sender=bob)                          # what bob is owed, sent to other
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

from .addresses import address_of
from .artifacts import DAY, ArtifactLike, artifact_id
from .lifecycle import bounty_shares
from .transport import Bound, ape_project
from .wad import DecimalLike, to_wad

if TYPE_CHECKING:  # pragma: no cover
    from .artifacts import Artifacts

BountyLike = Union[str, bytes]

#: How long a bounty stays open when its poster names no expiry (seconds).
DEFAULT_EXPIRY = 365 * DAY


@dataclass(frozen=True)
class BountyInfo:
    """A bounty: its artifact, funder (the poster), amount in token units (what it holds; what it
    paid out once distributed; reclaims lower it), whether it was paid, and its expiry (unix
    seconds: open while the block's time is at most this)."""

    bounty: bytes
    artifact: bytes
    funder: str
    amount: int
    distributed: bool
    expires_at: int


@dataclass
class Bounties(Bound):
    """A deployed bounty escrow, bound to its artifact registry, and its token (the Exchange's
    collateral unless it was deployed with another)."""

    contract: Any
    artifacts: "Artifacts"
    token: Any = None

    @classmethod
    def deploy(cls, artifacts: "Artifacts", *, sender: Any, token: Any = None, project: Any = None) -> "Bounties":
        """Deploy an escrow beside ``artifacts`` from ``sender``, escrowing ``token`` (default: the
        Exchange's collateral)."""
        project = project or ape_project()
        token_address = address_of(token or artifacts.exchange.token)
        contract = project.Bounties.deploy(artifacts.address, token_address, artifacts.oracle_role, sender=sender)
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

        project = project or ape_project()
        contract = ContractInstance(str(address), contract_type=project.Bounties.contract_type)
        collateral = artifacts.exchange.token
        token_address = address_of(contract.token())
        # Another token than the collateral: any ERC-20 ABI serves (approve, balanceOf, decimals).
        token = collateral if token_address == address_of(collateral) else project.TestToken.at(token_address)
        return cls(contract, artifacts, token)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _units(self, amount: DecimalLike) -> int:
        decimals = int(self.token.decimals())
        return to_wad(amount, name="amount", decimals=decimals)

    def post(
        self,
        bounty: BountyLike,
        artifact: ArtifactLike,
        amount: DecimalLike,
        *,
        sender: Any,
        expires_at: Optional[int] = None,
        expires_in: Optional[int] = None,
    ) -> Any:
        """Escrow ``amount`` tokens (a decimal in token units) of ``sender``, the funder, as ``bounty``
        against ``artifact``, open until ``expires_at`` (unix seconds) or for ``expires_in`` seconds from the pending
        block's time; neither: :data:`DEFAULT_EXPIRY` (365 days). ``InvalidExpiry`` unless the
        expiry is after the block's time."""
        if expires_at is not None and expires_in is not None:
            raise ValueError("give expires_at or expires_in, not both")
        units = self._units(amount)
        self.token.approve(self.address, units, sender=sender)
        if expires_at is None:
            from ape import chain

            expires_at = int(chain.pending_timestamp) + int(DEFAULT_EXPIRY if expires_in is None else expires_in)
        return self.transact("post", artifact_id(bounty), artifact_id(artifact), units, int(expires_at), sender=sender)

    def fund(self, bounty: BountyLike, amount: DecimalLike, *, sender: Any) -> Any:
        """Add ``amount`` tokens to an open bounty (the contribution of ``sender`` grows by it)."""
        units = self._units(amount)
        self.token.approve(self.address, units, sender=sender)
        return self.transact("fund", artifact_id(bounty), units, sender=sender)

    def reclaim(self, bounty: BountyLike, *, sender: Any) -> int:
        """``sender``, a funder, takes back its whole contribution to an expired, undistributed
        bounty; returns it in token units. Sent to the funder, or owed to it if the token refuses
        (then :meth:`claim`)."""
        receipt = self.transact("reclaim", artifact_id(bounty), sender=sender)
        return sum(int(log.amount) for log in self.contract.BountyReclaimed.from_receipt(receipt))

    def claim(self, to: Any = None, *, sender: Any) -> int:
        """Send everything ``sender`` is owed (shares or reclaims the token refused to send) to
        ``to`` (default: ``sender``); returns the amount in token units."""
        to = address_of(to if to is not None else sender)
        receipt = self.transact("claim", to, sender=sender)
        return sum(int(log.amount) for log in self.contract.BountyClaimed.from_receipt(receipt))

    def distribute(self, bounty: BountyLike, claimants: Mapping[Any, int], *, sender: Any) -> dict[str, int]:
        """``sender``, an oracle, pays ``bounty`` out to ``claimants`` (account -> positive integer
        weight), once (``Bounties.distribute``); returns each claimant's share in token units (what
        :func:`bounty_shares` computes, and the chain assigned). A share the token refused to send is
        owed to its claimant instead (``BountyPending``; see :meth:`owed` and :meth:`claim`)."""
        addresses = [address_of(c) for c in claimants]
        weights = [int(w) for w in claimants.values()]
        amount = self.info(bounty).amount
        receipt = self.transact("distribute", artifact_id(bounty), addresses, weights, sender=sender)
        paid = {str(log.claimant): int(log.amount) for log in self.contract.BountyPaid.from_receipt(receipt)}
        expected = dict(zip(addresses, bounty_shares(amount, weights)))
        if paid != expected:  # the chain and the reference must agree to the unit
            raise AssertionError(f"bounty shares differ from the reference: {paid} != {expected}")
        return paid

    def info(self, bounty: BountyLike) -> BountyInfo:
        bid = artifact_id(bounty)
        artifact, funder, amount, distributed, expires_at = self.call("bounty", bid)
        return BountyInfo(bid, bytes(artifact), str(funder), int(amount), bool(distributed), int(expires_at))

    def contribution(self, bounty: BountyLike, funder: Any) -> int:
        """What ``funder`` put into ``bounty`` and could still reclaim (token units)."""
        return int(self.call("contribution", artifact_id(bounty), address_of(funder)))

    def escrowed(self) -> int:
        """Token units in undistributed, unreclaimed bounties."""
        return int(self.call("escrowed"))

    def owed(self, account: Any) -> int:
        """Token units the escrow owes ``account`` (it takes them with :meth:`claim`)."""
        return int(self.call("owed", address_of(account)))

    def owed_total(self) -> int:
        """Token units owed over all accounts: the escrow's balance is ``escrowed() + owed_total()``."""
        return int(self.call("owedTotal"))
