"""A query index beside each snapshot: `respgraph duties/load/tasks/units` without loading the graph.

Loading the JSON snapshot of every city's plans (100k tasks, a million edges) takes seconds;
these commands read a few rows. So whenever ``respgraph.store`` writes a snapshot it also
writes ``<snapshot>.index.sqlite`` (stdlib sqlite3): each task's row, each unit's load row and
unit-list row, as ``queries`` computes them on the graph, plus the names a unit can be looked
up by and its RESPONSIBLE_FOR edges. Answers from the index are therefore identical to
``queries.duties`` / ``load_by_unit`` / ``load_by_function`` / ``tasks`` / ``units`` on the graph
(tests/test_fast_index.py compares them on every unit and city of the bundled plans).

The index is used only when it is fresh: it records the snapshot's sha256 (and size and
mtime, so the common case costs one ``stat``) and a fingerprint of the query code it was
computed with; anything else falls back to the graph.

Only this module's query side runs on the fast path, so it imports nothing heavy: the few
lines of ``queries`` that run after the lookup (the city test, name normalisation, grouping
by function) are repeated here, and the tests hold them equal.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import sqlite3
import unicodedata
from collections import defaultdict
from pathlib import Path

INDEX_VERSION = 1
SUFFIX = ".index.sqlite"
CITY_SUFFIXES = "市省区县州"  # queries.tasks.city_matches


def index_path(snapshot_path: str | os.PathLike) -> Path:
    """Where the index of a snapshot lives: beside it, ``graph.json`` → ``graph.json.index.sqlite``."""
    path = Path(snapshot_path)
    return path.with_name(path.name + SUFFIX)


ROW_MODULES = ["tasks.py", "duties.py", "load.py", "catalog.py"]  # the queries the stored rows come from


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locates the package without importing it
    return Path(list(spec.submodule_search_locations)[0])


def query_fingerprint() -> str:
    """Hash of the code the stored rows come from: those queries modules and the queries modules
    they import, name normalisation (graph_build/resolve.py) and this module.

    Other queries modules (Cypher, overlap) change often and do not make the rows stale.
    """
    folder = _package_dir("respgraph.queries")
    files, pending = set(), list(ROW_MODULES)
    while pending:
        name = pending.pop()
        if name in files or not (folder / name).is_file():
            continue
        files.add(name)
        pending.extend(f"{m}.py" for m in re.findall(r"^from \.(\w+) import", (folder / name).read_text("utf-8"), re.M))
    digest = hashlib.sha256()
    for path in [folder / n for n in sorted(files)] + [_package_dir("respgraph.graph_build") / "resolve.py", Path(__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- the few query details repeated here (see the module docstring) ----------------------------

def city_matches(stored: str, wanted: str | None) -> bool:
    """queries.tasks.city_matches: 福州 or 福州市 selects 福州市."""
    if not wanted:
        return True
    wanted = wanted.strip()
    return stored == wanted or (stored[:-1] == wanted and stored[-1:] in CITY_SUFFIXES)


def normalise_name(name: str) -> str:
    """graph_build.resolve.normalise_name, without importing graph_build (and networkx with it)."""
    text = re.sub(r"\s+", "", name)
    for opener in "([〔【［":
        text = text.replace(opener, "（")
    for closer in ")]〕】］":
        text = text.replace(closer, "）")
    text = unicodedata.normalize("NFC", text)
    converter = _converter()
    return converter.convert(text) if converter else text


@functools.lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError:  # as graph_build.resolve: usable without it
        return None
    return opencc.OpenCC("t2s")


def group_by_function(unit_rows: list[dict], top: int | None = None) -> list[dict]:
    """queries.load.load_by_function, from the rows of load_by_unit."""
    grouped: dict[str, dict] = {}
    for row in unit_rows:
        key = row["function"] or f"({row['unit']})"
        group = grouped.setdefault(key, {"function": key, "lead": 0, "support": 0, "total": 0, "targets": 0,
                                         "cities": defaultdict(lambda: {"units": [], "lead": 0, "support": 0,
                                                                        "total": 0, "targets": 0})})
        for field in ("lead", "support", "total", "targets"):
            group[field] += row[field]
            group["cities"][row["city"]][field] += row[field]
        group["cities"][row["city"]]["units"].append(row["unit"])
    rows = []
    for group in grouped.values():
        group["cities"] = {c: group["cities"][c] for c in sorted(group["cities"])}
        rows.append(group)
    rows.sort(key=lambda r: (-r["total"], -r["lead"], r["function"]))
    return rows[:top] if top else rows


# -- writing --------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cities (name TEXT PRIMARY KEY);
CREATE TABLE tasks (position INTEGER PRIMARY KEY, id TEXT NOT NULL, city TEXT NOT NULL, doc TEXT NOT NULL,
                    row TEXT NOT NULL);
CREATE TABLE agencies (id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL);
CREATE TABLE agency_names (form TEXT NOT NULL, kind TEXT NOT NULL, agency TEXT NOT NULL);
CREATE TABLE responsible (agency TEXT NOT NULL, task_position INTEGER NOT NULL, edge_key TEXT NOT NULL,
                          role TEXT NOT NULL);
CREATE TABLE load_rows (position INTEGER PRIMARY KEY, city TEXT NOT NULL, row TEXT NOT NULL);
CREATE TABLE unit_rows (position INTEGER PRIMARY KEY, city TEXT NOT NULL, resolved INTEGER NOT NULL,
                        row TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX tasks_city ON tasks (city, position);
CREATE INDEX agency_names_form ON agency_names (form, kind);
CREATE INDEX responsible_agency ON responsible (agency, task_position, edge_key);
CREATE INDEX load_rows_city ON load_rows (city, position);
CREATE INDEX unit_rows_city ON unit_rows (city, position);
"""


