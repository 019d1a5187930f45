"""The node's book: Primary orders enter as ``Orders.sol`` admits them, checked in the same order."""

from __future__ import annotations

from copy import deepcopy
from typing import Optional

from .. import errors
from ..collateral import MAX_ABS
from ..markets import Bounds
from ..orders import ZERO_HASH, Order, TradeType
from .state import Record, State, addr
from .verify import Erc1271, order_digest, signature_valid


class OrdersRules:
    s: State
    erc1271: Optional[Erc1271] = None

    # ---- shared checks ---------------------------------------------------------------------
    def digest(self, order: Order) -> bytes:
        return order_digest(order, self.s.config.chain_id, self.s.config.verifying_contract)

    def check_terms(self, order: Order, h: bytes) -> None:
        """Quantity, range and expiry (``Orders._checkTerms``)."""
        if order.quantity == 0:
            raise errors.fail("ZeroQuantity", orderHash=h)
        if abs(order.quantity) > MAX_ABS or abs(order.price) > MAX_ABS:
            raise errors.fail("OrderOutOfRange", orderHash=h, price=order.price, quantity=order.quantity)
        if order.expiry != 0 and self.s.now is not None and self.s.now > order.expiry:
            raise errors.fail("OrderExpired", orderHash=h, expiry=order.expiry, timestamp=self.s.now)

    def check_signature(self, trader: str, h: bytes, signature: bytes) -> None:
        if not signature_valid(trader, h, signature, self.erc1271):
            raise errors.fail("InvalidSignature", trader=trader, orderHash=h)

    def tradable_bounds(self, root_id: int, branch_id: int) -> Bounds:
        """Bounds of a market that takes orders: it exists, its root has not settled, was not closed at
        the flagged terms and is not frozen."""
        reg = self.s.registry
        if not reg.exists(root_id, branch_id):
            raise errors.fail("UnknownMarket", rootId=root_id, branchId=branch_id)
        root = reg.bounds(root_id, 1)
        if root.is_point:
            raise errors.fail("MarketSettled", rootId=root_id, outcome=root.min)
        if reg.roots[root_id].flagged:
            raise errors.fail("MarketFlagged", rootId=root_id)
        if reg.is_frozen(root_id):
            raise errors.fail("MarketFrozen", rootId=root_id)
        return reg.bounds(root_id, branch_id)

    def open_record(self, h: bytes) -> Record:
        rec = self.s.book.get(h)
        if rec is None or rec.trade_type != TradeType.PRIMARY or rec.is_matched or rec.remaining == 0:
            raise errors.fail("OrderNotOpen", orderHash=h)
        return rec

    def chain_head(self, trader: str) -> bytes:
        return self.s.heads.get(addr(trader), ZERO_HASH)

    # ---- entry -------------------------------------------------------------------------------
    def place(self, order: Order, signature: bytes) -> bytes:
        """Admit a signed Primary order (``Orders.placeOrder``); returns its hash."""
        h = self.digest(order)
        if order.trade_type != TradeType.PRIMARY or order.is_matched:
            raise errors.fail("UnsupportedOrder", orderHash=h, tradeType=int(order.trade_type), isMatched=order.is_matched)
        self.check_terms(order, h)
        b = self.tradable_bounds(order.market_root_id, order.market_branch_id)
        if not b.contains(order.price):
            raise errors.fail("PriceOutOfBounds", price=order.price, min=b.min, max=b.max)
        if h in self.s.book:
            raise errors.fail("OrderExists", orderHash=h)
        head = self.chain_head(order.trader)
        if order.previous != head:
            raise errors.fail("BrokenChain", trader=order.trader, expected=head, provided=order.previous)
        self.check_signature(order.trader, h, signature)

        # Collateral._openOrder: list the root, take the lowest free slot, run the check.
        trader, root_id = order.trader, order.market_root_id
        acct = deepcopy(self.s.account(trader, root_id))
        cfg = self.s.config
        if not acct.listed and len(self.s.roots_of.get(trader, [])) >= cfg.max_roots:
            raise errors.fail("TooManyRoots", trader=trader, max=cfg.max_roots)
        slot = next(i for i in range(len(acct.slots) + 1) if i not in acct.slots)
        if slot >= cfg.max_open_orders:
            raise errors.fail("TooManyOpenOrders", trader=trader, rootId=root_id, max=cfg.max_open_orders)
        acct.slots[slot] = h
        acct.branches.add(order.market_branch_id)
        self.s.orders[h] = order  # needed by the check; removed again if it fails
        self.s.book[h] = Record(TradeType.PRIMARY, False, abs(order.quantity), slot, 0)
        try:
            self.require_solvent(trader, self.s.balances.get(trader, 0), {root_id: acct})  # type: ignore[attr-defined]
        except errors.ContractError:
            del self.s.orders[h], self.s.book[h]
            raise
        seq = self.s.order_count.get(root_id, 0) + 1
        self.s.order_count[root_id] = seq
        self.s.book[h].seq = seq
        self.s.registry.mark_ordered(root_id, order.market_branch_id)
        self.s.heads[trader] = h
        if not acct.listed:
            acct.listed = True
            self.s.roots_of.setdefault(trader, []).append(root_id)
        self.s.accounts[(trader, root_id)] = acct
        return h
