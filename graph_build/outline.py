"""Turn a plan's reflowed blocks into its outline (sections) and its tasks.

Which text is a task follows the conventions of the plans, not of one file:
- a responsibility annotation closes a task; a numbered item whose body carries several
  annotations holds one task per sub-item (厦门 "8.新技术基础设施建设行动": 人工智能。…
  元宇宙。… each with its own （责任单位：…）);
- a numbered leaf item without any annotation is one task with no units (the 2020
  provincial plan);
- in chapters and sections that do not number their tasks (the 十四五 plan), each paragraph
  that opens with a short lead sentence is a task, and each named item of a 专栏 box is one;
- sections about background and goals (data/outline.yaml) hold no tasks; 保障措施 does;
- the rows of a task-division table (重点任务分工表, see graph_build/tables.py) are tasks too,
  each linked to the body task it restates; an annex holds no other tasks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import headings, tables
from .annotation import BETWEEN_PARTS, OPENERS, find_annotations, merge_annotations, parse_units, standing_note
from .curated import load_yaml
from .model import Annotation, Section, Task, UnitRef
from .reflow import Block, reflow

ITEM_KINDS = {"cn", "paren_cn", "arabic", "paren_arabic", "circled", "article"}


@dataclass
class Piece:
    """Body text under a section, with a way back to its source lines."""

    block: Block
    offset: int = 0  # where this piece starts in the block's text

    @property
    def text(self) -> str:
        return self.block.text[self.offset:]

    def line(self, offset: int) -> int:
        return self.block.line_at(self.offset + offset)


def display_number(kind: str, number: str) -> str:
    """The task number as analysts cite it: 一, （一）, 3, （3）, 第二章, 专栏 3."""
    return {
        "paren_cn": f"（{number}）",
        "paren_arabic": f"（{number}）",
        "chapter": f"第{number}章",
        "section": f"第{number}节",
        "part": f"第{number}部分",
        "box": f"专栏{number}",
        "article": f"第{number}条",
    }.get(kind, number)


def is_excluded_title(title: str) -> bool:
    """Background and goal sections (指导思想, 发展目标, ...) hold no tasks."""
    title = headings.simplified(title)
    return any(word in title for word in load_yaml("outline.yaml")["non_task_sections"])


def build_sections(blocks: list[Block]) -> tuple[list[Section], dict[int | None, list[Piece]]]:
    """Nest headings by the order their styles first appear (一、 > （一） > 1. > （1）)."""
    sections: list[Section] = []
    bodies: dict[int | None, list[Piece]] = {None: []}
    stack: list[Section] = []
    for block in blocks:
        found = None if block.table else headings.match_heading(block.text)
        if found is None:
            target = stack[-1] if stack else None
            if target is not None and target.kind == "box" and headings.sentence_lead(block.text):
                # A lead-sentence paragraph after a 专栏's items belongs to the enclosing 节.
                stack.pop()
                target = stack[-1] if stack else None
            bodies[target.ordinal if target else None].append(Piece(block))
            continue
        kinds = [s.kind for s in stack]
        if found.kind in kinds:
            del stack[kinds.index(found.kind):]
        elif found.kind in headings.STRUCTURAL and stack and stack[-1].kind == "box":
            stack.pop()
        parent = stack[-1] if stack else None
        section = Section(
            ordinal=len(sections) + 1,
            kind=found.kind,
            number=display_number(found.kind, found.number),
            title=found.title,
            level=len(stack) + 1,
            line=block.line_start,
            parent=parent.ordinal if parent else None,
            excluded=is_excluded_title(found.title) or bool(parent and parent.excluded),
        )
        sections.append(section)
        stack.append(section)
        bodies[section.ordinal] = []
        if found.rest:
            bodies[section.ordinal].append(Piece(block, block.text.rfind(found.rest)))
    return sections, bodies


@dataclass
class Chunk:
    """A run of body text closed by a responsibility annotation (or by the section's end)."""

    text: str
    line_start: int
    line_end: int
    annotation: Annotation | None
    starts_paragraph: bool = True  # False when it begins right after an annotation mid-paragraph


def chunk_by_annotation(pieces: list[Piece]) -> list[Chunk]:
    """Cut a section's body after each responsibility annotation."""
    chunks: list[Chunk] = []
    parts: list[str] = []
    start_line = None
    mid_paragraph = False
    for piece in pieces:
        text = piece.text
        cursor = 0
        if not parts:
            mid_paragraph = False
        for note in find_annotations(text):
            parts.append(text[cursor:note.start])
            if not _join(parts) and chunks and chunks[-1].annotation is not None:
                # A further labelled part on a line of its own ("牵头单位：A" then
                # "完成时限：2025年底") completes the annotation before it.
                merge_annotations(chunks[-1].annotation, note)
                chunks[-1].line_end = piece.line(max(note.end - 1, 0))
                parts, start_line, cursor = [], None, note.end
                continue
            if start_line is None:
                start_line = piece.line(cursor)
            chunks.append(Chunk(_join(parts), start_line, piece.line(max(note.end - 1, 0)), note,
                                starts_paragraph=not mid_paragraph))
            parts, start_line, cursor = [], None, note.end
            mid_paragraph = bool(text[cursor:].strip(BETWEEN_PARTS))
        rest = text[cursor:].strip()
        if rest:
            if start_line is None:
                start_line = piece.line(cursor + len(text[cursor:]) - len(text[cursor:].lstrip()))
            parts.append(rest)
            last_line = piece.block.line_end
    if parts and _join(parts):
        chunks.append(Chunk(_join(parts), start_line or 0, last_line, None, starts_paragraph=not mid_paragraph))
    return chunks


def _join(parts: list[str]) -> str:
    return "".join(p.strip() for p in parts).strip()


def _task(section: Section | None, number: str, title: str, chunk_text: str, line_start: int,
          line_end: int, notes: list[Annotation]) -> Task:
    units = [u for note in notes for u in note.units]
    return Task(
        ordinal=0,
        section=section.ordinal if section else None,
        number=number,
        title=title,
        text=chunk_text,
        line_start=line_start,
        line_end=line_end,
        annotation="".join(note.raw for note in notes),
        units=units,
        deadline=next((note.deadline for note in notes if note.deadline), ""),
        rules=[rule for note in notes for rule in note.rules],
    )


def sub_item_title(text: str) -> str:
    """Title of an unnumbered sub-item: its lead sentence, or its first clause."""
    lead = headings.sentence_lead(text) or headings.box_item_name(text)
    if lead:
        return lead
    return re.split(r"[，,。；;]", text, maxsplit=1)[0][:headings.TITLE_MAX]


def tasks_of_section(section: Section | None, pieces: list[Piece], child_kinds: set[str]) -> list[Task]:
    """The tasks a section's own body holds, by the conventions in the module docstring."""
    if section is not None and section.excluded:
        return []
    chunks = chunk_by_annotation(pieces)
    annotated = [c for c in chunks if c.annotation]
    number = section.number if section else ""
    title = section.title if section else ""
    heading_line = section.line if section else (chunks[0].line_start if chunks else 0)
    if len(annotated) == 1 and section is not None:
        notes = [annotated[0].annotation]
        text = _join([c.text for c in chunks])
        return [_task(section, number, title, text, heading_line, chunks[-1].line_end, notes)]
    if annotated and is_named_sub_items(pieces, chunks):
        # Named sub-items under a bare heading, each with its own annotation (厦门 8: 人工智能。…).
        tasks = []
        for index, chunk in enumerate(chunks, start=1):
            notes = [chunk.annotation] if chunk.annotation else []
            tasks.append(_task(section, f"{number}.{index}", sub_item_title(chunk.text), chunk.text,
                               chunk.line_start, chunk.line_end, notes))
        return tasks
    if annotated:
        return clause_tasks(section, chunks)
    if section is not None and not chunks and section.kind in ITEM_KINDS and not child_kinds and section.title:
        # A numbered leaf printed as its title alone ("(2)推进政府及其部门应急预案精编化。") is a task.
        return [_task(section, number, title, title, heading_line, heading_line, [])]
    if section is None or not chunks:
        return []
    whole = _task(section, number, title, _join([c.text for c in chunks]), heading_line,
                  chunks[-1].line_end, [])
    if section.kind in ITEM_KINDS:
        return [] if child_kinds else [whole]
    if child_kinds - {"box"}:
        return []  # a chapter's introduction before its 节
    # An unnumbered 节 or 专栏: one task per lead paragraph, or the whole section when it
    # has none (十四五 plan 第九章 第一节 强化组织协调; 专栏 14 is a single paragraph).
    return lead_paragraph_tasks(section, pieces) or [whole]


def is_named_sub_items(pieces: list[Piece], chunks: list[Chunk]) -> bool:
    """Are a section's annotated chunks named sub-items (厦门 11: a bare heading "智慧交通物流建设
    行动", then 智慧港口。… （…） 智慧机场。… （…)) rather than clauses of the item's own text (山东
    2019: "1.推动政务服务数字化转型。加快…（…牵头）。加强…（…）")? Named sub-items follow a heading
    with no text on its line, and each opens with a short name."""
    if pieces and pieces[0].offset > 0:
        return False
    return all(headings.opens_with_lead(c.text.lstrip(BETWEEN_PARTS)) for c in chunks if c.annotation)


def clause_tasks(section: Section | None, chunks: list[Chunk]) -> list[Task]:
    """One task per annotation closing a clause inside an item (山东 2019: "…（省大数据局牵头，
    各有关部门配合）。…（省政府办公厅牵头）"): numbered 3, 3-2, 3-3, each titled by the clause
    it closes; the first keeps the item's own title. Text after the last annotation (a closing
    sentence without units) stays with the task before it. Annotated paragraphs outside any
    numbered item are numbered P1, P2 …"""
    tasks: list[Task] = []
    number = section.number if section else ""
    for chunk in chunks:
        if chunk.annotation is None and tasks:
            tasks[-1].text += chunk.text
            tasks[-1].line_end = chunk.line_end
            continue
        index = len(tasks) + 1
        if section is None:
            label = f"P{index}"
        else:
            label = number if index == 1 else f"{number}-{index}"
        text = chunk.text.lstrip(BETWEEN_PARTS)
        title = section.title if (section is not None and index == 1 and section.title) else sub_item_title(text)
        notes = [chunk.annotation] if chunk.annotation else []
        tasks.append(_task(section, label, title, text, chunk.line_start, chunk.line_end, notes))
    return tasks


def lead_paragraph_tasks(section: Section, pieces: list[Piece]) -> list[Task]:
    """Tasks of an unnumbered section: one per paragraph opening with a lead sentence or name."""
    tasks: list[Task] = []
    lead_of = headings.box_item_name if section.kind == "box" else headings.sentence_lead
    for piece in pieces:
        text = piece.text.strip()
        lead = lead_of(text)
        if lead:
            tasks.append(_task(section, f"{section.number}.{len(tasks) + 1}", lead, text,
                               piece.block.line_start, piece.block.line_end, []))
        elif tasks:
            # A paragraph without a lead continues the task before it.
            tasks[-1].text += text
            tasks[-1].line_end = piece.block.line_end
    return tasks


def background_tasks(tasks: list[Task], sections: list[Section]) -> list[Task]:
    """In a plan whose tasks carry annotations, the unannotated items of groups that hold no
    annotation at all (保障措施, 附则) and those that detail an annotated item (an article's
    申报条件 and 申报材料 lists). They stay tasks
    (the plan numbers them), but they are not missing an annotation, so the check does not
    report them. An unannotated item beside annotated ones is reported."""
    if not any(task.units for task in tasks):
        return []
    parent = {s.ordinal: s.parent for s in sections}

    def group(task: Task):
        return parent.get(task.section) if task.section is not None else None

    annotated_sections = {t.section for t in tasks if t.units}
    annotated_groups = {group(t) for t in tasks if t.units} | annotated_sections

    def details_an_annotated_item(task: Task) -> bool:
        """Under an annotated item (青岛 2023 细则 第六条's （一）申报条件 and its 1. 2.)."""
        ordinal = parent.get(task.section)
        while ordinal is not None:
            if ordinal in annotated_sections:
                return True
            ordinal = parent.get(ordinal)
        return False

    return [t for t in tasks if not t.units and (details_an_annotated_item(t) or (
        group(t) not in annotated_groups and t.section not in annotated_groups))]


def hoist_trailing_annotations(tasks: list[Task], sections: list[Section], lines: list[str],
                               first_line: int) -> list[Task]:
    """An annotation on a line of its own after an item's last sub-point belongs to the item
    (运城 2017 责任分解: "1.完善应急预案体系" (1)…(4), then "(责任单位:市直各有关单位、…)"): the item
    becomes the task with those units, its sub-points stay tasks that detail it."""
    by_ordinal = {s.ordinal: s for s in sections}
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent, []).append(section)
    hoisted = []
    for task in tasks:
        section = by_ordinal.get(task.section)
        if not task.units or section is None or section.kind not in ITEM_KINDS or section.parent is None:
            continue
        parent = by_ordinal[section.parent]
        siblings = children.get(parent.ordinal, [])
        if parent.kind not in ITEM_KINDS or siblings[-1] is not section or len(siblings) < 2:
            continue
        if any(t.units for t in tasks if t is not task and t.section in {s.ordinal for s in siblings} | {parent.ordinal}):
            continue
        if not _on_a_line_of_its_own(task, lines, first_line):
            continue
        hoisted.append(Task(ordinal=0, section=parent.ordinal, number=parent.number, title=parent.title,
                            text="".join(t.text for t in tasks if t.section in {s.ordinal for s in siblings}),
                            line_start=parent.line, line_end=task.line_end, annotation=task.annotation,
                            units=task.units, deadline=task.deadline, rules=task.rules))
        task.units, task.annotation, task.deadline, task.rules = [], "", "", []
    return tasks + hoisted


