"""The package layout follows the data flow, and cannot silently decay.

Every import of an ``scp`` module (at module level or inside a function, under TYPE_CHECKING or
not) is read from the source with :mod:`ast`; a stage may import only itself and the stages
before it, and the modules import each other without cycles.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "scp"
STAGES = ("data", "problem", "model", "results", "solving", "app")
"""The flow, in order; ``scp.errors`` (and ``scp._version``) sit below all of them."""

SANCTIONED = {("scp.problem.problem", "scp.solving.pipeline")}
"""Upward imports allowed on purpose: ``Problem.solve`` is a one-line convenience for ``scp.solve``
(a function-local import, so nothing is loaded until it is called)."""

MAX_LINES = 400


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: pathlib.Path, name: str | None = None) -> set[str]:
    """The ``scp`` modules that ``path`` (module ``name``) imports (``from .x import y`` gives
    ``pkg.x`` and, when ``pkg.x.y`` is a module, that too)."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name == "scp" or a.name.startswith("scp."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "scp" or node.module.startswith("scp.")):
                target = node.module
            else:
                continue
            found.add(target)
            for alias in node.names:
                sub = target + "." + alias.name
                if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() or \
                        (PACKAGE.parent / sub.replace(".", "/") / "__init__.py").exists():
                    found.add(sub)
    return found


def stage(module: str) -> int | None:
    """Rank of ``module``'s stage (``-1`` for ``scp.errors`` and ``scp._version``, ``None`` for the
    package root)."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    if parts[1] in ("errors", "_version"):
        return -1
    return STAGES.index(parts[1])


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_top_level_shows_the_stages():
    entries = {p.name for p in PACKAGE.iterdir() if not p.name.startswith(("_", "."))}
    assert entries == set(STAGES) | {"errors.py"}
    for s in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / s / "__init__.py").read_text()))
        assert doc and "May import" in doc, f"scp/{s}/__init__.py must say what it owns and may import"


@pytest.mark.parametrize("module", [m for m in MODULES if m != "scp"])
def test_imports_point_down_the_flow(module):
    own = stage(module)
    for target in imports(MODULES[module]):
        if (module, target) in SANCTIONED:
            continue
        assert target != "scp", f"{module} imports the package root; import the stage module instead"
        assert stage(target) <= own, f"{module} (stage {STAGES[own]}) imports {target}, a later stage"


def test_no_import_cycles_between_modules():
    graph = {m: {t for t in imports(p) if t in MODULES and t != m and (m, t) not in SANCTIONED}
             for m, p in MODULES.items()}
    # a package's __init__ re-exports its modules; an edge from a module to its own package
    # (e.g. ``from ..data import PlanningData``) is fine when the package does not import back
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = path[path.index(t):] + [t] if t in path else [m, t]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t, path + [t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_import_checker_sees_upward_imports(tmp_path):
    # the checker itself can fail: module-level, function-local and TYPE_CHECKING imports are seen
    fake = tmp_path / "fake.py"
    fake.write_text("from typing import TYPE_CHECKING\nfrom ..data import PlanningData\n"
                    "if TYPE_CHECKING:\n    from ..results.solution import Solution\n"
                    "def f():\n    from ..solving import pipeline\n    import scp.app.cli\n")
    found = imports(fake, "scp.problem.fake")
    assert {"scp.data", "scp.results.solution", "scp.solving", "scp.solving.pipeline", "scp.app.cli"} <= found
    upward = sorted(t for t in found if stage(t) > stage("scp.problem.fake"))
    assert upward == ["scp.app.cli", "scp.results.solution", "scp.solving", "scp.solving.pipeline"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    n = len(MODULES[module].read_text().splitlines())
    assert n <= MAX_LINES, f"{module} has {n} lines; split it by concern (limit {MAX_LINES})"
