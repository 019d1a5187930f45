"""Matching: match requests (a bid and an ask, optionally through pre-signed Partials) and the
client's match, batch, cancel and reduce calls (protocol.md section 4).

The node's matching rules are in :mod:`pmarket.node.matching`; both follow ``Matching.sol``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from .addresses import ZERO_ADDRESS
from .orders import Order, SignedOrder, TradeType
from .transport import ContractClient
from .wad import DecimalLike, to_wad


_NO_ORDER = (0, 0, False, 0, 0, 0, 0, ZERO_ADDRESS, 0, b"\x00" * 32, 0)


@dataclass(frozen=True)
class Leg:
    """One side of a match: a resting Primary ``order`` and, optionally, a pre-signed Partial of it."""

    order: Order
    partial: Optional[SignedOrder] = None

    def as_tuple(self) -> tuple:
        if self.partial is None:
            return (self.order.as_tuple(), _NO_ORDER, b"")
        return (self.order.as_tuple(), self.partial.order.as_tuple(), self.partial.signature)


@dataclass(frozen=True)
class MatchRequest:
    """Match ``quantity`` (18-decimal int) of ``bid`` and ``ask``; at ``price`` when given, else at
    the limit of the order that entered the book first."""

    bid: Leg
    ask: Leg
    quantity: int
    price: Optional[int] = None

    def as_tuple(self) -> tuple:
        return (self.bid.as_tuple(), self.ask.as_tuple(), self.quantity, self.price or 0, self.price is not None)


def partial_of(order: Order, price: DecimalLike, quantity: DecimalLike) -> Order:
    """A Partial of ``order``: same trader, market, trade id and previous order, a smaller size on the
    same side (``quantity`` as a positive decimal) and a weakly better ``price``."""
    size = to_wad(quantity, name="quantity")
    return Order(
        trader=order.trader,
        market_root_id=order.market_root_id,
        market_branch_id=order.market_branch_id,
        price=to_wad(price, name="price"),
        quantity=size if order.quantity > 0 else -size,
        previous=order.previous,
        trade_root_id=order.trade_root_id,
        trade_branch_id=order.trade_branch_id + 1,
        trade_type=TradeType.PARTIAL,
        expiry=order.expiry,
    )


def offset_of(order: Order, order_hash: bytes) -> Order:
    """The Offset that cancels ``order`` (its owner signs it)."""
    return Order(
        trader=order.trader,
        market_root_id=order.market_root_id,
        market_branch_id=order.market_branch_id,
        price=order.price,
        quantity=-order.quantity,
        previous=order_hash,
        trade_root_id=order.trade_root_id,
        trade_branch_id=order.trade_branch_id,
        trade_type=TradeType.OFFSET,
    )


def reduction_of(order: Order, order_hash: bytes, size: int, tag: int = 2) -> Order:
    """A Reduction trimming ``order`` by ``size`` (18-decimal int, positive); its owner signs it.

    Two Reductions with the same fields have the same hash and the second would be refused
    (``OrderExists``): ``tag`` (its ``tradeBranchId``, 1..65535) tells repeated ones apart."""
    return Order(
        trader=order.trader,
        market_root_id=order.market_root_id,
        market_branch_id=order.market_branch_id,
        price=order.price,
        quantity=-size if order.quantity > 0 else size,
        previous=order_hash,
        trade_root_id=order.trade_root_id,
        trade_branch_id=tag,
        is_matched=True,
        trade_type=TradeType.REDUCTION,
    )


class MatchingCalls:
    """The client's calls to ``Matching`` and ``Amendments`` of an :class:`~pmarket.exchange.Exchange`."""

    def match(self: ContractClient, request: MatchRequest, *, sender: Any) -> Any:
        """Submit a match (anyone may); the contract checks every order. Without Partials or a
        price it goes through the lean ``matchPair``."""
        if request.price is None and request.bid.partial is None and request.ask.partial is None:
            return self.transact(
                "matchPair", request.bid.order.as_tuple(), request.ask.order.as_tuple(), request.quantity, sender=sender
            )
        return self.transact("matchOrders", request.as_tuple(), sender=sender)

    def place_and_match(
        self: ContractClient, bid: SignedOrder, ask: SignedOrder, quantity: DecimalLike, *, sender: Any
    ) -> Any:
        """Submit two crossing signed orders that are not in the book yet and match them, in one
        transaction (``multicall``: both enter the book with every check, then ``matchPair``)."""
        c = self.contract
        calls = [
            c.placeOrder.encode_input(bid.order.as_tuple(), bid.signature),
            c.placeOrder.encode_input(ask.order.as_tuple(), ask.signature),
            c.matchPair.encode_input(bid.order.as_tuple(), ask.order.as_tuple(), to_wad(quantity, name="quantity")),
        ]
        return self.transact("multicall", calls, sender=sender)

    def match_batch(self: ContractClient, requests: Sequence[MatchRequest], *, sender: Any) -> Any:
        """Submit many matches; failing ones are skipped with ``MatchSkipped`` events."""
        return self.transact("matchBatch", [r.as_tuple() for r in requests], sender=sender)

    def cancel(self: ContractClient, owner: Any, order: Order, *, sender: Any = None) -> Any:
        """Cancel ``order``'s open rest: ``owner`` (the order's trader) signs its Offset, ``sender``
        (by default the owner) sends it."""
        offset = offset_of(order, order.digest(self.domain)).sign(owner, self.domain)
        return self.transact(
            "cancelOrder", order.as_tuple(), offset.order.as_tuple(), offset.signature, sender=sender or owner
        )

    def reduce(
        self: ContractClient, owner: Any, order: Order, size: DecimalLike, *, sender: Any = None, tag: Optional[int] = None
    ) -> Any:
        """Trim ``order`` by ``size`` (decimal) with a Reduction signed by ``owner`` (the order's
        trader) and sent by ``sender`` (by default the owner). Without a
        ``tag`` the Reduction is tagged from the order's open quantity, which falls with every
        reduction, so repeated equal Reductions get distinct hashes."""
        order_hash = order.digest(self.domain)
        if tag is None:
            tag = 2 + int(self.call("orderState", order.as_tuple())[2]) % 65533
        reduction = reduction_of(order, order_hash, to_wad(size, name="size"), tag)
        signed = reduction.sign(owner, self.domain)
        return self.transact(
            "reduceOrder", order.as_tuple(), signed.order.as_tuple(), signed.signature, sender=sender or owner
        )
