"""Replay rules of an artifact registry's events (``Artifacts.sol``), on an
:class:`~pmarket.node.artifacts.ArtifactsNode` per replayed registry (``Replay.add_registry``).

The registry acts on the Exchange and the Maker, and those acts are their own events (a round's
market, its tracked pool, freezes, the flagged close, settlements, claims), applied by the node's
rules. The registry's events then rebuild the registry's own state (artifacts, rounds, reserves,
history, roles, reputations, the ledger), each checked against the registry's rules and against
the node: a round's market must be the registry's managed root and its pool the registry's tracked
pool, a transition's effects must be on the market, a trigger's price range past its threshold, a
reputation the one the trader's position earns.
"""

from __future__ import annotations

from typing import Optional

from ... import errors
from ...artifact_history import TransitionRecord
from ...lifecycle import Reputation, State, allowed, committed
from ...lmsr import fixed
from ...lmsr.pool import funding
from ...maker import PoolKey
from ...wad import WAD
from .. import Node
from ..artifact_settlement import ZERO_ID
from ..artifacts import ADMIN_ROLE, ORACLE_ROLE, UINT96_MAX, ArtifactRecord, ArtifactsNode, RoundRecord
from ..state import ZERO_ADDRESS, addr
from .core import Event, Mismatch, Scratch, expect

_PROFIT, _LOSS = b"settlement:profit".ljust(32, b"\0"), b"settlement:loss".ljust(32, b"\0")


