"""The artifact registry's records, read from the chain: recorded transitions, the settlement
ledger (``Settlement`` events, newest first) and who traded in a round (the Exchange's and the
Maker's logs). :class:`ArtifactHistory` is a part of :class:`pmarket.artifacts.Artifacts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from eth_utils import to_checksum_address

from .addresses import address_of
from .lifecycle import State

if TYPE_CHECKING:  # pragma: no cover
    from .artifacts import ArtifactLike
    from .exchange import Exchange


@dataclass(frozen=True)
class TransitionRecord:
    """One recorded transition (``IArtifacts.Transition``)."""

    state: State
    time: int
    by: str
    triggered: bool
    price: int
    round: int


@dataclass(frozen=True)
class SettlementEntry:
    """One settlement credit or debit from the ledger (a ``Settlement`` event)."""

    artifact: bytes
    trader: str
    round: int
    amount: int
    reason: str
    payoff: int
    block: int
    tx: str


class ArtifactHistory:
    """History, ledger and trader queries of an :class:`~pmarket.artifacts.Artifacts` registry."""

    #: What the queries read of the registry client (its fields).
    contract: Any
    exchange: "Exchange"
    start_block: int
    index: Optional[tuple[Any, int]]

    def use_index(self, ledger: Any, deployment: int) -> None:
        """Serve the history queries from a synced :class:`pmarket.ledger.Ledger` (deployment id
        ``deployment``) instead of reading logs over RPC on every call."""
        self.index = (ledger, deployment)

    def history(self, artifact: "ArtifactLike") -> list[TransitionRecord]:
        """Every transition of ``artifact``, oldest first (registration included)."""
        from ape.exceptions import ContractLogicError

        from .artifacts import artifact_id
        from .transport import translate

        # Not ``self.call("history")``: ape's ContractInstance.history (the address's transactions)
        # shadows the contract's view of that name.
        try:
            records = self.contract.call_view_method("history", artifact_id(artifact))
        except ContractLogicError as err:
            raise translate(err, self.contract.contract_type) from err
        out = []
        for t in records:
            state, time, by, triggered, price, round_ = tuple(t) if isinstance(t, (tuple, list)) else (
                t.state, t.time, t.by, t.triggered, t.price, t.round
            )
            out.append(TransitionRecord(State(int(state)), int(time), str(by), bool(triggered), int(price), int(round_)))
        return out

    def settlement_history(
        self, artifact: Optional["ArtifactLike"] = None, trader: Any = None, limit: Optional[int] = None
    ) -> list[SettlementEntry]:
        """Settlement credits and debits from the ledger, newest first, filtered by artifact and by
        trader (the trader's notifications), at most ``limit`` of them: from the ledger index when
        one is attached (:meth:`use_index`), else from the registry's logs."""
        from .artifacts import artifact_id

        if self.index is not None:
            ledger, deployment = self.index
            return ledger.settlement_history(deployment, artifact=artifact, trader=trader, limit=limit)

        query: dict[str, Any] = {}
        if artifact is not None:
            query["artifact"] = artifact_id(artifact)
        if trader is not None:
            query["trader"] = address_of(trader)
        logs = _logs(self.contract.Settlement, self.start_block, **query)
        logs.sort(key=lambda log: (log.block_number, log.log_index), reverse=True)
        out = [
            SettlementEntry(
                bytes(log.artifact),
                str(log.trader),
                int(log.round),
                int(log.amount),
                bytes(log.reason).rstrip(b"\0").decode(),
                int(log.payoff),
                int(log.block_number),
                str(log.transaction_hash),
            )
            for log in logs
        ]
        return out if limit is None else out[:limit]

    def traders_of(self, root_id: int) -> list[str]:
        """Every account with an order, a pool trade or a fill in ``root_id`` (from the Exchange's
        and the Maker's logs), in order of first appearance."""
        if self.index is not None:
            from .ledger.queries import traders_of

            ledger, deployment = self.index
            pools = {"0x" + bytes(self._round_pool(root_id)).hex()} - {"0x" + bytes(32).hex()}
            return traders_of(ledger.engine, deployment, root_id, pools)
        seen: dict[str, None] = {}
        ex = self.exchange.contract
        for log in _logs(ex.OrderAdded, self.start_block, marketRootId=root_id):
            seen[str(log.trader)] = None
        maker = self.exchange.maker
        pool_ids = {bytes(self._round_pool(root_id))} - {bytes(32)}
        for log in _logs(maker.contract.PoolTraded, self.start_block):
            if bytes(log.poolId) in pool_ids:
                seen[str(log.trader)] = None
        for log in _logs(maker.contract.PoolFilled, self.start_block):
            if bytes(log.poolId) in pool_ids:
                seen[str(log.owner)] = None
        return [to_checksum_address(t) for t in seen]

    def _round_pool(self, root_id: int) -> bytes:
        if self.index is not None:
            from sqlalchemy import select

            from .ledger.tables import artifacts

            ledger, deployment = self.index
            with ledger.engine.connect() as db:
                pool = db.execute(select(artifacts.c.pool_id).where(
                    artifacts.c.deployment_id == deployment, artifacts.c.root_id == str(root_id),
                    artifacts.c.emitter == self.contract.address).limit(1)).scalar()
            return bytes.fromhex(pool[2:]) if pool else bytes(32)
        for log in _logs(self.contract.RoundOpened, self.start_block):
            if int(log.rootId) == root_id:
                return bytes(log.poolId)
        return bytes(32)


def _logs(event: Any, start: int, **topics: Any) -> list[Any]:
    """Every log of ``event`` from block ``start`` to the head, filtered on indexed ``topics``."""
    from ape import chain

    stop = chain.blocks.head.number + 1
    return list(event.range(start, stop, search_topics=topics or None))
