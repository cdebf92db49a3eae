"""Assemble parsed documents into the responsibility graph (a networkx MultiDiGraph).

Node ids come from content and position (the document's content hash, a task's ordinal, an
agency's region and canonical name), and nodes and edges are added in a sorted order, so the
same inputs always give the same graph.
"""
from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from .model import ParsedDocument
from .indicators import to_indicator_unit
from .schema import check_node, node_id
from .sheets import place_of
from .snapshot import paused_gc

HASH_LENGTH = 12


def doc_key(doc: ParsedDocument) -> str:
    return doc.content_hash[:HASH_LENGTH]


def add_node(graph: nx.MultiDiGraph, label: str, props: dict) -> str:
    """Add (or complete) a node with schema-checked properties; return its id."""
    props = check_node(label, props)
    graph.add_node(props["id"], label=label, **props)
    return props["id"]


def add_edge(graph: nx.MultiDiGraph, source: str, target: str, type_: str, **props) -> None:
    """Add a typed edge; the key is the type plus its properties, so re-adding is idempotent.

    Both ends exist already in a document's assembly, so the adjacency dicts are filled
    directly, as ``MultiDiGraph.add_edge`` fills them (a million edges for every city's plans).
    """
    key = type_ if not props else f"{type_}:{props.get('role', '')}:{props.get('rank', '')}"
    if source not in graph._succ or target not in graph._succ:
        graph.add_edge(source, target, key=key, type=type_, **props)
    else:
        link(graph, source, target, key, {"type": type_, **props})


def link(graph: nx.MultiDiGraph, source: str, target: str, key: str, data: dict) -> None:
    """``graph.add_edge(source, target, key, **data)`` between two existing nodes, without its
    per-call checks: successor and predecessor share one key dict, and re-adding updates."""
    row = graph._succ[source]
    keyed = row.get(target)
    if keyed is None:
        keyed = row[target] = graph._pred[target][source] = {}
    if key in keyed:
        keyed[key].update(data)
    else:
        keyed[key] = data


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
    places = doc.source.places
    for task in doc.tasks:
        task_id = add_node(graph, "Task", {
            "id": node_id("Task", key, f"{task.ordinal:04d}"), "doc": doc_id, "city": meta.region,
            "ordinal": task.ordinal, "number": task.number, "title": task.title, "text": task.text,
            "section": section_ids.get(task.section, "") if task.section else "",
            "file": file_label, "line_start": task.line_start, "line_end": task.line_end,
            "annotation": task.annotation, "deadline": task.deadline,
            "place": place_of(places, task.line_start, task.line_end) if places else "",
        })
        add_edge(graph, task_id, doc_id, "TASK_OF")
        if task.section:
            add_edge(graph, task_id, section_ids[task.section], "IN_SECTION")
        for unit in task.units:  # resolved by graph_build.enrich at parse time
            agency_id = add_agency(graph, unit)
            add_edge(graph, agency_id, task_id, "RESPONSIBLE_FOR", role=unit.role, rank=unit.rank,
                     tier=unit.tier, printed=unit.printed)
        for unit in task.implied:  # a standing note's units: supporters not printed on the task
            add_edge(graph, add_agency(graph, unit), task_id, "RESPONSIBLE_FOR", role="support", rank=0,
                     tier=0, printed=unit.printed, implied=True, note_line=unit.line)
        add_topics(graph, task_id, task.topics)
        add_projects(graph, task_id, task.projects, task.title if kinds.get(task.section) == "box" else "")
    add_targets(graph, doc, doc_id, key)
    for task in doc.tasks:
        restated = getattr(task, "restates", None)  # a 分工表 row repeating a body task
        if restated:
            add_edge(graph, node_id("Task", key, f"{task.ordinal:04d}"), node_id("Task", key, f"{restated:04d}"),
                     "RESTATES")


class TargetWriter:
    """Adds a document's Target nodes with ordinal ids, and their Indicator nodes."""

    def __init__(self, graph: nx.MultiDiGraph, doc: ParsedDocument, doc_id: str, key: str):
        self.graph, self.doc, self.doc_id, self.key = graph, doc, doc_id, key
        self.count = 0

    def add(self, owner: str, edge: str, props: dict) -> str:
        self.count += 1
        target_id = node_id("Target", self.key, f"{self.count:04d}")
        props = {"id": target_id, "doc": self.doc_id, "city": self.doc.meta.region, **props}
        add_node(self.graph, "Target", props)
        add_edge(self.graph, owner, target_id, edge)
        if props.get("indicator"):
            indicator_id = node_id("Indicator", props["indicator"])
            if indicator_id not in self.graph:
                from .indicators import indicator_unit

                add_node(self.graph, "Indicator", {"id": indicator_id, "name": props["indicator"],
                                                   "unit": indicator_unit(props["indicator"])})
            add_edge(self.graph, target_id, indicator_id, "MEASURES")
        return target_id

    def add_text_target(self, owner: str, edge: str, target, source: str, line: int, task_id: str = "") -> None:
        value = float(target.value)
        high = float(target.value_high if target.value_high is not None else target.value)
        unit = target.unit
        if target.indicator:
            # Stated in the indicator's unit where the conversion is certain (3万个 → 3 万个).
            converted = to_indicator_unit(value, unit, target.indicator)
            if converted is not None:
                from .indicators import indicator_unit

                high = to_indicator_unit(high, unit, target.indicator)
                value, unit = float(converted), indicator_unit(target.indicator)
        self.add(owner, edge, {
            "task": task_id, "scope": "self", "source": source, "metric": target.metric,
            "indicator": target.indicator or "", "value": value, "value_high": float(high),
            "unit": unit, "year": target.year or 0, "qualifier": target.qualifier,
            "cumulative": bool(target.cumulative), "printed": target.raw, "line": line,
        })


