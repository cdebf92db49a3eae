"""Task-division tables (重点任务分工表): find them in a plan's lines and turn rows into tasks.

Many plans put who does what in a table rather than in annotations, usually as an annex:

    序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限

The table reaches us as a Word or HTML table (one row per line, cells separated by tabs, see
``graph_build.formats``), as a markdown table (``| 1 | … |``), or as the text a PDF extraction
leaves: cells separated by tabs, by runs of spaces (aligned under the header), or by single
spaces. A header is recognised by its column names (data/annotation.yaml ``table_columns`` plus
the annotation labels); rows follow until a line no longer looks like a row. A row whose
序号 cell is empty continues the row before it (a cell wrapped onto a second line), and a row
holding only a heading ("一、信息基础设施") opens a group of rows.

Each row becomes a ``TableTask``; ``restates`` names the body task the row repeats, when the
plan has one (matched on the task's title; see ``link_restated``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .annotation import label_policy, parse_units
from .curated import load_yaml
from .headings import TITLE_MAX, match_heading, simplified
from .model import Section, Task
from .reflow import display_width, join_text

UNIT_ROLES = {"lead", "support", "mixed"}
NUMBER = re.compile(r"^[（(]?\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*[）)]?\s*[.．、]?$")
SEPARATOR_ROW = re.compile(r"^[\s|:：\-—–]+$")
GROUP_KINDS = {"part", "chapter", "section", "cn", "paren_cn"}


@dataclass
class TableTask(Task):
    """A task stated by a row of a task-division table."""

    restates: int | None = None  # ordinal of the body task this row repeats, if any


@dataclass
class Row:
    cells: list[str]
    line_start: int  # 0-based index into the lines given to find_task_tables
    line_end: int
    group: str = ""


@dataclass
class TaskTable:
    """A task-division table: its caption, columns and rows, and the lines it occupies."""

    caption: str
    headers: list[str]
    roles: list[str]
    style: str  # pipe, tab, spaces or single
    start: int  # first line (caption or header), 0-based
    end: int  # one past the last row line
    header_line: int
    rows: list[Row] = field(default_factory=list)


def _columns() -> dict[str, list[str]]:
    return load_yaml("annotation.yaml")["table_columns"]


def column_role(header: str) -> str:
    """Role of a column from its header cell: number, group, task, lead, support, mixed, deadline."""
    name = simplified(re.sub(r"\s+", "", header)).strip("*:：")
    name = re.sub(r"[（(][^）)]*[）)]$", "", name)  # "牵头单位（部门）", "完成时限（年）"
    if not name:
        return "other"
    for role, names in _columns().items():
        if name in names:
            return role
    return label_policy(name) or "other"


def split_cells(line: str, style: str) -> list[str]:
    """The cells of one line in a given table style, stripped (empty cells kept in place)."""
    if style == "pipe":
        body = line.strip()
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") else body
        return [cell.strip() for cell in body.split("|")]
    if style == "tab":
        return [cell.strip() for cell in line.rstrip().split("\t")]
    if style == "spaces":
        return [cell for _, cell in _spaced_cells(line)]
    return line.split()


def _spaced_cells(line: str) -> list[tuple[int, str]]:
    """Cells separated by two or more spaces, each with its display column."""
    text = line.replace("\u3000", "  ").rstrip()
    return [(display_width(text[:m.start()]), m.group()) for m in re.finditer(r"\S+(?: \S+)*", text)]


def _header_style(line: str) -> list[str]:
    """The table styles a line could be written in, most explicit first."""
    stripped = line.strip()
    styles = []
    if stripped.startswith("|") and stripped.count("|") >= 3:
        styles.append("pipe")
    if "\t" in line.strip():
        styles.append("tab")
    if re.search(r"\S(?: {2,}|\u3000)\S", stripped):
        styles.append("spaces")
    if " " in stripped:
        styles.append("single")
    return styles


def match_header(line: str) -> tuple[str, list[str], list[str]] | None:
    """(style, header cells, column roles) when ``line`` is the header of a task table."""
    for style in _header_style(line):
        cells = split_cells(line, style)
        roles = [column_role(cell) for cell in cells]
        if "task" in roles and UNIT_ROLES & set(roles) and sum(r != "other" for r in roles) >= 2:
            return style, cells, roles
    return None


def _is_end(text: str) -> bool:
    """A line that ends any table: the distribution list, the print line, a new annex."""
    config = load_yaml("outline.yaml")
    shadow = simplified(text)
    return any(re.search(p, shadow) for p in config["body_end_patterns"] + config["annex_patterns"])


def _is_data_row(raw: str, style: str) -> bool:
    """A line holding cells of the table (not a group heading)."""
    text = raw.strip()
    if style == "pipe":
        return text.startswith("|")
    if style == "tab":
        return "\t" in raw
    if style == "spaces":
        return bool(re.search(r"\S {2,}\S", text)) or raw.startswith("  ") or bool(NUMBER.match(text.split()[0]))
    # single spaces: a numbered row, or a short piece of a wrapped cell (not a sentence)
    return bool(NUMBER.match(text.split()[0])) or (
        len(text) <= 20 and not re.search(r"[。；;：:]", text) and not _is_group(text))


def _looks_like_row(lines: list[str], index: int, style: str) -> bool:
    """Whether line ``index`` still belongs to the table: a data row, or a group heading
    ("一、信息网络") that a data row follows (a heading followed by prose ends the table)."""
    if _is_data_row(lines[index], style):
        return True
    if not _is_group(lines[index]):
        return False
    following = next((line for line in lines[index + 1:] if line.strip()), "")
    return bool(following) and _is_data_row(following, style) and not _is_group(following)


def _is_group(text: str) -> bool:
    found = match_heading(text.strip())
    return bool(found and found.kind in GROUP_KINDS and len(text.strip()) <= 40 and "。" not in text)


def _assign_single(tokens: list[str], roles: list[str]) -> list[str]:
    """Cells of a row split on single spaces: unit and deadline cells take one token each from
    the right, the number one from the left, and the task cell keeps the rest (its own spaces)."""
    cells = [""] * len(roles)
    if len(tokens) == len(roles):
        return tokens
    left, right = 0, len(tokens)
    if roles and roles[0] == "number" and tokens and NUMBER.match(tokens[0]):
        cells[0], left = tokens[0], 1
    task_index = roles.index("task")
    for index in range(len(roles) - 1, task_index, -1):
        if right > left + 1:
            right -= 1
            cells[index] = tokens[right]
    cells[task_index] = " ".join(tokens[left:right])
    return cells


def _boundaries(header: str) -> list[float]:
    """Display columns where each column of a space-aligned table begins: halfway between the
    end of one header cell and the start of the next (headers are often centred)."""
    cells = _spaced_cells(header)
    bounds = [0.0]
    for (start_a, text_a), (start_b, _) in zip(cells, cells[1:]):
        bounds.append((start_a + display_width(text_a) + start_b) / 2)
    return bounds


def _cells_of(raw: str, style: str, table: TaskTable, positions: list[float]) -> list[str]:
    width = len(table.roles)
    if style == "spaces":
        cells = [""] * width
        for column, text in _spaced_cells(raw):
            index = max((i for i, start in enumerate(positions) if start <= column), default=0)
            cells[index] = join_text(cells[index], text) if cells[index] else text
        return cells
    if style == "single":
        return _assign_single(raw.split(), table.roles)
    cells = split_cells(raw, style)
    cells = (cells + [""] * width)[:width] if len(cells) <= width else cells[:width - 1] + ["".join(cells[width - 1:])]
    return cells


def _caption(lines: list[str], header: int) -> tuple[str, int]:
    """The table's caption (e.g. "重点任务分工表") in the lines just above its header."""
    index = header - 1
    seen = 0
    while index >= 0 and seen < 3:
        text = lines[index].strip().strip("#*").strip()
        if text:
            seen += 1
            shadow = simplified(text)
            if len(text) <= 40 and not text.endswith("。") and ("分工" in shadow or "任务" in shadow or shadow.endswith("表")):
                return re.sub(r"^附件\s*\d*\s*[：:]?\s*", "", text), index
            return "", header
        index -= 1
    return "", header


