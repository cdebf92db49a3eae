"""Per-document facts about tasks: resolved units, targets, topics and named projects.

They depend only on one document and the curated tables, so they are computed right after
parsing: the parse cache keeps them and the parallel parse computes them, and assembling the
graph only turns them into nodes and edges.
"""
from __future__ import annotations

from .model import ParsedDocument, UnitRef
from .projects import find_projects
from .resolve import resolve_unit
from .targets import targets_of_paragraph, targets_of_task
from .topics import tag_task


def enrich_document(doc: ParsedDocument) -> ParsedDocument:
    """Resolve every unit and attach targets, topics and projects to each task (in place).

    Units of a document whose region is unknown are scoped to the document (``doc:<hash>``).
    """
    region = doc.meta.region
    scope = region or document_scope(doc)
    kinds = {section.ordinal: section.kind for section in doc.sections}
    for task in doc.tasks:
        for unit in [*task.units, *getattr(task, "implied", [])]:  # implied: supporters a standing note attaches
            resolve_unit(unit, region, scope)
        task.targets = targets_of_task(task.text)
        task.topics = tag_task(task.title, task.text)
        task.projects = task_projects(task.title, task.text, kinds.get(task.section) == "box")
    doc.goal_targets = [(target, line) for text, line in doc.goals for target in targets_of_paragraph(text)]
    doc.table_units = {
        index: [resolve_unit(UnitRef(printed=name, name=name, role="lead", rank=1, tier=1), region)
                for name in row.responsible]
        for index, row in enumerate(doc.indicator_rows)
    }
    return doc


def document_scope(doc: ParsedDocument) -> str:
    """The scope of the units of a document whose region is unknown: doc:<its graph key>."""
    from .graph import HASH_LENGTH

    return f"doc:{doc.content_hash[:HASH_LENGTH]}"


def task_projects(title: str, text: str, in_box: bool) -> list[tuple[str, str]]:
    """Named projects of a task; a 专栏 item's own name is a project too."""
    found = find_projects(title + "。" + text)
    if in_box and title:
        found = [(title, title)] + [pair for pair in found if pair[0] != title]
    return found
