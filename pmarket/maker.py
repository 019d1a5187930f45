"""The LMSR maker (``Maker.sol``): pools, trades, fills and quotes from Python.

A pool is named by its :class:`PoolKey` (the contract hashes the key into the pool's id). Amounts
are decimals as everywhere in the client (``"2.5"``, ``Decimal``, or an int of whole units); the
chain's 18-decimal integers come back. ``exchange.maker`` is the deployment's :class:`Maker`::

    pool = exchange.maker.create_pool(1, b=100, sender=carol)
    exchange.maker.buy(pool, "long", 10, max_cost=6, sender=alice)
    exchange.maker.prices(pool)          # (long, short), 18 decimals

Tracked pools (an artifact's, created by the managed root's owner) also have ``price_range``,
``credit`` and ``observe``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from .addresses import address_of
from .lmsr.pool import Side, Terms
from .orders import Order
from .transport import Bound, account_of, merged_contract_type, with_errors
from .wad import DecimalLike, to_wad

if TYPE_CHECKING:  # pragma: no cover
    from .exchange import Exchange

SideLike = Union[Side, str, int]
#: A pool named by its key or its id.
PoolLike = Union["PoolKey", bytes]
#: How long a trade stays valid when no deadline is given, in seconds.
DEFAULT_DEADLINE = 3600
_KEY_TYPES = ["(uint256,uint16,int128,int128,uint96,uint16,address,uint64)"]


@dataclass(frozen=True)
class PoolKey:
    """Everything fixed about a pool (``IMaker.PoolKey``); its id is the hash of the key."""

    root_id: int
    branch_id: int
    lo: int
    hi: int
    b: int
    fee_bps: int
    creator: str
    salt: int

    def as_tuple(self) -> tuple:
        return (self.root_id, self.branch_id, self.lo, self.hi, self.b, self.fee_bps, self.creator, self.salt)

    @classmethod
    def from_tuple(cls, values: Any) -> "PoolKey":
        if hasattr(values, "rootId"):
            values = tuple(getattr(values, f) for f in ("rootId", "branchId", "lo", "hi", "b", "feeBps", "creator", "salt"))
        root, branch, lo, hi, b, fee, creator, salt = values
        return cls(int(root), int(branch), int(lo), int(hi), int(b), int(fee), to_checksum_address(str(creator)), int(salt))

    @property
    def id(self) -> bytes:
        """``keccak256(abi.encode(key))``, as the contract computes it."""
        return keccak(encode(_KEY_TYPES, [self.as_tuple()]))

    @property
    def account(self) -> str:
        """The pool's Exchange account: the low 160 bits of its id."""
        return pool_account(self.id)

    @property
    def terms(self) -> Terms:
        return Terms(self.lo, self.hi, self.b, self.fee_bps)


def pool_account(pool_id: bytes) -> str:
    """The Exchange account of pool ``pool_id``."""
    return to_checksum_address(bytes(pool_id)[12:])


def create_address(sender: str, nonce: int) -> str:
    """The address a contract created by ``sender`` at ``nonce`` gets (CREATE)."""
    import rlp

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def maker_contract_type(project: Any) -> Any:
    """The Maker's contract type with the Exchange's errors added: a refusal of the trader's check
    (``InsufficientCollateral``) comes back through the maker and decodes by name."""
    return with_errors(project.Maker.contract_type, merged_contract_type(project))


