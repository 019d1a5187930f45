"""Where a scenario runs: the independent node (off-chain) or a deployment on a chain.

Both backends take the same signed orders and raise :class:`pmarket.errors.ContractError` named
after the contract's error; the runner records the names and compares the states they report.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol, Sequence

from .. import errors
from ..collateral import Position
from ..lmsr.pool import Side
from ..lmsr.pool import prices as lmsr_prices
from ..maker import PoolKey
from ..markets import Bounds
from ..matching import MatchRequest
from ..node import Node, NodeConfig
from ..orders import SignedOrder
from ..typed import Domain
from ..wad import to_wad
from .node_artifacts import NodeArtifacts, offchain_address

#: Collateral decimals of the scenario's test token (like USDC).
TOKEN_DECIMALS = 6

#: The offchain node's domain and the Maker of its simulated deployment.
OFFCHAIN_DOMAIN = Domain(chain_id=31337, verifying_contract=offchain_address("pmarket.offchain.Exchange"))
OFFCHAIN_MAKER = offchain_address("pmarket.offchain.Maker")


class Backend(Protocol):
    domain: Domain

    def define(self, who: str, root: int, branch: int, lo: int, hi: int) -> None: ...
    def settle(self, who: str, root: int, outcome: int) -> None: ...
    def deposit(self, who: str, amount: str) -> None: ...
    def withdraw(self, who: str, amount: int) -> None: ...
    def chain_head(self, who: str) -> bytes: ...
    def place(self, who: str, signed: SignedOrder) -> None: ...
    def match(self, request: MatchRequest) -> None: ...
    def batch(self, requests: Sequence[MatchRequest]) -> list[tuple[int, str]]: ...
    def cancel(self, who: str, target: SignedOrder, offset: SignedOrder) -> None: ...
    def reduce(self, who: str, target: SignedOrder, reduction: SignedOrder) -> None: ...
    def claim(self, who: str, root: int) -> None: ...
    def claim_many(self, who: str, root: int, traders: Sequence[str]) -> list[tuple[str, str]]: ...
    # views
    def balance(self, who: str) -> int: ...
    def worst(self, who: str) -> int: ...
    def position(self, who: str, root: int, branch: int) -> Position: ...
    def remaining(self, signed: SignedOrder) -> int: ...
    def bounds(self, root: int, branch: int) -> Optional[Bounds]: ...
    def pot(self, root: int) -> int: ...
    def set_frozen(self, who: str, root: int, frozen: bool) -> None: ...
    def create_pool(self, who: str, key: PoolKey) -> None: ...
    def pool_trade(self, who: str, key: PoolKey, side: Side, shares: int, limit: int, buying: bool) -> None: ...
    def pool_fill(self, who: str, key: PoolKey, signed: SignedOrder, quantity: int) -> None: ...
    def close_pool(self, who: str, key: PoolKey) -> None: ...
    def claim_pool(self, who: str, key: PoolKey) -> None: ...
    def pool_state(self, key: PoolKey) -> Optional[tuple[int, int, bool]]: ...
    def prices(self, key: PoolKey) -> tuple[int, int]: ...


class NodeBackend(NodeArtifacts):
    """The scenario on :class:`pmarket.node.Node` alone (with the artifact registry's node)."""

    def __init__(self, domain: Domain = OFFCHAIN_DOMAIN, **config: Any) -> None:
        self.domain = domain
        config.setdefault("maker", OFFCHAIN_MAKER)
        self.node = Node(
            NodeConfig(chain_id=domain.chain_id, verifying_contract=domain.verifying_contract, decimals=TOKEN_DECIMALS, **config)
        )
        self._init_artifacts()

    def define(self, who: str, root: int, branch: int, lo: int, hi: int) -> None:
        self.node.define(who, root, branch, lo, hi)

    def settle(self, who: str, root: int, outcome: int) -> None:
        self.node.settle(who, root, outcome)

    def deposit(self, who: str, amount: str) -> None:
        self.node.deposit(who, to_wad(amount, name="amount", decimals=TOKEN_DECIMALS))

    def withdraw(self, who: str, amount: int) -> None:
        self.node.withdraw(who, amount)

    def chain_head(self, who: str) -> bytes:
        return self.node.chain_head(who)

    def place(self, who: str, signed: SignedOrder) -> None:
        self.node.place(signed.order, signed.signature)

    def match(self, request: MatchRequest) -> None:
        self.node.match(request)

    def batch(self, requests: Sequence[MatchRequest]) -> list[tuple[int, str]]:
        skipped = []
        for i, request in enumerate(requests):
            try:
                self.match(request)
            except errors.ContractError as err:
                skipped.append((i, err.name))
        return skipped

    def cancel(self, who: str, target: SignedOrder, offset: SignedOrder) -> None:
        self.node.cancel(target.order, offset.order, offset.signature)

    def reduce(self, who: str, target: SignedOrder, reduction: SignedOrder) -> None:
        self.node.reduce(target.order, reduction.order, reduction.signature)

    def claim(self, who: str, root: int) -> None:
        self.node.claim(who, root)

    def claim_many(self, who: str, root: int, traders: Sequence[str]) -> list[tuple[str, str]]:
        return self.node.claim_many(root, list(traders))[1]

    def balance(self, who: str) -> int:
        return self.node.balance(who)

    def worst(self, who: str) -> int:
        return self.node.worst_case(who)[0]

    def position(self, who: str, root: int, branch: int) -> Position:
        return self.node.position(who, root, branch)

    def remaining(self, signed: SignedOrder) -> int:
        rec = self.node.s.book.get(signed.hash)
        return rec.remaining if rec is not None else 0

    def bounds(self, root: int, branch: int) -> Optional[Bounds]:
        return self.node.bounds(root, branch) if self.node.s.registry.exists(root, branch) else None

    def pot(self, root: int) -> int:
        return self.node.s.pots.get(root, 0)

    # ---- freezes and the maker ---------------------------------------------------------------
    def set_frozen(self, who: str, root: int, frozen: bool) -> None:
        self.node.set_frozen(who, root, frozen)

    def create_pool(self, who: str, key: PoolKey) -> None:
        self.node.create_pool(who, key.root_id, key.branch_id, key.b, key.fee_bps, key.salt)

    def pool_trade(self, who: str, key: PoolKey, side: Side, shares: int, limit: int, buying: bool) -> None:
        self.node.pool_trade(who, key, side, shares, limit, buying=buying)

    def pool_fill(self, who: str, key: PoolKey, signed: SignedOrder, quantity: int) -> None:
        self.node.pool_fill(key, signed.order, quantity)

    def close_pool(self, who: str, key: PoolKey) -> None:
        self.node.close_pool(who, key)

    def claim_pool(self, who: str, key: PoolKey) -> None:
        self.node.claim_pool(key)

    def pool_state(self, key: PoolKey) -> Optional[tuple[int, int, bool]]:
        pool = self.node.s.pools.get(key.id)
        return None if pool is None else (pool.q_long, pool.q_short, pool.open)

    def prices(self, key: PoolKey) -> tuple[int, int]:
        pool = self.node.s.pools[key.id]
        return lmsr_prices(key.terms, pool.q_long, pool.q_short)
