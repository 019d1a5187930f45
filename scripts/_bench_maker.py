"""Gas and precision of the LMSR maker (for ``make bench``; see scripts/bench.py)."""

from __future__ import annotations

import random
from typing import Any, Callable

from pmarket.lmsr import exact
from pmarket.lmsr.pool import Side
from pmarket.wad import WAD

Measure = Callable[[Any], dict[str, int]]


def _view_gas(contract: Any, method: str, *args: Any) -> dict[str, int]:
    """Gas of a view as its own transaction would pay it (eth_estimateGas: cold storage)."""
    from ape import chain

    data = getattr(contract, method).encode_input(*args)
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    total = int(chain.provider.web3.eth.estimate_gas({"to": str(contract.address), "data": "0x" + raw.hex()}))
    zeros = raw.count(0)
    return {"total": total, "execution": total - 21_000 - 4 * zeros - 16 * (len(raw) - zeros), "calldata_bytes": len(raw)}


def _fund(ex: Any, who: Any, amount: str = "1000000") -> None:
    ex.token.mint(who.address, ex.token_units(amount), sender=who)
    ex.token.approve(ex.address, 2**256 - 1, sender=who)
    ex.deposit(amount, approve=False, sender=who)


def maker_gas(ex: Any, owner: Any, traders: list[Any], measure: Measure) -> dict[str, dict[str, int]]:
    """Each entry is its own transaction on cold storage. "Opens a new position" means the trader
    had none in the pool's market; whether the root was already on the trader's list is said."""
    maker = ex.maker
    creator, a, b, c = traders[:4]
    for who in (creator, a, b, c):
        _fund(ex, who)
    ex.define(30, 1, "0", "1", sender=owner)
    ex.define(31, 1, "0", "1", sender=owner)
    gas: dict[str, dict[str, int]] = {}
    gas["maker: create pool (b = 1,000)"] = measure(maker.contract.createPool(30, 1, 1000 * WAD, 0, 0, sender=creator))
    pool = maker.pools()[-1]
    maker.create_pool(31, b=1000, fee_bps=50, sender=creator)
    fee_pool = maker.pools()[-1]

    gas["maker: buy, trader's first position in the root (lists it)"] = measure(maker.buy(pool, "long", 10, sender=a))
    gas["maker: buy, adds to the trader's position"] = measure(maker.buy(pool, "long", 10, sender=a))
    gas["maker: sell, reduces the trader's position"] = measure(maker.sell(pool, "long", 5, sender=a))
    gas["maker: buy short, adds to the trader's (net) position"] = measure(maker.buy(pool, "short", 5, sender=a))
    # b holds an order in root 30 already: the root is listed, the position is new.
    ex.place(ex.sign_limit(b, 30, 1, "0.1", "1"))
    gas["maker: buy, opens a new position (root already listed)"] = measure(maker.buy(pool, "long", 10, sender=b))
    maker.buy(fee_pool, "long", 1, sender=b)
    gas["maker: buy with a 0.5% fee, adds to a position"] = measure(maker.buy(fee_pool, "long", 10, sender=b))
    gas["maker: large buy (40 b), adds to a position"] = measure(maker.buy(pool, "short", 40_000, sender=b))

    resting = ex.sign_limit(c, 30, 1, "0.99", "5")
    ex.place(resting)
    gas["maker: fill a resting bid against the pool"] = measure(maker.fill(pool, resting.order, "5", sender=owner))

    gas["maker: quote (view, estimated)"] = _view_gas(maker.contract, "quote", pool.id, int(Side.LONG), 10 * WAD)
    gas["maker: prices (view, estimated)"] = _view_gas(maker.contract, "prices", pool.id)
    gas["maker: sharesForCost (view, estimated)"] = _view_gas(maker.contract, "sharesForCost", pool.id, int(Side.LONG), 10 * WAD)

    idle = maker.create_pool(31, b=10, sender=creator)
    maker.buy(idle, "long", 1, sender=a)
    maker.sell(idle, "long", 1, sender=a)
    gas["maker: close an idle pool"] = measure(maker.close_pool(idle, sender=creator))
    ex.settle(30, "1", sender=owner)
    # The traders lost on balance (b's large short): they pay in first, then the pool is paid out.
    ex.claim_many(30, [a, b, c], sender=owner)
    gas["maker: claim a settled pool for its creator (pool paid out)"] = measure(maker.claim_pool(pool, sender=owner))
    # The first buy above is also the pool's first trade (its position is created); here the pool
    # has traded, and the buyer's position, root account and list entry are the new slots.
    ex.define(32, 1, "0", "1", sender=owner)
    traded = maker.create_pool(32, b=1000, sender=creator)
    maker.buy(traded, "long", 10, sender=a)
    gas["maker: buy, trader's first position in a root, pool already traded (lists it)"] = measure(
        maker.buy(traded, "long", 10, sender=b)
    )
    return gas


def precision(harness: Any, samples: int = 400, seed: int = 7) -> dict[str, Any]:
    """Worst error, in wei, of trade costs computed on-chain (the harness runs the contracts' math:
    the cost difference plus its error allowance, rounded up to the wei, as every trade charges)
    against mpmath, over ``b`` in [1e15, 1e27] wei and states and trades up to ``|q| = 50 b``; and how
    many costs were in the trader's favour (must be 0)."""
    rng = random.Random(seed)
    rows: dict[str, Any] = {}
    for lo_exp, hi_exp in ((15, 18), (18, 21), (21, 24), (24, 27)):
        worst, favour = 0.0, 0
        for _ in range(samples // 4):
            b = int(10 ** rng.uniform(lo_exp, hi_exp))
            q0 = rng.randint(-50 * b, 50 * b)
            n = rng.randint(-50 * b, 50 * b) if rng.random() < 0.5 else rng.randint(-b, b) // rng.choice([1, 100, 10**6])
            q1 = max(-50 * b, min(50 * b, q0 + n))
            chain_cost = int(harness.tradeCash(q0 * WAD, q1 * WAD, b))
            err = chain_cost - exact.trade_cost(q0, 0, q1 - q0, 0, b)
            worst = max(worst, abs(float(err)))
            favour += err < 0
        rows[f"b in [1e{lo_exp}, 1e{hi_exp}]"] = {"worst_error_wei": round(worst, 6), "in_traders_favour": favour}
    return rows
