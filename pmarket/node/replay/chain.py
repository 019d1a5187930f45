"""A deployment's events, read from the chain, and a node rebuilt from them.

What is read here is the ledger itself (every log of the Exchange, its Maker and any artifact
registry and bounty escrow beside them, since ``exchange.start_block``, with its block's timestamp,
emitter and transaction) and the deployments' constants (chain id, addresses, token decimals, caps,
a registry's ``parameters()``, an escrow's registry), which configure the replay. No contract
state is read: everything else comes from the events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ..state import NodeConfig, addr
from .core import Event

if TYPE_CHECKING:  # pragma: no cover
    from . import Replay


def events_of(exchange: Any, *contracts: Any) -> list[Event]:
    """The ledger as :class:`Event` s in chain order (block, transaction, log), with block
    timestamps: the Exchange's and its Maker's events, and those of ``contracts`` (ape contract
    instances, or clients with a ``.contract``: a registry, an escrow) since ``exchange.start_block``."""
    from ape import chain

    stop = chain.blocks.head.number
    logs = list(exchange.events(stop))
    for c in contracts:
        contract = getattr(c, "contract", c)
        for abi in contract.contract_type.events:
            logs += list(getattr(contract, abi.name).range(exchange.start_block, stop + 1))
    logs.sort(key=lambda log: (log.block_number, log.transaction_index, log.log_index))
    stamps: dict[int, int] = {}
    out = []
    for log in logs:
        block = int(log.block_number)
        if block not in stamps:
            stamps[block] = int(chain.blocks[block].timestamp)
        out.append(
            Event(log.event_name, dict(log.event_arguments), block, stamps[block], addr(log.contract_address), str(log.transaction_hash))
        )
    return out


def node_from_chain(exchange: Any, *, registries: Iterable[Any] = (), escrows: Iterable[Any] = (), **config: Any) -> "Replay":
    """A node rebuilt from a deployment's events, configured with the deployment's constants; with
    the artifact ``registries`` and bounty ``escrows`` (clients or contracts) beside it, their state
    too (``replay.registries``, ``replay.escrows``, by address)."""
    registries, escrows = list(registries), list(escrows)
    return replay_for(exchange, registries=registries, escrows=escrows, **config).feed(events_of(exchange, *registries, *escrows))


def replay_for(exchange: Any, *, registries: Iterable[Any] = (), escrows: Iterable[Any] = (), **config: Any) -> "Replay":
    """An empty replay configured for a deployment (``node_from_chain`` without the events): feed
    it :func:`events_of` yourself, for example a stream to check piece by piece."""
    from ape import chain

    from .. import Node
    from . import Replay

    c = exchange.contract
    node = Node(
        NodeConfig(
            chain_id=chain.chain_id,
            verifying_contract=exchange.address,
            decimals=exchange.decimals,
            max_branches=int(c.maxBranches()),
            max_open_orders=int(c.maxOpenOrders()),
            max_roots=int(c.maxRoots()),
            maker=addr(c.maker()),
            **config,
        )
    )
    replay = Replay(node)
    for registry in registries:
        contract = getattr(registry, "contract", registry)
        close_after, window, *prices = (int(v) for v in contract.parameters())
        replay.add_registry(addr(contract.address), close_after=close_after, window=window, prices=(prices[0], prices[1], prices[2]))
    for escrow in escrows:
        contract = getattr(escrow, "contract", escrow)
        replay.add_escrow(addr(contract.address), addr(contract.artifacts()))
    return replay
