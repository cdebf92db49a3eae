"""The embedded Cypher engine: the graph snapshot bulk-loaded into LadybugDB, cached beside it.

The database is derived data. Its tables are generated from ``graph_build.schema`` (one node
table per label, one rel table per relationship type with every FROM/TO pair the schema
allows), filled with ``COPY`` from CSV files, and kept next to the snapshot it came from
(``graph.json`` → ``graph.lbdb`` plus ``graph.lbdb.stamp``). The stamp records the snapshot's
sha256, the schema version, this loader's version and the ladybug version; a cached database
whose stamp differs is rebuilt into a temporary folder and renamed into place.

Queries run on a read-only connection, so a write query fails with the engine's own message.

This module also turns the networkx graph into per-label node rows and per-(type, source
label, target label) edge rows; the Neo4j pusher and the file exporters share those tables.

>>> from queries import cypher_engine
>>> db = cypher_engine.ensure_database(store.active_snapshot())            # doctest: +SKIP
>>> cypher_engine.run(db, "MATCH (a:Agency) RETURN count(*) AS n").rows   # doctest: +SKIP
[{'n': 135}]
"""
from __future__ import annotations

import csv
import decimal
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Callable

import networkx as nx

from graph_build import schema, snapshot

LOADER_VERSION = 2  # bump when the tables or the loading change, so cached databases rebuild
DB_SUFFIX = ".lbdb"

# STRING[] columns travel through CSV as one string: every element prefixed with a separator
# (a character no element contains) and an element marker, and regexp_extract_all takes them
# apart again. ladybug's CSV list syntax "[a,b]" cannot quote elements, string_split drops
# empty pieces, and list_transform(..., x -> ...) in ladybug 0.22 garbles rows past the first
# 1,024 (see test_lists_load_exactly_past_a_vector_of_rows).
LIST_SEPARATORS = ["\x1f", "\x1d", "\ue000", "\ue001", "\ue002", "\ufdd0"]
LIST_MARKER = "\x1e"


class CypherError(ValueError):
    """A query the engine rejected (syntax, unknown label, write on a read-only database)."""


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


def ddl_statements() -> list[str]:
    """CREATE NODE TABLE / CREATE REL TABLE statements for every schema label and type."""
    statements = []
    for label, node in schema.NODES.items():
        if "id" not in node.properties:
            raise ValueError(f"label {label} in graph_build/schema.py has no id property")
        columns = ", ".join(f"{quote_name(n)} {t}" for n, t in node.properties.items())
        statements.append(f"CREATE NODE TABLE {quote_name(label)}({columns}, PRIMARY KEY({quote_name('id')}))")
    for type_name, edge in schema.EDGES.items():
        parts = [f"FROM {quote_name(s)} TO {quote_name(t)}" for s, t in edge_pairs(edge)]
        parts += [f"{quote_name(n)} {t}" for n, t in edge.properties.items()]
        statements.append(f"CREATE REL TABLE {quote_name(type_name)}({', '.join(parts)})")
    return statements


def list_separator(rows: list[dict], column: str) -> str:
    """A separator character that no element of the column contains."""
    used = {ch for row in rows for item in row[column] for ch in item}
    for candidate in LIST_SEPARATORS:
        if candidate not in used:
            return candidate
    raise ValueError(f"every list separator occurs in the values of {column}; cannot load it")


def encode_list(items: list[str], separator: str) -> str:
    return "".join(separator + LIST_MARKER + str(item) for item in items)


def write_csv(path: Path, columns: list[str], rows: list[dict], encoders: dict[str, Callable]) -> bool:
    """Every field quoted, so empty strings stay empty strings (an unquoted empty field is NULL).

    Returns whether some field holds a line break (ladybug's parallel CSV reader refuses those).
    """
    multiline = False
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            fields = [encoders.get(c, csv_value)(row[c]) for c in columns]
            if not multiline:
                multiline = any("\n" in f or "\r" in f for f in fields)
            writer.writerow(fields)
    return multiline


def csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def copy_statement(table: str, path: Path, columns: list[tuple[str, str]], separators: dict[str, str],
                   options: str = "", parallel: bool = False) -> str:
    """COPY from a LOAD subquery: lists are decoded there, everything else passes through."""
    load_columns = ", ".join(f"{quote_name(n)} {'STRING' if t == 'STRING[]' else t}" for n, t in columns)
    returned = []
    for name, type_name in columns:
        if type_name == "STRING[]":
            separator = separators[name]
            pattern = string_literal(f"{separator}{LIST_MARKER}([^{separator}]*)")
            returned.append(f"regexp_extract_all({quote_name(name)}, {pattern}, 1)")
        else:
            returned.append(quote_name(name))
    csv_options = (f"header=true, delim=',', quote='\"', escape='\"', parallel={str(parallel).lower()}, "
                   "auto_detect=false")
    extra = f" ({options})" if options else ""
    return (f"COPY {quote_name(table)} FROM (LOAD WITH HEADERS ({load_columns}) FROM {string_literal(str(path))} "
            f"({csv_options}) RETURN {', '.join(returned)}){extra}")


def load_graph(connection, graph: nx.MultiDiGraph, workdir: Path) -> dict[str, int]:
    """Create the schema's tables and COPY the graph into them; return row counts per table."""
    for statement in ddl_statements():
        connection.execute(statement)
    counts: dict[str, int] = {}
    for label, rows in node_tables(graph).items():
        counts[label] = len(rows)
        if rows:
            copy_rows(connection, label, schema.NODES[label].properties, rows, workdir / f"node_{label}.csv")
    for (type_name, source, target), rows in edge_tables(graph).items():
        counts[type_name] = counts.get(type_name, 0) + len(rows)
        if rows:
            properties = {"_source": "STRING", "_target": "STRING", **schema.EDGES[type_name].properties}
            copy_rows(connection, type_name, properties, rows, workdir / f"rel_{type_name}_{source}_{target}.csv",
                      options=f"from={string_literal(source)}, to={string_literal(target)}")
    return counts


def copy_rows(connection, table: str, properties: dict[str, str], rows: list[dict], path: Path,
              options: str = "") -> None:
    columns = list(properties.items())
    separators = {n: list_separator(rows, n) for n, t in columns if t == "STRING[]"}
    encoders = {n: (lambda items, s=s: encode_list(items, s)) for n, s in separators.items()}
    multiline = write_csv(path, [n for n, _ in columns], rows, encoders)
    connection.execute(copy_statement(table, path, columns, separators, options, parallel=not multiline))


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


def is_current(db_path: Path, expected: dict) -> bool:
    stamp = read_stamp(db_path)
    return stamp is not None and all(stamp.get(key) == expected[key] for key in STAMP_KEYS)


def build_database(graph: nx.MultiDiGraph, target: str | os.PathLike) -> dict[str, int]:
    """Bulk-load ``graph`` into a new LadybugDB file at ``target``, replacing it atomically."""
    import ladybug

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        built = workdir / "graph.lbdb"
        database = ladybug.Database(str(built))
        connection = ladybug.Connection(database)
        try:
            counts = load_graph(connection, graph, workdir)
            connection.execute("CHECKPOINT")  # everything into the one file we move; no write-ahead log left
        finally:
            connection.close()
            database.close()
        if built.with_name(built.name + ".wal").exists():
            raise OSError(f"ladybug left a write-ahead log while building {target}; not replacing it")
        os.replace(built, target)
        for leftover in (".wal", ".shadow"):  # a stale write-ahead log must not replay into the new file
            sidecar = target.with_name(target.name + leftover)
            if sidecar.exists():
                sidecar.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return counts


def ensure_database(snapshot_path: str | os.PathLike,
                    graph: nx.MultiDiGraph | Callable[[], nx.MultiDiGraph] | None = None) -> Path:
    """The embedded database of a snapshot, built (or rebuilt) only when the snapshot changed.

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
    snapshot.write_atomic(stamp_path(db_path), json.dumps(stamp, sort_keys=True).encode("utf-8"))
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


class EmbeddedEngine:
    """A read-only connection to an embedded database; ``run`` returns a QueryResult."""

    name = "embedded"

    def __init__(self, db_path: str | os.PathLike):
        import ladybug

        self.db_path = Path(db_path)
        try:
            self.database = ladybug.Database(str(self.db_path), read_only=True)
            self.connection = ladybug.Connection(self.database)
        except RuntimeError as error:
            raise CypherError(f"cannot open {self.db_path}: {one_line(error)}") from error

    def run(self, query: str, parameters: dict | None = None) -> QueryResult:
        try:
            result = self.connection.execute(query, dict(parameters or {}))
            if isinstance(result, list):  # several statements: the last one answers
                result = result[-1]
            columns = list(result.get_column_names())
            rows = [dict(zip(columns, (plain(v) for v in row))) for row in result.get_all()]
        except RuntimeError as error:
            message = one_line(error)
            if "read-only" in message:
                message += " (the embedded database only answers queries; change the graph with 'respgraph build')"
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
