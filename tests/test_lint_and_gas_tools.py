"""The guards of `make lint` (tools/slither_check.py) and `make gas-check` (scripts/gas_check.py),
on small made-up inputs: which slither findings fail, and which gas changes fail."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from scripts import gas_check

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("slither_check", ROOT / "tools" / "slither_check.py")
slither_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slither_check)


def _contract(name: str, file: str = "contracts/Maker.sol") -> dict:
    return {"type": "contract", "name": name, "source_mapping": {"filename_relative": file}}


def _function(contract: str, name: str, file: str = "contracts/Maker.sol") -> dict:
    return {"type": "function", "name": name, "source_mapping": {"filename_relative": file},
            "type_specific_fields": {"parent": _contract(contract, file)}}


def _result(check: str, impact: str, first: dict) -> dict:
    return {"check": check, "impact": impact, "confidence": "Medium", "elements": [first],
            "description": f"{check} in {first['name']} (somewhere#1-2)\n"}


def test_keys_are_detector_contract_function_and_variable():
    fn = _function("Maker", "claimPool")
    assert slither_check.finding_key(_result("reentrancy-no-eth", "Medium", fn))[0] == {
        "detector": "reentrancy-no-eth", "contract": "Maker", "function": "claimPool"}
    local = {"type": "variable", "name": "total", "source_mapping": {"filename_relative": "contracts/Bounties.sol"},
             "type_specific_fields": {"parent": _function("Bounties", "distribute", "contracts/Bounties.sol")}}
    assert slither_check.finding_key(_result("uninitialized-local", "Medium", local))[0] == {
        "detector": "uninitialized-local", "contract": "Bounties", "function": "distribute", "variable": "total"}
    state = {"type": "variable", "name": "_oracles", "source_mapping": {"filename_relative": "contracts/mixins/Markets.sol"},
             "type_specific_fields": {"parent": _contract("Markets", "contracts/mixins/Markets.sol")}}
    key, path = slither_check.finding_key(_result("uninitialized-state", "High", state))
    assert key == {"detector": "uninitialized-state", "contract": "Markets", "variable": "_oracles"}
    assert path == "contracts/mixins/Markets.sol"
    node = {"type": "node", "name": "x = a / b * c", "source_mapping": {"filename_relative": "contracts/Maker.sol"},
            "type_specific_fields": {"parent": _function("Maker", "_marginal")}}
    assert slither_check.finding_key(_result("divide-before-multiply", "Medium", node))[0] == {
        "detector": "divide-before-multiply", "contract": "Maker", "function": "_marginal"}


def _check(tmp_path, results, accepted) -> int:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"success": True, "error": None, "results": {"detectors": results}}))
    listed = tmp_path / "accepted.json"
    listed.write_text(json.dumps({"accepted": accepted}))
    return slither_check.main(["--report", str(report), "--accepted", str(listed)])


def test_a_new_high_or_medium_finding_fails_and_is_named(tmp_path, capsys):
    known = _result("reentrancy-no-eth", "Medium", _function("Maker", "claimPool"))
    new = _result("arbitrary-send-eth", "High", _function("Maker", "sweep"))
    entry = {"detector": "reentrancy-no-eth", "contract": "Maker", "function": "claimPool", "why": "trusted Exchange"}
    assert _check(tmp_path, [known], [entry]) == 0
    assert _check(tmp_path, [known, new], [entry]) == 1
    err = capsys.readouterr().err
    assert "NEW [High/Medium] arbitrary-send-eth Maker.sweep" in err
    # The same detector in another function of the same contract is a new finding too.
    other = _result("reentrancy-no-eth", "Medium", _function("Maker", "closePool"))
    assert _check(tmp_path, [known, other], [entry]) == 1


def test_low_findings_and_test_contracts_never_fail(tmp_path):
    low = _result("reentrancy-events", "Low", _function("Maker", "claimPool"))
    info = _result("assembly", "Informational", _function("Maker", "claimPool"))
    in_test = _result("arbitrary-send-eth", "High", _function("Crowd", "open", "contracts/test/Crowd.sol"))
    in_lib = _result("arbitrary-send-eth", "High", _function("Address", "sendValue", "node_modules/x/Address.sol"))
    assert _check(tmp_path, [low, info, in_test, in_lib], []) == 0


def test_an_entry_needs_a_reason(tmp_path):
    with pytest.raises(SystemExit):
        _check(tmp_path, [], [{"detector": "unused-return", "contract": "Maker", "function": "closeFor"}])


def test_the_committed_accepted_list_is_valid():
    entries = slither_check.load_accepted(slither_check.ACCEPTED)
    assert entries and all(e.get("function") or e.get("variable") for e in entries)


def test_gas_rise_over_one_percent_fails_and_decrease_passes():
    snap = {name: 100_000 for name in gas_check.KEY}
    now = dict(snap)
    assert gas_check.compare(snap, now)[1] == []
    first, second = gas_check.KEY[:2]
    now[first] = 101_000  # +1.00%: within
    now[second] = 99_000  # a decrease: a note, not a failure
    rows, failures, notes = gas_check.compare(snap, now)
    assert failures == [] and len(notes) == 1
    now[first] = 101_001
    rows, failures, notes = gas_check.compare(snap, now)
    assert len(failures) == 1 and first in failures[0]
    assert any(row[-1] == "FAIL" for row in rows)


def test_gas_entries_that_cannot_be_measured_fail():
    snap = {name: 100_000 for name in gas_check.KEY}
    now = dict(snap)
    del now[gas_check.KEY[-1]]
    assert "could no longer be measured" in gas_check.compare(snap, now)[1][0]
    now[gas_check.KEY[-1]] = 100_000
    assert gas_check.compare({**snap, "gone": 1}, now)[1] == ["'gone' is in the snapshot but could no longer be measured"]
    del snap[gas_check.KEY[-1]]
    assert gas_check.compare(snap, now)[1] == [f"{gas_check.KEY[-1]!r} is a key figure without a snapshot entry"]


def test_the_committed_snapshot_has_every_key_figure():
    snapshot = json.loads((ROOT / "bench" / "gas-snapshot.json").read_text())["gas"]
    assert list(snapshot) == list(gas_check.KEY)
    assert all(isinstance(v, int) and v > 0 for v in snapshot.values())


def test_every_accepted_finding_is_listed_in_the_doc():
    rows = [line for line in (ROOT / "docs" / "static-analysis.md").read_text().splitlines() if line.startswith("| ")]
    for e in slither_check.load_accepted(slither_check.ACCEPTED):
        names = [e["detector"], e["contract"], *(e[f] for f in ("function", "variable") if f in e)]
        assert any(all(n in row for n in names) for row in rows), f"not in docs/static-analysis.md: {names}"
