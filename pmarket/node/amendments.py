"""The node's cancels and reductions: ``Amendments.sol``'s checks in the same order."""

from __future__ import annotations

from .. import errors
from ..orders import Order, TradeType
from .matching import same_trade
from .state import Record, State


class AmendmentsRules:
    s: State

    def _target(self, order: Order, dependent: Order) -> tuple[bytes, Record, bytes]:
        """The open order a dependent order amends (``OrderNotOpen`` otherwise), and the dependent
        order's hash after its quantity, range and expiry checks (``Amendments._target``); a hard
        freeze (a challenged artifact's market) refuses with ``MarketFrozen``."""
        h = self.digest(order)  # type: ignore[attr-defined]
        rec = self.open_record(h)  # type: ignore[attr-defined]
        if self.s.registry.hard_frozen(order.market_root_id):
            raise errors.fail("MarketFrozen", rootId=order.market_root_id)
        dh = self.digest(dependent)  # type: ignore[attr-defined]
        self.check_terms(dependent, dh)  # type: ignore[attr-defined]
        return h, rec, dh

    def cancel(self, order: Order, offset: Order, signature: bytes) -> int:
        """Cancel ``order``'s open rest with its owner's signed Offset; returns what was open."""
        h, rec, oh = self._target(order, offset)
        if (
            offset.trade_type != TradeType.OFFSET
            or offset.is_matched
            or not same_trade(offset, order)
            or offset.price != order.price
            or offset.quantity != -order.quantity
            or offset.previous != h
        ):
            raise errors.fail("DependentOrderMismatch", orderHash=oh, targetHash=h)
        if oh in self.s.book:
            raise errors.fail("OrderExists", orderHash=oh)
        self.check_signature(order.trader, oh, signature)  # type: ignore[attr-defined]
        cancelled = rec.remaining
        self.s.book[oh] = Record(TradeType.OFFSET, False)
        self.s.orders[oh] = offset
        self.shrink_open(order, h, rec, cancelled)  # type: ignore[attr-defined]
        return cancelled

    def reduce(self, order: Order, reduction: Order, signature: bytes) -> int:
        """Trim ``order`` by its owner's signed Reduction; returns what stays open."""
        h, rec, rh = self._target(order, reduction)
        if (
            reduction.trade_type != TradeType.REDUCTION
            or not reduction.is_matched
            or not same_trade(reduction, order)
            or reduction.price != order.price
            or (reduction.quantity > 0) == (order.quantity > 0)
            or reduction.previous != h
        ):
            raise errors.fail("DependentOrderMismatch", orderHash=rh, targetHash=h)
        if rh in self.s.book:
            raise errors.fail("OrderExists", orderHash=rh)
        size = abs(reduction.quantity)
        if size > rec.remaining:
            raise errors.fail("QuantityExceedsRemaining", orderHash=h, quantity=size, remaining=rec.remaining)
        self.check_signature(order.trader, rh, signature)  # type: ignore[attr-defined]
        self.s.book[rh] = Record(TradeType.REDUCTION, True)
        self.s.orders[rh] = reduction
        self.shrink_open(order, h, rec, size)  # type: ignore[attr-defined]
        return rec.remaining
