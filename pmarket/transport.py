"""The transport under every pmarket client: sending, calling, error translation and merged ABIs.

Everything that talks to a deployed contract goes through :func:`transact` (a transaction from
``sender``) or :func:`call` (a view); a refusal arrives as the :mod:`pmarket.errors` class named
after the contract's custom error, with its values (:func:`translate`). The Exchange answers at one
address with the code of several contracts (:data:`EXCHANGE_PARTS`); :func:`merged_contract_type`
gives ape their one ABI.

The per-concern client modules (:mod:`pmarket.markets`, :mod:`pmarket.orders`, ...) depend on this
module and on :class:`ContractClient`, the little they need of a client, never on the
:class:`~pmarket.exchange.Exchange` facade that composes them.

ape is imported lazily, inside the functions that need a chain: importing this module is cheap.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional, Protocol

from . import errors
from .deployment import EXCHANGE_PARTS

if TYPE_CHECKING:  # pragma: no cover
    from .typed import Domain



class ContractClient(Protocol):
    """What the per-concern calls need of a client: its contract handle and collateral token, the
    EIP-712 domain and the collateral's decimals, and the two ways to reach the contract."""

    contract: Any
    token: Any

    @property
    def domain(self) -> Domain: ...

    @property
    def decimals(self) -> int: ...

    def transact(self, method: str, *args: Any, sender: Any) -> Any:
        """Send ``contract.method(*args)`` from ``sender``; a refusal raises the pmarket exception."""
        ...

    def call(self, method: str, *args: Any) -> Any:
        """Call view ``contract.method(*args)``; a refusal raises the pmarket exception."""
        ...


class Bound:
    """:meth:`transact` and :meth:`call` on ``self.contract``, for a client of one contract."""

    contract: Any

    def transact(self, method: str, *args: Any, sender: Any) -> Any:
        """Send ``contract.method(*args)`` from ``sender``; a refusal raises the pmarket exception."""
        return transact(self.contract, method, *args, sender=sender)

    def call(self, method: str, *args: Any) -> Any:
        """Call view ``contract.method(*args)``; a refusal raises the pmarket exception."""
        return call(self.contract, method, *args)


# ---- sending and calling ------------------------------------------------------------------------
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


def account_of(address: str) -> Any:
    """The ape account that sends for ``address`` (a test account or a loaded keyfile)."""
    from ape import accounts

    try:
        return accounts[address]
    except Exception as err:  # ape raises several types for an unknown account
        raise errors.PMarketError(f"no ape account for {address} to send from; pass sender=<account>") from err


def ape_project() -> Any:
    """ape's project of the current directory (the compiled pmarket contracts)."""
    from ape import project

    return project


# ---- refusals -----------------------------------------------------------------------------------
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
            assert hexdata is not None
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


def error_name(contract_type: Any, data: bytes) -> str:
    """The name of the custom error ABI-encoded in ``data`` (a logged revert reason), else its selector."""
    decoded = decode_custom_error(contract_type, data[:4].hex(), data[4:])
    return decoded[0] if decoded else "0x" + data[:4].hex()


# ---- merged ABIs --------------------------------------------------------------------------------
def merged_contract_type(project: Any) -> Any:
    """The Exchange's contract type with the ABIs of the other :data:`EXCHANGE_PARTS` added: the
    whole ABI of its address (each function, error and event once; no second constructor or
    fallback)."""
    core, *rest = (getattr(project, name).contract_type for name in EXCHANGE_PARTS)
    abi = list(core.abi)
    seen = {_abi_key(item) for item in abi}
    for part in rest:
        for item in part.abi:
            if item.type not in ("constructor", "fallback") and _abi_key(item) not in seen:
                seen.add(_abi_key(item))
                abi.append(item)
    return core.model_copy(update={"abi": abi})


def with_errors(core: Any, *others: Any) -> Any:
    """``core`` (a contract type) with the custom errors of ``others`` added: a refusal raised in a
    contract ``core`` calls comes back through it and decodes by name."""
    seen = {getattr(i, "selector", None) for i in core.abi if i.type == "error"}
    extra = []
    for other in others:
        for item in other.abi:
            if item.type == "error" and item.selector not in seen:
                seen.add(item.selector)
                extra.append(item)
    return core.model_copy(update={"abi": list(core.abi) + extra})


def exchange_at(project: Any, address: Any) -> Any:
    """The contract at ``address`` under the merged Exchange ABI (:func:`merged_contract_type`)."""
    from ape.contracts import ContractInstance

    return ContractInstance(str(address), contract_type=merged_contract_type(project))


def _abi_key(item: Any) -> tuple:
    return (item.type, getattr(item, "selector", None) or getattr(item, "name", None))
