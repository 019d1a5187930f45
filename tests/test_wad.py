"""Exact decimal <-> 18-decimal integer conversion, and the order model's input checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pmarket.orders import Order, OrderError
from pmarket.vault import to_internal, to_tokens
from pmarket.wad import AmountError, FloatNotAllowed, format_wad, from_wad, to_wad

ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0.1", 10**17),
        (Decimal("0.1"), 10**17),
        (3, 3 * 10**18),
        ("-2.5", -25 * 10**17),
        ("1_000.000000000000000001", 1000 * 10**18 + 1),
        ("1e-18", 1),
        (" 7 ", 7 * 10**18),
    ],
)
def test_exact_conversion(value, expected):
    assert to_wad(value) == expected
    assert to_wad(from_wad(expected)) == expected


def test_float_is_refused_with_a_reason():
    with pytest.raises(FloatNotAllowed, match="Pass a string"):
        to_wad(0.1)
    with pytest.raises(FloatNotAllowed):
        Order.limit(ALICE, 1, 1, 0.5, "1")


@pytest.mark.parametrize("value", ["0.0000000000000000001", "abc", "NaN", "Infinity", True, None])
def test_unrepresentable_values_are_refused(value):
    with pytest.raises((AmountError, TypeError)):
        to_wad(value)


def test_token_decimals_conversion_rounds_against_the_account():
    assert to_wad("1.5", decimals=6) == 1_500000
    with pytest.raises(AmountError):
        to_wad("1.0000001", decimals=6)
    assert to_internal(1, 6) == 10**12
    assert to_tokens(10**12 - 1, 6) == 0  # less than a unit pays nothing
    assert to_internal(10**6 - 1, 24) == 0  # less than a wei credits nothing
    assert to_tokens(1, 24) == 10**6


def test_format_wad():
    assert format_wad(1_500000000000000000) == "1.5"
    assert format_wad(-1) == "-0.000000000000000001"
    assert format_wad(0) == "0"


def test_order_model_checks_ranges():
    with pytest.raises(AmountError, match="int128"):
        Order.limit(ALICE, 1, 1, "0.5", str(2**127))
    with pytest.raises(OrderError, match="market_branch_id"):
        Order.limit(ALICE, 1, 2**16, "0.5", "1")
    with pytest.raises(OrderError, match="not an address"):
        Order.limit("0x1234", 1, 1, "0.5", "1")
    with pytest.raises(OrderError, match="32 bytes"):
        Order.limit(ALICE, 1, 1, "0.5", "1", previous=b"\x01")
    order = Order.limit(ALICE.lower(), 1, 1, "0.5", "-1")
    assert order.trader == ALICE and order.quantity == -(10**18)
