"""Artifact lifecycle and settlement: the reference arithmetic of protocol.md section 6.

Pure integer functions, bit-exact with the contracts (``ManagedRoots.sol``, ``Artifacts.sol``,
``Bounties.sol``): the node, the client and the tests all price settlements with these.

Every amount is an 18-decimal integer (wad); position costs keep 36 decimals, as on chain. An
artifact's market is bounded ``[0, 1]``, so a position ``(q, cost)`` has the worst payoff
``-cost`` (long or flat) or ``q - cost`` (short), and *commits* ``max(0, -worst)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Iterable, Optional, Sequence, Union

from .collateral import Position, floor_div
from .wad import WAD


class State(IntEnum):
    """An artifact's lifecycle state (``IArtifacts.State``)."""

    NONE = 0
    LISTED = 1
    FLAGGED = 2
    CHALLENGED = 3
    VALIDATED = 4
    DEPRECATED = 5

    @classmethod
    def parse(cls, value: Union[str, int, "State"]) -> "State":
        if isinstance(value, State):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[str(value).upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls if s is not cls.NONE)
            raise ValueError(f"unknown lifecycle state {value!r} (one of {names})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


#: The transition matrix: validated and deprecated are final.
ALLOWED: dict[State, frozenset[State]] = {
    State.LISTED: frozenset({State.FLAGGED, State.CHALLENGED, State.VALIDATED, State.DEPRECATED}),
    State.FLAGGED: frozenset({State.LISTED, State.CHALLENGED, State.VALIDATED, State.DEPRECATED}),
    State.CHALLENGED: frozenset({State.LISTED, State.FLAGGED, State.VALIDATED, State.DEPRECATED}),
}

#: Ledger reasons of settlement credits and debits.
PROFIT = "settlement:profit"
LOSS = "settlement:loss"


def allowed(current: State, to: State) -> bool:
    return to in ALLOWED.get(current, frozenset())


#: The longest trigger window (seconds): the registry's pools keep their price-range period in 32 bits.
MAX_WINDOW = 2**32 - 1


def thresholds_valid(window: int, prices: Sequence[int]) -> bool:
    """The registry constructor's check (``InvalidParameters`` otherwise): a window of 1 to
    ``2**32 - 1`` seconds (its pools' price-range period) and three trigger prices (wad) falling
    strictly inside (0, 1): validated > flagged > deprecated."""
    return 1 <= window <= MAX_WINDOW and len(prices) == 3 and 0 < prices[2] < prices[1] < prices[0] < 10**18


def worst01(p: Position) -> int:
    """Worst payoff of a position over ``[0, 1]`` (36 decimals)."""
    return p.quantity * WAD - p.cost if p.quantity < 0 else -p.cost


def committed(p: Position) -> int:
    """What a position committed: its worst-case loss (36 decimals, >= 0)."""
    return max(0, -worst01(p))


def exposure(p: Position) -> tuple[int, int, int]:
    """A position's share of its root's totals: short quantity, and what it committed as a long or
    as a short, in wad rounded up (``PositionLib.exposure``)."""
    if p.quantity == 0:
        return 0, 0, 0
    c = -(-committed(p) // WAD)
    return (0, c, 0) if p.quantity > 0 else (-p.quantity, 0, c)


@dataclass(frozen=True)
class Totals:
    """A managed root's totals over every account's position (``ManagedRoots.rootTotals``)."""

    short_interest: int = 0
    long_committed: int = 0
    short_committed: int = 0

    @classmethod
    def of(cls, positions: Iterable[Position]) -> "Totals":
        s = lc = sc = 0
        for p in positions:
            a, b, c = exposure(p)
            s, lc, sc = s + a, lc + b, sc + c
        return cls(s, lc, sc)


@dataclass(frozen=True)
class FlagTerms:
    """The flagged terms fixed when a root is flagged (``ManagedRoots.flagTerms``)."""

    return_rate: int
    bonus_rate: int
    residual: str
    residual_payoff: int
    available: int = 0


def _rate(amount: int, total: int) -> int:
    if total == 0 or amount >= total * WAD:
        return WAD
    return 0 if amount <= 0 else amount // total


def flag_terms(totals: Totals, residual: str, residual_position: Position, residual_balance: int) -> FlagTerms:
    """The flagged terms: longs get back ``return_rate`` of half of what they committed, shorts
    ``return_rate`` of it plus ``bonus_rate`` of a quarter of it; the residual (the pool, or an
    account without a position, balance 0) takes the rest. ``residual_balance`` counts only for a
    residual trading in the root (the pool)."""
    _, rl, rs = exposure(residual_position)
    base = totals.short_interest * WAD + worst01(residual_position)
    available = max(0, max(residual_balance, 0) * WAD + base)
    shorts = totals.short_committed - rs
    tier1 = (totals.long_committed - rl + 1) // 2 + shorts
    tier2 = (shorts + 3) // 4
    r1 = _rate(available, tier1)
    r2 = _rate(available - r1 * tier1, tier2)
    return FlagTerms(r1, r2, residual, floor_div(base - r1 * tier1 - r2 * tier2, WAD), available)


def flagged_payoff(p: Position, terms: FlagTerms) -> int:
    """A trader's payoff (18 decimals, rounded down) in a root closed at the flagged terms."""
    w = worst01(p)
    if w < 0 and p.quantity != 0:
        c = -w
        back = terms.return_rate * (c // 2) if p.quantity > 0 else terms.return_rate * c + terms.bonus_rate * (c // 4)
        w += back // WAD
    return floor_div(w, WAD)


def compute_settlement_pnl(position: Position, state: Union[State, str], terms: Optional[FlagTerms] = None) -> int:
    """The settlement P&L (18 decimals, rounded down) of ``position`` in an artifact's market when
    ``state`` is posted: validated settles at 1, deprecated at 0, flagged pays the flagged terms
    (whole returns and bonuses unless ``terms`` says the pool ran short). Challenged and listed
    settle nothing (0)."""
    state = State.parse(state)
    if state is State.VALIDATED:
        return floor_div(position.payoff36(WAD), WAD)
    if state is State.DEPRECATED:
        return floor_div(position.payoff36(0), WAD)
    if state is State.FLAGGED:
        return flagged_payoff(position, terms or FlagTerms(WAD, WAD, "", 0))
    return 0


@dataclass(frozen=True)
class Reputation:
    """A trader's record of settled predictions (``IArtifacts.Reputation``)."""

    correct: int = 0
    incorrect: int = 0
    correct_stake: int = 0
    total_stake: int = 0

    @property
    def score(self) -> int:
        """Believability: ``(correctStake + 1) / (totalStake + 2)`` in wad, rounded down."""
        return (self.correct_stake + WAD) * WAD // (self.total_stake + 2 * WAD)

    def scored(self, position: Position, outcome: State) -> "Reputation":
        """The record after one settled prediction (a non-zero position) at ``outcome``."""
        q = position.quantity
        correct = outcome is State.VALIDATED if q > 0 else outcome is not State.VALIDATED
        stake = committed(position) // WAD
        cap = 2**96 - 1
        return Reputation(
            self.correct + (1 if correct else 0),
            self.incorrect + (0 if correct else 1),
            min(cap, self.correct_stake + (stake if correct else 0)),
            min(cap, self.total_stake + stake),
        )


def bounty_shares(amount: int, weights: Sequence[int]) -> list[int]:
    """Bounty shares in proportion to ``weights`` (``Bounties.distribute``): differences of the
    rounded-down running totals, so they sum to ``amount`` exactly and each is within one unit of
    its exact share."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must sum to more than zero")
    shares, running, paid = [], 0, 0
    for w in weights:
        running += w
        up_to = amount * running // total
        shares.append(up_to - paid)
        paid = up_to
    return shares

