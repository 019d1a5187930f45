"""Gas of artifact markets (for ``make bench``; see scripts/bench.py).

Positions are opened in bulk by ``contracts/test/Crowd.sol``: one transaction creates 50 fresh
traders, each depositing test tokens and buying one share from the artifact's pool (alternately
long and short), so 1,000 real positions take 20 transactions. Each measured call is its own
transaction.

They run on an Anvil of their own, started without step tracing (``lean_anvil``): ape-foundry
always passes ``--steps-tracing``, which keeps every EVM step of every transaction in memory, and
the 4,000 positions of this benchmark exhaust 24 GB that way. Gas used does not depend on tracing.
"""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from eth_account import Account

from pmarket.artifacts import DAY, Artifacts, artifact_id
from pmarket.bounties import Bounties
from pmarket.wad import WAD

Measure = Callable[[Any], dict[str, int]]
CHUNK = 50  # traders per transaction (about 330,000 gas each; Anvil's block holds 30 million)


@contextmanager
def lean_anvil() -> Iterator[None]:
    """Connect to a fresh Anvil like ape-foundry's (same accounts, balances, hardfork and fees) but
    without ``--steps-tracing``; stop it on exit."""
    from ape import networks

    ours = networks.provider
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [ours.anvil_bin, "--port", str(port), "--mnemonic", ours.mnemonic,
           "--accounts", str(ours.number_of_accounts), "--balance", str(ours.initial_balance),
           "--derivation-path", ours.test_config.hd_path, "--hardfork", "cancun",
           "--block-base-fee-per-gas", "0", "--gas-price", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{ours.anvil_bin} did not listen on port {port} within 10 s: {' '.join(cmd)}")
        with networks.ethereum.local.use_provider("foundry", provider_settings={"host": f"http://127.0.0.1:{port}"}):
            yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _positions(ex: Any, crowd: Any, key: Any, n: int, sender: Any) -> None:
    """``n`` fresh traders, each with one share of the pool (``Crowd.open``)."""
    units = ex.token_units("2")
    for start in range(0, n, CHUNK):
        crowd.open(ex.token.address, ex.address, ex.maker.address, key.as_tuple(), min(CHUNK, n - start), WAD, units, sender=sender)


def artifact_gas(ex: Any, crowd: Any, owner: Any, traders: list[Any], measure: Measure) -> dict[str, dict[str, int]]:
    """Registration, every transition at 10 and at 1,000 positions, claims, triggers, the 90-day
    close and a bounty distribution."""
    registrant, alice, bob = traders[:3]
    for who in (registrant, alice, bob):
        ex.token.mint(who.address, ex.token_units("100000"), sender=who)
        ex.token.approve(ex.address, 2**256 - 1, sender=who)
        ex.deposit("10000", approve=False, sender=who)
    arts = Artifacts.deploy(ex, sender=owner)
    arts.grant_oracle(owner, sender=owner)
    gas: dict[str, dict[str, int]] = {}

    def register(name: str) -> int:
        ex.token.approve(arts.address, ex.token_units("70"), sender=registrant)  # funding(100) is 69.3
        receipt = arts.contract.register(artifact_id(name), 100 * WAD, 0, sender=registrant)
        if name == "x10":
            gas["artifacts: register (market, managed root, tracked pool b = 100)"] = measure(receipt)
        return arts.info(name).root_id

    sizes = (10, 1000)
    roots = {}
    for n, kind in ((n, k) for n in sizes for k in ("x", "y", "z")):
        name = f"{kind}{n}"
        roots[name] = register(name)
        _positions(ex, crowd, arts.pool_key(name), n if kind != "z" else 10, owner)
    for n in sizes:
        x, y, z = f"x{n}", f"y{n}", f"z{n}"
        label = f"{n:,} positions"
        gas[f"artifacts: listed -> challenged ({label})"] = measure(arts.transition(x, "challenged", sender=owner))
        gas[f"artifacts: challenged -> listed ({label})"] = measure(arts.transition(x, "listed", sender=owner))
        gas[f"artifacts: listed -> flagged ({label})"] = measure(arts.transition(x, "flagged", sender=owner))
        gas[f"artifacts: flagged -> listed, new round ({label})"] = measure(arts.transition(x, "listed", sender=owner))
        gas[f"artifacts: listed -> validated ({label})"] = measure(arts.transition(y, "validated", sender=owner))
        if n == 10:
            gas[f"artifacts: listed -> deprecated ({label})"] = measure(arts.transition(z, "deprecated", sender=owner))
    # Claims on the 1,000-position validated round: one, then a batch of 100.
    pool_y = arts.pool_key("y1000").account
    traders_y = [a for a in arts.traders_of(roots["y1000"]) if a != pool_y]
    gas["artifacts: settle one trader"] = measure(arts.settle("y1000", 0, traders_y[:1], sender=owner))
    batch = measure(arts.settle("y1000", 0, traders_y[1:101], sender=owner))
    gas["artifacts: settle a batch of 100 traders"] = batch
    gas["artifacts: settle, per trader in the batch of 100"] = {k: v // 100 for k, v in batch.items()}
    gas.update(_trigger_close_bounty(ex, arts, owner, registrant, alice, bob, measure))
    return gas


def _trigger_close_bounty(ex: Any, arts: Artifacts, owner: Any, registrant: Any, alice: Any, bob: Any, measure: Measure) -> dict:
    from ape import chain

    gas: dict[str, dict[str, int]] = {}
    ex.token.approve(arts.address, ex.token_units("70"), sender=registrant)
    arts.contract.register(artifact_id("t"), 100 * WAD, 100, sender=registrant)
    key = arts.pool_key("t")
    gas["artifacts: tracked pool, trader's first buy (lists the root)"] = measure(ex.maker.buy(key, "long", 89, sender=alice))
    gas["artifacts: tracked pool, buy adding to a position"] = measure(ex.maker.buy(key, "long", 1, sender=alice))
    # x = 0.9 -> 0.89: inside the period's range of log-odds [0, 0.9], which needs no write
    gas["artifacts: tracked pool, sale inside the period's range"] = measure(ex.maker.sell(key, "long", 1, sender=alice))
    for _ in range(3):
        ex.maker.buy(key, "short", 20, sender=bob)
        ex.maker.sell(key, "short", 20, sender=bob)
    # bob's round trips dipped the price below 0.7: two quiet days later the range is the price
    chain.pending_timestamp += 2 * DAY
    gas["artifacts: trigger validated (the range's low past 0.7)"] = measure(arts.trigger("t", "validated", sender=bob))
    ex.token.approve(arts.address, ex.token_units("70"), sender=registrant)
    arts.contract.register(artifact_id("c"), 100 * WAD, 1000, sender=registrant)
    key = arts.pool_key("c")
    ex.maker.buy(key, "long", 5, sender=alice)
    for _ in range(3):
        ex.maker.buy(key, "short", 50, sender=bob)
        ex.maker.sell(key, "short", 50, sender=bob)
    chain.pending_timestamp += 91 * DAY
    gas["artifacts: close a position after 90 days (at the range, within the holder's credit)"] = measure(arts.close("c", sender=alice))
    bounties = Bounties.deploy(arts, sender=owner)
    ex.token.mint(bob.address, ex.token_units("1000"), sender=bob)
    ex.token.approve(bounties.address, 2**256 - 1, sender=bob)
    expiry = chain.pending_timestamp + 365 * DAY
    gas["bounties: post"] = measure(bounties.contract.post(artifact_id("b1"), artifact_id("t"), ex.token_units("1000"), expiry, sender=bob))
    claimants = [Account.from_key((7 * 10**6 + i + 1).to_bytes(32, "big")).address for i in range(10)]
    receipt = bounties.contract.distribute(artifact_id("b1"), claimants, list(range(1, 11)), sender=owner)
    gas["bounties: distribute to 10 claimants"] = measure(receipt)
    return gas
