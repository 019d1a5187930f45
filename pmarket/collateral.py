"""Collateral: positions, open orders and the exact worst case (protocol.md section 3).

The reference of ``Collateral``/``CheckLib``/``PositionLib`` on the same integers: a trader passes
when ``balance + sum over roots of worst_r >= 0``, where ``worst_r`` is the minimum over the root's
candidate points (its ends and the bounds of every branch the trader is in) of the matched payoffs
plus ``min(0, payoff)`` of every open order, in 36 decimals, rounded down to 18 decimals per root.
:class:`CollateralCalls` reads the same quantities from a deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .addresses import address_of
from .transport import ContractClient
from .wad import WAD

#: Largest magnitude of a price, an order quantity, a position quantity or whole-wad cost.
MAX_ABS = 2**95 - 1


def floor_div(a: int, b: int) -> int:
    """``a / b`` rounded toward negative infinity (Python's ``//``), as ``PositionLib.floorDiv``."""
    return a // b


@dataclass(frozen=True)
class Position:
    """Aggregated matched position in one market: ``quantity = sum q`` (wad), ``cost = sum q*p``
    (36 decimals, exact)."""

    quantity: int = 0
    cost: int = 0

    def add(self, q: int, p: int) -> "Position":
        """The position after a trade of ``q`` at ``p``; raises ``OverflowError`` out of range."""
        quantity, cost = self.quantity + q, self.cost + q * p
        if abs(quantity) > MAX_ABS or not -MAX_ABS <= floor_div(cost, WAD) <= MAX_ABS:
            raise OverflowError("position beyond 2**95 - 1")
        return Position(quantity, cost)

    def add_cost(self, q: int, cost: int) -> "Position":
        """The position after a trade of ``q`` at total cost ``cost`` (36 decimals): a pool trade."""
        quantity, total = self.quantity + q, self.cost + cost
        if abs(quantity) > MAX_ABS or not -MAX_ABS <= floor_div(total, WAD) <= MAX_ABS:
            raise OverflowError("position beyond 2**95 - 1")
        return Position(quantity, total)

    def payoff36(self, clamped_outcome: int) -> int:
        """``quantity * c - cost`` in 36 decimals."""
        return self.quantity * clamped_outcome - self.cost


@dataclass(frozen=True)
class OpenOrder:
    """An open order as the check sees it: limit price, signed open quantity, branch."""

    price: int
    remaining: int
    branch_id: int


@dataclass(frozen=True)
class BranchTerm:
    """A branch in the check: effective bounds and the matched quantity there."""

    lo: int
    hi: int
    quantity: int


def clamp(x: int, lo: int, hi: int) -> int:
    return lo if x < lo else hi if x > hi else x


def worst36(
    root_min: int,
    root_max: int,
    branches: Sequence[BranchTerm],
    cost: int,
    opens: Iterable[tuple[int, int, int]],
) -> int:
    """``CheckLib.worst36``: the minimum over candidate points, 36 decimals, exact.

    ``opens`` holds ``(branch index, signed remaining, price)``; candidates are ``root_min``,
    ``root_max`` and every branch's ``lo`` and ``hi``.
    """
    opens = list(opens)
    candidates = [root_min, root_max] + [x for b in branches for x in (b.lo, b.hi)]
    worst = None
    for x in candidates:
        clamped = [clamp(x, b.lo, b.hi) for b in branches]
        v = -cost + sum(b.quantity * c for b, c in zip(branches, clamped))
        for index, remaining, price in opens:
            p = remaining * (clamped[index] - price)
            if p < 0:
                v += p
        worst = v if worst is None or v < worst else worst
    assert worst is not None
    return worst


def root_worst(
    root_bounds: tuple[int, int],
    branch_bounds: dict[int, tuple[int, int]],
    positions: dict[int, Position],
    opens: Iterable[OpenOrder],
) -> int:
    """The exact worst case of one root, 18 decimals rounded down (``Collateral._rootWorst``).

    ``branch_bounds`` maps every branch the trader is in (positions or open orders) to its
    effective bounds. A settled root (``root_min == root_max``) ignores open orders: they are void.
    """
    if not branch_bounds:
        return 0
    ids = sorted(branch_bounds)
    index = {b: i for i, b in enumerate(ids)}
    terms = [BranchTerm(*branch_bounds[b], positions.get(b, Position()).quantity) for b in ids]
    cost = sum(positions.get(b, Position()).cost for b in ids)
    settled = root_bounds[0] == root_bounds[1]
    open_terms = [] if settled else [(index[o.branch_id], o.remaining, o.price) for o in opens]
    return floor_div(worst36(root_bounds[0], root_bounds[1], terms, cost, open_terms), WAD)


class CollateralCalls:
    """The client's reads of positions, open orders and worst cases from a deployment."""

    def worst_case(self: ContractClient, trader: Any) -> tuple[int, int]:
        """``(worst, balance)`` on chain: solvent when ``balance + worst >= 0`` (18 decimals)."""
        worst, balance = self.call("worstCase", address_of(trader))
        return int(worst), int(balance)

    def root_worst_case(self: ContractClient, trader: Any, root_id: int) -> int:
        return int(self.call("rootWorstCase", address_of(trader), root_id))

    def position(self: ContractClient, trader: Any, root_id: int, branch_id: int) -> Position:
        quantity, cost = self.call("position", address_of(trader), root_id, branch_id)
        return Position(int(quantity), int(cost))

    def open_orders(self: ContractClient, trader: Any, root_id: int) -> dict[int, OpenOrder]:
        """Slot -> open order of ``trader`` in ``root_id``."""
        slots, prices, remaining, branches = self.call("openOrders", address_of(trader), root_id)
        return {
            int(s): OpenOrder(int(p), int(r), int(b)) for s, p, r, b in zip(slots, prices, remaining, branches)
        }

    def trader_roots(self: ContractClient, trader: Any) -> list[int]:
        return [int(r) for r in self.call("traderRoots", address_of(trader))]
