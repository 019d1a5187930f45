"""``ape console`` extras: pmarket's client in scope.

Names added: ``pmarket``, ``Exchange``, ``Order``, ``TradeType``, ``errors``, ``to_wad``,
``format_wad``, ``Artifacts``, ``Bounties`` and, when ``deployments/<chain id>.json`` exists for the
connected chain, ``exchange`` (the recorded deployment) with ``artifacts`` and ``bounties`` (its
registry and escrow, when deployed). Example::

    ape console --network ethereum:local:foundry
    In [1]: ex = Exchange.deploy(sender=accounts.test_accounts[0])
    In [2]: ex.define(1, 1, "0", "1", sender=accounts.test_accounts[0])
    In [3]: signed = ex.sign_limit(accounts.load("trader"), 1, 1, "0.4", "10")
    In [4]: ex.place(signed, sender=accounts.test_accounts[0])
"""

from __future__ import annotations

from typing import Any


def ape_init_extras(chain: Any) -> dict[str, Any]:
    import pmarket
    from pmarket import errors
    from pmarket.artifacts import Artifacts
    from pmarket.bounties import Bounties
    from pmarket.deployment import DeploymentNotFound
    from pmarket.exchange import Exchange, deployed
    from pmarket.orders import Order, TradeType
    from pmarket.wad import format_wad, to_wad

    names: dict[str, Any] = {
        "pmarket": pmarket,
        "Exchange": Exchange,
        "Order": Order,
        "TradeType": TradeType,
        "errors": errors,
        "to_wad": to_wad,
        "format_wad": format_wad,
        "Artifacts": Artifacts,
        "Bounties": Bounties,
    }
    try:
        names["exchange"] = deployed()
        names["artifacts"] = Artifacts.deployed(names["exchange"])
        names["bounties"] = Bounties.deployed(names["artifacts"])
    except (DeploymentNotFound, Exception):  # no record, or not connected: the names found suffice
        pass
    return names
