"""Random scenarios for the differential tests: several roots with sub-markets, open orders on both
sides, matches (some through Partials, some bound to fail), cancels by owners and strangers,
reductions, withdrawals, settlements and claims; LMSR pools with buys and sales of both sides (some
beyond the trader's collateral or slippage bound), fills of resting orders against pools (some
beyond their limits), freezes, closes and claims of pools. Numbers sit on a coarse lattice (bounds on whole
units, prices and sizes on halves) so that a brute-force grid of quarter units contains every
candidate point."""

from __future__ import annotations

import random
from typing import Any

TRADERS = ["ann", "ben", "cat", "dan"]


def _d(x: float) -> str:
    return format(x, "g") if x != int(x) else str(int(x))


def generate(seed: int, steps: int = 22) -> dict[str, Any]:
    rng = random.Random(seed)
    traders = TRADERS[: rng.randint(2, 4)]
    actions: list[dict[str, Any]] = []
    markets: dict[tuple[int, int], tuple[int, int]] = {}
    roots = list(range(1, rng.randint(2, 3) + 1))
    for root in roots:
        lo = rng.randint(0, 4)
        hi = lo + rng.randint(4, 12)
        actions.append({"do": "define", "by": "owner", "root": root, "branch": 1, "min": str(lo), "max": str(hi)})
        markets[(root, 1)] = (lo, hi)
        prev = (lo, hi)
        for branch in range(2, rng.randint(1, 3) + 1):
            a = rng.randint(prev[0], prev[1])
            b = rng.randint(a, prev[1])
            actions.append({"do": "define", "by": "owner", "root": root, "branch": branch, "min": str(a), "max": str(b)})
            markets[(root, branch)] = (a, b)
            prev = (a, b)
    for t in traders:
        actions.append({"do": "deposit", "by": t, "amount": str(rng.choice([1, 20, 100, 500, 500, 2000]))})
    orders: list[tuple[str, str, tuple[int, int], float, float]] = []  # id, owner, market, price, qty
    settled: set[int] = set()
    pools: list[tuple[str, str, tuple[int, int]]] = []  # id, creator, market
    unfreeze: list[tuple[int, int]] = []  # (step, root)
    for step in range(steps):
        late = step > steps * 0.6
        for due, root in [u for u in unfreeze if u[0] == step]:
            actions.append({"do": "unfreeze", "by": "owner", "root": root})
        kind = rng.choices(
            ["order", "pair", "match", "cancel", "reduce", "withdraw", "deposit", "settle", "claim", "narrow", "batch",
             "pool", "trade", "fill", "freeze", "close_pool"],
            weights=[20, 14, 22, 5, 4, 6, 3, 6 if late else 1, 4 if late else 1, 3, 4,
                     6 if not pools else 1, 14 if pools else 0, 6 if pools and orders else 0, 1, 1 if pools else 0],
        )[0]
        if kind in ("pool", "trade", "fill", "freeze", "close_pool"):
            _maker_action(rng, kind, actions, traders, markets, roots, pools, orders, unfreeze, step)
        elif kind == "pair" and len(traders) >= 2:
            # a crossing bid and ask by two traders in one market, matched at once most of the time
            (root, branch), (lo, hi) = rng.choice(sorted(markets.items()))
            ask_price = rng.randint(2 * lo, 2 * hi) / 2
            bid_price = min(hi, ask_price + rng.choice([0, 0, 0.5, 1]))
            size = rng.randint(1, 8) / 2
            buyer, seller = rng.sample(traders, 2)
            for by, price, qty in ((buyer, bid_price, size), (seller, ask_price, -size)):
                oid = f"o{len(orders)}"
                orders.append((oid, by, (root, branch), price, qty))
                actions.append({"do": "order", "by": by, "id": oid, "root": root, "branch": branch, "price": _d(price), "quantity": _d(qty)})
            if rng.random() < 0.7:
                q = rng.choice([size, size, size / 2 if size >= 1 else size])
                actions.append({"do": "match", "bid": orders[-2][0], "ask": orders[-1][0], "quantity": _d(q)})
        elif kind == "order" or kind == "pair" or not orders and kind in ("match", "cancel", "reduce", "batch"):
            (root, branch), (lo, hi) = rng.choice(sorted(markets.items()))
            price = rng.randint(2 * lo, 2 * hi) / 2
            qty = rng.randint(1, 10) / 2 * rng.choice([1, -1])
            oid = f"o{len(orders)}"
            by = rng.choice(traders)
            orders.append((oid, by, (root, branch), price, qty))
            actions.append({"do": "order", "by": by, "id": oid, "root": root, "branch": branch, "price": _d(price), "quantity": _d(qty)})
        elif kind in ("match", "batch"):
            matches = [_match(rng, orders) for _ in range(1 if kind == "match" else rng.randint(2, 3))]
            actions.append(matches[0] if kind == "match" else {"do": "batch", "matches": [{k: v for k, v in m.items() if k != "do"} for m in matches]})
        elif kind in ("cancel", "reduce"):
            oid, owner, *_rest = rng.choice(orders)
            by = owner if rng.random() < 0.8 else rng.choice(traders)
            action = {"do": kind, "by": by, "order": oid}
            if kind == "reduce":
                action["quantity"] = _d(rng.randint(1, 6) / 2)
            actions.append(action)
        elif kind == "withdraw":
            actions.append({"do": "withdraw", "by": rng.choice(traders), "amount": _d(rng.choice([0.5, 1, 5, 20, 100]))})
        elif kind == "deposit":
            actions.append({"do": "deposit", "by": rng.choice(traders), "amount": str(rng.choice([1, 10, 50]))})
        elif kind == "settle":
            root = rng.choice(roots)
            lo, hi = markets[(root, 1)]
            actions.append({"do": "settle", "by": "owner", "root": root, "outcome": _d(rng.randint(2 * lo, 2 * hi) / 2)})
            settled.add(root)
        elif kind == "narrow":
            root = rng.choice(roots)
            lo, hi = markets[(root, 1)]
            a = rng.randint(lo, hi)
            actions.append({"do": "define", "by": "owner", "root": root, "branch": 1, "min": str(a), "max": str(rng.randint(a, hi))})
        elif kind == "claim":
            root = rng.choice(roots)
            actions.append({"do": rng.choice(["claim", "claim", "claim_many"]), "by": rng.choice(traders), "root": root})
    for root in sorted(settled):
        actions.append({"do": "claim_many", "by": traders[0], "root": root})
        for pid, creator, market in pools:
            if market[0] == root:
                actions.append({"do": "claim_pool", "by": creator, "pool": pid})
    return {"actions": actions}