def table_value(row, value, indicator: str) -> tuple[float, str] | None:
    """A table cell as (value, unit), in the indicator's unit where the conversion is certain."""
    if not isinstance(value, (int, float)):
        return None  # "提高3个百分点" is a change, not a level
    if indicator:
        converted = to_indicator_unit(float(value), row.unit, indicator)
        if converted is not None:
            from .indicators import indicator_unit

            return float(converted), indicator_unit(indicator)
    return float(value), row.unit


def add_targets(graph: nx.MultiDiGraph, doc: ParsedDocument, doc_id: str, key: str) -> None:
    """Targets of tasks (HAS_TARGET), of goal paragraphs and indicator tables (SETS_TARGET)."""
    writer = TargetWriter(graph, doc, doc_id, key)
    for task in doc.tasks:
        task_id = node_id("Task", key, f"{task.ordinal:04d}")
        for target in task.targets:
            writer.add_text_target(task_id, "HAS_TARGET", target, "task", task.line_start, task_id)
    for target, line in doc.goal_targets:
        writer.add_text_target(doc_id, "SETS_TARGET", target, "goal", line)
    for index, row in enumerate(doc.indicator_rows):
        indicator = row.indicator or ""
        cells = [(year, value, "self") for year, value in sorted(row.targets.items())]
        if row.baseline:
            cells.insert(0, (row.baseline[0], row.baseline[1], "baseline"))
        if row.province_target is not None and row.targets:
            cells.append((max(row.targets), row.province_target, "province"))
        agencies = [add_agency(graph, unit) for unit in doc.table_units.get(index, [])]
        for year, value, scope in cells:
            converted = table_value(row, value, indicator)
            if converted is None:
                continue
            number, unit = converted
            target_id = writer.add(doc_id, "SETS_TARGET", {
                "task": "", "scope": scope, "source": "table", "metric": row.name, "indicator": indicator,
                "value": number, "value_high": number, "unit": unit, "year": int(year),
                "qualifier": row.qualifiers.get(year, "") if scope == "self" else "", "cumulative": False,
                "printed": f"{row.name} {value}{row.unit}", "line": row.line_start,
            })
            if scope == "self":
                for agency_id in agencies:
                    add_edge(graph, agency_id, target_id, "ANSWERS_FOR")


def add_topics(graph: nx.MultiDiGraph, task_id: str, tags) -> None:
    """ABOUT edges from a task to the topics its title and text name (with the keywords found)."""
    for tag in tags:
        topic_id = node_id("Topic", tag.topic)
        if topic_id not in graph:
            add_node(graph, "Topic", {"id": topic_id, "name": tag.topic})
        add_edge(graph, task_id, topic_id, "ABOUT", evidence=list(tag.evidence), strength=tag.strength)


def add_projects(graph: nx.MultiDiGraph, task_id: str, found: list[tuple[str, str]], box_item: str) -> None:
    """MENTIONS edges to named projects; ``box_item`` is the task's own name when it is a 专栏 item."""
    for canonical, printed in found:
        project_id = node_id("Project", canonical)
        if project_id not in graph:
            source = "box item" if box_item and canonical == box_item else "text"
            add_node(graph, "Project", {"id": project_id, "name": canonical, "source": source})
        add_edge(graph, task_id, project_id, "MENTIONS", printed=printed)


def add_region(graph: nx.MultiDiGraph, name: str, level: str) -> str:
    region_id = node_id("Region", name)
    if region_id not in graph:
        add_node(graph, "Region", {"id": region_id, "name": name, "level": level})
    return region_id


def add_agency(graph: nx.MultiDiGraph, unit) -> str:
    """The agency node a resolved unit names, created on first mention; aliases accumulate.

    The id is qualified by the unit's scope: its region, or its document when the document's
    region is unknown (agency:doc:<hash>:市委组织部), so same-named units of two regions never merge.
    """
    agency_id = node_id("Agency", unit.scope or unit.region, unit.canonical)
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


