"""Benchmark of graph_build.similarity at scale: time, peak memory, recall against exact search.

    python bench/similarity_bench.py              # 100000 synthetic tasks, recall on a 5000 sample
    python bench/similarity_bench.py --stress     # the same with variants of the 278 real tasks only
    python bench/similarity_bench.py -n 20000 --sample 2000 --check-rows 200
    python bench/similarity_bench.py --labelled   # precision/recall of the labelled pairs by threshold

The synthetic tasks recombine and perturb the sentences of the bundled plans' tasks, seeded so
that every run sees the same texts (see ``synthetic_tasks``). They come in "documents" of 40
tasks: 100000 tasks are 2500 documents.

Each measurement runs in a fresh child process, so the peak RSS (VmHWM) is that stage's own.
Besides the 5000-task sample compared with ``exact_pairs``, ``--check-rows`` tasks of the full
run get their exact top-k against all n texts (brute force) to measure recall at full scale.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path

TASKS_PER_DOCUMENT = 40
FAMILY_SIZE = 8
CITIES = ["福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德", "平潭"]
VERB_SWAPS = [("建设", "实施"), ("打造", "构建"), ("推进", "推动"), ("加快", "加速"), ("工程", "行动"),
              ("提升", "优化"), ("平台", "体系")]
_SENTENCE_END = re.compile(r"(?<=[。；！？])")
_CLAUSE = re.compile(r"(?<=[，、])")


def real_tasks() -> list[tuple[str, str]]:
    """(title, text) of every task of the bundled plans, in a stable order."""
    from respgraph import graph_build
    from respgraph.graph_build.model import SourceText
    from respgraph.graph_build.parse import parse_document

    out = []
    for path in graph_build.bundled_plans():
        doc = parse_document(SourceText(str(path), path.read_text(encoding="utf-8")))
        out.extend((task.title, task.text) for task in doc.tasks)
    return out


def synthetic_tasks(n: int, seed: int = 0, tasks: list[tuple[str, str]] | None = None, *,
                    per_document: int = TASKS_PER_DOCUMENT, family_size: int = FAMILY_SIZE,
                    stress: bool = False) -> tuple[list[str], list[str]]:
    """``n`` synthetic "title + text" strings and their document ids; the same for the same seed.

    Two layers, as in real plans: *prototypes* (what a task is about) and *variants* (how one
    document words it). A prototype takes a real task's title and some of its sentences, borrows
    sentences of other tasks, and gets its own terms: a few of its characters are replaced
    consistently in all its variants, as a topic brings its own vocabulary (中小学智慧校园,
    海洋牧场) that the rest of the corpus lacks. Prototype popularity follows a Zipf law
    (exponent 0.5, on average ``family_size`` variants): a few topics are in hundreds of
    documents, most in a handful. A variant swaps title verbs, drops sentences and clauses,
    replaces a few characters at random (typos, local names) and renames the city.

    ``stress=True`` skips the prototype layer: every task is a variant of one of the 278 real
    tasks, so at 100 000 tasks each has ~360 near-identical cousins and no term is rare: the
    worst case for any candidate search.
    """
    rng = random.Random(seed)
    tasks = tasks if tasks is not None else real_tasks()
    split = [(title, [s for s in _SENTENCE_END.split(text) if s.strip()]) for title, text in tasks]
    pool = [s for _, sentences in split for s in sentences]
    alphabet = sorted({ch for s in pool for ch in s if "\u4e00" <= ch <= "\u9fff"})
    if stress:
        prototypes = split
        weights = None
    else:
        prototypes = []
        for _ in range(max(1, n // family_size)):
            title, sentences = split[rng.randrange(len(split))]
            body = [s for s in sentences if rng.random() < 0.7] or [rng.choice(sentences or pool)]
            body += [rng.choice(pool) for _ in range(rng.randrange(3))]
            body = [_replace_chars(s, alphabet, rng, max(1, len(s) // 25)) for s in body]
            prototypes.append((title, body))
        weights = [1 / (rank + 1) ** 0.5 for rank in range(len(prototypes))]
    cumulative = list(itertools.accumulate(weights)) if weights else None
    texts, groups = [], []
    for i in range(n):
        if cumulative:
            title, sentences = prototypes[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        else:
            title, sentences = prototypes[rng.randrange(len(prototypes))]
        for old, new in VERB_SWAPS:
            if old in title and rng.random() < 0.3:
                title = title.replace(old, new)
        kept = [s for s in sentences if rng.random() < 0.8] or [rng.choice(sentences or pool)]
        kept += [rng.choice(pool) for _ in range(rng.randrange(2))]
        body = []
        for sentence in kept:
            clauses = _CLAUSE.split(sentence)
            if len(clauses) > 2 and rng.random() < 0.4:
                del clauses[rng.randrange(len(clauses))]
            body.append(_replace_chars("".join(clauses), alphabet, rng, rng.randrange(3)))
        text = title + " " + "".join(body)
        texts.append(re.sub("福州|厦门|泉州", rng.choice(CITIES), text))
        groups.append(f"doc{i // per_document:05d}")
    return texts, groups


def _replace_chars(text: str, alphabet: list[str], rng: random.Random, count: int) -> str:
    chars = list(text)
    for _ in range(count if chars else 0):
        chars[rng.randrange(len(chars))] = rng.choice(alphabet)
    return "".join(chars)


def peak_rss_mib() -> float:
    """This process's peak resident set size (VmHWM) in MiB."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_stage(stage: str, n: int, sample: int, seed: int, top_k: int, stress: bool, check_rows: int) -> dict:
    """One measurement in this process (``main`` runs each stage in a child process)."""
    import numpy as np

    from respgraph.graph_build import similarity

    texts, groups = synthetic_tasks(n, seed, stress=stress)
    if stage == "scale":
        before = peak_rss_mib()
        timings: dict = {}
        wall, cpu = time.perf_counter(), time.process_time()
        pairs = similarity.similar_pairs(texts, groups, top_k=top_k, timings=timings)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = peak_rss_mib()
        return {"n": n, "documents": len(set(groups)), "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
                "pairs": len(pairs), "peak_rss_mib": round(peak), "rss_before_mib": round(before),
                "stages": timings, "row_recall": row_recall(texts, groups, pairs, check_rows, seed, top_k, np)}
    rng = random.Random(seed + 1)
    picked = sorted(rng.sample(range(n), min(sample, n)))
    sub_texts, sub_groups = [texts[i] for i in picked], [groups[i] for i in picked]
    start = time.perf_counter()
    approx = similarity.similar_pairs(sub_texts, sub_groups, top_k=top_k)
    approx_seconds = time.perf_counter() - start
    start = time.perf_counter()
    exact = similarity.exact_pairs(sub_texts, sub_groups, top_k=top_k)
    exact_seconds = time.perf_counter() - start
    found = {(i, j) for i, j, _ in approx}
    wanted = {(i, j) for i, j, _ in exact}
    return {"sample": len(picked), "exact_pairs": len(wanted), "approx_pairs": len(found),
            "recall": round(len(found & wanted) / max(1, len(wanted)), 4),
            "precision": round(len(found & wanted) / max(1, len(found)), 4),
            "approx_seconds": round(approx_seconds, 2), "exact_seconds": round(exact_seconds, 2)}