def _maker_action(rng: random.Random, kind: str, actions: list, traders: list, markets: dict, roots: list,
                  pools: list, orders: list, unfreeze: list, step: int) -> None:
    if kind == "pool":
        wide = [m for m, (lo, hi) in sorted(markets.items()) if hi > lo]
        (root, branch) = rng.choice(wide or sorted(markets))
        pid, creator = f"p{len(pools)}", rng.choice(traders)
        pools.append((pid, creator, (root, branch)))
        b = rng.choice(["1", "10", "50", "200"])
        if rng.random() < 0.8:  # most creators fund their pool's b ln 2 first
            actions.append({"do": "deposit", "by": creator, "amount": str(int(b) + 5)})
        action = {"do": "pool", "by": creator, "id": pid, "root": root, "branch": branch, "b": b}
        if rng.random() < 0.4:
            action["fee"] = rng.choice([0, 30, 100, 1000])
        actions.append(action)
    elif kind == "trade":
        pid, _, _ = rng.choice(pools)
        action = {"do": rng.choice(["buy", "buy", "sell"]), "by": rng.choice(traders), "pool": pid,
                  "side": rng.choice(["long", "short"]), "shares": _d(rng.randint(1, 40) / 2)}
        if rng.random() < 0.3:
            action["limit"] = _d(rng.randint(0, 20) / 2)
        actions.append(action)
    elif kind == "fill":
        pairs = [(p[0], o) for p in pools for o in orders[-10:] if o[2] == p[2]]
        if pairs and rng.random() < 0.9:
            pid, (oid, _, _, _, qty) = rng.choice(pairs)
        else:
            pid, (oid, _, _, _, qty) = rng.choice(pools)[0], rng.choice(orders)
        actions.append({"do": "fill", "order": oid, "pool": pid, "quantity": _d(rng.choice([abs(qty), 0.5, abs(qty) / 2 or 0.5]))})
    elif kind == "freeze":
        root = rng.choice(roots)
        actions.append({"do": "freeze", "by": "owner", "root": root})
        unfreeze.append((step + rng.randint(1, 3), root))
    elif kind == "close_pool":
        pid, creator, _ = rng.choice(pools)
        actions.append({"do": "close_pool", "by": creator if rng.random() < 0.8 else rng.choice(traders), "pool": pid})


