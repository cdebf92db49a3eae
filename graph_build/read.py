"""Read plan files from disk into SourceText: detect the encoding, refuse binary or empty input.

Only plain text (.txt, .md) is read here; other formats (.docx, .pdf, .html) come through
``graph_build.formats`` when their optional libraries are installed.
"""
from __future__ import annotations

import os
from pathlib import Path

from .model import SourceText

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}


class SourceError(ValueError):
    """An input that cannot be read as a plan: missing, empty, binary, undecodable."""


def decode_bytes(raw: bytes, path: str) -> tuple[str, str]:
    """Decode a text file's bytes; return the text and the encoding used.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as they are; anything else is
    detected by charset-normalizer, which handles GB18030/GBK, Big5 and the rest.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw[:4096]:
        raise SourceError(f"{path}: binary file, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise SourceError(f"{path}: cannot detect the text encoding")
    encoding = best.encoding
    if encoding in {"gb2312", "gbk"}:
        encoding = "gb18030"  # a superset: never fails where GBK would
    return raw.decode(encoding, errors="strict"), encoding


def read_source(path: str | os.PathLike) -> SourceText:
    """Read one plan file; raise SourceError with a one-line reason when it cannot be used."""
    file = Path(path)
    if not file.exists():
        raise SourceError(f"{file}: no such file")
    if file.is_dir():
        raise SourceError(f"{file}: is a folder")
    raw = file.read_bytes()
    if not raw.strip():
        raise SourceError(f"{file}: empty file")
    suffix = file.suffix.lower()
    if suffix in TEXT_SUFFIXES or suffix == "":
        text, encoding = decode_bytes(raw, str(file))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return SourceText(path=str(file), text=text, encoding=encoding,
                          format="markdown" if suffix in {".md", ".markdown"} else "txt")
    from . import formats

    return formats.read_other(file, raw)


def expand_paths(paths: list[str | os.PathLike]) -> list[Path]:
    """Files named directly, plus every readable file under named folders, in a stable order."""
    from . import formats

    found: list[Path] = []
    for path in paths:
        item = Path(path)
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*")
                                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | formats.SUFFIXES))
        else:
            found.append(item)
    return found
