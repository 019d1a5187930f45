"""Exchange, ExchangeExtension and ExchangeAnnex share one storage (the extension and its annex run
by delegatecall): their storage layouts must be identical, slot for slot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def layout(contract: str) -> list[tuple[str, str, int, str]]:
    forge = Path(sys.executable).with_name("forge")
    env = {**os.environ, "HOME": str(ROOT / ".cache" / "home")}
    out = subprocess.run(
        [str(forge), "inspect", f"contracts/{contract}.sol:{contract}", "storageLayout", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout)
    types = data["types"]
    return [(s["label"], s["slot"], s["offset"], types[s["type"]]["label"]) for s in data["storage"]]


def test_exchange_extension_and_annex_have_one_storage_layout():
    core, extension, annex = layout("Exchange"), layout("ExchangeExtension"), layout("ExchangeAnnex")
    assert core == extension == annex
    # the check's, settlement's and managed roots' state is in it
    assert [s[0] for s in core][-4:] == ["_traderRoots", "_pots", "_totals", "_flagTerms"]
