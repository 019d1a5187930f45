"""The node's artifact settlement: ``ArtifactSettlement.sol`` and ``ArtifactsBase._collect``.

Crediting settled positions trader by trader through the Exchange's claim (the registry owns the
round's managed market, so every credit passes here and is logged and scored), the residual's
remainder collected into the artifact's reserve, the holder's own close after the delay (at the
pool's price range within the holder's fee credit, :mod:`pmarket.node.tracked`), and the
registrant's reserve once the artifact is final.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .. import errors
from ..lifecycle import Reputation, State
from .state import addr

if TYPE_CHECKING:  # pragma: no cover
    from .artifacts import ArtifactRecord, ArtifactsNode, RoundRecord

ZERO_ID = bytes(32)


class ArtifactSettlementRules:
    def settle(self: "ArtifactsNode", caller: str, artifact: bytes, round_: int, traders: Sequence[str]) -> tuple[int, list[tuple[str, str]]]:
        """``settle``: credit ``traders`` in a settled round (gains that found the pot short are
        retried after the losses); returns how many were credited and the skipped ``(trader, error)``."""
        self._known(artifact)
        r = self.rounds.get((artifact, round_))
        if r is None or r.outcome is State.NONE:
            raise errors.fail("RoundNotSettled", artifact=artifact, round=round_)
        credited, skipped, retry = 0, [], []
        for trader in traders:
            reason = self._settle_one(artifact, round_, r, addr(trader))
            if reason is None:
                credited += 1
            else:
                (retry if reason == "SettlementPending" else skipped).append((addr(trader), reason))
        for trader, _ in retry:
            reason = self._settle_one(artifact, round_, r, trader)
            if reason is None:
                credited += 1
            else:
                skipped.append((trader, reason))
        self._collect(artifact, round_)
        return credited, skipped

    def _settle_one(self: "ArtifactsNode", artifact: bytes, round_: int, r: "RoundRecord", trader: str) -> "str | None":
        position = self.node.position(trader, r.root_id, 1)
        try:
            payoff = self.node.claim(trader, r.root_id, self.address)
        except errors.ContractError as err:
            return err.name
        self._log(artifact, trader, round_, payoff)
        if position.quantity != 0 and trader != self._residual(r):
            rep = self.reputations.get(trader, Reputation()).scored(position, r.outcome)
            self.reputations[trader] = rep
        return None

    def _collect(self: "ArtifactsNode", artifact: bytes, round_: int) -> int:
        """Collect what a settled round's residual account left into the artifact's reserve."""
        r = self.rounds[(artifact, round_)]
        if r.collected or r.outcome is State.NONE:
            return 0
        node, account, collected = self.node, self._residual(r), 0
        if not node.s.account(account, r.root_id).claimed:
            if r.pool_id == ZERO_ID and r.outcome is not State.FLAGGED:
                r.collected = True  # a settled round without a pool leaves nothing
                return 0
            try:
                payoff = node.claim(account, r.root_id, self.address)
            except errors.ContractError:
                return 0
            self._log(artifact, account, round_, payoff)
            if r.pool_id == ZERO_ID and payoff > 0:
                collected = payoff
        if r.pool_id != ZERO_ID and node.balance(account) > 0:
            collected = node.claim_pool(node.s.pools[r.pool_id].key)
        r.collected = True
        self.artifacts[artifact].reserve += collected
        return collected

    def close(self: "ArtifactsNode", caller: str, artifact: bytes) -> tuple[int, int]:
        """``close``: the caller's own position sold to the pool (``closeFor``: the range's worse end
        within the caller's credit), once the round has been listed for more than the delay;
        returns quantity and cost (36 decimals)."""
        a = self._known(artifact)
        r = self.rounds[(artifact, a.round)]
        if a.state is State.CHALLENGED and a.open:
            raise errors.fail("MarketFrozen", rootId=r.root_id)
        if a.state is not State.LISTED or r.pool_id == ZERO_ID:
            raise errors.fail("NotClosable", artifact=artifact, state=int(a.state))
        allowed_at = a.round_start + self.close_after + 1
        if self.node.clock() < allowed_at:
            raise errors.fail("CloseNotYet", artifact=artifact, allowedAt=allowed_at)
        with self._atomic():
            quantity, cost, _ = self.node.close_for(self.address, self.node.s.pools[r.pool_id].key, caller)
        return quantity, cost

    def withdraw_reserve(self: "ArtifactsNode", caller: str, artifact: bytes, to: str) -> int:
        """``withdrawReserve``: the registrant takes a final artifact's reserve (whole token units)."""
        a: "ArtifactRecord" = self._known(artifact)
        if addr(caller) != a.registrant or a.state not in (State.VALIDATED, State.DEPRECATED):
            raise errors.fail("ReserveLocked", artifact=artifact, caller=addr(caller))
        with self._atomic():
            self._collect(artifact, a.round)
            amount, a.reserve = a.reserve, 0
            if amount:
                self.node.withdraw(self.address, amount)
        return amount

    def _residual(self: "ArtifactsNode", r: "RoundRecord") -> str:
        return self.address if r.pool_id == ZERO_ID else self.node.s.pools[r.pool_id].key.account

    def _log(self: "ArtifactsNode", artifact: bytes, trader: str, round_: int, payoff: int) -> None:
        if payoff != 0:
            self.ledger.append((artifact, trader, round_, payoff))
