"""The embedded Cypher engine: the graph snapshot bulk-loaded into LadybugDB, cached beside it.

The database is derived data. Its tables are generated from ``graph_build.schema`` (one node
table per label, one rel table per relationship type with every FROM/TO pair the schema
allows), filled with ``COPY`` from CSV files, and kept next to the snapshot it came from
(``graph.json`` → ``graph.lbdb`` plus ``graph.lbdb.stamp``). The stamp records the snapshot's
sha256, the schema version, this loader's version and the ladybug version; a cached database
whose stamp differs is rebuilt into a temporary folder and renamed into place.

Besides the schema's tables the database holds a few derived facts (names starting with "_":
counts per unit and document, co-responsible pairs, topics per city, sort ranks; see
DERIVED_*) that let the canned queries of queries/cypher answer the 100,000-task graph in
milliseconds instead of seconds; the queries' embedded forms read them.

Queries pass the read-only gate (``cypher_gate.check``: reading clauses only, size caps) and
then run on a read-only connection. ``respgraph cypher``/``query`` run each one in a forked
child with a time limit (``cypher_sandbox``); a database found broken (leftover write-ahead log,
a file of the wrong size, one that does not open) is rebuilt from its snapshot.

This module also turns the networkx graph into per-label node rows and per-(type, source
label, target label) edge rows; the Neo4j pusher and the file exporters share those tables.

>>> from respgraph.queries import cypher_engine
>>> db = cypher_engine.ensure_database(store.active_snapshot())            # doctest: +SKIP
>>> cypher_engine.run(db, "MATCH (a:Agency) RETURN count(*) AS n").rows   # doctest: +SKIP
[{'n': 135}]
"""
from __future__ import annotations

import csv
import decimal
import hashlib
import io
import json
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice, product
from operator import itemgetter
from pathlib import Path
from typing import Callable

import networkx as nx

from respgraph.graph_build import files, schema, snapshot
from respgraph.errors import WorkFailed

LOADER_VERSION = 3  # bump when the tables or the loading change, so cached databases rebuild
DB_SUFFIX = ".lbdb"

# STRING[] columns travel through CSV as one string: every element prefixed with a separator
# (a character no element contains) and an element marker, and regexp_extract_all takes them
# apart again. ladybug's CSV list syntax "[a,b]" cannot quote elements, string_split drops
# empty pieces, and list_transform(..., x -> ...) in ladybug 0.22 garbles rows past the first
# 1,024 (see test_lists_load_exactly_past_a_vector_of_rows).
LIST_SEPARATORS = ["\x1f", "\x1d", "\ue000", "\ue001", "\ue002", "\ufdd0"]
LIST_MARKER = "\x1e"


class CypherError(ValueError, WorkFailed):
    """A query the engine rejected (syntax, unknown label, write on a read-only database)."""


class DatabaseUnreadable(CypherError):
    """The database files do not open or cannot be read (pending checkpoint recovery, corruption): rebuild them."""


class QueryInterrupted(CypherError):
    """The engine stopped the query at the connection's time limit."""


class DatabaseBuildError(OSError, WorkFailed):
    """The database could not be written (no space left, no permission): one human line."""


# ---------------------------------------------------------------------------------------
# The graph as tables (shared with the Neo4j pusher and the exporters)
# ---------------------------------------------------------------------------------------

def edge_pairs(edge: schema.EdgeType) -> list[tuple[str, str]]:
    """The (source label, target label) pairs an edge type connects.

    Accepts the schema's single ``source``/``target`` labels, lists of labels for either end
    (every combination), or an explicit ``pairs`` attribute of (source, target) tuples.
    """
    pairs = getattr(edge, "pairs", None)
    if pairs:
        return [(str(s), str(t)) for s, t in pairs]
    sources = [edge.source] if isinstance(edge.source, str) else list(edge.source)
    targets = [edge.target] if isinstance(edge.target, str) else list(edge.target)
    return list(product(sources, targets))


def node_tables(graph: nx.MultiDiGraph) -> dict[str, list[dict]]:
    """Rows of every schema label (empty lists included), properties in schema order, by id."""
    tables: dict[str, list[dict]] = {label: [] for label in schema.NODES}
    defaults = {label: [(n, schema.default_value(k)) for n, k in node.properties.items()]
                for label, node in schema.NODES.items()}
    for node_id, data in graph.nodes(data=True):
        label = data.get("label")
        if label not in schema.NODES:
            raise ValueError(f"node {node_id} has label {label!r}, which graph_build/schema.py does not declare")
        row = {name: data.get(name, default) for name, default in defaults[label]}
        row["id"] = node_id
        tables[label].append(row)
    for rows in tables.values():
        rows.sort(key=lambda r: r["id"])
    return tables


