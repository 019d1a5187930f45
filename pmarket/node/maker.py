"""The node's maker: ``Maker.sol`` and the Exchange's pool hooks (``PoolTrades``, ``PoolAccounts``).

Pools are priced with :mod:`pmarket.lmsr.pool`, the chain's integer arithmetic, so a trade costs
here exactly what it costs on-chain. A pool's account is an ordinary account of the node's vault:
its funding moves in from the creator, every trade is a position against it, and it settles and is
claimed like anyone's. Checks run in the contracts' order, so a refusal names the same error.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Optional

from .. import errors
from ..collateral import Position
from ..lmsr.pool import Side, Trade, forward, funding, paid, price
from ..lmsr.pool import ceil_div as _ceil_div
from ..maker import PoolKey
from ..orders import Order
from ..wad import WAD
from .state import Pool, RootAccount, State, addr

MAX_FEE_BPS = 1000
UINT96_MAX = 2**96 - 1
INT128_MAX = 2**127 - 1


class MakerRules:
    s: State
    #: The last priced trade or fill (its cost and fee), for replay and reports.
    last_trade: Optional[Trade] = None

    # ---- pools -------------------------------------------------------------------------------
    def create_pool(self, creator: str, root_id: int, branch_id: int, b: int, fee_bps: int = 0, salt: int = 0) -> PoolKey:
        """``Maker.createPool``: fund a pool of liquidity ``b`` from ``creator``'s balance."""
        creator = addr(creator)
        if b == 0 or b > UINT96_MAX:
            raise errors.fail("InvalidLiquidity", b=b)
        if fee_bps > MAX_FEE_BPS:
            raise errors.fail("FeeTooHigh", feeBps=fee_bps, maxBps=MAX_FEE_BPS)
        bounds = self.s.registry.bounds(root_id, branch_id)  # UnknownMarket, as Exchange.bounds
        if bounds.is_point:
            raise errors.fail("PointMarket", rootId=root_id, branchId=branch_id)
        key = PoolKey(root_id, branch_id, bounds.min, bounds.max, b, fee_bps, creator, salt)
        if key.id in self.s.pools:
            raise errors.fail("PoolExists", poolId=key.id)
        amount = funding(b)
        # Exchange.poolOpen
        self.tradable_bounds(root_id, branch_id)  # type: ignore[attr-defined]
        account = key.account
        if self.s.roots_of.get(account):
            raise errors.fail("PoolAccountInUse", account=account)
        balance = self.s.balances.get(creator, 0) - amount
        self.require_solvent(creator, balance)  # type: ignore[attr-defined]
        self.s.balances[creator] = balance
        self.s.balances[account] = self.s.balances.get(account, 0) + amount  # a donation stays
        self.s.accounts[(account, root_id)] = RootAccount(branches={branch_id}, listed=True)
        self.s.roots_of[account] = [root_id]
        self.s.registry.mark_ordered(root_id, branch_id)
        self.s.pools[key.id] = Pool(key)
        return key

    def close_pool(self, caller: str, key: PoolKey) -> int:
        """``Maker.closePool``: an idle pool's balance back to its creator; returns it."""
        pool = self._open(key)
        if addr(caller) != key.creator:
            raise errors.fail("NotPoolCreator", poolId=key.id, caller=addr(caller))
        if pool.q_long != pool.q_short:
            raise errors.fail("PoolNotIdle", poolId=key.id, qLong=pool.q_long, qShort=pool.q_short)
        released = self.s.balances.get(key.account, 0)
        if released != 0:
            self._release(key.account, key.creator, released)
        pool.open = False
        return released

    def claim_pool(self, key: PoolKey) -> int:
        """``Maker.claimPool``: claim the pool's account in its settled root, pay the creator the rest."""
        pool = self.s.pools.get(key.id)
        if pool is None:
            raise errors.fail("UnknownPool", poolId=key.id)
        if not self.s.account(key.account, key.root_id).claimed:
            self.claim(key.account, key.root_id, self.s.config.maker)  # type: ignore[attr-defined]
        balance = self.s.balances.get(key.account, 0)
        if balance <= 0:
            raise errors.fail("NothingLeft", poolId=key.id)
        self._release(key.account, key.creator, balance)
        pool.open = False
        return balance

    # ---- trades ------------------------------------------------------------------------------
    def pool_trade(
        self, trader: str, key: PoolKey, side: Side, shares: int, limit: int, *, buying: bool, deadline: Optional[int] = None
    ) -> tuple[int, int]:
        """``Maker.buy`` / ``sell``: returns the forward quantity and the cost paid (buy) or the
        proceeds (sell), 18 decimals."""
        trader = addr(trader)
        if deadline is not None and self.s.now is not None and self.s.now > deadline:
            raise errors.fail("DeadlinePassed", deadline=deadline, timestamp=self.s.now)
        pool = self._open(key)
        n = forward(shares, key.hi - key.lo)
        if n == 0:
            raise errors.fail("ZeroShares")
        return self.trade_forward(trader, key, side, n if buying else -n, limit)

    def trade_forward(self, trader: str, key: PoolKey, side: Side, n: int, limit: int) -> tuple[int, int]:
        """A buy (``n > 0``) or sale of ``|n|`` forward units of ``side``, checked from the pricing on
        (what the chain's ``PoolTraded`` event describes); ``limit`` is the max cost or min proceeds."""
        buying = n > 0
        pool = self._open(key)
        t = self._price(pool, Side(side), n)
        amount = paid(t) if buying else -_ceil_div(t.pay, WAD)
        if (amount > limit) if buying else (amount < limit):
            raise errors.fail("SlippageExceeded", amount=amount, limit=limit)
        self._record(addr(trader), key, t)
        self._store(pool, t, trader, t.fee, 0)  # type: ignore[attr-defined]  # TrackedPoolRules
        self.last_trade = t
        return t.quantity, amount

    def pool_fill(self, key: PoolKey, order: Order, quantity: int) -> bytes:
        """``Maker.fill``: fill ``quantity`` of resting ``order`` against the pool; returns its hash."""
        pool = self._open(key)
        if (order.market_root_id, order.market_branch_id) != (key.root_id, key.branch_id):
            raise errors.fail("PoolMarketMismatch", poolId=key.id, rootId=order.market_root_id, branchId=order.market_branch_id)
        t = self._price(pool, Side.LONG if order.quantity > 0 else Side.SHORT, quantity)
        # Exchange.poolFill
        h = self.digest(order)  # type: ignore[attr-defined]
        if quantity == 0:
            raise errors.fail("ZeroQuantity", orderHash=h)
        rec = self.open_record(h)  # type: ignore[attr-defined]
        if quantity > rec.remaining:
            raise errors.fail("QuantityExceedsRemaining", orderHash=h, quantity=quantity, remaining=rec.remaining)
        self.tradable_bounds(order.market_root_id, order.market_branch_id)  # type: ignore[attr-defined]
        q = quantity if order.quantity > 0 else -quantity
        if t.cost > q * order.price:
            average = -((-t.cost) // q) if q > 0 else (-t.cost) // (-q)
            raise errors.fail("FillBeyondLimit", orderHash=h, averagePrice=average, limit=order.price)
        updated = self._positions(order.trader, key, q, t.cost)
        self.shrink_open(order, h, rec, quantity)  # type: ignore[attr-defined]
        self.s.positions.update(updated)
        self._store(pool, t, order.trader, t.fee, 0)  # type: ignore[attr-defined]  # its owner paid the fee
        self.last_trade = t
        return h

    # ---- views -------------------------------------------------------------------------------
    def pool_of_account(self, account: str) -> PoolKey:
        """The key of the pool whose Exchange account is ``account``."""
        for pool in self.s.pools.values():
            if pool.key.account == addr(account):
                return pool.key
        raise errors.fail("UnknownPool", poolId=b"")

    def pool(self, key: PoolKey) -> Pool:
        pool = self.s.pools.get(key.id)
        if pool is None:
            raise errors.fail("UnknownPool", poolId=key.id)
        return pool

    def funding_left(self, key: PoolKey) -> int:
        """The pool's cushion: its balance plus its exact worst case."""
        worst, balance = self.worst_case(key.account)  # type: ignore[attr-defined]
        return worst + balance

    # ---- internals ---------------------------------------------------------------------------
    def _open(self, key: PoolKey) -> Pool:
        pool = self.pool(key)
        if not pool.open:
            raise errors.fail("PoolClosed", poolId=key.id)
        return pool

    def _price(self, pool: Pool, side: Side, n: int) -> Trade:
        t = price(pool.key.terms, pool.q_long, pool.q_short, side, n)
        if t is None:
            raise errors.fail("PoolOverflow", poolId=pool.key.id)
        return t

    def _record(self, trader: str, key: PoolKey, t: Trade) -> None:
        """``Exchange.poolTrade``: the root open, the trader's root listed, both positions, the check."""
        root_id = key.root_id
        outcome = self.s.registry.settled_outcome(root_id)
        if outcome is not None:
            raise errors.fail("MarketSettled", rootId=root_id, outcome=outcome)
        if self.s.registry.roots[root_id].flagged:
            raise errors.fail("MarketFlagged", rootId=root_id)
        if self.s.registry.is_frozen(root_id):
            raise errors.fail("MarketFrozen", rootId=root_id)
        acct = deepcopy(self.s.account(trader, root_id))
        cfg = self.s.config
        if not acct.listed and len(self.s.roots_of.get(trader, [])) >= cfg.max_roots:
            raise errors.fail("TooManyRoots", trader=trader, max=cfg.max_roots)
        acct.branches.add(key.branch_id)
        updated = self._positions(trader, key, t.quantity, t.cost)
        before = {k: self.s.positions.get(k) for k in updated}
        self.s.positions.update(updated)
        try:
            self.require_solvent(trader, self.s.balances.get(trader, 0), {root_id: acct})  # type: ignore[attr-defined]
        except errors.ContractError:
            for k, v in before.items():
                if v is None:
                    self.s.positions.pop(k, None)
                else:
                    self.s.positions[k] = v
            raise
        if not acct.listed:
            acct.listed = True
            self.s.roots_of.setdefault(trader, []).append(root_id)
        self.s.accounts[(trader, root_id)] = acct

    def _positions(self, trader: str, key: PoolKey, q: int, cost: int) -> dict[tuple[str, int, int], Position]:
        """Both sides' positions after a trade of ``q`` at ``cost``: the trader's, then the pool's."""
        out: dict[tuple[str, int, int], Position] = {}
        for who, sq, sc in ((trader, q, cost), (key.account, -q, -cost)):
            k = (who, key.root_id, key.branch_id)
            try:
                out[k] = self.s.positions.get(k, Position()).add_cost(sq, sc)
            except OverflowError:
                raise errors.fail("PositionOverflow", trader=who, rootId=key.root_id, branchId=key.branch_id) from None
        return out

    def _release(self, pool_account: str, to: str, amount: int) -> None:
        """``Exchange.poolRelease``: move ``amount`` from the pool's account; its check must pass."""
        balance = self.s.balances.get(pool_account, 0)
        if balance < 0 or amount > balance:
            raise errors.fail("InsufficientBalance", account=pool_account, balance=balance, needed=amount)
        target = self.s.balances.get(to, 0)
        if amount > INT128_MAX - target:
            raise errors.fail("BalanceOverflow", account=to, credited=amount)
        self.require_solvent(pool_account, balance - amount)  # type: ignore[attr-defined]
        self.s.balances[pool_account] = balance - amount
        self.s.balances[to] = target + amount
