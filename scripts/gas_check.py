"""Gas regression guard: ``make gas-check`` (``ape run gas_check --network ethereum:local:foundry``)
and ``make gas-snapshot`` (the same with ``--write``).

Measures the benchmark's key figures (``KEY`` below) exactly as ``make bench`` does: the same
functions of ``scripts/bench.py`` and ``scripts/_bench_*.py``, in the same order, each call its own
transaction on a fresh Anvil deployment, execution gas (the receipt's gas used less the intrinsic
cost). So every figure equals the one in ``bench/results.json``. Only the parts of the benchmark
that the key figures need run, which keeps it well under two minutes.

Check: fails when a figure rose by more than ``TOLERANCE_PERCENT`` over ``bench/gas-snapshot.json``,
when a snapshot entry can no longer be measured, or when a key figure has no snapshot entry.
Decreases pass (rewrite the snapshot with ``make gas-snapshot`` to keep them).
"""

from __future__ import annotations

import json
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import click
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

SNAPSHOT = Path("bench/gas-snapshot.json")
TOLERANCE_PERCENT = 1

# The key figures, by the bench's own names (bench/results.json, docs/benchmarks.md).
KEY = (
    "check+place: first order in a root (new slot, root listed)",
    "check+place: second order in the root (new slot)",
    "check+place: first order in a second root (trader has orders elsewhere)",
    "match: two resting orders, both open new positions (all legs)",
    "match (general entry, explicit price): both open new positions",
    "match: partial fill, both add to existing positions",
    "cancel: owner's signed offset (orders module)",
    "withdraw: with the check (fast path)",
    "claim: loser (pays into the pot)",
    "claim: winner (paid from the pot)",
    "maker: create pool (b = 1,000)",
    "maker: buy, trader's first position in the root (lists it)",
    "maker: buy, trader's first position in a root, pool already traded (lists it)",
    "maker: buy, adds to the trader's position",
    "maker: sell, reduces the trader's position",
    "maker: fill a resting bid against the pool",
    "artifacts: register (market, managed root, tracked pool b = 100)",
    "artifacts: listed -> challenged (10 positions)",
    "artifacts: challenged -> listed (10 positions)",
    "artifacts: listed -> flagged (10 positions)",
    "artifacts: flagged -> listed, new round (10 positions)",
    "artifacts: listed -> validated (10 positions)",
    "artifacts: listed -> deprecated (10 positions)",
    "artifacts: listed -> flagged (1,000 positions)",
    "artifacts: listed -> validated (1,000 positions)",
    "artifacts: settle one trader",
    "artifacts: settle a batch of 100 traders",
    "artifacts: tracked pool, buy adding to a position",
    "artifacts: trigger validated (the range's low past 0.7)",
)

Gas = dict[str, dict[str, int]]


def measure_all() -> tuple[dict[str, int], dict[str, str]]:
    """Execution gas of every figure the parts below measure, and the parts that failed (name ->
    error). A failing part leaves its figures unmeasured; the others still run."""
    from ape import accounts, project

    from pmarket.exchange import Exchange
    from scripts._bench_artifacts import artifact_gas, lean_anvil
    from scripts._bench_collateral import claim_gas, matching_gas
    from scripts._bench_maker import maker_gas
    from scripts.bench import measure

    owner, relayer = accounts.test_accounts[0], accounts.test_accounts[4]
    traders = list(accounts.test_accounts[5:9])
    gas: Gas = {}
    failed: dict[str, str] = {}

    def part(name: str, run: Callable[[], Gas]) -> None:
        start = time.monotonic()
        try:
            gas.update(run())
        except Exception as exc:  # report it and go on: its figures count as unmeasured
            failed[name] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        click.echo(f"measured {name} in {time.monotonic() - start:.1f} s")

    # As in bench.py: one Exchange for the collateral parts and the maker, in this order...
    ex = Exchange.deploy(sender=owner)
    part("matching", lambda: matching_gas(ex, owner, traders, relayer, measure))
    part("claims", lambda: claim_gas(ex, owner, traders, measure))
    part("maker", lambda: maker_gas(ex, owner, traders, measure))

    # ... and the artifact markets on an Exchange of their own, on an Anvil without step tracing.
    def artifacts() -> Gas:
        with lean_anvil():
            crowd = project.Crowd.deploy(sender=owner)
            return artifact_gas(Exchange.deploy(sender=owner), crowd, owner, traders, measure)

    part("artifacts", artifacts)
    return {name: g["execution"] for name, g in gas.items()}, failed


