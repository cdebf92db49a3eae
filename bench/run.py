"""Measure respgraph at the size of every city's plans, in one run, and record it in BENCHMARKS.md.

    python bench/run.py                  # 3,000 generated plans (≈100k tasks, 75 MB)
    python bench/run.py --scale 500      # another corpus size (its own section of BENCHMARKS.md)
    python bench/run.py --scale 50 --no-write   # print the table only

The corpus is ``bench/corpora/N`` (made with bench/generate.py when missing); everything the
run writes goes to ``bench/out/N`` (git-ignored). Every measurement runs in a child process:

- wall time: the parent's clock around the child (Python start-up included for CLI rows);
- peak memory: the peak of the summed PSS of the child and its own children (parse workers,
  the forked snapshot writer), sampled every 100 ms: what the machine must hold at once,
  shared pages counted once; and ``ru_maxrss`` from ``os.wait4`` (the largest single
  process's RSS, which counts pages a forked child shares with its parent in full);
- library rows (Cypher, overlap, HTML) run ``python bench/run.py --step NAME`` children that
  time their own stages and print them as JSON; run such a command alone to repeat one row.

A row whose module is not there yet (another part of respgraph still being written) says so
and is skipped. The machine (cores, memory, CPU model, load average) and library versions are
part of the output: respgraph's targets are for a 2-core machine with 24 GiB.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
# The console script beside this Python (what users run), else the same entry point by hand.
_SCRIPT = Path(PYTHON).parent / "respgraph"
RESPGRAPH = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-c", "from respgraph.cli import main; main()"]
LIBRARIES = ["networkx", "click", "opencc", "PyYAML", "numpy", "scipy", "scikit-learn", "ladybug", "neo4j",
             "wcwidth"]
QUERY_REPEAT = 5
SAMPLE = 5000  # tasks in the recall sample of the overlap search
FULL_SCALE_ROWS = 500  # tasks whose exact neighbours among all tasks check the full search


# -- measuring a child ------------------------------------------------------------------------

def _tree_pss(root: int) -> int:
    """Memory of ``root`` and its descendants in bytes: the sum of their PSS (Linux /proc).

    PSS splits each shared page among the processes sharing it, so a forked child that shares
    the graph with its parent is not counted twice (RSS would count it in both).
    """
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


# Reading smaps_rollup of a 2.5 GiB process costs ~10 ms of CPU: sampled every 0.1 s, the
# observer took a tenth of a core from the build it measured (3,000 plans: 2–4 s of wall time on
# 2 cores). Peaks last seconds (the overlap child lives ~20 s, the graph until the end), so
# every 0.5 s still finds them.
SAMPLE_SECONDS = 0.5


def measure(command: list[str], env: dict | None = None, capture: bool = True) -> dict:
    """Run ``command``; its wall time, exit code, output, max RSS and peak summed RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                             stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                             stderr=subprocess.PIPE if capture else subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss(child.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = child.stdout.read() if capture else b""
    err = child.stderr.read() if capture else b""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "code": child.returncode, "stdout": out.decode("utf-8", "replace"),
            "stderr": err.decode("utf-8", "replace"), "maxrss": usage.ru_maxrss * 1024, "tree_peak": peak[0]}