def write_index(graph, snapshot_path: str | os.PathLike, snapshot_sha256: str | None = None) -> Path:
    """Compute the query rows of ``graph`` (the graph saved at ``snapshot_path``) and write its index.

    ``snapshot_sha256`` saves reading the snapshot again when the caller hashed it while writing.
    """
    return finish_index(prepare_index(graph, snapshot_path), snapshot_path, snapshot_sha256)


def prepare_index(graph, snapshot_path: str | os.PathLike) -> Path:
    """The index rows of ``graph`` in a temporary file beside where the index goes.

    ``finish_index`` stamps it with the snapshot's hash and moves it into place; the rows are
    written to a temporary file first so that a failure never leaves half an index.
    """
    from respgraph import queries
    from respgraph.graph_build.resolve import normalise_name as normalise
    from respgraph.graph_build.files import make_temp
    from respgraph.graph_build.snapshot import line_encoder
    from respgraph.queries.duties import _names, _short_forms
    from respgraph.queries.tasks import nodes_of, task_row, task_sort_key

    target = index_path(snapshot_path)
    handle, temp = make_temp(target)  # as readable as its snapshot; .<name>.rg<pid>.XXXXXXXX
    os.close(handle)
    dump = line_encoder(sort_keys=False)
    try:
        db = sqlite3.connect(temp)
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        task_ids = nodes_of(graph, "Task")
        # queries sort tasks stably by task_sort_key starting from id order (tasks) or edge order
        # (duties, whose edges to one agency are in task id order): the position is that rank.
        ordered = sorted(task_ids, key=lambda t: (task_sort_key(graph, t), t))
        position = {task_id: number for number, task_id in enumerate(ordered)}
        paths: dict[str, list[str]] = {}
        db.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?)", (
            (position[t], t, graph.nodes[t]["city"], graph.nodes[t]["doc"], dump(task_row(graph, t, paths)))
            for t in ordered))
        agency_ids = nodes_of(graph, "Agency")
        db.executemany("INSERT INTO agencies VALUES (?, ?, ?)", (
            (a, graph.nodes[a]["name"], graph.nodes[a]["region"]) for a in agency_ids))
        names = []
        for agency_id in agency_ids:
            node = graph.nodes[agency_id]
            names.append((normalise(node["name"]), "canonical", agency_id))
            names.extend((form, "name", agency_id) for form in sorted(_names(node)))
            names.extend((form, "short", agency_id) for form in sorted(_short_forms(node)))
        db.executemany("INSERT INTO agency_names VALUES (?, ?, ?)", names)
        db.executemany("INSERT INTO responsible VALUES (?, ?, ?, ?)", (
            (agency_id, position[task_id], key, data["role"])
            for agency_id in agency_ids
            for task_id, keyed in graph._succ[agency_id].items()  # as out_edges(keys=True), without views
            for key, data in keyed.items() if data.get("type") == "RESPONSIBLE_FOR"))
        db.executemany("INSERT INTO load_rows VALUES (?, ?, ?)", (
            (number, row["city"], dump(row)) for number, row in enumerate(queries.load_by_unit(graph))))
        db.executemany("INSERT INTO unit_rows VALUES (?, ?, ?, ?)", (
            (number, row["city"], int(bool(row["resolved"])), dump(row))
            for number, row in enumerate(queries.units(graph))))
        cities = {graph.nodes[t]["city"] for t in task_ids} | {graph.nodes[a]["region"] for a in agency_ids}
        db.executemany("INSERT INTO cities VALUES (?)", ((c,) for c in sorted(cities)))
        db.executescript(INDEXES)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("bundled", json.dumps(bool(graph.graph.get("bundled")))), ("builder", str(graph.graph.get("builder", ""))),
            ("index_version", str(INDEX_VERSION)), ("query_fingerprint", query_fingerprint())])
        db.commit()
        db.close()
    except BaseException:
        os.unlink(temp)
        raise
    return Path(temp)


