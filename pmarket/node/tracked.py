"""The node's tracked pools: ``TrackedPools.sol`` (the Maker's accumulator, price range, credits and
closes), bit for bit.

A tracked pool belongs to the owner of a managed root (an artifact's market: the registry); nobody
else creates one there (``NotRootManager``) or closes through it. Every trade, fill and close

- first brings the time integral of its log-odds ``x = (qLong - qShort)(hi - lo) / b`` (capped at
  +-100, wad seconds) up to the node's clock at the old price;
- moves its fee into the cushion and the payer's credit (a close takes its discount out of both);
- rolls the price range (a period that ended becomes the previous one, or, two periods on, the
  constant price since the last trade) and widens it to the new price. The range keeps log-odds
  ``d / b`` in units of 1e-9, rounded down (low) and up (high), capped at +-100; prices are made
  from them when read, moved past LMSRMath's error bound against the holder.

A close pays the holder the range's worse end for them (its low for a long, its high for a
short), but never more above the fee-free LMSR sale of the same position than the holder's own
credit (protocol section 6, docs/artifacts.md).
"""

from __future__ import annotations

from copy import copy
from dataclasses import replace

from .. import errors
from ..lmsr import fixed
from ..lmsr.pool import Side, Terms, Trade, ceil_div, price
from ..maker import PoolKey
from ..wad import WAD
from .state import ZERO_ADDRESS, Pool, PriceRange, State, addr

LOGIT_CAP = 100 * WAD
#: The range's unit of log-odds (1e-9) and its cap (+-100).
RANGE_UNIT = 10**9
RANGE_CAP = 100 * 10**9
UINT32_MAX = 2**32 - 1


class TrackedPoolRules:
    s: State

    def create_tracked_pool(
        self, creator: str, root_id: int, branch_id: int, b: int, fee_bps: int, salt: int, period: int
    ) -> PoolKey:
        """``Maker.createTrackedPool``: only the owner of managed root ``root_id``, a period of at
        least a second; then ``createPool``'s checks and funding."""
        creator = addr(creator)
        self._require_manager(root_id, creator, creating=True)
        if period == 0 or period > UINT32_MAX:
            raise errors.fail("InvalidPeriod", period=period)
        key = self.create_pool(creator, root_id, branch_id, b, fee_bps, salt)  # type: ignore[attr-defined]
        pool, now = self.s.pools[key.id], self.clock()
        pool.tracked, pool.updated = True, now
        pool.range = PriceRange(now, period, 0, 0, 0, 0)  # log-odds 0: price 0.5
        return key

    def clock(self) -> int:
        """The node's block time (seconds); 0 when it keeps none."""
        return self.s.now or 0

    def _require_manager(self, root_id: int, account: str, *, creating: bool) -> None:
        """``TrackedPools._requireManager``: ``account`` owns the root (and, to create, it is managed)."""
        root = self.s.registry.roots.get(root_id)
        owner = addr(root.owner) if root is not None else ZERO_ADDRESS
        if owner != addr(account) or (creating and not root.managed):  # type: ignore[union-attr]
            raise errors.fail("NotRootManager", rootId=root_id, caller=addr(account))

    # ---- views -------------------------------------------------------------------------------
    def observe(self, pool_id: bytes) -> tuple[int, int, int]:
        """``Maker.observe``: the accumulator now, the time, and the cushion."""
        pool = self._tracked(pool_id)
        if not pool.open:  # a closed pool's accumulator stopped at its last trade
            return pool.cumulative, pool.updated, pool.cushion
        return self._accumulated(pool), self.clock(), pool.cushion

    def price_range(self, pool_id: bytes) -> tuple[int, int, int]:
        """``Maker.priceRange``: the lowest and highest long price (wad) over at least the last
        period (less than three), and the period."""
        pool = self._tracked(pool_id)
        r = pool.range
        assert r is not None
        if pool.open:
            r = self._rolled(pool, pool.q_long, pool.q_short)
        b = pool.key.b
        return _range_prices(r, b, False) // WAD, ceil_div(_range_prices(r, b, True), WAD), r.period

    def credit(self, pool_id: bytes, trader: str) -> int:
        """``Maker.credit``: what is left of the fees ``trader`` paid to the pool (wad)."""
        pool = self.s.pools.get(pool_id)
        return 0 if pool is None else pool.credits.get(addr(trader), 0)

    def _tracked(self, pool_id: bytes) -> Pool:
        pool = self.s.pools.get(pool_id)
        if pool is None:
            raise errors.fail("UnknownPool", poolId=pool_id)
        if not pool.tracked:
            raise errors.fail("PoolNotTracked", poolId=pool_id)
        return pool

    # ---- the close ---------------------------------------------------------------------------
    def close_for(self, caller: str, key: PoolKey, trader: str) -> tuple[int, int, int]:
        """``Maker.closeFor``: ``trader``'s whole position sold back to the pool (the registry calls
        it for the holder's own close); returns quantity, cost (36 decimals) and the discount taken
        from the trader's credit."""
        pool = self._open(key)  # type: ignore[attr-defined]
        if not pool.tracked:
            raise errors.fail("PoolNotTracked", poolId=key.id)
        caller = addr(caller)
        if caller != key.creator:
            raise errors.fail("NotPoolCreator", poolId=key.id, caller=caller)
        self._require_manager(key.root_id, caller, creating=False)
        trader = addr(trader)
        q = self.position(trader, key.root_id, key.branch_id).quantity  # type: ignore[attr-defined]
        if q == 0:
            raise errors.fail("NothingToClose", poolId=key.id, trader=trader)
        # The fee-free LMSR sale of the whole position: long shares back for a long, short for a short.
        t = price(Terms(key.lo, key.hi, key.b, 0), pool.q_long, pool.q_short, Side.LONG if q > 0 else Side.SHORT, -abs(q))
        if t is None:
            raise errors.fail("PoolOverflow", poolId=key.id)
        quantity = -q
        cost, discount = self.close_cost(pool, t.cost, trader, quantity)
        self._record(trader, key, replace(t, quantity=quantity, cost=cost))  # type: ignore[attr-defined]
        self._store(pool, t, trader, 0, discount)
        return quantity, cost, discount

    def close_cost(self, pool: Pool, lmsr: int, trader: str, quantity: int) -> tuple[int, int]:
        """``TrackedPools._closeCost``: the cost (36 decimals) of closing by ``quantity`` against the
        fee-free LMSR cost ``lmsr``, and the discount (wad) it takes from ``trader``'s credit."""
        key = pool.key
        r = self._rolled(pool, pool.q_long, pool.q_short)
        at_range = quantity * _range_price(key, r, quantity > 0)
        if at_range >= lmsr:
            return lmsr, 0
        need = ceil_div(lmsr - at_range, WAD)
        owned = pool.credits.get(addr(trader), 0)
        return (at_range, need) if need <= owned else (lmsr - owned * WAD, owned)

    # ---- state -------------------------------------------------------------------------------
    def _store(self, pool: Pool, t: Trade, payer: str, gained: int, spent: int) -> None:
        """The pool's state after trade ``t`` (``TrackedPools._store``): a tracked pool accumulates
        at the old price, moves ``gained - spent`` into the cushion and ``payer``'s credit, and rolls
        its range and widens it to the new price."""
        if pool.tracked:
            pool.cumulative, pool.updated = self._accumulated(pool), self.clock()
            pool.cushion += gained - spent
            if gained != spent:
                payer = addr(payer)
                pool.credits[payer] = pool.credits.get(payer, 0) + gained - spent
            r = self._rolled(pool, pool.q_long, pool.q_short)
            lo, hi = _units(pool.key, t.q_long, t.q_short)
            r.low, r.high = min(r.low, lo), max(r.high, hi)
            pool.range = r  # (the contract skips the write when nothing changed: the same state)
        pool.q_long, pool.q_short = t.q_long, t.q_short

    def _rolled(self, pool: Pool, q_long: int, q_short: int) -> PriceRange:
        """``TrackedPools._rolled``: a copy of the range brought up to the node's clock, the price
        having been that of ``q_long, q_short`` since the last trade."""
        r = copy(pool.range)
        assert r is not None
        now = self.clock()
        if now < r.start + r.period:
            return r
        lo, hi = _units(pool.key, q_long, q_short)
        if now < r.start + 2 * r.period:
            r.prev_low, r.prev_high = r.low, r.high
        else:
            r.prev_low, r.prev_high = lo, hi
        r.start, r.low, r.high = now, lo, hi
        return r

    def _accumulated(self, pool: Pool) -> int:
        return pool.cumulative + _logit(pool) * (self.clock() - pool.updated)


