"""One place that turns rows into table, JSON or CSV output (the sqlite-utils way)."""
from __future__ import annotations

import csv
import io
import json

from wcwidth import wcswidth

CELL_MAX = 48  # table cells longer than this are cut with …; JSON and CSV keep everything


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
    measured = wcswidth(text)
    return measured if measured >= 0 else len(text)


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


def render_table(rows: list[dict], columns: list[str]) -> str:
    """Columns aligned by display width, so Chinese text lines up."""
    cells = [[clip(cell_text(row.get(c))) for c in columns] for row in rows]
    widths = [max([width(c)] + [width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


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
