"""The installed package is the only import name: no bare graph_build/queries/exports imports."""
import re
from pathlib import Path

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