def _match(rng: random.Random, orders: list) -> dict[str, Any]:
    recent = orders[-12:]
    bids = [o for o in recent if o[4] > 0]
    asks = [o for o in recent if o[4] < 0]
    if bids and asks and rng.random() < 0.85:
        bid = rng.choice(bids)
        crossing = [a for a in asks if a[2] == bid[2] and a[3] <= bid[3] and a[1] != bid[1]]
        same = [a for a in asks if a[2] == bid[2]]
        ask = rng.choice(crossing or same) if (crossing or same) and rng.random() < 0.9 else rng.choice(asks)
    else:
        bid, ask = rng.choice(orders), rng.choice(orders)
    size = min(abs(bid[4]), abs(ask[4]))
    q = rng.choice([size, max(0.5, size / 2), size + 0.5]) if rng.random() < 0.9 else 0.5
    m: dict[str, Any] = {"do": "match", "bid": bid[0], "ask": ask[0], "quantity": _d(q)}
    roll = rng.random()
    if roll < 0.2:
        m["price"] = _d(rng.choice([bid[3], ask[3], (bid[3] + ask[3]) / 2, bid[3] + 0.5]))
    elif roll < 0.3 and q < abs(bid[4]):
        m["bid_partial"] = {"price": _d(bid[3] - rng.choice([0, 0.5])), "quantity": _d(q)}
    elif roll < 0.35 and q < abs(ask[4]):
        m["ask_partial"] = {"price": _d(ask[3] + rng.choice([0, 0.5, -0.5])), "quantity": _d(q)}
    return m


DAY = 86_400
#: Time steps of the artifact scenarios: within a period, across one, across two (a one-day window).
WARPS = [60, 1800, 6 * 3600, DAY - 1, DAY, DAY + 1, 2 * DAY, 3 * DAY]


def generate_artifact(seed: int, steps: int = 36) -> dict[str, Any]:
    """A random artifact market: a registered artifact (random liquidity and fee), buys and sales of
    both sides against its tracked pool, resting orders filled against it (their owners pay the
    fee), time steps around the one-day window, triggers of every state, a challenge and its
    release now and then, the 90-day delay passing and closes by holders and strangers. Every
    price range, credit, cushion, close and trigger verdict must come out the same on both sides."""
    rng = random.Random(10_000 + seed)
    traders = TRADERS[: rng.randint(3, 4)]
    b = rng.choice([5, 10, 20])
    actions: list[dict[str, Any]] = [{"do": "grant", "by": "admin", "role": "oracle", "to": "ora"}]
    for t in traders:
        actions.append({"do": "deposit", "by": t, "amount": str(rng.choice([100, 300, 1000]))})
    actions.append({"do": "artifact", "by": "reg", "id": "a", "b": str(b), "fee": rng.choice([0, 50, 300, 1000])})
    orders, release = 0, -1
    for step in range(steps):
        if step == release:  # the oracle resolves a challenge back to listed after a few steps
            actions.append({"do": "lifecycle", "by": "ora", "artifact": "a", "state": "listed"})
        if step == steps // 2:
            actions.append({"do": "warp", "seconds": 90 * DAY + rng.choice([1, 3600, DAY])})
        late = step >= steps // 2
        kind = rng.choices(
            ["buy", "sell", "fill", "warp", "trigger", "close", "challenge"],
            weights=[30, 14, 8, 16, 8 if step > 4 else 2, 14 if late else 2, 2],
        )[0]
        if kind in ("buy", "sell"):
            shares = rng.choice([0.5, 1, 2, 5]) * rng.choice([1, 1, b / 5, b / 2])
            actions.append({"do": kind, "by": rng.choice(traders), "pool": "a", "side": rng.choice(["long", "short"]),
                            "shares": _d(shares)})
        elif kind == "fill":
            oid, by = f"o{orders}", rng.choice(traders)
            orders += 1
            qty = rng.choice([1, 2, 4]) * rng.choice([1, -1])
            price = rng.choice([0.3, 0.5, 0.7, 0.9]) if qty > 0 else rng.choice([0.1, 0.3, 0.5, 0.7])
            actions.append({"do": "order", "by": by, "id": oid, "root": "a", "branch": 1, "price": _d(price), "quantity": _d(qty)})
            actions.append({"do": "fill", "by": rng.choice(traders), "order": oid, "pool": "a", "quantity": _d(abs(qty) / rng.choice([1, 2]))})
        elif kind == "warp":
            actions.append({"do": "warp", "seconds": rng.choice(WARPS)})
        elif kind == "trigger":
            actions.append({"do": "trigger", "by": rng.choice(traders), "artifact": "a",
                            "state": rng.choice(["validated", "flagged", "deprecated"])})
        elif kind == "close":
            actions.append({"do": "close", "by": rng.choice(traders), "artifact": "a"})
        elif release < step:
            actions.append({"do": "lifecycle", "by": "ora", "artifact": "a", "state": "challenged"})
            release = step + rng.randint(1, 3)
    for t in traders:
        actions.append({"do": "close", "by": t, "artifact": "a"})
    return {"actions": actions}
