"""Orders: the typed order model, its EIP-712 hash and signature, and the Orders calls.

An :class:`Order` holds exact 18-decimal integers; :meth:`Order.limit` builds one from decimal
amounts (strings, ``Decimal``, ints -- never floats). :meth:`Order.sign` signs it with an ape account
or a bare private key; the result, a :class:`SignedOrder`, is what anyone may relay to the book.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any, Mapping, Optional, Union

from eth_utils import is_address, to_checksum_address

from . import typed
from .addresses import address_of
from .errors import PMarketError
from .transport import ContractClient, account_of
from .wad import DecimalLike, check_int128, to_wad


ZERO_HASH = b"\x00" * 32
UINT16_MAX = 2**16 - 1
UINT64_MAX = 2**64 - 1


class TradeType(IntEnum):
    """The seed's order types (``0`` marks a hash absent from the book)."""

    NONE = 0
    PRIMARY = 1
    PARTIAL = 2
    OFFSET = 3
    REDUCTION = 4


class OrderError(PMarketError, ValueError):
    """An order that cannot be built as given (range, type or address)."""


def _bytes32(value: Union[bytes, str, None], name: str) -> bytes:
    if value is None:
        return ZERO_HASH
    raw = bytes.fromhex(value[2:] if value.startswith("0x") else value) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise OrderError(f"{name} must be 32 bytes, got {len(raw)}")
    return raw


