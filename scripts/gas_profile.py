"""Where a transaction's gas goes: ``ape run gas_profile --network ethereum:local:foundry``.

Runs the bench's matching, claim and maker parts (``scripts/_bench_collateral.py``,
``scripts/_bench_maker.py``: the figures the gas targets name) on a fresh deployment, in the order of
``make gas-check``, traces each measured transaction with Anvil's
``debug_traceTransaction`` (struct logs) and prints, per transaction: storage writes by slot with
their cost class (fresh: zero to non-zero; update; warm), cold and warm reads, logs, the
signature precompile, hashing, and the rest as compute. ``--only TEXT`` keeps the figures whose
name contains TEXT. A tool for choosing what to optimise; ``make bench`` stays the measurement.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import click
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

# SSTORE costs (EIP-2929/3529) by class: cold adds 2,100 to each.
_SSTORE_CLASS = {22_100: "fresh (cold)", 20_000: "fresh (warm)", 5_000: "update (cold)", 2_900: "update (warm)"}


class Profile:
    """One transaction's execution gas by category, and its storage writes and reads (a plain class:
    ape loads scripts without registering their module, which dataclasses need)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.categories: Counter = Counter()
        self.writes: list[tuple[str, str, int]] = []
        self.cold_reads = 0

    def add(self, category: str, gas: int) -> None:
        self.categories[category] += gas


def profile(trace: dict[str, Any]) -> Profile:
    """Categorise a struct-log trace's steps (depth-aware: a call's cost is its callee's steps)."""
    result = Profile(total=int(trace["gas"]))
    logs = trace["structLogs"]
    for i, step in enumerate(logs):
        op, cost = step["op"], int(step["gasCost"])
        stack = step.get("stack") or []
        if op in ("CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"):
            target = int(stack[-2], 16) if len(stack) >= 2 else 0
            nxt = logs[i + 1] if i + 1 < len(logs) else None
            entered = nxt is not None and nxt["depth"] > step["depth"]
            if entered:
                # The callee's steps are counted themselves: charge only the call's own overhead.
                overhead = cost - int(nxt["gas"])
                result.add("call overhead", overhead)
            else:
                # A precompile or an account without code: the step's reported cost includes the gas
                # forwarded; what it used is the drop in gas to the next step.
                used = int(step["gas"]) - int(nxt["gas"]) if nxt is not None else cost
                result.add("ecrecover" if target == 1 else f"{op.lower()} without code", used)
            continue
        if op == "SSTORE":
            slot = stack[-1] if stack else "?"
            klass = _SSTORE_CLASS.get(cost, "other")
            result.writes.append((slot[-12:], klass, cost))
            result.add(f"sstore {klass}", cost)
        elif op == "SLOAD":
            if cost >= 2_100:
                result.cold_reads += 1
                result.add("sload cold", cost)
            else:
                result.add("sload warm", cost)
        elif op.startswith("LOG"):
            result.add("logs", cost)
        elif op in ("KECCAK256", "SHA3"):
            result.add("keccak", cost)
        elif op in ("TLOAD", "TSTORE"):
            result.add("transient", cost)
        elif op in ("EXTCODESIZE", "EXTCODEHASH", "BALANCE", "EXTCODECOPY") and cost >= 2_600:
            result.add("cold account access", cost)
        else:
            result.add("compute", cost)
    return result


def render(console: Console, name: str, execution: int, p: Profile) -> None:
    table = Table(title=f"{name}: execution {execution:,}", title_justify="left")
    table.add_column("category")
    table.add_column("gas", justify="right")
    for category, gas in p.categories.most_common():
        table.add_row(category, f"{gas:,}")
    console.print(table)
    if p.writes:
        console.print("  writes: " + ", ".join(f"…{slot} {klass} {cost:,}" for slot, klass, cost in p.writes))


@click.command(cls=ConnectedProviderCommand, short_help="Break the bench's transactions down by gas")
@click.option("--only", default="", help="Keep the figures whose name contains this text.")
def cli(network, only: str) -> None:
    from ape import accounts, chain
    from ape.logging import logger

    from pmarket.exchange import Exchange
    from scripts._bench_collateral import claim_gas, matching_gas
    from scripts._bench_maker import maker_gas
    from scripts.bench import measure

    logger.set_level("WARNING")
    console = Console()
    owner, relayer = accounts.test_accounts[0], accounts.test_accounts[4]
    traders = list(accounts.test_accounts[5:9])
    hashes: dict[int, str] = {}

    def recording(receipt: Any) -> dict[str, int]:
        figure = measure(receipt)
        hashes[id(figure)] = receipt.txn_hash if isinstance(receipt.txn_hash, str) else receipt.txn_hash.hex()
        return figure

    ex = Exchange.deploy(sender=owner)
    # The order of scripts/gas_check.py, so every figure is the one `make bench` reports.
    figures = matching_gas(ex, owner, traders, relayer, recording)
    figures.update(claim_gas(ex, owner, traders, recording))
    figures.update(maker_gas(ex, owner, traders, recording))
    web3 = chain.provider.web3
    for name, figure in figures.items():
        if only and only not in name:
            continue
        tx = hashes[id(figure)]
        trace = web3.provider.make_request(
            "debug_traceTransaction", [tx, {"enableMemory": False, "disableStorage": True, "enableReturnData": False}]
        )["result"]
        render(console, name, figure["execution"], profile(trace))
