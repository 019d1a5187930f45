"""The example scenarios (``examples/scenarios/``): each report equals its committed expectation.

Every ``X.json`` has ``expected/X.json``, the exact output of ``pmarket scenario run X.json
--offchain``, checked by hand against the numbers in the scenario's ``about``. The independent node
must print it byte for byte, and the same scenario as signed transactions on fresh contracts (on
this session's Anvil) must report the same. Every report also keeps the money identity: the sum
of balances and pots equals what was deposited minus what was withdrawn.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from pmarket.scenario import Scenario, run_chain, run_offchain
from pmarket.scenario.backends import TOKEN_DECIMALS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "scenarios"
EXPECTED = EXAMPLES / "expected"
SCENARIOS = sorted(EXAMPLES.glob("*.json"))
IDS = [p.stem for p in SCENARIOS]
#: The example the command-line test runs with ``--compare`` (short: it starts its own Anvil).
CLI_EXAMPLE = EXAMPLES / "partial_legs.json"


def expected(path: Path) -> dict:
    return json.loads((EXPECTED / path.name).read_text())


def test_every_example_has_an_about_and_an_expected_report():
    assert len(SCENARIOS) >= 8
    assert sorted(p.name for p in EXPECTED.glob("*.json")) == [p.name for p in SCENARIOS]
    for path in SCENARIOS:
        about = json.loads(path.read_text()).get("about")
        assert isinstance(about, str) and about.strip(), f"{path.name} has no 'about'"


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_offchain_report_is_the_expected_file(path):
    report = run_offchain(Scenario.load(path))
    # Exactly what `pmarket scenario run FILE --offchain` prints (json.dumps, indent 2, newline).
    assert json.dumps(report, indent=2) + "\n" == (EXPECTED / path.name).read_text()


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_chain_report_is_the_expected_file(path):
    report = run_chain(Scenario.load(path))
    assert report == expected(path)


def _token_amount(value: str) -> Decimal:
    """A withdrawal request as the vault pays it: whole token units, rounded down."""
    unit = Decimal(1).scaleb(-TOKEN_DECIMALS)
    return Decimal(value).quantize(unit, rounding="ROUND_FLOOR")


def money_flows(path: Path, report: dict) -> Decimal:
    """Deposits minus withdrawals that the scenario's own results say were accepted."""
    raw = json.loads(path.read_text())["actions"]
    assert len(raw) == len(report["results"])
    net = Decimal(0)
    for action, result in zip(raw, report["results"]):
        if not result["ok"]:
            continue
        if action["do"] == "deposit":
            net += Decimal(action["amount"])
        elif action["do"] == "withdraw":
            net -= _token_amount(action["amount"])
    return net


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_money_identity_holds_in_every_expected_report(path):
    report = expected(path)
    balances = sum((Decimal(t["balance"]) for t in report["traders"].values()), Decimal(0))
    pools = sum((Decimal(p["balance"]) for p in report.get("pools", {}).values()), Decimal(0))
    pots = sum((Decimal(p) for p in report["pots"].values()), Decimal(0))
    assert balances + pools + pots == money_flows(path, report)


def test_money_identity_sees_a_pot_and_rounded_withdrawals():
    """The identity test is not vacuous: one example leaves money in a pot, one withdraws, one moves
    money through pools."""
    conservation = expected(EXAMPLES / "money_conservation.json")
    assert conservation["pots"] == {"1": "35"}
    assert money_flows(EXAMPLES / "money_conservation.json", conservation) == Decimal(440)
    settlement = expected(EXAMPLES / "maker_settlement.json")
    assert settlement["pools"]["Q"]["balance"] == "0" and settlement["pots"] == {"1": "0"}
    assert money_flows(EXAMPLES / "maker_settlement.json", settlement) == Decimal(85)
    withdrawals = expected(EXAMPLES / "withdrawals.json")
    assert money_flows(EXAMPLES / "withdrawals.json", withdrawals) == 0
    assert _token_amount("40.0000009") == Decimal("40.000000")


def test_cli_compare_agrees_on_an_example():
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pmarket"), "scenario", "run", str(CLI_EXAMPLE.relative_to(ROOT)), "--compare"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "node and chain agree" in result.stderr
    printed = result.stdout[result.stdout.index("{\n") : result.stdout.rindex("\n}") + 2]
    assert json.loads(printed) == expected(CLI_EXAMPLE)


def test_a_renamed_action_is_refused_with_its_new_name():
    """``claim_all`` became ``claim_many``, the client's and the contract's verb (``claimMany``)."""
    from pmarket.scenario import ScenarioError

    data = {"actions": [{"do": "claim_all", "by": "admin", "root": 1}]}
    with pytest.raises(ScenarioError, match="action 'claim_all' is now 'claim_many'"):
        Scenario.load(data)
    assert Scenario.load({"actions": [{"do": "claim_many", "by": "admin", "root": 1}]}).actions[0].do == "claim_many"
