"""The node's bounty escrow: ``Bounties.sol``.

Anyone escrows tokens against a registered artifact; a holder of the registry's oracle role
distributes a bounty once, in proportion to weights (:func:`pmarket.lifecycle.bounty_shares`: the
differences of rounded-down running totals, so the shares sum to the bounty to the unit). Amounts
are token units; the node keeps no wallets, so what a post pulls is what it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .. import errors
from ..lifecycle import bounty_shares
from .artifacts import ORACLE_ROLE, ArtifactsNode
from .state import addr

MAX_CLAIMANTS = 256
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class BountyRecord:
    artifact: bytes
    funder: str
    amount: int
    distributed: bool = False


class BountiesNode:
    """The escrow beside registry ``artifacts``."""

    def __init__(self, artifacts: ArtifactsNode) -> None:
        self.artifacts = artifacts
        self.bounties: dict[bytes, BountyRecord] = {}
        self.escrowed = 0

    def post(self, caller: str, bounty: bytes, artifact: bytes, amount: int) -> None:
        if bounty == bytes(32) or bounty in self.bounties:
            raise errors.fail("BountyExists", id=bounty)
        if artifact not in self.artifacts.artifacts:
            raise errors.fail("UnknownArtifact", artifact=artifact)
        if amount == 0:
            raise errors.fail("ZeroAmount")
        self.bounties[bounty] = BountyRecord(artifact, addr(caller), amount)
        self.escrowed += amount

    def fund(self, caller: str, bounty: bytes, amount: int) -> None:
        b = self._open(bounty)
        if amount == 0:
            raise errors.fail("ZeroAmount")
        b.amount += amount
        self.escrowed += amount

    def distribute(self, caller: str, bounty: bytes, claimants: Sequence[str], weights: Sequence[int]) -> list[tuple[str, int]]:
        """Pay the bounty out; returns ``(claimant, share)`` in order (``BountyPaid`` events)."""
        if not self.artifacts.has_role(ORACLE_ROLE, caller):
            raise errors.fail("NotOracle", caller=addr(caller))
        b = self._open(bounty)
        n = len(claimants)
        if n == 0 or n != len(weights) or n > MAX_CLAIMANTS:
            raise errors.fail("InvalidClaimants", claimants=n, weights=len(weights), max=MAX_CLAIMANTS)
        for i, (claimant, weight) in enumerate(zip(claimants, weights)):
            if addr(claimant) == ZERO or weight == 0:
                raise errors.fail("InvalidClaimant", index=i, claimant=addr(claimant), weight=weight)
        b.distributed = True
        self.escrowed -= b.amount
        return list(zip([addr(c) for c in claimants], bounty_shares(b.amount, list(weights))))

    def bounty(self, bounty: bytes) -> BountyRecord:
        b = self.bounties.get(bounty)
        if b is None:
            raise errors.fail("UnknownBounty", id=bounty)
        return b

    def _open(self, bounty: bytes) -> BountyRecord:
        b = self.bounty(bounty)
        if b.distributed:
            raise errors.fail("AlreadyDistributed", id=bounty)
        return b
