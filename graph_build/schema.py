"""The one graph schema: node labels, relationship types and their typed properties.

Everything that writes or reads the graph goes through this module: the networkx builder,
the JSON snapshot, the embedded Cypher loader, the Neo4j pusher and the file exporters.
Property types use the Cypher type names both LadybugDB and Neo4j understand
(STRING, INT64, DOUBLE, BOOLEAN, STRING[]).
"""
from __future__ import annotations

import functools

from dataclasses import dataclass

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class NodeType:
    label: str
    properties: dict[str, str]
    doc: str


@dataclass(frozen=True)
class EdgeType:
    type: str
    source: str
    target: str
    properties: dict[str, str]
    doc: str


NODES: dict[str, NodeType] = {n.label: n for n in [
    NodeType("Document", {
        "id": "STRING", "title": "STRING", "issuer": "STRING", "issuer_role": "STRING",
        "number": "STRING", "date": "STRING", "region": "STRING", "level": "STRING",
        "period": "STRING", "file": "STRING", "sha256": "STRING", "encoding": "STRING",
        "format": "STRING", "truncated": "BOOLEAN", "warnings": "STRING[]", "task_count": "INT64",
    }, "A plan document (行动计划, 行动方案, 专项规划)."),
    NodeType("Region", {"id": "STRING", "name": "STRING", "level": "STRING"},
             "A province or city that issues plans and whose agencies act."),
    NodeType("Section", {
        "id": "STRING", "doc": "STRING", "number": "STRING", "title": "STRING", "kind": "STRING",
        "level": "INT64", "line": "INT64", "excluded": "BOOLEAN",
    }, "A heading of a plan's outline: 第一章, 一、, （一）, 1., 专栏."),
    NodeType("Task", {
        "id": "STRING", "doc": "STRING", "city": "STRING", "ordinal": "INT64", "number": "STRING",
        "title": "STRING", "text": "STRING", "section": "STRING", "file": "STRING",
        "line_start": "INT64", "line_end": "INT64", "annotation": "STRING", "deadline": "STRING",
        "place": "STRING",
    }, "A numbered task or sub-item of a plan, with its source lines; place is the sheet and row of a "
       "workbook's task (分工表!5, 分工表!5:6), empty for text."),
    NodeType("Agency", {
        "id": "STRING", "name": "STRING", "region": "STRING", "kind": "STRING",
        "function": "STRING", "aliases": "STRING[]", "resolved": "BOOLEAN",
    }, "A responsible unit, resolved to its canonical name where the curated table knows it."),
    NodeType("Topic", {"id": "STRING", "name": "STRING"},
             "A theme of the curated taxonomy (data/topics.csv): 5G, 智慧教育, 数据要素 ..."),
    NodeType("Project", {"id": "STRING", "name": "STRING", "source": "STRING"},
             "A named project or facility (福建人工智能计算中心); source: curated, pattern or box item."),
    NodeType("Indicator", {"id": "STRING", "name": "STRING", "unit": "STRING"},
             "A quantitative indicator normalised across plans (data/indicators.csv)."),
    NodeType("Target", {
        "id": "STRING", "doc": "STRING", "city": "STRING", "task": "STRING", "scope": "STRING",
        "source": "STRING", "metric": "STRING", "indicator": "STRING", "value": "DOUBLE",
        "value_high": "DOUBLE", "unit": "STRING", "year": "INT64", "qualifier": "STRING",
        "cumulative": "BOOLEAN", "printed": "STRING", "line": "INT64",
    }, "A quantitative target: value (value_high for ranges), unit, year (0 = not stated); scope "
       "'self' or 'province' (a province target quoted in a city table); source task, goal or table."),
    NodeType("TaskFamily", {"id": "STRING", "name": "STRING", "size": "INT64", "cities": "STRING[]"},
             "Similar tasks of several documents grouped together (智慧教育 in 福州, 泉州, 厦门)."),
]}

