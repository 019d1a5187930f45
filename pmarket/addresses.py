"""Addresses as pmarket hands them to the contracts: one normalising rule for the whole client.

Wherever the client takes an account it accepts an ape account (anything with ``.address``) or an
address string, and passes the checksummed address on (:func:`address_of`).
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def address_of(account: Any) -> str:
    """The checksummed address of ``account``: an ape account, a contract or an address string."""
    return to_checksum_address(str(getattr(account, "address", account)))