def row_recall(texts, groups, pairs, rows: int, seed: int, top_k: int, np) -> dict:
    """Recall at full scale: for ``rows`` sampled items, the share of their exact top_k
    neighbours (cosine against all n texts, brute force) that ``pairs`` contains."""
    from respgraph.graph_build import similarity

    if rows <= 0:
        return {}
    start = time.perf_counter()
    matrix = similarity.tfidf_matrix(texts)
    group = similarity._group_codes(groups)
    picked = np.array(sorted(random.Random(seed + 2).sample(range(len(texts)), min(rows, len(texts)))))
    neighbours: dict[int, set[int]] = {}
    for i, j, _ in pairs:
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    transposed = matrix.T.tocsr()
    wanted = found = 0
    for block in range(0, len(picked), 50):
        ids = picked[block:block + 50]
        scores = np.round((matrix[ids] @ transposed).toarray(), 9)
        scores[group[ids][:, None] == group[None, :]] = -1
        for row, item in zip(scores, ids.tolist()):
            above = np.flatnonzero(row >= similarity.THRESHOLD)
            best = sorted(above.tolist(), key=lambda j: (-row[j], j))[:top_k]
            wanted += len(best)
            found += sum(j in neighbours.get(item, ()) for j in best)
    return {"rows": len(picked), "neighbours": wanted, "recall": round(found / max(1, wanted), 4),
            "seconds": round(time.perf_counter() - start, 1)}


