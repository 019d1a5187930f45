"""The node's matching: ``Matching.sol``'s checks in the same order, then the same effects."""

from __future__ import annotations

from typing import Optional

from .. import errors
from ..collateral import Position
from ..matching import Leg, MatchRequest
from ..orders import Order, TradeType
from .state import Record, State


def same_trade(a: Order, b: Order) -> bool:
    """Same trader, market and trade id: a dependent order's link to its order."""
    return (a.trader, a.market_root_id, a.market_branch_id, a.trade_root_id) == (
        b.trader,
        b.market_root_id,
        b.market_branch_id,
        b.trade_root_id,
    )


class MatchingRules:
    s: State

    def match(self, m: MatchRequest) -> None:
        """Apply a match (``Matching._match``) or raise the contract's error."""
        bid, ask = m.bid.order, m.ask.order
        bh, ah = self.digest(bid), self.digest(ask)  # type: ignore[attr-defined]
        q = m.quantity
        if q == 0:
            raise errors.fail("ZeroQuantity", orderHash=bh)
        bid_rec = self.open_record(bh)  # type: ignore[attr-defined]
        if bid.quantity <= 0:
            raise errors.fail("WrongSide", orderHash=bh, quantity=bid.quantity)
        ask_rec = self.open_record(ah)  # type: ignore[attr-defined]
        if ask.quantity >= 0:
            raise errors.fail("WrongSide", orderHash=ah, quantity=ask.quantity)
        if (ask.market_root_id, ask.market_branch_id) != (bid.market_root_id, bid.market_branch_id):
            raise errors.fail("MarketMismatch", bidHash=bh, askHash=ah)
        b = self.tradable_bounds(bid.market_root_id, bid.market_branch_id)  # type: ignore[attr-defined]
        bid_limit, bid_partial = self._limit(m.bid, bh, q)
        ask_limit, ask_partial = self._limit(m.ask, ah, q)
        for h, rec in ((bh, bid_rec), (ah, ask_rec)):
            if q > rec.remaining:
                raise errors.fail("QuantityExceedsRemaining", orderHash=h, quantity=q, remaining=rec.remaining)
        if bid_limit < ask_limit:
            raise errors.fail("OrdersDoNotCross", bidHash=bh, askHash=ah, bidPrice=bid_limit, askPrice=ask_limit)
        price = m.price if m.price is not None else (bid_limit if bid_rec.seq < ask_rec.seq else ask_limit)
        if not ask_limit <= price <= bid_limit:
            raise errors.fail("PriceOutsideLimits", price=price, askPrice=ask_limit, bidPrice=bid_limit)
        if not b.contains(price):
            raise errors.fail("PriceOutOfBounds", price=price, min=b.min, max=b.max)

        root_id, branch_id = bid.market_root_id, bid.market_branch_id
        updated: dict[tuple[str, int, int], Position] = {}
        for order, signed_q in ((bid, q), (ask, -q)):
            key = (order.trader, root_id, branch_id)
            current = updated.get(key, self.s.positions.get(key, Position()))
            try:
                updated[key] = current.add(signed_q, price)
            except OverflowError:
                raise errors.fail("PositionOverflow", trader=order.trader, rootId=root_id, branchId=branch_id) from None
        for leg, ph in ((m.bid, bid_partial), (m.ask, ask_partial)):
            if ph is not None and leg.partial is not None:
                self.s.book[ph] = Record(TradeType.PRIMARY, True)
                self.s.orders[ph] = leg.partial.order
        for order, h, rec in ((bid, bh, bid_rec), (ask, ah, ask_rec)):
            self.shrink_open(order, h, rec, q)
        self.s.positions.update(updated)

    def shrink_open(self, order: Order, h: bytes, rec: Record, amount: int) -> None:
        """Take ``amount`` off an open order; its slot frees when nothing is left."""
        rec.remaining -= amount
        if rec.remaining == 0:
            acct = self.s.accounts[(order.trader, order.market_root_id)]
            acct.slots.pop(rec.slot, None)

    def _limit(self, leg: Leg, order_hash: bytes, q: int) -> tuple[int, Optional[bytes]]:
        """A leg's limit: its Partial's price (validated here) or the order's."""
        o = leg.order
        if leg.partial is None:
            return o.price, None
        pf, signature = leg.partial.order, leg.partial.signature
        ph = self.digest(pf)  # type: ignore[attr-defined]
        self.check_terms(pf, ph)  # type: ignore[attr-defined]
        buys = o.quantity > 0
        fits = (
            pf.trade_type == TradeType.PARTIAL
            and not pf.is_matched
            and same_trade(pf, o)
            and pf.previous == o.previous
            and abs(pf.quantity) == q
            and abs(pf.quantity) < abs(o.quantity)
            and ((pf.quantity > 0 and pf.price <= o.price) if buys else (pf.quantity < 0 and pf.price >= o.price))
        )
        if not fits:
            raise errors.fail("DependentOrderMismatch", orderHash=ph, targetHash=order_hash)
        if ph in self.s.book:
            raise errors.fail("OrderExists", orderHash=ph)
        self.check_signature(o.trader, ph, signature)  # type: ignore[attr-defined]
        return pf.price, ph
