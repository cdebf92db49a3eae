"""Parse CPU of a corpus, against Python's floor and interpreter start-up, in CPU-seconds.

    python bench/parse_cpu.py CORPUS_FOLDER [--repeat 3]

Prints one JSON line: files, tasks, annotated tasks, parse CPU-seconds (median of the repeats,
process time of this process only: the parse runs in-process, one file after another), the
floor (read + decode + splitlines + one annotation-bracket regex over the same bytes) and
interpreter start-up (``python -c pass``, CPU of the child), with the ratios between them, so
that a run on a shared machine still compares with another run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from respgraph.graph_build.parse import parse_document
from respgraph.graph_build.read import read_source

BRACKET = re.compile(r"[（(〔【][^）)〕】]{0,200}[）)〕】]")


def parse_all(files: list[Path]) -> tuple[float, int, int]:
    started = time.process_time()
    tasks = annotated = 0
    for path in files:
        doc = parse_document(read_source(path))
        tasks += len(doc.tasks)
        annotated += sum(1 for t in doc.tasks if t.units)
    return time.process_time() - started, tasks, annotated


def floor(files: list[Path]) -> float:
    started = time.process_time()
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for line in text.splitlines():
            BRACKET.findall(line)
    return time.process_time() - started


def startup() -> float:
    before = os.times()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    files = sorted(p for p in Path(options.corpus).iterdir() if p.is_file())
    runs = [parse_all(files) for _ in range(options.repeat)]
    parse_cpu = statistics.median(r[0] for r in runs)
    floor_cpu = statistics.median(floor(files) for _ in range(options.repeat))
    start_cpu = statistics.median(startup() for _ in range(5))
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    print(json.dumps({
        "files": len(files), "megabytes": round(megabytes, 2), "tasks": runs[0][1], "annotated": runs[0][2],
        "parse_cpu_s": round(parse_cpu, 2), "floor_cpu_s": round(floor_cpu, 3), "startup_cpu_s": round(start_cpu, 3),
        "parse_mb_per_cpu_s": round(megabytes / parse_cpu, 2), "parse_over_floor": round(parse_cpu / floor_cpu, 1),
        "parse_over_startup": round(parse_cpu / start_cpu, 1), "load_average": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()
