"""The contracts' custom errors as Python exceptions.

Every refusal of a pmarket contract is a custom Solidity error with the offending values. The client
raises :class:`ContractError` -- or the subclass named after the error, e.g. :class:`PriceOutOfBounds`
-- with those values in :attr:`ContractError.values`, so callers can write::

    try:
        exchange.place(signed)
    except errors.PriceOutOfBounds as err:
        print(err.values["min"], err.values["max"])

The subclasses are made at import time from ``errors.json`` beside this module, one per custom
error the contracts declare or can raise, with the error's NatSpec as docstring. That table is
generated from the compiled contracts (``tools/gen_errors.py``) and a test fails when it differs
from the build, so a new Solidity error always has its class.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

#: The committed table of the contracts' custom errors (``tools/gen_errors.py`` writes it).
TABLE = Path(__file__).with_name("errors.json")


class PMarketError(Exception):
    """Base class of every exception pmarket raises on purpose."""


class ContractError(PMarketError):
    """A pmarket contract refused a call with a custom error."""

    #: The Solidity signature and the input names of the error (set on each generated subclass).
    signature: ClassVar[str] = ""
    inputs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, values: dict[str, Any], tx: Any = None) -> None:
        self.name = name
        self.values = dict(values)
        self.tx = tx
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        super().__init__(f"{name}({shown})")


def _show(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def _subclass(row: dict[str, Any]) -> type[ContractError]:
    attrs = {
        "__doc__": row["doc"],
        "__module__": __name__,
        "signature": row["signature"],
        "inputs": tuple(i["name"] for i in row["inputs"]),
    }
    return type(row["name"], (ContractError,), attrs)


def _load(path: Path = TABLE) -> dict[str, type[ContractError]]:
    classes = {row["name"]: _subclass(row) for row in json.loads(path.read_text())["errors"]}
    clashes = sorted(set(classes) & set(globals()))
    if clashes:  # a Solidity error named like this module's own names would replace them
        raise ImportError(f"pmarket/errors.json names {clashes}, which pmarket.errors defines itself")
    return classes


#: Error name -> exception class, for every custom error of the contracts.
KNOWN: dict[str, type[ContractError]] = _load()
globals().update(KNOWN)

if TYPE_CHECKING:  # pragma: no cover
    # The classes are made at run time: to a type checker every other name here is one of them.
    def __getattr__(name: str) -> type[ContractError]: ...


def contract_error(name: str, values: dict[str, Any], tx: Any = None) -> ContractError:
    """The exception for custom error ``name`` (a known subclass where there is one)."""
    return KNOWN.get(name, ContractError)(name, values, tx)


def fail(name: str, **values: Any) -> ContractError:
    """The exception the contracts would raise: ``raise fail("OrderNotOpen", orderHash=h)``."""
    return contract_error(name, values)
