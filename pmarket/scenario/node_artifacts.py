"""The node backend's artifact markets: :class:`pmarket.node.artifacts.ArtifactsNode` and
:class:`pmarket.node.bounties.BountiesNode` beside the scenario's node.

They sit where the chain backend deploys them (the deployer's nonces 4 and 5 on a fresh Anvil), with
the same parameters (90-day closes, a one-day window, the seed's thresholds), so root ids, pool ids
and every refusal agree with ``--chain``. The node's clock starts at a fixed time and moves by
``warp`` only, as the chain's does once an artifact action pinned it.
"""

from __future__ import annotations

from typing import Optional, Sequence

from eth_utils import keccak, to_checksum_address

from ..artifacts import DAY, SEED_PRICES
from ..lifecycle import Reputation, State
from ..maker import PoolKey
from ..node import Node
from ..node.artifacts import ORACLE_ROLE, ArtifactsNode
from ..node.bounties import BountiesNode
from ..wad import to_wad

#: Anvil's test account 0: the scenario's deployer (``admin``).
def offchain_address(label: str) -> str:
    """The address the offchain node gives a contract of its simulated deployment: the last 20 bytes
    of ``keccak256(label)``. The node signs and checks under its own domain, and a scenario compares
    refusals by name and states by trader, so these need not be where ``--chain`` deploys."""
    return to_checksum_address(keccak(text=label)[-20:])


DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
#: The node's clock at the start of a scenario (seconds); only differences of times matter.
START = 1_700_000_000


class NodeArtifacts:
    """Mixed into :class:`pmarket.scenario.backends.NodeBackend`."""

    node: Node

    def _init_artifacts(self) -> None:
        self.node.s.now = START
        prices = [to_wad(p, name="price") for p in SEED_PRICES]
        self.registry = ArtifactsNode(self.node, offchain_address("pmarket.offchain.Artifacts"), DEPLOYER, 90 * DAY, DAY, prices)
        self.escrow = BountiesNode(self.registry, offchain_address("pmarket.offchain.Bounties"))

    # ---- actions -----------------------------------------------------------------------------
    def grant_oracle(self, who: str, to: str) -> None:
        self.registry.grant_role(who, ORACLE_ROLE, to)

    def register_artifact(self, who: str, artifact: bytes, b: int, fee_bps: int) -> None:
        self.registry.register(who, artifact, b, fee_bps)

    def transition(self, who: str, artifact: bytes, state: State) -> None:
        self.registry.transition(who, artifact, state)

    def trigger(self, who: str, artifact: bytes, state: State) -> None:
        self.registry.trigger(who, artifact, state)

    def settle_artifact(self, who: str, artifact: bytes, round_: int, traders: Sequence[str]) -> list[tuple[str, str]]:
        return self.registry.settle(who, artifact, round_, traders)[1]

    def close_artifact(self, who: str, artifact: bytes) -> tuple[int, int, int]:
        a = self.registry.artifacts.get(artifact)
        pool_id = self.registry.rounds[(artifact, a.round)].pool_id if a is not None else bytes(32)
        before = self.node.credit(pool_id, who)
        quantity, cost = self.registry.close(who, artifact)
        return quantity, cost, before - self.node.credit(pool_id, who)  # the discount left the credit

    def warp(self, seconds: int) -> None:
        self.node.s.now = self.node.clock() + seconds

    def post_bounty(self, who: str, bounty: bytes, artifact: bytes, amount: str, expires_in: int) -> None:
        units = to_wad(amount, name="amount", decimals=self.node.s.config.decimals)
        self.escrow.post(who, bounty, artifact, units, self.node.clock() + expires_in)

    def distribute(self, who: str, bounty: bytes, claimants: Sequence[str], weights: Sequence[int]) -> dict[str, int]:
        paid: dict[str, int] = {}
        for claimant, share in self.escrow.distribute(who, bounty, claimants, weights):
            paid[claimant] = paid.get(claimant, 0) + share
        return paid

    def reclaim_bounty(self, who: str, bounty: bytes) -> int:
        return self.escrow.reclaim(who, bounty)

    # ---- views -------------------------------------------------------------------------------
    def artifact_state(self, artifact: bytes) -> Optional[tuple[State, int, bool, str, int]]:
        a = self.registry.artifacts.get(artifact)
        return None if a is None else (a.state, a.round, a.open, a.registrant, a.reserve)

    def round_info(self, artifact: bytes, round_: int) -> tuple[int, bytes, State, bool]:
        r = self.registry.round_info(artifact, round_)
        return r.root_id, r.pool_id, r.outcome, r.collected

    def history(self, artifact: bytes) -> list[tuple[State, str, bool, int, int]]:
        return [(t.state, t.by, t.triggered, t.price, t.round) for t in self.registry.history(artifact)]

    def reputation(self, trader: str) -> tuple[Reputation, int]:
        return self.registry.reputation(trader)

    def bounty(self, bounty: bytes) -> Optional[tuple[bytes, str, int, bool]]:
        b = self.escrow.bounties.get(bounty)
        return None if b is None else (b.artifact, b.funder, b.amount, b.distributed)

    def escrowed(self) -> int:
        return self.escrow.escrowed

    def pool_key(self, pool_id: bytes) -> Optional[PoolKey]:
        pool = self.node.s.pools.get(pool_id)
        return None if pool is None else pool.key

    def cushion(self, key: PoolKey) -> int:
        return self.node.observe(key.id)[2]

    def price_range(self, key: PoolKey) -> tuple[int, int, int]:
        return self.node.price_range(key.id)

    def credit(self, key: PoolKey, trader: str) -> int:
        return self.node.credit(key.id, trader)
