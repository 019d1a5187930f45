"""The client over one pmarket deployment.

:class:`Exchange` composes the per-concern calls (:class:`~pmarket.markets.MarketsCalls`,
:class:`~pmarket.orders.OrdersCalls`, :class:`~pmarket.vault.VaultCalls`) the way the contract
composes its mixins. Every refusal surfaces as a :class:`pmarket.errors.ContractError` subclass named
after the contract's custom error, with its values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from . import errors
from .collateral import CollateralCalls
from .markets import MarketsCalls
from .matching import MatchingCalls
from .orders import OrdersCalls
from .settlement import SettlementCalls
from .typed import Domain
from .vault import VaultCalls

DEFAULT_MAX_BRANCHES = 32
DEFAULT_MAX_OPEN_ORDERS = 32
DEFAULT_MAX_ROOTS = 64


def translate(err: Exception, contract_type: Any = None) -> errors.PMarketError:
    """An ape contract-logic error as a pmarket exception (custom errors by name and values).

    ape decodes custom errors of transactions itself; a reverted ``eth_call`` arrives as the text
    ``custom error 0x<selector>: <data>``, decoded here against the contract's ABI. Anvil writes
    the data as its raw bytes when they are valid UTF-8 and in hex otherwise (a random bytes32,
    such as a pool id, usually is not).
    """
    from ape.exceptions import CustomError

    txn = getattr(err, "txn", None)
    if isinstance(err, CustomError):
        return errors.contract_error(err.name, dict(err.inputs), txn)
    message = getattr(err, "message", None) or str(err)
    raw = _RAW_CUSTOM_ERROR.match(message)
    hexdata = _HEX_REVERT.match(message)
    if contract_type is not None and (raw or hexdata):
        if raw:
            text = raw.group(2)
            selector = raw.group(1)
            data = bytes.fromhex(text) if _HEX_WORDS.fullmatch(text) else text.encode("latin-1")
        else:
            selector, data = hexdata.group(1), bytes.fromhex(hexdata.group(2))
        decoded = decode_custom_error(contract_type, selector, data)
        if decoded is not None:
            return errors.contract_error(*decoded, txn)
    return errors.ContractError("Revert", {"message": message}, txn)


_RAW_CUSTOM_ERROR = re.compile(r"custom error 0x([0-9a-fA-F]{8}): (.*)\Z", re.S)
_HEX_REVERT = re.compile(r"0x([0-9a-fA-F]{8})((?:[0-9a-fA-F]{64})*)\Z")
_HEX_WORDS = re.compile(r"(?:[0-9a-fA-F]{64})+")


def decode_custom_error(contract_type: Any, selector: str, data: bytes) -> Optional[tuple[str, dict[str, Any]]]:
    """``(name, values)`` of the custom error with 4-byte ``selector`` (hex) and ABI-encoded ``data``
    in ``contract_type``'s ABI, or None when the ABI has no such error."""
    from eth_abi import decode
    from eth_utils import keccak, to_checksum_address

    for abi in contract_type.errors:
        if keccak(text=abi.selector)[:4].hex() == selector.lower():
            types = [i.canonical_type for i in abi.inputs]
            values = [
                to_checksum_address(v) if t == "address" else v for t, v in zip(types, decode(types, data))
            ]
            return abi.name, {i.name: v for i, v in zip(abi.inputs, values)}
    return None


def merged_contract_type(project: Any) -> Any:
    """The Exchange's contract type with its modules' ABIs added: the whole ABI of the address
    (:data:`pmarket.deployment.EXCHANGE_PARTS`)."""
    from .deployment import EXCHANGE_PARTS

    core = getattr(project, EXCHANGE_PARTS[0]).contract_type
    abi = list(core.abi)
    seen = {_abi_key(item) for item in abi}
    for name in EXCHANGE_PARTS[1:]:
        for item in getattr(project, name).contract_type.abi:
            if item.type not in ("constructor", "fallback") and _abi_key(item) not in seen:
                seen.add(_abi_key(item))
                abi.append(item)
    return core.model_copy(update={"abi": abi})


def _abi_key(item: Any) -> tuple:
    return (item.type, getattr(item, "selector", None) or getattr(item, "name", None))