def step_result(result: dict) -> dict:
    """The JSON a ``--step`` child printed last."""
    for line in reversed(result["stdout"].splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no result from the step: {result['stderr'][-800:]}")


# -- the machine --------------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                    if line.startswith("model name")), "")
        memory = next(int(line.split()[1]) * 1024 for line in open("/proc/meminfo", encoding="utf-8")
                      if line.startswith("MemTotal"))
    except OSError:
        memory = 0
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    return {"cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "memory_gib": memory / 2**30, "cpu": cpu or platform.processor(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "versions": versions}


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


# -- child steps (python bench/run.py --step NAME --scale N) -------------------------------------

def paths(scale: int) -> dict[str, Path]:
    out = ROOT / "bench" / "out" / str(scale)
    return {"corpus": ROOT / "bench" / "corpora" / str(scale), "out": out, "graph": out / "graph.json",
            "home": out / "home", "extra": out / "extra", "graph_plus": out / "graph_plus_one.json",
            "tasks": out / "tasks.json", "cypher": out / "graph.lbdb", "html": out / "html"}


def load_graph(path: Path):
    from respgraph.graph_build import snapshot

    started = time.perf_counter()
    graph = snapshot.load(path)
    return graph, time.perf_counter() - started


def step_snapshot_load(scale: int) -> dict:
    graph, seconds = load_graph(paths(scale)["graph"])
    return {"seconds": seconds, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def step_tasks_file(scale: int) -> dict:
    """Write every task's "title text" and document id (the overlap input) to tasks.json."""
    graph, _ = load_graph(paths(scale)["graph"])
    tasks = [(n, d) for n, d in graph.nodes(data=True) if d.get("label") == "Task"]
    data = {"texts": [d["title"] + " " + d["text"] for _, d in tasks], "groups": [d["doc"] for _, d in tasks]}
    paths(scale)["tasks"].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return {"tasks": len(tasks)}


def step_similarity(scale: int) -> dict:
    from respgraph.graph_build import similarity

    data = json.loads(paths(scale)["tasks"].read_text("utf-8"))
    timings: dict = {}
    started = time.perf_counter()
    try:
        pairs = similarity.similar_pairs(data["texts"], data["groups"], similarity.THRESHOLD, timings=timings)
    except TypeError:  # an API without timings
        pairs = similarity.similar_pairs(data["texts"], data["groups"], similarity.THRESHOLD)
    return {"seconds": time.perf_counter() - started, "pairs": len(pairs), "tasks": len(data["texts"]),
            "threshold": similarity.THRESHOLD, "stages": timings}


def step_recall(scale: int) -> dict:
    """Recall of ``similar_pairs`` against exact search, on a sample and at full scale.

    ``recall``: both searches on the same SAMPLE tasks (same texts, same idf, same top-k rule),
    pairs found by the fast one over pairs of the exact one. A sample is all that brute force
    can afford, but it is easier than the build's search: with 1 task in 20, each task has 20
    times fewer near neighbours competing for its top k. ``full_scale``: the build's own search
    over all tasks, checked on FULL_SCALE_ROWS sampled tasks, whose exact top k neighbours
    (brute force against every task) are looked up in its pairs.
    """
    import numpy as np

    from respgraph.graph_build import similarity

    data = json.loads(paths(scale)["tasks"].read_text("utf-8"))
    chosen = sorted(random.Random(0).sample(range(len(data["texts"])), min(SAMPLE, len(data["texts"]))))
    texts = [data["texts"][i] for i in chosen]
    groups = [data["groups"][i] for i in chosen]
    started = time.perf_counter()
    found = {(i, j) for i, j, _ in similarity.similar_pairs(texts, groups, similarity.THRESHOLD)}
    fast = time.perf_counter() - started
    wanted = {(i, j) for i, j, _ in similarity.exact_pairs(texts, groups, similarity.THRESHOLD)}
    result = {"sample": len(texts), "exact_pairs": len(wanted), "found": len(found & wanted),
              "recall": len(found & wanted) / len(wanted) if wanted else 1.0, "seconds": fast}
    texts, groups = data["texts"], data["groups"]
    neighbours: dict[int, set[int]] = {}
    for i, j, _ in similarity.similar_pairs(texts, groups, similarity.THRESHOLD):
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    matrix = similarity.tfidf_matrix(texts)
    group = similarity._group_codes(groups)
    transposed = matrix.T.tocsr()
    rows = np.array(sorted(random.Random(2).sample(range(len(texts)), min(FULL_SCALE_ROWS, len(texts)))))
    wanted_count = found_count = 0
    for start in range(0, len(rows), 50):
        block = rows[start:start + 50]
        scores = np.round((matrix[block] @ transposed).toarray(), 9)  # as exact_pairs rounds them
        scores[group[block][:, None] == group[None, :]] = -1
        for row, item in zip(scores, block.tolist()):
            above = np.flatnonzero(row >= similarity.THRESHOLD).tolist()
            best = sorted(above, key=lambda j: (-row[j], j))[:5]  # top_k = 5, ties: lower index
            wanted_count += len(best)
            found_count += sum(j in neighbours.get(item, ()) for j in best)
    result["full_scale"] = {"tasks": len(texts), "rows": len(rows), "neighbours": wanted_count,
                            "found": found_count, "recall": found_count / wanted_count if wanted_count else 1.0}
    return result


def sample_unit(graph) -> str:
    """A unit of the corpus known by one name only (a city's 高新区管委会), the busiest such one."""
    counts = {}
    for agency, _, data in graph.edges(data=True):
        if data.get("type") == "RESPONSIBLE_FOR" and graph.nodes[agency]["name"].endswith("高新区管委会"):
            counts[agency] = counts.get(agency, 0) + 1
    agency = min(counts, key=lambda a: (-counts[a], a))
    return graph.nodes[agency]["name"]


def step_cypher(scale: int) -> dict:
    from respgraph.queries import cypher_engine, library

    graph, _ = load_graph(paths(scale)["graph"])
    target = paths(scale)["cypher"]
    started = time.perf_counter()
    stages: dict = {}
    cypher_engine.build_database(graph, target, timings=stages)
    load_seconds = time.perf_counter() - started
    # Seconds per stage: grouping the graph's rows, the derived facts, CSV writing, COPY, checkpoint.
    load_stages = {}
    for stage, seconds in stages.items():
        kind = stage.split(" ", 1)[0]
        load_stages[kind] = load_stages.get(kind, 0.0) + seconds
    functions = sorted({d["function"] for _, d in graph.nodes(data=True) if d.get("label") == "Agency" and d["function"]})
    samples = {"unit": sample_unit(graph), "function": functions[0] if functions else "digital_authority",
               "indicator": "", "topic": ""}
    latencies, rows = {}, {}
    with cypher_engine.EmbeddedEngine(target) as engine:
        for name, query in sorted(library.library().items()):
            params = {p.name: samples.get(p.name, "") for p in query.parameters if p.required}
            library.run(engine, name, params)  # warm-up
            runs = []
            for _ in range(3):
                began = time.perf_counter()
                result = library.run(engine, name, params)
                runs.append(time.perf_counter() - began)
            latencies[name] = statistics.median(runs)
            rows[name] = len(result.rows)
    return {"load_seconds": load_seconds, "load_stages": load_stages, "latency": latencies, "rows": rows, "params": samples}


def step_html(scale: int) -> dict:
    """Three pages of the loaded graph, as `respgraph html` writes them: the overlap view (all
    cities, capped at 1,500 nodes), one city's view and one unit's view.

    ``seconds`` is the whole export; ``view_seconds`` choosing what to draw (exports.views),
    ``page_seconds`` the layout, the page and writing it. The first page also pays for importing
    the page's libraries (scipy.spatial, Jinja2: about half a second).
    """
    from respgraph.exports import html

    graph, _ = load_graph(paths(scale)["graph"])
    unit = sample_unit(graph)
    city = graph.nodes[next(n for n, d in graph.nodes(data=True) if d.get("label") == "Document")]["region"]
    out = {}
    for name, options in [("overlap", {}), ("city", {"view": "city", "cities": (city,)}),
                          ("unit", {"view": "unit", "unit": unit})]:
        started = time.perf_counter()
        page = html.view_page(graph, **options)
        viewed = time.perf_counter()
        path = page.save(paths(scale)["html"] / f"{name}.html")
        done = time.perf_counter()
        out[name] = {"seconds": done - started, "view_seconds": viewed - started, "page_seconds": done - viewed,
                     "nodes": page.view.graph.number_of_nodes(), "bytes": path.stat().st_size,
                     "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}}
    return out


def step_build_phases(scale: int) -> dict:
    """Where a build's time goes: the stages of ``store.build_and_save`` timed one by one, in process.

    The parse is timed twice: parsing every plan in worker processes into an empty cache, and
    reading them all back from the cache (what a rebuild does). The rest follows
    ``graph_build.assemble`` and ``store.build_and_save``: the overlap step starts in a child
    process; beside it the documents are added and sorted, the query index is prepared and the
    snapshot lines the overlap cannot change are encoded; then the overlap is waited for and
    added, and the rest of the snapshot is encoded and written.
    """
    import tempfile

    import networkx as nx

    from respgraph.graph_build import cache, graph as graph_module, overlap, snapshot
    from respgraph.graph_build.read import expand_paths
    from respgraph.graph_build.snapshot import paused_gc
    from respgraph import index, store

    files = expand_paths([paths(scale)["corpus"] / "plans"])
    out = {}
    target = paths(scale)["out"] / "phases.json"

    def timed(name, call, *args):
        started = time.perf_counter()
        result = call(*args)
        out[name] = time.perf_counter() - started
        return result

    def add_all(docs):
        staging = nx.MultiDiGraph()
        for doc, label in docs:
            graph_module.add_document(staging, doc, label)
        return staging

    with paused_gc():
        with tempfile.TemporaryDirectory(dir=paths(scale)["out"]) as folder:
            started = time.perf_counter()
            parse_cache = cache.ParseCache(folder, "bench")
            parse_cache.prefetch(files)  # in worker processes, which also write the cache entries
            for path in files:
                parse_cache.parse(path)
            out["parse (empty cache)"] = time.perf_counter() - started
            started = time.perf_counter()
            reread = cache.ParseCache(folder, "bench")
            docs = [(reread.parse(path), str(path)) for path in files]
            out["read parsed plans from the cache"] = time.perf_counter() - started
        docs.sort(key=lambda pair: (pair[0].meta.region, pair[0].meta.title, pair[1]))
        records = overlap.records_from_documents(doc for doc, _ in docs)
        pending = timed("start the overlap child", overlap.start, records)
        staging = timed("add documents (resolve, topics, targets, nodes and edges), beside the child", add_all, docs)
        graph = timed("sort the graph, beside the child", graph_module._sorted_graph, staging, True)
        graph.graph["builder"] = "bench"
        prepared = timed("prepare the query index, beside the child", index.prepare_index, graph, target)
        ahead = timed("encode the snapshot lines the overlap cannot change, beside the child", snapshot.encode_ahead,
                      graph, lambda node, data: data.get("label") not in overlap.SOURCE_LABELS)
        found = timed("wait for the overlap child", pending.result)
        touched = timed("add the overlap", overlap.apply, graph, found)
        graph = timed("sort the rows the overlap changed", graph_module._resorted, graph, touched)
        sha256 = timed("encode the rest of the snapshot and write it", store._write_snapshot, graph, target, ahead)
        timed("stamp the query index", index.finish_index, prepared, target, sha256)
        started = time.perf_counter()
        overlap.compute(records)
        out["overlap alone, in process (the child's work)"] = time.perf_counter() - started
    return out


UNWIND_ITEMS_PER_SECOND = 70_000  # published rate of batched UNWIND … MERGE through the Bolt driver
IMPORT_RECORDS_PER_SECOND = 1_000_000  # published sustained rate of the offline import tool


def step_neo4j(scale: int) -> dict:
    """Row counts of the graph as Neo4j would hold it, and the time to write the neo4j-admin CSVs."""
    from respgraph.exports import neo4j_admin

    graph, _ = load_graph(paths(scale)["graph"])
    labels, types, properties = {}, {}, 0
    for _, data in graph.nodes(data=True):
        labels[data["label"]] = labels.get(data["label"], 0) + 1
        properties += sum(1 for k, v in data.items() if k != "label" and v not in ("", [], None))
    for _, _, data in graph.edges(data=True):
        types[data["type"]] = types.get(data["type"], 0) + 1
        properties += sum(1 for k, v in data.items() if k != "type" and v not in ("", [], None))
    started = time.perf_counter()
    files = neo4j_admin.export_neo4j_admin(graph, paths(scale)["out"] / "neo4j-import")
    return {"seconds": time.perf_counter() - started, "files": len(files),
            "bytes": sum(Path(f).stat().st_size for f in files), "labels": labels, "types": types,
            "nodes": sum(labels.values()), "relationships": sum(types.values()), "properties": properties}


STEPS = {"snapshot_load": step_snapshot_load, "neo4j": step_neo4j, "build_phases": step_build_phases, "tasks_file": step_tasks_file, "similarity": step_similarity,
         "recall": step_recall, "cypher": step_cypher, "html": step_html}
STEP_MODULES = {"similarity": "respgraph.graph_build.similarity", "recall": "respgraph.graph_build.similarity",
                "neo4j": "respgraph.exports.neo4j_admin",
                "cypher": "respgraph.queries.cypher_engine", "html": "respgraph.exports.html"}


def module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# -- the run ----------------------------------------------------------------------------------

class Report:
    def __init__(self, scale: int):
        self.scale = scale
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, measure: str, result: str, target: str, command: str) -> None:
        self.rows.append((measure, result, target, command))
        print(f"{measure}: {result}", flush=True)


def gib(value: float) -> str:
    return f"{value / 2**30:.2f} GiB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def ensure_corpus(scale: int, seed: int) -> dict:
    corpus = paths(scale)["corpus"]
    manifest_path = corpus / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text("utf-8"))
        if manifest["plans"] == scale and manifest["seed"] == seed:
            return manifest
    result = measure([PYTHON, "bench/generate.py", "--plans", str(scale), "--seed", str(seed), "--out", rel(corpus)])
    if result["code"]:
        raise SystemExit(result["stderr"])
    return json.loads(manifest_path.read_text("utf-8"))


def run(scale: int, seed: int) -> tuple[dict, Report]:
    report = Report(scale)
    p = paths(scale)
    manifest = ensure_corpus(scale, seed)
    shutil.rmtree(p["out"], ignore_errors=True)
    p["out"].mkdir(parents=True)
    env = {"RESPGRAPH_HOME": str(p["home"])}
    megabytes = manifest["bytes"] / 1e6
    plans = rel(p["corpus"] / "plans")
    info = {"machine": machine(), "load_before": load_average(), "plans": manifest["plans"],
            "tasks": manifest["tasks"], "units": manifest["units"], "megabytes": megabytes, "seed": seed}

    step_command = lambda name: [PYTHON, "bench/run.py", "--scale", str(scale), "--step", name]  # noqa: E731
    shown = lambda name: f"`python bench/run.py --scale {scale} --step {name}`"  # noqa: E731

    # Build: cold (empty parse cache), warm (every plan cached), one plan added.
    build = ["respgraph", "build", plans, "-o", rel(p["graph"])]
    cold = measure(RESPGRAPH + build[1:], env)
    if cold["code"]:
        raise SystemExit(cold["stderr"])
    report.add(f"Build {manifest['plans']:,} plans, empty parse cache: wall",
               f"{cold['wall']:.1f} s ({megabytes / cold['wall']:.2f} MB/s, {manifest['tasks'] / cold['wall']:,.0f} tasks/s)",
               "< 60 s", f"`RESPGRAPH_HOME={rel(p['home'])} {' '.join(build)}`")
    report.add("Build, empty parse cache: peak memory",
               f"{gib(cold['tree_peak'])} (PSS of the build and its children; largest process RSS "
               f"{gib(cold['maxrss'])})", "< 4 GiB", "same command")
    warm = measure(RESPGRAPH + build[1:], env)
    report.add("Rebuild, every plan in the parse cache",
               f"{warm['wall']:.1f} s, {gib(warm['tree_peak'])} peak", "", "same command, again")
    cache_folders = [d for d in (p["home"] / "parsed").iterdir() if d.is_dir()]
    before = sum(len(list(d.iterdir())) for d in cache_folders)
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    text, entry = generate.plan(seed, scale, generate.sentence_pool(), generate.non_task_words())
    extra = p["extra"] / Path(entry["file"]).name
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_text(text, encoding="utf-8")
    plus = ["respgraph", "build", plans, rel(extra), "-o", rel(p["graph_plus"])]
    added = measure(RESPGRAPH + plus[1:], env)
    after = sum(len(list(d.iterdir())) for d in (p["home"] / "parsed").iterdir() if d.is_dir())
    report.add("Rebuild after adding one plan", f"{added['wall']:.1f} s, {after - before} plan parsed",
               "parses only the new plan", f"`{' '.join(plus)}`")
    child = measure(step_command("build_phases"))
    if child["code"]:
        report.add("Build stages", f"failed: {child['stderr'].strip().splitlines()[-1:]}", "", shown("build_phases"))
    else:
        phases = step_result(child)
        info["build_phases"] = phases
        report.add("Build stages (in process)", "; ".join(f"{k} {v:.1f} s" for k, v in phases.items()),
                   "", shown("build_phases"))
    sizes = f"snapshot {p['graph'].stat().st_size / 1e6:.0f} MB, index {(p['graph'].parent / 'graph.json.index.sqlite').stat().st_size / 1e6:.0f} MB"

    # Loading the whole graph: what every command without the index pays.
    loaded = measure([PYTHON, "bench/run.py", "--scale", str(scale), "--step", "snapshot_load"])
    result = step_result(loaded)
    info.update(nodes=result["nodes"], edges=result["edges"])
    report.add("Load the JSON snapshot into networkx",
               f"{result['seconds']:.1f} s, {gib(loaded['maxrss'])} peak ({result['nodes']:,} nodes, "
               f"{result['edges']:,} edges; {sizes})", "", f"`python bench/run.py --scale {scale} --step snapshot_load`")

    # CLI answers from the query index.
    imports = [measure([PYTHON, "-c", "import respgraph.cli"])["wall"] for _ in range(QUERY_REPEAT)]
    report.add("CLI start-up (`import respgraph.cli`)", f"{ms(statistics.median(imports))} median of {QUERY_REPEAT}",
               "", "`python -c 'import respgraph.cli'`")
    graph_option = ["--graph", rel(p["graph"])]
    # The busiest city department, asked for by its short name (市工信局: every city has one,
    # so --city picks it), and the busiest 高新区管委会 (a name of one city only).
    rows = json.loads(measure(RESPGRAPH + graph_option + ["load", "--format", "json"])["stdout"])
    department = next(r for r in rows if r["city"].endswith("市") and r["kind"] == "government_department"
                      and r["unit"].startswith(r["city"]))
    city = department["city"]
    department_name = "市" + department["unit"][len(city):]
    zone = next(r for r in rows if r["unit"].endswith("高新区管委会"))["unit"]
    commands = [["load", "--top", "10"], ["load"], ["load", "--city", city, "--top", "10"],
                ["load", "--by", "function", "--top", "10"], ["duties", zone],
                ["duties", department_name, "--city", city], ["tasks", "--city", city], ["units", "--city", city]]
    for args in commands:
        walls = []
        for _ in range(QUERY_REPEAT):
            result = measure(RESPGRAPH + graph_option + args)
            if result["code"]:
                raise SystemExit(f"respgraph {' '.join(args)}: {result['stderr']}")
            walls.append(result["wall"])
        lines = result["stdout"].count("\n") - 2
        report.add(f"`respgraph {' '.join(args)}` end to end",
                   f"{ms(statistics.median(walls))} median, {ms(max(walls))} max of {QUERY_REPEAT} ({lines} rows)",
                   "< 200 ms" if args[0] in ("duties", "load") else "",
                   f"`respgraph --graph {rel(p['graph'])} {' '.join(args)}`")

    # Library rows: each in its own child, skipped when the module is not there.
    if module_present("respgraph.queries.cypher_engine") and module_present("respgraph.queries.library"):
        child = measure(step_command("cypher"))
        if child["code"]:
            report.add("Embedded Cypher", f"failed: {child['stderr'].strip().splitlines()[-1:]}", "", shown("cypher"))
        else:
            result = step_result(child)
            report.add("Embedded Cypher: load the graph (LadybugDB)",
                       f"{result['load_seconds']:.1f} s, {gib(child['maxrss'])} peak", "< 30 s", shown("cypher"))
            slowest = max(result["latency"], key=result["latency"].get)
            report.add("Embedded Cypher: canned queries",
                       "; ".join(f"{name} {ms(s)} ({result['rows'][name]} rows)"
                                 for name, s in sorted(result["latency"].items())),
                       f"each < 500 ms (slowest: {slowest} {ms(result['latency'][slowest])})", shown("cypher"))
    else:
        report.add("Embedded Cypher", "TODO: queries.cypher_engine not found, row skipped", "< 30 s load, < 500 ms a query",
                   shown("cypher"))
    if module_present("respgraph.graph_build.similarity"):
        step_result(measure(step_command("tasks_file")))
        child = measure(step_command("similarity"))
        if child["code"]:
            report.add("Overlap (similar tasks)", f"failed: {child['stderr'].strip().splitlines()[-1:]}", "",
                       shown("similarity"))
        else:
            result = step_result(child)
            stages = ", ".join(f"{k} {v:,.0f}" if isinstance(v, int) or k.endswith("pairs") else f"{k} {v:.1f} s"
                               for k, v in result["stages"].items())
            report.add(f"Overlap: similar tasks across documents, {result['tasks']:,} tasks",
                       f"{result['seconds']:.1f} s, {gib(child['maxrss'])} peak, {result['pairs']:,} pairs"
                       + (f" ({stages})" if stages else ""), "< 60 s, < 4 GiB", shown("similarity"))
            child = measure(step_command("recall"))
            if child["code"]:
                report.add("Overlap recall", f"failed: {child['stderr'].strip().splitlines()[-1:]}", "", shown("recall"))
            else:
                result = step_result(child)
                report.add(f"Overlap recall against exact all-pairs, {result['sample']:,}-task sample",
                           f"{result['recall']:.3f} ({result['found']:,} of {result['exact_pairs']:,} pairs)",
                           "≥ 0.95", shown("recall"))
                full = result.get("full_scale")
                if full:
                    report.add(f"Overlap recall at full scale: {full['rows']:,} tasks' exact top 5 among all "
                               f"{full['tasks']:,}, looked up in the build's pairs",
                               f"{full['recall']:.3f} ({full['found']:,} of {full['neighbours']:,} neighbours)",
                               "", shown("recall"))
    else:
        report.add("Overlap (similar tasks)", "TODO: graph_build.similarity not found, row skipped",
                   "< 60 s, < 4 GiB, recall ≥ 0.95", shown("similarity"))
    if module_present("respgraph.exports.html"):
        child = measure(step_command("html"))
        if child["code"]:
            report.add("HTML export", f"failed: {child['stderr'].strip().splitlines()[-1:]}", "", shown("html"))
        else:
            result = step_result(child)
            report.add("HTML export of a capped view (graph already loaded)",
                       "; ".join(f"{name} view {r['seconds']:.1f} s ({r['nodes']} nodes, {r['bytes'] / 1e6:.1f} MB)"
                                 for name, r in result.items()) + f"; {gib(child['maxrss'])} peak", "", shown("html"))
    else:
        report.add("HTML export", "TODO: exports.html not found, row skipped", "", shown("html"))
    if module_present("respgraph.exports.neo4j_admin"):
        child = measure(step_command("neo4j"))
        if child["code"]:
            report.add("Neo4j import files", f"failed: {child['stderr'].strip().splitlines()[-1:]}", "", shown("neo4j"))
        else:
            result = step_result(child)
            info["neo4j"] = result
            items = result["nodes"] + result["relationships"]
            records = items + result["properties"]
            report.add("Neo4j: CSV files for `neo4j-admin database import`",
                       f"{result['seconds']:.1f} s, {result['files']} files, {result['bytes'] / 1e6:.0f} MB "
                       f"({result['nodes']:,} nodes, {result['relationships']:,} relationships, "
                       f"{result['properties']:,} properties)", "", shown("neo4j"))
            report.add("Neo4j: projected push (no server here)",
                       f"batched UNWIND MERGE: {items:,} nodes+relationships / {UNWIND_ITEMS_PER_SECOND:,} per s "
                       f"≈ {items / UNWIND_ITEMS_PER_SECOND:.0f} s; offline import: {records:,} records / "
                       f"{IMPORT_RECORDS_PER_SECOND:,} per s ≈ {records / IMPORT_RECORDS_PER_SECOND:.1f} s",
                       "", "see /work/notes/scale.md")
    info["load_after"] = load_average()
    return info, report


def markdown(info: dict, report: Report) -> str:
    m = info["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    lines = [
        f"## {info['plans']:,} plans ({info['tasks']:,} tasks, {info['units']:,} responsible-unit mentions, "
        f"{info['megabytes']:.1f} MB of text)",
        "",
        f"Corpus: `python bench/generate.py --plans {info['plans']} --seed {info['seed']} "
        f"--out bench/corpora/{info['plans']}`; graph of {info.get('nodes', 0):,} nodes and {info.get('edges', 0):,} edges. "
        f"Run: `python bench/run.py --scale {info['plans']}`.",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gib']:.0f} GiB, {m['cpu']}, {m['system']}, Python {m['python']}; "
        f"load average {info['load_before']} before the run and {info['load_after']} after it (1, 5, 15 min: "
        "other work on the machine slows every row).",
        "",
        f"Libraries: {versions}.",
        "",
        "| Measure | Result | Target | Command |",
        "|---|---|---|---|",
    ]
    for measure_, result, target, command in report.rows:
        lines.append(f"| {measure_} | {result} | {target} | {command} |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, scale: int, text: str) -> None:
    """Replace this scale's section of BENCHMARKS.md (other scales stay as they were)."""
    begin, end = f"<!-- bench/run.py --scale {scale} -->", f"<!-- end --scale {scale} -->"
    current = path.read_text("utf-8") if path.exists() else (
        "# Benchmarks\n\nMeasured by `python bench/run.py [--scale N]` (see bench/README.md); each section is "
        "rewritten by its own run.\n\n")
    block = f"{begin}\n{text}{end}\n"
    if begin in current:
        current = re.sub(re.escape(begin) + r".*?" + re.escape(end) + r"\n", lambda _: block, current, flags=re.S)
    else:
        # Sections in order of corpus size.
        larger = [m for m in re.finditer(r"<!-- bench/run.py --scale (\d+) -->", current) if int(m.group(1)) > scale]
        at = larger[0].start() if larger else len(current.rstrip("\n")) + 2
        current = current.rstrip("\n") + "\n\n" if not larger else current
        current = current[:at] + block + ("\n" if larger else "") + current[at:]
    path.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=3000, help="plans in the corpus (default 3000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step", choices=sorted(STEPS), help="run one library measurement and print it as JSON")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if args.step:
        module = STEP_MODULES.get(args.step)
        if module and not module_present(module):
            raise SystemExit(f"{module} not found: nothing to measure")
        print(json.dumps(STEPS[args.step](args.scale), ensure_ascii=False))
        return
    info, report = run(args.scale, args.seed)
    text = markdown(info, report)
    print(text)
    if not args.no_write:
        write_section(ROOT / "BENCHMARKS.md", args.scale, text)


if __name__ == "__main__":
    main()