class ArtifactsEvents:
    node: Node
    scratch: Scratch
    registries: dict[str, ArtifactsNode]

    def add_registry(self, address: str, *, close_after: int, window: int, prices: tuple[int, int, int]) -> ArtifactsNode:
        """Replay the registry at ``address`` (its constants as ``parameters()`` returns them); its
        roles start empty, for the constructor's ``RoleGranted`` to fill."""
        registry = ArtifactsNode(self.node, address, ZERO_ADDRESS, close_after, window, prices)
        registry.roles = {ADMIN_ROLE: set(), ORACLE_ROLE: set()}
        self.registries[registry.address] = registry
        return registry

    def _registry(self, e: Event) -> ArtifactsNode:
        registry = self.registries.get(addr(e.address)) if e.address else None
        if registry is None:
            raise Mismatch(f"{e.name} from {e.address or 'an unnamed emitter'}: no artifact registry is replayed there")
        return registry

    # ---- roles (AccessControl) ---------------------------------------------------------------
    def _on_RoleGranted(self, e: Event) -> None:
        reg = self._registry(e)
        role, account, sender = bytes(e.args["role"]), addr(e.args["account"]), addr(e.args["sender"])
        constructor = role == ADMIN_ROLE and account == sender and not any(reg.roles.values())
        if not constructor:
            reg._require_role(ADMIN_ROLE, sender)  # the admin role administers every role
        expect(not reg.has_role(role, account), "a role granted twice (AccessControl logs changes only)")
        reg.roles.setdefault(role, set()).add(account)

    def _on_RoleRevoked(self, e: Event) -> None:
        reg = self._registry(e)
        role, account, sender = bytes(e.args["role"]), addr(e.args["account"]), addr(e.args["sender"])
        if sender != account:  # renounceRole is the account's own
            reg._require_role(ADMIN_ROLE, sender)
        expect(reg.has_role(role, account), "a role revoked that was not held")
        reg.roles[role].discard(account)

    def _on_RoleAdminChanged(self, e: Event) -> None:
        raise Mismatch("the registry never changes a role's admin: the admin role administers every role")

    # ---- registration and rounds -------------------------------------------------------------
    def _on_ArtifactRegistered(self, e: Event) -> None:
        reg, a = self._registry(e), e.args
        artifact, funded = bytes(a["artifact"]), int(a["funded"])
        if artifact == ZERO_ID or artifact in reg.artifacts:
            raise errors.fail("ArtifactExists", artifact=artifact)
        expect(self.scratch.deposits.get(reg.address) == funded, f"funded {funded} without the registry's deposit of it")
        reg.artifacts[artifact] = ArtifactRecord(addr(a["registrant"]), int(a["b"]), int(a["feeBps"]), State.NONE, reserve=funded)

    def _on_RoundOpened(self, e: Event) -> None:
        """A round's market and pool, opened at registration or when a closed round is listed again:
        the pool gets the artifact's liquidity, or what the reserve affords (none if nothing)."""
        reg, a = self._registry(e), e.args
        artifact, round_, root_id, pool_id, cost = (
            bytes(a["artifact"]), int(a["round"]), int(a["rootId"]), bytes(a["poolId"]), int(a["funding"]))
        rec = reg._known(artifact)
        first = (artifact, 0) not in reg.rounds
        expect(round_ == (0 if first else rec.round + 1) and (first or not rec.open), f"round {round_} opened out of turn")
        expect(root_id == reg.root_of(artifact, round_), "the round's root id is not the registry's")
        root = self.node.s.registry.roots.get(root_id)
        expect(root is not None and root.managed and addr(root.owner) == reg.address, "the round's market is not the registry's managed root")
        b, want = rec.b, funding(rec.b)
        if want > rec.reserve:
            b = min(rec.reserve * fixed.ONE // (fixed.LN2 + 1), UINT96_MAX)
            want = funding(b) if b else 0
        expect(cost == want, f"funding {cost} is not the {want} the reserve {rec.reserve} pays")
        if b:
            pool = self.node.s.pools.get(pool_id)
            key = PoolKey(root_id, 1, 0, WAD, b, rec.fee_bps, reg.address, round_)
            ok = pool is not None and pool.key == key and pool.range is not None and pool.range.period == reg.window
            expect(ok, "the round's pool is not the registry's tracked pool of it")
        else:
            expect(pool_id == ZERO_ID, "a pool the reserve cannot fund")
        rec.reserve -= cost
        reg.rounds[(artifact, round_)] = RoundRecord(root_id, pool_id)
        rec.round, rec.open, rec.round_start = round_, True, self.node.clock()
        self.scratch.opened[artifact] = round_

    # ---- the lifecycle -----------------------------------------------------------------------
    def _on_LifecycleTransition(self, e: Event) -> None:
        reg, a = self._registry(e), e.args
        artifact, old, to = bytes(a["artifact"]), State(int(a["from"])), State(int(a["to"]))
        by, triggered, price, round_ = addr(a["by"]), bool(a["triggered"]), int(a["price"]), int(a["round"])
        rec = reg._known(artifact)
        expect(rec.state is old, f"the artifact is {rec.state.name}, not {old.name}")
        opened = self.scratch.opened.pop(artifact, None)
        if old is State.NONE:  # the registration's: listed by the registrant, round 0 just opened
            ok = to is State.LISTED and not triggered and by == rec.registrant and round_ == 0 == opened
            expect(ok, "a registration's transition is the registrant's listing of round 0")
            was_open, r = False, reg.rounds[(artifact, 0)]
        else:
            if not allowed(old, to):
                raise errors.fail("InvalidTransition", **{"from": int(old), "to": int(to)})
            if triggered:
                reg._require_triggerable(artifact, to)  # the price range past the threshold, now
            else:
                reg._require_role(ORACLE_ROLE, by)
            was_open = rec.open and opened is None
            r = reg.rounds[(artifact, rec.round if opened is None else opened - 1)]
            expect((opened is not None) == (not was_open and to is State.LISTED), "a new round exactly when a closed one is listed")
        expect(price == reg._price(r.pool_id), f"price {price} is not the pool's {reg._price(r.pool_id)}")
        rec.state = to
        settled = was_open and self._effects(reg, r, old, to)
        if settled:
            rec.open, r.outcome = False, to
            if r.pool_id == ZERO_ID and to is not State.FLAGGED:
                r.collected = True  # _collect's quiet case: a settled round without a pool leaves nothing
        expect(round_ == rec.round, f"round {round_} is not the artifact's {rec.round}")
        reg.transitions.setdefault(artifact, []).append(TransitionRecord(to, self.node.clock(), by, triggered, price, rec.round))

    def _effects(self, reg: ArtifactsNode, r: RoundRecord, old: State, to: State) -> bool:
        """Check that the transition's effects are on the open round's market (the Exchange's own
        events applied them just before); returns whether it settled the round."""
        root = self.node.s.registry.roots[r.root_id]
        if to is State.CHALLENGED:
            expect(root.frozen, "challenged, but the market is not frozen")
        elif old is State.CHALLENGED and to is not State.FLAGGED:
            expect(not root.frozen, "the challenge ended, but the market is still frozen")
        if to in (State.LISTED, State.CHALLENGED):
            return False
        if to is State.FLAGGED:
            terms = self.node.s.flag_terms.get(r.root_id)
            expect(root.flagged and terms is not None and terms.residual == reg._residual(r), "flagged, but not closed at the flagged terms")
        else:
            outcome = self.node.s.registry.settled_outcome(r.root_id)
            expect(outcome == (WAD if to is State.VALIDATED else 0), f"{to.name.lower()}, but the market's outcome is {outcome}")
        return True

    # ---- settlement, reputation, reserve -----------------------------------------------------
    def _on_Settlement(self, e: Event) -> None:
        reg, a = self._registry(e), e.args
        artifact, trader, round_, payoff = bytes(a["artifact"]), addr(a["trader"]), int(a["round"]), int(a["payoff"])
        r = self._round(reg, artifact, round_)
        expect(self.scratch.claims.get((trader, r.root_id)) == payoff, f"no claim paying {payoff} before it")
        expect(payoff != 0 and int(a["amount"]) == abs(payoff), "amount is not the payoff's size")
        expect(bytes(a["reason"]) == (_PROFIT if payoff > 0 else _LOSS), "reason does not name the payoff's sign")
        reg.ledger.append((artifact, trader, round_, payoff))

    def _on_ReputationUpdated(self, e: Event) -> None:
        reg, a = self._registry(e), e.args
        trader, artifact, round_ = addr(a["trader"]), bytes(a["artifact"]), int(a["round"])
        r = self._round(reg, artifact, round_)
        expect(r.outcome is not State.NONE and (trader, r.root_id) in self.scratch.claims, "a prediction scored without its claim")
        position = self.node.position(trader, r.root_id, 1)
        expect(position.quantity != 0 and trader != reg._residual(r), "scored a trader without a prediction")
        before = reg.reputations.get(trader, Reputation())
        after = before.scored(position, r.outcome)
        mine = (after.correct > before.correct, committed(position) // WAD, after.score)
        logged = (bool(a["correct"]), int(a["stake"]), int(a["score"]))
        expect(mine == logged, f"reputation {logged} is not the {mine} the position earns")
        reg.reputations[trader] = after

    def _on_ReserveCollected(self, e: Event) -> None:
        reg, a = self._registry(e), e.args
        artifact, round_, amount = bytes(a["artifact"]), int(a["round"]), int(a["amount"])
        r = self._round(reg, artifact, round_)
        expect(r.outcome is not State.NONE and not r.collected, "collected from a round that is open or collected")
        if r.pool_id != ZERO_ID:  # what the pool's PoolSettled paid the registry in this step
            expect(amount == self.scratch.pool_settled.get(r.pool_id, 0), "collected other than the pool paid")
        else:  # the registry's own payoff, if this step claimed it (0 if a settle claimed it first)
            payoff = self.scratch.claims.get((reg.address, r.root_id), 0)
            expect(amount in (0, max(payoff, 0)), "collected other than the registry's own payoff")
        r.collected = True
        reg.artifacts[artifact].reserve += amount

    def _on_ReserveWithdrawn(self, e: Event) -> None:
        reg, a = self._registry(e), e.args
        artifact, amount = bytes(a["artifact"]), int(a["amount"])
        rec = reg._known(artifact)
        expect(rec.state in (State.VALIDATED, State.DEPRECATED), f"reserve withdrawn while {rec.state.name}")
        expect(amount == rec.reserve, f"withdrew {amount}, not the reserve {rec.reserve}")
        rec.reserve = 0

    def _round(self, reg: ArtifactsNode, artifact: bytes, round_: int) -> RoundRecord:
        r: Optional[RoundRecord] = reg.rounds.get((artifact, round_))
        if r is None:
            raise errors.fail("RoundNotSettled", artifact=artifact, round=round_)
        return r

    # ---- the holder's close through the Maker ------------------------------------------------
    def _before_close(self, key: PoolKey, trader: str) -> None:
        """A close through a registry's pool is the holder's own ``close``: its round is current and
        listed, and more than the close delay old (``ArtifactSettlement._close``)."""
        reg = self.registries.get(key.creator)
        if reg is None:
            return
        for (artifact, round_), r in reg.rounds.items():
            if r.pool_id == key.id:
                rec = reg.artifacts[artifact]
                if rec.state is State.CHALLENGED and rec.open:
                    raise errors.fail("MarketFrozen", rootId=r.root_id)
                if rec.state is not State.LISTED or rec.round != round_:
                    raise errors.fail("NotClosable", artifact=artifact, state=int(rec.state))
                allowed_at = rec.round_start + reg.close_after + 1
                if self.node.clock() < allowed_at:
                    raise errors.fail("CloseNotYet", artifact=artifact, allowedAt=allowed_at)
                return
        raise Mismatch("a close through a registry's pool that is no round's")
