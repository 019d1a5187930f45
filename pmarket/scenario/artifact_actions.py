"""The scenario actions of artifact markets (protocol section 6) and their part of the report.

:class:`ArtifactActions` is mixed into :class:`pmarket.scenario.runner.Runner`. An artifact's rounds
are markets whose root ids depend on the registry's address, so the report names them
``"<artifact>#<round>"`` (the same on every backend) instead of by number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Protocol, Sequence

from ..artifacts import artifact_id
from ..errors import ContractError
from ..bounties import DEFAULT_EXPIRY
from ..lifecycle import Reputation, State
from ..maker import PoolKey
from .backends import TOKEN_DECIMALS
from .model import Action, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from .runner import Runner


class ArtifactBackend(Protocol):
    """What a backend offers for artifact markets (``Artifacts.sol`` and ``Bounties.sol``)."""

    def grant_oracle(self, who: str, to: str) -> None: ...
    def register_artifact(self, who: str, artifact: bytes, b: int, fee_bps: int) -> None: ...
    def transition(self, who: str, artifact: bytes, state: State) -> None: ...
    def trigger(self, who: str, artifact: bytes, state: State) -> None: ...
    def settle_artifact(self, who: str, artifact: bytes, round_: int, traders: Sequence[str]) -> list[tuple[str, str]]: ...
    def close_artifact(self, who: str, artifact: bytes) -> tuple[int, int, int]: ...
    def warp(self, seconds: int) -> None: ...
    def post_bounty(self, who: str, bounty: bytes, artifact: bytes, amount: str, expires_in: int) -> None: ...
    def distribute(self, who: str, bounty: bytes, claimants: Sequence[str], weights: Sequence[int]) -> dict[str, int]: ...
    def reclaim_bounty(self, who: str, bounty: bytes) -> int: ...
    # views
    def artifact_state(self, artifact: bytes) -> Optional[tuple[State, int, bool, str, int]]: ...
    def round_info(self, artifact: bytes, round_: int) -> tuple[int, bytes, State, bool]: ...
    def history(self, artifact: bytes) -> list[tuple[State, str, bool, int, int]]: ...
    def reputation(self, trader: str) -> tuple[Reputation, int]: ...
    def bounty(self, bounty: bytes) -> Optional[tuple[bytes, str, int, bool]]: ...
    def escrowed(self) -> int: ...
    def pool_key(self, pool_id: bytes) -> Optional[PoolKey]: ...
    def cushion(self, key: PoolKey) -> int: ...
    def price_range(self, key: PoolKey) -> tuple[int, int, int]: ...
    def credit(self, key: PoolKey, trader: str) -> int: ...


class ArtifactActions:
    """Runs the artifact actions; keeps the names of the artifacts, their rounds and bounties."""

    def _init_artifacts(self: "Runner") -> None:
        self.artifacts: dict[str, bytes] = {}
        self.labels: dict[int, str] = {}  # root id -> "<artifact>#<round>"
        self.round_pools: dict[str, PoolKey] = {}  # "<artifact>#<round>" -> its pool
        self.bounties: dict[str, tuple[bytes, str]] = {}  # id -> (bytes32, artifact name)

    def _apply_artifact(self: "Runner", index: int, action: Action, who: Optional[str]) -> Optional[dict[str, Any]]:
        a = action.args
        try:
            return self._artifact_action(index, action.do, a, who)
        finally:
            if "artifact" in a or action.do == "artifact":
                self._refresh(a.get("artifact", a.get("id")))

    def _artifact_action(self: "Runner", index: int, do: str, a: dict[str, Any], who: Optional[str]) -> Optional[dict[str, Any]]:
        from .runner import wad_str

        b = self.backend
        if do == "artifact":
            self.artifacts.setdefault(a["id"], artifact_id(a["id"]))
            b.register_artifact(who, self.artifacts[a["id"]], a["b"], a.get("fee", 0))
        elif do == "grant":
            b.grant_oracle(who, self.address(a["to"]))
        elif do == "warp":
            b.warp(a["seconds"])
        elif do == "bounty":
            if a["id"] in self.bounties:
                raise ScenarioError(f"action {index}: bounty id {a['id']!r} is used twice")
            self.bounties[a["id"]] = (artifact_id(a["id"]), a["artifact"])
            artifact = self._artifact(index, a["artifact"], known=False)
            b.post_bounty(who, self.bounties[a["id"]][0], artifact, a["amount"], a.get("expires_in", DEFAULT_EXPIRY))
        elif do == "distribute":
            if a["bounty"] not in self.bounties:
                raise ScenarioError(f"action {index}: no bounty with id {a['bounty']!r} before it")
            names = list(a["claimants"])
            paid = b.distribute(who, self.bounties[a["bounty"]][0], [self.address(n) for n in names], list(a["claimants"].values()))
            return {"paid": {self._name(t): wad_str(v, TOKEN_DECIMALS) for t, v in paid.items()}}
        elif do == "reclaim":
            if a["bounty"] not in self.bounties:
                raise ScenarioError(f"action {index}: no bounty with id {a['bounty']!r} before it")
            return {"reclaimed": wad_str(b.reclaim_bounty(who, self.bounties[a["bounty"]][0]), TOKEN_DECIMALS)}
        else:
            return self._lifecycle_action(index, do, a, who)
        return None

    def _lifecycle_action(self: "Runner", index: int, do: str, a: dict[str, Any], who: Optional[str]) -> Optional[dict[str, Any]]:
        from .runner import wad_str

        b, aid = self.backend, self._artifact(index, a["artifact"])
        if do == "lifecycle":
            b.transition(who, aid, a["state"])
        elif do == "trigger":
            b.trigger(who, aid, a["state"])
        elif do == "close":
            quantity, cost, discount = b.close_artifact(who, aid)
            return {"closed": {"quantity": wad_str(quantity), "cost": wad_str(cost, 36), "discount": wad_str(discount)}}
        elif do == "claim_artifact":
            b.settle_artifact(who, aid, a.get("round", self._settled_round(aid)), [who])
        elif do == "settle_artifact":
            round_ = self._settled_round(aid)
            root = b.round_info(aid, round_)[0]
            everyone = [self.address(n) for n in self.scenario.traders]
            pool = self.round_pools.get(self.labels.get(root, ""))
            everyone += [pool.account] if pool is not None else []
            skipped = b.settle_artifact(who, aid, round_, everyone)
            return {"skipped": [{"trader": self._name(t), "error": name} for t, name in skipped]}
        return None

    @staticmethod
    def _refusal_values(err: ContractError) -> dict[str, Any]:
        """What a refused trigger reports besides the error's name: the range's end it read and the
        threshold (``readyAt`` is a time, which differs between backends)."""
        from .runner import wad_str

        if err.name != "ThresholdNotMet":
            return {}
        return {"price": wad_str(int(err.values["price"])), "threshold": wad_str(int(err.values["threshold"]))}

    # ---- names ------------------------------------------------------------------------------
    def _artifact(self: "Runner", index: int, name: str, known: bool = True) -> bytes:
        """The id of an artifact the scenario registered (or, for a bounty, any name: the registry
        refuses unknown artifacts itself)."""
        if name not in self.artifacts:
            if known:
                raise ScenarioError(f"action {index}: no artifact {name!r} registered before it")
            return artifact_id(name)
        return self.artifacts[name]

    def _settled_round(self: "Runner", aid: bytes) -> int:
        """The newest round that settled (the current one if nothing settled yet: the registry
        then names the refusal)."""
        state = self.backend.artifact_state(aid)
        current = state[1] if state is not None else 0
        for round_ in range(current, -1, -1):
            if self.backend.round_info(aid, round_)[2] is not State.NONE:
                return round_
        return current

    def _artifact_root(self: "Runner", index: int, name: str) -> int:
        """The root id of an artifact's current market (``"root": A`` in the other actions)."""
        aid = self._artifact(index, name)
        state = self.backend.artifact_state(aid)
        if state is None:
            raise ScenarioError(f"action {index}: artifact {name!r} has no market (its registration failed)")
        return self.backend.round_info(aid, state[1])[0]

    def _artifact_pool(self: "Runner", name: str) -> Optional[PoolKey]:
        """The current pool of artifact ``name`` (``"pool": A`` in buys, sells and fills)."""
        aid = self.artifacts.get(name)
        state = self.backend.artifact_state(aid) if aid is not None else None
        if state is None:
            return None
        root = self.backend.round_info(aid, state[1])[0]
        return self.round_pools.get(self.labels.get(root, ""))

    def _refresh(self: "Runner", name: Optional[str]) -> None:
        """Learn the artifact's rounds: their markets join the report under their labels."""
        aid = self.artifacts.get(name or "")
        state = self.backend.artifact_state(aid) if aid is not None else None
        if state is None:
            return
        for round_ in range(state[1] + 1):
            root, pool_id, _, _ = self.backend.round_info(aid, round_)
            label = f"{name}#{round_}"
            if root not in self.labels:
                self.labels[root] = label
                self.markets.append((root, 1))
            key = self.backend.pool_key(pool_id) if pool_id != bytes(32) else None
            if key is not None:
                self.round_pools[label] = key

    # ---- report -----------------------------------------------------------------------------
    def _artifacts_report(self: "Runner") -> dict[str, Any]:
        from .runner import wad_str

        b, out = self.backend, {}
        for name, aid in self.artifacts.items():
            state = b.artifact_state(aid)
            if state is None:
                continue
            current, round_, is_open, registrant, reserve = state
            rounds = []
            for r in range(round_ + 1):
                root, _, outcome, collected = b.round_info(aid, r)
                rounds.append({"market": self.labels.get(root, str(root)), "outcome": outcome.label, "collected": collected})
            out[name] = {
                "state": current.label,
                "round": round_,
                "open": is_open,
                "registrant": self._name(registrant),
                "reserve": wad_str(reserve),
                "rounds": rounds,
                "history": [
                    {"state": s.label, "by": self._name(by), "triggered": t, "price": wad_str(price), "round": r}
                    for s, by, t, price, r in b.history(aid)
                ],
            }
        return out

    def _reputation_report(self: "Runner") -> dict[str, Any]:
        from .runner import wad_str

        out = {}
        for name in self.scenario.traders:
            rep, score = self.backend.reputation(self.address(name))
            if rep.correct or rep.incorrect:
                out[name] = {
                    "correct": rep.correct,
                    "incorrect": rep.incorrect,
                    "correct_stake": wad_str(rep.correct_stake),
                    "total_stake": wad_str(rep.total_stake),
                    "score": wad_str(score),
                }
        return out

    def _bounties_report(self: "Runner") -> dict[str, Any]:
        from .runner import wad_str

        out: dict[str, Any] = {}
        for name, (bid, artifact) in self.bounties.items():
            info = self.backend.bounty(bid)
            if info is not None:
                _, funder, amount, distributed = info
                out[name] = {"artifact": artifact, "funder": self._name(funder), "amount": wad_str(amount, TOKEN_DECIMALS), "distributed": distributed}
        return {"escrowed": wad_str(self.backend.escrowed(), TOKEN_DECIMALS), **out} if out else {}

    def _report_artifacts(self: "Runner", out: dict[str, Any]) -> None:
        if not self.artifacts:
            return
        out["artifacts"] = self._artifacts_report()
        out["reputation"] = self._reputation_report()
        from .runner import wad_str

        for label, key in self.round_pools.items():
            if label in out.get("pools", {}):
                pool = out["pools"][label]
                pool["cushion"] = wad_str(self.backend.cushion(key))
                low, high, _ = self.backend.price_range(key)
                pool["range"] = {"low": wad_str(low), "high": wad_str(high)}
                credits = {n: self.backend.credit(key, self.address(n)) for n in self.scenario.traders}
                pool["credits"] = {n: wad_str(c) for n, c in credits.items() if c}
        bounties = self._bounties_report()
        if bounties:
            out["bounties"] = bounties