def _on_a_line_of_its_own(task: Task, lines: list[str], first_line: int) -> bool:
    """Is the task's annotation the whole of its last line ("(责任单位:…)" under the sub-points)?"""
    index = task.line_end - first_line
    if not 0 <= index < len(lines):
        return False
    line = "".join(lines[index].split())
    return bool(line) and line[0] in OPENERS and line in "".join(task.annotation.split())


def attach_standing_notes(blocks: list[Block], tasks: list[Task]) -> None:
    """A standing note ("以下各项任务均需各区人民政府落实，不再列出") names units that every later
    task of the plan carries without printing them: they are attached as implied supporters,
    with the note's line as their source, apart from the task's printed list."""
    notes = []
    for block in blocks:
        named = standing_note(block.text)
        if named:
            line = block.line_at(block.text.find(named))
            notes.append((line, [UnitRef(printed=u.printed, name=u.name, role="support", rank=0, tier=0,
                                         implied=True, line=line)
                                 for u in parse_units(named, "support")]))
    for line, units in notes:
        for task in tasks:
            if task.line_end >= line:  # from the task that holds the note ("…，下同") on
                printed = {u.name for u in task.units}
                task.implied.extend(replace(u) for u in units if u.name not in printed)


def annex_start(lines: list[str]) -> int:
    """Index of the first line of an annex (附件：…), or len(lines)."""
    patterns = [re.compile(p) for p in load_yaml("outline.yaml")["annex_patterns"]]
    for index, line in enumerate(lines):
        text = headings.simplified(line.strip().strip("#*").strip())
        if any(p.search(text) for p in patterns):
            return index
    return len(lines)


