"""The node's artifact registry: ``Artifacts.sol`` (with ``ArtifactsBase`` and ``Lifecycle``).

:class:`ArtifactsNode` sits beside a :class:`pmarket.node.Node` (the Exchange and its Maker) as the
registry sits beside them on chain, and calls it as the contract does: it defines and manages each
round's market, funds its tracked pool, freezes, flags and settles the market as the oracle posts
states, and keeps the history and the reputations. Settlement, closes and
reserves are :mod:`pmarket.node.artifact_settlement`. Every action is all-or-nothing: a refusal
(raised as the contract's error, by name and values) leaves the node and the registry untouched.
"""

from __future__ import annotations

from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

from eth_utils import keccak

from .. import errors
from ..artifact_history import TransitionRecord
from ..lifecycle import Reputation, State, allowed, thresholds_valid
from ..lmsr import fixed
from ..lmsr.pool import funding
from ..lmsr.pool import prices as lmsr_prices
from ..vault import to_internal, to_tokens
from ..wad import WAD
from . import Node
from .artifact_settlement import ZERO_ID, ArtifactSettlementRules
from .state import addr

DAY = 86_400
ORACLE_ROLE = keccak(text="ORACLE_ROLE")
ADMIN_ROLE = bytes(32)
UINT96_MAX = 2**96 - 1


@dataclass
class ArtifactRecord:
    """``ArtifactsBase.Artifact``."""

    registrant: str
    b: int
    fee_bps: int
    state: State = State.LISTED
    open: bool = False
    round: int = 0
    round_start: int = 0
    reserve: int = 0


@dataclass
class RoundRecord:
    """``ArtifactsBase.Round``: its market, its pool (zero for none), its outcome (``NONE`` while open)."""

    root_id: int
    pool_id: bytes = ZERO_ID
    outcome: State = State.NONE
    collected: bool = False