EDGES: dict[str, EdgeType] = {e.type: e for e in [
    EdgeType("IN_DOCUMENT", "Section", "Document", {}, "A top-level section belongs to its document."),
    EdgeType("SUBSECTION_OF", "Section", "Section", {}, "A section nests in its parent section."),
    EdgeType("IN_SECTION", "Task", "Section", {}, "A task sits under a section."),
    EdgeType("TASK_OF", "Task", "Document", {}, "A task belongs to a document."),
    EdgeType("RESTATES", "Task", "Task", {},
             "A row of a task-division table (重点任务分工表) restates a task of the same plan's body."),
    EdgeType("RESPONSIBLE_FOR", "Agency", "Task", {
        "role": "STRING", "rank": "INT64", "tier": "INT64", "printed": "STRING",
        "implied": "BOOLEAN", "note_line": "INT64",
    }, "An agency leads (rank 1 under 责任单位) or supports a task; implied supporters come from a "
       "standing note (以下各项任务均需…落实，不再列出) at note_line, rank 0."),
    EdgeType("IN_REGION", "Agency", "Region", {}, "An agency belongs to a region."),
    EdgeType("ISSUED_IN", "Document", "Region", {}, "A document is issued by a region's government."),
    EdgeType("ABOUT", "Task", "Topic", {"evidence": "STRING[]", "strength": "STRING"},
             "A task is about a topic; strength title/text (strong) or weak, with the keywords found."),
    EdgeType("MENTIONS", "Task", "Project", {"printed": "STRING"}, "A task names a project or facility."),
    EdgeType("HAS_TARGET", "Task", "Target", {}, "A task promises a quantitative target."),
    EdgeType("SETS_TARGET", "Document", "Target", {}, "A document's goals or indicator table sets a target."),
    EdgeType("MEASURES", "Target", "Indicator", {}, "A target is a value of a normalised indicator."),
    EdgeType("ANSWERS_FOR", "Agency", "Target", {}, "An indicator table names the agency responsible for a target."),
    EdgeType("SIMILAR_TO", "Task", "Task", {"score": "DOUBLE"},
             "Two tasks of different documents are alike (character n-gram TF-IDF cosine ≥ threshold)."),
    EdgeType("IN_FAMILY", "Task", "TaskFamily", {}, "A task belongs to a cross-document task family."),
    EdgeType("TAKES_UP", "Task", "Task", {"score": "DOUBLE"}, "A city task takes up a provincial task."),
]}


def node_id(label: str, *parts: object) -> str:
    """Deterministic node id from a label and the content/position parts that identify it."""
    prefix = {"Document": "doc", "Region": "region", "Section": "sec", "Task": "task", "Agency": "agency",
              "Topic": "topic", "Project": "project", "Indicator": "indicator", "Target": "target",
              "TaskFamily": "family"}[label]
    return ":".join([prefix, *map(str, parts)])


def default_value(type_name: str):
    """The value a missing property takes, so every node of a label has every property."""
    return {"STRING": "", "INT64": 0, "DOUBLE": 0.0, "BOOLEAN": False, "STRING[]": []}[type_name]


@functools.lru_cache(maxsize=None)
def _defaults(label: str) -> tuple[tuple[str, bool, object], ...]:
    """(property, is a list, default) for each property of a label, in schema order."""
    return tuple((name, kind == "STRING[]", default_value(kind)) for name, kind in NODES[label].properties.items())


def check_node(label: str, props: dict) -> dict:
    """Complete a node's properties with defaults and reject properties the schema lacks."""
    if not props.keys() <= NODES[label].properties.keys():
        unknown = set(props) - set(NODES[label].properties)
        raise ValueError(f"{label} has properties outside the schema: {sorted(unknown)}")
    # A fresh list for each missing list property: nodes must never share one.
    return {name: props[name] if name in props else ([] if is_list else default)
            for name, is_list, default in _defaults(label)}