def edge_tables(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict]]:
    """Rows {_source, _target, **properties} per (type, source label, target label), sorted.

    Every pair the schema declares gets an entry, empty or not; an edge whose endpoints the
    schema does not allow for its type is an error, so no engine silently drops it.
    """
    tables: dict[tuple[str, str, str], list[dict]] = {}
    for type_name, edge in schema.EDGES.items():
        for source_label, target_label in edge_pairs(edge):
            tables[(type_name, source_label, target_label)] = []
    labels = dict(graph.nodes(data="label"))
    defaults = {type_name: [(n, schema.default_value(k)) for n, k in edge.properties.items()]
                for type_name, edge in schema.EDGES.items()}
    for source, target, data in graph.edges(data=True):
        type_name = data.get("type")
        if type_name not in schema.EDGES:
            raise ValueError(f"edge {source} → {target} has type {type_name!r}, which graph_build/schema.py does not declare")
        pair_key = (type_name, labels[source], labels[target])
        if pair_key not in tables:
            raise ValueError(f"edge {type_name} from {pair_key[1]} to {pair_key[2]} ({source} → {target}) "
                             "is not allowed by graph_build/schema.py")
        row = {"_source": source, "_target": target}
        row.update((name, data.get(name, default)) for name, default in defaults[type_name])
        tables[pair_key].append(row)
    for rows in tables.values():  # parallel edges of one type differ in some property: order by them too
        rows.sort(key=lambda r: (r["_source"], r["_target"], repr(list(r.values()))))
    return tables


# ---------------------------------------------------------------------------------------
# Derived data: what the canned queries would otherwise aggregate on every call
# ---------------------------------------------------------------------------------------

# LadybugDB aggregates many groups slowly (about half a microsecond per row for a group-by
# with ~100k groups, several times that with DISTINCT) and sorts wide rows slowly. The few
# canned queries that group or sort the whole graph therefore read facts computed here,
# once, while the tables are written: the embedded database holds them, networkx, the
# snapshot and Neo4j do not. Names that start with "_" are derived: hidden properties of
# schema tables (``RETURN n`` leaves them out, see ``plain``) and two tables of their own.
# Each .cypher file keeps its portable form (the one Neo4j runs, and the definition of
# what the derived fact must equal); its "// @embedded" form reads the facts.
# tests/test_cypher.py checks both forms against the Python query functions.
DERIVED_NODE_COLUMNS: dict[str, dict[str, str]] = {
    # Tasks the unit is named on / leads, each counted once (a unit named twice on a task
    # counts once, under its stronger role).
    "Agency": {"_tasks": "INT64", "_leads": "INT64"},
    # Tasks of the document naming at least one unit, and the distinct units named.
    "Document": {"_annotated_tasks": "INT64", "_units": "INT64"},
    # RESPONSIBLE_FOR edges into the task, and those of them with role lead.
    "Task": {"_units": "INT64", "_leads": "INT64"},
    # The level of the document the target's doc property names ("" when there is none).
    "Target": {"_level": "STRING"},
}
DERIVED_EDGE_COLUMNS: dict[str, dict[str, str]] = {
    # Position of the pair in (score DESC, source id, target id) order, from 1.
    "SIMILAR_TO": {"_rank": "INT64"},
    # Position in (indicator name, target city, year, scope, source, target id) order, from 1;
    # 0 when the target's doc property names no document (indicator_targets leaves those out).
    "MEASURES": {"_order": "INT64"},
}
DERIVED_NODE_TABLES: dict[str, dict[str, str]] = {
    # Per topic and task city: the tasks strongly about the topic (ABOUT, strength not weak)
    # and the names of the units leading them, sorted.
    "_TopicCity": {"id": "STRING", "topic": "STRING", "city": "STRING", "tasks": "INT64", "leads": "STRING[]"},
}
DERIVED_REL_TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    # Two units named on the same tasks (source id < target id): how many tasks they share
    # and how many of those each leads; _rank orders them by (shared DESC, source region,
    # source name, target name), from 1.
    "_CO_RESPONSIBLE": ("Agency", "Agency", {"shared": "INT64", "a_leads": "INT64", "b_leads": "INT64",
                                             "_rank": "INT64"}),
}


@dataclass
class Derived:
    """Derived columns by label/type (values by node id, or by position in the edge table) and rows."""

    node_columns: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    edge_columns: dict[str, dict[str, list]] = field(default_factory=dict)
    node_rows: dict[str, list[tuple]] = field(default_factory=dict)
    rel_rows: dict[str, list[tuple]] = field(default_factory=dict)


def ranks(keys: list) -> list[int]:
    """1-based position of every key in sorted order (ties keep their input order)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    out = [0] * len(keys)
    for position, index in enumerate(order, 1):
        out[index] = position
    return out


def string_ranks(values: list[str]):
    """Each string's position among the distinct values in sorted order, as a numpy array."""
    import numpy as np

    position = {value: i for i, value in enumerate(sorted(set(values)))}
    return np.array([position[v] for v in values], dtype=np.int64)


