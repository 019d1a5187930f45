"""Fixtures: a real Anvil node (ape-foundry), fresh contracts per test module, named accounts."""

from __future__ import annotations

import pytest

from pmarket.addresses import address_of
from pmarket.exchange import Exchange
from pmarket.typed import Domain

MAX_BRANCHES = 8


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[3]


@pytest.fixture
def token(project, owner):
    """A 6-decimal collateral token, like USDC."""
    return project.TestToken.deploy("Test USD", "tUSD", 6, sender=owner)


@pytest.fixture
def exchange(project, owner, token) -> Exchange:
    return Exchange.deploy(collateral=token, max_branches=MAX_BRANCHES, sender=owner)


@pytest.fixture
def domain(exchange) -> Domain:
    return exchange.domain


@pytest.fixture
def funded(exchange, token, alice, bob, carol):
    """alice, bob and carol each hold 1,000,000 tokens."""
    for who in (alice, bob, carol):
        token.mint(who.address, 1_000_000 * 10**6, sender=who)
    return exchange


@pytest.fixture
def credit(exchange, token, owner):
    """``credit(address, "100")``: owner mints tokens and deposits them for any address."""

    def _credit(account, amount: str, ex: Exchange = None) -> None:
        target = ex or exchange
        units = target.token_units(amount)
        target.token.mint(owner.address, units, sender=owner)
        target.token.approve(target.address, units, sender=owner)
        target.contract.depositFor(address_of(account), units, sender=owner)

    return _credit
