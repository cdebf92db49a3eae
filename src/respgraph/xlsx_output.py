"""Listings as an Excel workbook (``--format xlsx -o FILE``), written with openpyxl.

The first sheet says what was asked (the command line) and from which graph (the snapshot, its
builder fingerprint, its inputs when the graph was loaded); then one sheet per table: a bold
header row that stays frozen and carries a filter, columns as wide as their text (a CJK
character two columns, measured as ``output.width`` measures it), long text wrapped, numbers
written as numbers and text as text (a cell starting with ``=`` stays text, never a formula).

The workbook is made in memory and written through ``graph_build.files.write_atomic``, so an
``-o`` that is a FIFO, a device or a directory is refused and a failed write leaves no half file.
"""
from __future__ import annotations

import importlib.util
import io
import os
from dataclasses import dataclass, field

from . import output
from .errors import UsageProblem, WorkFailed

INSTALL_HINT = "pip install 'respgraph[xlsx]'"
WIDTH_MIN = 6         # column widths in Excel's units (about one Latin character each)
WIDTH_MAX = 60        # a wider column wraps its text
CELL_CHARS = 32767    # Excel's limit for one cell
ROWS_MAX = 1_048_576  # Excel's limit for one sheet (the header is one of them)
ABOUT_SHEET = "about"


class NoOpenpyxl(ImportError, UsageProblem):
    """openpyxl is not installed: one line naming the install command."""


@dataclass
class Sheet:
    """One table of the workbook: its rows (dicts), the columns shown, and a heading saying what it is."""

    title: str
    rows: list[dict]
    columns: list[str]
    heading: str = ""
    wrap: set[str] = field(default_factory=set)  # columns always wrapped (task text), besides too wide ones


def require_openpyxl() -> None:
    """Refuse ``--format xlsx`` before any work when openpyxl is missing."""
    if importlib.util.find_spec("openpyxl") is None:
        raise NoOpenpyxl(f"--format xlsx needs openpyxl, which is not installed: {INSTALL_HINT}")


def refuse_stdout() -> UsageProblem:
    return UsageProblem("--format xlsx writes a binary workbook, never to a terminal or stdout: "
                        "name the file with -o FILE.xlsx")


def _value(value):
    """A cell's value: numbers stay numbers, everything else text as the CSV writes it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = output.cell_text(value)
    if not text:
        return None  # an empty cell, not an empty string
    if len(text) > CELL_CHARS:
        text = text[:CELL_CHARS - 1] + "…"
    return text


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (at most 31 characters, none of []:*?/\\), unique in the book."""
    for char in "[]:*?/\\":
        title = title.replace(char, "_")
    title = title.strip("'") or "sheet"
    base, number = title[:31], 2
    while base.lower() in taken:
        suffix = f" ({number})"
        base, number = title[:31 - len(suffix)] + suffix, number + 1
    taken.add(base.lower())
    return base


def _text_width(value) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return len(f"{value:g}") if isinstance(value, float) else len(str(value))
    text = output.cell_text(value)
    return max((output.width(line) for line in text.split("\n")), default=0)


def _fill(ws, columns: list[str], rows: list[dict], wrap: set[str], bold, wrapped, top) -> None:
    from openpyxl.utils import get_column_letter

    ws.append(columns)
    for cell in ws[1]:
        cell.font = bold
    for row in rows:
        values = []
        for column in columns:
            value = _value(row.get(column))
            values.append(_clean(value) if isinstance(value, str) else value)
        ws.append(values)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        widest = max([_text_width(column), *(_text_width(r.get(column)) for r in rows)])
        ws.column_dimensions[letter].width = max(WIDTH_MIN, min(widest + 2, WIDTH_MAX))
        wraps = column in wrap or widest + 2 > WIDTH_MAX
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=SUM(…)" in a plan's text is text, not a formula
                cell.alignment = wrapped if wraps else top
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def workbook_bytes(sheets: list[Sheet], about: list[tuple[str, object]]) -> bytes:
    """The workbook: the ``about`` sheet (key, value pairs), then one sheet per ``Sheet``."""
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    for sheet in sheets:
        if len(sheet.rows) + 1 > ROWS_MAX:
            raise WorkFailed(f"{sheet.title}: {len(sheet.rows)} rows do not fit in one Excel sheet "
                             f"(at most {ROWS_MAX - 1}); narrow the listing (--city, --top) or use --format csv")
    bold, wrapped, top = Font(bold=True), Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    book = Workbook()
    taken: set[str] = set()
    first = book.active
    first.title = _sheet_title(ABOUT_SHEET, taken)
    listed = [*about, *((f"sheet {s.title}", f"{len(s.rows)} rows" + (f": {s.heading}" if s.heading else ""))
                        for s in sheets)]
    _fill(first, ["key", "value"], [{"key": k, "value": v} for k, v in listed], {"value"}, bold, wrapped, top)
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.title, taken))
        _fill(ws, sheet.columns, sheet.rows, sheet.wrap, bold, wrapped, top)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(path: str | os.PathLike, sheets: list[Sheet], about: list[tuple[str, object]]) -> None:
    """Write the workbook to ``path`` atomically (``UnsafePath`` for a FIFO, device or directory)."""
    from respgraph.graph_build.files import check_target, write_atomic

    check_target(path, ".xlsx")
    write_atomic(path, workbook_bytes(sheets, about))
