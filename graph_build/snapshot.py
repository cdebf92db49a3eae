"""Save and load the graph as a JSON snapshot, atomically and byte-for-byte reproducibly."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import networkx as nx

from .schema import SCHEMA_VERSION

FORMAT = "respgraph-snapshot"


class SnapshotError(ValueError):
    """A snapshot file that is missing, corrupt or from an incompatible version."""


def to_dict(graph: nx.MultiDiGraph) -> dict:
    """Plain-data form of the graph: sorted nodes and edges, graph attributes kept."""
    nodes = [dict(graph.nodes[n]) for n in sorted(graph.nodes)]
    edges = [
        {"source": s, "target": t, "key": k, **d}
        for s, t, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    return {"format": FORMAT, "schema_version": SCHEMA_VERSION, "graph": dict(sorted(graph.graph.items())),
            "nodes": nodes, "edges": edges}


def from_dict(data: dict) -> nx.MultiDiGraph:
    """Rebuild the graph from ``to_dict`` output."""
    if data.get("format") != FORMAT or data.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotError("not a respgraph snapshot of this version")
    graph = nx.MultiDiGraph()
    graph.graph.update(data.get("graph", {}))
    for node in data["nodes"]:
        graph.add_node(node["id"], **node)
    for edge in data["edges"]:
        edge = dict(edge)
        source, target, key = edge.pop("source"), edge.pop("target"), edge.pop("key")
        graph.add_edge(source, target, key=key, **edge)
    return graph


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A crash or a failed build never leaves a half-written file where a good one stood.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def dumps(graph: nx.MultiDiGraph) -> bytes:
    """The snapshot's bytes: sorted keys, UTF-8, no ASCII escaping."""
    return json.dumps(to_dict(graph), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def save(graph: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    write_atomic(path, dumps(graph))


def load(path: str | os.PathLike) -> nx.MultiDiGraph:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as error:
        raise SnapshotError(f"{path}: no such snapshot") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SnapshotError(f"{path}: corrupt snapshot ({error.__class__.__name__})") from error
    return from_dict(data)