def co_responsible_rows(named: dict[str, dict[str, bool]], nodes) -> list[tuple]:
    """_CO_RESPONSIBLE rows (a, b, shared, a_leads, b_leads, _rank) from each task's units and their leads.

    Every pair of units named on one task, a before b in id order: ~780,000 pairs for the
    3,000-plan corpus, counted with numpy (a Python loop over them takes seconds).
    """
    import numpy as np

    agency_ids = sorted({a for roles in named.values() for a in roles})
    index = {a: i for i, a in enumerate(agency_ids)}
    members, leads, sizes = [], [], []
    for roles in named.values():
        if len(roles) > 1:
            for i, lead in sorted((index[a], lead) for a, lead in roles.items()):
                members.append(i)
                leads.append(lead)
            sizes.append(len(roles))
    if not sizes:
        return []
    members = np.array(members, dtype=np.int64)
    leads = np.array(leads, dtype=np.int64)
    sizes = np.array(sizes, dtype=np.int64)
    # Member k of a task pairs with the members after it: first[j], second[j] index pair j.
    after = np.repeat(np.cumsum(sizes), sizes) - np.arange(len(members)) - 1
    first = np.repeat(np.arange(len(members)), after)
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after)
    count = len(agency_ids)
    keys, pair = np.unique(members[first] * count + members[second], return_inverse=True)
    shared = np.bincount(pair, minlength=len(keys))
    a_leads = np.bincount(pair, weights=leads[first], minlength=len(keys)).astype(np.int64)
    b_leads = np.bincount(pair, weights=leads[second], minlength=len(keys)).astype(np.int64)
    a, b = keys // count, keys % count
    region = string_ranks([nodes[x].get("region", "") for x in agency_ids])
    name = string_ranks([nodes[x].get("name", "") for x in agency_ids])
    order = np.lexsort((b, a, name[b], name[a], region[a], -shared))  # the query's ORDER BY, then ids
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return list(zip([agency_ids[i] for i in a.tolist()], [agency_ids[i] for i in b.tolist()], shared.tolist(),
                    a_leads.tolist(), b_leads.tolist(), rank.tolist()))


def similar_ranks(similar: list[tuple], task_ids: list[str] | None = None) -> list[int]:
    """SIMILAR_TO _rank: position in (score DESC, source id, target id) order, from 1."""
    import numpy as np

    if not similar:
        return []
    index = {task: i for i, task in enumerate(sorted(task_ids or {x for s, t, _ in similar for x in (s, t)}))}
    score = np.array([d.get("score", 0.0) for _, _, d in similar], dtype=np.float64)
    source = np.array([index[s] for s, _, _ in similar], dtype=np.int64)
    target = np.array([index[t] for _, t, _ in similar], dtype=np.int64)
    order = np.lexsort((target, source, -score))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return rank.tolist()


def derive(graph: nx.MultiDiGraph, edges: dict[tuple[str, str, str], list[tuple]],
           ids: dict[str, list[str]] | None = None) -> Derived:
    """The derived facts of a graph, from its edge tables (``(source, target, data)`` per edge).

    ``ids`` are the node ids per label, when the caller has them already.
    """
    nodes = graph._node if isinstance(getattr(graph, "_node", None), dict) else graph.nodes  # plain dict lookups
    if ids is None:
        ids = {}
        for node_id, label in graph.nodes(data="label"):
            ids.setdefault(label, []).append(node_id)
    derived = Derived()
    # Per task, the units named on it and whether each leads it (any of its edges says lead).
    named: dict[str, dict[str, bool]] = {}
    responsible = edges.get(("RESPONSIBLE_FOR", "Agency", "Task"), [])
    leading = [(agency, task) for agency, task, data in responsible if data.get("role") == "lead"]
    for agency, task, _ in responsible:
        named.setdefault(task, {})[agency] = False
    for agency, task in leading:
        named[task][agency] = True
    unit_edges = Counter(map(itemgetter(1), responsible))  # Counter counts an iterable in C
    lead_edges = Counter(map(itemgetter(1), leading))
    tasks = ids.get("Task", [])
    derived.node_columns["Task"] = {"_units": {t: unit_edges[t] for t in tasks},
                                    "_leads": {t: lead_edges[t] for t in tasks}}

    tasks_of = Counter(agency for roles in named.values() for agency in roles)
    leads_of = Counter(agency for roles in named.values() for agency, lead in roles.items() if lead)
    agencies = ids.get("Agency", [])
    derived.node_columns["Agency"] = {"_tasks": {a: tasks_of[a] for a in agencies},
                                      "_leads": {a: leads_of[a] for a in agencies}}

    docs_of: dict[str, set] = {}
    for task, doc, _ in edges.get(("TASK_OF", "Task", "Document"), ()):
        docs_of.setdefault(task, set()).add(doc)
    annotated, units = Counter(), {}
    for task, roles in named.items():
        for doc in docs_of.get(task, ()):
            annotated[doc] += 1
            units.setdefault(doc, set()).update(roles)
    documents = ids.get("Document", [])
    derived.node_columns["Document"] = {"_annotated_tasks": {d: annotated[d] for d in documents},
                                        "_units": {d: len(units.get(d, ())) for d in documents}}

    derived.rel_rows["_CO_RESPONSIBLE"] = co_responsible_rows(named, nodes)

    lead_names: dict[str, list[str]] = {}
    for agency, task in leading:
        lead_names.setdefault(task, []).append(nodes[agency].get("name", ""))
    topic_tasks: dict[tuple[str, str], set] = {}
    topic_leads: dict[tuple[str, str], set] = {}
    for task, topic, data in edges.get(("ABOUT", "Task", "Topic"), ()):
        if data.get("strength", "") == "weak":
            continue
        key = (nodes[topic].get("name", ""), nodes[task].get("city", ""))
        topic_tasks.setdefault(key, set()).add(task)
        topic_leads.setdefault(key, set()).update(lead_names.get(task, ()))
    derived.node_rows["_TopicCity"] = [(f"topiccity:{n}", topic, city, len(topic_tasks[(topic, city)]),
                                        sorted(topic_leads[(topic, city)]))
                                       for n, (topic, city) in enumerate(sorted(topic_tasks), 1)]

    similar = edges.get(("SIMILAR_TO", "Task", "Task"), [])
    derived.edge_columns["SIMILAR_TO"] = {"_rank": similar_ranks(similar, ids.get("Task"))}
    level = {d: nodes[d].get("level", "") for d in documents}
    targets = ids.get("Target", [])
    derived.node_columns["Target"] = {"_level": {g: level.get(nodes[g].get("doc", ""), "") for g in targets}}
    measures = [(g, i) for g, i, _ in edges.get(("MEASURES", "Target", "Indicator"), [])]
    placed = [k for k, (g, _) in enumerate(measures) if nodes[g].get("doc", "") in level]
    order = [0] * len(measures)
    for k, position in zip(placed, ranks([
            (nodes[i].get("name", ""), nodes[g].get("city", ""), nodes[g].get("year", 0), nodes[g].get("scope", ""),
             nodes[g].get("source", ""), g, i) for g, i in (measures[k] for k in placed)])):
        order[k] = position
    derived.edge_columns["MEASURES"] = {"_order": order}
    return derived