def assemble(docs: list[tuple[ParsedDocument, str]], overlap: bool = True,
             while_overlap: Callable[[nx.MultiDiGraph], None] | None = None,
             background: bool | None = None,
             on_progress: Callable[[str, int, int | None], None] | None = None) -> nx.MultiDiGraph:
    """The graph of several parsed documents, each given with the file label to cite.

    ``overlap`` adds the cross-document step (similar tasks, families, provincial uptake). For
    large corpora it is computed in a child process from the parsed documents while this process
    assembles them (``background``: see ``overlap.start``); ``while_overlap`` is called with the
    sorted graph of the documents alone, before the overlap is added, for work that needs no
    more than that (the CLI's query index) and so fits in the same wait. ``on_progress(stage,
    done, total)`` hears ("assembling", 0, None), then ("overlap", 0, None) while the overlap
    result is awaited.
    """
    if on_progress is not None:
        on_progress("assembling", 0, None)
    ordered = sorted(docs, key=lambda pair: (pair[0].meta.region, pair[0].meta.title, pair[1]))
    pending = None
    if overlap:
        from . import overlap as overlap_step

        records = overlap_step.records_from_documents(doc for doc, _ in ordered)
        if len(records) >= 2:  # nothing to compare otherwise
            pending = overlap_step.start(records, background)
        del records
    try:
        with paused_gc():
            staging = nx.MultiDiGraph()
            for doc, label in ordered:
                add_document(staging, doc, label)
            graph = _sorted_graph(staging, consume=True)
            if while_overlap is not None:
                while_overlap(graph)
            if pending is not None:
                if on_progress is not None:
                    on_progress("overlap", 0, None)
                touched = overlap_step.apply(graph, pending.result())
                graph = _resorted(graph, touched)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    return graph


def canonical_order(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes and edges inserted in sorted order: iteration order is then stable."""
    with paused_gc():
        return _sorted_graph(graph, consume=False)


def _sorted_graph(graph: nx.MultiDiGraph, consume: bool) -> nx.MultiDiGraph:
    """``graph`` with nodes in id order and edges in (source, target, key) order.

    The graph's dicts are built directly, as ``add_node``/``add_edge`` would fill them (successor
    and predecessor entries share one key dict): calling them a million times for the
    3,000-plan corpus took 6 s of a 60 s build. With ``consume`` the node and edge dicts move
    over as they are (a key dict is reordered in place, in the rare case it has two keys out of
    order) and ``graph`` is emptied; without it they are copied.
    """
    nodes = sorted(graph._node)
    old_succ = graph._succ
    if consume:
        node = {n: graph._node[n] for n in nodes}
        succ = {n: _sorted_row(old_succ[n]) for n in nodes}
    else:
        node = {n: dict(graph._node[n]) for n in nodes}
        succ = {n: {t: {k: dict(row[t][k]) for k in sorted(row[t])} for t in sorted(row)}
                for n in nodes for row in (old_succ[n],)}
    pred: dict[str, dict] = {n: {} for n in nodes}
    for source, row in succ.items():  # sources in id order, so every predecessor row is sorted too
        for target, keyed in row.items():
            pred[target][source] = keyed
    ordered = _graph_of(graph.graph, node, succ, pred)
    if consume:
        graph.clear()
    return ordered


def _resorted(graph: nx.MultiDiGraph, touched: set[str]) -> nx.MultiDiGraph:
    """A sorted graph (``_sorted_graph``) that has had nodes added and the edges of ``touched``
    changed, in that order again: only the changed rows are sorted, the others move as they are."""
    nodes = sorted(graph._node)
    succ, pred = graph._succ, graph._pred
    return _graph_of(graph.graph, {n: graph._node[n] for n in nodes},
                     {n: _sorted_row(succ[n]) if n in touched else succ[n] for n in nodes},
                     {n: {s: row[s] for s in sorted(row)} if n in touched else row
                      for n in nodes for row in (pred[n],)})


def _sorted_row(row: dict) -> dict:
    """A successor row in (target, key) order: a new dict, with each key dict reordered in place."""
    return {target: _keys_sorted(row[target]) for target in sorted(row)}


def _keys_sorted(keyed: dict) -> dict:
    """An edge key dict with its keys in order, reordered in place (it is shared by both rows)."""
    if len(keyed) > 1:
        keys = sorted(keyed)
        if keys != list(keyed):
            items = [(key, keyed[key]) for key in keys]
            keyed.clear()
            keyed.update(items)
    return keyed


def _graph_of(attributes: dict, node: dict, succ: dict, pred: dict) -> nx.MultiDiGraph:
    """A MultiDiGraph made of ready node and adjacency dicts (no per-node or per-edge calls)."""
    graph = nx.MultiDiGraph()
    graph.graph.update(attributes)
    graph._node = node
    graph._adj = succ  # networkx keeps _succ the same dict and drops cached views
    graph._pred = pred
    nx._clear_cache(graph)
    return graph
