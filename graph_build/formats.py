"""Readers for plan files that are not plain text (.docx, .pdf, .html)."""
from __future__ import annotations

from pathlib import Path

from .model import SourceText

SUFFIXES: set[str] = set()


def read_other(file: Path, raw: bytes) -> SourceText:
    """Read a non-text plan file, or say which formats are supported."""
    from .read import SourceError

    raise SourceError(f"{file}: unsupported file type {file.suffix or '(none)'}; use .txt or .md")
