"""The scenario as signed transactions on a chain: a fresh deployment, one transaction per action.

:func:`fresh_anvil` starts a new Anvil through ape-foundry for the command line; tests reuse the
Anvil they run on. Test account 0 (the scenario's ``admin``) deploys and relays matches; traders
are test accounts 1, 2, ... and send their own orders, deposits, withdrawals and claims. Every
transaction is signed locally with the account's key and sent raw (``eth_sendRawTransactionSync``:
one round trip); a refused one is mined reverted and replayed as an ``eth_call`` on its parent
block to read the contract's error, by name and with its values, so the report holds exactly what
the chain said. web3 is used directly (through ape's provider)
because hundreds of scenarios must run within the test suite's time.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from eth_utils import keccak, to_checksum_address

from .. import errors
from ..collateral import Position
from ..exchange import DEFAULT_MAX_BRANCHES, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_ROOTS
from ..transport import merged_contract_type
from ..lmsr.pool import Side
from ..deployment import deploy_exchange
from ..maker import PoolKey, maker_contract_type
from ..markets import Bounds
from ..matching import MatchRequest
from ..orders import SignedOrder
from ..typed import Domain
from .backends import TOKEN_DECIMALS
from .chain_artifacts import ChainArtifacts
from .runner import test_key

#: Tokens each trader receives (and approves) before the first action, in whole units.
FUNDING = 10**12
GAS = 15_000_000


@contextmanager
def fresh_anvil(network: str = "ethereum:local:foundry") -> Iterator[None]:
    """Run the body on a new Anvil process (stopped afterwards)."""
    from ape import networks

    with networks.parse_network_choice(network):
        yield


def pmarket_project() -> Any:
    """The pmarket ape project (compiled contracts), wherever the command runs from."""
    import ape

    try:
        if "Exchange" in ape.project.contracts:
            return ape.project
    except Exception:  # no project in the working directory
        pass
    return ape.Project(Path(__file__).resolve().parents[2])


class ChainBackend(ChainArtifacts):
    """A fresh Exchange on the connected chain, driven by signed raw transactions."""

    def __init__(self, traders: Sequence[str], project: Any = None, **config: Any) -> None:
        from ape import chain

        project = project or pmarket_project()
        self.w3 = chain.provider.web3  # an Anvil (ape-foundry): the backend funds its accounts
        from http.client import HTTPConnection
        from urllib.parse import urlparse

        url = urlparse(self.w3.provider.endpoint_uri)
        self.http, self.path = HTTPConnection(url.hostname, url.port, timeout=60), url.path or "/"
        self.chain_id = self.w3.eth.chain_id
        # Twice the base fee, not twice eth_gasPrice: Anvil suggests the price of recent transactions,
        # so a suggestion doubled by every backend would compound over a long test run.
        base_fee = _int(self._rpc("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"])
        self.gas_price = 2 * base_fee + 10**9
        self.nonces: dict[str, int] = {}
        self.keys = {k.address: k for k in (test_key(i) for i in range(len(traders) + 1))}
        for address in self.keys:  # gas money for every scenario, however many ran before
            self._rpc("anvil_setBalance", [address, hex(10**24)])
        self.admin = test_key(0).address
        token_type, exchange_type = project.TestToken.contract_type, merged_contract_type(project)
        maker_type = maker_contract_type(project)
        self.contract_type = maker_type  # its errors: the Maker's and the Exchange's
        self.errors_by_selector = {keccak(text=e.selector)[:4]: e.name for e in maker_type.errors}
        self.token = self._deploy(token_type, "pmarket scenario dollar", "sUSD", TOKEN_DECIMALS)
        args = (
            self.token.address,
            config.get("max_branches", DEFAULT_MAX_BRANCHES),
            config.get("max_open_orders", DEFAULT_MAX_OPEN_ORDERS),
            config.get("max_roots", DEFAULT_MAX_ROOTS),
        )
        parts = deploy_exchange(
            lambda name, kind, ctor: str(self._deploy(getattr(project, kind).contract_type, *ctor).address), *args
        )
        abi = [item.model_dump(mode="json", by_alias=True) for item in exchange_type.abi]
        self.ex = self.w3.eth.contract(address=to_checksum_address(parts.exchange), abi=abi)
        self.maker = self.w3.eth.contract(
            address=self.ex.functions.maker().call(),
            abi=[item.model_dump(mode="json", by_alias=True) for item in maker_type.abi],
        )
        self.domain = Domain(chain_id=self.w3.eth.chain_id, verifying_contract=self.ex.address)
        self._deploy_artifacts(project)
        units = FUNDING * 10**TOKEN_DECIMALS
        for address in list(self.keys)[1:]:
            self._send(self.token.functions.mint(address, units), address)
            self._send(self.token.functions.approve(self.ex.address, units), address)

    # ---- plumbing ----------------------------------------------------------------------------
    def _deploy(self, contract_type: Any, *args: Any) -> Any:
        abi = [item.model_dump(mode="json", by_alias=True) for item in contract_type.abi]
        from eth_abi import encode

        ctor = next(i for i in abi if i["type"] == "constructor")
        code = bytes.fromhex(contract_type.deployment_bytecode.bytecode[2:])
        data = "0x" + (code + encode([_canonical(i) for i in ctor["inputs"]], list(args))).hex()
        receipt = self._send_data(None, data, self.admin)
        return self.w3.eth.contract(address=to_checksum_address(receipt["contractAddress"]), abi=abi)

    def _rpc(self, method: str, params: list) -> Any:
        """One JSON-RPC request over a kept-alive connection; the result, or ``_RpcError``."""
        import json

        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        self.http.request("POST", self.path, body, {"Content-Type": "application/json"})
        reply = json.loads(self.http.getresponse().read())
        if "error" in reply:
            raise _RpcError(reply["error"])
        return reply["result"]

    def _send(self, fn: Any, sender: str) -> Any:
        """Sign and send contract call ``fn`` from ``sender``; raise the contract's error if it reverts."""
        return self._send_data(fn.address, fn._encode_transaction_data(), sender)

    def _send_data(self, to: Optional[str], data: str, sender: str) -> Any:
        """The transaction is built by hand (chain id, nonce and gas price known): an accepted action
        costs two requests (send, receipt); a refused one is replayed as an ``eth_call`` on its parent
        block to read the contract's error."""
        nonce = self.nonces.get(sender)
        if nonce is None:
            nonce = int(self._rpc("eth_getTransactionCount", [sender, "latest"]), 16)
        self.nonces[sender] = nonce + 1
        tx = {"data": data, "gas": GAS, "gasPrice": self.gas_price, "nonce": nonce, "chainId": self.chain_id, "value": 0}
        if to:
            tx["to"] = to
        signed = self.keys[sender].sign_transaction(tx)
        raw = getattr(signed, "raw_transaction", None) or signed.rawTransaction
        # EIP-7966: Anvil answers with the receipt once the transaction is mined (one round trip).
        receipt = self._rpc("eth_sendRawTransactionSync", ["0x" + bytes(raw).hex()])
        if _int(receipt["status"]) == 1:
            return receipt
        # Refused: replay it as a call on the state it ran against, to read the error by name.
        call = {"from": sender, "data": data, "gas": hex(GAS), **({"to": to} if to else {})}
        try:
            self._rpc("eth_call", [call, hex(_int(receipt["blockNumber"]) - 1)])
        except _RpcError as err:
            raise self._error(err.data) from None
        raise errors.ContractError("Revert", {})

    def _error(self, data: Any) -> errors.ContractError:
        """The contract's custom error, decoded against the Exchange's ABI (name and values)."""
        from ..transport import decode_custom_error

        raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
        decoded = decode_custom_error(self.contract_type, raw[:4].hex(), raw[4:]) if len(raw) >= 4 else None
        return errors.contract_error(*decoded) if decoded else errors.ContractError("Revert", {"data": "0x" + raw.hex()})

    def _view(self, name: str, *args: Any, contract: Any = None) -> Any:
        from eth_abi import decode

        target = contract if contract is not None else self.ex
        fn = getattr(target.functions, name)(*args)
        result = self._rpc("eth_call", [{"to": target.address, "data": fn._encode_transaction_data()}, "latest"])
        types = [_canonical(o) for o in fn.abi["outputs"]]
        values = decode(types, bytes.fromhex(result[2:]))
        return values if len(values) > 1 else values[0]

    def _events(self, receipt: Any, name: str, contract: Any = None) -> list[Any]:
        from web3.datastructures import AttributeDict
        from web3.logs import DISCARD

        receipt = self.w3.eth.get_transaction_receipt(receipt["transactionHash"])
        source = contract if contract is not None else self.ex
        return list(getattr(source.events, name)().process_receipt(AttributeDict(receipt), errors=DISCARD))

    # ---- actions -----------------------------------------------------------------------------
    def define(self, who: str, root: int, branch: int, lo: int, hi: int) -> None:
        self._send(self.ex.functions.defineMarket(root, branch, lo, hi), who)

    def settle(self, who: str, root: int, outcome: int) -> None:
        self._send(self.ex.functions.settle(root, outcome), who)

    def deposit(self, who: str, amount: str) -> None:
        from ..wad import to_wad

        self._send(self.ex.functions.deposit(to_wad(amount, name="amount", decimals=TOKEN_DECIMALS)), who)

    def withdraw(self, who: str, amount: int) -> None:
        self._send(self.ex.functions.withdraw(amount), who)

    def chain_head(self, who: str) -> bytes:
        return bytes(self._view("chainHead", who))

    def place(self, who: str, signed: SignedOrder) -> None:
        self._send(self.ex.functions.placeOrder(signed.order.as_tuple(), signed.signature), who)

    def match(self, request: MatchRequest) -> None:
        self._send(self.ex.functions.matchOrders(request.as_tuple()), self.admin)

    def batch(self, requests: Sequence[MatchRequest]) -> list[tuple[int, str]]:
        receipt = self._send(self.ex.functions.matchBatch([r.as_tuple() for r in requests]), self.admin)
        return [
            (int(log.args.index), self.errors_by_selector.get(bytes(log.args.reason)[:4], "Revert"))
            for log in self._events(receipt, "MatchSkipped")
        ]

    def cancel(self, who: str, target: SignedOrder, offset: SignedOrder) -> None:
        fn = self.ex.functions.cancelOrder(target.order.as_tuple(), offset.order.as_tuple(), offset.signature)
        self._send(fn, who)

    def reduce(self, who: str, target: SignedOrder, reduction: SignedOrder) -> None:
        fn = self.ex.functions.reduceOrder(target.order.as_tuple(), reduction.order.as_tuple(), reduction.signature)
        self._send(fn, who)

    def claim(self, who: str, root: int) -> None:
        self._send(self.ex.functions.claim(root), who)

    def claim_many(self, who: str, root: int, traders: Sequence[str]) -> list[tuple[str, str]]:
        receipt = self._send(self.ex.functions.claimMany(root, list(traders)), who)
        return [
            (to_checksum_address(log.args.trader), self.errors_by_selector.get(bytes(log.args.reason)[:4], "Revert"))
            for log in self._events(receipt, "ClaimSkipped")
        ]

    # ---- views -------------------------------------------------------------------------------
    def balance(self, who: str) -> int:
        return int(self._view("balanceOf", who))

    def worst(self, who: str) -> int:
        return int(self._view("worstCase", who)[0])

    def position(self, who: str, root: int, branch: int) -> Position:
        quantity, cost = self._view("position", who, root, branch)
        return Position(int(quantity), int(cost))

    def remaining(self, signed: SignedOrder) -> int:
        return int(self._view("orderState", signed.order.as_tuple())[2])

    def bounds(self, root: int, branch: int) -> Optional[Bounds]:
        try:
            lo, hi = self._view("bounds", root, branch)
        except _RpcError:  # UnknownMarket
            return None
        return Bounds(int(lo), int(hi))

    def pot(self, root: int) -> int:
        return int(self._view("pot", root))

    # ---- freezes and the maker ---------------------------------------------------------------
    def set_frozen(self, who: str, root: int, frozen: bool) -> None:
        self._send(self.ex.functions.setFrozen(root, frozen), who)

    def create_pool(self, who: str, key: PoolKey) -> None:
        fn = self.maker.functions.createPool(key.root_id, key.branch_id, key.b, key.fee_bps, key.salt)
        self._send(fn, who)

    def pool_trade(self, who: str, key: PoolKey, side: Side, shares: int, limit: int, buying: bool) -> None:
        method = self.maker.functions.buy if buying else self.maker.functions.sell
        self._send(method(key.as_tuple(), int(side), shares, limit, 2**64), who)

    def pool_fill(self, who: str, key: PoolKey, signed: SignedOrder, quantity: int) -> None:
        self._send(self.maker.functions.fill(key.as_tuple(), signed.order.as_tuple(), quantity), who)

    def close_pool(self, who: str, key: PoolKey) -> None:
        self._send(self.maker.functions.closePool(key.as_tuple()), who)

    def claim_pool(self, who: str, key: PoolKey) -> None:
        self._send(self.maker.functions.claimPool(key.as_tuple()), who)

    def pool_state(self, key: PoolKey) -> Optional[tuple[int, int, bool]]:
        try:
            q_long, q_short, is_open = self._view("poolState", key.id, contract=self.maker)
        except _RpcError:  # UnknownPool
            return None
        return int(q_long), int(q_short), bool(is_open)

    def prices(self, key: PoolKey) -> tuple[int, int]:
        long, short = self._view("prices", key.id, contract=self.maker)
        return int(long), int(short)


class _RpcError(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(error.get("message"))
        self.data = error.get("data")


def _canonical(output: dict) -> str:
    """The eth-abi type string of an ABI output (tuples spelled out)."""
    kind = output["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in output["components"]) + ")" + kind[len("tuple"):]
    return kind


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)
