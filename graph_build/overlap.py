"""Corpus-level overlap: SIMILAR_TO pairs, task families and provincial uptake, added to the graph.

This is the one step that looks across documents (everything before it is per document). It is
split in two so that it can run beside the rest of the build: ``compute`` needs only each
task's id, text, document, city, title and plan level (``TaskRecord``, read from the parsed
documents or from a graph) and returns plain lists; ``apply`` adds them to the graph.
``start`` runs ``compute`` in a child process for large corpora, so that on every city's plans
the ~20 s it takes overlap the assembly of the documents, the query index and most of the
snapshot encoding instead of following them. The method and its threshold are in
graph_build/similarity.py.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx

from .graph import doc_key, link
from .model import ParsedDocument
from .schema import EDGES, check_node, node_id
from .similarity import THRESHOLD, family_label, similar_pairs, task_families, uptake

EDGE_TYPES = ("SIMILAR_TO", "IN_FAMILY", "TAKES_UP")
# The labels of the nodes whose outgoing edges ``apply`` changes (Task): every other node's
# edges, and every node's data, are final before the overlap is added.
SOURCE_LABELS = frozenset(EDGES[edge_type].source for edge_type in EDGE_TYPES)

BACKGROUND_MIN_TASKS = 10_000  # below this, starting a child (~1 s) costs more than the overlap it would hide


class TaskRecord(NamedTuple):
    """What the overlap step reads of one task."""

    id: str
    text: str  # title and text, as compared
    doc: str
    city: str
    title: str
    level: str  # the plan's level (province, city, ...)


@dataclass
class Overlap:
    """The overlap step's result, as edges and nodes ready to add (ids, no graph objects)."""

    similar: list[tuple[str, str, float]] = field(default_factory=list)
    families: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)  # id, name, members, cities
    takes_up: list[tuple[str, str, float]] = field(default_factory=list)  # taker, provincial, score


def records_from_documents(docs: Iterable[ParsedDocument]) -> list[TaskRecord]:
    """The task records ``graph.add_document`` would put in the graph, in task id order."""
    records = {}
    for doc in docs:
        key, meta = doc_key(doc), doc.meta
        doc_id = node_id("Document", key)
        for task in doc.tasks:
            task_id = node_id("Task", key, f"{task.ordinal:04d}")
            records[task_id] = TaskRecord(task_id, f"{task.title} {task.text}", doc_id, meta.region,
                                          task.title, meta.level)
    return [records[task_id] for task_id in sorted(records)]


def records_from_graph(graph: nx.MultiDiGraph) -> list[TaskRecord]:
    """The task records of an assembled graph, in task id order."""
    nodes = graph._node
    return [TaskRecord(task_id, f"{d['title']} {d['text']}", d["doc"], d["city"], d["title"],
                       nodes[d["doc"]].get("level", ""))
            for task_id, d in sorted((n, d) for n, d in nodes.items() if d.get("label") == "Task")]


def compute(records: list[TaskRecord]) -> Overlap:
    """Similar pairs across documents, families spanning cities, and provincial uptake."""
    result = Overlap()
    if len(records) < 2:
        return result
    groups = [r.doc for r in records]
    pairs = similar_pairs([r.text for r in records], groups)
    result.similar = [(records[i].id, records[j].id, score) for i, j, score in pairs]
    for members in task_families(len(records), pairs, groups):
        cities = sorted({records[m].city for m in members})
        if len(cities) < 2:
            continue  # a family of one city's two documents is not overlap between cities
        family_id = node_id("TaskFamily", records[members[0]].id.split(":", 1)[1])
        result.families.append((family_id, family_label([records[m].title for m in members]),
                                [records[m].id for m in members], cities))
    province = [i for i, r in enumerate(records) if r.level == "province"]
    city = [i for i, r in enumerate(records) if r.level != "province"]
    scores = {(i, j): s for i, j, s in pairs}
    result.takes_up = [(records[taker].id, records[provincial].id,
                        scores.get((min(provincial, taker), max(provincial, taker)), 0.0))
                       for provincial, takers in uptake(province, city, pairs).items() for taker in takers]
    return result


def apply(graph: nx.MultiDiGraph, overlap: Overlap) -> set[str]:
    """Add an ``Overlap`` to the graph holding its tasks (in place); return the nodes whose edges changed."""
    touched: set[str] = set()
    _add_edges(graph, ((a, b, "SIMILAR_TO", {"type": "SIMILAR_TO", "score": score})
                       for a, b, score in overlap.similar), touched)
    for family_id, name, members, cities in overlap.families:
        graph.add_node(family_id, label="TaskFamily", **check_node("TaskFamily", {
            "id": family_id, "name": name, "size": len(members), "cities": cities}))
        _add_edges(graph, ((member, family_id, "IN_FAMILY", {"type": "IN_FAMILY"}) for member in members), touched)
    _add_edges(graph, ((taker, provincial, "TAKES_UP", {"type": "TAKES_UP", "score": score})
                       for taker, provincial, score in overlap.takes_up), touched)
    graph.graph["similarity_threshold"] = THRESHOLD
    nx._clear_cache(graph)
    return touched


