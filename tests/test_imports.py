"""The package's import structure: no module-level import cycle anywhere in pmarket, the per-concern
client modules reach the chain through pmarket.transport and never import the Exchange facade, and
every module imports on its own, first, in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pmarket"
#: The client modules the Exchange composes: they depend on the transport and its protocol only.
CONCERNS = ("markets", "orders", "vault", "collateral", "matching", "settlement")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    # ``from . import x`` names a submodule x (or a name of the package); ``from .m import x`` the module m.
    return [f"{base}.{a.name}" for a in node.names] if node.module is None else [base]


def _imports(module: str, path: Path, *, top_level_only: bool) -> set[str]:
    """The pmarket modules ``module`` imports: at module level, outside ``if TYPE_CHECKING`` blocks
    (``top_level_only``), or anywhere."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.update(_resolve(module, is_package, node))
            elif isinstance(node, ast.If) and not (top_level_only and "TYPE_CHECKING" in ast.unparse(node.test)):
                visit(node.body + node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body + node.orelse + node.finalbody)
            elif not top_level_only:
                visit([n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)])

    visit(tree.body)
    modules = _modules()
    # A name imported from a package (``from . import Node``) is an import of the package.
    resolved = {m if m in modules else m.rpartition(".")[0] for m in found}
    return {m for m in resolved if m == "pmarket" or m.startswith("pmarket.")}


def test_no_module_level_import_cycle_in_pmarket():
    modules = _modules()
    graph = {
        name: {m for m in _imports(name, path, top_level_only=True) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def walk(name: str, stack: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                walk(dep, stack + [dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert cycles == []


def test_the_concern_modules_use_the_transport_not_the_facade():
    modules = _modules()
    for concern in CONCERNS:
        name = f"pmarket.{concern}"
        imported = _imports(name, modules[name], top_level_only=False)
        assert "pmarket.exchange" not in imported, name
        assert "pmarket.transport" in imported, name
        source = modules[name].read_text()
        assert '"Exchange"' not in source and "._transact(" not in source and "._call(" not in source, name


def test_every_module_imports_alone_in_a_fresh_interpreter():
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'pmarket' or m.startswith('pmarket.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as err:\n"
        "        failed.append(f'{name}: {type(err).__name__}: {err}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    names = sorted(_modules())
    out = subprocess.run([sys.executable, "-c", script, *names], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr[-2000:]
    assert len(names) > 40  # every module of the package was tried, the node's and the scenario's too
