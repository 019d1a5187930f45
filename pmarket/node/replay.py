"""Rebuild a node from an Exchange's events, checking every step itself.

Each event is applied through the node's own rules: an ``OrderAdded`` Primary is admitted only if
the node verifies its signature, its chain link, its market and its collateral check; a match,
cancel, reduction or claim only if the node finds it valid and reaches the same amounts. Anything
the node refuses is recorded as a :class:`Discrepancy` and **not** applied, so the node never builds
on an order it rejects (later events that depend on it are refused in turn, and recorded too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from .. import errors
from ..lmsr.pool import Side, funding
from ..maker import PoolKey
from ..matching import Leg, MatchRequest
from ..orders import Order, SignedOrder, TradeType
from . import Node, NodeConfig
from .state import addr


@dataclass(frozen=True)
class Event:
    """One decoded log: its name, its arguments by name, and where it sits in the chain."""

    name: str
    args: dict[str, Any]
    block: int = 0
    timestamp: Optional[int] = None


@dataclass(frozen=True)
class Discrepancy:
    """An event the node did not accept (``error``) or reached a different result for."""

    event: Event
    error: str


@dataclass
class Replay:
    """A node rebuilt from events, and what it disagreed with."""

    node: Node
    discrepancies: list[Discrepancy] = field(default_factory=list)
    applied: int = 0
    #: Dependent orders (Partial, Offset, Reduction) logged just before the event that uses them.
    pending: dict[bytes, SignedOrder] = field(default_factory=dict)
    partial_for: dict[bytes, bytes] = field(default_factory=dict)

    def feed(self, events: Iterable[Event]) -> "Replay":
        for event in events:
            if event.timestamp is not None:
                self.node.s.now = event.timestamp
            handler: Optional[Callable[[Event], None]] = getattr(self, f"_on_{event.name}", None)
            if handler is None:
                continue
            try:
                handler(event)
                self.applied += 1
            except errors.ContractError as err:
                self.discrepancies.append(Discrepancy(event, err.name))
            except _Mismatch as err:
                self.discrepancies.append(Discrepancy(event, str(err)))
        return self

    # ---- markets -----------------------------------------------------------------------------
    def _on_MarketDefined(self, e: Event) -> None:
        a = e.args
        got = self.node.define(addr(a["definer"]), int(a["rootId"]), int(a["branchId"]), int(a["min"]), int(a["max"]))
        _expect((got.min, got.max) == (int(a["effectiveMin"]), int(a["effectiveMax"])), "effective bounds differ")

    def _on_OracleSet(self, e: Event) -> None:
        root = self.node.s.registry.roots[int(e.args["rootId"])]
        self.node.s.registry.set_oracle(root.owner, int(e.args["rootId"]), addr(e.args["oracle"]), bool(e.args["authorized"]))

    def _on_RootOwnershipTransferred(self, e: Event) -> None:
        a = e.args
        self.node.s.registry.transfer_ownership(addr(a["previousOwner"]), int(a["rootId"]), addr(a["newOwner"]))

    # ---- vault -------------------------------------------------------------------------------
    def _on_Deposited(self, e: Event) -> None:
        credited = self.node.deposit(addr(e.args["account"]), int(e.args["tokenAmount"]))
        _expect(credited == int(e.args["credited"]), "credit differs")

    def _on_Withdrawn(self, e: Event) -> None:
        tokens = self.node.withdraw(addr(e.args["account"]), int(e.args["debited"]))
        _expect(tokens == int(e.args["tokenAmount"]), "token amount differs")

    # ---- book --------------------------------------------------------------------------------
    def _on_OrderAdded(self, e: Event) -> None:
        order = Order.from_tuple(e.args["order"])
        signed = SignedOrder(order, bytes(e.args["signature"]), bytes(e.args["orderHash"]))
        _expect(self.node.digest(order) == signed.hash, "order hash differs")
        if order.trade_type == TradeType.PRIMARY and not order.is_matched:
            self.node.place(order, signed.signature)
        else:  # used by the PartialUsed / OrderCancelled / OrderReduced that follows
            self.pending[signed.hash] = signed

    def _on_PartialUsed(self, e: Event) -> None:
        self.partial_for[bytes(e.args["orderHash"])] = bytes(e.args["partialHash"])

    def _on_OrdersMatched(self, e: Event) -> None:
        legs = []
        for key in ("bidHash", "askHash"):
            h = bytes(e.args[key])
            order = self.node.s.orders.get(h)
            if order is None:
                raise errors.fail("OrderNotOpen", orderHash=h)
            partial_hash = self.partial_for.pop(h, None)
            legs.append(Leg(order, self.pending.pop(partial_hash) if partial_hash else None))
        self.node.match(MatchRequest(legs[0], legs[1], int(e.args["quantity"]), int(e.args["price"])))

    def _on_OrderCancelled(self, e: Event) -> None:
        target, offset = self._dependent(e, "offsetHash")
        cancelled = self.node.cancel(target, offset.order, offset.signature)
        _expect(cancelled == int(e.args["cancelled"]), "cancelled quantity differs")

    def _on_OrderReduced(self, e: Event) -> None:
        target, reduction = self._dependent(e, "reductionHash")
        left = self.node.reduce(target, reduction.order, reduction.signature)
        _expect(left == int(e.args["remaining"]), "remaining quantity differs")

    def _dependent(self, e: Event, key: str) -> tuple[Order, SignedOrder]:
        h = bytes(e.args["orderHash"])
        target = self.node.s.orders.get(h)
        if target is None:
            raise errors.fail("OrderNotOpen", orderHash=h)
        return target, self.pending.pop(bytes(e.args[key]))

    def _on_RootManaged(self, e: Event) -> None:
        self.node.manage_root(addr(e.args["owner"]), int(e.args["rootId"]))

    def _on_RootFlagged(self, e: Event) -> None:
        root_id = int(e.args["rootId"])
        owner = self.node.s.registry.roots[root_id].owner if root_id in self.node.s.registry.roots else "0x" + "00" * 20
        t = self.node.flag_root(owner, root_id, addr(e.args["residual"]))
        logged = (int(e.args["returnRate"]), int(e.args["bonusRate"]), int(e.args["residualPayoff"]))
        _expect((t.return_rate, t.bonus_rate, t.residual_payoff) == logged, f"flagged terms differ from the chain's {logged}")

    def _on_RootFrozen(self, e: Event) -> None:
        self.node.set_frozen(addr(e.args["by"]), int(e.args["rootId"]), bool(e.args["frozen"]))

    # ---- maker -------------------------------------------------------------------------------
    def _on_PoolCreated(self, e: Event) -> None:
        k = PoolKey.from_tuple(e.args["key"])
        period = int(e.args["period"])  # zero for a plain pool
        if period == 0:
            key = self.node.create_pool(k.creator, k.root_id, k.branch_id, k.b, k.fee_bps, k.salt)
        else:  # the node checks the creator manages the root, as the Maker did
            key = self.node.create_tracked_pool(k.creator, k.root_id, k.branch_id, k.b, k.fee_bps, k.salt, period)
        _expect(key.id == bytes(e.args["poolId"]), "pool id differs")
        _expect(funding(key.b) == int(e.args["funding"]), "funding differs")

    def _on_PositionClosed(self, e: Event) -> None:
        key = self.node.pool(self._key(e.args["poolId"])).key
        closed = self.node.close_for(key.creator, key, addr(e.args["trader"]))
        logged = (int(e.args["quantity"]), int(e.args["cost"]), int(e.args["discount"]))
        _expect(closed == logged, f"close {closed} differs from the chain's {logged}")

    def _on_PoolTraded(self, e: Event) -> None:
        a = e.args
        key = self.node.pool(self._key(a["poolId"])).key
        side = Side(int(a["side"]))
        n = int(a["quantity"]) if side == Side.LONG else -int(a["quantity"])
        # The chain enforced the trader's slippage bound; the node re-prices and compares.
        self.node.trade_forward(addr(a["trader"]), key, side, n, 2**255 if n > 0 else -(2**255))
        t = self.node.last_trade
        _expect(t is not None and (t.cost, t.fee) == (int(a["cost"]), int(a["fee"])), "pool trade's cost or fee differs")

    def _on_OrderFilledByPool(self, e: Event) -> None:
        a = e.args
        h = bytes(a["orderHash"])
        order = self.node.s.orders.get(h)
        if order is None:
            raise errors.fail("OrderNotOpen", orderHash=h)
        self.node.pool_fill(self.node.pool_of_account(addr(a["pool"])), order, int(a["quantity"]))
        t = self.node.last_trade
        _expect(t is not None and t.cost == int(a["cost"]), "pool fill's cost differs")

    def _on_PoolRetired(self, e: Event) -> None:
        key = self.node.pool(self._key(e.args["poolId"])).key
        released = self.node.close_pool(key.creator, key)
        _expect(released == int(e.args["released"]), "released amount differs")

    def _on_PoolSettled(self, e: Event) -> None:
        key = self.node.pool(self._key(e.args["poolId"])).key
        released = self.node.claim_pool(key)
        _expect(released == int(e.args["released"]), "released amount differs")

    def _key(self, pool_id: Any) -> PoolKey:
        pool = self.node.s.pools.get(bytes(pool_id))
        if pool is None:
            raise errors.fail("UnknownPool", poolId=bytes(pool_id))
        return pool.key

    # ---- settlement --------------------------------------------------------------------------
    def _on_Claimed(self, e: Event) -> None:
        payoff = self.node.claim(addr(e.args["trader"]), int(e.args["rootId"]), addr(e.args["caller"]))
        _expect(payoff == int(e.args["payoff"]), f"payoff {payoff} differs from the chain's {int(e.args['payoff'])}")


class _Mismatch(Exception):
    """The node applied the event but reached a different value than the chain logged."""


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise _Mismatch(what)


def events_of(exchange: Any) -> list[Event]:
    """The Exchange's whole ledger as :class:`Event` s, in chain order, with block timestamps."""
    from ape import chain

    stamps: dict[int, int] = {}
    out = []
    for log in exchange.events():
        block = int(log.block_number)
        if block not in stamps:
            stamps[block] = int(chain.blocks[block].timestamp)
        out.append(Event(log.event_name, dict(log.event_arguments), block, stamps[block]))
    return out


