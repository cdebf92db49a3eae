"""Documents → responsibility graph: read, parse, resolve, assemble.

>>> from respgraph import graph_build
>>> graph = graph_build.build(graph_build.bundled_plans())   # doctest: +SKIP
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from respgraph.errors import WorkFailed
from .cache import parse_path
from .curated import bundled_plans, data_dir
from .graph import assemble
from .parse import NoTasksError
from .read import SourceError, expand_paths

__all__ = ["build", "build_report", "BuildReport", "bundled_plans", "BuildError"]


class BuildError(ValueError, WorkFailed):
    """No input could be built into a graph."""


@dataclass
class BuildReport:
    """What a build did: the graph, the inputs it used, and per-file failures and warnings.

    ``checks`` counts the findings of ``graph_build.check`` per built file and kind (files
    without findings left out): what `respgraph check` would list. ``skipped`` names each file
    a folder held that was not read, and why ("plans/a.pptx: skipped (unsupported file type .pptx)").
    """

    graph: nx.MultiDiGraph
    inputs: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checks: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def file_label(path: Path) -> str:
    """How a source file is cited: bundled plans by their data/ path, others as given."""
    try:
        return "data/" + path.resolve().relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def build_report(paths: list[str | os.PathLike],
                 while_overlap: Callable[[nx.MultiDiGraph], None] | None = None,
                 on_progress: Callable[[str, int, int | None], None] | None = None) -> BuildReport:
    """Build the graph from files and folders, collecting failures instead of stopping.

    The same plan given twice (same text, another name) is built once, with a warning.
    ``while_overlap`` is passed on to ``assemble``. ``on_progress(stage, done, total)`` hears
    ("parsed", files done, files) after each file, then the stages of ``assemble``.
    """
    parsed, report = [], BuildReport(graph=nx.MultiDiGraph())
    seen: dict[str, str] = {}
    files = expand_paths(list(paths), report.skipped)
    for number, path in enumerate(files):
        if on_progress is not None:
            on_progress("parsed", number, len(files))
        label = file_label(path)
        try:
            doc = parse_path(path)
        except (SourceError, NoTasksError) as error:
            report.failures.append(str(error))
            continue
        if not doc.tasks:
            report.failures.append(f"{label}: no tasks recognised")
            continue
        if doc.content_hash in seen:
            report.warnings.append(f"{label}: same content as {seen[doc.content_hash]}, built once")
            continue
        seen[doc.content_hash] = label
        report.warnings.extend(f"{label}: {w}" for w in doc.meta.warnings)
        report.inputs.append({"file": label, "sha256": doc.content_hash, "tasks": len(doc.tasks)})
        parsed.append((doc, label))
    if not files:
        report.failures.append("no input files given")
    elif on_progress is not None:
        on_progress("parsed", len(files), len(files))

    def beside_overlap(graph: nx.MultiDiGraph) -> None:
        if while_overlap is not None:
            while_overlap(graph)
        report.checks = check_counts(parsed)  # in the wait for the overlap child, when there is one

    report.graph = assemble(parsed, while_overlap=beside_overlap if parsed else None, on_progress=on_progress)
    report.inputs.sort(key=lambda item: item["file"])
    report.graph.graph["inputs"] = [f"{i['file']}#{i['sha256'][:12]}" for i in report.inputs]
    return report


def check_counts(parsed: list[tuple]) -> dict[str, dict[str, int]]:
    """Findings per kind (summary left out) of each parsed document that has any, by file label."""
    from .check import check_document, counts

    found = {}
    for doc, label in parsed:
        try:
            kinds = counts(check_document(doc, label))
        except Exception:  # noqa: BLE001 - the check never fails a build; `respgraph check` says why
            kinds = {"failed": 1}
        if kinds:
            found[label] = dict(kinds)
    return dict(sorted(found.items()))


def build(paths: list[str | os.PathLike]) -> nx.MultiDiGraph:
    """The responsibility graph of the given plan files or folders.

    Raises BuildError when no input yields tasks; unreadable inputs are skipped (see
    ``build_report`` for the per-file reasons).
    """
    report = build_report(paths)
    if not report.inputs:
        raise BuildError("; ".join(report.failures) or "no tasks in any input")
    return report.graph
