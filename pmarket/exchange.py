"""The client over one pmarket deployment.

:class:`Exchange` composes the per-concern calls (:class:`~pmarket.markets.MarketsCalls`,
:class:`~pmarket.orders.OrdersCalls`, :class:`~pmarket.vault.VaultCalls`) the way the contract
composes its mixins. Every refusal surfaces as a :class:`pmarket.errors.ContractError` subclass named
after the contract's custom error, with its values.

The facade holds only construction and the deployment's facts; the calls live in the concern
modules, which reach the chain through :mod:`pmarket.transport` (``transact``, ``call``, the merged
ABI) and know the facade only as a :class:`~pmarket.transport.ContractClient`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .collateral import CollateralCalls
from .markets import MarketsCalls
from .matching import MatchingCalls
from .orders import OrdersCalls
from .settlement import SettlementCalls
from .transport import Bound, ape_project, exchange_at, merged_contract_type, translate
from .typed import Domain
from .vault import VaultCalls

# Re-exported for scripts/deploy.py, which imports ``translate`` from here.
__all__ = ["Exchange", "deployed", "translate", "DEFAULT_MAX_BRANCHES", "DEFAULT_MAX_OPEN_ORDERS", "DEFAULT_MAX_ROOTS"]

DEFAULT_MAX_BRANCHES = 32
DEFAULT_MAX_OPEN_ORDERS = 32
DEFAULT_MAX_ROOTS = 64


@dataclass
class Exchange(Bound, MarketsCalls, OrdersCalls, VaultCalls, CollateralCalls, MatchingCalls, SettlementCalls):
    """A deployed pmarket Exchange and its collateral token."""

    contract: Any
    token: Any
    #: Block of the deployment, when known (the ledger is read from here on).
    start_block: int = 0
    #: Hash of the deployment transaction, when this client deployed it.
    deploy_tx: Optional[str] = None
    #: A synced ledger index ``(Ledger, deployment id)`` (:meth:`use_index`): :meth:`node` and the
    #: maker's :meth:`~pmarket.maker.Maker.pools` read it instead of the logs.
    index: Optional[tuple[Any, int]] = None

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def deploy(
        cls,
        *,
        sender: Any,
        collateral: Any = None,
        max_branches: int = DEFAULT_MAX_BRANCHES,
        max_open_orders: int = DEFAULT_MAX_OPEN_ORDERS,
        max_roots: int = DEFAULT_MAX_ROOTS,
        project: Any = None,
    ) -> "Exchange":
        """Deploy an Exchange from ``sender``; without ``collateral``, a fresh 6-decimal TestToken serves as one."""
        project = project or ape_project()
        if collateral is None:
            collateral = project.TestToken.deploy("pmarket test dollar", "pUSD", 6, sender=sender)
        elif isinstance(collateral, str):
            collateral = project.TestToken.at(collateral)
        from ape import chain
        from ape.exceptions import ContractLogicError

        from .deployment import deploy_exchange

        sent: list[Any] = []

        def step(name: str, kind: str, args: tuple[Any, ...]) -> str:
            sent.append(getattr(project, kind).deploy(*args, sender=sender))
            return str(sent[-1].address)

        try:
            parts = deploy_exchange(step, str(collateral.address), max_branches, max_open_orders, max_roots)
        except ContractLogicError as err:
            raise translate(err, merged_contract_type(project)) from err
        contract = sent[-1]
        block = chain.get_receipt(contract.txn_hash).block_number
        return cls(exchange_at(project, parts.exchange), collateral, start_block=block, deploy_tx=contract.txn_hash)

    @classmethod
    def at(cls, address: str, *, project: Any = None) -> "Exchange":
        """Attach to a deployed Exchange (its collateral is read from the contract)."""
        project = project or ape_project()
        contract = exchange_at(project, address)
        return cls(contract, project.TestToken.at(contract.collateral()))

    # ---- facts -------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        return str(self.contract.address)

    @property
    def maker(self) -> Any:
        """The deployment's LMSR maker (:class:`pmarket.maker.Maker`); None without one."""
        from ape.contracts import ContractInstance

        from .maker import Maker, maker_contract_type

        cached = getattr(self, "_maker", None)
        if cached is not None:  # the maker is an immutable of the Exchange
            return cached
        address = str(self.contract.maker())
        if int(address, 16) == 0:
            return None
        contract_type = maker_contract_type(ape_project())
        # ape decodes a reverted transaction by the ABI it caches for its target: with the
        # Exchange's errors in it, a refusal raised inside the Exchange decodes at once instead of
        # after a trace of the whole transaction (seconds).
        from ape import chain

        chain.contracts.cache_contract_type(address, contract_type)
        cached = Maker(ContractInstance(address, contract_type=contract_type), self)
        object.__setattr__(self, "_maker", cached)
        return cached

    @property
    def domain(self) -> Domain:
        """The EIP-712 domain orders and definitions for this deployment are signed under."""
        from ape import chain

        return Domain(chain_id=chain.chain_id, verifying_contract=self.address)

    @property
    def decimals(self) -> int:
        return int(self.token.decimals())

    def events(self, to_block: Optional[int] = None) -> list[Any]:
        """Every event of the Exchange and its Maker since deployment, in chain order: the ledger."""
        from ape import chain

        stop = chain.blocks.head.number if to_block is None else to_block
        logs: list[Any] = []
        maker = self.maker
        contracts = [self.contract] + ([maker.contract] if maker is not None else [])
        for contract in contracts:
            for abi in contract.contract_type.events:
                logs += list(getattr(contract, abi.name).range(self.start_block, stop + 1))
        return sorted(logs, key=lambda log: (log.block_number, log.transaction_index, log.log_index))

    def use_index(self, ledger: Any, deployment: int) -> None:
        """Serve :meth:`node` and the maker's pool list from a synced :class:`pmarket.ledger.Ledger`
        (deployment id ``deployment``) instead of reading every log over RPC. The index holds what
        its last sync wrote (a confirmation depth behind the head): sync before asking."""
        self.index = (ledger, deployment)

    def node(self) -> Any:
        """An independent node rebuilt from this deployment's events (a ``Replay``: ``.node`` holds
        the state, ``.discrepancies`` whatever the node refused); ``replay.node.worst_case(trader)``
        is the node's answer to :meth:`worst_case`. With an index (:meth:`use_index`), from its events."""
        from .node.replay import node_from_chain

        if self.index is not None:
            from .ledger.state import replay_index

            return replay_index(*self.index)
        return node_from_chain(self)


def deployed(record_path: Optional[str] = None, *, project: Any = None) -> Exchange:
    """Attach to the deployment recorded for the connected chain (see :mod:`pmarket.deployment`)."""
    from ape import chain

    from .deployment import load_record

    record = load_record(chain.chain_id, path=record_path)
    exchange = Exchange.at(record.exchange, project=project)
    exchange.start_block = record.block
    return exchange
