"""Assemble parsed documents into the responsibility graph (a networkx MultiDiGraph).

Node ids come from content and position (the document's content hash, a task's ordinal, an
agency's region and canonical name), and nodes and edges are added in a sorted order, so the
same inputs always give the same graph.
"""
from __future__ import annotations

import networkx as nx

from .model import ParsedDocument
from .projects import find_projects
from .resolve import resolve_unit
from .topics import tag_task
from .schema import check_node, node_id

HASH_LENGTH = 12


def doc_key(doc: ParsedDocument) -> str:
    return doc.content_hash[:HASH_LENGTH]


def add_node(graph: nx.MultiDiGraph, label: str, props: dict) -> str:
    """Add (or complete) a node with schema-checked properties; return its id."""
    props = check_node(label, props)
    graph.add_node(props["id"], label=label, **props)
    return props["id"]


def add_edge(graph: nx.MultiDiGraph, source: str, target: str, type_: str, **props) -> None:
    """Add a typed edge; the key is the type plus its properties, so re-adding is idempotent."""
    key = type_ if not props else f"{type_}:{props.get('role', '')}:{props.get('rank', '')}"
    graph.add_edge(source, target, key=key, type=type_, **props)


def add_document(graph: nx.MultiDiGraph, doc: ParsedDocument, file_label: str) -> None:
    """Add one parsed document, its sections, tasks and responsible agencies to ``graph``."""
    key = doc_key(doc)
    meta = doc.meta
    doc_id = add_node(graph, "Document", {
        "id": node_id("Document", key), "title": meta.title, "issuer": meta.issuer,
        "issuer_role": meta.issuer_role, "number": meta.number, "date": meta.date,
        "region": meta.region, "level": meta.level, "period": meta.period, "file": file_label,
        "sha256": doc.content_hash, "encoding": doc.source.encoding, "format": doc.source.format,
        "truncated": meta.truncated, "warnings": list(meta.warnings), "task_count": len(doc.tasks),
    })
    if meta.region:
        region_id = add_region(graph, meta.region, meta.level)
        add_edge(graph, doc_id, region_id, "ISSUED_IN")
    section_ids: dict[int, str] = {}
    kinds = {section.ordinal: section.kind for section in doc.sections}
    for section in doc.sections:
        section_ids[section.ordinal] = add_node(graph, "Section", {
            "id": node_id("Section", key, section.ordinal), "doc": doc_id, "number": section.number,
            "title": section.title, "kind": section.kind, "level": section.level,
            "line": section.line, "excluded": section.excluded,
        })
        if section.parent is None:
            add_edge(graph, section_ids[section.ordinal], doc_id, "IN_DOCUMENT")
        else:
            add_edge(graph, section_ids[section.ordinal], section_ids[section.parent], "SUBSECTION_OF")
    for task in doc.tasks:
        task_id = add_node(graph, "Task", {
            "id": node_id("Task", key, f"{task.ordinal:04d}"), "doc": doc_id, "city": meta.region,
            "ordinal": task.ordinal, "number": task.number, "title": task.title, "text": task.text,
            "section": section_ids.get(task.section, "") if task.section else "",
            "file": file_label, "line_start": task.line_start, "line_end": task.line_end,
            "annotation": task.annotation, "deadline": task.deadline,
        })
        add_edge(graph, task_id, doc_id, "TASK_OF")
        if task.section:
            add_edge(graph, task_id, section_ids[task.section], "IN_SECTION")
        for unit in task.units:
            resolve_unit(unit, meta.region)
            agency_id = add_agency(graph, unit)
            add_edge(graph, agency_id, task_id, "RESPONSIBLE_FOR", role=unit.role, rank=unit.rank,
                     tier=unit.tier, printed=unit.printed)
        add_topics(graph, task_id, task.title, task.text)
        in_box = task.section is not None and kinds.get(task.section) == "box"
        add_projects(graph, task_id, task.title, task.text, in_box)


def add_topics(graph: nx.MultiDiGraph, task_id: str, title: str, text: str) -> None:
    """ABOUT edges from a task to the topics its title and text name (with the keywords found)."""
    for tag in tag_task(title, text):
        topic_id = node_id("Topic", tag.topic)
        if topic_id not in graph:
            add_node(graph, "Topic", {"id": topic_id, "name": tag.topic})
        add_edge(graph, task_id, topic_id, "ABOUT", evidence=list(tag.evidence), strength=tag.strength)


def add_projects(graph: nx.MultiDiGraph, task_id: str, title: str, text: str, in_box: bool) -> None:
    """MENTIONS edges to named projects; a 专栏 item's own name is a project too."""
    found = find_projects(title + "。" + text)
    if in_box and title:
        found = [(title, title)] + [pair for pair in found if pair[0] != title]
    for canonical, printed in found:
        project_id = node_id("Project", canonical)
        if project_id not in graph:
            source = "box item" if in_box and canonical == title else "text"
            add_node(graph, "Project", {"id": project_id, "name": canonical, "source": source})
        add_edge(graph, task_id, project_id, "MENTIONS", printed=printed)


def add_region(graph: nx.MultiDiGraph, name: str, level: str) -> str:
    region_id = node_id("Region", name)
    if region_id not in graph:
        add_node(graph, "Region", {"id": region_id, "name": name, "level": level})
    return region_id


def add_agency(graph: nx.MultiDiGraph, unit) -> str:
    """The agency node a resolved unit names, created on first mention; aliases accumulate."""
    agency_id = node_id("Agency", unit.region, unit.canonical)
    if agency_id not in graph:
        add_node(graph, "Agency", {
            "id": agency_id, "name": unit.canonical, "region": unit.region, "kind": unit.kind,
            "function": unit.function, "aliases": [], "resolved": unit.resolved,
        })
        if unit.region:
            add_edge(graph, agency_id, add_region(graph, unit.region, ""), "IN_REGION")
    aliases = graph.nodes[agency_id]["aliases"]
    for name in (unit.printed, unit.name):
        if name not in aliases:
            aliases.append(name)
            aliases.sort()
    return agency_id


def assemble(docs: list[tuple[ParsedDocument, str]]) -> nx.MultiDiGraph:
    """The graph of several parsed documents, each given with the file label to cite."""
    staging = nx.MultiDiGraph()
    for doc, label in sorted(docs, key=lambda pair: (pair[0].meta.region, pair[0].meta.title, pair[1])):
        add_document(staging, doc, label)
    return canonical_order(staging)


def canonical_order(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes and edges inserted in sorted order: iteration order is then stable."""
    ordered = nx.MultiDiGraph()
    ordered.graph.update(graph.graph)
    for node in sorted(graph.nodes):
        ordered.add_node(node, **graph.nodes[node])
    for source, target, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        ordered.add_edge(source, target, key=key, **data)
    return ordered