def find_task_tables(lines: list[str]) -> list[TaskTable]:
    """Every task-division table in ``lines``, with its rows, in order."""
    tables: list[TaskTable] = []
    index = 0
    while index < len(lines):
        found = match_header(lines[index]) if lines[index].strip() else None
        if not found:
            index += 1
            continue
        style, headers, roles = found
        caption, start = _caption(lines, index)
        table = TaskTable(caption=caption, headers=headers, roles=roles, style=style,
                          start=start, end=index + 1, header_line=index)
        positions = _boundaries(lines[index]) if style == "spaces" else []
        index = _read_rows(lines, index + 1, table, positions)
        tables.append(table)
    return [t for t in tables if t.rows]


def _read_rows(lines: list[str], index: int, table: TaskTable, positions: list[float]) -> int:
    """Read the rows after a header into ``table``; return the index after the table."""
    has_number = "number" in table.roles
    group = ""
    while index < len(lines):
        raw = lines[index].replace("\r", "")
        text = raw.strip()
        if not text:
            index += 1
            continue
        if _is_end(text) or match_header(raw) or not _looks_like_row(lines, index, table.style):
            break
        table.end = index + 1
        cells = _cells_of(raw, table.style, table, positions)
        index += 1
        if table.style == "pipe" and SEPARATOR_ROW.match(text):
            continue
        filled = [c for c in cells if c]
        if not filled:
            continue
        number = cells[table.roles.index("number")] if has_number else ""
        if len(filled) == 1 and not (number and NUMBER.match(number)) and _is_group(filled[0]):
            group = filled[0]
            continue
        starts_row = bool(number and NUMBER.match(number)) if has_number else len(filled) >= 2
        if starts_row or not table.rows:
            if not starts_row and has_number:
                continue  # text between the header and the first numbered row
            for role_index, role in enumerate(table.roles):
                if role == "group" and cells[role_index]:
                    group = cells[role_index]
            table.rows.append(Row(cells=cells, line_start=index - 1, line_end=index - 1, group=group))
            continue
        previous = table.rows[-1]
        for column, cell in enumerate(cells):
            if cell and table.roles[column] != "number":
                previous.cells[column] = join_text(previous.cells[column], cell) if previous.cells[column] else cell
        previous.line_end = index - 1
    return index