def finish_index(temp: Path, snapshot_path: str | os.PathLike, snapshot_sha256: str | None = None) -> Path:
    """Stamp a prepared index with the snapshot it answers for and move it beside the snapshot."""
    snapshot_file = Path(snapshot_path)
    try:
        stat = snapshot_file.stat()
        with sqlite3.connect(temp) as db:
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("snapshot_sha256", snapshot_sha256 or file_sha256(snapshot_file)),
                ("snapshot_size", str(stat.st_size)), ("snapshot_mtime_ns", str(stat.st_mtime_ns))])
        db.close()
        from respgraph.graph_build.files import check_target

        target = check_target(index_path(snapshot_file))  # never renamed over a FIFO or device
        os.replace(temp, target)
    except BaseException:
        if temp.exists():
            temp.unlink()
        raise
    return target


# -- reading --------------------------------------------------------------------------------

class Index:
    """The rows of one snapshot's index; the same methods and results as ``GraphQueries``."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    @classmethod
    def open_fresh(cls, snapshot_path: str | os.PathLike, builder: str | None = None) -> "Index | None":
        """The index of ``snapshot_path`` if it describes that very file, else None.

        ``builder``: the current builder fingerprint, given when a graph of the bundled plans
        built by another builder would be rebuilt (the active graph); such an index is not used.
        """
        snapshot_file = Path(snapshot_path)
        path = index_path(snapshot_file)
        try:
            stat = snapshot_file.stat()
            if not path.exists():
                return None
            index = cls(path)
        except (OSError, sqlite3.Error):
            return None
        try:
            if index._describes(snapshot_file, stat, builder):
                return index
        except (OSError, sqlite3.Error, ValueError):
            pass
        index.db.close()
        return None

    def _describes(self, snapshot_file: Path, stat: os.stat_result, builder: str | None) -> bool:
        meta = self.meta()
        if meta.get("index_version") != str(INDEX_VERSION) or meta.get("query_fingerprint") != query_fingerprint():
            return False
        if builder is not None and json.loads(meta.get("bundled", "false")) and meta.get("builder") != builder:
            return False
        if meta.get("snapshot_size") == str(stat.st_size) and meta.get("snapshot_mtime_ns") == str(stat.st_mtime_ns):
            return True
        # Touched or copied: the content decides, and the cheap stamp is renewed when it can be.
        if meta.get("snapshot_sha256") != file_sha256(snapshot_file):
            return False
        try:
            with sqlite3.connect(self.path) as db:
                db.executemany("UPDATE meta SET value = ? WHERE key = ?", [
                    (str(stat.st_size), "snapshot_size"), (str(stat.st_mtime_ns), "snapshot_mtime_ns")])
            db.close()
        except sqlite3.Error:
            pass
        return True

    def cities(self) -> list[str]:
        """Every region name a --city option can select (of tasks and agencies), sorted."""
        return [name for (name,) in self.db.execute("SELECT name FROM cities ORDER BY name") if name]

    def _cities(self, city: str | None) -> list[str] | None:
        """The stored city names a --city value selects (None: all)."""
        if not city:
            return None
        return [name for (name,) in self.db.execute("SELECT name FROM cities") if city_matches(name, city)]

    def _rows(self, table: str, city: str | None, extra: str = "", params: tuple = (),
              limit: int | None = None) -> list[dict]:
        cities = self._cities(city)
        where, values = [], []
        if cities is not None:
            where.append(f"city IN ({','.join('?' * len(cities))})")
            values.extend(cities)
        if extra:
            where.append(extra)
            values.extend(params)
        sql = f"SELECT row FROM {table}" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY position"
        if limit:
            sql += f" LIMIT {int(limit)}"
        # One JSON array parsed in C rather than a json.loads call per row (16,089 load rows).
        return json.loads("[" + ",".join(row for (row,) in self.db.execute(sql, values)) + "]")

    def tasks(self, city: str | None = None, doc: str | None = None) -> list[dict]:
        return self._rows("tasks", city, "doc = ?" if doc is not None else "", (doc,) if doc is not None else ())

    def units(self, city: str | None = None, unresolved: bool = False) -> list[dict]:
        return self._rows("unit_rows", city, "resolved = 0" if unresolved else "")

    def load_by_unit(self, city: str | None = None, top: int | None = None) -> list[dict]:
        if top is not None and top < 0:  # queries slices: rows[:top]
            return self._rows("load_rows", city)[:top]
        return self._rows("load_rows", city, limit=top)

    def load_by_function(self, city: str | None = None, top: int | None = None) -> list[dict]:
        return group_by_function(self.load_by_unit(city), top)

    def find_agencies(self, name: str, city: str | None = None) -> list[str]:
        """queries.find_agencies: exact name first, then names and short forms, then without 市/省."""
        wanted = normalise_name(name)

        def lookup(form: str, kinds: tuple[str, ...]) -> list[str]:
            found = self.db.execute(
                f"SELECT DISTINCT n.agency, a.region FROM agency_names n JOIN agencies a ON a.id = n.agency "
                f"WHERE n.form = ? AND n.kind IN ({','.join('?' * len(kinds))})", (form, *kinds))
            return sorted(agency for agency, region in found if city_matches(region, city))

        matches = lookup(wanted, ("canonical",))
        if matches:
            return matches
        matches = lookup(wanted, ("name", "short"))
        if not matches:
            stripped = re.sub(r"^(市|省)", "", wanted)
            matches = lookup(stripped, ("short",)) if stripped else []
        return matches

    def resolve_agency(self, name: str, city: str | None = None) -> str:
        matches = self.find_agencies(name, city)
        if len(matches) == 1:
            return matches[0]
        from respgraph import queries  # only on the way to an error: its exception types and wording

        if not matches:
            where = f" in {city}" if city else ""
            raise queries.UnknownUnit(f"no unit named '{name}'{where}; see 'respgraph units' for the names known")
        candidates = [{"id": a, "name": n, "region": r} for a, n, r in self.db.execute(
            f"SELECT id, name, region FROM agencies WHERE id IN ({','.join('?' * len(matches))}) ORDER BY id",
            matches)]
        raise queries.AmbiguousUnit(name, candidates)

    def duties(self, unit: str, role: str | None = None, city: str | None = None) -> list[dict]:
        agency_id = self.resolve_agency(unit, city)
        (name,) = self.db.execute("SELECT name FROM agencies WHERE id = ?", (agency_id,)).fetchone()
        rows = []
        for row, task_role, edge_key in self.db.execute(
                "SELECT t.row, r.role, r.edge_key FROM responsible r JOIN tasks t ON t.position = r.task_position "
                "WHERE r.agency = ? ORDER BY r.task_position, r.edge_key", (agency_id,)):
            if role and task_role != role:
                continue
            row = json.loads(row)
            row["role"] = task_role
            row["unit"] = name
            if edge_key.endswith(":0"):  # rank 0: a standing note's implied supporter (schema)
                row["implied"] = True
            rows.append(row)
        return rows


class GraphQueries:
    """``queries`` bound to a loaded graph: what the CLI asks when no fresh index exists."""

    def __init__(self, graph):
        self.graph = graph

    def cities(self):
        from respgraph import queries

        return queries.known_cities(self.graph)

    def tasks(self, city=None, doc=None):
        from respgraph import queries

        return queries.tasks(self.graph, city=city, doc=doc)

    def units(self, city=None, unresolved=False):
        from respgraph import queries

        return queries.units(self.graph, city=city, unresolved=unresolved)

    def load_by_unit(self, city=None, top=None):
        from respgraph import queries

        return queries.load_by_unit(self.graph, city=city, top=top)

    def load_by_function(self, city=None, top=None):
        from respgraph import queries

        return queries.load_by_function(self.graph, city=city, top=top)

    def duties(self, unit, role=None, city=None):
        from respgraph import queries

        return queries.duties(self.graph, unit, role=role, city=city)
