"""The node's state: everything the contracts store, as plain Python data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from eth_utils import to_checksum_address

from ..collateral import Position
from ..lifecycle import FlagTerms
from ..maker import PoolKey
from ..markets import MarketRegistry
from ..orders import Order, TradeType


@dataclass
class Record:
    """The book's record of one order hash (``Orders.OrderRecord``)."""

    trade_type: TradeType
    is_matched: bool
    remaining: int = 0
    slot: int = 0
    seq: int = 0


@dataclass
class RootAccount:
    """A trader's state in one root (``Collateral.RootAccount``): branches they are in, open-order
    slots (slot -> order hash), and whether the root is in their list or claimed."""

    branches: set[int] = field(default_factory=set)
    slots: dict[int, bytes] = field(default_factory=dict)
    listed: bool = False
    claimed: bool = False


@dataclass
class Pool:
    """A maker pool (``Maker.Pool`` and its key): outstanding shares per side in forward units, and
    whether it still trades."""

    key: PoolKey
    q_long: int = 0
    q_short: int = 0
    open: bool = True
    #: A tracked pool (an artifact's): its log-odds accumulator (wad seconds), when it was last
    #: brought up to date, and its cushion (fees not yet given up by closes), as ``Maker.Track``.
    tracked: bool = False
    cumulative: int = 0
    updated: int = 0
    cushion: int = 0
    #: Its price range (``TrackedPools.Range``), in log-odds units of 1e-9.
    range: Optional["PriceRange"] = None
    #: Each trader's credit: what is left of the fees they paid (wad); the cushion is their sum.
    credits: dict[str, int] = field(default_factory=dict)


@dataclass
class PriceRange:
    """A tracked pool's lowest and highest log-odds ``d / b`` (units of 1e-9, rounded outwards,
    capped at +-100) since ``start`` and over the period before it, and the period (seconds):
    ``TrackedPools.Range``."""

    start: int
    period: int
    low: int
    high: int
    prev_low: int
    prev_high: int


@dataclass(frozen=True)
class NodeConfig:
    """A deployment's constants: the node must run with the chain's values."""

    chain_id: int = 31337
    verifying_contract: str = "0x0000000000000000000000000000000000000000"
    decimals: int = 6
    max_branches: int = 32
    max_open_orders: int = 32
    max_roots: int = 64
    #: The Maker's address (it claims a pool's account in ``claimPool``).
    maker: str = "0x0000000000000000000000000000000000000000"


@dataclass
class State:
    """Everything an Exchange stores, keyed as the contracts key it (addresses checksummed)."""

    config: NodeConfig
    registry: MarketRegistry
    book: dict[bytes, Record] = field(default_factory=dict)
    #: Full orders by hash (the chain keeps them in calldata and events).
    orders: dict[bytes, Order] = field(default_factory=dict)
    heads: dict[str, bytes] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    accounts: dict[tuple[str, int], RootAccount] = field(default_factory=dict)
    positions: dict[tuple[str, int, int], Position] = field(default_factory=dict)
    roots_of: dict[str, list[int]] = field(default_factory=dict)
    pots: dict[int, int] = field(default_factory=dict)
    order_count: dict[int, int] = field(default_factory=dict)
    #: Maker pools by id.
    pools: dict[bytes, Pool] = field(default_factory=dict)
    #: Managed roots closed at the flagged terms: their terms.
    flag_terms: dict[int, FlagTerms] = field(default_factory=dict)
    #: Collateral token units the vault holds.
    vault_tokens: int = 0
    #: Block time used for expiries (seconds); None = no expiry check is possible.
    now: Optional[int] = None
    #: Each signer's next nonce for signed definitions (``Nonces``; ``defineMarketBySig``).
    nonces: dict[str, int] = field(default_factory=dict)

    def account(self, trader: str, root_id: int) -> RootAccount:
        return self.accounts.get((trader, root_id)) or RootAccount()


#: The zero address, as :func:`addr` writes it.
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def addr(account: object) -> str:
    """An address as the node keys and compares it (checksummed): the node's one normaliser.
    Accepts ape accounts, contract instances, and hex strings in any case."""
    return to_checksum_address(str(getattr(account, "address", account)))
