"""The scenario as signed transactions on a chain: a fresh deployment, one transaction per action.

:func:`fresh_anvil` starts a new Anvil through ape-foundry for the command line; tests reuse the
Anvil they run on. Test account 0 (the scenario's ``admin``) deploys and relays matches; traders
are test accounts 1, 2, ... and send their own orders, deposits, withdrawals and claims. Every
transaction is signed locally with the account's key and sent raw (``eth_sendRawTransactionSync``:
one round trip); a refused one is mined reverted and replayed as an ``eth_call`` on its parent
block to read the contract's error, by name and with its values, so the report holds exactly what
the chain said. It sends through :class:`pmarket.raw_transport.RawTransport` (the ABIs and error
translation of :mod:`pmarket.transport`, raw signed transactions instead of ape's), because hundreds
of scenarios must run within the test suite's time.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from eth_utils import keccak, to_checksum_address

from .. import errors
from ..collateral import Position
from ..exchange import DEFAULT_MAX_BRANCHES, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_ROOTS
from ..raw_transport import Handle, RawTransport
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
    """A fresh Exchange on the connected chain, driven through :class:`pmarket.raw_transport.RawTransport`."""

    def __init__(self, traders: Sequence[str], project: Any = None, **config: Any) -> None:
        from ape import chain

        project = project or pmarket_project()
        w3 = chain.provider.web3  # an Anvil (ape-foundry): the backend funds its accounts
        keys = {k.address: k for k in (test_key(i) for i in range(len(traders) + 1))}
        exchange_type, maker_type = merged_contract_type(project), maker_contract_type(project)
        # Its errors: the Maker's and the Exchange's.
        self.rt = RawTransport(w3.provider.endpoint_uri, keys, maker_type)
        for address in keys:  # gas money for every scenario, however many ran before
            self.rt.rpc("anvil_setBalance", [address, hex(10**24)])
        self.keys = keys
        self.admin = test_key(0).address
        self.errors_by_selector = {keccak(text=e.selector)[:4]: e.name for e in maker_type.errors}
        self.token = self.rt.deploy(
            project.TestToken.contract_type, "pmarket scenario dollar", "sUSD", TOKEN_DECIMALS, sender=self.admin
        )
        args = (
            self.token.address,
            config.get("max_branches", DEFAULT_MAX_BRANCHES),
            config.get("max_open_orders", DEFAULT_MAX_OPEN_ORDERS),
            config.get("max_roots", DEFAULT_MAX_ROOTS),
        )
        parts = deploy_exchange(
            lambda name, kind, ctor: self.rt.deploy(getattr(project, kind).contract_type, *ctor, sender=self.admin).address,
            *args,
        )
        self.ex = Handle(to_checksum_address(parts.exchange), exchange_type)
        self.maker = Handle(to_checksum_address(self.rt.call(self.ex, "maker")), maker_type)
        self.domain = Domain(chain_id=self.rt.chain_id, verifying_contract=self.ex.address)
        self._deploy_artifacts(project)
        units = FUNDING * 10**TOKEN_DECIMALS
        for address in list(keys)[1:]:
            self._send(self.token, "mint", address, units, sender=address)
            self._send(self.token, "approve", self.ex.address, units, sender=address)

    # ---- plumbing ----------------------------------------------------------------------------
    def _send(self, handle: Handle, method: str, *args: Any, sender: str) -> dict[str, Any]:
        """``handle.method(*args)`` from ``sender``: the receipt, or the contract's error raised."""
        return self.rt.transact(handle, method, *args, sender=sender)

    def _view(self, name: str, *args: Any, contract: Optional[Handle] = None) -> Any:
        return self.rt.call(contract if contract is not None else self.ex, name, *args)

    def _events(self, receipt: dict[str, Any], name: str, contract: Optional[Handle] = None) -> list[dict[str, Any]]:
        return (contract if contract is not None else self.ex).logs(receipt, name)

    def _reason(self, reason: bytes) -> str:
        """The error name of a skipped item's logged revert data."""
        return self.errors_by_selector.get(bytes(reason)[:4], "Revert")

    # ---- actions -----------------------------------------------------------------------------
    def define(self, who: str, root: int, branch: int, lo: int, hi: int) -> None:
        self._send(self.ex, "defineMarket", root, branch, lo, hi, sender=who)

    def settle(self, who: str, root: int, outcome: int) -> None:
        self._send(self.ex, "settle", root, outcome, sender=who)

    def deposit(self, who: str, amount: str) -> None:
        from ..wad import to_wad

        self._send(self.ex, "deposit", to_wad(amount, name="amount", decimals=TOKEN_DECIMALS), sender=who)

    def withdraw(self, who: str, amount: int) -> None:
        self._send(self.ex, "withdraw", amount, sender=who)

    def chain_head(self, who: str) -> bytes:
        return bytes(self._view("chainHead", who))

    def place(self, who: str, signed: SignedOrder) -> None:
        self._send(self.ex, "placeOrder", signed.order.as_tuple(), signed.signature, sender=who)

    def match(self, request: MatchRequest) -> None:
        self._send(self.ex, "matchOrders", request.as_tuple(), sender=self.admin)

    def batch(self, requests: Sequence[MatchRequest]) -> list[tuple[int, str]]:
        receipt = self._send(self.ex, "matchBatch", [r.as_tuple() for r in requests], sender=self.admin)
        return [(int(log["index"]), self._reason(log["reason"])) for log in self._events(receipt, "MatchSkipped")]

    def cancel(self, who: str, target: SignedOrder, offset: SignedOrder) -> None:
        self._send(self.ex, "cancelOrder", target.order.as_tuple(), offset.order.as_tuple(), offset.signature, sender=who)

    def reduce(self, who: str, target: SignedOrder, reduction: SignedOrder) -> None:
        self._send(
            self.ex, "reduceOrder", target.order.as_tuple(), reduction.order.as_tuple(), reduction.signature, sender=who
        )

    def claim(self, who: str, root: int) -> None:
        self._send(self.ex, "claim", root, sender=who)

    def claim_many(self, who: str, root: int, traders: Sequence[str]) -> list[tuple[str, str]]:
        receipt = self._send(self.ex, "claimMany", root, list(traders), sender=who)
        return [
            (to_checksum_address(log["trader"]), self._reason(log["reason"])) for log in self._events(receipt, "ClaimSkipped")
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
        except errors.UnknownMarket:
            return None
        return Bounds(int(lo), int(hi))

    def pot(self, root: int) -> int:
        return int(self._view("pot", root))

    # ---- freezes and the maker ---------------------------------------------------------------
    def set_frozen(self, who: str, root: int, frozen: bool) -> None:
        self._send(self.ex, "setFrozen", root, frozen, sender=who)

    def create_pool(self, who: str, key: PoolKey) -> None:
        self._send(self.maker, "createPool", key.root_id, key.branch_id, key.b, key.fee_bps, key.salt, sender=who)

    def pool_trade(self, who: str, key: PoolKey, side: Side, shares: int, limit: int, buying: bool) -> None:
        self._send(self.maker, "buy" if buying else "sell", key.as_tuple(), int(side), shares, limit, 2**64, sender=who)

    def pool_fill(self, who: str, key: PoolKey, signed: SignedOrder, quantity: int) -> None:
        self._send(self.maker, "fill", key.as_tuple(), signed.order.as_tuple(), quantity, sender=who)

    def close_pool(self, who: str, key: PoolKey) -> None:
        self._send(self.maker, "closePool", key.as_tuple(), sender=who)

    def claim_pool(self, who: str, key: PoolKey) -> None:
        self._send(self.maker, "claimPool", key.as_tuple(), sender=who)

    def pool_state(self, key: PoolKey) -> Optional[tuple[int, int, bool]]:
        try:
            q_long, q_short, is_open = self._view("poolState", key.id, contract=self.maker)
        except errors.UnknownPool:
            return None
        return int(q_long), int(q_short), bool(is_open)

    def prices(self, key: PoolKey) -> tuple[int, int]:
        long, short = self._view("prices", key.id, contract=self.maker)
        return int(long), int(short)
