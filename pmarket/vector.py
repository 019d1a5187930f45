"""The collateral check of many traders at once, vectorised with numpy, exact to the wei.

:func:`snapshot` lays the node's state out as padded arrays, one row per (trader, root): the
candidate points ``x``, each branch's bounds and matched quantity, the root's cost, each open
order's branch, signed size and price. :func:`worst_cases` then evaluates rows x candidates x terms
in a few array operations and agrees exactly with the scalar path (:meth:`Node.worst_case`).

Exactness. Every amount is an integer multiple of a common scale ``g`` (a power of ten dividing
all of them, often 10**16 or more for prices in cents). Divided by ``g`` the terms are small; when
every product and sum provably fits 63 bits the arrays are ``int64`` (fast), otherwise they hold
Python integers (``dtype=object``, exact, slower). The per-root rounding down to 18 decimals is done
on the exact rescaled value either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .wad import WAD

if TYPE_CHECKING:  # pragma: no cover
    from .node import Node

INT64_SAFE = 2**62


@dataclass
class Snapshot:
    """The check's inputs as arrays; ``rows`` pairs each row with its trader's index."""

    traders: list[str]
    row_trader: np.ndarray  # (R,) trader index of each row
    x: np.ndarray  # (R, C) candidate points (padded by repeating the root's min)
    lo: np.ndarray  # (R, B) branch bounds (padding: 0, 0 with quantity 0)
    hi: np.ndarray
    qty: np.ndarray  # (R, B) matched quantity per branch
    cost: np.ndarray  # (R,) sum q*p of the root (36 decimals, scaled by g**2)
    o_branch: np.ndarray  # (R, O) branch index of each open order (padding: 0 with size 0)
    o_size: np.ndarray  # (R, O) signed open size
    o_price: np.ndarray  # (R, O)
    scale: int  # g: every wad amount above is divided by it
    exact_int64: bool


def snapshot(node: "Node", traders: Sequence[str]) -> Snapshot:
    """Lay out ``traders``' roots in ``node`` as arrays (one Python pass over their terms)."""
    rows: list[tuple[int, list[int], list[tuple[int, int, int]], int, list[tuple[int, int, int]]]] = []
    from .node.state import addr

    bounds_of: dict[tuple[int, int], tuple[int, int]] = {}  # the registry folds on every call: cache

    def bounds(root_id: int, branch_id: int) -> tuple[int, int]:
        if (root_id, branch_id) not in bounds_of:
            b = node.bounds(root_id, branch_id)
            bounds_of[(root_id, branch_id)] = (b.min, b.max)
        return bounds_of[(root_id, branch_id)]

    positions = node.s.positions
    for t_index, trader in enumerate(addr(t) for t in traders):
        for root_id in node.s.roots_of.get(trader, []):
            acct = node.s.account(trader, root_id)
            if not acct.branches:
                continue
            root_min, root_max = bounds(root_id, 1)
            ids = sorted(acct.branches)
            index = {b: i for i, b in enumerate(ids)}
            branches, cost = [], 0
            for b in ids:
                pos = positions.get((trader, root_id, b))
                branches.append((*bounds(root_id, b), pos.quantity if pos else 0))
                cost += pos.cost if pos else 0
            opens = []
            if root_min != root_max:
                for h in acct.slots.values():
                    order, left = node.s.orders[h], node.s.book[h].remaining
                    opens.append((index[order.market_branch_id], left if order.quantity > 0 else -left, order.price))
            points = [root_min, root_max] + [v for lo, hi, _ in branches for v in (lo, hi)]
            rows.append((t_index, points, branches, cost, opens))
    return _arrays(list(traders), rows)


def _arrays(traders: list[str], rows: list) -> Snapshot:
    n = len(rows)
    c = max((len(r[1]) for r in rows), default=1)
    b = max((len(r[2]) for r in rows), default=1)
    o = max((len(r[4]) for r in rows), default=1) or 1
    values = [v for r in rows for v in r[1]] + [v for r in rows for br in r[2] for v in br] + [
        v for r in rows for op in r[4] for v in op[1:]
    ]
    g = _common_scale(values)
    scaled_max = max((abs(v) // g for v in values), default=0)
    cost_max = max((abs(r[3]) // (g * g) for r in rows), default=0)
    exact = all(r[3] % (g * g) == 0 for r in rows)
    # |x|, |lo|, |hi|, |q|, |price| <= scaled_max: a branch term is at most scaled_max^2, an open
    # order's at most 2 * scaled_max^2 (its price and outcome may have opposite signs).
    fits = exact and scaled_max * scaled_max * (b + 2 * o) + cost_max < INT64_SAFE
    dtype = np.int64 if fits else object
    x = np.zeros((n, c), dtype=dtype)
    lo, hi, qty = (np.zeros((n, b), dtype=dtype) for _ in range(3))
    cost = np.zeros(n, dtype=dtype)
    ob = np.zeros((n, o), dtype=np.int64)
    osz, opr = np.zeros((n, o), dtype=dtype), np.zeros((n, o), dtype=dtype)
    row_trader = np.zeros(n, dtype=np.int64)
    div = g if fits else 1
    for i, (t, points, branches, k, opens) in enumerate(rows):
        row_trader[i] = t
        x[i, : len(points)] = [v // div for v in points]
        x[i, len(points) :] = points[0] // div
        for j, (l_, h_, q_) in enumerate(branches):
            lo[i, j], hi[i, j], qty[i, j] = l_ // div, h_ // div, q_ // div
        cost[i] = k // (div * div)
        for j, (bi, size, price) in enumerate(opens):
            ob[i, j], osz[i, j], opr[i, j] = bi, size // div, price // div
    return Snapshot(traders, row_trader, x, lo, hi, qty, cost, ob, osz, opr, div, fits)


def _common_scale(values: list[int]) -> int:
    """The largest power of ten up to 10**18 dividing every value."""
    g = 0
    for v in values:
        g = gcd(g, v)
    scale = 1
    while scale < WAD and g % (scale * 10) == 0 and g != 0:
        scale *= 10
    return scale if g != 0 else WAD


def row_minimum(s: Snapshot) -> np.ndarray:
    """The minimum over candidates of each row's payoff, in units of ``scale**2`` (exact)."""
    x = s.x[:, :, None]  # (R, C, 1)
    clamped = np.minimum(np.maximum(x, s.lo[:, None, :]), s.hi[:, None, :])  # (R, C, B)
    value = (s.qty[:, None, :] * clamped).sum(axis=2) - s.cost[:, None]  # (R, C)
    if s.o_size.shape[1]:
        at_branch = np.take_along_axis(clamped, np.broadcast_to(s.o_branch[:, None, :], (*clamped.shape[:2], s.o_branch.shape[1])), axis=2)
        fill = s.o_size[:, None, :] * (at_branch - s.o_price[:, None, :])  # (R, C, O)
        value = value + np.minimum(fill, 0).sum(axis=2)
    return value.min(axis=1)


def worst_cases(node: "Node", traders: Sequence[str], snap: "Snapshot | None" = None) -> list[int]:
    """Each trader's exact worst case (sum over roots, each rounded down to 18 decimals)."""
    s = snap if snap is not None else snapshot(node, traders)
    totals = [0] * len(s.traders)
    if len(s.row_trader) == 0:
        return totals
    minimum = row_minimum(s)
    unit = s.scale * s.scale  # rows are in units of scale**2 of the 36-decimal payoff
    for t, m in zip(s.row_trader.tolist(), minimum.tolist()):
        totals[t] += (int(m) * unit) // WAD  # exact floor per root, in Python integers
    return totals
