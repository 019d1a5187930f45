"""The chain backend's artifact markets: ``Artifacts.sol`` and ``Bounties.sol`` beside the Exchange.

The scenario's deployer deploys the registry and the escrow right after the Exchange (its nonces
4 and 5 on a fresh Anvil, where the node puts them too). From the first artifact action on, blocks
keep one timestamp (``anvil_setBlockTimestampInterval 0``) and only ``warp`` moves time, so rounds,
price ranges and closes see the same seconds as the node's clock.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from eth_utils import keccak, to_checksum_address

from ..artifacts import DAY, SEED_PRICES, artifacts_contract_type
from ..lifecycle import Reputation, State
from ..maker import PoolKey
from .. import errors
from ..wad import to_wad
from .backends import TOKEN_DECIMALS

#: The scenario registry's parameters (the node uses the same): 90-day closes, a one-day window.
CLOSE_AFTER = 90 * DAY
WINDOW = DAY
ORACLE_ROLE = keccak(text="ORACLE_ROLE")


def registry_contract_type(project: Any) -> Any:
    """The registry's ABI with the Exchange's, the Maker's and the escrow's errors (every refusal a
    scenario meets decodes by name)."""
    merged = artifacts_contract_type(project)
    seen = {getattr(i, "selector", None) for i in merged.abi if i.type == "error"}
    extra = [i for i in project.Bounties.contract_type.abi if i.type == "error" and i.selector not in seen]
    return merged.model_copy(update={"abi": list(merged.abi) + extra})


class ChainArtifacts:
    """Mixed into :class:`pmarket.scenario.chain.ChainBackend` (uses its ``rt``, ``_send``, ``_view`` and ``_events``)."""

    def _deploy_artifacts(self, project: Any) -> None:
        """Deploy the registry and the escrow (the deployer holds the oracle role's admin)."""
        registry_type = registry_contract_type(project)
        prices = [to_wad(p, name="price") for p in SEED_PRICES]
        self.registry = self.rt.deploy(registry_type, self.ex.address, CLOSE_AFTER, WINDOW, prices, sender=self.admin)
        self.escrow = self.rt.deploy(
            project.Bounties.contract_type, self.registry.address, self.token.address, ORACLE_ROLE, sender=self.admin
        )
        self.rt.error_type = registry_type  # from now on every refusal a scenario meets decodes by name
        self.errors_by_selector.update({keccak(text=e.selector)[:4]: e.name for e in registry_type.errors})
        self._approved: set[tuple[str, str]] = set()
        self._pinned = False

    def _pin_clock(self) -> None:
        """Blocks keep one timestamp from now on: time moves by ``warp`` only."""
        if not self._pinned:
            self.rt.rpc("anvil_setBlockTimestampInterval", [0])
            self._pinned = True

    def release(self) -> None:
        """Give the chain its clock back (after the run)."""
        if self._pinned:
            self.rt.rpc("anvil_removeBlockTimestampInterval", [])
            self._pinned = False

    def _approve(self, who: str, spender: Any) -> None:
        if (who, spender.address) not in self._approved:
            self._send(self.token, "approve", spender.address, 2**256 - 1, sender=who)
            self._approved.add((who, spender.address))

    # ---- actions -----------------------------------------------------------------------------
    def grant_oracle(self, who: str, to: str) -> None:
        self._pin_clock()
        self._send(self.registry, "grantRole", ORACLE_ROLE, to, sender=who)

    def register_artifact(self, who: str, artifact: bytes, b: int, fee_bps: int) -> None:
        self._pin_clock()
        self._approve(who, self.registry)
        self._send(self.registry, "register", artifact, b, fee_bps, sender=who)

    def transition(self, who: str, artifact: bytes, state: State) -> None:
        self._send(self.registry, "transition", artifact, int(state), sender=who)

    def trigger(self, who: str, artifact: bytes, state: State) -> None:
        self._send(self.registry, "trigger", artifact, int(state), sender=who)

    def settle_artifact(self, who: str, artifact: bytes, round_: int, traders: Sequence[str]) -> list[tuple[str, str]]:
        receipt = self._send(self.registry, "settle", artifact, round_, list(traders), sender=who)
        return [
            (to_checksum_address(log["trader"]), self._reason(log["reason"]))
            for log in self._events(receipt, "SettlementSkipped", self.registry)
        ]

    def close_artifact(self, who: str, artifact: bytes) -> tuple[int, int, int]:
        receipt = self._send(self.registry, "close", artifact, sender=who)
        [log] = self._events(receipt, "PositionClosed", self.maker)
        return int(log["quantity"]), int(log["cost"]), int(log["discount"])

    def warp(self, seconds: int) -> None:
        self._pin_clock()
        head = self.rt.rpc("eth_getBlockByNumber", ["latest", False])
        self.rt.rpc("evm_setNextBlockTimestamp", [int(head["timestamp"], 16) + seconds])
        self.rt.rpc("evm_mine", [])

    def post_bounty(self, who: str, bounty: bytes, artifact: bytes, amount: str, expires_in: int) -> None:
        self._pin_clock()
        self._approve(who, self.escrow)
        units = to_wad(amount, name="amount", decimals=TOKEN_DECIMALS)
        # The clock is pinned: the post's block keeps the head's timestamp.
        now = int(self.rt.rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        self._send(self.escrow, "post", bounty, artifact, units, now + expires_in, sender=who)

    def distribute(self, who: str, bounty: bytes, claimants: Sequence[str], weights: Sequence[int]) -> dict[str, int]:
        receipt = self._send(self.escrow, "distribute", bounty, list(claimants), list(weights), sender=who)
        paid: dict[str, int] = {}
        for log in self._events(receipt, "BountyPaid", self.escrow):
            claimant = to_checksum_address(log["claimant"])
            paid[claimant] = paid.get(claimant, 0) + int(log["amount"])
        return paid

    def reclaim_bounty(self, who: str, bounty: bytes) -> int:
        receipt = self._send(self.escrow, "reclaim", bounty, sender=who)
        return sum(int(log["amount"]) for log in self._events(receipt, "BountyReclaimed", self.escrow))

    # ---- views -------------------------------------------------------------------------------
    def artifact_state(self, artifact: bytes) -> Optional[tuple[State, int, bool, str, int]]:

        try:
            state, round_, is_open, _, registrant, reserve = self._view("artifactState", artifact, contract=self.registry)
        except errors.UnknownArtifact:
            return None
        return State(int(state)), int(round_), bool(is_open), to_checksum_address(registrant), int(reserve)

    def round_info(self, artifact: bytes, round_: int) -> tuple[int, bytes, State, bool]:
        root, pool, outcome, collected = self._view("roundInfo", artifact, round_, contract=self.registry)
        return int(root), bytes(pool), State(int(outcome)), bool(collected)

    def history(self, artifact: bytes) -> list[tuple[State, str, bool, int, int]]:
        return [
            (State(int(state)), to_checksum_address(by), bool(triggered), int(price), int(round_))
            for state, _, by, triggered, price, round_ in self._view("history", artifact, contract=self.registry)
        ]

    def reputation(self, trader: str) -> tuple[Reputation, int]:
        record, score = self._view("reputation", trader, contract=self.registry)
        return Reputation(*(int(v) for v in record)), int(score)

    def bounty(self, bounty: bytes) -> Optional[tuple[bytes, str, int, bool]]:

        try:
            artifact, funder, amount, distributed, _ = self._view("bounty", bounty, contract=self.escrow)
        except errors.UnknownBounty:
            return None
        return bytes(artifact), to_checksum_address(funder), int(amount), bool(distributed)

    def escrowed(self) -> int:
        return int(self._view("escrowed", contract=self.escrow))

    def pool_key(self, pool_id: bytes) -> Optional[PoolKey]:

        try:
            raw = self._view("poolKey", pool_id, contract=self.maker)
        except errors.UnknownPool:
            return None
        return PoolKey.from_tuple(raw)

    def cushion(self, key: PoolKey) -> int:
        return int(self._view("observe", key.id, contract=self.maker)[2])

    def price_range(self, key: PoolKey) -> tuple[int, int, int]:
        low, high, period = self._view("priceRange", key.id, contract=self.maker)
        return int(low), int(high), int(period)

    def credit(self, key: PoolKey, trader: str) -> int:
        return int(self._view("credit", key.id, trader, contract=self.maker))