@dataclass
class Exchange(MarketsCalls, OrdersCalls, VaultCalls, CollateralCalls, MatchingCalls, SettlementCalls):
    """A deployed pmarket Exchange and its collateral token."""

    contract: Any
    token: Any
    #: Block of the deployment, when known (the ledger is read from here on).
    start_block: int = 0
    #: Hash of the deployment transaction, when this client deployed it.
    deploy_tx: Optional[str] = None

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def deploy(
        cls,
        deployer: Any,
        *,
        collateral: Any = None,
        max_branches: int = DEFAULT_MAX_BRANCHES,
        max_open_orders: int = DEFAULT_MAX_OPEN_ORDERS,
        max_roots: int = DEFAULT_MAX_ROOTS,
        project: Any = None,
    ) -> "Exchange":
        """Deploy an Exchange; without ``collateral``, a fresh 6-decimal TestToken serves as one."""
        project = project or _ape_project()
        if collateral is None:
            collateral = project.TestToken.deploy("pmarket test dollar", "pUSD", 6, sender=deployer)
        elif isinstance(collateral, str):
            collateral = project.TestToken.at(collateral)
        from ape import chain
        from ape.exceptions import ContractLogicError

        from .deployment import deploy_exchange

        sent: list[Any] = []

        def step(name: str, kind: str, args: tuple[Any, ...]) -> str:
            sent.append(getattr(project, kind).deploy(*args, sender=deployer))
            return str(sent[-1].address)

        try:
            parts = deploy_exchange(step, str(collateral.address), max_branches, max_open_orders, max_roots)
        except ContractLogicError as err:
            raise translate(err, merged_contract_type(project)) from err
        contract = sent[-1]
        block = chain.get_receipt(contract.txn_hash).block_number
        return cls(_whole(project, parts.exchange), collateral, start_block=block, deploy_tx=contract.txn_hash)

    @classmethod
    def at(cls, address: str, *, project: Any = None) -> "Exchange":
        """Attach to a deployed Exchange (its collateral is read from the contract)."""
        project = project or _ape_project()
        contract = _whole(project, address)
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
        contract_type = maker_contract_type(_ape_project())
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

    def node(self) -> Any:
        """An independent node rebuilt from this deployment's events (a ``Replay``: ``.node`` holds
        the state, ``.discrepancies`` whatever the node refused); ``replay.node.worst_case(trader)``
        is the node's answer to :meth:`worst_case`."""
        from .node.replay import node_from_chain

        return node_from_chain(self)

    # ---- plumbing ----------------------------------------------------------------------------
    def _transact(self, method: str, *args: Any, sender: Any) -> Any:
        return transact(self.contract, method, *args, sender=sender)

    def _call(self, method: str, *args: Any) -> Any:
        return call(self.contract, method, *args)

    @staticmethod
    def _account_of(address: str) -> Any:
        from ape import accounts

        try:
            return accounts[address]
        except Exception as err:  # ape raises several types for an unknown account
            raise errors.PMarketError(
                f"no ape account for {address} to send from; pass relayer=<account>"
            ) from err


def transact(contract: Any, method: str, *args: Any, sender: Any) -> Any:
    """Send ``contract.method(*args)`` from ``sender``; a refusal raises the pmarket exception."""
    from ape.exceptions import ContractLogicError

    try:
        return getattr(contract, method)(*args, sender=sender)
    except ContractLogicError as err:
        raise translate(err, contract.contract_type) from err


def call(contract: Any, method: str, *args: Any) -> Any:
    """Call view ``contract.method(*args)``; a refusal raises the pmarket exception."""
    from ape.exceptions import ContractLogicError

    try:
        return getattr(contract, method)(*args)
    except ContractLogicError as err:
        raise translate(err, contract.contract_type) from err


def _whole(project: Any, address: Any) -> Any:
    """The contract at ``address`` under the merged ABI of the Exchange and its modules."""
    from ape.contracts import ContractInstance

    return ContractInstance(str(address), contract_type=merged_contract_type(project))


def _ape_project() -> Any:
    from ape import project

    return project


def deployed(record_path: Optional[str] = None, *, project: Any = None) -> Exchange:
    """Attach to the deployment recorded for the connected chain (see :mod:`pmarket.deployment`)."""
    from ape import chain

    from .deployment import load_record

    record = load_record(chain.chain_id, path=record_path)
    exchange = Exchange.at(record.exchange, project=project)
    exchange.start_block = record.block
    return exchange
