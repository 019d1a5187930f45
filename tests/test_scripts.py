"""The ape scripts end to end, each in its own ``ape run`` with its own Anvil."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APE = str(Path(sys.executable).with_name("ape"))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([APE, "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_deploy_writes_a_deployment_record(tmp_path):
    result = run(
        "deploy", "--network", "ethereum:local:foundry", "--out", str(tmp_path), "--max-branches", "12",
        "--close-after-days", "30", "--window-hours", "6", "--trigger-prices", "0.8,0.25,0.05",
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    record = json.loads((tmp_path / "31337.json").read_text())
    assert record["chain_id"] == 31337 and record["max_branches"] == 12
    assert record["collateral_decimals"] == 6 and record["block"] >= 1
    addresses = {record[k] for k in ("exchange", "maker", "artifacts", "bounties")}
    assert len(addresses) == 4 and all(a.startswith("0x") and len(a) == 42 for a in addresses)
    out = " ".join(result.stdout.split())
    # the registry's parameters as the chain reports them after deployment
    assert f"artifact registry {record['artifacts']}: close after 30 days, window 6 h, triggers 0.8/0.25/0.05" in out
    assert f"bounty escrow {record['bounties']}" in out


def test_deploy_without_artifacts_and_refusing_bad_triggers(tmp_path):
    result = run("deploy", "--network", "ethereum:local:foundry", "--out", str(tmp_path), "--no-artifacts")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    record = json.loads((tmp_path / "31337.json").read_text())
    assert record["artifacts"] == record["bounties"] == "" and "artifact registry" not in result.stdout
    bad = tmp_path / "bad"
    result = run("deploy", "--network", "ethereum:local:foundry", "--out", str(bad), "--trigger-prices", "0.3,0.7,0.1")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "validated > flagged > deprecated" in result.stderr and "got 0.3, 0.7, 0.1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no usage screen
    assert not bad.exists()  # refused before anything was deployed or recorded


def test_demo_tells_the_whole_session():
    result = run("demo", "--network", "ethereum:local:foundry")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = " ".join(result.stdout.split())  # rich wraps long lines
    for expected in (
        "NotMarketOwner", "InvalidBounds", "PriceOutOfBounds", "BrokenChain", "InvalidSignature",
        "OrderExists", "MarketLocked", "MarketSettled", "sub-market [60, 60]", "OrderAdded", "RootSettled",
        "InsufficientCollateral", "SettlementPending", "OrdersMatched", "OrderCancelled", "Claimed",
        "0 discrepancies", "node agrees on every worst case: True",
        # the pool: slippage, a fill beyond its limit, a freeze, the pool's own events in the ledger
        "SlippageExceeded", "FillBeyondLimit", "MarketFrozen", "PoolCreated", "PoolTraded", "PoolFilled",
        # alice: 5000 + 6 x (75 - 42.5) from the match + 1.25 x (75 - 10) - 56.185960724032274292 from the pool
        "alice 5220.064039275967725708", "pot 0", "claim_pool pays carol", "= balances + pot: True",
    ):
        assert expected in out, expected
