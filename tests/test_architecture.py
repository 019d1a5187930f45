"""The Exchange's architecture, checked: one namespaced storage shared by construction, one selector
table that agrees with the modules' ABIs, and an import graph without cycles."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import keccak

from pmarket.deployment import EXCHANGE_PARTS, MODULES

ROOT = Path(__file__).resolve().parents[1]
#: The only regular state any part inherits: OpenZeppelin EIP712's fallbacks for names longer than
#: 31 bytes, which "pmarket" and "1" never use (they are immutables).
EIP712_FALLBACKS = ["_nameFallback", "_versionFallback"]
#: Module functions the Exchange runs itself by delegatecall and does not route.
DELEGATED_ONLY = {"checkExactly", "withdrawableExactly"}
#: Functions every module has for its own sake (not part of the Exchange's ABI).
MODULE_OWN = {"moduleInfo", "eip712Domain"} | DELEGATED_ONLY


def _forge(*args: str) -> str:
    forge = Path(sys.executable).with_name("forge")
    env = {**os.environ, "HOME": str(ROOT / ".cache" / "home")}
    out = subprocess.run([str(forge), *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def _source(kind: str) -> str:
    return f"contracts/{kind}.sol" if kind == "Exchange" else f"contracts/modules/{kind}.sol"


def test_every_part_keeps_its_state_in_the_one_namespaced_storage():
    for kind in EXCHANGE_PARTS:
        data = json.loads(_forge("inspect", f"{_source(kind)}:{kind}", "storageLayout", "--json"))
        labels = [s["label"] for s in data["storage"]]
        assert labels in ([], EIP712_FALLBACKS), (kind, labels)
    text = (ROOT / "contracts/exchange/ExchangeStorage.sol").read_text()
    namespace = re.search(r"@custom:storage-location erc7201:([\w.]+)", text).group(1)
    slot = re.search(r"SLOT = (0x[0-9a-f]{64})", text).group(1)
    inner = int.from_bytes(keccak(text=namespace), "big") - 1
    assert int(slot, 16) == int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


def _abi(project, name: str) -> list[dict]:
    return [i.model_dump(mode="json", by_alias=True) for i in getattr(project, name).contract_type.abi]


def _selector(item: dict) -> bytes:
    return keccak(text=f"{item['name']}({','.join(_canonical(i) for i in item['inputs'])})")[:4]


def _canonical(arg: dict) -> str:
    if arg["type"].startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in arg["components"]) + ")" + arg["type"][5:]
    return arg["type"]


def _zero(arg: dict):
    kind = arg["type"]
    if kind.endswith("[]"):
        return []
    if kind.startswith("tuple"):
        return tuple(_zero(c) for c in arg["components"])
    if kind == "address":
        return "0x" + "00" * 20
    if kind == "bool":
        return False
    if kind.startswith("bytes") and kind != "bytes":
        return b"\0" * int(kind[5:])
    return b"" if kind == "bytes" else 0


def test_the_selector_table_serves_every_entry_point_from_exactly_one_part(project, exchange, chain):
    functions = {_selector(i): i["name"] for i in _abi(project, "IExchange") if i["type"] == "function"}
    served: dict[bytes, list[str]] = {}
    for kind in EXCHANGE_PARTS:
        for item in _abi(project, kind):
            if item["type"] == "function" and not (kind != "Exchange" and item["name"] in MODULE_OWN):
                served.setdefault(_selector(item), []).append(kind)
    # every function of the ABI is served by one part, and no part serves anything else
    assert {s: len(parts) for s, parts in served.items() if len(parts) != 1} == {}
    assert set(served) - set(functions) == {keccak(text="eip712Domain()")[:4]}  # ERC-5267, of the Exchange
    assert set(functions) - set(served) == set()

    unknown = keccak(text="UnknownSelector(bytes4)")[:4]
    maker = str(exchange.contract.maker())
    for item in (i for i in _abi(project, "IExchange") if i["type"] == "function"):
        data = _selector(item) + encode([_canonical(i) for i in item["inputs"]], [_zero(i) for i in item["inputs"]])
        reply = _call(chain, exchange.address, data, sender=maker if item["name"].startswith("pool") else None)
        # routed to a part that has the function: it ran (returned or refused with a named error);
        # a wrong module would revert with no data (modules have no fallback)
        assert reply is None or (reply[:4] != unknown and len(reply) >= 4), item["name"]


def _call(chain, to: str, data: bytes, sender=None):
    """Return data of a reverting eth_call (None when it succeeds)."""
    tx = {"to": to, "data": "0x" + data.hex()}
    if sender:
        tx["from"] = sender
    try:
        chain.provider.web3.eth.call(tx)
        return None
    except Exception as err:  # web3 raises ContractLogicError / ContractCustomError with the data
        raw = getattr(err, "data", None) or (err.args[1] if len(err.args) > 1 else None)
        if isinstance(raw, dict):
            raw = raw.get("data")
        return bytes.fromhex(str(raw)[2:]) if isinstance(raw, str) and raw.startswith("0x") else b""


def test_the_exact_checks_run_only_by_delegatecall_from_the_exchange(project, exchange, chain):
    modules = dict(zip((name for name, _ in MODULES), exchange.contract.modules()))
    module = modules["collateral_module"]
    data = keccak(text="withdrawableExactly(address)")[:4] + encode(["address"], ["0x" + "11" * 20])
    # not routed: the Exchange refuses the selector
    assert _call(chain, exchange.address, data)[:4] == keccak(text="UnknownSelector(bytes4)")[:4]
    # at the module's own address: refused by name
    assert _call(chain, str(module), data)[:4] == keccak(text="NotDelegated()")[:4]


def test_the_exchange_refuses_a_module_built_for_another_deployment(project, owner, exchange):
    from ape.exceptions import ContractLogicError

    token = exchange.token.address
    parts = [getattr(project, kind).deploy(token, 8, 32, 64, sender=owner) for _, kind in MODULES]
    wrong = project.OrdersModule.deploy(token, 8, 31, 64, sender=owner)  # another maxOpenOrders
    args = [p.address for p in parts]
    mismatch = keccak(text="ModuleMismatch(address,bytes32)")[:4].hex()
    orders = keccak(text="pmarket.module.orders").hex()
    with pytest.raises(ContractLogicError) as refused:
        project.Exchange.deploy(token, 8, 32, 64, [args[0], wrong.address, *args[2:]], True, sender=owner)
    assert mismatch in str(refused.value) and orders in str(refused.value)  # names the module's concern
    with pytest.raises(ContractLogicError) as refused:  # two modules swapped
        project.Exchange.deploy(token, 8, 32, 64, [args[1], args[0], *args[2:]], True, sender=owner)
    assert mismatch in str(refused.value) and args[1][2:].lower() in str(refused.value).lower()
    with pytest.raises(ContractLogicError) as refused:  # an account without code, and the token (no moduleInfo)
        project.Exchange.deploy(token, 8, 32, 64, [owner.address, *args[1:]], True, sender=owner)
    assert mismatch in str(refused.value)
    with pytest.raises(ContractLogicError) as refused:
        project.Exchange.deploy(token, 8, 32, 64, [token, *args[1:]], True, sender=owner)
    assert mismatch in str(refused.value)
    exchange_ = project.Exchange.deploy(token, 8, 32, 64, args, True, sender=owner)  # the right ones pass
    assert list(exchange_.modules()) == args


def test_the_contracts_import_graph_has_no_cycle():
    graph: dict[Path, set[Path]] = {}
    for path in (ROOT / "contracts").rglob("*.sol"):
        if ".cache" in path.parts:
            continue
        deps = re.findall(r'^import [^"]*"(\.[^"]+)";', path.read_text(), re.M)
        graph[path] = {(path.parent / d).resolve() for d in deps}
    seen: dict[Path, int] = {}

    def visit(node: Path, stack: list[Path]) -> None:
        state = seen.get(node)
        assert state != 1, " -> ".join(p.name for p in stack + [node])
        if state == 2:
            return
        seen[node] = 1
        for dep in graph.get(node, ()):
            visit(dep, stack + [node])
        seen[node] = 2

    for node in graph:
        visit(node, [])