def labelled_report() -> None:
    """Precision/recall/F1 of the labelled pairs at several thresholds, and n-gram variants."""
    import csv

    import numpy as np
    from sklearn.metrics import average_precision_score

    from respgraph import graph_build
    from respgraph.graph_build import similarity
    from respgraph.graph_build.model import SourceText
    from respgraph.graph_build.parse import parse_document

    items, index = [], {}
    for path in graph_build.bundled_plans():
        doc = parse_document(SourceText(str(path), path.read_text(encoding="utf-8")))
        for task in doc.tasks:
            index[(path.name, task.ordinal)] = len(items)
            items.append((path.name, task))
    texts = [task.title + " " + task.text for _, task in items]
    groups = [name for name, _ in items]
    labelled = Path(__file__).resolve().parent.parent / "tests" / "data" / "similar_pairs.csv"
    with open(labelled, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pairs = [(index[(r["file_a"], int(r["ordinal_a"]))], index[(r["file_b"], int(r["ordinal_b"]))]) for r in rows]
    truth = np.array([r["label"] == "similar" for r in rows])
    hard = np.array([r["difficulty"] == "hard" for r in rows])

    def counts(predicted, mask=None):
        mask = np.ones(len(truth), bool) if mask is None else mask
        tp, fp = int((predicted & truth & mask).sum()), int((predicted & ~truth & mask).sum())
        fn = int((~predicted & truth & mask).sum())
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        return precision, recall, 2 * precision * recall / max(1e-9, precision + recall), tp, fp, fn

    def scores_for(sizes):
        matrix = similarity.tfidf_matrix(texts, sizes)
        left, right = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
        return np.round(np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1)).ravel(), 4)

    def best_cut(scores):
        f1, cut = max((counts(scores >= t)[2], -t) for t in np.unique(scores))
        below = scores[scores < -cut]
        return f1, -cut, (below.max() if len(below) else 0.0)

    scores = scores_for(similarity.NGRAM_SIZES)
    print(f"{len(rows)} labelled pairs: {int(truth.sum())} similar, {int((~truth).sum())} not similar, "
          f"{int(hard.sum())} hard\n")
    print("| threshold | precision | recall | F1 | TP | FP | FN |\n| --- | --- | --- | --- | --- | --- | --- |")
    for threshold in sorted({0.10, 0.12, 0.13, 0.135, similarity.THRESHOLD, 0.14, 0.15, 0.16, 0.18, 0.20}):
        p, r, f, tp, fp, fn = counts(scores >= threshold)
        print(f"| {threshold} | {p:.3f} | {r:.3f} | {f:.3f} | {tp} | {fp} | {fn} |")
    f1, cut, below = best_cut(scores)
    print(f"\nbest F1 {f1:.3f} for cuts in ({below}, {cut}]")
    emitted = {(i, j) for i, j, _ in similarity.similar_pairs(texts, groups)}
    p, r, f, *_ = counts(np.array([(min(a, b), max(a, b)) in emitted for a, b in pairs]))
    print(f"pairs emitted by similar_pairs (top_k=5): precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}")
    p, r, f, *_ = counts(scores >= similarity.THRESHOLD, hard)
    print(f"hard pairs only, at THRESHOLD: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}\n")
    print("| character n-grams | average precision | best F1 | at cut |\n| --- | --- | --- | --- |")
    for sizes in [(1,), (2,), (3,), (1, 2), (2, 3), (1, 2, 3), (2, 3, 4)]:
        variant = scores_for(sizes)
        f1, cut, _ = best_cut(variant)
        print(f"| {'+'.join(map(str, sizes))} | {average_precision_score(truth, variant):.3f} | {f1:.3f} | {cut} |")


