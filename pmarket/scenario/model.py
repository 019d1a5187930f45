"""Scenario files: ``{"actions": [...]}`` with decimal strings, traders by name.

Actions (``by`` names a trader; ids name orders within the file):

- ``{"do": "define", "by": N, "root": R, "branch": B, "min": X, "max": Y}``
- ``{"do": "settle", "by": N, "root": R, "outcome": X}``
- ``{"do": "deposit" | "withdraw", "by": N, "amount": X}``
- ``{"do": "order", "by": N, "id": ID, "root": R, "branch": B, "price": P, "quantity": Q}``
- ``{"do": "match", "bid": ID, "ask": ID, "quantity": Q}`` with optional ``"price"`` and optional
  ``"bid_partial"`` / ``"ask_partial"``: ``{"price": P, "quantity": Q}``, a Partial the order's owner
  pre-signs (same side, smaller size equal to the match quantity, weakly better price)
- ``{"do": "batch", "matches": [match, ...]}``: one ``matchBatch`` call; failures are skipped
- ``{"do": "cancel", "by": N, "order": ID}``: N signs the Offset (only the owner's signature works)
- ``{"do": "reduce", "by": N, "order": ID, "quantity": Q}``: N signs a Reduction of size Q
- ``{"do": "claim", "by": N, "root": R}`` and ``{"do": "claim_many", "by": N, "root": R}`` (every trader)
- ``{"do": "freeze" | "unfreeze", "by": N, "root": R}``: the root's owner or oracle stops (resumes)
  trading there
- ``{"do": "pool", "by": N, "id": ID, "root": R, "branch": B, "b": X}`` with optional ``"fee"`` (basis
  points): an LMSR pool, funded with ``b ln 2`` of N's balance
- ``{"do": "buy" | "sell", "by": N, "pool": ID, "side": "long" | "short", "shares": X}`` with optional
  ``"limit"`` (max cost of a buy, min proceeds of a sale)
- ``{"do": "fill", "order": ID, "pool": ID, "quantity": Q}`` with optional ``"by"`` (default ``admin``):
  a resting order filled against the pool
- ``{"do": "close_pool" | "claim_pool", "by": N, "pool": ID}``: close an idle pool; after settlement,
  pay its creator what is left

Artifact markets (protocol section 6; the deployer ``admin`` holds the oracle role's admin):

- ``{"do": "artifact", "by": N, "id": A, "b": X}`` with optional ``"fee"``: register artifact A; N
  pays its pool's funding ``ceil(b ln 2)`` from the wallet. Afterwards ``"root": A`` (in ``order``,
  ``claim``...) names the artifact's current market and ``"pool": A`` its current pool
- ``{"do": "grant", "by": N, "role": "oracle", "to": M}``: N (normally ``admin``) makes M an oracle
- ``{"do": "lifecycle", "by": N, "artifact": A, "state": S}``: an oracle posts S (listed, flagged,
  challenged, validated, deprecated)
- ``{"do": "trigger", "by": N, "artifact": A, "state": S}``: a price-triggered transition, anyone
  (the pool's price must have stayed past the threshold through the last window)
- ``{"do": "claim_artifact", "by": N, "artifact": A}`` with optional ``"round"`` (default: the newest
  settled round): N's settlement credited; ``{"do": "settle_artifact", "by": N, "artifact": A}``
  credits every trader and pool of that round in one batch
- ``{"do": "close", "by": N, "artifact": A}``: N closes its own position against the pool (after
  the close delay): at the range's worse end for N, within N's fee credit
- ``{"do": "warp", "seconds": T}``: time passes
- ``{"do": "bounty", "by": N, "id": ID, "artifact": A, "amount": X}`` (token units) with optional
  ``"expires_in"`` (seconds from the action's time; default 365 days), and
  ``{"do": "distribute", "by": N, "bounty": ID, "claimants": {M: W, ...}}`` (integer weights)
- ``{"do": "reclaim", "by": N, "bounty": ID}``: after the bounty's expiry, N takes back its
  contribution to it
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from ..errors import PMarketError
from ..lifecycle import State
from ..lmsr.pool import Side
from ..wad import to_wad

ACTIONS = {
    "define": ("by", "root", "branch", "min", "max"),
    "settle": ("by", "root", "outcome"),
    "deposit": ("by", "amount"),
    "withdraw": ("by", "amount"),
    "order": ("by", "id", "root", "branch", "price", "quantity"),
    "match": ("bid", "ask", "quantity"),
    "batch": ("matches",),
    "cancel": ("by", "order"),
    "reduce": ("by", "order", "quantity"),
    "claim": ("by", "root"),
    "claim_many": ("by", "root"),
    "freeze": ("by", "root"),
    "unfreeze": ("by", "root"),
    "pool": ("by", "id", "root", "branch", "b"),
    "buy": ("by", "pool", "side", "shares"),
    "sell": ("by", "pool", "side", "shares"),
    "fill": ("order", "pool", "quantity"),
    "close_pool": ("by", "pool"),
    "claim_pool": ("by", "pool"),
    "artifact": ("by", "id", "b"),
    "grant": ("by", "role", "to"),
    "lifecycle": ("by", "artifact", "state"),
    "trigger": ("by", "artifact", "state"),
    "claim_artifact": ("by", "artifact"),
    "settle_artifact": ("by", "artifact"),
    "close": ("by", "artifact"),
    "warp": ("seconds",),
    "bounty": ("by", "id", "artifact", "amount"),
    "distribute": ("by", "bounty", "claimants"),
    "reclaim": ("by", "bounty"),
}
#: The actions of artifact markets (run by :mod:`pmarket.scenario.artifact_actions`).
#: Actions renamed to the client's and the contract's verb (a file using the old name is refused with the new one).
RENAMED = {"claim_all": "claim_many"}

ARTIFACT_ACTIONS = frozenset(
    {"artifact", "grant", "lifecycle", "trigger", "claim_artifact", "settle_artifact", "close", "warp", "bounty", "distribute"}
    | {"reclaim"}
)
OPTIONAL = {
    "match": ("price", "bid_partial", "ask_partial"),
    "pool": ("fee",),
    "buy": ("limit",),
    "sell": ("limit",),
    "fill": ("by",),
    "artifact": ("fee",),
    "claim_artifact": ("round",),
    "bounty": ("expires_in",),
}
#: The scenario's deployer (test account 0); named traders take accounts 1, 2, ... in order of appearance.
DEPLOYER = "admin"
MAX_TRADERS = 9


class ScenarioError(PMarketError, ValueError):
    """A scenario file that cannot be run as written (names the action and the problem)."""


@dataclass(frozen=True)
class PartialSpec:
    price: int
    quantity: int


@dataclass(frozen=True)
class MatchSpec:
    bid: str
    ask: str
    quantity: int
    price: Optional[int] = None
    bid_partial: Optional[PartialSpec] = None
    ask_partial: Optional[PartialSpec] = None


@dataclass(frozen=True)
class Action:
    """One action with its amounts as exact 18-decimal integers (``amount`` of a deposit stays a
    decimal string: it is in token units)."""

    do: str
    args: dict[str, Any]


@dataclass
class Scenario:
    actions: list[Action]
    traders: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, source: Union[str, Path, dict]) -> "Scenario":
        data = source if isinstance(source, dict) else json.loads(Path(source).read_text())
        if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
            raise ScenarioError('a scenario is a JSON object {"actions": [...]}')
        unknown = sorted(set(data) - {"actions", "about"})
        if unknown:
            raise ScenarioError(f"unknown top-level keys {unknown} (only 'actions' and 'about')")
        actions = [_action(i, raw) for i, raw in enumerate(data["actions"])]
        traders: list[str] = []
        for a in actions:
            names = [a.args.get("by"), a.args.get("to"), *a.args.get("claimants", {})]
            for name in names:
                if name is not None and name != DEPLOYER and name not in traders:
                    traders.append(name)
        if len(traders) > MAX_TRADERS:
            raise ScenarioError(f"at most {MAX_TRADERS} named traders (test accounts 1..9); got {len(traders)}")
        return cls(actions, traders)


def _action(index: int, raw: Any) -> Action:
    where = f"action {index}"
    if isinstance(raw, dict) and raw.get("do") in RENAMED:
        raise ScenarioError(f"{where}: action {raw['do']!r} is now {RENAMED[raw['do']]!r} (the client's and the contract's name)")
    if not isinstance(raw, dict) or raw.get("do") not in ACTIONS:
        raise ScenarioError(f"{where}: 'do' must be one of {sorted(ACTIONS)}")
    do = raw["do"]
    allowed = set(ACTIONS[do]) | set(OPTIONAL.get(do, ())) | {"do"}
    missing = [k for k in ACTIONS[do] if k not in raw]
    extra = sorted(set(raw) - allowed)
    if missing or extra:
        raise ScenarioError(f"{where} ({do}): missing {missing}, unknown {extra}")
    args: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "do":
            continue
        args[key] = _value(where, do, key, value)
    return Action(do, args)


def _value(where: str, do: str, key: str, value: Any) -> Any:
    if key == "side":
        if value not in ("long", "short"):
            raise ScenarioError(f"{where}: 'side' must be 'long' or 'short'")
        return Side.parse(value)
    if key == "fee":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**16:
            raise ScenarioError(f"{where}: 'fee' must be an integer number of basis points")
        return value
    if key in ("by", "id", "bid", "ask", "order", "pool", "artifact", "to", "bounty"):
        if not isinstance(value, str) or not value:
            raise ScenarioError(f"{where}: {key!r} must be a non-empty string")
        return value
    if key in ("state", "role"):
        return _choice(where, key, value)
    if key in ("seconds", "round", "expires_in"):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**40:
            raise ScenarioError(f"{where}: {key!r} must be a non-negative integer")
        return value
    if key == "claimants":
        if not isinstance(value, dict) or not value:
            raise ScenarioError(f"{where}: 'claimants' must be a non-empty object {{name: weight}}")
        for name, weight in value.items():
            if not name or isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight < 2**128:
                raise ScenarioError(f"{where}: claimant {name!r} needs a non-negative integer weight, got {weight!r}")
        return dict(value)
    if key == "root" and isinstance(value, str) and value:
        return value  # an artifact's name: its current market
    if key in ("root", "branch"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ScenarioError(f"{where}: {key!r} must be a non-negative integer")
        return value
    if key == "matches":
        if not isinstance(value, list):
            raise ScenarioError(f"{where}: 'matches' must be a list of match actions")
        return [_match(f"{where} match {i}", m) for i, m in enumerate(value)]
    if key in ("bid_partial", "ask_partial"):
        if not isinstance(value, dict) or set(value) != {"price", "quantity"}:
            raise ScenarioError(f"{where}: {key!r} must be {{'price': P, 'quantity': Q}}")
        return PartialSpec(_wad(where, "price", value["price"]), _wad(where, "quantity", value["quantity"]))
    if key == "amount" and do in ("deposit", "bounty"):
        _wad(where, key, value)  # validated here, converted with the token's decimals later
        return value
    return _wad(where, key, value)


def _choice(where: str, key: str, value: Any) -> Any:
    """A lifecycle state by name, or the role ``oracle``."""
    if key == "role":
        if value != "oracle":
            raise ScenarioError(f"{where}: 'role' must be 'oracle' (the only role the registry grants)")
        return value
    try:
        state = State.parse(value) if isinstance(value, str) else None
    except ValueError as err:
        raise ScenarioError(f"{where}: {err}") from None
    if state is None or state is State.NONE:
        raise ScenarioError(f"{where}: 'state' must be listed, flagged, challenged, validated or deprecated")
    return state


def _match(where: str, raw: Any) -> MatchSpec:
    action = _action(0, {**raw, "do": "match"} if isinstance(raw, dict) else raw)
    return match_spec(action)


def match_spec(action: Action) -> MatchSpec:
    a = action.args
    return MatchSpec(a["bid"], a["ask"], a["quantity"], a.get("price"), a.get("bid_partial"), a.get("ask_partial"))


def _wad(where: str, key: str, value: Any) -> int:
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: {key!r} must be a decimal string, got {value!r}")
    try:
        return to_wad(value, name=key)
    except PMarketError as err:
        raise ScenarioError(f"{where}: {err}") from None
