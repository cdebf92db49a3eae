"""Where the active graph lives, and building the bundled plans on first use.

The active graph is a JSON snapshot under ``$RESPGRAPH_HOME`` (default: the user's cache dir).
When it is missing, or was built from the bundled plans by another version of the parser or
curated tables, the bundled plans are built again; nothing needs a separate build step.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import networkx as nx

import graph_build
from graph_build import snapshot
from graph_build.curated import data_dir

SNAPSHOT_NAME = "graph.json"


def home() -> Path:
    """The folder holding respgraph's snapshot and caches."""
    configured = os.environ.get("RESPGRAPH_HOME")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("respgraph"))


def active_snapshot() -> Path:
    return home() / SNAPSHOT_NAME


def builder_fingerprint() -> str:
    """Hash of the parser code and curated data: a change to either makes cached graphs stale."""
    digest = hashlib.sha256()
    package = Path(graph_build.__file__).parent
    for path in sorted(package.glob("*.py")) + sorted(p for p in data_dir().rglob("*")
                                                       if p.is_file() and p.suffix in {".csv", ".yaml", ".txt"}):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_and_save(paths: list, target: Path, bundled: bool) -> graph_build.BuildReport:
    """Build from ``paths`` and, when anything was built, replace ``target`` atomically."""
    report = graph_build.build_report(paths)
    if report.inputs:
        report.graph.graph["bundled"] = bundled
        report.graph.graph["builder"] = builder_fingerprint()
        snapshot.save(report.graph, target)
    return report


def load_active(path: str | os.PathLike | None = None) -> nx.MultiDiGraph:
    """The graph to answer from: ``path`` if given, else the active snapshot (built if needed)."""
    if path:
        return snapshot.load(path)
    target = active_snapshot()
    if target.exists():
        try:
            graph = snapshot.load(target)
        except snapshot.SnapshotError:
            graph = None
        if graph is not None and not (graph.graph.get("bundled") and graph.graph.get("builder") != builder_fingerprint()):
            return graph
        if graph is not None and not graph.graph.get("bundled"):
            return graph
    report = build_and_save(graph_build.bundled_plans(), target, bundled=True)
    return report.graph
