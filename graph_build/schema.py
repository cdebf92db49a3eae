"""The one graph schema: node labels, relationship types and their typed properties.

Everything that writes or reads the graph goes through this module: the networkx builder,
the JSON snapshot, the embedded Cypher loader, the Neo4j pusher and the file exporters.
Property types use the Cypher type names both LadybugDB and Neo4j understand
(STRING, INT64, DOUBLE, BOOLEAN, STRING[]).
"""
from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1


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
    }, "A numbered task or sub-item of a plan, with its source lines."),
    NodeType("Agency", {
        "id": "STRING", "name": "STRING", "region": "STRING", "kind": "STRING",
        "function": "STRING", "aliases": "STRING[]", "resolved": "BOOLEAN",
    }, "A responsible unit, resolved to its canonical name where the curated table knows it."),
]}

EDGES: dict[str, EdgeType] = {e.type: e for e in [
    EdgeType("IN_DOCUMENT", "Section", "Document", {}, "A top-level section belongs to its document."),
    EdgeType("SUBSECTION_OF", "Section", "Section", {}, "A section nests in its parent section."),
    EdgeType("IN_SECTION", "Task", "Section", {}, "A task sits under a section."),
    EdgeType("TASK_OF", "Task", "Document", {}, "A task belongs to a document."),
    EdgeType("RESPONSIBLE_FOR", "Agency", "Task", {
        "role": "STRING", "rank": "INT64", "tier": "INT64", "printed": "STRING",
    }, "An agency leads (rank 1 under 责任单位) or supports a task."),
    EdgeType("IN_REGION", "Agency", "Region", {}, "An agency belongs to a region."),
    EdgeType("ISSUED_IN", "Document", "Region", {}, "A document is issued by a region's government."),
]}


def node_id(label: str, *parts: object) -> str:
    """Deterministic node id from a label and the content/position parts that identify it."""
    prefix = {"Document": "doc", "Region": "region", "Section": "sec", "Task": "task", "Agency": "agency"}[label]
    return ":".join([prefix, *map(str, parts)])


def default_value(type_name: str):
    """The value a missing property takes, so every node of a label has every property."""
    return {"STRING": "", "INT64": 0, "DOUBLE": 0.0, "BOOLEAN": False, "STRING[]": []}[type_name]


def check_node(label: str, props: dict) -> dict:
    """Complete a node's properties with defaults and reject properties the schema lacks."""
    spec = NODES[label].properties
    unknown = set(props) - set(spec)
    if unknown:
        raise ValueError(f"{label} has properties outside the schema: {sorted(unknown)}")
    return {name: props.get(name, default_value(kind)) for name, kind in spec.items()}