def row_title(text: str) -> str:
    """A row's title: its first sentence or clause ("加快5G网络建设，新建…" → 加快5G网络建设)."""
    text = text.strip()
    stop = re.search(r"[。；;：:，,]", text)
    if stop and 2 <= stop.start() <= TITLE_MAX:
        return text[:stop.start()]
    return text[:TITLE_MAX]


def table_tasks(tables: list[TaskTable], first_line: int, first_ordinal: int) -> tuple[list[Section], list[TableTask]]:
    """Sections (one per table, one per group of rows) and tasks of task-division tables.

    Section ordinals start at ``first_ordinal``; line numbers are 1-based file lines, the
    table's lines starting at ``first_line``.
    """
    sections: list[Section] = []
    tasks: list[TableTask] = []
    for number, table in enumerate(tables, start=1):
        table_section = Section(ordinal=first_ordinal + len(sections), kind="table", number=f"表{number}",
                                title=table.caption or "重点任务分工", level=1,
                                line=first_line + table.header_line, parent=None)
        sections.append(table_section)
        groups: dict[str, Section] = {}
        for index, row in enumerate(table.rows, start=1):
            section = table_section
            if row.group:
                if row.group not in groups:
                    heading = match_heading(row.group)
                    groups[row.group] = Section(
                        ordinal=first_ordinal + len(sections), kind="table_group",
                        number=heading.number if heading else str(len(groups) + 1),
                        title=heading.title if heading else row.group, level=2,
                        line=first_line + row.line_start, parent=table_section.ordinal)
                    sections.append(groups[row.group])
                section = groups[row.group]
            tasks.append(row_task(table, row, index, section, table_section, first_line))
    return sections, tasks


