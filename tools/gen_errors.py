"""Write pmarket/errors.json, the table pmarket.errors makes its exception classes from.

Every custom error the contracts can raise gets a row: each error declared in
``contracts/interfaces/*.sol`` and each error in the ABI of a deployable contract of
``contracts/*.sol`` or ``contracts/modules/*.sol`` (the Exchange's modules; those include the errors of their dependencies, e.g. OpenZeppelin's
``AccessControlUnauthorizedAccount``). A row holds the error's name, its signature, its inputs and
its NatSpec (``@notice``, else ``@dev``), which becomes the class's docstring.

    .venv/bin/python tools/gen_errors.py            # rewrite pmarket/errors.json from .build
    .venv/bin/python tools/gen_errors.py --check    # exit 1 when the committed table is stale

The build is ape's (``.build/__local__.json``, written by ``make compile``); tests/test_errors.py
checks that the committed table equals what this produces from the current build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Mapping

import click

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".build" / "__local__.json"
TABLE = ROOT / "pmarket" / "errors.json"
INTERFACES = "contracts/interfaces/"
DEPLOYABLE = ("contracts/", "contracts/modules/")


class ErrorTableError(Exception):
    """The contracts declare two different errors of one name: no table can name both."""


def _declares(contract_type: Mapping[str, Any]) -> bool:
    source = str(contract_type.get("sourceId") or "")
    if source.startswith(INTERFACES):
        return True
    code = (contract_type.get("deploymentBytecode") or {}).get("bytecode") or "0x"
    folder = source.rsplit("/", 1)[0] + "/"
    return folder in DEPLOYABLE and code not in ("", "0x")


def _canonical(item: Mapping[str, Any]) -> str:
    if not str(item["type"]).startswith("tuple"):
        return str(item["type"])
    inner = ",".join(_canonical(c) for c in item.get("components", []))
    return f"({inner}){str(item['type'])[len('tuple'):]}"


def _doc(contract_types: list[Mapping[str, Any]], signature: str) -> str:
    for kind, key in (("userdoc", "notice"), ("devdoc", "details")):
        for contract_type in contract_types:
            entries = ((contract_type.get(kind) or {}).get("errors") or {}).get(signature) or []
            for entry in entries:
                if entry.get(key):
                    return " ".join(str(entry[key]).split())
    return f"The contracts' custom error {signature}."


def error_table(contract_types: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows, sorted by name, from ``contract_types`` (name -> contract type as the build's
    JSON holds it: ``abi``, ``sourceId``, ``userdoc``, ``devdoc``, ``deploymentBytecode``)."""
    # Interfaces first: their NatSpec is the error's documentation.
    sources = sorted(
        (t for t in contract_types.values() if _declares(t)),
        key=lambda t: (not str(t.get("sourceId", "")).startswith(INTERFACES), str(t.get("contractName", ""))),
    )
    rows: dict[str, dict[str, Any]] = {}
    for contract_type in sources:
        for item in contract_type.get("abi", []):
            if item.get("type") != "error":
                continue
            inputs = [{"name": str(i.get("name", "")), "type": _canonical(i)} for i in item.get("inputs", [])]
            signature = f"{item['name']}({','.join(i['type'] for i in inputs)})"
            known = rows.get(item["name"])
            if known is not None and known["signature"] != signature:
                raise ErrorTableError(f"two errors named {item['name']}: {known['signature']} and {signature}")
            if known is None:
                rows[item["name"]] = {"name": item["name"], "signature": signature, "inputs": inputs,
                                      "doc": _doc(sources, signature)}
    return [rows[name] for name in sorted(rows)]


def render(rows: list[dict[str, Any]]) -> str:
    """The table as committed: one JSON document, one error a line (a change shows as that line),
    stable to the byte for equal rows."""
    lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    return '{"errors": [\n' + lines + "\n]}\n"


def load_build(path: Path = BUILD) -> dict[str, Any]:
    """Name -> contract type of ape's compiled project manifest."""
    if not path.exists():
        raise click.ClickException(f"{path} is missing: run `make compile` first")
    return dict(json.loads(path.read_text())["contractTypes"])


@click.command()
@click.option("--check", is_flag=True, help="Compare with the committed table instead of writing it; exit 1 on a difference.")
@click.option("--build", "build", type=click.Path(dir_okay=False, path_type=Path), default=BUILD, show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=TABLE, show_default=True)
def main(check: bool, build: Path, out: Path) -> None:
    """Write (or --check) pmarket/errors.json from the compiled contracts."""
    text = render(error_table(load_build(build)))
    if check:
        if not out.exists() or out.read_text() != text:
            click.echo(f"{out} differs from the build: run tools/gen_errors.py and commit it", err=True)
            sys.exit(1)
        click.echo(f"{out} matches the build")
        return
    out.write_text(text)
    click.echo(f"wrote {out} ({len(json.loads(text)['errors'])} errors)")


if __name__ == "__main__":
    main()
