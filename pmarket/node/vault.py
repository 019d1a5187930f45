"""The node's vault: deposits and withdrawals as ``Vault.sol`` books them (18-decimal balances)."""

from __future__ import annotations

from .. import errors
from ..vault import to_internal, to_tokens
from .state import State, addr

INT128_MAX = 2**127 - 1


class VaultRules:
    s: State

    def balance(self, account: str) -> int:
        return self.s.balances.get(addr(account), 0)

    def deposit(self, account: str, token_amount: int) -> int:
        """Credit ``account`` for ``token_amount`` token units; returns the 18-decimal credit."""
        account = addr(account)
        if token_amount == 0:
            raise errors.fail("ZeroAmount")
        credited = to_internal(token_amount, self.s.config.decimals)
        if credited == 0:
            raise errors.fail("ZeroAmount")
        balance = self.balance(account)
        if credited > INT128_MAX - balance:
            raise errors.fail("BalanceOverflow", account=account, credited=credited)
        self.s.balances[account] = balance + credited
        self.s.vault_tokens += token_amount
        return credited

    def withdraw(self, account: str, amount: int) -> int:
        """Debit ``account`` for up to ``amount`` (whole token units move); returns token units."""
        account = addr(account)
        decimals = self.s.config.decimals
        balance = self.balance(account)
        if decimals > 18 and (balance < 0 or amount > balance):
            raise errors.fail("InsufficientBalance", account=account, balance=balance, needed=amount)
        tokens = to_tokens(amount, decimals)
        if tokens == 0:
            raise errors.fail("ZeroAmount")
        debited = to_internal(tokens, decimals)
        if balance < 0 or debited > balance:
            raise errors.fail("InsufficientBalance", account=account, balance=balance, needed=debited)
        try:
            self.require_solvent(account, balance - debited)  # type: ignore[attr-defined]  # CollateralRules
        except errors.ContractError:
            # A frozen managed root holding some of the collateral is named instead (_afterWithdrawal).
            for root_id in self.s.roots_of.get(account, []):
                if self.s.registry.hard_frozen(root_id) and self.root_worst_case(account, root_id) < 0:  # type: ignore[attr-defined]
                    raise errors.fail("MarketFrozen", rootId=root_id) from None
            raise
        self.s.balances[account] = balance - debited
        self.s.vault_tokens -= tokens
        return tokens
