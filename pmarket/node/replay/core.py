"""The replay's machinery: events, discrepancies, and a dispatch that fails loudly.

Every event name has a rule (a method ``_on_<Name>`` of :class:`pmarket.node.replay.Replay`) or is
in :data:`INFORMATIONAL`, the documented events that change no state. Any other name is recorded
as a :class:`Discrepancy` (``UnknownEvent``) and applied nowhere: a new event can never be
skipped in silence. ``tests/test_replay_rules.py`` checks that the rules and the informational
list together are exactly the events in the contracts' ABIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, TypeVar

from ... import errors
from .. import Node

#: The discrepancy recorded for an event without a rule.
UNKNOWN_EVENT = "UnknownEvent"

#: Events that carry no state, with why: each reports an entry that a batch skipped because the
#: entry's own call reverted, so nothing of it changed (its revert data is in the event).
INFORMATIONAL: dict[str, str] = {
    "MatchSkipped": "Exchange.matchBatch skipped one request; the matches it applied have their own events",
    "ClaimSkipped": "Exchange.claimMany skipped one trader; nothing of that trader changed",
    "SettlementSkipped": "Artifacts.settle skipped one trader; nothing of that trader changed",
}


@dataclass(frozen=True)
class Event:
    """One decoded log: its name, its arguments by name, and where it sits in the chain.

    ``address`` is the emitting contract (the artifact registry's and the escrow's events are
    routed by it; the Exchange's and the Maker's need none) and ``tx`` the transaction's hash:
    what a rule learns from an earlier event of the same transaction is forgotten when it changes.
    """

    name: str
    args: dict[str, Any]
    block: int = 0
    timestamp: Optional[int] = None
    address: str = ""
    tx: str = ""


@dataclass(frozen=True)
class Discrepancy:
    """An event the node did not accept (``error``: the contract error it raised, a value that
    differs, or ``UnknownEvent``)."""

    event: Event
    error: str


class Mismatch(Exception):
    """The node applied the event but reached a different value than the chain logged (or the event
    contradicts the node's state)."""


def expect(ok: bool, what: str) -> None:
    """Raise :class:`Mismatch` with ``what`` unless ``ok``."""
    if not ok:
        raise Mismatch(what)


@dataclass
class Scratch:
    """What one transaction's events tell its later events (cleared when the transaction changes):
    cross-checks between the records of one step (a claim and its ``Settlement``, a payout and its
    ``PoolReleased``), never a source of state."""

    #: ``(trader, root)`` -> payoff of each ``Claimed``.
    claims: dict[tuple[str, int], int] = field(default_factory=dict)
    #: account -> wad credited by ``Deposited``.
    deposits: dict[str, int] = field(default_factory=dict)
    #: pool account -> amount a ``PoolRetired`` / ``PoolSettled`` releases (its ``PoolReleased`` follows).
    released: dict[str, int] = field(default_factory=dict)
    #: pool id -> amount a ``PoolSettled`` paid its creator (a registry's ``ReserveCollected``).
    pool_settled: dict[bytes, int] = field(default_factory=dict)
    #: root id -> owner of a ``RootCreated`` (its ``MarketDefined`` follows).
    created: dict[int, str] = field(default_factory=dict)
    #: the signer of a ``DefinitionSigned`` (the definer of the ``MarketDefined`` that follows).
    signer: Optional[str] = None
    #: the last pool fill: ``(order hash, pool account)``, for the Maker's ``PoolFilled``.
    fill: Optional[tuple[bytes, str]] = None
    #: artifact -> round a ``RoundOpened`` opened (the ``LifecycleTransition`` to listed follows).
    opened: dict[bytes, int] = field(default_factory=dict)
    #: bounty id -> ``[amount, total weight, running weight, paid]`` of a ``BountyDistributed``.
    distributions: dict[bytes, list[int]] = field(default_factory=dict)
    #: ``(escrow, bounty id, account, amount)`` sent by the last ``BountyPaid`` / ``BountyReclaimed``.
    sent: Optional[tuple[str, bytes, str, int]] = None


_R = TypeVar("_R", bound="ReplayCore")


@dataclass
class ReplayCore:
    """A node rebuilt from events, and what it disagreed with."""

    node: Node
    discrepancies: list[Discrepancy] = field(default_factory=list)
    #: Events applied by a rule.
    applied: int = 0
    #: Events passed over because they carry no state (:data:`INFORMATIONAL`).
    informational: int = 0
    scratch: Scratch = field(default_factory=Scratch)
    _tx: str = ""

    def feed(self: _R, events: Iterable[Event]) -> _R:
        """Apply ``events`` in order; each refusal or difference is recorded, never raised."""
        for event in events:
            self.step(event)
        return self

    def step(self, event: Event) -> None:
        """Apply one event through its rule, or record why it could not be."""
        if event.timestamp is not None:
            self.node.s.now = event.timestamp
        if event.tx != self._tx:
            self.scratch, self._tx = Scratch(), event.tx
        if event.name in INFORMATIONAL:
            self.informational += 1
            return
        rule: Optional[Callable[[Event], None]] = getattr(self, f"_on_{event.name}", None)
        if rule is None:
            self.discrepancies.append(Discrepancy(event, f"{UNKNOWN_EVENT}: no replay rule for {event.name}"))
            return
        try:
            rule(event)
            self.applied += 1
        except errors.ContractError as err:
            self.discrepancies.append(Discrepancy(event, err.name))
        except Mismatch as err:
            self.discrepancies.append(Discrepancy(event, str(err)))

    @classmethod
    def rules(cls) -> frozenset[str]:
        """The event names this replay has a rule for."""
        return frozenset(name[len("_on_"):] for name in dir(cls) if name.startswith("_on_"))

