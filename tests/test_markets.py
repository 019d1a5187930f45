"""Market rules of protocol.md section 1, on Anvil, against the reference registry."""

from __future__ import annotations

import pytest

from pmarket import errors
from pmarket.markets import Bounds
from pmarket.wad import WAD

ROOT = 7


def w(x) -> int:
    return int(x * WAD) if isinstance(x, int) else x


def test_first_definition_creates_root_owned_by_definer(exchange, alice):
    exchange.define(alice, ROOT, 1, "0", "10")
    owner, count, ordered = exchange.root_info(ROOT)
    assert owner == alice.address and count == 1 and ordered == 0
    assert exchange.bounds(ROOT, 1) == Bounds(0, 10 * WAD)
