"""Rebuild a node from a deployment's events, checking every step itself.

Each event is applied through the node's own rules: an ``OrderAdded`` Primary is admitted only if
the node verifies its signature, its chain link, its market and its collateral check; a match,
cancel, reduction or claim only if the node finds it valid and reaches the same amounts. Anything
the node refuses is recorded as a :class:`Discrepancy` and **not** applied, so the node never builds
on an order it rejects (later events that depend on it are refused in turn, and recorded too). An
event without a rule is a discrepancy too (``UnknownEvent``), unless it is one of the documented
:data:`INFORMATIONAL` events that carry no state. The rules sit by contract: :mod:`.exchange`,
:mod:`.maker`, :mod:`.artifacts` (a registry's own state) and :mod:`.bounties` (an escrow's);
:mod:`.chain` reads a deployment's events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...orders import SignedOrder
from ..artifacts import ArtifactsNode
from ..bounties import BountiesNode
from .artifacts import ArtifactsEvents
from .bounties import BountiesEvents
from .chain import events_of, node_from_chain, replay_for
from .core import INFORMATIONAL, UNKNOWN_EVENT, Discrepancy, Event, ReplayCore
from .exchange import ExchangeEvents
from .maker import MakerEvents

__all__ = ["Discrepancy", "Event", "INFORMATIONAL", "Replay", "UNKNOWN_EVENT", "events_of", "node_from_chain", "replay_for"]


@dataclass
class Replay(ArtifactsEvents, BountiesEvents, MakerEvents, ExchangeEvents, ReplayCore):
    """A node rebuilt from events (``node``), what it disagreed with (``discrepancies``) and how
    many events it applied; with the state of each replayed artifact registry (``registries``,
    by address) and bounty escrow (``escrows``)."""

    pending: dict[bytes, SignedOrder] = field(default_factory=dict)
    partial_for: dict[bytes, bytes] = field(default_factory=dict)
    wallet_signed: set[bytes] = field(default_factory=set)
    registries: dict[str, ArtifactsNode] = field(default_factory=dict)
    escrows: dict[str, BountiesNode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A contract wallet's signature is answered from the events (``OrderAdded.erc1271``), never
        # by asking the wallet: its answer now need not be its answer then.
        self.node.erc1271 = self._signed_by_wallet
