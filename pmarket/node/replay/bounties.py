"""Replay rules of a bounty escrow's events (``Bounties.sol``), on a
:class:`~pmarket.node.bounties.BountiesNode` per replayed escrow (``Replay.add_escrow``).

Posts, funds, reclaims and claims go through the escrow node's own rules (expiry on the events'
block time, the artifact known to the replayed registry, each funder's part). A distribution is
checked share by share: its oracle holds the registry's oracle role (from the registry's
``RoleGranted`` / ``RoleRevoked``), and each ``BountyPaid`` is the difference of rounded-down
running totals of the weights logged so far. A ``BountyPending`` must follow the send it replaces.
"""

from __future__ import annotations

from ... import errors
from .. import Node
from ..artifacts import ORACLE_ROLE, ArtifactsNode
from ..bounties import BountiesNode
from ..state import ZERO_ADDRESS, addr
from .core import Event, Mismatch, Scratch, expect


class BountiesEvents:
    node: Node
    scratch: Scratch
    registries: dict[str, ArtifactsNode]
    escrows: dict[str, BountiesNode]

    def add_escrow(self, address: str, registry: str) -> BountiesNode:
        """Replay the escrow at ``address``, beside the replayed registry ``registry`` (its ``artifacts()``)."""
        artifacts = self.registries.get(addr(registry))
        if artifacts is None:
            raise ValueError(f"replay the escrow's registry {registry} first (add_registry)")
        escrow = BountiesNode(artifacts, address)
        self.escrows[escrow.address] = escrow
        return escrow

    def _escrow(self, e: Event) -> BountiesNode:
        escrow = self.escrows.get(addr(e.address)) if e.address else None
        if escrow is None:
            raise Mismatch(f"{e.name} from {e.address or 'an unnamed emitter'}: no bounty escrow is replayed there")
        return escrow

    def _on_BountyPosted(self, e: Event) -> None:
        a = e.args
        self._escrow(e).post(addr(a["funder"]), bytes(a["id"]), bytes(a["artifact"]), int(a["amount"]), int(a["expiresAt"]))

    def _on_BountyFunded(self, e: Event) -> None:
        self._escrow(e).fund(addr(e.args["funder"]), bytes(e.args["id"]), int(e.args["amount"]))

    def _on_BountyDistributed(self, e: Event) -> None:
        escrow, a = self._escrow(e), e.args
        bounty, oracle, amount, total = bytes(a["id"]), addr(a["oracle"]), int(a["amount"]), int(a["totalWeight"])
        if not escrow.artifacts.has_role(ORACLE_ROLE, oracle):
            raise errors.fail("NotOracle", caller=oracle)
        b = escrow._open(bounty)
        expect((bytes(a["artifact"]), amount) == (b.artifact, b.amount), "distributed another artifact's bounty or amount")
        expect(total > 0, "a distribution without weight")
        b.distributed = True
        escrow.escrowed -= amount
        self.scratch.distributions[bounty] = [amount, total, 0, 0]

    def _on_BountyPaid(self, e: Event) -> None:
        escrow, a = self._escrow(e), e.args
        bounty, claimant, share, weight = bytes(a["id"]), addr(a["claimant"]), int(a["amount"]), int(a["weight"])
        d = self.scratch.distributions.get(bounty)
        expect(d is not None, "a share without its BountyDistributed")
        assert d is not None
        expect(claimant not in (ZERO_ADDRESS, escrow.address) and weight > 0, f"claimant {claimant} of weight {weight}")
        amount, total, running, paid = d
        running += weight
        expect(running <= total, "the shares' weights pass the distribution's total")
        up_to = amount * running // total
        expect(share == up_to - paid, f"share {share} is not the rounding rule's {up_to - paid}")
        d[2], d[3] = running, up_to
        self.scratch.sent = (escrow.address, bounty, claimant, share) if share else None

    def _on_BountyPending(self, e: Event) -> None:
        escrow, a = self._escrow(e), e.args
        account, amount = addr(a["account"]), int(a["amount"])
        expect(self.scratch.sent == (escrow.address, bytes(a["id"]), account, amount), "owed without the failed send of it")
        self.scratch.sent = None
        escrow.owed[account] = escrow.owed.get(account, 0) + amount
        escrow.owed_total += amount

    def _on_BountyReclaimed(self, e: Event) -> None:
        escrow, a = self._escrow(e), e.args
        bounty, funder = bytes(a["id"]), addr(a["funder"])
        amount = escrow.reclaim(funder, bounty)
        expect(amount == int(a["amount"]), f"reclaimed {int(a['amount'])}, not the funder's part {amount}")
        self.scratch.sent = (escrow.address, bounty, funder, amount)

    def _on_BountyClaimed(self, e: Event) -> None:
        amount = self._escrow(e).claim(addr(e.args["account"]), addr(e.args["to"]))
        expect(amount == int(e.args["amount"]), f"claimed {int(e.args['amount'])}, not the {amount} owed")
