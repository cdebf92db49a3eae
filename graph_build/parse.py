"""Parse one source text into a ParsedDocument: metadata, outline, tasks."""
from __future__ import annotations

import hashlib
import re

from respgraph.errors import WorkFailed
from .enrich import enrich_document
from .indicators import parse_indicator_tables
from .metadata import parse_metadata, region_from_text
from .model import ParsedDocument, Section, SourceText
from .outline import parse_outline
from .reflow import reflow

GOAL_WORDS = ("发展目标", "总体目标", "工作目标", "主要目标")


class NoTasksError(ValueError, WorkFailed):
    """A document in which no outline or task could be recognised."""


def content_hash(text: str) -> str:
    """Hash of the text with whitespace removed: the same plan re-extracted hashes the same."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


def parse_document(source: SourceText) -> ParsedDocument:
    """Parse a plan; raise NoTasksError when it has neither sections nor tasks."""
    lines = source.lines
    meta, body_start, body_end = parse_metadata(lines)
    sections, tasks = parse_outline(lines[body_start:body_end], first_line=body_start + 1)
    if not tasks and not sections:
        raise NoTasksError(f"{source.path}: no outline or tasks recognised")
    meta.warnings = list(source.warnings) + meta.warnings
    meta.rules = list(dict.fromkeys(rule for task in tasks for rule in task.rules))
    if not meta.region:
        meta.region, meta.level = region_from_text(source.text, [u.printed for t in tasks for u in t.units])
    rows = parse_indicator_tables(lines)
    table_lines = {n for row in rows for n in range(row.line_start, row.line_end + 1)}
    return enrich_document(ParsedDocument(
        source=source, meta=meta, sections=sections, tasks=tasks, content_hash=content_hash(source.text),
        goals=goal_paragraphs(lines, sections, table_lines), indicator_rows=rows))


def goal_paragraphs(lines: list[str], sections: list[Section], skip: set[int]) -> list[tuple[str, int]]:
    """Paragraphs of the goal sections (发展目标, 总体目标 ...), without indicator-table lines.

    Goals are not tasks, but their figures are the plan's headline targets (泉州 lines 29-33,
    厦门 lines 54-69).
    """
    paragraphs = []
    ordered = sorted(sections, key=lambda s: s.line)
    for index, section in enumerate(ordered):
        if not any(word in section.title for word in GOAL_WORDS):
            continue
        end = ordered[index + 1].line - 1 if index + 1 < len(ordered) else len(lines)
        span = [line if number not in skip and "\t" not in line else ""
                for number, line in enumerate(lines[section.line:end], start=section.line + 1)]
        for block in reflow(span, first_line=section.line + 1):
            if not block.table:
                paragraphs.append((block.text, block.line_start))
    return paragraphs
