"""pmarket.errors against the compiled contracts: every custom error pmarket's interfaces declare has
its exception class (a refusal raises it by name, with the error's values), and every class names
an error a deployed contract can still raise (so a removed error, like ``BeyondCushion``, leaves
no class behind)."""

from __future__ import annotations

from pmarket import errors
from pmarket.transport import EXCHANGE_PARTS

DEPLOYED = EXCHANGE_PARTS + ("Maker", "Artifacts", "Bounties")


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