# ---------------------------------------------------------------------------------------
# Schema → LadybugDB DDL and COPY statements
# ---------------------------------------------------------------------------------------

def quote_name(name: str) -> str:
    """A label, type or property name as a backtick-quoted Cypher identifier."""
    return "`" + name.replace("`", "``") + "`"


def string_literal(text: str) -> str:
    """A single-quoted Cypher string literal (both engines accept these escapes)."""
    escaped = (text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    # Other control characters and Unicode line breaks as \uXXXX: no literal spans two lines.
    return "'" + re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + "'"


def node_columns(label: str) -> dict[str, str]:
    """The columns of a node table in the embedded database: schema properties, then derived ones."""
    if label in DERIVED_NODE_TABLES:
        return dict(DERIVED_NODE_TABLES[label])
    columns = {**schema.NODES[label].properties, **DERIVED_NODE_COLUMNS.get(label, {})}
    return {"id": columns.pop("id"), **columns} if "id" in columns else columns  # rows start with the id


def rel_columns(type_name: str) -> dict[str, str]:
    """The property columns of a rel table in the embedded database: schema properties, then derived ones."""
    if type_name in DERIVED_REL_TABLES:
        return dict(DERIVED_REL_TABLES[type_name][2])
    return {**schema.EDGES[type_name].properties, **DERIVED_EDGE_COLUMNS.get(type_name, {})}


def ddl_statements(derived: bool = False) -> list[str]:
    """CREATE NODE TABLE / CREATE REL TABLE statements for every schema label and type.

    ``derived`` adds the embedded database's derived columns and tables (see DERIVED_*).
    """
    statements = []
    labels = list(schema.NODES) + (list(DERIVED_NODE_TABLES) if derived else [])
    for label in labels:
        properties = node_columns(label) if derived else schema.NODES[label].properties
        if "id" not in properties:
            raise ValueError(f"label {label} in graph_build/schema.py has no id property")
        columns = ", ".join(f"{quote_name(n)} {t}" for n, t in properties.items())
        statements.append(f"CREATE NODE TABLE {quote_name(label)}({columns}, PRIMARY KEY({quote_name('id')}))")
    for type_name, edge in schema.EDGES.items():
        parts = [f"FROM {quote_name(s)} TO {quote_name(t)}" for s, t in edge_pairs(edge)]
        properties = rel_columns(type_name) if derived else edge.properties
        parts += [f"{quote_name(n)} {t}" for n, t in properties.items()]
        statements.append(f"CREATE REL TABLE {quote_name(type_name)}({', '.join(parts)})")
    if derived:
        for type_name, (source, target, properties) in DERIVED_REL_TABLES.items():
            parts = [f"FROM {quote_name(source)} TO {quote_name(target)}"]
            parts += [f"{quote_name(n)} {t}" for n, t in properties.items()]
            statements.append(f"CREATE REL TABLE {quote_name(type_name)}({', '.join(parts)})")
    return statements


def list_separator(values, column: str) -> str:
    """A separator character that no element of the column's lists contains."""
    used = set("".join(item for items in values for item in items))
    for candidate in LIST_SEPARATORS:
        if candidate not in used:
            return candidate
    raise CypherError(f"every list separator occurs in the values of {column}; cannot load it")


def encode_list(items: list[str], separator: str) -> str:
    return "".join(separator + LIST_MARKER + str(item) for item in items)


CSV_CHUNK = 20_000  # rows per write; a chunk is checked for line breaks inside fields at C speed


def write_csv(path: Path, columns: list[str], rows) -> bool:
    """Every field quoted, so empty strings stay empty strings (an unquoted empty field is NULL).

    ``rows`` are sequences in column order (str, int, float, bool; booleans as True/False,
    which ladybug reads). Returns whether some field holds a line break (ladybug's parallel
    CSV reader refuses those): the writer ends every row with one "\\n", so a chunk with more
    "\\n" than rows, or any "\\r", has one.
    """
    multiline = False
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer.writerow(columns)
        handle.write(buffer.getvalue())
        rows = iter(rows)
        while True:
            buffer.seek(0)
            buffer.truncate()
            chunk = list(islice(rows, CSV_CHUNK))
            if not chunk:
                break
            writer.writerows(chunk)
            text = buffer.getvalue()
            if not multiline:
                multiline = text.count("\n") != len(chunk) or "\r" in text
            handle.write(text)
    return multiline


def copy_statement(table: str, path: Path, columns: list[tuple[str, str]], separators: dict[str, str],
                   options: str = "", parallel: bool = False) -> str:
    """COPY straight from the file, or from a LOAD subquery that decodes the list columns."""
    csv_options = (f"header=true, delim=',', quote='\"', escape='\"', parallel={str(parallel).lower()}, "
                   "auto_detect=false")
    if not separators:
        extra = f", {options}" if options else ""
        return f"COPY {quote_name(table)} FROM {string_literal(str(path))} ({csv_options}{extra})"
    load_columns = ", ".join(f"{quote_name(n)} {'STRING' if t == 'STRING[]' else t}" for n, t in columns)
    returned = []
    for name, type_name in columns:
        if type_name == "STRING[]":
            separator = separators[name]
            pattern = string_literal(f"{separator}{LIST_MARKER}([^{separator}]*)")
            returned.append(f"regexp_extract_all({quote_name(name)}, {pattern}, 1)")
        else:
            returned.append(quote_name(name))
    extra = f" ({options})" if options else ""
    return (f"COPY {quote_name(table)} FROM (LOAD WITH HEADERS ({load_columns}) FROM {string_literal(str(path))} "
            f"({csv_options}) RETURN {', '.join(returned)}){extra}")


def copy_table(connection, table: str, columns: dict[str, str], rows, path: Path, options: str = "",
               separators: dict[str, str] | None = None, clock: "Stopwatch | None" = None) -> None:
    """Write ``rows`` (sequences in column order, list columns encoded with ``separators``) and COPY them."""
    multiline = write_csv(path, list(columns), rows)
    if clock:
        clock.lap(f"write {path.stem}")
    connection.execute(copy_statement(table, path, list(columns.items()), separators or {}, options,
                                      parallel=not multiline))
    if clock:
        clock.lap(f"copy {path.stem}")


class Stopwatch:
    """Adds the seconds since the previous lap to ``timings[name]`` (nothing without a dict)."""

    def __init__(self, timings: dict | None):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def table_rows(items: list[tuple], first: int, properties: dict[str, str], extras: list[list],
               separators: dict[str, str]):
    """Rows of a schema table: the item's ``first`` keys, its properties (defaults where missing), extras.

    ``items`` are ``(id, data)`` or ``(source, target, data)``; ``extras`` hold one value per
    item for each derived column; list properties are encoded with their separator. Built
    column by column with ``map`` (C loops), zipped into row tuples as the CSV writer takes them.
    """
    columns = [list(map(itemgetter(i), items)) for i in range(first)]
    datas = list(map(itemgetter(first), items))
    for name, type_name in properties.items():
        try:
            column = list(map(itemgetter(name), datas))
        except KeyError:
            default = schema.default_value(type_name)
            column = [data.get(name, default) for data in datas]
        if name in separators:
            separator = separators[name]
            column = [encode_list(value, separator) for value in column]
        columns.append(column)
    return zip(*columns, *extras)


def list_separators(properties: dict[str, str], values_of) -> dict[str, str]:
    """A separator for every STRING[] property; ``values_of(name)`` iterates the column's lists."""
    return {n: list_separator(values_of(n), n) for n, t in properties.items() if t == "STRING[]"}


def load_graph(connection, graph: nx.MultiDiGraph, workdir: Path, timings: dict | None = None) -> dict[str, int]:
    """Create the tables (schema and derived) and COPY the graph into them; return row counts per table.

    The rows are written straight from the graph's own property dicts, one table at a time,
    so the loader holds the graph, references to its nodes and edges and one CSV chunk.
    Node rows go in id order, edge rows in the graph's order. ``timings`` (a dict) receives
    the seconds spent per stage: group, derive, then write (CSV) and copy (COPY) per table.
    """
    clock = Stopwatch(timings)
    for statement in ddl_statements(derived=True):
        connection.execute(statement)
    labels = dict(graph.nodes(data="label"))
    nodes: dict[str, list[tuple]] = {label: [] for label in schema.NODES}
    for node_id, data in graph.nodes(data=True):
        label = data.get("label")
        if label not in nodes:
            raise ValueError(f"node {node_id} has label {label!r}, which graph_build/schema.py does not declare")
        nodes[label].append((node_id, data))
    for items in nodes.values():
        items.sort(key=itemgetter(0))
    edges: dict[tuple[str, str, str], list[tuple]] = {
        (type_name, source, target): [] for type_name, edge in schema.EDGES.items()
        for source, target in edge_pairs(edge)}
    # Buckets by source label, target label, type; the adjacency dicts themselves are walked
    # (graph.edges(data=True) costs a generator step per edge, 1.75 million of them).
    buckets: dict[str, dict[str, dict[str, list]]] = {}
    for (type_name, source_label, target_label), bucket in edges.items():
        buckets.setdefault(source_label, {}).setdefault(target_label, {})[type_name] = bucket
    adjacency = graph._adj if isinstance(getattr(graph, "_adj", None), dict) else graph.adj
    multigraph = graph.is_multigraph()
    for source, neighbours in adjacency.items():
        by_target = buckets.get(labels[source], {})
        for target, keyed in neighbours.items():
            by_type = by_target.get(labels[target], {})
            for data in (keyed.values() if multigraph else (keyed,)):
                bucket = by_type.get(data.get("type"))
                if bucket is None:
                    type_name = data.get("type")
                    if type_name not in schema.EDGES:
                        raise ValueError(f"edge {source} → {target} has type {type_name!r}, "
                                         "which graph_build/schema.py does not declare")
                    raise ValueError(f"edge {type_name} from {labels[source]} to {labels[target]} "
                                     f"({source} → {target}) is not allowed by graph_build/schema.py")
                bucket.append((source, target, data))
    clock.lap("group")
    derived = derive(graph, edges, {label: [node_id for node_id, _ in items] for label, items in nodes.items()})
    clock.lap("derive")

    counts: dict[str, int] = {}
    for label, items in nodes.items():
        counts[label] = len(items)
        if not items:
            continue
        properties = {n: t for n, t in schema.NODES[label].properties.items() if n != "id"}
        separators = list_separators(properties, lambda n: (d.get(n, []) for _, d in items))
        extras = [[values[node_id] for node_id, _ in items] for values in derived.node_columns.get(label, {}).values()]
        copy_table(connection, label, node_columns(label), table_rows(items, 1, properties, extras, separators),
                   workdir / f"node_{label}.csv", separators=separators, clock=clock)
        nodes[label] = []
    for (type_name, source, target), items in edges.items():
        counts[type_name] = counts.get(type_name, 0) + len(items)
        if not items:
            continue
        properties = schema.EDGES[type_name].properties
        separators = list_separators(properties, lambda n: (d.get(n, []) for _, _, d in items))
        extras = list(derived.edge_columns.get(type_name, {}).values())
        copy_table(connection, type_name, {"_source": "STRING", "_target": "STRING", **rel_columns(type_name)},
                   table_rows(items, 2, properties, extras, separators),
                   workdir / f"rel_{type_name}_{source}_{target}.csv",
                   options=f"from={string_literal(source)}, to={string_literal(target)}",
                   separators=separators, clock=clock)
        edges[(type_name, source, target)] = []
    for label, rows in derived.node_rows.items():
        counts[label] = len(rows)
        if rows:
            columns = node_columns(label)
            lists = [i for i, t in enumerate(columns.values()) if t == "STRING[]"]
            separators = {n: list_separator((row[i] for row in rows), n)
                          for i, n in zip(lists, [list(columns)[i] for i in lists])}
            encoded = ([encode_list(v, separators[n]) if t == "STRING[]" else v
                        for v, (n, t) in zip(row, columns.items())] for row in rows)
            copy_table(connection, label, columns, encoded, workdir / f"node_{label}.csv",
                       separators=separators, clock=clock)
    for type_name, rows in derived.rel_rows.items():
        counts[type_name] = len(rows)
        source, target, properties = DERIVED_REL_TABLES[type_name]
        if rows:
            copy_table(connection, type_name, {"_source": "STRING", "_target": "STRING", **properties}, rows,
                       workdir / f"rel_{type_name}.csv",
                       options=f"from={string_literal(source)}, to={string_literal(target)}", clock=clock)
    return counts


# ---------------------------------------------------------------------------------------
# The cached database beside a snapshot
# ---------------------------------------------------------------------------------------

def ladybug_version() -> str:
    import ladybug

    return getattr(ladybug, "__version__", "unknown")


def database_path(snapshot_path: str | os.PathLike) -> Path:
    """Where the embedded database of a snapshot lives: graph.json → graph.lbdb, beside it."""
    path = Path(snapshot_path)
    return path.with_name(path.stem + DB_SUFFIX)


def stamp_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".stamp")


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


