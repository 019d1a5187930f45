"""Python's EIP-712 order digest equals the contract's, on at least 1,000 random orders."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmarket.orders import Order, TradeType
from pmarket.wad import INT128_MAX, INT128_MIN

orders = st.builds(
    Order,
    trader=st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
    market_root_id=st.integers(0, 2**256 - 1),
    market_branch_id=st.integers(0, 2**16 - 1),
    price=st.integers(INT128_MIN, INT128_MAX),
    quantity=st.integers(INT128_MIN, INT128_MAX),
    previous=st.binary(min_size=32, max_size=32),
    trade_root_id=st.integers(0, 2**256 - 1),
    trade_branch_id=st.integers(0, 2**16 - 1),
    is_matched=st.booleans(),
    trade_type=st.sampled_from(list(TradeType)),
    expiry=st.integers(0, 2**64 - 1),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(order=orders)
def test_python_digest_equals_contract_digest(exchange, domain, order):
    assert exchange.hash_order(order) == order.digest(domain)


def test_digest_depends_on_every_field(exchange, domain, alice):
    base = Order.limit(alice, 1, 1, "0.5", "1")
    variants = [
        base.with_previous(b"\x01" * 32),
        Order(**{**base.__dict__, "price": base.price + 1}),
        Order(**{**base.__dict__, "quantity": -base.quantity}),
        Order(**{**base.__dict__, "market_branch_id": 2}),
        Order(**{**base.__dict__, "expiry": 1}),
        Order(**{**base.__dict__, "trade_type": TradeType.OFFSET}),
        Order(**{**base.__dict__, "is_matched": True}),
        Order(**{**base.__dict__, "trade_branch_id": 2}),
        Order(**{**base.__dict__, "trade_root_id": 5}),
        Order(**{**base.__dict__, "market_root_id": 2}),
    ]
    digests = {base.digest(domain)} | {v.digest(domain) for v in variants}
    assert len(digests) == len(variants) + 1
    for v in variants[:3]:
        assert exchange.hash_order(v) == v.digest(domain)
