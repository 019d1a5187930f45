"""Gas benchmarks: ``make bench`` (``ape run bench --network ethereum:local:foundry``).

Each measured call is its own transaction on a fresh deployment, so its storage reads start cold.
For each: ``total`` = the receipt's gas used; ``execution`` = total minus the intrinsic cost
(21,000 plus 4 gas per zero and 16 per non-zero calldata byte). Results go to
``bench/results.json``; docs/benchmarks.md explains them.
"""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

from pmarket.exchange import Exchange
from pmarket.orders import Order

RESULTS = Path("bench/results.json")
DOC = Path("docs/benchmarks.md")
START, END = "<!-- bench:start (written by `make bench`) -->", "<!-- bench:end -->"


def write_doc_table(results: dict[str, Any]) -> None:
    """Replace the table between the markers of docs/benchmarks.md with these results."""
    env = results["environment"]
    lines = [
        START,
        f"Environment: solc {env['solc']}, optimizer {env['optimizer_runs']} runs, EVM {env['evm_version']}, "
        f"{env['node']}; measured {results['generated']}.",
        "",
        "| operation | execution gas | total tx gas | calldata bytes |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {k} | {v['execution']:,} | {v['total']:,} | {v['calldata_bytes']} |" for k, v in results["gas"].items()),
        "",
        "| maker trade cost, on-chain vs mpmath (|q| up to 50 b) | worst error (wei) | in the trader's favour |",
        "| --- | ---: | ---: |",
        *(f"| {k} | {v['worst_error_wei']} | {v['in_traders_favour']} |" for k, v in results.get("maker_precision", {}).items()),
        "",
        "| independent node (Python, one core) | value |",
        "| --- | ---: |",
        *(f"| {k} | {v:,} |" if not isinstance(v, bool) else f"| {k} | {v} |" for k, v in results.get("node", {}).items()),
        "",
        "| ledger index (SQLite file, Anvil) | value |",
        "| --- | ---: |",
        *(f"| {k} | {v:,} |" for k, v in results.get("ledger", {}).items()),
        END,
    ]
    text = DOC.read_text()
    DOC.write_text(text[: text.index(START)] + "\n".join(lines) + text[text.index(END) + len(END):])


def intrinsic(data: bytes) -> int:
    zeros = data.count(0)
    return 21_000 + 4 * zeros + 16 * (len(data) - zeros)


def measure(receipt: Any) -> dict[str, int]:
    from ape import chain

    data = bytes(chain.provider.web3.eth.get_transaction(receipt.txn_hash)["input"])
    return {
        "total": int(receipt.gas_used),
        "execution": int(receipt.gas_used) - intrinsic(data),
        "calldata_bytes": len(data),
    }


def anvil_version() -> str:
    try:
        out = subprocess.run(["anvil", "--version"], capture_output=True, text=True, timeout=30).stdout
        return out.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


@click.command(cls=ConnectedProviderCommand, short_help="Measure gas of pmarket's entry points")
@click.option("--out", default=str(RESULTS), show_default=True, help="Results file (JSON).")
def cli(network, out: str) -> None:
    from ape import accounts, project
    from ape.logging import logger

    logger.set_level("WARNING")
    owner, oracle, alice, bob, relayer = accounts.test_accounts[:5]
    ex = Exchange.deploy(sender=owner)
    gas: dict[str, dict[str, int]] = {}

    gas["define: create root"] = measure(ex.define(1, 1, "0", "100", sender=owner))
    gas["define: new sub-market (branch 2)"] = measure(ex.define(1, 2, "20", "80", sender=owner))
    gas["define: new sub-market (branch 3)"] = measure(ex.define(1, 3, "30", "70", sender=owner))
    gas["define: narrow root (3 branches)"] = measure(ex.define(1, 1, "5", "95", sender=owner))
    gas["define: re-define branch 2 (2 branches rewritten)"] = measure(ex.define(1, 2, "25", "75", sender=owner))
    ex.set_oracle(1, oracle, sender=owner)
    gas["define: relayed signed definition"] = measure(ex.define_by_sig(oracle, 1, 1, "6", "94", sender=relayer))

    for who in (alice, bob):
        ex.token.mint(who.address, ex.token_units("1000000"), sender=who)
        ex.token.approve(ex.address, 2**256 - 1, sender=who)
    gas["deposit: first (new balance)"] = measure(ex.deposit("1000", approve=False, sender=alice))
    gas["deposit: again"] = measure(ex.deposit("1000", approve=False, sender=alice))
    gas["withdraw: part of balance"] = measure(ex.withdraw("500", sender=alice))
    gas["withdraw: whole balance"] = measure(ex.withdraw("1500", sender=alice))

    ex.deposit("1000", approve=False, sender=bob)
    gas["place order: trader's first (relayed)"] = measure(ex.place(ex.sign_limit(bob, 1, 1, "50", "10"), sender=relayer))
    gas["place order: next in chain"] = measure(ex.place(ex.sign_limit(bob, 1, 1, "49", "10")))
    gas["place order: sub-market (branch 3)"] = measure(ex.place(ex.sign_limit(bob, 1, 3, "40", "-5")))
    wallet = project.TestWallet.deploy(bob.address, sender=bob)
    ex.contract.depositFor(wallet.address, ex.token_units("100"), sender=bob)
    signed = Order.limit(wallet.address, 1, 1, "50", "1").sign(bob, ex.domain)
    gas["place order: ERC-1271 wallet"] = measure(ex.place(signed, sender=relayer))
    gas["settle root"] = measure(ex.settle(1, "42", sender=oracle))

    from scripts._bench_collateral import collateral_gas
    from scripts._bench_maker import maker_gas, precision
    from scripts._bench_ledger import ledger_speed
    from scripts._bench_node import node_speed

    gas.update(collateral_gas(ex, owner, list(accounts.test_accounts[5:9]), relayer, measure))
    gas.update(maker_gas(ex, owner, list(accounts.test_accounts[5:9]), measure))
    maker_precision = precision(project.LMSRHarness.deploy(sender=owner))
    from scripts._bench_artifacts import artifact_gas, lean_anvil

    with lean_anvil():
        crowd = project.Crowd.deploy(sender=owner)
        gas.update(artifact_gas(Exchange.deploy(sender=owner), crowd, owner, list(accounts.test_accounts[5:9]), measure))
    with lean_anvil():  # thousands of transactions: no step tracing
        ledger = ledger_speed(project)

    results = {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "environment": {
            "solc": "0.8.30", "optimizer_runs": 200, "evm_version": "cancun",
            "node": anvil_version(), "python": platform.python_version(),
        },
        "gas": gas,
        "maker_precision": maker_precision,
        "node": node_speed(),
        "ledger": ledger,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2) + "\n")
    if DOC.exists() and START in DOC.read_text():
        write_doc_table(results)

    table = Table("operation", "execution gas", "total tx gas", "calldata bytes")
    for name, g in gas.items():
        table.add_row(name, f"{g['execution']:,}", f"{g['total']:,}", str(g["calldata_bytes"]))
    Console().print(table)
    for name, value in results["maker_precision"].items():
        click.echo(f"maker precision {name}: {value}")
    for name, value in [*results["node"].items(), *results["ledger"].items()]:
        click.echo(f"{name}: {value}")
    click.echo(f"written to {out}")
