"""Where the active graph lives, and building the bundled plans on first use.

The active graph is a JSON snapshot under ``$RESPGRAPH_HOME`` (default: the user's cache dir).
When it is missing, or was built from the bundled plans by another version of the parser or
curated tables, the bundled plans are built again; nothing needs a separate build step.

Beside every snapshot written here sits its query index (``respgraph.index``), which answers
duties/load/tasks/units without loading the graph, and under ``$RESPGRAPH_HOME/parsed/`` the
parse cache (``graph_build.cache``), so that a rebuild parses only the files that changed.

A build holds the home's lock (``graph_build.files.build_lock``, an flock on
``$RESPGRAPH_HOME/build.lock``): a second build into the same home says it waits, and gives up
after ``RESPGRAPH_LOCK_TIMEOUT`` seconds. Holding it, a build first removes the temporary files
that killed builds left in the home and beside its target (``files.sweep_temporaries``).

This module is imported by every CLI call, so it imports graph_build (and networkx) only in
the functions that build or load a graph.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

SNAPSHOT_NAME = "graph.json"
PARSED_NAME = "parsed"


def home() -> Path:
    """The folder holding respgraph's snapshot and caches."""
    configured = os.environ.get("RESPGRAPH_HOME")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("respgraph"))


def active_snapshot() -> Path:
    return home() / SNAPSHOT_NAME


def _package_dir(name: str) -> Path:
    """A package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    return Path(list(spec.submodule_search_locations)[0])


def builder_fingerprint() -> str:
    """Hash of the parser code and curated data: a change to either makes cached graphs stale."""
    digest = hashlib.sha256()
    package = _package_dir("respgraph.graph_build")
    data = _package_dir("respgraph.data")  # graph_build.curated.data_dir()
    for path in sorted(package.glob("*.py")) + sorted(p for p in data.rglob("*")
                                                       if p.is_file() and p.suffix in {".csv", ".yaml", ".txt"}):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def parse_cache():
    """The parse cache of this home and builder version (graph_build.cache.ParseCache), its
    entries signed with the home's secret (``files.home_secret``)."""
    from respgraph.graph_build.cache import ParseCache
    from respgraph.graph_build.files import home_secret

    return ParseCache(home() / PARSED_NAME, builder_fingerprint(), home_secret(home()))


def say_waiting(line: str) -> None:
    print(f"note: {line}", file=sys.stderr, flush=True)


def build_and_save(paths: list, target: Path, bundled: bool, on_wait: Callable[[str], None] | None = say_waiting,
                   on_progress: Callable[[str, int, int | None], None] | None = None):
    """Build from ``paths`` and, when anything was built, replace ``target`` (and its index) atomically.

    The whole build holds the home's build lock (``on_wait`` hears when it has to wait for
    another build; ``files.BuildLocked`` when that takes too long), and begins by removing the
    temporary files of killed builds. Files parsed before (same bytes, same builder) come from
    the parse cache; the others are parsed in parallel when there are many. While the overlap
    step runs in a child process, the query index (which reads no overlap edges) is computed
    and the snapshot lines the overlap cannot change are encoded; the index is stamped once the
    snapshot is written. Returns the graph_build.BuildReport.

    ``on_progress(stage, done, total)`` hears the stages: "parsing" (files parsed in parallel),
    "parsed" (files done of all), "assembling", "overlap", "writing"; ``total`` None when the
    stage is not counted. Nothing here prints it: the CLI draws it (``respgraph.progress``).
    """
    from respgraph.graph_build import files

    started = time.time()
    with files.build_lock(home(), on_wait=on_wait):
        sweep_leftovers(Path(target), started)
        return _build_and_save(paths, Path(target), bundled, on_progress)


