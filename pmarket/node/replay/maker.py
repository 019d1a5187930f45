"""Replay rules of the Maker's events: pools created, traded, filled, closed, retired and settled.

A trade is re-priced with the chain's integer arithmetic from the node's own pool state and its
cost and fee compared with the logged ones; the trader's slippage bound and deadline are not in
the event and are not re-checked (the chain enforced them).
"""

from __future__ import annotations

from typing import Any

from ... import errors
from ...lmsr.pool import Side, funding
from ...maker import PoolKey
from .. import Node
from ..state import addr
from .core import Event, Scratch, expect


class MakerEvents:
    node: Node
    scratch: Scratch

    def _on_PoolCreated(self, e: Event) -> None:
        k = PoolKey.from_tuple(e.args["key"])
        period = int(e.args["period"])  # zero for a plain pool
        if period == 0:
            key = self.node.create_pool(k.creator, k.root_id, k.branch_id, k.b, k.fee_bps, k.salt)
        else:  # the node checks the creator manages the root, as the Maker did
            key = self.node.create_tracked_pool(k.creator, k.root_id, k.branch_id, k.b, k.fee_bps, k.salt, period)
        expect(key.id == bytes(e.args["poolId"]), "pool id differs")
        expect((addr(e.args["creator"]), int(e.args["rootId"])) == (key.creator, key.root_id), "creator or root differs from the key's")
        expect(addr(e.args["account"]) == key.account, "pool account differs")
        expect(funding(key.b) == int(e.args["funding"]), "funding differs")

    def _on_PoolTraded(self, e: Event) -> None:
        a = e.args
        key = self._key(a["poolId"])
        side = Side(int(a["side"]))
        n = int(a["quantity"]) if side == Side.LONG else -int(a["quantity"])
        # The chain enforced the trader's slippage bound; the node re-prices and compares.
        self.node.trade_forward(addr(a["trader"]), key, side, n, 2**255 if n > 0 else -(2**255))
        t = self.node.last_trade
        expect(t is not None and (t.cost, t.fee) == (int(a["cost"]), int(a["fee"])), "pool trade's cost or fee differs")

    def _on_PoolFilled(self, e: Event) -> None:
        """The Maker's record of the fill the Exchange's ``OrderFilledByPool`` applied just before."""
        a = e.args
        key = self._key(a["poolId"])
        fill, t = self.scratch.fill, self.node.last_trade
        expect(fill == (bytes(a["orderHash"]), key.account), "PoolFilled without its OrderFilledByPool")
        order = self.node.s.orders[bytes(a["orderHash"])]
        expect(addr(a["owner"]) == order.trader, "fill's owner differs from the order's trader")
        logged = (int(a["quantity"]), int(a["cost"]), int(a["fee"]))
        expect(t is not None and (t.quantity, t.cost, t.fee) == logged, f"pool fill {logged} differs from the node's")
        self.scratch.fill = None

    def _on_PositionClosed(self, e: Event) -> None:
        key = self._key(e.args["poolId"])
        trader = addr(e.args["trader"])
        self._before_close(key, trader)
        closed = self.node.close_for(key.creator, key, trader)
        logged = (int(e.args["quantity"]), int(e.args["cost"]), int(e.args["discount"]))
        expect(closed == logged, f"close {closed} differs from the chain's {logged}")

    def _on_PoolRetired(self, e: Event) -> None:
        key = self._key(e.args["poolId"])
        released = self.node.close_pool(key.creator, key)
        expect(released == int(e.args["released"]), "released amount differs")
        if released:
            self.scratch.released[key.account] = released

    def _on_PoolSettled(self, e: Event) -> None:
        key = self._key(e.args["poolId"])
        released = self.node.claim_pool(key)
        expect(released == int(e.args["released"]), "released amount differs")
        self.scratch.released[key.account] = released
        self.scratch.pool_settled[key.id] = released

    def _key(self, pool_id: Any) -> PoolKey:
        pool = self.node.s.pools.get(bytes(pool_id))
        if pool is None:
            raise errors.fail("UnknownPool", poolId=bytes(pool_id))
        return pool.key

    def _before_close(self, key: PoolKey, trader: str) -> None:
        """The pool creator's own conditions for a close (an artifact registry's: ``ArtifactsEvents``)."""