def node_from_chain(exchange: Any, **config: Any) -> Replay:
    """A node rebuilt from a deployment's events, configured with the deployment's constants."""
    from ape import chain

    c = exchange.contract
    node = Node(
        NodeConfig(
            chain_id=chain.chain_id,
            verifying_contract=exchange.address,
            decimals=exchange.decimals,
            max_branches=int(c.maxBranches()),
            max_open_orders=int(c.maxOpenOrders()),
            max_roots=int(c.maxRoots()),
            **config,
        ),
        erc1271=_erc1271_via(exchange),
    )
    return Replay(node).feed(events_of(exchange))


def _erc1271_via(exchange: Any) -> Callable[[str, bytes, bytes], bool]:
    """ERC-1271 through the chain: the one signature check a node cannot do alone."""
    from ape import chain

    def check(trader: str, digest: bytes, signature: bytes) -> bool:
        if not chain.provider.get_code(trader):
            return False
        from eth_abi import decode, encode

        data = bytes.fromhex("1626ba7e") + encode(["bytes32", "bytes"], [digest, signature])
        try:
            result = chain.provider.web3.eth.call({"to": trader, "data": "0x" + data.hex()})
        except Exception:
            return False
        return len(result) >= 32 and decode(["bytes4"], bytes(result)[:32])[0] == bytes.fromhex("1626ba7e")

    return check