def _logit(pool: Pool) -> int:
    """The pool's log-odds ``d / b`` (wad, truncated as Solidity divides), capped at 100."""
    key = pool.key
    x = fixed.tdiv((pool.q_long - pool.q_short) * (key.hi - key.lo), key.b)
    return max(-LOGIT_CAP, min(LOGIT_CAP, x))


def _units(key: PoolKey, q_long: int, q_short: int) -> tuple[int, int]:
    """The log-odds ``d / b`` at ``q_long, q_short`` in units of 1e-9, rounded down and up, capped at
    +-100 (``TrackedPools._units``)."""
    d, unit = (q_long - q_short) * (key.hi - key.lo), RANGE_UNIT * key.b
    down = d // unit
    up = down if d % unit == 0 else down + 1
    return max(-RANGE_CAP, min(RANGE_CAP, down)), max(-RANGE_CAP, min(RANGE_CAP, up))


def _range_prices(r: PriceRange, b: int, high: bool) -> int:
    """The long price (36 decimals) at the range's highest log-odds plus LMSRMath's error bound, or
    at its lowest minus it (``TrackedPools._rangePrices``)."""
    if high:
        x = max(r.high, r.prev_high)
        return min(fixed.price_long(x * RANGE_UNIT * b, b) + fixed.ERR, fixed.ONE)
    y = min(r.low, r.prev_low)
    return max(fixed.price_long(y * RANGE_UNIT * b, b) - fixed.ERR, 0)


def _range_price(key: PoolKey, r: PriceRange, buying: bool) -> int:
    """The forward price (wad) at the range's end that is worse for the holder: the highest for a
    buyer (rounded up), the lowest for a seller (rounded down) (``TrackedPools._rangePrice``)."""
    w, pl = key.hi - key.lo, _range_prices(r, key.b, buying)
    if buying:
        return key.lo + ceil_div(pl * w, fixed.ONE)
    return key.lo + pl * w // fixed.ONE
