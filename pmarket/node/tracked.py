"""The node's tracked pools: ``Maker.sol``'s accumulator, cushion and close at the marginal price.

An artifact's pool is tracked: every trade first brings the time integral of its log-odds
``x = (qLong - qShort)(hi - lo) / b`` (capped at +-100, wad seconds) up to the node's clock, and
adds its fee to the cushion; a close at the marginal price spends from the cushion what it gives
up against the LMSR price of the same sale (protocol section 6).
"""

from __future__ import annotations

from dataclasses import replace

from .. import errors
from ..lmsr import fixed
from ..lmsr.pool import Side, Terms, Trade, ceil_div, price
from ..maker import PoolKey
from .state import Pool, State, addr

WAD = 10**18
LOGIT_CAP = 100 * WAD


class TrackedPoolRules:
    s: State

    def create_tracked_pool(self, creator: str, root_id: int, branch_id: int, b: int, fee_bps: int, salt: int) -> PoolKey:
        """``Maker.createTrackedPool``: a pool whose price the registry's triggers read."""
        key = self.create_pool(creator, root_id, branch_id, b, fee_bps, salt)  # type: ignore[attr-defined]
        pool = self.s.pools[key.id]
        pool.tracked, pool.updated = True, self.clock()
        return key

    def clock(self) -> int:
        """The node's block time (seconds); 0 when it keeps none."""
        return self.s.now or 0

    def observe_pool(self, pool_id: bytes) -> tuple[int, int, int]:
        """``Maker.observe``: the accumulator now, the time, and the cushion."""
        pool = self.s.pools.get(pool_id)
        if pool is None:
            raise errors.fail("UnknownPool", poolId=pool_id)
        if not pool.tracked:
            raise errors.fail("PoolNotTracked", poolId=pool_id)
        if not pool.open:  # a closed pool's accumulator stopped at its last trade
            return pool.cumulative, pool.updated, pool.cushion
        return self._accumulated(pool), self.clock(), pool.cushion

    def close_for(self, caller: str, key: PoolKey, trader: str) -> tuple[int, int, int]:
        """``Maker.closeFor``: ``trader`` sells their whole position back to the pool at its marginal
        price (the registry calls it after the delay); returns quantity, cost (36 decimals) and the
        discount taken from the cushion."""
        pool = self._open(key)  # type: ignore[attr-defined]
        if addr(caller) != key.creator:
            raise errors.fail("NotPoolCreator", poolId=key.id, caller=addr(caller))
        if not pool.tracked:
            raise errors.fail("PoolNotTracked", poolId=key.id)
        trader = addr(trader)
        q = self.position(trader, key.root_id, key.branch_id).quantity  # type: ignore[attr-defined]
        if q == 0:
            raise errors.fail("NothingToClose", poolId=key.id, trader=trader)
        t = price(Terms(key.lo, key.hi, key.b, 0), pool.q_long, pool.q_short, Side.LONG if q > 0 else Side.SHORT, -abs(q))
        if t is None:
            raise errors.fail("PoolOverflow", poolId=key.id)
        quantity = -q
        cost = quantity * _marginal(key, pool, quantity > 0)
        discount = ceil_div(t.cost - cost, WAD) if t.cost > cost else 0
        if discount > pool.cushion:
            raise errors.fail("BeyondCushion", poolId=key.id, discount=discount, cushion=pool.cushion)
        self._record(trader, key, replace(t, quantity=quantity, cost=cost))  # type: ignore[attr-defined]
        self._store(pool, t, 0, discount)
        return quantity, cost, discount

    def _store(self, pool: Pool, t: Trade, gained: int, spent: int) -> None:
        """The pool's state after trade ``t``: a tracked pool first accumulates at the old price."""
        if pool.tracked:
            pool.cumulative, pool.updated = self._accumulated(pool), self.clock()
            pool.cushion += gained - spent
        pool.q_long, pool.q_short = t.q_long, t.q_short

    def _accumulated(self, pool: Pool) -> int:
        return pool.cumulative + _logit(pool) * (self.clock() - pool.updated)


def _logit(pool: Pool) -> int:
    """The pool's log-odds ``d / b`` (wad, truncated as Solidity divides), capped at 100."""
    key = pool.key
    x = fixed.tdiv((pool.q_long - pool.q_short) * (key.hi - key.lo), key.b)
    return max(-LOGIT_CAP, min(LOGIT_CAP, x))


def _marginal(key: PoolKey, pool: Pool, up: bool) -> int:
    """The marginal forward price (wad), rounded up for a buyer (``Maker._marginal``)."""
    w = key.hi - key.lo
    scaled = fixed.price_long((pool.q_long - pool.q_short) * w, key.b) * w
    return key.lo + scaled // fixed.ONE + (1 if up and scaled % fixed.ONE else 0)
