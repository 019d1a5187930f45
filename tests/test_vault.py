"""The collateral vault: 18-decimal balances for any token, rounding against the account."""

from __future__ import annotations

import pytest

from pmarket import errors
from pmarket.exchange import Exchange
from pmarket.vault import to_internal, to_tokens, withdrawal
from pmarket.wad import WAD


def held(exchange: Exchange, accounts) -> int:
    """Sum of the balances of ``accounts`` (18 decimals)."""
    return sum(exchange.balance(a) for a in accounts)


def test_six_decimal_deposit_is_normalised_to_18(funded, token, alice):
    tx = funded.deposit("1234.567891", sender=alice)
    assert funded.balance(alice) == 1234_567891 * 10**12
    event = tx.events.filter(funded.contract.Deposited)[0]
    assert (event.account, event.payer, event.tokenAmount, event.credited) == (
        alice.address, alice.address, 1234_567891, 1234_567891 * 10**12,
    )
    assert token.balanceOf(funded.address) == 1234_567891


def test_withdraw_moves_whole_token_units_and_keeps_dust(funded, token, alice):
    funded.deposit("10", sender=alice)
    before = token.balanceOf(alice.address)
    # 1.0000005 has a digit below the token's 6 decimals: only 1.000000 moves, the dust stays credited.
    tx = funded.withdraw("1.0000005", sender=alice)
    assert token.balanceOf(alice.address) - before == 1_000000
    assert funded.balance(alice) == 9 * WAD
    event = tx.events.filter(funded.contract.Withdrawn)[0]
    assert (event.debited, event.tokenAmount) == (WAD, 1_000000)
    assert withdrawal(1_000000_500000_000000, 6) == (WAD, 1_000000)


def test_withdraw_to_another_address(funded, token, alice, carol):
    funded.deposit("5", sender=alice)
    before = token.balanceOf(carol.address)
    funded.withdraw("2", to=carol, sender=alice)
    assert token.balanceOf(carol.address) - before == 2_000000
    assert funded.balance(alice) == 3 * WAD
    with pytest.raises(errors.ZeroAddress):
        funded.transact("withdrawTo", "0x" + "00" * 20, WAD, sender=alice)


def test_deposit_for_credits_the_beneficiary(funded, token, alice, bob):
    token.approve(funded.address, 3_000000, sender=alice)
    tx = funded.transact("depositFor", bob.address, 3_000000, sender=alice)
    assert funded.balance(bob) == 3 * WAD and funded.balance(alice) == 0
    event = tx.events.filter(funded.contract.Deposited)[0]
    assert (event.account, event.payer) == (bob.address, alice.address)


def test_refusals_name_the_values(funded, alice):
    funded.deposit("1", sender=alice)
    with pytest.raises(errors.InsufficientBalance) as err:
        funded.withdraw("1.5", sender=alice)
    assert err.value.values == {"account": alice.address, "balance": WAD, "needed": 1_500000000000000000}
    with pytest.raises(errors.ZeroAmount):
        funded.withdraw("0.0000001", sender=alice)  # below one token unit: nothing would move
    with pytest.raises(errors.ZeroAmount):
        funded.deposit("0", sender=alice)
    assert funded.balance(alice) == WAD  # refusals lose nothing


def test_money_in_equals_money_out_plus_held(funded, token, alice, bob, carol):
    traders = (alice, bob, carol)
    start = {a.address: token.balanceOf(a.address) for a in traders}
    funded.deposit("100.000001", sender=alice)
    funded.deposit("0.5", sender=bob)
    funded.deposit("42", sender=carol)
    funded.withdraw("33.3333333333", sender=alice)
    funded.withdraw("41.999999999999999999", sender=carol)
    paid_in = sum(start[a.address] - token.balanceOf(a.address) for a in traders)
    assert token.balanceOf(funded.address) == paid_in
    # Withdrawals debit only whole token units, so what is held is exactly what the vault owes.
    assert held(funded, traders) == to_internal(token.balanceOf(funded.address), 6)


def test_fee_on_transfer_token_is_credited_what_arrived(project, owner, alice):
    fee_token = project.FeeToken.deploy(6, 100, sender=owner)  # 1% burnt on every transfer
    exchange = Exchange.deploy(collateral=fee_token, max_branches=8, sender=owner)
    fee_token.mint(alice.address, 1_000_000000, sender=alice)
    tx = exchange.deposit("100", sender=alice)
    assert exchange.balance(alice) == 99 * WAD
    assert fee_token.balanceOf(exchange.address) == 99_000000
    assert tx.events.filter(exchange.contract.Deposited)[0].tokenAmount == 99_000000
    exchange.withdraw("99", sender=alice)  # the vault sends 99; the token burns 1% on the way out
    assert exchange.balance(alice) == 0
    assert fee_token.balanceOf(exchange.address) == 0


@pytest.mark.parametrize("decimals", [0, 18, 24])
def test_other_decimals(project, owner, alice, decimals):
    tok = project.TestToken.deploy("T", "T", decimals, sender=owner)
    exchange = Exchange.deploy(collateral=tok, max_branches=8, sender=owner)
    units = 7 * 10**decimals + (5 if decimals > 18 else 0)  # 24 decimals: 5 units below a wei
    tok.mint(alice.address, units, sender=alice)
    tok.approve(exchange.address, units, sender=alice)
    exchange.transact("deposit", units, sender=alice)
    assert exchange.balance(alice) == to_internal(units, decimals) == 7 * WAD
    assert int(exchange.contract.toInternal(units)) == to_internal(units, decimals)
    assert int(exchange.contract.toTokens(3 * WAD)) == to_tokens(3 * WAD, decimals)
    with pytest.raises(errors.InsufficientBalance) as err:  # no overflow panic, whatever the decimals
        exchange.transact("withdraw", 2**256 - 1, sender=alice)
    assert err.value.values["balance"] == 7 * WAD


def test_collateral_with_too_many_decimals_is_refused(project, owner):
    tok = project.TestToken.deploy("T", "T", 37, sender=owner)
    with pytest.raises(errors.UnsupportedDecimals) as err:
        Exchange.deploy(collateral=tok, sender=owner)
    assert err.value.values == {"decimals": 37}