def sweep_leftovers(target: Path, before: float) -> list[Path]:
    """Remove the temporary files killed builds left (older than ``before``): in the home (its
    snapshot, index, embedded database, parse cache) and beside ``target``."""
    from respgraph.graph_build import files

    from .index import index_path
    from respgraph.queries.cypher_engine import database_path, stamp_path

    root = home()
    active = active_snapshot()
    own = {active.name, index_path(active).name, database_path(active).name, stamp_path(database_path(active)).name,
           files.SECRET_NAME}
    removed = files.sweep_temporaries(root, before=before, legacy=own.__contains__)
    for folder in _parsed_folders():
        removed += files.sweep_temporaries(folder, before=before, legacy=lambda name: name.endswith(".pickle"))
    if target.resolve().parent != root.resolve():
        database = database_path(target)
        names = {target.name, index_path(target).name, database.name, stamp_path(database).name}
        removed += files.sweep_temporaries(target.parent, names, before=before)
    return removed


def _parsed_folders() -> list[Path]:
    parsed = home() / PARSED_NAME
    try:
        return [parsed, *(p for p in parsed.iterdir() if p.is_dir() and not p.name.startswith("."))]
    except OSError:
        return []


def _build_and_save(paths: list, target: Path, bundled: bool, on_progress=None):
    from respgraph import graph_build
    from respgraph.graph_build import cache, overlap, snapshot
    from respgraph.graph_build.read import expand_paths
    from respgraph.graph_build.snapshot import paused_gc

    parsed = parse_cache()
    fingerprint = builder_fingerprint()
    prepared: list[Path] = []
    ahead: list = []

    def while_overlap(graph) -> None:
        """The query index, and the snapshot lines the overlap cannot change, made while it runs."""
        graph.graph["bundled"] = bundled
        graph.graph["builder"] = fingerprint
        from . import index

        try:
            prepared.append(index.prepare_index(graph, target))
        except (OSError, sqlite3.Error):
            pass  # the snapshot is written without an index; queries then load the graph
        ahead.append(snapshot.encode_ahead(graph, lambda node, data: data.get("label") not in overlap.SOURCE_LABELS))

    # One pause of the cyclic GC for the whole build (resumed in between, it walked the millions
    # of objects of the graph once, 1.5 s at 3,000 plans), frozen at the end: the built graph is
    # the report's, kept by the caller.
    try:
        with cache.using(parsed), paused_gc(freeze=True):
            parsed.prefetch(expand_paths(list(paths)), on_progress=on_progress)
            report = graph_build.build_report(paths, while_overlap=while_overlap, on_progress=on_progress)
            if report.inputs:
                if on_progress is not None:
                    on_progress("writing", 0, None)
                report.graph.graph["bundled"] = bundled
                report.graph.graph["builder"] = fingerprint
                sha256 = _write_snapshot(report.graph, target, ahead.pop() if ahead else None)
                write_index(report.graph, target, sha256, prepared.pop() if prepared else None)
                discard_broken_database(target)
                parsed.prune()
    finally:
        for temp in prepared:  # prepared, but the build failed before the snapshot was written
            temp.unlink(missing_ok=True)
    return report


def discard_broken_database(target: str | os.PathLike) -> None:
    """Delete the embedded Cypher database beside ``target`` when a write-ahead log or shadow file
    lies beside it (a forced checkpoint; it would refuse to open): the next query builds it anew.

    A database that is merely stale is left alone; its stamp makes the next query rebuild it.
    """
    from respgraph.queries import cypher_engine

    db_path = cypher_engine.database_path(target)
    if any(path.exists() for path in cypher_engine.sidecar_paths(db_path)):
        cypher_engine.discard_database(db_path)


def save(graph, target: str | os.PathLike) -> None:
    """Write the snapshot (hashing it as it streams out), then its query index.

    The two could be written at once by a forked child, but the child copies the pages of the
    graph it touches: for 3,000 plans, the snapshot in a child saved 4.7 s of 21 s for 1.55 GiB
    more memory at the peak, the index in a child 1–2 s of 15 s for 1.2 GiB, so they are
    written one after the other.
    """
    from respgraph.graph_build.snapshot import paused_gc

    with paused_gc():
        sha256 = _write_snapshot(graph, target)
        write_index(graph, target, sha256)


