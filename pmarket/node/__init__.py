"""The independent node: pmarket's rules in Python on the same integers as the contracts.

A :class:`Node` runs standalone (every entry point of the Exchange as a method that applies the
change or raises the contract's error, by name and with its values) or rebuilds a deployment from
its events (:mod:`pmarket.node.replay`), verifying every signature and chain link itself. Each
concern sits in the module named after its contract: ``orders``, ``vault``, ``collateral``,
``matching``, ``amendments``, ``settlement``, ``maker`` (``tracked``: artifact pools), ``managed``
(artifact markets: ``ManagedRoots``); the artifact registry and bounties are :mod:`pmarket.node.artifacts`; markets reuse :class:`pmarket.markets.MarketRegistry`.
"""

from __future__ import annotations

from typing import Optional

from .. import errors
from ..markets import Bounds, MarketRegistry
from .amendments import AmendmentsRules
from .collateral import CollateralRules
from .maker import MakerRules
from .managed import ManagedRootsRules
from .matching import MatchingRules
from .orders import OrdersRules
from .settlement import SettlementRules
from .state import NodeConfig, State, addr
from .tracked import TrackedPoolRules
from .vault import VaultRules
from .verify import Erc1271

__all__ = ["Node", "NodeConfig"]


class Node(
    OrdersRules, VaultRules, CollateralRules, MatchingRules, AmendmentsRules, SettlementRules, MakerRules,
    ManagedRootsRules, TrackedPoolRules,
):
    """An Exchange's whole state and rules, off-chain."""

    def __init__(self, config: NodeConfig = NodeConfig(), *, erc1271: Optional[Erc1271] = None) -> None:
        self.s = State(config=config, registry=MarketRegistry(max_branches=config.max_branches))
        self.erc1271 = erc1271

    # ---- markets ------------------------------------------------------------------------------
    def define(self, definer: str, root_id: int, branch_id: int, lo: int, hi: int) -> Bounds:
        return self.s.registry.define(addr(definer), root_id, branch_id, lo, hi)

    def settle(self, caller: str, root_id: int, outcome: int) -> Bounds:
        if root_id not in self.s.registry.roots:
            raise errors.fail("UnknownMarket", rootId=root_id, branchId=1)
        return self.define(caller, root_id, 1, outcome, outcome)

    def bounds(self, root_id: int, branch_id: int) -> Bounds:
        return self.s.registry.bounds(root_id, branch_id)

    def set_oracle(self, caller: str, root_id: int, oracle: str, authorized: bool = True) -> None:
        self.s.registry.set_oracle(addr(caller), root_id, addr(oracle), authorized)

    def set_frozen(self, caller: str, root_id: int, frozen: bool = True) -> None:
        self.s.registry.set_frozen(addr(caller), root_id, frozen)
