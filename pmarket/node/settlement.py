"""The node's claims: ``Settlement.sol``'s rules (losses into the root's pot, gains out of it)."""

from __future__ import annotations

from typing import Optional

from .. import errors
from .state import RootAccount, State, addr


class SettlementRules:
    s: State

    def claim(self, trader: str, root_id: int, caller: Optional[str] = None) -> int:
        """Credit (or debit) ``trader``'s payoff in settled ``root_id``; returns it (18 decimals).
        ``caller`` (the trader by default) must be the root's owner in a managed root; a root closed
        at the flagged terms pays those, and its residual account claims without a listing."""
        trader = addr(trader)
        caller = trader if caller is None else addr(caller)
        reg = self.s.registry
        if root_id not in reg.roots:
            raise errors.fail("UnknownMarket", rootId=root_id, branchId=1)
        root = reg.roots[root_id]
        if not reg.bounds(root_id, 1).is_point and not root.flagged:
            raise errors.fail("MarketNotSettled", rootId=root_id)
        if root.managed and caller != addr(root.owner):
            raise errors.fail("NotMarketOwner", rootId=root_id, caller=caller)
        acct = self.s.account(trader, root_id)
        if acct.claimed:
            raise errors.fail("AlreadyClaimed", trader=trader, rootId=root_id)
        residual = root.flagged and trader == self.s.flag_terms[root_id].residual
        if not acct.listed and not residual:
            raise errors.fail("NothingToClaim", trader=trader, rootId=root_id)
        if root.flagged:
            payoff = self.flagged_payoff(trader, root_id)  # type: ignore[attr-defined]
        else:
            payoff = self.root_worst_case(trader, root_id, acct)  # type: ignore[attr-defined]
        held = self.s.pots.get(root_id, 0)
        if payoff > 0 and payoff > held:
            raise errors.fail("SettlementPending", rootId=root_id, pot=held, payoff=payoff)
        self.s.pots[root_id] = held - payoff
        self.s.balances[trader] = self.s.balances.get(trader, 0) + payoff
        if acct.listed:
            roots = self.s.roots_of[trader]
            index = roots.index(root_id)
            last = roots.pop()
            if last != root_id:
                roots[index] = last
        self.s.accounts[(trader, root_id)] = RootAccount(claimed=True)
        return payoff

    def claim_many(self, root_id: int, traders: list[str], caller: Optional[str] = None) -> tuple[int, list[tuple[str, str]]]:
        """``claimMany``: everyone once, then the gains that found the pot short; returns the number
        applied and the skipped ``(trader, error name)`` in event order."""
        claimed, skipped, retry = 0, [], []
        for trader in traders:
            try:
                self.claim(trader, root_id, caller)
                claimed += 1
            except errors.ContractError as err:
                (retry if err.name == "SettlementPending" else skipped).append((trader, err.name))
        for trader, _ in retry:
            try:
                self.claim(trader, root_id, caller)
                claimed += 1
            except errors.ContractError as err:
                skipped.append((trader, err.name))
        return claimed, skipped
