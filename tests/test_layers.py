"""The folders are the data flow, and each stage imports only the stages below it:

    app/views  ->  app/ui  ->  app/serve  ->  topologies (engine, own, catalogue)
        |            |                             |
        +------------+--->  app/draw  ->  topologies' plain records (no Keras)

Read from the source with `ast`, so a test fails the moment a module reaches past its stage,
before anything is run. The rule is written here as a table, not read from the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAIN = (
    "topologies.records",
    "topologies.config",
    "topologies.refusal",
    "topologies.report",
    "topologies.contract",
    "topologies.cost",
    "topologies.layer_kinds",
    "topologies.cell_records",
    "topologies.series",
    "topologies.forecasting",
    "topologies.catalogue",
)  # the plain-data modules: no Keras when imported
KERAS = ("keras", "tensorflow", "topologies.engine", "topologies.own.model", "topologies.own.keras_file")
# What each stage may not import, anywhere in a module (a lazy import inside a function included).
FORBIDDEN = {
    "app.draw": ("streamlit", "app.ui", "app.serve", "app.views", *KERAS),
    "app.serve": ("app.ui", "app.views"),
    "app.ui": ("app.views", *KERAS),
    "app.views": KERAS,
    "topologies": ("app", "streamlit", "plotly"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    return {module_name(path): path for folder in ("app", "topologies") for path in (ROOT / folder).rglob("*.py")}


def imports(path: Path, top_level_only: bool) -> set[str]:
    """The modules a file imports: every `import x` and `from x import y` (y too, where it is a module)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # a TYPE_CHECKING block is still an import the reader has to follow
        nodes = nodes + [child for node in tree.body if isinstance(node, ast.If) for child in node.body]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_every_module_is_found():
    names = set(sources())
    assert {"app.draw.layout", "app.ui.controls", "app.serve.workers", "app.views.shapes"} <= names
    assert {"topologies.engine.run", "topologies.own.stack", "topologies.catalogue.many_to_one"} <= names


@pytest.mark.parametrize("stage", list(FORBIDDEN))
def test_each_stage_imports_only_the_stages_below_it(stage):
    reaching = {
        name: sorted(
            found
            for found in imports(path, top_level_only=False)
            if any(within(found, bad) for bad in FORBIDDEN[stage])
        )
        for name, path in sources().items()
        if within(name, stage)
    }
    assert reaching, f"no module of {stage}"
    assert {name: found for name, found in reaching.items() if found} == {}


def test_the_plain_records_import_nothing_that_loads_keras_when_imported():
    reaching = {
        name: sorted(found for found in imports(path, top_level_only=True) if any(within(found, bad) for bad in KERAS))
        for name, path in sources().items()
        if name in PLAIN
    }
    assert len(reaching) == len(PLAIN)
    assert {name: found for name, found in reaching.items() if found} == {}


def test_no_two_modules_import_each_other_in_any_cycle():
    """Module-level imports only (a TYPE_CHECKING block counts): an import inside a function is
    how a plain module reaches the engine lazily, and runs after both modules are loaded. A
    module's own packages are left out: Python loads them first, whoever imports what."""
    modules = sources()
    graph = {
        name: {found for found in imports(path, top_level_only=True) if found in modules and not within(name, found)}
        for name, path in modules.items()
    }
    cycles, state = [], {}

    def visit(name: str, stack: list[str]) -> None:
        state[name] = "open"
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                cycles.append(stack[stack.index(other) :] + [other])
            elif other not in state:
                visit(other, stack + [other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_a_cycle_is_seen_where_there_is_one(tmp_path):
    """The control for the test above: the same reading finds an import written in a file."""
    path = tmp_path / "example.py"
    path.write_text("from app.draw.grid import Grid\nif True:\n    import app.draw.plan\n")
    assert {"app.draw.grid", "app.draw.grid.Grid", "app.draw.plan"} <= imports(path, top_level_only=True)
