"""Spreadsheets in: task-division workbooks (分工表) as .xlsx, .xlsm, .xls, .et and .ods.

Offices pass the 重点任务分工表 around as a workbook. Each sheet is turned into the lines a
plain-text copy of it would have (one row a line, cells separated by tabs: the layout the
task-table reader of ``graph_build.tables`` reads from Word and HTML tables), so a workbook is
parsed like any other plan, and each line remembers the sheet row it came from: a task's
source is ``file#sheet!row`` (``!5:6`` when a row continues onto the next).

Reading the sheet the way a reader sees it:
- merged cells are filled: a 牵头单位 cell merged over five rows belongs to each of the five
  (a cell merged across columns is printed once, in its first column, as in a Word table);
  calamine gives the merges of .xlsx/.xlsm/.xls/.et; for .ods they are read from the
  ``content.xml`` of the package (calamine does not expose them there);
- a cell's lines (Alt+Enter) are joined as a Word cell's paragraphs are (names with 、);
- numbers print as written (1, not 1.0), dates as 2025年12月31日;
- two header rows (责任单位 over 牵头单位 | 配合单位) become one header, the lower name winning;
- a sheet without a task-table header is skipped with a note (the document's warnings), and
  so is a hidden sheet.

The reader is python-calamine (one small wheel, Rust's calamine, reads every one of these
formats); it is imported only when a workbook is read.
"""
from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from .model import SourceText

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ods"}
PACKAGE = "python-calamine"
MAX_COLUMNS = 64  # a 分工表 has a handful of columns; formatting can stretch a sheet to 16,384


def cell_text(value) -> str:
    """A cell's value as printed: integers without .0, dates in Chinese, lines joined."""
    from .formats import join_cell

    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            value = value.date()
        else:
            return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return join_cell(text.split("\n")) if "\n" in text else text.strip()


def fill_merges(grid: list[list[str]], merges) -> list[list[str]]:
    """The grid with each merged range's value copied down its rows (in its first column).

    ``merges`` holds ((first row, first column), (last row, last column)), 0-based, inclusive.
    A range reaching past the grid's last row or column grows the grid.
    """
    for (top, left), (bottom, right) in merges or []:
        if top >= len(grid) or left >= MAX_COLUMNS:
            continue
        value = grid[top][left] if left < len(grid[top]) else ""
        while len(grid) <= bottom:
            grid.append([])
        for row in range(top, bottom + 1):
            cells = grid[row]
            if len(cells) <= left:
                cells.extend([""] * (left + 1 - len(cells)))
            cells[left] = value
            for column in range(left + 1, min(right, len(cells) - 1) + 1):
                cells[column] = ""  # a merged range shows its value once per row
    return grid


TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def ods_merges(raw: bytes) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Merged ranges of each sheet of an OpenDocument spreadsheet, from its content.xml."""
    from xml.etree import ElementTree

    def attr(element, name: str, default: int = 1) -> int:
        value = element.get(f"{{{TABLE_NS}}}{name}")
        return int(value) if value and value.isdigit() else default

    merges: dict[str, list] = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        root = ElementTree.fromstring(package.read("content.xml"))
    for table in root.iter(f"{{{TABLE_NS}}}table"):
        found = merges.setdefault(table.get(f"{{{TABLE_NS}}}name", ""), [])
        row = 0
        for element in table.iter(f"{{{TABLE_NS}}}table-row"):
            column = 0
            for cell in element:
                if cell.tag == f"{{{TABLE_NS}}}table-cell":
                    rows, columns = attr(cell, "number-rows-spanned"), attr(cell, "number-columns-spanned")
                    if rows > 1 or columns > 1:
                        found.append(((row, column), (row + rows - 1, column + columns - 1)))
                column += attr(cell, "number-columns-repeated")
            row += attr(element, "number-rows-repeated")
    return merges


def sheet_rows(sheet, merges) -> list[tuple[int, list[str]]]:
    """(1-based row number, cell texts without trailing empty cells) of each non-empty row."""
    grid = [[cell_text(value) for value in row[:MAX_COLUMNS]] for row in sheet.to_python(skip_empty_area=False)]
    grid = fill_merges(grid, merges)
    rows = []
    for number, cells in enumerate(grid, start=1):
        while cells and not cells[-1]:
            cells = cells[:-1]
        if cells:
            rows.append((number, cells))
    return rows


def _header_roles(cells: list[str]) -> list[str]:
    from .tables import column_role

    return [column_role(cell) if cell else "other" for cell in cells]


def join_header_rows(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Two header rows as one: "责任单位" over "牵头单位 | 配合单位" (merged cells filled) reads
    序号 | 重点任务 | 牵头单位 | 配合单位. An upper row naming a task column is joined with the
    row right below it when every cell of that row names a column; the lower name wins."""
    from .tables import match_header

    out: list[tuple[int, list[str]]] = []
    index = 0
    while index < len(rows):
        number, cells = rows[index]
        if index + 1 < len(rows) and rows[index + 1][0] == number + 1 and "task" in _header_roles(cells):
            below = rows[index + 1][1]
            named = [role for cell, role in zip(below, _header_roles(below)) if cell]
            if named and "other" not in named:
                width = max(len(cells), len(below))
                upper, lower = cells + [""] * (width - len(cells)), below + [""] * (width - len(below))
                joined = [low or up for up, low in zip(upper, lower)]
                if joined != cells and match_header("\t".join(joined)):
                    out.append((number, joined))
                    index += 2
                    continue
        out.append((number, cells))
        index += 1
    return out


def read_workbook(file: Path, raw: bytes) -> SourceText:
    """Every task-division sheet of a workbook as tab-separated lines, each knowing its sheet row."""
    from .formats import _clean_text, _reason, _require
    from .read import SourceError
    from .tables import match_header

    calamine = _require("python_calamine", PACKAGE, file)
    suffix = file.suffix.lower()
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        extra = ods_merges(raw) if raw[:2] == b"PK" and b"opendocument.spreadsheet" in raw[:200] else {}
    except Exception as error:  # calamine raises its own types for damaged or encrypted files
        raise SourceError(f"{file}: not a readable {suffix} workbook ({_reason(error)})") from None
    lines: list[str] = []
    places: dict[int, str] = {}
    notes: list[str] = []
    for meta in book.sheets_metadata:
        name = meta.name
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            notes.append(f"sheet {name} skipped: hidden")
            continue
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            notes.append(f"sheet {name} skipped: not a worksheet")
            continue
        try:
            sheet = book.get_sheet_by_name(name)
            merges = getattr(sheet, "merged_cell_ranges", None)
            merges = extra.get(name, []) if merges is None else merges
            rows = join_header_rows(sheet_rows(sheet, merges))
        except Exception as error:  # a chart sheet, a damaged sheet
            notes.append(f"sheet {name} skipped: {_reason(error)}")
            continue
        texts = [(number, _clean_text("\t".join(cells))) for number, cells in rows]
        if not any(match_header(text) for _, text in texts):
            notes.append(f"sheet {name} skipped: no task table (a header naming 重点任务 and 牵头单位 or 责任单位)")
            continue
        if lines:
            lines.append("")
        for number, text in texts:
            lines.append(text)
            places[len(lines)] = f"{name}!{number}"
    if not lines:
        reason = "; ".join(notes) or "no sheets"
        raise SourceError(f"{file}: no task-division sheet in the workbook ({reason})")
    text = "\n".join(line.rstrip() for line in lines)
    fmt = suffix.lstrip(".")
    return SourceText(path=str(file), text=text + "\n", encoding="", format=fmt, warnings=notes, places=places)


def place_of(places: dict[int, str], line_start: int, line_end: int) -> str:
    """``sheet!row`` of a task's lines, ``sheet!row:last`` when it spans rows of one sheet."""
    first = places.get(line_start, "")
    last = places.get(line_end, "")
    if not first or not last or last == first:
        return first
    sheet, _, row = first.rpartition("!")
    other_sheet, _, last_row = last.rpartition("!")
    return f"{first}:{last_row}" if other_sheet == sheet and last_row != row else first