def machine() -> dict:
    import numpy
    import scipy
    import sklearn

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo", encoding="ascii")
                   if line.startswith("MemTotal:")), 0)
    return {"nproc": os.cpu_count(), "memory_mib": memory, "cpu": cpu, "python": platform.python_version(),
            "numpy": numpy.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="synthetic tasks to time (default 100000)")
    parser.add_argument("--sample", type=int, default=5000, help="tasks compared with exact search (default 5000)")
    parser.add_argument("--check-rows", type=int, default=500,
                        help="items of the n whose exact neighbours are checked at full scale (default 500, 0: skip)")
    parser.add_argument("--stress", action="store_true", help="variants of the 278 real tasks only (worst case)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--labelled", action="store_true",
                        help="print the labelled pairs' precision/recall table instead of timing")
    parser.add_argument("--stage", choices=["scale", "recall"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.labelled:
        labelled_report()
        return
    options = ["-n", str(args.n), "--sample", str(args.sample), "--check-rows", str(args.check_rows),
               "--seed", str(args.seed), "--top-k", str(args.top_k)] + (["--stress"] if args.stress else [])
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.n, args.sample, args.seed, args.top_k, args.stress,
                                   args.check_rows)))
        return
    load_before = os.getloadavg()
    results = {}
    for stage in ("scale", "recall"):
        child = subprocess.run([sys.executable, __file__, "--stage", stage, *options],
                               capture_output=True, text=True, check=True)
        results[stage] = json.loads(child.stdout.strip().splitlines()[-1])
    load_after = os.getloadavg()
    from respgraph.graph_build import similarity

    info, scale, recall = machine(), results["scale"], results["recall"]
    defaults = ["-n", "100000", "--sample", "5000", "--check-rows", "500", "--seed", "0", "--top-k", "5"]
    given = [f"{flag} {value}" for flag, value, default in zip(options[::2], options[1::2], defaults[1::2])
             if value != default]
    command = " ".join(["python bench/similarity_bench.py", *given] + (["--stress"] if args.stress else []))
    stages = ", ".join(f"{name} {value} s" for name, value in scale["stages"].items() if name != "candidate_pairs")
    rows = [
        ("command", f"`{command}`"),
        ("machine", f"{info['nproc']} CPUs ({info['cpu']}), {info['memory_mib']} MiB RAM; load average "
                    f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"),
        ("versions", f"Python {info['python']}, numpy {info['numpy']}, scipy {info['scipy']}, "
                     f"scikit-learn {info['sklearn']}"),
        ("data", ("variants of the 278 real tasks (stress)" if args.stress else "prototypes + variants")
         + f", seed {args.seed}"),
        ("threshold, top_k", f"{similarity.THRESHOLD}, {args.top_k}"),
        ("tasks (documents)", f"{scale['n']} ({scale['documents']})"),
        ("similar_pairs wall time", f"{scale['seconds']} s (CPU {scale['cpu_seconds']} s, 2 threads)"),
        ("stages", f"{stages}; {scale['stages'].get('candidate_pairs', 0)} candidate pairs rescored"),
        ("peak RSS (VmHWM)", f"{scale['peak_rss_mib']} MiB (texts alone: {scale['rss_before_mib']} MiB)"),
        ("pairs kept", f"{scale['pairs']}"),
        ("recall vs exact, sample", f"{recall['recall']} on a {recall['sample']}-task sample "
                                    f"({recall['exact_pairs']} exact pairs; precision {recall['precision']}; "
                                    f"similar_pairs {recall['approx_seconds']} s, exact_pairs "
                                    f"{recall['exact_seconds']} s)"),
    ]
    if scale["row_recall"]:
        check = scale["row_recall"]
        rows.append(("recall vs exact, full scale", f"{check['recall']}: exact top-{args.top_k} of "
                                                    f"{check['rows']} sampled tasks against all {scale['n']} "
                                                    f"({check['neighbours']} neighbours)"))
    print("| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
