"""Replay rules of the Exchange's events: markets, vault, book, claims, managed roots, pool accounts.

Each rule applies its event through the node's own entry point (which re-checks everything the
contract checked and raises the contract's error otherwise) and compares what the node reached
with the values the event logged. Access checks whose caller an event does not name (``OracleSet``,
``RootFlagged``) run as the root's owner: the event exists, so the chain found the caller entitled.
"""

from __future__ import annotations

from typing import Optional

from ... import errors
from ...lmsr.pool import funding
from ...matching import Leg, MatchRequest
from ...orders import Order, SignedOrder, TradeType
from .. import Node
from ..state import ZERO_ADDRESS, addr
from .core import Event, Mismatch, Scratch, expect


class ExchangeEvents:
    node: Node
    scratch: Scratch
    #: Dependent orders (Partial, Offset, Reduction) logged just before the event that uses them.
    pending: dict[bytes, SignedOrder]
    partial_for: dict[bytes, bytes]
    #: Digests whose ``OrderAdded`` says the chain checked them through the trader's ERC-1271 wallet.
    wallet_signed: set[bytes]

    # ---- markets -----------------------------------------------------------------------------
    def _on_RootCreated(self, e: Event) -> None:
        root_id = int(e.args["rootId"])
        expect(root_id not in self.node.s.registry.roots, f"root {root_id} exists already")
        self.scratch.created[root_id] = addr(e.args["owner"])

    def _on_MarketDefined(self, e: Event) -> None:
        a = e.args
        root_id, definer = int(a["rootId"]), addr(a["definer"])
        if self.scratch.signer is not None:  # a relayed definition: its signer defines
            signer, self.scratch.signer = self.scratch.signer, None
            expect(definer == signer, f"definer {definer} is not the signer {signer}")
        if root_id not in self.node.s.registry.roots:
            expect(self.scratch.created.pop(root_id, None) == definer, f"root {root_id} defined without its RootCreated")
        got = self.node.define(definer, root_id, int(a["branchId"]), int(a["min"]), int(a["max"]))
        expect((got.min, got.max) == (int(a["effectiveMin"]), int(a["effectiveMax"])), "effective bounds differ")

    def _on_RootSettled(self, e: Event) -> None:
        outcome = self.node.s.registry.settled_outcome(int(e.args["rootId"]))
        expect(outcome == int(e.args["outcome"]), f"the node's outcome is {outcome}")

    def _on_DefinitionSigned(self, e: Event) -> None:
        signer, nonce = addr(e.args["signer"]), int(e.args["nonce"])
        used = self.node.s.nonces.get(signer, 0)
        expect(nonce == used, f"nonce {nonce} is not the signer's next, {used}")
        self.node.s.nonces[signer] = used + 1
        self.scratch.signer = signer

    def _on_OracleSet(self, e: Event) -> None:
        root_id = int(e.args["rootId"])
        self.node.set_oracle(self._owner(root_id), root_id, addr(e.args["oracle"]), bool(e.args["authorized"]))

    def _on_RootOwnershipTransferred(self, e: Event) -> None:
        a = e.args
        self.node.s.registry.transfer_ownership(addr(a["previousOwner"]), int(a["rootId"]), addr(a["newOwner"]))

    def _on_RootFrozen(self, e: Event) -> None:
        self.node.set_frozen(addr(e.args["by"]), int(e.args["rootId"]), bool(e.args["frozen"]))

    def _on_EIP712DomainChanged(self, e: Event) -> None:
        raise Mismatch("the EIP-712 domain is fixed at deployment: the node's order digests would no longer hold")

    def _signed_by_wallet(self, trader: str, digest: bytes, signature: bytes) -> bool:
        """The node's ERC-1271 answer in a replay: what the digest's ``OrderAdded`` logged."""
        return digest in self.wallet_signed

    def _owner(self, root_id: int) -> str:
        root = self.node.s.registry.roots.get(root_id)
        return root.owner if root is not None else ZERO_ADDRESS

    # ---- vault -------------------------------------------------------------------------------
    def _on_Deposited(self, e: Event) -> None:
        account = addr(e.args["account"])
        credited = self.node.deposit(account, int(e.args["tokenAmount"]))
        expect(credited == int(e.args["credited"]), "credit differs")
        self.scratch.deposits[account] = self.scratch.deposits.get(account, 0) + credited

    def _on_Withdrawn(self, e: Event) -> None:
        tokens = self.node.withdraw(addr(e.args["account"]), int(e.args["debited"]))
        expect(tokens == int(e.args["tokenAmount"]), "token amount differs")

    # ---- book --------------------------------------------------------------------------------
    def _on_OrderAdded(self, e: Event) -> None:
        order = Order.from_tuple(e.args["order"])
        signed = SignedOrder(order, bytes(e.args["signature"]), bytes(e.args["orderHash"]))
        expect(self.node.digest(order) == signed.hash, "order hash differs")
        # ``erc1271``: the trader had code, so the chain asked its wallet (ERC-1271) at this block and
        # it said yes; the node cannot run the wallet and takes the event's word for this digest
        # only. Otherwise the signature is an EOA's and the node verifies it itself. Until the
        # Exchange logs the field (docs/node.md), an order without it counts as an EOA's, so a
        # wallet's order is refused with InvalidSignature: loudly, never from a probe of the chain.
        if bool(e.args.get("erc1271", False)):
            self.wallet_signed.add(signed.hash)
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
            order = self._open_order(h)
            partial_hash = self.partial_for.pop(h, None)
            legs.append(Leg(order, self.pending.pop(partial_hash) if partial_hash else None))
        expect(
            (legs[0].order.market_root_id, legs[0].order.market_branch_id) == (int(e.args["rootId"]), int(e.args["branchId"])),
            "the match's market differs from its orders'",
        )
        self.node.match(MatchRequest(legs[0], legs[1], int(e.args["quantity"]), int(e.args["price"])))

    def _on_OrderCancelled(self, e: Event) -> None:
        target, offset = self._dependent(e, "offsetHash")
        cancelled = self.node.cancel(target, offset.order, offset.signature)
        expect(cancelled == int(e.args["cancelled"]), "cancelled quantity differs")

    def _on_OrderReduced(self, e: Event) -> None:
        target, reduction = self._dependent(e, "reductionHash")
        left = self.node.reduce(target, reduction.order, reduction.signature)
        expect(left == int(e.args["remaining"]), "remaining quantity differs")
        expect(abs(reduction.order.quantity) == int(e.args["reduced"]), "reduced quantity differs")

    def _dependent(self, e: Event, key: str) -> tuple[Order, SignedOrder]:
        target = self._open_order(bytes(e.args["orderHash"]))
        dependent = self.pending.pop(bytes(e.args[key]), None)
        expect(dependent is not None, f"no OrderAdded for {key} before it")
        assert dependent is not None
        return target, dependent

    def _open_order(self, h: bytes) -> Order:
        order: Optional[Order] = self.node.s.orders.get(h)
        if order is None:
            raise errors.fail("OrderNotOpen", orderHash=h)
        return order

    # ---- settlement and managed roots --------------------------------------------------------
    def _on_Claimed(self, e: Event) -> None:
        trader, root_id = addr(e.args["trader"]), int(e.args["rootId"])
        payoff = self.node.claim(trader, root_id, addr(e.args["caller"]))
        expect(payoff == int(e.args["payoff"]), f"payoff {payoff} differs from the chain's {int(e.args['payoff'])}")
        self.scratch.claims[(trader, root_id)] = payoff

    def _on_RootManaged(self, e: Event) -> None:
        self.node.manage_root(addr(e.args["owner"]), int(e.args["rootId"]))

    def _on_RootFlagged(self, e: Event) -> None:
        root_id = int(e.args["rootId"])
        t = self.node.flag_root(self._owner(root_id), root_id, addr(e.args["residual"]))
        logged = (int(e.args["returnRate"]), int(e.args["bonusRate"]), int(e.args["residualPayoff"]))
        expect((t.return_rate, t.bonus_rate, t.residual_payoff) == logged, f"flagged terms differ from the chain's {logged}")

    # ---- pool accounts (the Exchange's side of the Maker) ------------------------------------
    def _on_PoolFunded(self, e: Event) -> None:
        key = self.node.pool_of_account(addr(e.args["pool"]))
        logged = (addr(e.args["creator"]), int(e.args["rootId"]), int(e.args["branchId"]), int(e.args["amount"]))
        expect((key.creator, key.root_id, key.branch_id, funding(key.b)) == logged, "pool funding differs from its PoolCreated")

    def _on_PoolReleased(self, e: Event) -> None:
        account = addr(e.args["pool"])
        key = self.node.pool_of_account(account)
        released = self.scratch.released.pop(account, None)
        expect(released == int(e.args["amount"]), f"release {e.args['amount']} without a pool payout of it ({released})")
        expect(addr(e.args["to"]) == key.creator, "released to another account than the pool's creator")

    def _on_OrderFilledByPool(self, e: Event) -> None:
        a = e.args
        h, account = bytes(a["orderHash"]), addr(a["pool"])
        order = self._open_order(h)
        self.node.pool_fill(self.node.pool_of_account(account), order, int(a["quantity"]))
        t = self.node.last_trade
        expect(t is not None and t.cost == int(a["cost"]), "pool fill's cost differs")
        self.scratch.fill = (h, account)
