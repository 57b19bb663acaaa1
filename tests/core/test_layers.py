"""The layer rule of app/core, read from the source: no import cycle between modules and no
import from a lower layer into a higher one (README, Development). Imports inside functions
count too: a lazy import still ties two modules together."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "app" / "core"

# Lower number = lower layer. A module may import its own package and any lower layer.
LAYERS = {
    "errors": 0, "store": 0, "office": 0,
    "registry": 1,
    "rounds": 2,
    "checks": 3,
    "crawl": 4,
    "followup": 5,
    "exports": 6,
}


def _module_name(path: Path) -> str:
    parts = ["app", "core", *path.relative_to(CORE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """app.core modules this file imports (a `from pkg import mod` names the module)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bases = [a.name for a in node.names]
            names = []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                bases = [".".join(base + ([node.module] if node.module else []))]
            else:
                bases = [node.module or ""]
            names = [a.name for a in node.names]
        else:
            continue
        for base in bases:
            if not base.startswith("app.core"):
                continue
            subs = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules]
            found.update(subs or [base])
    found.discard(name)
    return {m for m in found if m in modules}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in CORE.rglob("*.py")}
    modules = set(files)
    return {m: _imports(p, modules) for m, p in files.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[2]) if len(parts) > 2 else None


def test_every_package_has_a_layer_and_a_docstring():
    for pkg in sorted(p for p in CORE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        assert pkg.name in LAYERS, f"app/core/{pkg.name} has no layer in this test and in README"
        doc = ast.get_docstring(ast.parse((pkg / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"app/core/{pkg.name}/__init__.py must say what it owns and may import"


def test_no_upward_import():
    upward = []
    for module, deps in _graph().items():
        low = _layer(module)
        for dep in deps:
            if low is not None and _layer(dep) is not None and _layer(dep) > low:
                upward.append(f"{module} -> {dep}")
    assert upward == []


def test_no_import_cycle():
    graph = _graph()
    cycles, state, stack = [], {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == []


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path, monkeypatch):
    """The rule checker itself: a planted cycle and upward import are found."""
    root = tmp_path / "app" / "core"
    for pkg in ("store", "crawl"):
        (root / pkg).mkdir(parents=True)
        (root / pkg / "__init__.py").write_text('"""x. May import: y."""\n')
    (root / "__init__.py").write_text("")
    (root / "store" / "a.py").write_text("from ..crawl import b\n")
    (root / "crawl" / "b.py").write_text("from ..store import a\n")
    monkeypatch.setattr(sys.modules[__name__], "CORE", root)
    graph = _graph()
    assert "app.core.crawl.b" in graph["app.core.store.a"]
    assert "app.core.store.a" in graph["app.core.crawl.b"]
    with pytest.raises(AssertionError):
        test_no_upward_import()
    with pytest.raises(AssertionError):
        test_no_import_cycle()
