"""Artifact markets (``Artifacts.sol``): register, post lifecycle states, settle, query the ledger.

An artifact is a bytes32 id (:func:`artifact_id` turns a name into one). Registering it opens its
first round: a ``[0, 1]`` market on the Exchange and a tracked LMSR pool the registrant funds.
Oracles post lifecycle states; :meth:`Artifacts.settle_artifact` posts one and credits every
position of the round in gas-bounded batches::

    arts = Artifacts.deploy(exchange, sender=admin)
    arts.grant_oracle(oracle, sender=admin)
    arts.register("paper-42", b=100, sender=registrant)
    arts.settle_artifact("paper-42", "validated", sender=oracle)
    arts.settlement_history(trader=alice)     # the trader's notifications, newest first
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, Union

from eth_utils import keccak

from .addresses import address_of
from .artifact_history import ArtifactHistory, SettlementEntry, TransitionRecord  # noqa: F401 (re-exported)
from .collateral import Position
from .lifecycle import LOSS, MAX_WINDOW, PROFIT, Reputation, State, thresholds_valid
from .maker import PoolKey
from .transport import Bound, ape_project, error_name, translate, with_errors
from .wad import DecimalLike, to_wad

if TYPE_CHECKING:  # pragma: no cover
    from .exchange import Exchange

ArtifactLike = Union[str, bytes]
StateLike = Union[State, str, int]
DAY = 86_400
#: The seed's price thresholds: validated above 0.7, flagged below 0.3, deprecated below 0.1.
SEED_PRICES = ("0.7", "0.3", "0.1")
#: Gas one settlement batch may use (a claim through the registry costs about 100,000).
BATCH_GAS = 8_000_000
#: Gas of one claim in a batch, for sizing batches (measured in `make bench`, rounded up).
CLAIM_GAS = 130_000


def deployment_parameters(close_after: int, window: int, prices: Sequence[DecimalLike]) -> list[int]:
    """The registry's trigger thresholds (wad) from ``prices``, after the constructor's checks
    (which revert with a bare ``InvalidParameters``): a ``ValueError`` naming the values."""
    thresholds = [to_wad(p, name="price") for p in prices]
    if not 1 <= window <= MAX_WINDOW or close_after < 0:
        raise ValueError(
            f"the window must be 1 to {MAX_WINDOW:,} seconds (got {window}); close_after at least 0 (got {close_after})"
        )
    if not thresholds_valid(window, thresholds):
        raise ValueError(
            "trigger prices must be three, falling strictly inside (0, 1): validated > flagged > deprecated "
            f"(the seed's 0.7, 0.3, 0.1); got {', '.join(str(p) for p in prices)}"
        )
    return thresholds


def artifact_id(artifact: ArtifactLike) -> bytes:
    """The bytes32 id of an artifact: 32 bytes as given, a ``0x`` hex string of 32 bytes, or a
    name of at most 32 UTF-8 bytes, right-padded with zeros (as a Solidity ``bytes32`` literal);
    longer names are hashed (keccak-256)."""
    if isinstance(artifact, (bytes, bytearray)):
        if len(artifact) != 32:
            raise ValueError(f"an artifact id is 32 bytes, got {len(artifact)}")
        return bytes(artifact)
    if artifact.startswith("0x") and len(artifact) == 66:
        return bytes.fromhex(artifact[2:])
    raw = artifact.encode()
    return raw.ljust(32, b"\0") if len(raw) <= 32 else keccak(raw)


def artifact_name(artifact: bytes) -> str:
    """A readable form of an id: the name it was padded from, else its hex."""
    raw = bytes(artifact).rstrip(b"\0")
    try:
        text = raw.decode()
        if text.isprintable() and artifact_id(text) == bytes(artifact):
            return text
    except UnicodeDecodeError:
        pass
    return "0x" + bytes(artifact).hex()


@dataclass(frozen=True)
class ArtifactInfo:
    """An artifact's state (``Artifacts.artifactState``) and current market."""

    artifact: bytes
    state: State
    round: int
    open: bool
    round_start: int
    registrant: str
    reserve: int
    root_id: int
    pool_id: bytes


