"""Read plan files from disk into SourceText: detect the encoding, refuse binary or empty input.

Plain text (.txt, .md, no suffix) is read here; Word (.docx, .doc, .wps), PDF, HTML and workbook
files go through ``graph_build.formats`` (their libraries are the optional extra ``respgraph[docs]``).
"""
from __future__ import annotations

import os
from pathlib import Path

from respgraph.errors import WorkFailed
from .model import SourceText

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
# Encodings a Chinese plan is likely saved in when it is not UTF-8; each is tried besides the
# one charset-normalizer proposes, because on a line or two of CJK text it often proposes
# cp949, johab or shift_jis (measured on one-line snippets of the bundled plans: 15% wrong).
CANDIDATES = ("gb18030", "big5", "utf-16-le", "utf-16-be")
PLAUSIBLE = 0.6  # share of characters that must look like Chinese or ASCII text
SAMPLE = 4000  # characters scored per candidate
CJK_PUNCTUATION = set("，。、；：？！“”‘’（）〔〕【】《》〈〉「」『』—…·％－．～￥　")


class SourceError(ValueError, WorkFailed):
    """An input that cannot be read as a plan: missing, empty, binary, undecodable."""


def _common_hanzi(char: str) -> float:
    """1 for a common Chinese character (GB2312 level 1), 0.5 for level 2, 0 otherwise.

    Traditional characters are scored by their simplified form, so a Big5 plan scores like
    a GB one; a wrong decoding yields rare characters, kana or hangul and scores low.
    """
    from .headings import simplified

    try:
        lead = simplified(char).encode("gb2312")[0]
    except UnicodeEncodeError:
        return 0.0
    if 0xB0 <= lead <= 0xD7:
        return 1.0
    return 0.5 if 0xD8 <= lead <= 0xF7 else 0.0


def plausibility(text: str) -> float:
    """How much ``text`` looks like a Chinese document: the share of common characters."""
    total = score = 0.0
    for char in text[:SAMPLE]:
        if char.isspace():
            continue
        total += 1
        if char.isascii():
            score += 1.0 if char.isprintable() else 0.0
        elif "\u4e00" <= char <= "\u9fff":
            score += _common_hanzi(char)
        elif char in CJK_PUNCTUATION or "\uff01" <= char <= "\uff5e":
            score += 1.0
    return score / total if total else 0.0


def _best_decoding(raw: bytes, encodings: list[str]) -> tuple[float, str, str] | None:
    """(plausibility, text, encoding) of the decoding that reads most like Chinese text.

    Ties go to the encoding listed first.
    """
    best: tuple[float, str, str] | None = None
    for encoding in dict.fromkeys(encodings):
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    return best


def decode_bytes(raw: bytes, path: str) -> tuple[str, str]:
    """Decode a text file's bytes; return the text and the encoding used.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as they are; NUL bytes mean
    UTF-16 without a BOM, or a binary file. Otherwise charset-normalizer proposes an encoding,
    GB18030, Big5 and UTF-16 are tried too, and the decoding that reads most like Chinese text
    wins; on a tie (a few characters can be read several ways) GB18030, the mainland standard.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw[:4096]:
        best = _best_decoding(raw, ["utf-16-le", "utf-16-be"])
        if best is None or best[0] < PLAUSIBLE:
            raise SourceError(f"{path}: binary file, not text")
        return best[1], best[2]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    proposed = from_bytes(raw).best()
    names = [CANDIDATES[0]] + ([preferred_encoding(proposed.encoding)] if proposed is not None else []) + list(CANDIDATES)
    best = _best_decoding(raw, names)
    if best is None or best[0] < PLAUSIBLE:
        raise SourceError(f"{path}: cannot detect the text encoding (not Chinese or ASCII text?)")
    return best[1], best[2]


def preferred_encoding(encoding: str) -> str:
    """GB18030 for GB2312/GBK (a superset: never fails where they would); Python's spelling."""
    encoding = encoding.lower().replace("_", "-")
    return "gb18030" if encoding in {"gb2312", "gbk", "gb18030"} else encoding


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
        if not text.strip():
            raise SourceError(f"{file}: empty file")
        return SourceText(path=str(file), text=text, encoding=encoding,
                          format="markdown" if suffix in MARKDOWN_SUFFIXES else "txt")
    from . import formats

    return formats.read_other(file, raw)


# Files a folder of plans carries about itself (../shared/real-plans/README.md describes the
# plans beside it): skipped inside a folder, read when named.
FOLDER_NOTES = {"readme", "license", "licence", "changelog", "notice", "copying"}


def expand_paths(paths: list[str | os.PathLike], skipped: list[str] | None = None) -> list[Path]:
    """Files named directly, plus every readable file under named folders, in a stable order.

    Inside a folder, files of a type respgraph does not read, hidden files and folders, Office
    lock files (~$plan.docx) and the folder's own notes (README.md, LICENSE) are skipped; each is added to ``skipped`` (when given) as
    "path: skipped (reason)", a hidden folder once. Files without a suffix are read as text.
    """
    from . import formats

    readable = TEXT_SUFFIXES | formats.SUFFIXES | {""}
    found: list[Path] = []
    for path in paths:
        item = Path(path)
        if not item.is_dir():
            found.append(item)
            continue
        hidden_folders: list[Path] = []
        for file in sorted(p for p in item.rglob("*") if p.is_file()):
            parts = file.relative_to(item).parts
            hidden = next((index for index, part in enumerate(parts) if part.startswith(".")), None)
            if hidden is not None and hidden < len(parts) - 1:
                folder = item.joinpath(*parts[:hidden + 1])
                if folder not in hidden_folders:
                    hidden_folders.append(folder)
                    _skip(skipped, folder, "hidden folder")
            elif hidden is not None:
                _skip(skipped, file, "hidden file")
            elif file.name.startswith("~$"):
                _skip(skipped, file, "Office lock file")
            elif file.stem.lower() in FOLDER_NOTES:
                _skip(skipped, file, "the folder's own notes, not a plan; name the file to read it")
            elif file.suffix.lower() not in readable:
                _skip(skipped, file, formats.unsupported(file.suffix.lower()).split(";")[0])
            else:
                found.append(file)
    return found


def _skip(skipped: list[str] | None, path: Path, reason: str) -> None:
    if skipped is not None:
        skipped.append(f"{path}: skipped ({reason})")
