"""Exact conversion between decimal amounts and 18-decimal integers ("wad").

Every price, bound, quantity and collateral amount that decides acceptance or moves money is an
integer with 18 implied decimals, on-chain and here. Floats are refused: ``0.1`` is not one tenth.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Union

WAD = 10**18
DECIMALS = 18
INT128_MIN = -(2**127)
INT128_MAX = 2**127 - 1

#: What a user may pass where an amount is expected.
DecimalLike = Union[str, int, Decimal]


class AmountError(ValueError):
    """An amount that cannot be converted exactly to an 18-decimal integer."""


class FloatNotAllowed(TypeError):
    """A float was given where an exact decimal amount is required."""


def to_wad(value: DecimalLike, *, name: str = "amount", decimals: int = DECIMALS) -> int:
    """Convert a decimal amount to an integer with ``decimals`` implied decimals, exactly.

    ``"0.1"``, ``Decimal("0.1")`` and ``1`` (one whole unit) are accepted; a float is refused
    because it cannot say which decimal was meant, and so is a value with more fractional digits
    than ``decimals`` (rounding would decide acceptance silently).
    """
    if isinstance(value, bool):
        raise AmountError(f"{name}: a bool is not an amount")
    if isinstance(value, float):
        raise FloatNotAllowed(
            f"{name}={value!r} is a float; floats cannot represent most decimals exactly "
            f"(0.1 is really {Decimal(0.1)}). Pass a string ('{value}') or a Decimal instead."
        )
    if isinstance(value, int):
        return value * 10**decimals
    if isinstance(value, str):
        try:
            value = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise AmountError(f"{name}={value!r} is not a decimal number") from None
    if not isinstance(value, Decimal):
        raise AmountError(f"{name}: expected str, int or Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise AmountError(f"{name}={value} is not finite")
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise AmountError(
            f"{name}={value} has more than {decimals} decimal places; it cannot be represented exactly"
        )
    return int(scaled)


def from_wad(amount: int, *, decimals: int = DECIMALS) -> Decimal:
    """The exact decimal value of an integer with ``decimals`` implied decimals."""
    return Decimal(amount).scaleb(-decimals).normalize() if amount else Decimal(0)


def check_int128(value: int, *, name: str) -> int:
    """Refuse an integer outside the int128 range the contracts store prices and quantities in."""
    if not INT128_MIN <= value <= INT128_MAX:
        raise AmountError(f"{name}={value} is outside the int128 range of the contracts")
    return value


def format_wad(amount: int) -> str:
    """Human-readable decimal string of a wad amount (exact, no exponent)."""
    return f"{from_wad(amount):f}"
