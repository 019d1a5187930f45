"""pmarket.errors against the compiled contracts: every custom error pmarket's interfaces declare has
its exception class (a refusal raises it by name, with the error's values), and every class names
an error a deployed contract can still raise (so a removed error, like ``BeyondCushion``, leaves
no class behind)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pmarket import errors
from pmarket.transport import EXCHANGE_PARTS

DEPLOYED = EXCHANGE_PARTS + ("Maker", "Artifacts", "Bounties")
ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gen_errors", ROOT / "tools" / "gen_errors.py")
gen_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_errors)


def _errors(contract_type) -> set[str]:
    return {i.name for i in contract_type.abi if i.type == "error"}


def test_every_declared_error_has_its_class_and_every_class_an_error(project):
    types = project.load_contracts()
    declared = set().union(*(_errors(t) for n, t in types.items() if n[:1] == "I" and n[1:2].isupper()))
    deployed = set().union(*(_errors(types[n]) for n in DEPLOYED))
    assert declared <= deployed
    assert sorted(declared - set(errors.KNOWN)) == []
    assert sorted(set(errors.KNOWN) - deployed) == []
    assert "BeyondCushion" not in errors.KNOWN and {"NotRootManager", "InvalidPeriod"} <= declared
    for name, cls in errors.KNOWN.items():
        assert cls.__name__ == name and issubclass(cls, errors.ContractError) and cls.__doc__
        err = errors.fail(name, value=1)
        assert type(err) is cls and err.values == {"value": 1}


def test_a_view_refusal_decodes_in_either_form_anvil_writes(project):
    """A reverted ``eth_call`` comes back as text, ``custom error 0x<selector>: <data>``, with the
    data as raw bytes when they are valid UTF-8 and in hex otherwise: both decode to the values."""
    from pmarket.transport import translate
    from pmarket.maker import maker_contract_type

    class Refusal(Exception):
        def __init__(self, message):
            super().__init__(message)
            self.message = message

    maker = maker_contract_type(project)
    selector = next(e for e in maker.errors if e.name == "PoolNotTracked").selector
    from eth_utils import keccak

    sel = keccak(text=selector)[:4].hex()
    pool_id = keccak(b"a pool")  # not valid UTF-8: Anvil writes it in hex
    err = translate(Refusal(f"custom error 0x{sel}: {pool_id.hex()}"), maker)
    assert isinstance(err, errors.PoolNotTracked) and err.values == {"poolId": pool_id}
    named = b"paper".ljust(32, b"\0")  # valid UTF-8: written as the bytes themselves
    err = translate(Refusal(f"custom error 0x{sel}: {named.decode('latin-1')}"), maker)
    assert err.values == {"poolId": named}


def _build(project) -> dict:
    return {n: t.model_dump(mode="json", by_alias=True) for n, t in project.load_contracts().items()}


def test_the_committed_error_table_is_what_the_current_build_generates(project):
    """pmarket/errors.json (the classes' source) equals tools/gen_errors.py's output for the compiled
    contracts: a Solidity error added, removed, changed or redocumented fails here until the table is
    regenerated and committed."""
    build = _build(project)
    assert errors.TABLE.read_text() == gen_errors.render(gen_errors.error_table(build))
    rows = {r["name"]: r for r in json.loads(errors.TABLE.read_text())["errors"]}
    assert set(rows) == set(errors.KNOWN)
    for name, row in rows.items():
        cls = errors.KNOWN[name]
        assert getattr(errors, name) is cls and cls.__doc__ == row["doc"] and cls.signature == row["signature"]
        assert cls.inputs == tuple(i["name"] for i in row["inputs"])
    # The table follows the ABIs: InvalidParameters (no inputs), every OpenZeppelin error the deployed
    # contracts can raise, and NatSpec as the docstring.
    assert rows["InvalidParameters"]["inputs"] == [] and "AccessControlUnauthorizedAccount" in rows
    assert errors.PriceOutOfBounds.inputs == ("price", "min", "max")
    assert errors.PriceOutOfBounds.__doc__ == "The order's price lies outside its market's effective bounds."


def test_the_generator_sees_a_new_error_and_refuses_two_of_one_name(project):
    build = _build(project)
    interface = next(t for t in build.values() if str(t.get("sourceId", "")).startswith("contracts/interfaces/"))
    added = {"type": "error", "name": "BrandNew", "inputs": [{"name": "who", "type": "address", "internalType": "address"}]}
    grown = {**build, "INew": {**interface, "contractName": "INew", "abi": [added], "userdoc": {}, "devdoc": {}}}
    rows = {r["name"]: r for r in gen_errors.error_table(grown)}
    assert rows["BrandNew"] == {"name": "BrandNew", "signature": "BrandNew(address)",
                                "inputs": [{"name": "who", "type": "address"}],
                                "doc": "The contracts' custom error BrandNew(address)."}
    assert gen_errors.render(list(rows.values())) != errors.TABLE.read_text()
    # A contract under contracts/test/ or an abstract module is not a source of the table.
    test_only = {**build, "Mock": {**interface, "sourceId": "contracts/test/Mock.sol", "abi": [added],
                                   "deploymentBytecode": {"bytecode": "0x6000"}}}
    assert "BrandNew" not in {r["name"] for r in gen_errors.error_table(test_only)}
    clash = {**added, "name": "PriceOutOfBounds"}
    clashing = {**build, "INew": {**interface, "contractName": "INew", "abi": [clash]}}
    with pytest.raises(gen_errors.ErrorTableError, match="two errors named PriceOutOfBounds"):
        gen_errors.error_table(clashing)
