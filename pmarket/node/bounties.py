"""The node's bounty escrow: ``Bounties.sol``.

Anyone escrows tokens against a registered artifact until an expiry of the poster's choice (open
while the node's clock is at most ``expires_at``); anyone adds to an open bounty. A holder of the
registry's oracle role distributes a bounty once, before it expires, in proportion to weights
(:func:`pmarket.lifecycle.bounty_shares`: the differences of rounded-down running totals, so the
shares sum to the bounty to the unit). After the expiry each funder reclaims exactly its own
contribution. A share or reclaim the token refuses to send is owed to its account, which takes it
with ``claim(to)``. Amounts are token units; the node keeps no wallets, so what a post pulls is
what it names, and the addresses in :attr:`BountiesNode.refusing` stand for the accounts a
blacklisting token would refuse. ``escrowed + owed_total`` is what the escrow's token balance
would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .. import errors
from ..lifecycle import bounty_shares
from .artifacts import ORACLE_ROLE, ArtifactsNode
from .state import ZERO_ADDRESS, addr

MAX_CLAIMANTS = 256
ZERO = ZERO_ADDRESS
UINT64_MAX = 2**64 - 1


@dataclass
class BountyRecord:
    artifact: bytes
    funder: str
    amount: int
    expires_at: int = UINT64_MAX
    distributed: bool = False
    #: Funder -> what it put in and can still reclaim.
    contributions: dict[str, int] = field(default_factory=dict)


class BountiesNode:
    """The escrow beside registry ``artifacts``."""

    def __init__(self, artifacts: ArtifactsNode, address: str = ZERO) -> None:
        self.artifacts = artifacts
        #: The escrow's own address (a claim to it is refused, as on chain).
        self.address = addr(address)
        self.bounties: dict[bytes, BountyRecord] = {}
        self.escrowed = 0
        self.owed: dict[str, int] = {}
        self.owed_total = 0
        #: Accounts the token refuses to send to (a blacklisting token): their shares are owed.
        self.refusing: set[str] = set()

    def now(self) -> int:
        return self.artifacts.node.clock()

    def post(self, caller: str, bounty: bytes, artifact: bytes, amount: int, expires_at: int) -> None:
        if bounty == bytes(32) or bounty in self.bounties:
            raise errors.fail("BountyExists", id=bounty)
        if not 0 <= expires_at <= UINT64_MAX:
            raise ValueError(f"expires_at {expires_at} is not a uint64")
        if expires_at <= self.now():
            raise errors.fail("InvalidExpiry", expiresAt=expires_at, timestamp=self.now())
        if artifact not in self.artifacts.artifacts:
            raise errors.fail("UnknownArtifact", artifact=artifact)
        if amount == 0:
            raise errors.fail("ZeroAmount")
        self.bounties[bounty] = BountyRecord(artifact, addr(caller), amount, expires_at, contributions={addr(caller): amount})
        self.escrowed += amount

    def fund(self, caller: str, bounty: bytes, amount: int) -> None:
        b = self._open(bounty)
        if amount == 0:
            raise errors.fail("ZeroAmount")
        b.amount += amount
        b.contributions[addr(caller)] = b.contributions.get(addr(caller), 0) + amount
        self.escrowed += amount

    def distribute(self, caller: str, bounty: bytes, claimants: Sequence[str], weights: Sequence[int]) -> list[tuple[str, int]]:
        """Pay the bounty out; returns ``(claimant, share)`` in order (``BountyPaid`` events). The
        shares of refused claimants are owed to them (``BountyPending``)."""
        if not self.artifacts.has_role(ORACLE_ROLE, caller):
            raise errors.fail("NotOracle", caller=addr(caller))
        b = self._open(bounty)
        n = len(claimants)
        if n == 0 or n != len(weights) or n > MAX_CLAIMANTS:
            raise errors.fail("InvalidClaimants", claimants=n, weights=len(weights), max=MAX_CLAIMANTS)
        for i, (claimant, weight) in enumerate(zip(claimants, weights)):
            if addr(claimant) in (ZERO, self.address) or weight == 0:
                raise errors.fail("InvalidClaimant", index=i, claimant=addr(claimant), weight=weight)
        b.distributed = True
        self.escrowed -= b.amount
        paid = list(zip([addr(c) for c in claimants], bounty_shares(b.amount, list(weights))))
        for claimant, share in paid:
            if share:
                self._send(claimant, share)
        return paid

    def reclaim(self, caller: str, bounty: bytes) -> int:
        """The caller takes back its contribution to an expired, undistributed bounty; returns it."""
        b = self.bounty(bounty)
        if b.distributed:
            raise errors.fail("AlreadyDistributed", id=bounty)
        if self.now() <= b.expires_at:
            raise errors.fail("BountyNotExpired", id=bounty, expiresAt=b.expires_at, timestamp=self.now())
        amount = b.contributions.get(addr(caller), 0)
        if amount == 0:
            raise errors.fail("NothingToReclaim", id=bounty, funder=addr(caller))
        b.contributions[addr(caller)] = 0
        b.amount -= amount
        self.escrowed -= amount
        self._send(addr(caller), amount)
        return amount

    def claim(self, caller: str, to: str) -> int:
        """Send everything the caller is owed to ``to``; returns it. A ``to`` the token refuses
        reverts (with the token's own error on chain: here a plain ``Revert``) and changes nothing."""
        if addr(to) in (ZERO, self.address):
            raise errors.fail("InvalidRecipient", to=addr(to))
        amount = self.owed.get(addr(caller), 0)
        if amount == 0:
            raise errors.fail("NothingOwed", claimant=addr(caller))
        if addr(to) in self.refusing:
            raise errors.contract_error("Revert", {"to": addr(to)})
        self.owed[addr(caller)] = 0
        self.owed_total -= amount
        return amount

    def contribution(self, bounty: bytes, funder: str) -> int:
        b = self.bounties.get(bounty)
        return 0 if b is None else b.contributions.get(addr(funder), 0)

    def bounty(self, bounty: bytes) -> BountyRecord:
        b = self.bounties.get(bounty)
        if b is None:
            raise errors.fail("UnknownBounty", id=bounty)
        return b

    def _open(self, bounty: bytes) -> BountyRecord:
        b = self.bounty(bounty)
        if b.distributed:
            raise errors.fail("AlreadyDistributed", id=bounty)
        if self.now() > b.expires_at:
            raise errors.fail("BountyExpired", id=bounty, expiresAt=b.expires_at, timestamp=self.now())
        return b

    def _send(self, to: str, amount: int) -> None:
        """A transfer out of the escrow; owed instead when the token refuses ``to``."""
        if to in self.refusing:
            self.owed[to] = self.owed.get(to, 0) + amount
            self.owed_total += amount