STAMP_KEYS = ("snapshot_sha256", "schema_version", "loader", "ladybug")


def expected_stamp(snapshot_path: str | os.PathLike) -> dict:
    """What a current database's stamp holds: the snapshot's sha256 and the versions that shape the file."""
    return {"snapshot_sha256": file_sha256(snapshot_path), "schema_version": schema.SCHEMA_VERSION,
            "loader": LOADER_VERSION, "ladybug": ladybug_version()}


def read_stamp(db_path: Path) -> dict | None:
    """The stamp beside a database (it also records the graph's attributes), or None."""
    try:
        stamp = json.loads(stamp_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and db_path.is_file() else None


# Files ladybug keeps beside a database while it writes. A database opened read-only never makes
# them, so finding one means a write was interrupted or forced (a CHECKPOINT): the database is
# rebuilt, as it would otherwise refuse to open ("checkpoint recovery is pending").
SIDECARS = (".wal", ".shadow")


def sidecar_paths(db_path: Path) -> list[Path]:
    return [db_path.with_name(db_path.name + suffix) for suffix in SIDECARS]


def is_current(db_path: Path, expected: dict) -> bool:
    """The stamp matches, no write-ahead log or shadow file lies beside it, and the file has its built size."""
    stamp = read_stamp(db_path)
    if stamp is None or not all(stamp.get(key) == expected[key] for key in STAMP_KEYS):
        return False
    if any(path.exists() for path in sidecar_paths(db_path)):
        return False
    try:
        return stamp.get("db_bytes") == db_path.stat().st_size
    except OSError:
        return False


def discard_database(db_path: str | os.PathLike) -> None:
    """Delete a database, its stamp and its sidecar files (the stamp first: nobody trusts a half-deleted one)."""
    db_path = Path(db_path)
    for path in [stamp_path(db_path), db_path, *sidecar_paths(db_path)]:
        path.unlink(missing_ok=True)


def failure_reason(error: BaseException) -> str:
    """Why writing failed, in a few human words: an OS error's own text, or the end of ladybug's IO message."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    message = one_line(error)
    for known in ("No space left on device", "File too large", "Permission denied", "Read-only file system",
                  "Disk quota exceeded"):
        if known.lower() in message.lower():
            return known
    if message.startswith("IO exception") or "Cannot write" in message or "Cannot read" in message:
        return "its files could not be written or read back (is the disk full?)"
    return message.split(" exception: ", 1)[-1]


def build_database(graph: nx.MultiDiGraph, target: str | os.PathLike, timings: dict | None = None) -> dict[str, int]:
    """Bulk-load ``graph`` into a new LadybugDB file at ``target``, replacing it atomically.

    ``timings`` (a dict) receives seconds per stage (see ``load_graph``) and "checkpoint".
    A failure to write (a full disk, no permission) is a DatabaseBuildError with one human line;
    nothing is left behind.
    """
    target = Path(target)
    try:
        return _build_database(graph, target, timings)
    except (OSError, RuntimeError) as error:
        raise DatabaseBuildError(f"cannot build the embedded database {target}: {failure_reason(error)}") from None


def _build_database(graph: nx.MultiDiGraph, target: Path, timings: dict | None) -> dict[str, int]:
    import ladybug

    workdir = files.make_temp_dir(target)  # .<name>.rg<pid>.XXXXXXXX: a killed build's is swept by the next build
    try:
        built = workdir / "graph.lbdb"
        # One checkpoint at the end: checkpoints after each COPY (the default) cost a third of the load
        # in I/O. The database (180 MB for 100,000 tasks) stays in the buffer pool (most of the RAM) till then.
        database = ladybug.Database(str(built), auto_checkpoint=False)
        connection = ladybug.Connection(database)
        try:
            with snapshot.paused_gc():  # millions of row lists, no cycles: collections would walk the graph
                counts = load_graph(connection, graph, workdir, timings)
            clock = Stopwatch(timings)
            connection.execute("CHECKPOINT")  # everything into the one file we move; no write-ahead log left
            clock.lap("checkpoint")
        finally:
            connection.close()
            database.close()
        if built.with_name(built.name + ".wal").exists():
            raise OSError(f"ladybug left a write-ahead log while building {target}; not replacing it")
        for sidecar in sidecar_paths(target):  # a stale write-ahead log must not replay into the new file
            sidecar.unlink(missing_ok=True)
        os.replace(built, target)
        for sidecar in sidecar_paths(target):
            sidecar.unlink(missing_ok=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return counts


def ensure_database(snapshot_path: str | os.PathLike,
                    graph: nx.MultiDiGraph | Callable[[], nx.MultiDiGraph] | None = None) -> Path:
    """The embedded database of a snapshot, built (or rebuilt) only when the snapshot changed
    or the database was found broken (see ``is_current``).

    ``graph`` is the snapshot's graph, or a function returning it; it is only used (and a
    callable only called) when the database has to be built. Without it the snapshot is read.
    """
    db_path = database_path(snapshot_path)
    stamp = expected_stamp(snapshot_path)
    if is_current(db_path, stamp):
        return db_path
    if callable(graph):
        graph = graph()
    if graph is None:
        graph = snapshot.load(snapshot_path)
    stamp_path(db_path).unlink(missing_ok=True)
    build_database(graph, db_path)
    stamp["graph"] = {key: graph.graph.get(key) for key in ("bundled", "builder")}
    try:
        stamp["db_bytes"] = db_path.stat().st_size
        files.write_atomic(stamp_path(db_path), json.dumps(stamp, sort_keys=True).encode("utf-8"))
    except OSError as error:
        raise DatabaseBuildError(f"cannot build the embedded database {db_path}: {failure_reason(error)}") from None
    return db_path


# ---------------------------------------------------------------------------------------
# Running queries
# ---------------------------------------------------------------------------------------

@dataclass
class QueryResult:
    """Column names in query order, and one dict per row with those keys."""

    columns: list[str]
    rows: list[dict] = field(default_factory=list)


def one_line(message: str) -> str:
    """An engine message on one line (ladybug points at the error over several lines)."""
    lines = [line.strip() for line in str(message).strip().splitlines()]
    return " | ".join(line for line in lines if line and set(line) != {"^"})


def plain(value):
    """Engine values as plain data: integral decimals (ladybug's sums) as int, nodes as dicts.

    Nodes become their properties plus ``_label``, relationships plus ``_type``, paths a dict
    of ``nodes`` and ``relationships``: the same shape the Neo4j engine gives.
    """
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        if "_NODES" in value and "_RELS" in value:
            return {"nodes": plain(value["_NODES"]), "relationships": plain(value["_RELS"])}
        if "_LABEL" in value and "_ID" in value:
            key = "_type" if "_SRC" in value else "_label"
            props = {k: plain(v) for k, v in value.items() if not k.startswith("_") and v is not None}
            return {key: value["_LABEL"], **props}
        return {k: plain(v) for k, v in value.items()}
    return value


# Column types whose values ladybug already gives as plain Python values (str, int, float, bool,
# lists of those): their rows skip ``plain``. Sums are INT128 (Decimals), nodes and rels dicts.
PLAIN_TYPES = re.compile(r"(STRING|INT64|INT32|INT16|INT8|UINT64|UINT32|UINT16|UINT8|DOUBLE|FLOAT|BOOL)(\[\])*")


def result_rows(result, columns: list[str]) -> list[dict]:
    """The rows of a ladybug result as dicts, values made plain only in the columns that need it.

    A 45,000-row answer spends as long in this loop as in the query, so it avoids per-value
    calls where the column type says the value is plain already.
    """
    raw = getattr(result, "_query_result", None)
    if raw is not None and hasattr(raw, "hasNext") and hasattr(raw, "getNext"):
        has_next, get_next = raw.hasNext, raw.getNext  # the public iterator adds two checks per row
        values = []
        while has_next():
            values.append(get_next())
    else:
        values = result.get_all()
    try:
        types = list(result.get_column_data_types())
    except (AttributeError, RuntimeError):
        types = [""] * len(columns)
    convert = [i for i, type_name in enumerate(types) if not PLAIN_TYPES.fullmatch(str(type_name))]
    if not convert:
        return [dict(zip(columns, row)) for row in values]
    rows = []
    for row in values:
        row = list(row)
        for i in convert:
            row[i] = plain(row[i])
        rows.append(dict(zip(columns, row)))
    return rows


# How ladybug's messages start when the database files, not the query, are at fault. Only the
# start is read: the rest of a message can quote the query (RETURN error('Storage exception')
# says "Runtime exception: Storage exception").
STORAGE_FAILURES = ("Storage exception", "IO exception", "Runtime exception: Cannot read checkpoint",
                    "Runtime exception: Unable to open database",
                    "Runtime exception: Cannot open database in read-only mode while checkpoint recovery")


class EmbeddedEngine:
    """A read-only connection to an embedded database; ``run`` returns a QueryResult.

    Every query passes ``cypher_gate.check`` first. ``timeout`` (seconds) is the connection's
    query time limit; a query stopped by it raises QueryInterrupted. A database that does not
    open, or fails with a storage error, raises DatabaseUnreadable. This engine runs in the
    calling process: ``cypher_sandbox.SandboxedEngine`` runs each query in a child instead.
    """

    name = "embedded"

    def __init__(self, db_path: str | os.PathLike, timeout: float | None = None):
        import ladybug

        self.db_path = Path(db_path)
        try:
            self.database = ladybug.Database(str(self.db_path), read_only=True)
            self.connection = ladybug.Connection(self.database)
        except RuntimeError as error:
            raise DatabaseUnreadable(f"cannot open {self.db_path}: {one_line(error)}") from error
        if timeout:
            self.connection.set_query_timeout(max(1, int(timeout * 1000)))

    def run(self, query: str, parameters: dict | None = None) -> QueryResult:
        """Run a query as written (a library query's form is chosen by ``library.run`` or
        ``NamedQuery.text_for``, see queries/library.py), once the gate let it through."""
        from .cypher_gate import check

        check(query, self.name)
        try:
            result = self.connection.execute(query, dict(parameters or {}))
            if isinstance(result, list):  # several statements: the last one answers
                result = result[-1]
            columns = list(result.get_column_names())
            rows = result_rows(result, columns)
        except RuntimeError as error:
            message = one_line(error)
            if message == "Interrupted.":
                raise QueryInterrupted("the engine stopped the query at its time limit") from error
            if message.startswith(STORAGE_FAILURES):
                raise DatabaseUnreadable(f"cannot read {self.db_path}: {message}") from error
            if "read-only" in message:
                message += " (the embedded database only answers queries; change the graph with 'respgraph build')"
            if message.startswith("Unable to cast Python instance"):  # pybind11: a parameter value it cannot take
                kind = re.search(r"of type <class '(\w+)'>", message)
                message = (f"a parameter value ({kind[1] if kind else 'of some type'}) that the engine cannot take: "
                           "an integer beyond INT64 or text that is not UTF-8?")
            raise CypherError(message) from error
        return QueryResult(columns, rows)

    def close(self) -> None:
        self.connection.close()
        self.database.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run(db_path: str | os.PathLike, query: str, parameters: dict | None = None) -> QueryResult:
    """Run one read-only query on an embedded database."""
    with EmbeddedEngine(db_path) as engine:
        return engine.run(query, parameters)
