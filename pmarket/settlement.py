"""Settlement: claims on settled roots (``Settlement.sol``) -- the reference payoff and the calls.

A root settles when it is narrowed to a point ``o``; each trader then claims, once, the payoff of
all their positions there, ``sum_b q_b * (clamp(o, lo_b, hi_b) - p)``, rounded down. Losses go into
the root's pot and gains come out of it: a gain waits (``SettlementPending``) until enough losers
have paid in, which anyone may trigger for them (:meth:`SettlementCalls.claim_many`).
"""

from __future__ import annotations

from typing import Any, Iterable

from .addresses import address_of
from .collateral import Position, clamp, floor_div
from .transport import ContractClient
from .wad import WAD


def settlement_payoff(outcome: int, positions: Iterable[tuple[Position, tuple[int, int]]]) -> int:
    """The payoff (18 decimals, rounded down) of positions ``(position, (lo_b, hi_b))`` at ``outcome``,
    where ``(lo_b, hi_b)`` are each market's bounds before settling."""
    return floor_div(sum(p.payoff36(clamp(outcome, lo, hi)) for p, (lo, hi) in positions), WAD)


class SettlementCalls:
    """The client's claim calls on an :class:`~pmarket.exchange.Exchange`."""

    def claim(self: ContractClient, trader: Any, root_id: int, *, sender: Any = None) -> Any:
        """Claim ``trader``'s payoff in settled ``root_id`` (sent by ``sender``, default the trader)."""
        address = address_of(trader)
        if sender is None:
            return self.transact("claim", root_id, sender=trader)
        return self.transact("claimFor", address, root_id, sender=sender)

    def claim_many(self: ContractClient, root_id: int, traders: Iterable[Any], *, sender: Any) -> Any:
        """Claim for every trader in one call: losses first, then gains; failures are skipped."""
        addresses = [address_of(t) for t in traders]
        return self.transact("claimMany", root_id, addresses, sender=sender)

    def pot(self: ContractClient, root_id: int) -> int:
        return int(self.call("pot", root_id))

    def has_claimed(self: ContractClient, trader: Any, root_id: int) -> bool:
        return bool(self.call("hasClaimed", address_of(trader), root_id))