@dataclass(frozen=True)
class SettlementReport:
    """What :meth:`Artifacts.settle_artifact` did: the state posted, the round, how many
    positions were credited, the batches sent and the skipped ``(trader, error)``."""

    state: State
    round: int
    settled: int
    batches: int
    skipped: list[tuple[str, str]]


def artifacts_contract_type(project: Any) -> Any:
    """The registry's contract type with the Exchange's and the Maker's errors added (a refusal
    from inside them decodes by name)."""
    from .maker import maker_contract_type

    return with_errors(project.Artifacts.contract_type, maker_contract_type(project))


@dataclass
class Artifacts(Bound, ArtifactHistory):
    """A deployed artifact registry, bound to its :class:`~pmarket.exchange.Exchange` (its history,
    ledger and trader queries are in :class:`~pmarket.artifact_history.ArtifactHistory`)."""

    contract: Any
    exchange: "Exchange"
    start_block: int = 0
    #: A synced ledger index ``(Ledger, deployment id)``: history queries read it instead of logs.
    index: Optional[tuple[Any, int]] = None

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def deploy(
        cls,
        exchange: "Exchange",
        *,
        sender: Any,
        close_after: int = 90 * DAY,
        window: int = DAY,
        prices: Sequence[DecimalLike] = SEED_PRICES,
        project: Any = None,
    ) -> "Artifacts":
        """Deploy a registry on ``exchange`` from ``sender``, who holds the admin role (it grants oracles)."""
        from ape import chain

        project = project or ape_project()
        thresholds = deployment_parameters(close_after, window, prices)
        from ape.exceptions import ContractLogicError

        try:
            contract = project.Artifacts.deploy(exchange.address, close_after, window, thresholds, sender=sender)
        except ContractLogicError as err:
            raise translate(err, project.Artifacts.contract_type) from err
        block = chain.get_receipt(contract.txn_hash).block_number
        return cls.at(contract.address, exchange, project=project, start_block=block)

    @classmethod
    def deployed(cls, exchange: "Exchange", record_path: Optional[str] = None, *, project: Any = None) -> "Artifacts":
        """Attach to the registry recorded for the connected chain (``ape run deploy``; see
        :mod:`pmarket.deployment`)."""
        from ape import chain

        from .deployment import DeploymentNotFound, load_record

        record = load_record(chain.chain_id, path=record_path)
        if not record.artifacts:
            raise DeploymentNotFound(f"the deployment on chain {record.chain_id} has no artifact registry (deployed with --no-artifacts)")
        return cls.at(record.artifacts, exchange, project=project, start_block=record.block)

    @classmethod
    def at(cls, address: str, exchange: "Exchange", *, project: Any = None, start_block: int = 0) -> "Artifacts":
        from ape import chain
        from ape.contracts import ContractInstance

        contract_type = artifacts_contract_type(project or ape_project())
        chain.contracts.cache_contract_type(str(address), contract_type)
        return cls(ContractInstance(str(address), contract_type=contract_type), exchange, start_block)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    @property
    def oracle_role(self) -> bytes:
        return keccak(text="ORACLE_ROLE")

    # ---- roles and registry ------------------------------------------------------------------
    def grant_oracle(self, account: Any, *, sender: Any) -> Any:
        """Give ``account`` the oracle role (``grantRole``; ``sender`` holds the role admin)."""
        return self.transact("grantRole", self.oracle_role, address_of(account), sender=sender)

    def revoke_oracle(self, account: Any, *, sender: Any) -> Any:
        """Take the oracle role from ``account`` (``revokeRole``; ``sender`` holds the role admin)."""
        return self.transact("revokeRole", self.oracle_role, address_of(account), sender=sender)

    def is_oracle(self, account: Any) -> bool:
        return bool(self.call("hasRole", self.oracle_role, address_of(account)))

    def register(self, artifact: ArtifactLike, *, sender: Any, b: DecimalLike, fee_bps: int = 0) -> ArtifactInfo:
        """Register ``artifact`` with a pool of liquidity ``b``; approves and pays its funding
        ``ceil(b ln 2)`` (in whole token units) from the wallet of ``sender``, the registrant."""
        b_wad = to_wad(b, name="b")
        maker = self.exchange.maker
        funding = int(maker.contract.fundingFor(b_wad))
        units = int(self.exchange.contract.toTokens(funding))
        if int(self.exchange.contract.toInternal(units)) < funding:
            units += 1
        self.exchange.token.approve(self.address, units, sender=sender)
        self.transact("register", artifact_id(artifact), b_wad, fee_bps, sender=sender)
        return self.info(artifact)

    def transition(self, artifact: ArtifactLike, state: StateLike, *, sender: Any) -> Any:
        """Post lifecycle ``state`` (``sender`` holds the oracle role)."""
        return self.transact("transition", artifact_id(artifact), int(State.parse(state)), sender=sender)

    def trigger(self, artifact: ArtifactLike, state: StateLike, *, sender: Any) -> Any:
        """Move a listed artifact because its pool's price stayed past the state's threshold through
        the last window (anyone): validated needs the range's low above the validate price, flagged
        and deprecated its high below theirs. Refused with ``WindowNotElapsed(artifact, readyAt)``
        in the round's first window, ``ThresholdNotMet(artifact, to, price, threshold)`` otherwise."""
        return self.transact("trigger", artifact_id(artifact), int(State.parse(state)), sender=sender)

    def price_range(self, artifact: ArtifactLike) -> tuple[int, int, int]:
        """``(low, high, period)`` of the current round's pool (wad, seconds): what a trigger reads
        (``Maker.priceRange``)."""
        return self.exchange.maker.price_range(self._pool_id(artifact))

    def parameters(self) -> tuple[int, int, tuple[int, int, int]]:
        """``(close_after, window, (validate, flag, deprecate))`` as deployed."""
        close_after, window, validate, flag, deprecate = self.call("parameters")
        return int(close_after), int(window), (int(validate), int(flag), int(deprecate))

    # ---- settlement --------------------------------------------------------------------------
    def settle(self, artifact: ArtifactLike, round_: int, traders: Iterable[Any], *, sender: Any) -> Any:
        """Credit settled positions of ``traders`` in round ``round_`` (anyone sends; idempotent)."""
        return self.transact("settle", artifact_id(artifact), round_, [address_of(t) for t in traders], sender=sender)

    def settle_artifact(
        self,
        artifact: ArtifactLike,
        state: StateLike,
        *,
        sender: Any,
        batch_gas: int = BATCH_GAS,
        progress: bool = True,
    ) -> SettlementReport:
        """Post ``state`` from ``sender`` (an oracle) and, when it settles the round (validated,
        deprecated, flagged), credit every account that traded there, in batches of at most
        ``batch_gas``; a progress bar shows the batches."""
        state = State.parse(state)
        info = self.info(artifact)
        self.transition(artifact, state, sender=sender)
        outcome = State(int(self.call("roundInfo", artifact_id(artifact), info.round)[2]))
        if outcome is State.NONE:
            return SettlementReport(state, info.round, 0, 0, [])
        return self.settle_round(artifact, info.round, sender=sender, batch_gas=batch_gas, progress=progress)

    def settle_round(
        self, artifact: ArtifactLike, round_: int, *, sender: Any, batch_gas: int = BATCH_GAS, progress: bool = True
    ) -> SettlementReport:
        """Credit every unsettled account of a settled round, in gas-bounded batches. Losses go
        first (a gain is paid out of the pot the losses fill), and gains that still found the pot
        short (``SettlementPending``) are sent again while each pass credits someone."""
        from tqdm import tqdm

        root = int(self.call("roundInfo", artifact_id(artifact), round_)[0])
        pending = [t for t in self.traders_of(root) if not self.exchange.has_claimed(t, root)]
        # A settled root's worst case is the payoff: ascending puts the losses first.
        pending.sort(key=lambda t: self.exchange.root_worst_case(t, root))
        size = max(1, batch_gas // CLAIM_GAS)
        queue, skipped, sent = pending, [], 0
        desc = f"settling {artifact_name(artifact_id(artifact))}"
        with tqdm(total=-(-len(queue) // size), desc=desc, disable=not progress) as bar:
            while queue:
                waiting = []
                for i in range(0, len(queue), size):
                    receipt = self.settle(artifact, round_, queue[i : i + size], sender=sender)
                    sent += 1
                    bar.update()
                    for log in self.contract.SettlementSkipped.from_receipt(receipt):
                        entry = (str(log.trader), error_name(self.contract.contract_type, bytes(log.reason)))
                        (waiting if entry[1] == "SettlementPending" else skipped).append(entry)
                if len(waiting) == len(queue) or not waiting:  # no progress, or nothing left to retry
                    skipped += waiting
                    break
                queue = [t for t, _ in waiting]
                bar.total += -(-len(queue) // size)
        state = self.info(artifact).state
        settled = sum(1 for t in pending if self.exchange.has_claimed(t, root))
        return SettlementReport(state, round_, settled, sent, skipped)

    def close(self, artifact: ArtifactLike, *, sender: Any) -> Any:
        """Close the holder's (``sender``'s) own whole position against the round's pool, after the
        close delay: at the range's worse end (its low for a long, its high for a short), the pool
        giving up at most the holder's own fee credit against the fee-free LMSR sale
        (``Maker.closeFor``)."""
        return self.transact("close", artifact_id(artifact), sender=sender)

    def sweep(self, artifact: ArtifactLike, round_: int, *, sender: Any) -> Any:
        return self.transact("sweep", artifact_id(artifact), round_, sender=sender)

    def withdraw_reserve(self, artifact: ArtifactLike, to: Any = None, *, sender: Any) -> Any:
        """The registrant (``sender``) takes the reserve of a final artifact, to ``to`` (default: itself)."""
        return self.transact("withdrawReserve", artifact_id(artifact), address_of(to or sender), sender=sender)

    # ---- views -------------------------------------------------------------------------------
    def info(self, artifact: ArtifactLike) -> ArtifactInfo:
        aid = artifact_id(artifact)
        state, round_, is_open, start, registrant, reserve = self.call("artifactState", aid)
        root, pool = self.call("market", aid)
        return ArtifactInfo(
            aid, State(int(state)), int(round_), bool(is_open), int(start), str(registrant), int(reserve), int(root), bytes(pool)
        )

    def _pool_id(self, artifact: ArtifactLike) -> bytes:
        pool = self.info(artifact).pool_id
        if pool == bytes(32):
            raise ValueError(f"artifact {artifact_name(artifact_id(artifact))} has no pool in its current round")
        return pool

    def pool_key(self, artifact: ArtifactLike) -> Optional[PoolKey]:
        """The current round's pool key (None for a round without a pool)."""
        pool = self.info(artifact).pool_id
        if pool == bytes(32):
            return None
        return PoolKey.from_tuple(self.exchange.maker.contract.poolKey(pool))

    def reputation(self, trader: Any) -> tuple[Reputation, int]:
        """``trader``'s record and believability score (18 decimals)."""
        record, score = self.call("reputation", address_of(trader))
        fields = tuple(record) if isinstance(record, (tuple, list)) else (
            record.correct, record.incorrect, record.correctStake, record.totalStake
        )
        rep = Reputation(*(int(v) for v in fields))
        return rep, int(score)

    def position(self, trader: Any, artifact: ArtifactLike) -> Position:
        """``trader``'s position in the artifact's current market."""
        return self.exchange.position(trader, self.info(artifact).root_id, 1)


__all__ = [
    "Artifacts",
    "ArtifactInfo",
    "SettlementEntry",
    "SettlementReport",
    "TransitionRecord",
    "artifact_id",
    "artifact_name",
    "PROFIT",
    "LOSS",
]
