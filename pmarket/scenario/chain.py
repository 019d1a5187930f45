"""The scenario as signed transactions on a chain: a fresh deployment, one transaction per action.

:func:`fresh_anvil` starts a new Anvil through ape-foundry for the command line; tests pass the
provider they already run. Test account 0 deploys (the scenario's ``admin``) and relays matches;
traders are test accounts 1, 2, ... and send their own orders, deposits, withdrawals and claims.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from .. import errors
from ..collateral import Position
from ..exchange import Exchange
from ..markets import Bounds
from ..matching import MatchRequest
from ..orders import SignedOrder
from .backends import TOKEN_DECIMALS

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


class ChainBackend:
    """A fresh Exchange on the connected chain, driven by test accounts."""

    def __init__(self, traders: Sequence[str], project: Any = None, **config: Any) -> None:
        from ape import accounts

        project = project or pmarket_project()
        self.admin = accounts.test_accounts[0]
        token = project.TestToken.deploy("pmarket scenario dollar", "sUSD", TOKEN_DECIMALS, sender=self.admin)
        self.exchange = Exchange.deploy(self.admin, collateral=token, project=project, **config)
        self.domain = self.exchange.domain
        self.accounts = {str(self.admin.address): self.admin}
        for i, _ in enumerate(traders, start=1):
            acct = accounts.test_accounts[i]
            units = FUNDING * 10**TOKEN_DECIMALS
            token.mint(acct.address, units, sender=acct)
            token.approve(self.exchange.address, units, sender=acct)
            self.accounts[str(acct.address)] = acct

    def _do(self, method: str, *args: Any, who: Optional[str] = None) -> Any:
        return self.exchange._transact(method, *args, sender=self.accounts[who] if who else self.admin)

    # ---- actions -----------------------------------------------------------------------------
    def define(self, who: str, root: int, branch: int, lo: int, hi: int) -> None:
        self._do("defineMarket", root, branch, lo, hi, who=who)

    def settle(self, who: str, root: int, outcome: int) -> None:
        self._do("settle", root, outcome, who=who)

    def deposit(self, who: str, amount: str) -> None:
        self.exchange.deposit(self.accounts[who], amount, approve=False)

    def withdraw(self, who: str, amount: int) -> None:
        self._do("withdraw", amount, who=who)

    def chain_head(self, who: str) -> bytes:
        return self.exchange.chain_head(who)

    def place(self, who: str, signed: SignedOrder) -> None:
        self._do("placeOrder", signed.order.as_tuple(), signed.signature, who=who)

    def match(self, request: MatchRequest) -> None:
        self._do("matchOrders", request.as_tuple())

    def batch(self, requests: Sequence[MatchRequest]) -> list[tuple[int, str]]:
        tx = self._do("matchBatch", [r.as_tuple() for r in requests])
        out = []
        for log in tx.events.filter(self.exchange.contract.MatchSkipped):
            out.append((int(log.index), _error_name(self.exchange, bytes(log.reason))))
        return out

    def cancel(self, who: str, target: SignedOrder, offset: SignedOrder) -> None:
        self._do("cancelOrder", target.order.as_tuple(), offset.order.as_tuple(), offset.signature, who=who)

    def reduce(self, who: str, target: SignedOrder, reduction: SignedOrder) -> None:
        self._do("reduceOrder", target.order.as_tuple(), reduction.order.as_tuple(), reduction.signature, who=who)

    def claim(self, who: str, root: int) -> None:
        self._do("claim", root, who=who)

    def claim_all(self, who: str, root: int, traders: Sequence[str]) -> list[tuple[str, str]]:
        tx = self._do("claimMany", root, list(traders), who=who)
        logs = tx.events.filter(self.exchange.contract.ClaimSkipped)
        return [(str(log.trader), _error_name(self.exchange, bytes(log.reason))) for log in logs]

    # ---- views -------------------------------------------------------------------------------
    def balance(self, who: str) -> int:
        return self.exchange.balance(who)

    def worst(self, who: str) -> int:
        return self.exchange.worst_case(who)[0]

    def position(self, who: str, root: int, branch: int) -> Position:
        return self.exchange.position(who, root, branch)

    def remaining(self, order_hash: bytes) -> int:
        return self.exchange.order_state(order_hash)[2]

    def bounds(self, root: int, branch: int) -> Optional[Bounds]:
        try:
            return self.exchange.bounds(root, branch)
        except errors.UnknownMarket:
            return None

    def pot(self, root: int) -> int:
        return self.exchange.pot(root)


def _error_name(exchange: Exchange, reason: bytes) -> str:
    """The custom error's name from raw revert data."""
    from eth_utils import keccak

    for abi in exchange.contract.contract_type.errors:
        if keccak(text=abi.selector)[:4] == reason[:4]:
            return abi.name
    return "Revert"
