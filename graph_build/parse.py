"""Parse one source text into a ParsedDocument: metadata, outline, tasks."""
from __future__ import annotations

import hashlib
import re

from .metadata import parse_metadata
from .model import ParsedDocument, SourceText
from .outline import parse_outline


class NoTasksError(ValueError):
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
    return ParsedDocument(source=source, meta=meta, sections=sections, tasks=tasks,
                          content_hash=content_hash(source.text))
