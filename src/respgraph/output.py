"""One place that turns rows into table, JSON or CSV output (the sqlite-utils way)."""
from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import re

CELL_MAX = 48  # table cells longer than this are cut with …; JSON and CSV keep everything

# Display width, as wcwidth measures it (tests/test_output.py holds the two together).
# `respgraph load` draws 16,089 rows, and measuring each cell three times with wcwidth was most
# of its time. Most cells are made only of characters whose width does not depend on their
# neighbours: one column (printable ASCII and Latin-1, general punctuation, letterlike symbols,
# arrows, maths, enclosed numbers, box drawing) or two (CJK ideographs, radicals, kana,
# bopomofo, Hangul syllables, CJK and full-width punctuation). Such a text is measured with two
# regexes, in C, and a column of them at once (``_column``); any other text (combining marks,
# emoji and their sequences, control characters) goes to wcwidth.
_NARROW = r"\x20-\x7e\xa0-\u02ff\u2010-\u2027\u2030-\u205e\u2100-\u2319\u2460-\u25fc"
_WIDE = (r"\u2e80-\u2e99\u2e9b-\u2ef3\u2f00-\u2fd5\u2ff0-\u3029\u3030-\u303e\u3041-\u3096\u309b-\u30ff"
         r"\u3105-\u312f\u3190-\u31e5\u31ef-\u321e\u3220-\u3247\u3250-\ua48c\ua490-\ua4c6\uac00-\ud7a3"
         r"\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe52\ufe54-\ufe66\ufe68-\ufe6b\uff01-\uff60\uffe0-\uffe6"
         r"\U00020000-\U0002fffd\U00030000-\U0003fffd")


@functools.lru_cache(maxsize=None)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """(a text of those characters only, what is not two columns wide); compiled on first use
    (5 ms, which a command printing JSON need not pay)."""
    return re.compile(f"[{_NARROW}{_WIDE}]*"), re.compile(f"[^{_WIDE}]+")


def cell_text(value) -> str:
    """A value as one table/CSV cell: lists joined with 、, dicts as key=value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={cell_text(v)}" for k, v in value.items())
    return str(value)


def width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters two), as wcwidth.wcswidth measures
    it; its length when wcwidth cannot measure it (control characters)."""
    if text.isascii() and text.isprintable():
        return len(text)
    if _patterns()[0].fullmatch(text):
        return _simple_width(text)
    from wcwidth import wcswidth

    measured = wcswidth(text)
    return measured if measured >= 0 else len(text)


def _simple_width(text: str) -> int:
    """Width of a text made only of the characters ``_patterns`` knows: one column each, plus
    one for each wide one."""
    return len(text) + len(_patterns()[1].sub("", text))


def clip(text: str, limit: int = CELL_MAX) -> str:
    """Cut a cell to ``limit`` display columns (CJK characters count two)."""
    text = text.replace("\n", " ")
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        w = max(width(char), 0)
        if used + w > limit - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def _column(heading: str, values: list) -> list[str]:
    """One column of a table: heading, rule and cells, each cut to CELL_MAX and padded to the
    column's width.

    This runs for every cell of a 16,000-row table, so a column is measured in one go when it
    can be: all printable ASCII (a number column), or all made of the characters whose width
    ``width`` knows itself (the loops then run in C); any other column cell by cell.
    """
    kinds = set(map(type, values))
    if kinds <= {str}:
        texts = list(values)
    elif kinds <= {int}:
        texts = list(map(str, values))
    else:
        texts = list(map(cell_text, values))
    joined = "".join(texts)
    plain = joined.isascii() and joined.isprintable()   # one column per character
    if plain:
        widths = list(map(len, texts))
    elif _patterns()[0].fullmatch(joined):
        measured = {text: _simple_width(text) for text in set(texts)}   # a city, many rows
        widths = list(map(measured.__getitem__, texts))
    else:
        texts = [text.replace("\n", " ") for text in texts]
        widths = list(map(width, texts))
    if widths and max(widths) > CELL_MAX:
        for index, size in enumerate(widths):
            if size > CELL_MAX:
                texts[index] = clip(texts[index])
                widths[index] = width(texts[index])
        plain = False
    head = width(heading)
    size = max([head, *widths])
    if plain:
        cells = list(map(str.ljust, texts, itertools.repeat(size, len(texts))))
    else:
        cells = [text + " " * (size - used) for text, used in zip(texts, widths)]
    return [heading + " " * (size - head), "-" * size, *cells]


def render_table(rows: list[dict], columns: list[str]) -> str:
    """Columns aligned by display width, so Chinese text lines up."""
    padded = [_column(column, [row.get(column) for row in rows]) for column in columns]
    return "\n".join(["  ".join(line).rstrip() for line in zip(*padded)])


def render_csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(row.get(c)) for c in columns])
    return buffer.getvalue().rstrip("\n")


def render(rows: list[dict], fmt: str, columns: list[str], csv_columns: list[str] | None = None) -> str:
    """Rows as ``fmt`` (table, json or csv); JSON keeps every field, nested as built."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return render_csv(rows, csv_columns or columns)
    if not rows:
        return "(no rows)"
    return render_table(rows, columns)
