"""Markets: roots, nested sub-market branches and their bounds (protocol.md section 1).

:class:`MarketRegistry` is the plain reference model of the Markets contract: it keeps every
definition in posting order and folds them eagerly, and it refuses exactly what the contract
refuses, with the same error names and values. :class:`MarketsCalls` holds the client's calls to
the contract's Markets functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from . import errors
from .addresses import address_of
from .transport import ContractClient
from .wad import DecimalLike, check_int128, to_wad



@dataclass(frozen=True)
class Bounds:
    """A closed interval ``[min, max]`` in 18-decimal integers."""

    min: int
    max: int

    @property
    def is_point(self) -> bool:
        return self.min == self.max

    def contains(self, x: int) -> bool:
        return self.min <= x <= self.max

    def apply(self, lo: int, hi: int) -> "Bounds":
        """The fold rule: ``L' = min(max(L, l), U)``, ``U' = max(min(U, u), L')``."""
        new_min = min(max(self.min, lo), self.max)
        return Bounds(new_min, max(min(self.max, hi), new_min))


@dataclass(frozen=True)
class DefinitionEvent:
    """One posted definition, as the ``MarketDefined`` event logs it."""

    root_id: int
    branch_id: int
    definer: str
    min: int
    max: int


@dataclass
class Root:
    owner: str
    branch_count: int = 1
    max_ordered_branch: int = 0
    frozen: bool = False
    #: An artifact's market (``manageRoot``): its owner alone claims there; ``flagged``: closed at
    #: the flagged terms (protocol section 6).
    managed: bool = False
    flagged: bool = False
    oracles: set[str] = field(default_factory=set)
    definitions: list[DefinitionEvent] = field(default_factory=list)


@dataclass
class MarketRegistry:
    """Reference model of the Markets contract: eager fold over definitions in posting order."""

    max_branches: int
    roots: dict[int, Root] = field(default_factory=dict)

    # ---- rules -------------------------------------------------------------------------------
    def define(self, definer: str, root_id: int, branch_id: int, lo: int, hi: int) -> Bounds:
        """Post a definition; returns the branch's effective bounds or raises the contract's error."""
        if lo > hi:
            raise errors.InvalidBounds("InvalidBounds", {"min": lo, "max": hi})
        root = self.roots.get(root_id)
        if root is None:
            if branch_id != 1:
                raise errors.UnknownMarket("UnknownMarket", {"rootId": root_id, "branchId": 1})
            if root_id >> 96 and root_id >> 96 != int(definer, 16):
                raise errors.ReservedRootId("ReservedRootId", {"rootId": root_id, "definer": definer})
            self.roots[root_id] = Root(owner=definer)
            self.roots[root_id].definitions.append(DefinitionEvent(root_id, 1, definer, lo, hi))
            return Bounds(lo, hi)
        if not self.can_define(root_id, definer):
            raise errors.NotMarketOwner("NotMarketOwner", {"rootId": root_id, "caller": definer})
        current = self.bounds(root_id, 1)
        if current.is_point:
            raise errors.MarketSettled("MarketSettled", {"rootId": root_id, "outcome": current.min})
        if root.flagged:
            raise errors.fail("MarketFlagged", rootId=root_id)
        if branch_id == 0 or branch_id > root.branch_count + 1 or branch_id > self.max_branches:
            raise errors.InvalidBranch(
                "InvalidBranch", {"rootId": root_id, "branchId": branch_id, "branchCount": root.branch_count}
            )
        if branch_id >= 2 and branch_id <= root.max_ordered_branch:
            raise errors.MarketLocked(
                "MarketLocked",
                {"rootId": root_id, "branchId": branch_id, "maxOrderedBranch": root.max_ordered_branch},
            )
        root.definitions.append(DefinitionEvent(root_id, branch_id, definer, lo, hi))
        root.branch_count = max(root.branch_count, branch_id)
        return self.bounds(root_id, branch_id)

    def set_oracle(self, caller: str, root_id: int, oracle: str, authorized: bool) -> None:
        root = self._owned(caller, root_id)
        (root.oracles.add if authorized else root.oracles.discard)(oracle.lower())

    def transfer_ownership(self, caller: str, root_id: int, new_owner: str) -> None:
        root = self._owned(caller, root_id)
        if int(new_owner, 16) == 0:
            raise errors.InvalidOwner("InvalidOwner", {"rootId": root_id, "newOwner": new_owner})
        root.owner = new_owner

    def set_frozen(self, caller: str, root_id: int, frozen: bool) -> None:
        """Freeze or unfreeze a root (``MarketsAdmin.setFrozen``): owner or oracle, not once settled."""
        root = self.roots.get(root_id)
        if root is None:
            raise errors.UnknownMarket("UnknownMarket", {"rootId": root_id, "branchId": 1})
        if not self.can_define(root_id, caller):
            raise errors.NotMarketOwner("NotMarketOwner", {"rootId": root_id, "caller": caller})
        outcome = self.settled_outcome(root_id)
        if outcome is not None:
            raise errors.MarketSettled("MarketSettled", {"rootId": root_id, "outcome": outcome})
        if root.flagged:
            raise errors.fail("MarketFlagged", rootId=root_id)
        root.frozen = frozen

    def is_frozen(self, root_id: int) -> bool:
        root = self.roots.get(root_id)
        return root is not None and root.frozen

    def hard_frozen(self, root_id: int) -> bool:
        """A frozen managed root (a challenged artifact): amendments and the withdrawals its
        positions need are refused too."""
        root = self.roots.get(root_id)
        return root is not None and root.frozen and root.managed

    def mark_ordered(self, root_id: int, branch_id: int) -> None:
        root = self.roots[root_id]
        root.max_ordered_branch = max(root.max_ordered_branch, branch_id)

    # ---- views -------------------------------------------------------------------------------
    def can_define(self, root_id: int, account: str) -> bool:
        root = self.roots.get(root_id)
        return root is not None and (root.owner.lower() == account.lower() or account.lower() in root.oracles)

    def exists(self, root_id: int, branch_id: int) -> bool:
        root = self.roots.get(root_id)
        return root is not None and 1 <= branch_id <= root.branch_count

    def bounds(self, root_id: int, branch_id: int) -> Bounds:
        """Effective bounds: the fold, in posting order, of every definition for branches <= branch."""
        if not self.exists(root_id, branch_id):
            raise errors.UnknownMarket("UnknownMarket", {"rootId": root_id, "branchId": branch_id})
        state: Optional[Bounds] = None
        for d in self.roots[root_id].definitions:
            if d.branch_id <= branch_id:
                state = Bounds(d.min, d.max) if state is None else state.apply(d.min, d.max)
        assert state is not None  # the root's first definition always applies
        return state

    def settled_outcome(self, root_id: int) -> Optional[int]:
        b = self.bounds(root_id, 1)
        return b.min if b.is_point else None

    def _owned(self, caller: str, root_id: int) -> Root:
        root = self.roots.get(root_id)
        if root is None:
            raise errors.UnknownMarket("UnknownMarket", {"rootId": root_id, "branchId": 1})
        if root.owner.lower() != caller.lower():
            raise errors.NotMarketOwner("NotMarketOwner", {"rootId": root_id, "caller": caller})
        return root


def bound_args(lo: DecimalLike, hi: DecimalLike) -> tuple[int, int]:
    """Decimal bounds as checked int128 wad integers."""
    return (
        check_int128(to_wad(lo, name="min"), name="min"),
        check_int128(to_wad(hi, name="max"), name="max"),
    )


class MarketsCalls:
    """The client's calls to the Markets functions of an :class:`~pmarket.exchange.Exchange`. The
    account that sends is ``sender=`` (keyword-only), as in ape."""

    def define(self: ContractClient, root_id: int, branch_id: int, lo: DecimalLike, hi: DecimalLike, *, sender: Any) -> Any:
        """Post a definition ``(lo, hi)`` (decimal amounts) for market ``(root_id, branch_id)``."""
        return self.transact("defineMarket", root_id, branch_id, *bound_args(lo, hi), sender=sender)

    def define_by_sig(
        self: ContractClient,
        signer: Any,
        root_id: int,
        branch_id: int,
        lo: DecimalLike,
        hi: DecimalLike,
        *,
        sender: Any,
        deadline: int = 0,
        nonce: Optional[int] = None,
    ) -> Any:
        """Have ``signer`` sign a definition (EIP-712) and ``sender`` (a relayer) submit it
        (``defineMarketBySig``)."""
        from .typed import Definition, sign

        address = str(signer.address)
        lo_w, hi_w = bound_args(lo, hi)
        message = Definition(
            rootId=root_id,
            branchId=branch_id,
            min=lo_w,
            max=hi_w,
            signer=address,
            nonce=self.contract.nonces(address) if nonce is None else nonce,
            deadline=deadline,
            eip712_domain=self.domain.eip712(),
        )
        args = (root_id, branch_id, lo_w, hi_w, address, message.nonce, deadline)
        return self.transact("defineMarketBySig", args, sign(message, signer), sender=sender)

    def settle(self: ContractClient, root_id: int, outcome: DecimalLike, *, sender: Any) -> Any:
        """Settle a root at ``outcome``: narrow it to a point."""
        return self.transact("settle", root_id, bound_args(outcome, outcome)[0], sender=sender)

    def set_oracle(self: ContractClient, root_id: int, oracle: Any, authorized: bool = True, *, sender: Any) -> Any:
        """Authorize (or revoke) ``oracle`` to define and settle ``root_id`` (its owner sends)."""
        return self.transact("setOracle", root_id, address_of(oracle), authorized, sender=sender)

    def set_frozen(self: ContractClient, root_id: int, frozen: bool = True, *, sender: Any) -> Any:
        """Freeze (or unfreeze) a root: no orders, matches or pool trades there meanwhile."""
        return self.transact("setFrozen", root_id, frozen, sender=sender)

    def is_frozen(self: ContractClient, root_id: int) -> bool:
        return bool(self.call("isFrozen", root_id))

    def bounds(self: ContractClient, root_id: int, branch_id: int) -> Bounds:
        """Effective bounds of a market, as 18-decimal integers."""
        lo, hi = self.call("bounds", root_id, branch_id)
        return Bounds(int(lo), int(hi))

    def root_info(self: ContractClient, root_id: int) -> tuple[str, int, int]:
        """``(owner, branch_count, max_ordered_branch)`` of a root."""
        owner, count, ordered = self.call("rootInfo", root_id)
        return str(owner), int(count), int(ordered)
