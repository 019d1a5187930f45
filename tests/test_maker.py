"""The LMSR maker on a real Anvil node through the client: pools, trades, refusals, settlement."""

from __future__ import annotations

import pytest

from pmarket import errors
from pmarket.lmsr import Side, paid, price
from pmarket.wad import WAD

ROOT = 7


@pytest.fixture
def market(exchange, owner):
    exchange.define(owner, ROOT, 1, 0, 1)
    return exchange


@pytest.fixture
def pool(market, carol, credit):
    credit(carol, "100")
    return market.maker.create_pool(carol, ROOT, b=100)


def test_pool_locks_b_ln2_and_prices_half(market, pool, carol):
    maker = market.maker
    funding = maker.funding_for(100)
    assert funding == 69314718055994530942  # ceil(100 ln 2) in wei, ln 2 rounded up
    assert market.balance(pool.account) == funding
    assert market.balance(carol) == 100 * WAD - funding
    assert maker.prices(pool) == (WAD // 2, WAD // 2)
    assert maker.pool_key(pool.id) == pool


def test_buy_charges_the_reference_and_positions_mirror(market, pool, alice, credit):
    credit(alice, "50")
    maker = market.maker
    expected = price(pool.terms, 0, 0, Side.LONG, 10 * WAD)
    quoted, fee, quantity = maker.quote(pool, "long", 10)
    assert (quoted, fee, quantity) == (paid(expected), 0, 10 * WAD)
    receipt = maker.buy(alice, pool, "long", 10, max_cost="5.2")
    log = receipt.decode_logs(maker.contract.PoolTraded)[0]
    assert (log.quantity, log.cost, log.fee) == (10 * WAD, expected.cost, 0)
    assert tuple(market.position(alice, ROOT, 1).__dict__.values()) == (10 * WAD, expected.cost)
    assert tuple(market.position(pool.account, ROOT, 1).__dict__.values()) == (-10 * WAD, -expected.cost)
    assert maker.pool_state(pool) == (10 * WAD, 0, True)


def test_refusals_carry_their_values(market, pool, alice, credit):
    maker = market.maker
    credit(alice, "1")
    with pytest.raises(errors.SlippageExceeded) as err:
        maker.buy(alice, pool, "long", 10, max_cost="5")
    assert err.value.values["limit"] == 5 * WAD
    with pytest.raises(errors.InsufficientCollateral):
        maker.buy(alice, pool, "long", 10)
    with pytest.raises(errors.DeadlinePassed):
        maker.buy(alice, pool, "long", 1, deadline=1)
    with pytest.raises(errors.PoolNotIdle):
        credit(alice, "10")
        maker.buy(alice, pool, "short", 1)
        maker.close_pool(pool)