def compare(snapshot: dict[str, int], now: dict[str, int]) -> tuple[list[tuple[str, ...]], list[str], list[str]]:
    """Table rows (name, snapshot, now, change, verdict), failures and notes."""
    rows, failures, notes = [], [], []
    for name, before in snapshot.items():
        if name not in now:
            rows.append((name, f"{before:,}", "-", "-", "NOT MEASURED"))
            failures.append(f"{name!r} is in the snapshot but could no longer be measured")
            continue
        after = now[name]
        change = 100 * (after - before) / before if before else 0.0
        if after * 100 > before * (100 + TOLERANCE_PERCENT):
            verdict = "FAIL"
            failures.append(f"{name!r} rose {change:+.2f}% ({before:,} -> {after:,}), over {TOLERANCE_PERCENT}%")
        elif after > before:
            verdict = "ok (within)"
        elif after < before:
            verdict = "lower"
            notes.append(f"{name!r} fell {change:+.2f}% ({before:,} -> {after:,})")
        else:
            verdict = "ok"
        rows.append((name, f"{before:,}", f"{after:,}", f"{change:+.2f}%", verdict))
    for name in KEY:
        if name not in snapshot:
            rows.append((name, "-", f"{now[name]:,}" if name in now else "-", "-", "NO SNAPSHOT"))
            failures.append(f"{name!r} is a key figure without a snapshot entry")
    return rows, failures, notes


@click.command(cls=ConnectedProviderCommand, short_help="Check the key gas figures against the snapshot")
@click.option("--snapshot", "path", default=str(SNAPSHOT), show_default=True, help="Snapshot file (JSON).")
@click.option("--write", is_flag=True, help="Rewrite the snapshot with the figures measured now.")
def cli(network, path: str, write: bool) -> None:
    from ape.logging import logger

    logger.set_level("WARNING")
    start = time.monotonic()
    measured, failed = measure_all()
    now = {name: measured[name] for name in KEY if name in measured}
    click.echo(f"measured {len(now)} of {len(KEY)} key figures in {time.monotonic() - start:.0f} s")
    for name, error in failed.items():
        click.echo(f"part {name!r} failed: {error}", err=True)

    if write:
        missing = [name for name in KEY if name not in now]
        if missing:
            raise click.ClickException("not written: could not measure " + ", ".join(map(repr, missing)))
        doc = {
            "about": "Execution gas of the benchmark's key figures, as `make bench` measures them "
            "(bench/results.json has the same numbers). `make gas-check` fails when one rises by "
            f"more than {TOLERANCE_PERCENT}%; `make gas-snapshot` rewrites this file (docs/benchmarks.md).",
            "tolerance_percent": TOLERANCE_PERCENT,
            "gas": now,
        }
        Path(path).write_text(json.dumps(doc, indent=2) + "\n")
        click.echo(f"written to {path}")
        return

    if not Path(path).exists():
        raise click.ClickException(f"no snapshot at {path}: run `make gas-snapshot` and commit it")
    snapshot = json.loads(Path(path).read_text())["gas"]
    rows, failures, notes = compare(snapshot, now)
    table = Table("figure", "snapshot", "now", "change", "result")
    for row in rows:
        table.add_row(*row)
    Console(width=160).print(table)
    for note in notes:
        click.echo(f"lower: {note}")
    if notes and not failures:
        click.echo("Some figures fell: `make gas-snapshot` records the new figures (commit bench/gas-snapshot.json).")
    if failures:
        for failure in failures:
            click.echo(f"gas-check: {failure}", err=True)
        raise click.ClickException(
            f"{len(failures)} gas figure(s) failed the check against {path}. If a rise is intended, "
            "run `make gas-snapshot` and commit the snapshot with the change that explains it."
        )
    click.echo(f"gas-check: all {len(snapshot)} figures within {TOLERANCE_PERCENT}% of {path}")
