"""The node's managed roots: ``ManagedRoots.sol`` (an artifact's market and its flagged close).

A managed root is an artifact's round: only its owner (the registry) claims there, and a flagged
transition closes it at the flagged terms of protocol section 6, fixed at once from the root's
totals (:mod:`pmarket.lifecycle` holds the arithmetic). The chain keeps the totals up to date on
every position write; the node sums the same per-position shares when it needs them.
"""

from __future__ import annotations

from .. import errors
from ..collateral import Position
from ..lifecycle import FlagTerms, Totals, flag_terms, flagged_payoff
from ..wad import WAD
from .state import State, addr


class ManagedRootsRules:
    s: State

    def manage_root(self, caller: str, root_id: int) -> None:
        """``manageRoot``: the owner of a fresh ``[0, 1]`` root without orders or branches makes it managed."""
        caller = addr(caller)
        root = self.s.registry.roots.get(root_id)
        fresh = (
            root is not None
            and addr(root.owner) == caller
            and not (root.frozen or root.managed or root.flagged)
            and self.s.registry.settled_outcome(root_id) is None
            and root.branch_count == 1
            and self.s.order_count.get(root_id, 0) == 0
            and root.max_ordered_branch == 0
        )
        bounds = self.s.registry.bounds(root_id, 1) if root is not None else None
        if not fresh or bounds is None or (bounds.min, bounds.max) != (0, WAD):
            raise errors.fail("RootNotManageable", rootId=root_id)
        root.managed = True  # type: ignore[union-attr]

    def flag_root(self, caller: str, root_id: int, residual: str) -> FlagTerms:
        """``flagRoot``: close a managed root at the flagged terms, ``residual`` taking the difference."""
        caller, residual = addr(caller), addr(residual)
        reg = self.s.registry
        root = reg.roots.get(root_id)
        if root is None:
            raise errors.fail("UnknownMarket", rootId=root_id, branchId=1)
        if addr(root.owner) != caller:
            raise errors.fail("NotMarketOwner", rootId=root_id, caller=caller)
        if not root.managed:
            raise errors.fail("RootNotManaged", rootId=root_id)
        outcome = reg.settled_outcome(root_id)
        if outcome is not None:
            raise errors.fail("MarketSettled", rootId=root_id, outcome=outcome)
        if root.flagged:
            raise errors.fail("MarketFlagged", rootId=root_id)
        balance = self.s.balances.get(residual, 0) if self.s.account(residual, root_id).listed else 0
        terms = flag_terms(self.root_totals(root_id), residual, self._position1(residual, root_id), balance)
        self.s.flag_terms[root_id] = terms
        root.flagged, root.frozen = True, False
        return terms

    def root_totals(self, root_id: int) -> Totals:
        """``rootTotals``: short open interest and commitments over every position in the root."""
        return Totals.of(p for (_, r, b), p in self.s.positions.items() if r == root_id and b == 1)

    def flagged_payoff(self, trader: str, root_id: int) -> int:
        """What a claim pays ``trader`` in a root closed at the flagged terms (18 decimals)."""
        terms = self.s.flag_terms[root_id]
        if addr(trader) == terms.residual:
            return terms.residual_payoff
        return flagged_payoff(self._position1(trader, root_id), terms)

    def _position1(self, trader: str, root_id: int) -> Position:
        return self.s.positions.get((addr(trader), root_id, 1), Position())