def add_overlap(graph: nx.MultiDiGraph) -> set[str]:
    """Add SIMILAR_TO, TaskFamily/IN_FAMILY and TAKES_UP to an assembled graph (in place)."""
    records = records_from_graph(graph)
    return apply(graph, compute(records)) if len(records) >= 2 else set()


def _add_edges(graph: nx.MultiDiGraph, edges: Iterable[tuple[str, str, str, dict]], touched: set[str]) -> None:
    """``graph.add_edge(source, target, key, **data)`` for each edge, between existing nodes, by
    ``graph.link`` (half a million ``add_edge`` calls took over a second of the 3,000-plan build)."""
    for source, target, key, data in edges:
        link(graph, source, target, key, data)
        touched.add(source)
        touched.add(target)


class Pending:
    """An overlap being computed: ``result()`` waits for it."""

    def __init__(self, records: list[TaskRecord], background: bool):
        self._records, self._result, self._child, self._input = records, None, None, None
        if background:
            self._start_child()

    def _start_child(self) -> None:
        """Write the records to an unnamed temporary file and start ``python -c`` reading it from
        an inherited descriptor (see ``start``): no name on disk that another process could
        swap, and nothing left behind when the build is killed."""
        try:
            self._input = tempfile.TemporaryFile(prefix="respgraph-overlap-", suffix=".pickle")
            pickle.dump(self._records, self._input, protocol=pickle.HIGHEST_PROTOCOL)
            self._input.flush()
            self._input.seek(0)
            descriptor = self._input.fileno()
            environment = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), **CHILD_MALLOC)
            self._child = subprocess.Popen([sys.executable, "-c", CHILD, str(descriptor)], stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL, env=environment, pass_fds=(descriptor,))
        except OSError:
            self._child = None  # no child: result() computes it here
            self._remove_input()

    def result(self) -> Overlap:
        """The overlap; computed here if the child failed (same inputs, same result)."""
        if self._result is None and self._child is not None:
            try:
                output, _ = self._child.communicate()
                if self._child.returncode == 0:
                    self._result = pickle.loads(output)
            except (OSError, pickle.UnpicklingError, EOFError):
                self._result = None  # killed for memory, say: do it here
            finally:
                self._child = None
                self._remove_input()
        if self._result is None:
            self._result = compute(self._records)
        self._records = []
        return self._result

    def cancel(self) -> None:
        """Stop the child (the build failed before it needed the overlap)."""
        if self._child is not None:
            self._child.kill()
            self._child.communicate()
            self._child = None
        self._remove_input()

    def _remove_input(self) -> None:
        if self._input is not None:
            self._input.close()  # unnamed: closing it frees it
            self._input = None


# glibc malloc settings for the child: keep freed memory for reuse instead of returning every
# large numpy temporary to the system and faulting fresh zeroed pages in for the next one (the
# child's 21 s at 3,000 plans → 19 s, and fewer page faults to slow the parent beside it).
CHILD_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 32),
                "MALLOC_TOP_PAD_": str(1 << 28)}

CHILD_NICENESS = 10

# The child: a fresh interpreter, so that nothing of the parent's memory is shared (see ``start``).
CHILD = "import sys; from respgraph.graph_build.overlap import serve; serve(sys.argv[1])"


def start(records: list[TaskRecord], background: bool | None = None) -> Pending:
    """Begin computing the overlap of ``records``: in a child process for large corpora.

    ``background`` forces the choice (None: when there are ``BACKGROUND_MIN_TASKS`` tasks or
    more). The child is a fresh interpreter, not a fork: a forked child shares the parent's
    pages copy-on-write, and every page the parent then writes to is copied on a fault, which
    made assembling 3,000 plans beside it 2.3 times slower (6 s → 14 s). It is started with
    ``python -c`` rather than ``multiprocessing``'s spawn, which would import the caller's main
    script again. The records go to it in an unnamed temporary file; only ids and scores come back.
    """
    if background is None:
        background = len(records) >= BACKGROUND_MIN_TASKS
    return Pending(records, background)


def serve(records_descriptor: str) -> None:
    """Child process: read the pickled records from the inherited descriptor ``records_descriptor``
    (a file the parent wrote a moment ago and that has no name), write the pickled overlap to stdout.

    The child yields to the build beside it (nice 10): the build's line of work until it needs
    the overlap (documents, sort, query index, snapshot lines) is as long as the child's, and
    the child's two search threads otherwise took a third of its core (assembly 6 s → 9–11 s).
    """
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)
    with os.fdopen(int(records_descriptor), "rb") as handle:
        records = pickle.load(handle)
    sys.stdout.buffer.write(pickle.dumps(compute(records), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
