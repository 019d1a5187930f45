#!/usr/bin/env python3
"""`make lint`: slither on pmarket's production contracts, failing on any untriaged high or medium
finding.

Slither (slither.config.json) builds the contracts through forge, as crytic-compile's foundry
platform does (`forge clean`, `forge build --build-info --force`), under foundry.toml's `lint`
profile (its own output folder) with the repository's solc front end (`solc` in foundry.toml) and
the repository's HOME for forge, so it needs neither solc-select nor a native solc. Its JSON report
goes to .build/slither/report.json and its text to .build/slither/slither.log.

Each high or medium finding in contracts/ (not contracts/test/) is then looked up in
tools/slither-accepted.json by its stable key: detector, contract, and the function and/or variable
of its first element (never line numbers). A finding with no entry fails the run, named. Low,
informational and optimization findings are counted, never fail. Entries that no longer match
anything are reported as stale (remove them).

    tools/slither_check.py                  run slither, then check
    tools/slither_check.py --report FILE    check an existing slither JSON report only
    tools/slither_check.py --verbose        also list every low/informational finding
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
ACCEPTED = ROOT / "tools" / "slither-accepted.json"
OUT = ROOT / ".build" / "slither"
FAILING = ("High", "Medium")
KEY_FIELDS = ("detector", "contract", "function", "variable", "element")


def run_slither(report: Path, log: Path) -> None:
    """Run slither on the repository; its JSON report to `report`, its text to `log`."""
    venv_bin = ROOT / ".venv" / "bin"
    env = dict(os.environ)
    env["HOME"] = str(ROOT / ".cache" / "home")  # forge's selector cache, as FORGE in the Makefile
    env["FOUNDRY_PROFILE"] = "lint"
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"  # crytic-compile calls `forge`
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)  # slither refuses to overwrite a report
    cmd = [str(venv_bin / "slither"), ".", "--config-file", "slither.config.json",
           "--json", str(report), "--fail-none"]
    with log.open("w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not report.exists():
        tail = "".join(log.read_text().splitlines(keepends=True)[-40:])
        sys.exit(f"{tail}\nlint: slither failed (exit {proc.returncode}); full log in {rel(log)}")


def finding_key(result: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The stable key of a slither result (from its first element) and that element's file."""
    key = {"detector": result["check"]}
    elements = result.get("elements") or []
    if not elements:
        return key, ""
    first = elements[0]
    kind, name = first.get("type"), first.get("name", "")
    parent = first.get("type_specific_fields", {}).get("parent", {})
    grand = parent.get("type_specific_fields", {}).get("parent", {})
    if kind == "contract":
        key["contract"] = name
    elif kind == "function":
        key["contract"], key["function"] = parent.get("name", ""), name
    elif kind == "variable" and parent.get("type") == "function":  # a local variable
        key["contract"], key["function"], key["variable"] = grand.get("name", ""), parent.get("name", ""), name
    elif kind == "variable":  # a state variable
        key["contract"], key["variable"] = parent.get("name", ""), name
    elif kind == "node":  # a statement: its function
        key["contract"], key["function"] = grand.get("name", ""), parent.get("name", "")
    else:  # a struct, event, enum, ...: its container and its name
        key["contract"] = parent.get("name", "") if parent.get("type") == "contract" else grand.get("name", "")
        key["element"] = f"{kind} {name}"
    return key, first.get("source_mapping", {}).get("filename_relative", "")


def show(key: dict[str, str]) -> str:
    where = ".".join(key[f] for f in ("contract", "function") if key.get(f))
    if key.get("variable"):
        where += (" " if key.get("function") else ".") + key["variable"]
    if key.get("element"):
        where += f" ({key['element']})"
    return f"{key['detector']} {where}"


def rel(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def production(path: str) -> bool:
    return path.startswith("contracts/") and not path.startswith(("contracts/test/", "contracts/.cache/"))


def load_accepted(path: Path) -> list[dict[str, str]]:
    entries = json.loads(path.read_text())["accepted"]
    problems, seen = [], set()
    for i, e in enumerate(entries):
        unknown = set(e) - set(KEY_FIELDS) - {"why"}
        if unknown or not e.get("detector") or not e.get("contract") or not str(e.get("why", "")).strip():
            problems.append(f"entry {i} needs detector, contract and a why (and no other fields than "
                            f"{', '.join(KEY_FIELDS)}): {e}")
        ident = tuple(e.get(f) for f in KEY_FIELDS)
        if ident in seen:
            problems.append(f"entry {i} is a duplicate: {e}")
        seen.add(ident)
    if problems:
        sys.exit("lint: invalid " + rel(path) + ":\n  " + "\n  ".join(problems))
    return entries


def matches(entry: dict[str, str], key: dict[str, str]) -> bool:
    return all(entry.get(f) == key.get(f) for f in KEY_FIELDS)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", type=Path, help="check this slither JSON report instead of running slither")
    parser.add_argument("--accepted", type=Path, default=ACCEPTED, help="the accepted findings (JSON)")
    parser.add_argument("--verbose", action="store_true", help="list every low/informational finding")
    args = parser.parse_args(argv)

    start = time.monotonic()
    report = args.report
    if report is None:
        report, log = OUT / "report.json", OUT / "slither.log"
        print(f"lint: slither (forge build under profile lint), log in {rel(log)} ...", flush=True)
        run_slither(report, log)
    data = json.loads(report.read_text())
    if not data.get("success"):
        sys.exit(f"lint: slither reported an error: {data.get('error')}")
    results = data.get("results", {}).get("detectors", [])
    accepted = load_accepted(args.accepted)

    used = [0] * len(accepted)
    new: list[tuple[dict[str, str], dict[str, Any]]] = []
    ok: list[tuple[dict[str, str], str]] = []
    minor: dict[str, list[str]] = {}
    for result in results:
        key, path = finding_key(result)
        if not production(path):
            continue
        if result["impact"] not in FAILING:
            minor.setdefault(f"{result['impact']} {result['check']}", []).append(show(key).split(" ", 1)[-1])
            continue
        hits = [i for i, e in enumerate(accepted) if matches(e, key)]
        for i in hits:
            used[i] += 1
        if hits:
            ok.append((key, accepted[hits[0]]["why"]))
        else:
            new.append((key, result))

    print(f"lint: {len(results)} slither findings; high/medium in production contracts: "
          f"{len(ok) + len(new)} ({len(ok)} accepted in {rel(args.accepted)}, {len(new)} new)")
    for label in sorted(minor):
        names = sorted(set(minor[label]))
        shown = ", ".join(names if args.verbose else names[:4]) + ("" if args.verbose or len(names) <= 4 else ", ...")
        print(f"  not failing: {label} x{len(minor[label])}: {shown}")
    for i, entry in enumerate(accepted):
        if not used[i]:
            print(f"  stale entry (matches no finding now; remove it): {show(entry)}")
    if new:
        print(f"\nlint: FAILED: {len(new)} high/medium finding(s) not in {rel(args.accepted)}:", file=sys.stderr)
        for key, result in new:
            first = result["description"].strip().splitlines()[0]
            print(f"\n  NEW [{result['impact']}/{result['confidence']}] {show(key)}", file=sys.stderr)
            print(f"      {first}", file=sys.stderr)
            print(f"      key: {json.dumps({f: key[f] for f in KEY_FIELDS if f in key})}", file=sys.stderr)
        print("\nFix the code, or, if it is a false positive, add the key above with a one-line \"why\" "
              f"to {rel(args.accepted)} (see its how_to_add).", file=sys.stderr)
        return 1
    print(f"lint: passed ({time.monotonic() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
