"""The transport for bulk runs: signed raw transactions from local keys, over one JSON-RPC connection.

:mod:`pmarket.transport` sends through ape (accounts, prompts, receipts with decoded events): a
deposit took 41.2 ms there against 2.5 ms here (Anvil, measured). The scenario runner's chain
backend sends thousands of transactions per test run, so it uses this transport instead: the same ABIs (ape contract types, the Exchange's
merged by :func:`pmarket.transport.merged_contract_type`), the same error translation
(:func:`pmarket.transport.decode_custom_error` into :mod:`pmarket.errors`), but each transaction
built and signed locally and sent with ``eth_sendRawTransactionSync`` (EIP-7966: the node answers
with the receipt, one round trip). A refused transaction is replayed as an ``eth_call`` on its
parent block to read the contract's error, by name and with its values.

Only for nodes that mine on arrival (Anvil): the nonce is tracked locally and the gas price fixed at
start. Users' scripts use :mod:`pmarket.transport` (through :class:`pmarket.exchange.Exchange`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.client import HTTPConnection
from typing import Any, Mapping, Optional
from urllib.parse import urlparse

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from . import errors
from .transport import decode_custom_error

#: Gas limit of every transaction (Anvil refunds what is not used).
GAS = 15_000_000


class RpcError(Exception):
    """A JSON-RPC error reply: its message and its ``data`` (a revert's return data)."""

    def __init__(self, error: Mapping[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.data = error.get("data")


@dataclass(frozen=True)
class Handle:
    """A deployed contract as this transport sees it: its address and its ape contract type."""

    address: str
    contract_type: Any

    def _function(self, name: str, nargs: int) -> Any:
        for item in self.contract_type.abi:
            if item.type == "function" and item.name == name and len(item.inputs) == nargs:
                return item
        raise AttributeError(f"{self.contract_type.name} has no function {name} with {nargs} arguments")

    def calldata(self, name: str, *args: Any) -> str:
        """ABI-encoded call of ``name(*args)``."""
        fn = self._function(name, len(args))
        types = [i.canonical_type for i in fn.inputs]
        return "0x" + (keccak(text=fn.selector)[:4] + encode(types, list(args))).hex()

    def outputs(self, name: str, nargs: int, data: bytes) -> Any:
        """The decoded outputs of ``name``: one value, or a tuple of several."""
        values = decode([o.canonical_type for o in self._function(name, nargs).outputs], data)
        return values if len(values) != 1 else values[0]

    def logs(self, receipt: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
        """The arguments of every ``name`` event this contract logged in ``receipt``, by name."""
        event = next(e for e in self.contract_type.events if e.name == name)
        topic = "0x" + keccak(text=event.selector).hex()
        found = []
        for log in receipt["logs"]:
            if to_checksum_address(log["address"]) != self.address or log["topics"][0] != topic:
                continue
            indexed = [i for i in event.inputs if i.indexed]
            plain = [i for i in event.inputs if not i.indexed]
            values = {
                i.name: decode([i.canonical_type], bytes.fromhex(t[2:]))[0] for i, t in zip(indexed, log["topics"][1:])
            }
            data = decode([i.canonical_type for i in plain], bytes.fromhex(log["data"][2:]))
            values.update({i.name: v for i, v in zip(plain, data)})
            found.append(values)
        return found


class RawTransport:
    """Transactions signed with ``keys`` (address -> eth-account key) and sent raw to
    ``endpoint_uri``; refusals raised as the :mod:`pmarket.errors` class named after the error in
    ``error_type`` (a contract type holding every error the contracts may raise)."""

    def __init__(self, endpoint_uri: str, keys: Mapping[str, Any], error_type: Any) -> None:
        url = urlparse(endpoint_uri)
        self._http, self._path = HTTPConnection(url.hostname, url.port, timeout=60), url.path or "/"
        self.keys = dict(keys)
        self.error_type = error_type
        self.chain_id = _int(self.rpc("eth_chainId", []))
        # Twice the base fee, not twice eth_gasPrice: Anvil suggests the price of recent transactions,
        # so a suggestion doubled by every run would compound over a long test session.
        base_fee = _int(self.rpc("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"])
        self.gas_price = 2 * base_fee + 10**9
        self._nonces: dict[str, int] = {}

    def rpc(self, method: str, params: list) -> Any:
        """One JSON-RPC request over the kept-alive connection; the result, or :class:`RpcError`."""
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        self._http.request("POST", self._path, body, {"Content-Type": "application/json"})
        reply = json.loads(self._http.getresponse().read())
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]

    def deploy(self, contract_type: Any, *args: Any, sender: str) -> Handle:
        """Deploy ``contract_type`` with constructor ``args`` from ``sender``."""
        ctor = next((i for i in contract_type.abi if i.type == "constructor"), None)
        types = [i.canonical_type for i in ctor.inputs] if ctor is not None else []
        code = bytes.fromhex(contract_type.deployment_bytecode.bytecode[2:])
        receipt = self._send(None, "0x" + (code + encode(types, list(args))).hex(), sender)
        return Handle(to_checksum_address(receipt["contractAddress"]), contract_type)

    def transact(self, handle: Handle, method: str, *args: Any, sender: str) -> dict[str, Any]:
        """Send ``handle.method(*args)`` from ``sender``; the receipt, or the contract's error."""
        return self._send(handle.address, handle.calldata(method, *args), sender)

    def call(self, handle: Handle, method: str, *args: Any) -> Any:
        """Call view ``handle.method(*args)`` on the latest block; a refusal raises its error."""
        request = {"to": handle.address, "data": handle.calldata(method, *args)}
        try:
            result = self.rpc("eth_call", [request, "latest"])
        except RpcError as err:
            raise self._error(err.data) from None
        return handle.outputs(method, len(args), bytes.fromhex(result[2:]))

    def _send(self, to: Optional[str], data: str, sender: str) -> dict[str, Any]:
        nonce = self._nonces.get(sender)
        if nonce is None:
            nonce = _int(self.rpc("eth_getTransactionCount", [sender, "latest"]))
        self._nonces[sender] = nonce + 1
        tx = {"data": data, "gas": GAS, "gasPrice": self.gas_price, "nonce": nonce, "chainId": self.chain_id, "value": 0}
        if to:
            tx["to"] = to
        signed = self.keys[sender].sign_transaction(tx)
        raw = getattr(signed, "raw_transaction", None) or signed.rawTransaction
        receipt = self.rpc("eth_sendRawTransactionSync", ["0x" + bytes(raw).hex()])
        if _int(receipt["status"]) == 1:
            return receipt
        # Refused: replay it as a call on the state it ran against, to read the error by name.
        call = {"from": sender, "data": data, "gas": hex(GAS), **({"to": to} if to else {})}
        try:
            self.rpc("eth_call", [call, hex(_int(receipt["blockNumber"]) - 1)])
        except RpcError as err:
            raise self._error(err.data) from None
        raise errors.ContractError("Revert", {})

    def _error(self, data: Any) -> errors.ContractError:
        """The contract's custom error, decoded against ``error_type`` (name and values)."""
        raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
        decoded = decode_custom_error(self.error_type, raw[:4].hex(), raw[4:]) if len(raw) >= 4 else None
        return errors.contract_error(*decoded) if decoded else errors.ContractError("Revert", {"data": "0x" + raw.hex()})


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)