@dataclass
class Maker(Bound):
    """A deployed Maker, bound to its :class:`~pmarket.exchange.Exchange`."""

    contract: Any
    exchange: "Exchange"

    @property
    def address(self) -> str:
        return str(self.contract.address)

    # ---- pools -------------------------------------------------------------------------------
    def create_pool(
        self,
        root_id: int,
        *,
        sender: Any,
        b: DecimalLike,
        branch_id: int = 1,
        fee_bps: int = 0,
        salt: Optional[int] = None,
    ) -> PoolKey:
        """Create a pool with liquidity ``b`` (shares) on ``(root_id, branch_id)``; ``ceil(b ln 2)`` of
        the creator's (``sender``'s) Exchange balance funds it. ``salt`` defaults to the first free one."""
        b_wad = to_wad(b, name="b")
        if salt is None:
            salt = self._free_salt(sender, root_id, branch_id, b_wad, fee_bps)
        self.transact("createPool", root_id, branch_id, b_wad, fee_bps, salt, sender=sender)
        lo, hi = self.exchange.contract.bounds(root_id, branch_id)
        return PoolKey(root_id, branch_id, int(lo), int(hi), b_wad, fee_bps, address_of(sender), salt)

    def create_tracked_pool(
        self,
        root_id: int,
        *,
        sender: Any,
        b: DecimalLike,
        period: int,
        branch_id: int = 1,
        fee_bps: int = 0,
        salt: Optional[int] = None,
    ) -> PoolKey:
        """``create_pool`` for a tracked pool (``Maker.createTrackedPool``): only the owner of managed
        root ``root_id`` may send it (``NotRootManager``). It keeps its price range over at least the last
        ``period`` seconds (less than three periods) (``InvalidPeriod`` for 0) and credits each fee to the trader who paid it."""
        b_wad = to_wad(b, name="b")
        if salt is None:
            salt = self._free_salt(sender, root_id, branch_id, b_wad, fee_bps)
        self.transact("createTrackedPool", root_id, branch_id, b_wad, fee_bps, salt, period, sender=sender)
        lo, hi = self.exchange.contract.bounds(root_id, branch_id)
        return PoolKey(root_id, branch_id, int(lo), int(hi), b_wad, fee_bps, address_of(sender), salt)

    def close_for(self, pool: PoolKey, trader: Any, *, sender: Any = None) -> Any:
        """Close ``trader``'s whole position against tracked ``pool`` (``Maker.closeFor``): only the
        pool's creator while it owns the root (the default sender). The artifact registry calls it
        for the holder's own ``close``."""
        return self.transact("closeFor", pool.as_tuple(), address_of(trader), sender=sender or account_of(pool.creator))

    def close_pool(self, pool: PoolKey, *, sender: Any = None) -> Any:
        """Close an idle pool and return its balance to the creator (the default sender)."""
        return self.transact("closePool", pool.as_tuple(), sender=sender or account_of(pool.creator))

    def claim_pool(self, pool: PoolKey, *, sender: Any) -> Any:
        """After the market settled: claim the pool's account and pay the creator what is left."""
        return self.transact("claimPool", pool.as_tuple(), sender=sender)

    def pool_key(self, pool_id: bytes) -> PoolKey:
        return PoolKey.from_tuple(self.call("poolKey", pool_id))

    def pools(self) -> list[PoolKey]:
        """Every pool of this maker, from its ``PoolCreated`` events (from the ledger index when the
        exchange client has one: :meth:`pmarket.exchange.Exchange.use_index`)."""
        from ape import chain

        if self.exchange.index is not None:
            from .ledger.queries import pools

            ledger, deployment = self.exchange.index
            return [PoolKey(int(p["root_id"]), p["branch_id"], int(p["lo"]), int(p["hi"]), int(p["b"]), p["fee_bps"],
                            p["creator"], int(p["salt"])) for p in pools(ledger.engine, deployment)]

        logs = self.contract.PoolCreated.range(self.exchange.start_block, chain.blocks.head.number + 1)
        return [PoolKey.from_tuple(log.key) for log in logs]

    # ---- trades ------------------------------------------------------------------------------
    def buy(
        self,
        pool: PoolKey,
        side: SideLike,
        shares: DecimalLike,
        *,
        sender: Any,
        max_cost: Optional[DecimalLike] = None,
        deadline: Optional[int] = None,
    ) -> Any:
        """``sender`` buys ``shares`` of ``side`` for at most ``max_cost`` (default: no bound) before
        ``deadline``."""
        limit = 2**255 - 1 if max_cost is None else to_wad(max_cost, name="max_cost")
        return self._trade("buy", sender, pool, side, shares, limit, deadline)

    def sell(
        self,
        pool: PoolKey,
        side: SideLike,
        shares: DecimalLike,
        *,
        sender: Any,
        min_proceeds: DecimalLike = 0,
        deadline: Optional[int] = None,
    ) -> Any:
        """``sender`` sells ``shares`` of ``side`` for at least ``min_proceeds`` before ``deadline``."""
        return self._trade("sell", sender, pool, side, shares, to_wad(min_proceeds, name="min_proceeds"), deadline)

    def fill(self, pool: PoolKey, order: Order, quantity: DecimalLike, *, sender: Any) -> Any:
        """Fill ``quantity`` of resting ``order`` against ``pool`` (refused beyond its limit)."""
        return self.transact("fill", pool.as_tuple(), order.as_tuple(), to_wad(quantity, name="quantity"), sender=sender)

    def _trade(self, method: str, sender: Any, pool: PoolKey, side: SideLike, shares: DecimalLike, limit: int, deadline: Optional[int]) -> Any:
        if deadline is None:
            deadline = self._now() + DEFAULT_DEADLINE
        wad = to_wad(shares, name="shares")
        return self.transact(method, pool.as_tuple(), int(Side.parse(side)), wad, limit, deadline, sender=sender)

    # ---- quotes ------------------------------------------------------------------------------
    def pool_state(self, pool: PoolKey) -> tuple[int, int, bool]:
        """``(q_long, q_short, open)``: outstanding shares per side in forward units."""
        q_long, q_short, is_open = self.call("poolState", pool.id)
        return int(q_long), int(q_short), bool(is_open)

    def prices(self, pool: PoolKey) -> tuple[int, int]:
        long, short = self.call("prices", pool.id)
        return int(long), int(short)

    def forward_price(self, pool: PoolKey) -> int:
        return int(self.call("forwardPrice", pool.id))

    def quote(self, pool: PoolKey, side: SideLike, shares: DecimalLike) -> tuple[int, int, int]:
        """``(cost, fee, quantity)`` of buying (``shares > 0``) or selling ``|shares|`` now."""
        cost, fee, quantity = self.call("quote", pool.id, int(Side.parse(side)), to_wad(shares, name="shares"))
        return int(cost), int(fee), int(quantity)

    def shares_for_cost(self, pool: PoolKey, side: SideLike, budget: DecimalLike) -> int:
        return int(self.call("sharesForCost", pool.id, int(Side.parse(side)), to_wad(budget, name="budget")))

    # ---- tracked pools -------------------------------------------------------------------------
    def price_range(self, pool: PoolLike) -> tuple[int, int, int]:
        """``(low, high, period)``: a tracked pool's lowest and highest long price (wad) over at least
        the last ``period`` seconds (docs/artifacts.md: how far back it reaches). The pool keeps
        log-odds to 1e-9, rounded outwards; their prices are moved past LMSRMath's error bound
        (1e-33) against the holder and rounded outwards to the wei."""
        low, high, period = self.call("priceRange", _pool_id(pool))
        return int(low), int(high), int(period)

    def credit(self, pool: PoolLike, trader: Any) -> int:
        """What is left of the fees ``trader`` paid to a tracked pool (wad): the most its closes may
        give up against the fee-free LMSR price."""
        return int(self.call("credit", _pool_id(pool), address_of(trader)))

    def observe(self, pool: PoolLike) -> tuple[int, int, int]:
        """``(cumulative, timestamp, cushion)``: a tracked pool's time integral of its log-odds (wad
        seconds, a TWAP oracle for integrators), the time it is read at, and its cushion (wad, the
        sum of every trader's credit)."""
        cumulative, timestamp, cushion = self.call("observe", _pool_id(pool))
        return int(cumulative), int(timestamp), int(cushion)

    def cushion(self, pool: PoolLike) -> int:
        return self.observe(pool)[2]

    def funding_for(self, b: DecimalLike) -> int:
        return int(self.call("fundingFor", to_wad(b, name="b")))

    def funding_left(self, pool: PoolKey) -> int:
        """The pool's cushion now: its balance plus its exact worst case on the Exchange."""
        worst, balance = self.exchange.contract.worstCase(pool.account)
        return int(worst) + int(balance)

    # ---- plumbing ----------------------------------------------------------------------------
    def _free_salt(self, creator: Any, root_id: int, branch_id: int, b: int, fee_bps: int) -> int:
        lo, hi = self.exchange.contract.bounds(root_id, branch_id)
        salt = 0
        while True:
            key = PoolKey(root_id, branch_id, int(lo), int(hi), b, fee_bps, address_of(creator), salt)
            if not self.call("poolExists", key.id):
                return salt
            salt += 1

    @staticmethod
    def _now() -> int:
        from ape import chain

        return int(chain.pending_timestamp) if hasattr(chain, "pending_timestamp") else int(time.time())


def _pool_id(pool: "PoolLike") -> bytes:
    return pool.id if isinstance(pool, PoolKey) else bytes(pool)