def _write_snapshot(graph, target, ahead=None) -> str:
    """Stream the snapshot to ``target`` (with lines encoded ahead: ``snapshot.encode_ahead``); return its sha256."""
    from respgraph.graph_build import files, snapshot

    digest = hashlib.sha256()

    def hashed(chunks):
        for chunk in chunks:
            digest.update(chunk)
            yield chunk

    files.write_atomic(target, hashed(snapshot.iter_dumps(graph, ahead=ahead)))
    return digest.hexdigest()


def write_index(graph, target: str | os.PathLike, sha256: str | None = None, prepared: Path | None = None) -> None:
    """Write the query index of the snapshot at ``target``; without one, queries load the graph.

    ``prepared``: the index rows already computed (``index.prepare_index``), to stamp and move.
    """
    from . import index

    try:
        if prepared is None:
            index.write_index(graph, target, sha256)
        else:
            index.finish_index(prepared, target, sha256)
    except (OSError, sqlite3.Error):
        pass  # a stale index is never used (it records the snapshot's hash), so nothing is lost


def fresh_index(path: str | os.PathLike | None = None):
    """The query index answering for the graph ``load_active(path)`` would load, or None.

    None when the snapshot has no index or not one made from its current bytes and the
    current query code, and for the active graph also when that graph would be rebuilt.
    """
    from .index import Index

    if path:
        return Index.open_fresh(path)
    return Index.open_fresh(active_snapshot(), builder=builder_fingerprint())


def cypher_database(path: str | os.PathLike | None = None, graph=None) -> Path:
    """The embedded Cypher database (``queries.cypher_engine``) of the graph ``load_active(path)``
    would load, built or refreshed when needed.

    ``graph``: that graph, or a function returning it; used only when the database has to be
    built (without it, ``load_active(path)``). For the active snapshot the database is used
    straight away when its stamp matches the snapshot and the snapshot is not a stale build of
    the bundled plans (what ``load_active`` would rebuild); otherwise the graph is loaded (and
    rebuilt) first.
    """
    from respgraph.queries import cypher_engine

    if path:
        return cypher_engine.ensure_database(path, graph)
    snapshot_path = active_snapshot()
    db_path = cypher_engine.database_path(snapshot_path)
    if snapshot_path.is_file():
        stamp = cypher_engine.read_stamp(db_path)
        if stamp and cypher_engine.is_current(db_path, cypher_engine.expected_stamp(snapshot_path)):
            built_from = stamp.get("graph") or {}
            if not built_from.get("bundled") or built_from.get("builder") == builder_fingerprint():
                return db_path
    graph = graph() if callable(graph) else graph
    if graph is None:
        graph = load_active()
    return cypher_engine.ensure_database(snapshot_path, graph)


def load_active(path: str | os.PathLike | None = None):
    """The graph to answer from: ``path`` if given, else the active snapshot (built if needed)."""
    from respgraph import graph_build
    from respgraph.graph_build import snapshot

    if path:
        graph = snapshot.load(path)
        if fresh_index(path) is None:
            write_index(graph, path)
        return graph
    target = active_snapshot()
    graph = _usable_active(target)
    if graph is not None:
        return graph
    from respgraph.graph_build import files

    started = time.time()
    with files.build_lock(home(), on_wait=say_waiting):
        graph = _usable_active(target)  # built by another process while this one waited
        if graph is not None:
            return graph
        sweep_leftovers(target, started)
        return _build_and_save(graph_build.bundled_plans(), target, bundled=True).graph


def _usable_active(target: Path):
    """The active snapshot's graph, unless it is missing, corrupt or a stale build of the bundled plans."""
    from respgraph.graph_build import snapshot

    if not target.exists():
        return None
    try:
        graph = snapshot.load(target)
    except snapshot.SnapshotError:
        return None
    if graph.graph.get("bundled") and graph.graph.get("builder") != builder_fingerprint():
        return None
    if fresh_index() is None:
        write_index(graph, target)  # so that the next duties/load call is fast
    return graph