class ArtifactsNode(ArtifactSettlementRules):
    """An artifact registry at ``address`` on ``node``, deployed by ``admin`` (the role admin)."""

    def __init__(
        self,
        node: Node,
        address: str,
        admin: str,
        close_after: int = 90 * DAY,
        window: int = DAY,
        prices: Sequence[int] = (7 * WAD // 10, 3 * WAD // 10, WAD // 10),
    ) -> None:
        p = list(prices)
        if not thresholds_valid(window, p):
            raise errors.fail("InvalidParameters")
        self.node, self.address = node, addr(address)
        #: The window is also the period of the rounds' tracked pools' price ranges.
        self.close_after, self.window, self.prices = close_after, window, tuple(p)
        self.roles: dict[bytes, set[str]] = {ADMIN_ROLE: {addr(admin)}, ORACLE_ROLE: set()}
        self.artifacts: dict[bytes, ArtifactRecord] = {}
        self.rounds: dict[tuple[bytes, int], RoundRecord] = {}
        self.transitions: dict[bytes, list[TransitionRecord]] = {}
        self.reputations: dict[str, Reputation] = {}
        #: Settlement credits and debits: ``(artifact, trader, round, payoff)`` in event order.
        self.ledger: list[tuple[bytes, str, int, int]] = []

    # ---- roles (AccessControl) ---------------------------------------------------------------
    def grant_role(self, caller: str, role: bytes, account: str) -> None:
        self._require_role(ADMIN_ROLE, caller)
        self.roles.setdefault(role, set()).add(addr(account))

    def revoke_role(self, caller: str, role: bytes, account: str) -> None:
        self._require_role(ADMIN_ROLE, caller)
        self.roles.setdefault(role, set()).discard(addr(account))

    def has_role(self, role: bytes, account: str) -> bool:
        return addr(account) in self.roles.get(role, set())

    def _require_role(self, role: bytes, caller: str) -> None:
        if not self.has_role(role, caller):
            raise errors.fail("AccessControlUnauthorizedAccount", account=addr(caller), neededRole=role)

    # ---- registry and lifecycle --------------------------------------------------------------
    def register(self, caller: str, artifact: bytes, b: int, fee_bps: int) -> tuple[int, bytes]:
        """``register``: the caller funds round 0's pool (token units rounded up); returns its market."""
        caller = addr(caller)
        with self._atomic():
            if artifact == ZERO_ID or artifact in self.artifacts:
                raise errors.fail("ArtifactExists", artifact=artifact)
            a = self.artifacts[artifact] = ArtifactRecord(caller, b, fee_bps)
            a.reserve = self._fund(funding(b))
            self._open_round(artifact, a)
            r = self.rounds[(artifact, 0)]
            price = self._price(r.pool_id)
            self.transitions[artifact] = [TransitionRecord(State.LISTED, self.node.clock(), caller, False, price, 0)]
            return r.root_id, r.pool_id

    def transition(self, caller: str, artifact: bytes, to: State) -> None:
        """``transition``: an oracle posts ``to``."""
        with self._atomic():
            self._require_role(ORACLE_ROLE, caller)
            self._transition(addr(caller), artifact, State.parse(to), False)

    def trigger(self, caller: str, artifact: bytes, to: State) -> None:
        """``trigger``: anyone posts ``to`` when the pool's price stayed past its threshold through
        the last window (its price range)."""
        with self._atomic():
            to = State.parse(to)
            self._require_triggerable(artifact, to)
            self._transition(addr(caller), artifact, to, True)

    def _transition(self, caller: str, artifact: bytes, to: State, triggered: bool) -> None:
        a = self._known(artifact)
        old = a.state
        if not allowed(old, to):
            raise errors.fail("InvalidTransition", **{"from": int(old), "to": int(to)})
        round_ = a.round
        r = self.rounds[(artifact, round_)]
        price = self._price(r.pool_id)
        a.state = to
        settled = False
        if a.open:
            if old is State.CHALLENGED and to is not State.FLAGGED:
                self.node.set_frozen(self.address, r.root_id, False)
            if to is State.CHALLENGED:
                self.node.set_frozen(self.address, r.root_id, True)
            elif to is not State.LISTED:
                if to is State.FLAGGED:
                    self.node.flag_root(self.address, r.root_id, self._residual(r))
                else:
                    self.node.settle(self.address, r.root_id, WAD if to is State.VALIDATED else 0)
                a.open, r.outcome, settled = False, to, True
        elif to is State.LISTED:
            a.round = round_ + 1
            self._open_round(artifact, a)
        self.transitions[artifact].append(TransitionRecord(to, self.node.clock(), caller, triggered, price, a.round))
        if settled:
            self._collect(artifact, round_)

    def _require_triggerable(self, artifact: bytes, to: State) -> None:
        a = self._known(artifact)
        r = self.rounds[(artifact, a.round)]
        eligible = to in (State.FLAGGED, State.VALIDATED, State.DEPRECATED)
        if a.state is not State.LISTED or not a.open or r.pool_id == ZERO_ID or not eligible:
            raise errors.fail("NotTriggerable", artifact=artifact, state=int(a.state), to=int(to))
        ready_at = a.round_start + self.window
        if self.node.clock() < ready_at:
            raise errors.fail("WindowNotElapsed", artifact=artifact, readyAt=ready_at)
        low, high, _ = self.node.price_range(r.pool_id)
        if to is State.VALIDATED:
            if low <= self.prices[0]:
                raise errors.fail("ThresholdNotMet", artifact=artifact, to=int(to), price=low, threshold=self.prices[0])
        else:
            threshold = self.prices[1 if to is State.FLAGGED else 2]
            if high >= threshold:
                raise errors.fail("ThresholdNotMet", artifact=artifact, to=int(to), price=high, threshold=threshold)

    # ---- rounds ------------------------------------------------------------------------------
    def root_of(self, artifact: bytes, round_: int) -> int:
        """A round's root id: the registry's namespace, the low 96 bits of a hash below."""
        h = int.from_bytes(keccak(artifact + round_.to_bytes(32, "big")), "big")
        return int(self.address, 16) << 96 | (h & UINT96_MAX)

    def _open_round(self, artifact: bytes, a: ArtifactRecord) -> None:
        node, root_id = self.node, self.root_of(artifact, a.round)
        node.define(self.address, root_id, 1, 0, WAD)
        node.manage_root(self.address, root_id)
        b, cost = a.b, funding(a.b)
        if cost > a.reserve:
            b = min(a.reserve * fixed.ONE // (fixed.LN2 + 1), UINT96_MAX)
            cost = funding(b) if b else 0
        pool_id = ZERO_ID
        if b:
            a.reserve -= cost
            pool_id = node.create_tracked_pool(self.address, root_id, 1, b, a.fee_bps, a.round, self.window).id
        self.rounds[(artifact, a.round)] = RoundRecord(root_id, pool_id)
        a.open, a.round_start = True, node.clock()

    def _fund(self, amount: int) -> int:
        """Deposit ``amount`` (wad, rounded up to whole token units) as the registry's balance."""
        decimals = self.node.s.config.decimals
        tokens = to_tokens(amount, decimals)
        if to_internal(tokens, decimals) < amount:
            tokens += 1
        return self.node.deposit(self.address, tokens)

    def _price(self, pool_id: bytes) -> int:
        if pool_id == ZERO_ID:
            return 0
        pool = self.node.s.pools[pool_id]
        return lmsr_prices(pool.key.terms, pool.q_long, pool.q_short)[0]

    def _known(self, artifact: bytes) -> ArtifactRecord:
        a = self.artifacts.get(artifact)
        if a is None:
            raise errors.fail("UnknownArtifact", artifact=artifact)
        return a

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """All or nothing, as a transaction: restore the node and the registry on a refusal."""
        saved = deepcopy((self.node.s, self.__dict__.copy() | {"node": None}))
        try:
            yield
        except errors.ContractError:
            self.node.s = saved[0]
            self.__dict__.update({k: v for k, v in saved[1].items() if k != "node"})
            raise

    # ---- views -------------------------------------------------------------------------------
    def artifact_state(self, artifact: bytes) -> tuple[State, int, bool, int, str, int]:
        """``artifactState``: state, round, whether its market trades, round start, registrant, reserve."""
        a = self._known(artifact)
        return a.state, a.round, a.open, a.round_start, a.registrant, a.reserve

    def round_info(self, artifact: bytes, round_: int) -> RoundRecord:
        r = self.rounds.get((artifact, round_))
        if r is None:
            raise errors.fail("RoundNotSettled", artifact=artifact, round=round_)
        return r

    def history(self, artifact: bytes) -> list[TransitionRecord]:
        return list(self.transitions.get(artifact, []))

    def reputation(self, trader: str) -> tuple[Reputation, int]:
        rep = self.reputations.get(addr(trader), Reputation())
        return rep, rep.score

    def market(self, artifact: bytes) -> tuple[int, Optional[bytes]]:
        r = self.rounds[(artifact, self._known(artifact).round)]
        return r.root_id, r.pool_id