def row_task(table: TaskTable, row: Row, index: int, section: Section, table_section: Section,
             first_line: int) -> TableTask:
    """The task one table row states: text from its task columns, units from its unit columns."""
    texts = [row.cells[i] for i, role in enumerate(table.roles) if role == "task" and row.cells[i]]
    text = ""
    for part in texts:
        text = f"{text}：{part}" if text and not text.endswith(("。", "；", "：", ":")) else text + part
    printed_number = ""
    if "number" in table.roles:
        printed_number = re.sub(r"[\s.．、（）()]", "", row.cells[table.roles.index("number")])
    units, deadline, parts = [], "", []
    for column, role in enumerate(table.roles):
        cell = row.cells[column]
        if not cell:
            continue
        if role in UNIT_ROLES:
            rank = len(units) + 1
            tier = (units[-1].tier + 1) if units else 1
            units.extend(parse_units(cell, role, rank_start=rank, tier_start=tier,
                                     lead_named=any(u.role == "lead" for u in units)))
            parts.append(f"{table.headers[column]}：{cell}")
        elif role == "deadline":
            deadline = deadline or re.sub(r"\s+", "", cell)
            parts.append(f"{table.headers[column]}：{cell}")
    return TableTask(
        ordinal=0, section=section.ordinal, number=f"{table_section.number}.{printed_number or index}",
        title=row_title(texts[0]) if texts else "", text=text,
        line_start=first_line + row.line_start, line_end=first_line + row.line_end,
        annotation="；".join(parts), units=units, deadline=deadline)


def _normal(text: str) -> str:
    """Comparison form of a task title: simplified, without spaces and punctuation."""
    return _NOT_ALNUM.sub("", simplified(text))  # \w is isalnum() plus "_"


_NOT_ALNUM = re.compile(r"[\W_]+")


def link_restated(rows: list[TableTask], body: list[Task]) -> None:
    """Set each row's ``restates`` to the ordinal of the body task it repeats (in place).

    A body task is repeated when the row's text contains its title (the longest such title
    wins), or the row's title contains the body title, or the two titles are similar, or
    (weakest) the body task's text contains the row's title.
    """
    from rapidfuzz import fuzz

    config = load_yaml("annotation.yaml")
    min_title, min_ratio = int(config["restate_min_title"]), float(config["restate_min_ratio"])
    candidates = [(task, _normal(task.title), _normal(task.text)) for task in body]
    for row in rows:
        row_text, row_title_ = _normal(row.text), _normal(row.title)
        long_title = len(row_title_) >= min_title
        best: tuple[float, int] | None = None
        for task, title, text in candidates:
            usable = len(title) >= min_title
            if (usable and title in row_text) or (long_title and row_title_ in title):
                score = 100.0 + len(title)
            elif usable and fuzz.ratio(row_title_, title) >= min_ratio:
                score = fuzz.ratio(row_title_, title)
            elif long_title and row_title_ in text:
                score = min_ratio
            else:
                continue
            if best is None or score > best[0]:
                best = (score, task.ordinal)
        row.restates = best[1] if best else None


def blank_table_lines(lines: list[str], tables: list[TaskTable]) -> list[str]:
    """``lines`` with every table's lines (caption, header, rows) emptied, line count kept."""
    out = list(lines)
    for table in tables:
        for index in range(table.start, table.end):
            out[index] = ""
    return out
