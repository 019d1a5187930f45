"""A deployment's events, read from the chain, and a node rebuilt from them.

What is read here is the ledger itself (every log of the Exchange and its Maker since
``exchange.start_block``, with its block's timestamp, emitter and transaction) and the
deployment's constants (chain id, addresses, token decimals, caps), which configure the node.
No contract state is read: everything else comes from the events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..state import NodeConfig, addr
from .core import Event

if TYPE_CHECKING:  # pragma: no cover
    from . import Replay


def events_of(exchange: Any) -> list[Event]:
    """The Exchange's whole ledger as :class:`Event` s, in chain order, with block timestamps."""
    from ape import chain

    stamps: dict[int, int] = {}
    out = []
    for log in exchange.events():
        block = int(log.block_number)
        if block not in stamps:
            stamps[block] = int(chain.blocks[block].timestamp)
        out.append(
            Event(log.event_name, dict(log.event_arguments), block, stamps[block], addr(log.contract_address), str(log.transaction_hash))
        )
    return out


def node_from_chain(exchange: Any, **config: Any) -> "Replay":
    """A node rebuilt from a deployment's events, configured with the deployment's constants."""
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
    return Replay(node).feed(events_of(exchange))

