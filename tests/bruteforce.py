"""A brute-force worst case, independent of the candidate-point argument: every outcome on a dense
grid of the root's range and every subset of the trader's open orders. Only for small cases."""

from __future__ import annotations

from itertools import combinations

from pmarket.collateral import WAD, clamp
from pmarket.node import Node

STEP = WAD // 4


def brute_worst(node: Node, trader: str) -> int:
    """Sum over the trader's roots of the minimum payoff (36 decimals, floored per root to 18)."""
    total = 0
    for root_id in node.s.roots_of.get(trader, []):
        acct = node.s.account(trader, root_id)
        root = node.bounds(root_id, 1)
        bounds = {b: node.bounds(root_id, b) for b in acct.branches}
        positions = [(node.position(trader, root_id, b), bounds[b]) for b in acct.branches]
        opens = [] if root.is_point else list(node.open_orders(trader, root_id, acct).values())
        assert len(opens) <= 10, "brute force is for small cases"
        grid = range(root.min, root.max + 1, STEP) if not root.is_point else [root.min]
        worst = None
        for x in grid:
            matched = sum(p.quantity * clamp(x, b.min, b.max) - p.cost for p, b in positions)
            fills = [o.remaining * (clamp(x, bounds[o.branch_id].min, bounds[o.branch_id].max) - o.price) for o in opens]
            for k in range(len(fills) + 1):
                for subset in combinations(fills, k):
                    v = matched + sum(subset)
                    worst = v if worst is None or v < worst else worst
        total += (worst or 0) // WAD
    return total