def parse_outline(lines: list[str], first_line: int = 1) -> tuple[list[Section], list[Task]]:
    """Sections and tasks of a plan body; ``first_line`` numbers ``lines[0]`` in the file.

    Task-division tables are taken out of the text first; the outline is read from the lines
    before the first annex, and table rows become tasks of their own.
    """
    task_tables = tables.find_task_tables(lines)
    text_lines = tables.blank_table_lines(lines, task_tables)
    text_lines = text_lines[:annex_start(text_lines)]
    blocks = reflow(text_lines, first_line)
    sections, bodies = build_sections(blocks)
    child_kinds: dict[int | None, set[str]] = {}
    for section in sections:
        child_kinds.setdefault(section.parent, set()).add(section.kind)
    tasks: list[Task] = []
    for section in [None, *sections]:
        key = section.ordinal if section else None
        tasks.extend(tasks_of_section(section, bodies.get(key, []), child_kinds.get(key, set())))
    tasks = hoist_trailing_annotations(tasks, sections, text_lines, first_line)
    attach_standing_notes(blocks, tasks)
    table_sections, row_tasks = tables.table_tasks(task_tables, first_line, len(sections) + 1)
    body_tasks = list(tasks)
    sections.extend(table_sections)
    tasks.extend(row_tasks)
    tasks.sort(key=lambda t: (t.line_start, t.line_end))
    for ordinal, task in enumerate(tasks, start=1):
        task.ordinal = ordinal
    tables.link_restated(row_tasks, body_tasks)
    return sections, tasks
