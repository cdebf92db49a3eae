"""Save and load the graph as a JSON snapshot, atomically and byte-for-byte reproducibly.

The snapshot is one JSON object whose top-level keys are sorted; each node and each edge sits
on a line of its own (keys sorted, no spaces), so two snapshots diff line by line and the
100k-task graph of every city's plans is written in a stream with the C JSON encoder instead
of being built as one indented string (18 s and 350 MB before, see BENCHMARKS.md).
"""
from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx

from respgraph.errors import WorkFailed
from .files import write_atomic
from .schema import SCHEMA_VERSION

FORMAT = "respgraph-snapshot"


@contextlib.contextmanager
def paused_gc(freeze: bool = False):
    """No cyclic garbage collection inside the block.

    Building or loading the graph allocates millions of dicts and frees none of them in
    cycles; each collection pass walks them all (3,000 plans: 5 s of collections in canonical
    ordering alone, 12 s → 7 s to load the snapshot). Collection resumes, if it was on, when
    the block ends. With ``freeze`` what the block made is moved out of the collector's sight
    first (``gc.freeze``): for a graph kept until the process ends, as the CLI's build is, since
    the first collection after the block would walk every object made in it (2.4 s at 3,000
    plans) to free nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


class SnapshotError(ValueError, WorkFailed):
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
    """Rebuild the graph from ``to_dict`` output (``data`` is left as it was)."""
    return _from_dict(data, consume=False)


def _from_dict(data: dict, consume: bool) -> nx.MultiDiGraph:
    """``from_dict``; with ``consume`` the node and edge dicts of ``data`` become the graph's own.

    What add_node and add_edge do, without their per-call overhead and copies (1.75 million
    edges for every city's plans): a node's attributes are one dict, the successor and
    predecessor entries of an edge share one key dict, and everything keeps file order.
    """
    if data.get("format") != FORMAT or data.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotError("not a respgraph snapshot of this version")
    graph = nx.MultiDiGraph()
    graph.graph.update(data.get("graph", {}))
    attributes, succ, pred = graph._node, graph._succ, graph._pred
    for node in data["nodes"]:
        node_id = node["id"]
        if node_id in attributes:
            attributes[node_id].update(node)
        else:
            attributes[node_id] = node if consume else dict(node)
            succ[node_id], pred[node_id] = {}, {}
    for edge in data["edges"]:
        if not consume:
            edge = dict(edge)
        source, target, key = edge.pop("source"), edge.pop("target"), edge.pop("key")
        if source not in succ or target not in succ:
            graph.add_nodes_from(n for n in (source, target) if n not in succ)
        keyed = succ[source].get(target)
        if keyed is None:
            keyed = succ[source][target] = {}
            pred[target][source] = keyed
        if key in keyed:
            keyed[key].update(edge)
        else:
            keyed[key] = edge
    return graph


def line_encoder(sort_keys: bool = True) -> Callable[[object], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))``, faster.

    ``JSONEncoder.encode`` makes a new C encoder for every call; the snapshot of every city's
    plans encodes two million small dicts (and its query index 130,000 rows), and one C encoder
    reused (without the circular reference check, which plain data does not need) encodes them
    a third faster.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":")).encode
    chunks = make(None, _unencodable, json.encoder.encode_basestring, None, ":", ",", sort_keys, False, True)
    return lambda value: "".join(chunks(value, 0))


def _unencodable(value):
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


@dataclass
class EncodedAhead:
    """Snapshot lines encoded before the graph is finished (``encode_ahead``)."""

    rows: dict[str, str] = field(default_factory=dict)  # node → its edge lines, joined ("" if none)
    nodes: dict[str, str] = field(default_factory=dict)  # node → its line


def encode_ahead(graph: nx.MultiDiGraph, rows_of: Callable[[str, dict], bool]) -> EncodedAhead:
    """Every node's line, and the edge lines of the nodes ``rows_of(node, data)`` picks, encoded now.

    For a build that has time to spare before the graph is complete (waiting for the overlap
    step, whose edges all start at tasks): the snapshot then encodes only what came after. The
    caller vouches that until ``iter_dumps(graph, ahead=...)`` no node's data changes and no
    picked node gains or loses an outgoing edge; new nodes, and edges from other nodes, are fine.
    """
    encode = line_encoder()
    successors = graph._succ
    return EncodedAhead(
        rows={n: ",\n".join(map(encode, _row_edges(n, successors[n])))
              for n, data in graph._node.items() if rows_of(n, data)},
        nodes={n: encode(data) for n, data in graph._node.items()})


def iter_dumps(graph: nx.MultiDiGraph, batch: int = 2000, ahead: EncodedAhead | None = None) -> Iterator[bytes]:
    """The snapshot's bytes in chunks: sorted keys, UTF-8, no ASCII escaping, one node or edge a line.

    ``ahead``: lines already encoded (see ``encode_ahead``), used as they are.
    """
    encode = line_encoder()
    ahead = ahead or EncodedAhead()

    def listing(lines: Iterable[str]) -> Iterator[bytes]:
        batched: list[str] = []
        first = True
        for line in lines:
            batched.append(line)
            if len(batched) >= batch:
                yield (("\n" if first else ",\n") + ",\n".join(batched)).encode("utf-8")
                batched, first = [], False
        if batched:
            yield (("\n" if first else ",\n") + ",\n".join(batched)).encode("utf-8")
        yield b"\n]"

    def edge_lines() -> Iterator[str]:
        successors = graph._succ
        for source in sorted(successors):
            done = ahead.rows.get(source)
            if done is None:
                yield from map(encode, _row_edges(source, successors[source]))
            elif done:
                yield done  # several lines, already joined as listing joins them

    node_data = graph._node
    yield b'{"edges":['
    yield from listing(edge_lines())
    yield (',"format":' + encode(FORMAT) + ',"graph":' + encode(dict(sorted(graph.graph.items())))
           + ',"nodes":[').encode("utf-8")
    yield from listing(ahead.nodes.get(n) or encode(node_data[n]) for n in sorted(node_data))
    yield (',"schema_version":' + encode(SCHEMA_VERSION) + "}\n").encode("utf-8")


def _row_edges(source: str, row: dict) -> Iterator[dict]:
    """A node's outgoing edges as {source, target, key, **data}, in (target, key) order.

    Sorted row by row rather than as one list of 1.75 million tuples: a graph that
    ``graph_build.assemble`` or ``load`` made is already in this order, and sorting a sorted
    adjacency row costs next to nothing.
    """
    for target in sorted(row):
        keyed = row[target]
        for key in sorted(keyed):
            yield {"source": source, "target": target, "key": key, **keyed[key]}


def dumps(graph: nx.MultiDiGraph) -> bytes:
    """The snapshot's bytes (``iter_dumps`` joined)."""
    return b"".join(iter_dumps(graph))


def save(graph: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    write_atomic(path, iter_dumps(graph))


def load(path: str | os.PathLike) -> nx.MultiDiGraph:
    import stat

    with contextlib.suppress(OSError):  # a FIFO or device would block or never end: refused unread
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            from .files import kind_of

            raise SnapshotError(f"{path}: {kind_of(mode)}, not a snapshot file")
    try:
        with open(path, encoding="utf-8") as handle, paused_gc():
            data = json.load(handle)
    except FileNotFoundError as error:
        raise SnapshotError(f"{path}: no such snapshot") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SnapshotError(f"{path}: corrupt snapshot ({error.__class__.__name__})") from error
    with paused_gc():
        return _from_dict(data, consume=True)