@dataclass(frozen=True)
class Order:
    """A pmarket order; amounts are 18-decimal integers (see :meth:`limit` for decimal input)."""

    trader: str
    market_root_id: int
    market_branch_id: int
    price: int
    quantity: int
    previous: bytes = ZERO_HASH
    trade_root_id: int = 0
    trade_branch_id: int = 1
    is_matched: bool = False
    trade_type: TradeType = TradeType.PRIMARY
    expiry: int = 0

    def __post_init__(self) -> None:
        if not is_address(self.trader):
            raise OrderError(f"trader={self.trader!r} is not an address")
        object.__setattr__(self, "trader", to_checksum_address(self.trader))
        object.__setattr__(self, "previous", _bytes32(self.previous, "previous"))
        object.__setattr__(self, "trade_type", TradeType(self.trade_type))
        for name in ("price", "quantity"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise OrderError(f"{name} must be an 18-decimal int; use Order.limit() for decimals")
            check_int128(value, name=name)
        for name, top in (
            ("market_root_id", 2**256 - 1),
            ("trade_root_id", 2**256 - 1),
            ("market_branch_id", UINT16_MAX),
            ("trade_branch_id", UINT16_MAX),
            ("expiry", UINT64_MAX),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= top:
                raise OrderError(f"{name}={value!r} is outside 0..{top}")

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def limit(
        cls,
        trader: Any,
        root_id: int,
        branch_id: int,
        price: DecimalLike,
        quantity: DecimalLike,
        *,
        previous: Union[bytes, str, None] = None,
        expiry: int = 0,
        trade_root_id: int = 0,
    ) -> "Order":
        """A Primary limit order from decimal amounts: ``quantity > 0`` bids, ``< 0`` offers."""
        return cls(
            trader=str(getattr(trader, "address", trader)),  # checked and checksummed by __post_init__
            market_root_id=root_id,
            market_branch_id=branch_id,
            price=to_wad(price, name="price"),
            quantity=to_wad(quantity, name="quantity"),
            previous=_bytes32(previous, "previous"),
            trade_root_id=trade_root_id,
            expiry=expiry,
        )

    @classmethod
    def from_tuple(cls, values: Union[tuple, list, Mapping[str, Any]]) -> "Order":
        """An order from the contract's struct (tuple in field order, or a mapping by name)."""
        if isinstance(values, Mapping):
            values = tuple(values[name] for name in typed.Order.model_fields)
        (trade_root, trade_branch, matched, price, qty, root, branch, trader, ttype, prev, expiry) = values
        return cls(
            trader=str(trader),
            market_root_id=int(root),
            market_branch_id=int(branch),
            price=int(price),
            quantity=int(qty),
            previous=bytes(prev),
            trade_root_id=int(trade_root),
            trade_branch_id=int(trade_branch),
            is_matched=bool(matched),
            trade_type=TradeType(int(ttype)),
            expiry=int(expiry),
        )

    def with_previous(self, previous: Union[bytes, str]) -> "Order":
        return replace(self, previous=_bytes32(previous, "previous"))

    # ---- encoding ----------------------------------------------------------------------------
    def as_tuple(self) -> tuple:
        """The order as the contract's ``Order`` struct argument."""
        return (
            self.trade_root_id,
            self.trade_branch_id,
            self.is_matched,
            self.price,
            self.quantity,
            self.market_root_id,
            self.market_branch_id,
            self.trader,
            int(self.trade_type),
            self.previous,
            self.expiry,
        )

    def typed(self, domain: typed.Domain) -> typed.Order:
        """The EIP-712 message of this order under ``domain``."""
        names = typed.Order.model_fields
        return typed.Order(**dict(zip(names, self.as_tuple())), eip712_domain=domain.eip712())

    def digest(self, domain: typed.Domain) -> bytes:
        """The EIP-712 digest: what the trader signs and the book's key."""
        return typed.digest(self.typed(domain))

    def sign(self, signer: Any, domain: typed.Domain) -> "SignedOrder":
        """Sign with an ape account or a raw private key."""
        message = self.typed(domain)
        return SignedOrder(self, typed.sign(message, signer), typed.digest(message))


@dataclass(frozen=True)
class SignedOrder:
    """An order, its signature and its EIP-712 digest: what a relayer submits."""

    order: Order
    signature: bytes
    hash: bytes

    def signer(self, domain: typed.Domain) -> str:
        """Recover the EOA that signed (meaningless for ERC-1271 contract-wallet signatures)."""
        return typed.recover(self.order.typed(domain), self.signature)


def _as_order(order: Union[Order, SignedOrder]) -> Order:
    """The order of a :class:`SignedOrder`, or ``order`` itself; a hash is refused by name."""
    if isinstance(order, SignedOrder):
        return order.order
    if isinstance(order, Order):
        return order
    raise OrderError(
        f"order_state takes the Order or SignedOrder, not {type(order).__name__}: the open quantity is "
        "kept with the trader's open order in its root, which a hash alone does not locate"
    )


class OrdersCalls:
    """The client's calls to the Orders functions of an :class:`~pmarket.exchange.Exchange`."""

    def chain_head(self: ContractClient, trader: Any) -> bytes:
        """The trader's last valid order hash: the ``previous`` of their next Primary order."""
        return bytes(self.call("chainHead", address_of(trader)))

    def order_state(self: ContractClient, order: Union[Order, SignedOrder]) -> tuple[TradeType, bool, int]:
        """``(trade_type, is_matched, remaining)`` of an order in the book (``TradeType.NONE`` if absent).

        Takes the order, not its hash: the open quantity lives with the trader's open order in the
        root (one slot that the check reads too), which the hash alone does not locate."""
        ttype, matched, remaining, _slot, _seq = self.call("orderState", _as_order(order).as_tuple())
        return TradeType(int(ttype)), bool(matched), int(remaining)

    def order_record(self: ContractClient, order: Union[Order, SignedOrder]) -> dict[str, Any]:
        """The book's whole record of an order: trade type, matched flag, open quantity, the order's
        slot among its trader's open orders in the root, and its number in the root's book."""
        ttype, matched, remaining, slot, seq = self.call("orderState", _as_order(order).as_tuple())
        return {"trade_type": TradeType(int(ttype)), "is_matched": bool(matched), "remaining": int(remaining),
                "slot": int(slot), "seq": int(seq)}

    def hash_order(self: ContractClient, order: Order) -> bytes:
        """The contract's EIP-712 digest of ``order`` (equals :meth:`Order.digest`)."""
        return bytes(self.call("hashOrder", order.as_tuple()))

    def sign_limit(
        self: ContractClient,
        trader: Any,
        root_id: int,
        branch_id: int,
        price: DecimalLike,
        quantity: DecimalLike,
        *,
        expiry: int = 0,
        trade_root_id: int = 0,
        previous: Optional[bytes] = None,
    ) -> SignedOrder:
        """Build a Primary limit order chained to the trader's head on chain, and sign it."""
        order = Order.limit(
            trader,
            root_id,
            branch_id,
            price,
            quantity,
            previous=OrdersCalls.chain_head(self, trader) if previous is None else previous,
            expiry=expiry,
            trade_root_id=trade_root_id,
        )
        return order.sign(trader, self.domain)

    def place(self: ContractClient, signed: SignedOrder, *, sender: Any = None) -> Any:
        """Relay a signed order to the book from ``sender`` (by default the trader's ape account)."""
        sender = sender if sender is not None else account_of(signed.order.trader)
        return self.transact("placeOrder", signed.order.as_tuple(), signed.signature, sender=sender)
