"""Shared set-up of the artifact-market tests (tests/test_artifacts_*.py): one Exchange, one
registry with an oracle and one bounty escrow per test module (ape's isolation reverts every test
to the module's state), plus helpers for deposits, registrations, book trades and the ledger.

Import the fixtures into a test module with ``from .artifact_fixtures import *``."""

from __future__ import annotations

from typing import Any, Iterable

import pytest

from pmarket.addresses import address_of
from pmarket.artifacts import Artifacts, artifact_id
from pmarket.bounties import Bounties
from pmarket.collateral import Position
from pmarket.exchange import Exchange
from pmarket.lifecycle import FlagTerms, State, Totals, flag_terms
from pmarket.wad import WAD

UNIT = 10**12  # one unit of the 6-decimal collateral token, in the Exchange's 18 decimals
DAY = 86_400

__all__ = [
    "WAD", "UNIT", "DAY", "oracle", "dave", "erin", "frank", "ex", "registry", "escrow",
    "give", "register", "book_trade", "pool_of", "chain_terms", "reference_terms", "ledger_of",
    "reserve_after_registration", "root_of", "new_traders", "warp_to", "around",
]


# ---- accounts ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def oracle(accounts):
    """Holds the registry's oracle role (granted by ``owner``, the admin)."""
    return accounts[4]


@pytest.fixture(scope="session")
def dave(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def erin(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def frank(accounts):
    return accounts[7]


# ---- deployments (one per module) -------------------------------------------------------------
@pytest.fixture(scope="module")
def ex(project, owner) -> Exchange:
    token = project.TestToken.deploy("Test USD", "tUSD", 6, sender=owner)
    return Exchange.deploy(collateral=token, max_branches=8, sender=owner)


@pytest.fixture(scope="module")
def registry(ex, owner, oracle) -> Artifacts:
    """An artifact registry with the seed's parameters (90-day close, one-day window, 0.7/0.3/0.1)."""
    arts = Artifacts.deploy(ex, sender=owner)
    arts.grant_oracle(oracle, sender=owner)
    return arts


@pytest.fixture(scope="module")
def escrow(registry, owner) -> Bounties:
    return Bounties.deploy(registry, sender=owner)


# ---- helpers ----------------------------------------------------------------------------------
def give(ex: Exchange, owner: Any, who: Any, amount: str) -> None:
    """``owner`` mints ``amount`` tokens and deposits them for ``who`` on the Exchange."""
    units = ex.token_units(amount)
    ex.token.mint(owner.address, units, sender=owner)
    ex.token.approve(ex.address, units, sender=owner)
    ex.contract.depositFor(address_of(who), units, sender=owner)


def register(arts: Artifacts, registrant: Any, name: str, *, b: Any, fee_bps: int = 0):
    """Mint the registrant what the pool's funding takes, then register ``name``."""
    funding = arts.exchange.maker.funding_for(b)
    arts.exchange.token.mint(registrant.address, -(-funding // UNIT), sender=registrant)
    return arts.register(name, b=b, fee_bps=fee_bps, sender=registrant)


def reserve_after_registration(arts: Artifacts, b: Any) -> int:
    """What the registry keeps of a registration: the funding paid in whole token units, less the
    pool's exact funding (a dust below one token unit)."""
    funding = arts.exchange.maker.funding_for(b)
    return -(-funding // UNIT) * UNIT - funding


def book_trade(ex: Exchange, root: int, long: Any, short: Any, price: str, quantity: str, *, sender: Any) -> None:
    """``long`` buys and ``short`` sells ``quantity`` at ``price`` through the book: two signed
    limit orders placed and matched in one transaction (the bid entered first: its price)."""
    bid = ex.sign_limit(long, root, 1, price, quantity)
    ask = ex.sign_limit(short, root, 1, price, "-" + quantity)
    ex.place_and_match(bid, ask, quantity, sender=sender)


def root_of(arts: Artifacts, name: str, round_: int | None = None) -> int:
    if round_ is None:
        return arts.info(name).root_id
    return int(arts.contract.roundInfo(artifact_id(name), round_)[0])


def pool_of(arts: Artifacts, name: str) -> str:
    """The Exchange account of the artifact's current pool."""
    return arts.pool_key(name).account


def chain_terms(ex: Exchange, root: int) -> FlagTerms:
    """The flagged terms the Exchange fixed for ``root`` (``flagTerms``), as the reference's type."""
    r1, r2, residual, payoff = ex.contract.flagTerms(root)
    return FlagTerms(int(r1), int(r2), str(residual), int(payoff))


def reference_terms(ex: Exchange, root: int, traders: Iterable[Any], residual: str) -> FlagTerms:
    """The flagged terms the reference computes from the positions on chain (pool balance included):
    :func:`pmarket.lifecycle.flag_terms` over ``traders`` and the residual."""
    positions = [ex.position(t, root, 1) for t in traders]
    rp = ex.position(residual, root, 1)
    terms = flag_terms(Totals.of(positions + [rp]), residual, rp, ex.balance(residual))
    return FlagTerms(terms.return_rate, terms.bonus_rate, terms.residual, terms.residual_payoff)


def ledger_of(receipt: Any, arts: Artifacts) -> list[tuple[str, int, str, int]]:
    """The ``Settlement`` events of one transaction: ``(trader, amount, reason, payoff)`` in order."""
    return [
        (str(log.trader), int(log.amount), bytes(log.reason).rstrip(b"\0").decode(), int(log.payoff))
        for log in arts.contract.Settlement.from_receipt(receipt)
    ]


def new_traders(accounts: Any, owner: Any, n: int) -> list[Any]:
    """``n`` fresh test accounts with gas money (beyond the ten the node funds)."""
    out = []
    for _ in range(n):
        acct = accounts.generate_test_account()
        owner.transfer(acct, 10**18)
        out.append(acct)
    return out


def warp_to(chain: Any, timestamp: int) -> None:
    """Mine a block at ``timestamp`` (the node's clock moves on from there)."""
    chain.mine(timestamp=timestamp)


def around(price36: int) -> tuple[int, int]:
    """A tracked pool's range (wad) while its log-odds stayed at one value exact to 1e-9 (the range's
    unit), at long price ``price36`` (36 decimals, as LMSRMath computes it): that price less and
    plus LMSRMath's error bound (1e-33), rounded down and up to the wei."""
    from pmarket.lmsr.fixed import ERR

    return (price36 - ERR) // WAD, -(-(price36 + ERR) // WAD)


def positions_of(ex: Exchange, root: int, traders: Iterable[Any]) -> dict[str, Position]:
    return {address_of(t): ex.position(t, root, 1) for t in traders}


__all__ += ["positions_of", "State"]
