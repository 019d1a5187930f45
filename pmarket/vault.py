"""Vault: collateral conversions (reference) and the client's deposit and withdrawal calls.

Inside pmarket every balance has 18 decimals. A token of ``d`` decimals converts with the unit
``10**(18 - d)`` (or divides by ``10**(d - 18)`` above 18); every rounding goes against the account.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .addresses import address_of
from .transport import ContractClient
from .wad import DecimalLike, to_wad


def to_internal(token_amount: int, decimals: int) -> int:
    """18-decimal credit for ``token_amount`` token units (rounded down), as the vault computes it."""
    return token_amount * 10 ** (18 - decimals) if decimals <= 18 else token_amount // 10 ** (decimals - 18)


def to_tokens(amount: int, decimals: int) -> int:
    """Token units paid for an 18-decimal ``amount`` (rounded down), as the vault computes it."""
    return amount // 10 ** (18 - decimals) if decimals <= 18 else amount * 10 ** (decimals - 18)


def withdrawal(amount: int, decimals: int) -> tuple[int, int]:
    """``(debited, tokens)`` of a withdrawal request of ``amount``: only whole token units move."""
    tokens = to_tokens(amount, decimals)
    return to_internal(tokens, decimals), tokens


class VaultCalls:
    """The client's calls to the Vault functions of an :class:`~pmarket.exchange.Exchange`."""

    def token_units(self: ContractClient, amount: DecimalLike) -> int:
        """A decimal token amount in the collateral's smallest units."""
        return to_wad(amount, name="amount", decimals=self.decimals)

    def deposit(self: ContractClient, amount: DecimalLike, *, sender: Any, approve: bool = True) -> Any:
        """Deposit ``amount`` tokens (decimal, in token terms) for ``sender``; approves first."""
        units = VaultCalls.token_units(self, amount)
        if approve:
            self.token.approve(self.contract.address, units, sender=sender)
        return self.transact("deposit", units, sender=sender)

    def withdraw(self: ContractClient, amount: DecimalLike, *, sender: Any, to: Any = None) -> Any:
        """Withdraw ``amount`` (decimal, 18-decimal internally) of ``sender``'s balance (to ``to``, by
        default the sender)."""
        wad = to_wad(amount, name="amount")
        if to is None:
            return self.transact("withdraw", wad, sender=sender)
        return self.transact("withdrawTo", address_of(to), wad, sender=sender)

    def balance(self: ContractClient, account: Any) -> int:
        """Free collateral of ``account`` in 18-decimal integers."""
        return int(self.call("balanceOf", address_of(account)))

    def balance_decimal(self: ContractClient, account: Any) -> Decimal:
        return Decimal(VaultCalls.balance(self, account)).scaleb(-18)
