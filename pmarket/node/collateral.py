"""The node's collateral check: the same exact worst case as ``Collateral.sol``, no cache.

The chain caches per-root worst cases as lower bounds and recomputes them when a trader's cached
sum does not suffice; its verdict and the values it reports equal this exact computation (see the
contract's notes). The node simply computes exactly every time.
"""

from __future__ import annotations

from typing import Mapping, Optional

from .. import errors
from ..collateral import OpenOrder, Position, root_worst
from .state import RootAccount, State, addr


class CollateralRules:
    """Positions, open orders and the check, over :class:`~pmarket.node.state.State`."""

    s: State

    # ---- views -------------------------------------------------------------------------------
    def position(self, trader: str, root_id: int, branch_id: int) -> Position:
        return self.s.positions.get((addr(trader), root_id, branch_id), Position())

    def open_orders(self, trader: str, root_id: int, account: Optional[RootAccount] = None) -> dict[int, OpenOrder]:
        """Slot -> open order of ``trader`` in ``root_id`` (what the check counts)."""
        acct = account if account is not None else self.s.account(addr(trader), root_id)
        out = {}
        for slot, h in sorted(acct.slots.items()):
            order, remaining = self.s.orders[h], self.s.book[h].remaining
            out[slot] = OpenOrder(order.price, remaining if order.quantity > 0 else -remaining, order.market_branch_id)
        return out

    def root_worst_case(self, trader: str, root_id: int, account: Optional[RootAccount] = None) -> int:
        """Exact worst case of ``trader`` in ``root_id`` (18 decimals, rounded down)."""
        trader = addr(trader)
        acct = account if account is not None else self.s.account(trader, root_id)
        if not acct.branches:
            return 0
        reg = self.s.registry
        root = reg.bounds(root_id, 1)
        branch_bounds = {b: _pair(reg.bounds(root_id, b)) for b in acct.branches}
        positions = {b: self.position(trader, root_id, b) for b in acct.branches}
        return root_worst((root.min, root.max), branch_bounds, positions, self.open_orders(trader, root_id, acct).values())

    def worst_case(self, trader: str, overrides: Mapping[int, RootAccount] = {}) -> tuple[int, int]:
        """``(worst, balance)``: the exact sum over the trader's roots, and their balance.

        ``overrides`` replaces (or adds) root accounts, to check a change before it is made.
        """
        trader = addr(trader)
        roots = list(self.s.roots_of.get(trader, []))
        roots += [r for r in overrides if r not in roots]
        worst = sum(self.root_worst_case(trader, r, overrides.get(r)) for r in roots)
        return worst, self.s.balances.get(trader, 0)

    def require_solvent(self, trader: str, balance: int, overrides: Mapping[int, RootAccount] = {}) -> None:
        """Refuse with ``InsufficientCollateral`` unless ``balance + worst >= 0``."""
        worst, _ = self.worst_case(trader, overrides)
        if balance + worst < 0:
            raise errors.fail("InsufficientCollateral", trader=trader, worstCase=worst, balance=balance)


def _pair(bounds) -> tuple[int, int]:
    return (bounds.min, bounds.max)
