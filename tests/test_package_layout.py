"""The installed package is the only import name, and its layers import only earlier layers."""
import re
from pathlib import Path

import pytest

import respgraph
from respgraph import exports, graph_build, queries

ROOT = Path(__file__).resolve().parent.parent
BARE = re.compile(r"^\s*(?:from|import)\s+(graph_build|queries|exports|respgraph_data)\b", re.M)


def test_no_bare_top_level_imports_anywhere():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if any(part in {".venv", "venv", "build", "node_modules"} for part in path.relative_to(ROOT).parts):
            continue
        for match in BARE.finditer(path.read_text("utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert offenders == []


def test_subpackages_are_under_respgraph():
    for module in (graph_build, queries, exports):
        assert module.__name__.startswith("respgraph.")
    assert respgraph.__name__ == "respgraph"


LAYERS = ["graph_build", "queries", "exports"]  # read → parse → resolve → graph → store → query → render
APPLICATION = ("respgraph.cli", "respgraph.store", "respgraph.index", "respgraph.commands", "respgraph.api",
               "respgraph.output", "respgraph.progress", "respgraph.xlsx_output")


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports (relative imports stay inside its own layer)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_no_layer_imports_a_later_one_or_the_application(layer):
    later = [f"respgraph.{name}" for name in LAYERS[LAYERS.index(layer) + 1:]]
    offenders = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in imported_modules(path):
            if name.startswith(tuple(later)) or name.startswith(APPLICATION):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
