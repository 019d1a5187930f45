"""pmarket.errors against the compiled contracts: every custom error pmarket's interfaces declare has
its exception class (a refusal raises it by name, with the error's values), and every class names
an error a deployed contract can still raise (so a removed error, like ``BeyondCushion``, leaves
no class behind)."""

from __future__ import annotations

from pmarket import errors

DEPLOYED = ("Exchange", "ExchangeExtension", "ExchangeAnnex", "Maker", "Artifacts", "Bounties")


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
