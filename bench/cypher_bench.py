"""Benchmark of the embedded Cypher engine: load time (snapshot → LadybugDB) and query latency.

    python bench/cypher_bench.py                 # the bundled plans, and the same graph ×100
    python bench/cypher_bench.py --scale 10 --repeat 3

The larger graph is the bundled graph replicated: copy k (k = 1 … scale-1) of every node gets
the id suffix "~k" (edges follow their endpoints), and the names of agencies and titles of
documents get the suffix "·k" so that they stay distinct; cities are kept, so a city filter
selects ``scale`` times as many rows. Deterministic: no randomness.

Every stage is timed with ``time.perf_counter`` on this process; a load time is the median of
``--load-repeat`` loads, a query's latency the median of ``--repeat`` runs after one warm-up
run, on an already open read-only connection. A query with an embedded form (it reads the
loader's derived facts) is also timed in its portable form, the one Neo4j runs.
"Load" includes writing the CSV files, COPY and CHECKPOINT; "load from snapshot" adds reading
and parsing the JSON snapshot, which is what the first ``respgraph cypher`` after a build pays.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from respgraph import graph_build  # noqa: E402
from respgraph import queries  # noqa: E402
from respgraph.graph_build import snapshot  # noqa: E402
from respgraph.queries import cypher_engine, library  # noqa: E402

SAMPLE_PARAMETERS = {
    "unit_duties": {"unit": "泉州市数字办"},
    "unit_partners": {"unit": "福州市大数据委"},
    "function_across_cities": {"function": "telecom_regulator"},
    "unit_targets": {"unit": "厦门市通信管理局"},
}
PYTHON_EQUIVALENTS = {
    "load_by_unit": lambda g: queries.load_by_unit(g),
    "load_by_function": lambda g: queries.load_by_function(g),
    "documents_overview": lambda g: queries.documents(g),
    "unit_duties": lambda g: queries.duties(g, "泉州市数字办"),
}


def replicate(graph: nx.MultiDiGraph, scale: int) -> nx.MultiDiGraph:
    """``scale`` disjoint copies of ``graph`` (copy 0 is the original)."""
    big = nx.MultiDiGraph()
    big.graph.update(graph.graph)
    for k in range(scale):
        suffix = f"~{k}" if k else ""
        for node, data in graph.nodes(data=True):
            copy = dict(data)
            copy["id"] = node + suffix
            if k and data["label"] == "Agency":
                copy["name"] = f"{data['name']}·{k}"
            if k and data["label"] == "Document":
                copy["title"] = f"{data['title']}·{k}"
            big.add_node(node + suffix, **copy)
        for source, target, key, data in graph.edges(keys=True, data=True):
            big.add_edge(source + suffix, target + suffix, key=key, **data)
    return big


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def median_latency(function, repeat: int) -> float:
    function()
    return statistics.median(timed(function)[0] for _ in range(repeat))


def machine() -> str:
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{platform.system()} {platform.machine()}, nproc {os.cpu_count()}, memory {memory}, "
            f"Python {platform.python_version()}, ladybug {cypher_engine.ladybug_version()}, "
            f"networkx {nx.__version__}")


def measure(graph: nx.MultiDiGraph, workdir: Path, repeat: int, load_repeat: int) -> dict:
    """Load times and per-query latencies (seconds) for one graph."""
    snapshot_path = workdir / "graph.json"
    snapshot.save(graph, snapshot_path)
    out = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
           "snapshot_mb": snapshot_path.stat().st_size / 1e6}
    out["load"] = statistics.median(timed(cypher_engine.build_database, graph, workdir / "direct.lbdb")[0]
                                    for _ in range(load_repeat))
    loads = []
    for _ in range(load_repeat):
        cypher_engine.stamp_path(cypher_engine.database_path(snapshot_path)).unlink(missing_ok=True)
        seconds, db_path = timed(cypher_engine.ensure_database, snapshot_path)
        loads.append(seconds)
    out["load_from_snapshot"] = statistics.median(loads)
    out["cached_check"] = median_latency(lambda: cypher_engine.ensure_database(snapshot_path), repeat)
    out["db_mb"] = db_path.stat().st_size / 1e6
    out["queries"], out["rows"], out["python"], out["portable"] = {}, {}, {}, {}
    with cypher_engine.EmbeddedEngine(db_path) as engine:
        for name, query in library.library().items():
            params = SAMPLE_PARAMETERS.get(name, {})
            out["queries"][name] = median_latency(lambda: library.run(engine, name, params), repeat)
            out["rows"][name] = len(library.run(engine, name, params).rows)
            if query.embedded:
                out["portable"][name] = median_latency(
                    lambda: library.run(engine, name, params, form="portable"), repeat)
    for name, function in PYTHON_EQUIVALENTS.items():
        out["python"][name] = median_latency(lambda: function(graph), repeat)
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(results: dict[str, dict], command: str) -> str:
    labels = list(results)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"Machine: {machine()}; 1-minute load average at the end: {load:.1f}", f"Command: `{command}`", ""]
    lines.append("| | " + " | ".join(labels) + " |")
    lines.append("|---|" + "---|" * len(labels))

    def row(title, values):
        lines.append(f"| {title} | " + " | ".join(values) + " |")

    row("nodes / edges", [f"{r['nodes']:,} / {r['edges']:,}" for r in results.values()])
    row("snapshot JSON / database file", [f"{r['snapshot_mb']:.1f} MB / {r['db_mb']:.1f} MB" for r in results.values()])
    row("load: graph → ladybug (CSV + COPY)", [ms(r["load"]) for r in results.values()])
    row("load from snapshot (JSON + CSV + COPY)", [ms(r["load_from_snapshot"]) for r in results.values()])
    row("cached: stamp check (sha256 of snapshot)", [ms(r["cached_check"]) for r in results.values()])
    first = next(iter(results.values()))
    for name in first["queries"]:
        row(f"`query {name}` (rows)", [f"{ms(r['queries'][name])} ({r['rows'][name]:,})" for r in results.values()])
    for name in first["portable"]:
        row(f"`query {name}`, portable form (as on Neo4j)", [ms(r["portable"][name]) for r in results.values()])
    for name in first["python"]:
        row(f"Python `queries` equivalent of {name}", [ms(r["python"][name]) for r in results.values()])
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="Copies of the bundled graph in the large graph.")
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs per query (median reported).")
    parser.add_argument("--load-repeat", type=int, default=3, help="Timed loads per graph (median reported).")
    args = parser.parse_args(argv)
    graph = graph_build.build(graph_build.bundled_plans())
    workdir = Path(tempfile.mkdtemp(prefix="cypher-bench-"))
    try:
        results = {}
        for label, scale in (("bundled plans", 1), (f"×{args.scale}", args.scale)):
            folder = workdir / str(scale)
            folder.mkdir()
            results[label] = measure(replicate(graph, scale), folder, args.repeat, args.load_repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    command = "python bench/cypher_bench.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(
        sys.argv[1:] if argv is None else argv))
    print(report(results, command))


if __name__ == "__main__":
    main()
