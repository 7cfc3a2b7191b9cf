"""The house rules: wings import only wings below them, no import cycle, a light command line.

The import graph is read from the AST of every module under ``toolkit/`` (imports inside
functions count too: a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit"

#: Floors of the house, lowest first. A module may import its own wing or a lower floor.
FLOORS = {
    "toolkit": 0,  # the package's __init__ (its version)
    "toolkit.resources": 0,
    "toolkit.cell_safety": 0,  # cells written to CSV and workbooks never start a formula
    "toolkit.inputs": 1,
    "toolkit.present": 1,
    "toolkit.present_widgets": 1,  # sliders whose figures are precomputed (static pages)
    "toolkit.measures": 2,
    "toolkit.spend": 2,
    "toolkit.imports": 2,
    "toolkit.appraisal": 3,
    "toolkit.packs": 4,
    "toolkit.samples": 5,
    "toolkit.commands": 6,
    "toolkit.app": 6,
    "toolkit.cli": 7,
    "toolkit.__main__": 8,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def wing(name: str) -> str:
    """Return the wing a module belongs to: the longest key of FLOORS that prefixes it."""
    best = max((k for k in FLOORS if name == k or name.startswith(k + ".")), key=len,
               default=None)
    assert best is not None, f"{name} is in no wing: add it to FLOORS and the architecture page"
    return best


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Return the toolkit modules that ``name`` imports (each ``from a import b`` that names a
    module counts as importing that module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "toolkit")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "toolkit":
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in known else base)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def test_every_module_is_in_a_wing():
    for name in modules():
        wing(name)


def test_wings_import_only_wings_below():
    wrong = []
    for name, targets in graph().items():
        here = wing(name)
        for target in targets:
            there = wing(target)
            if there != here and FLOORS[there] >= FLOORS[here]:
                wrong.append(f"{name} (floor {FLOORS[here]}) imports {target} "
                             f"(floor {FLOORS[there]})")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(sorted(wrong))


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules, or None (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_direction_rule_catches_an_upward_import(tmp_path):
    path = tmp_path / "lm3.py"
    path.write_text("from toolkit.packs.plan import plan_packs\n")
    targets = imports_of("toolkit.measures.lm3", path, {"toolkit.packs.plan"})
    assert targets == {"toolkit.packs.plan"}
    assert FLOORS[wing("toolkit.packs.plan")] > FLOORS[wing("toolkit.measures.lm3")]


def test_each_wing_says_what_it_is_for():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init} needs a docstring: what the wing is for, its names"


def test_data_files_are_found_through_the_resources_helper():
    scattered = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                 if p.name != "resources.py" and "__file__" in p.read_text(encoding="utf-8")]
    assert not scattered, f"use toolkit.resources, not __file__: {scattered}"


#: Modules a parser may load: the standard library, PyYAML and the toolkit's own.
ALLOWED_ROOTS = {"toolkit", "yaml", "_yaml", "__editable___keepitlocal_toolkit_0_1_0_finder"}
PROBE = """
import json, sys
before = set(sys.modules)
from toolkit import cli
parser = cli.build_parser()
for action in parser._subparsers._group_actions:
    for name, sub in action.choices.items():
        sub.format_help()
parser.format_help()
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_building_the_parser_imports_nothing_heavy():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    loaded = json.loads(out)
    stdlib = set(sys.stdlib_module_names)
    heavy = sorted({m.split(".")[0] for m in loaded} - stdlib - ALLOWED_ROOTS
                   - {m for m in loaded if m.startswith("__editable__")})
    assert not heavy, f"building the parser imported {heavy}: import them when a command runs"
    assert "toolkit.cli" in loaded and any(m.startswith("toolkit.commands.") for m in loaded)


@pytest.mark.parametrize("argv", [["--help"], ["spend", "--help"], ["packs", "--help"]])
def test_help_runs_and_exits_cleanly(argv):
    done = subprocess.run([sys.executable, "-m", "toolkit", *argv], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0 and "usage: keepitlocal" in done.stdout
