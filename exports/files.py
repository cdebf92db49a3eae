"""The graph as files for other tools: GraphML and GEXF (Gephi, yEd), node-link JSON, CSV.

Every writer takes the responsibility graph and a path, writes atomically
(``graph_build.files.write_atomic``, which refuses a target that is a folder, FIFO or device)
and returns what it wrote. Output is sorted, so the
same graph gives the same bytes.

Conventions of GraphML, GEXF and CSV (tools read some attribute names specially):

- a node's schema label is written as ``labels`` = ``:Task`` (the Neo4j APOC export convention),
  and ``label`` holds a display text (the name or title) that Gephi and yEd show;
- an edge's type is written as ``label`` (APOC; Gephi shows it as the edge label): GEXF and
  Gephi's CSV import read ``type`` as directed/undirected;
- a STRING[] value is joined with ``|``; a ``|`` or ``\\`` inside an item is escaped with a
  backslash (``split_list`` reverses it), and an empty list is the empty string;
- an attribute that two labels type differently (today ``level``: STRING on Document and
  Region, INT64 on Section) is written as a string everywhere, because a GraphML key and a GEXF
  attribute have one type; booleans cast so are ``true``/``false``;
- edge ids are ``e0``, ``e1``, ... (ids must be unique; the networkx multigraph key, unique only
  between two nodes, is the ``key`` attribute in GraphML and CSV and ``networkx_key`` in GEXF, the
  name networkx's GEXF reader takes back as the key of a multigraph).

Node-link JSON keeps the graph exactly as networkx holds it (``label`` and ``type`` as they are,
lists as arrays, the key of each edge as ``key``); ``networkx.node_link_graph(data,
edges="edges")`` reads it back.
"""
from __future__ import annotations

import csv
import io
import json
import os
from collections import defaultdict
from pathlib import Path

import networkx as nx

from respgraph.errors import UsageProblem
from respgraph.graph_build import schema
from respgraph.graph_build.files import check_folder, check_target, write_atomic

FORMATS = ("graphml", "gexf", "json", "csv")
LIST_SEPARATOR = "|"


class UnknownFormat(ValueError, UsageProblem):
    """An export format respgraph does not write."""


def join_list(items) -> str:
    """A STRING[] value as one text: items joined with '|', '|' and '\\' inside items escaped."""
    return LIST_SEPARATOR.join(str(item).replace("\\", "\\\\").replace("|", "\\|") for item in items)


def split_list(text: str) -> list[str]:
    """The items of a ``join_list`` text."""
    if not text:
        return []
    items, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == LIST_SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return items


def node_label(graph: nx.MultiDiGraph, node: str) -> str:
    from .views import label_of

    return label_of(graph, node)


def display_text(graph: nx.MultiDiGraph, node: str) -> str:
    """What a tool shows for a node: a Task's number and title, else the name or title."""
    data = graph.nodes[node]
    label = node_label(graph, node)
    if label == "Task":
        return " ".join(p for p in (data.get("number", ""), data.get("title", "")) if p) or node
    if label == "Section":
        from .views import section_heading

        return section_heading(data) or node
    for key in ("name", "title", "printed", "metric"):
        if isinstance(data.get(key), str) and data[key]:
            return data[key]
    return node


def _plain(value):
    """A value a GraphML/GEXF/CSV cell can hold: lists joined, other non-scalars as JSON."""
    if isinstance(value, (list, tuple)):
        return join_list(value)
    if isinstance(value, (str, bool, int, float)):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _as_string(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unify_types(records: list[dict]) -> None:
    """Attributes holding values of several types (level: str and int) become strings everywhere."""
    types: dict[str, set] = defaultdict(set)
    for record in records:
        for key, value in record.items():
            types[key].add(type(value))
    mixed = {key for key, kinds in types.items() if len(kinds) > 1}
    for record in records:
        for key in mixed & set(record):
            record[key] = _as_string(record[key])


def tool_graph(graph: nx.MultiDiGraph, edge_ids_as_keys: bool) -> nx.MultiDiGraph:
    """The graph with the attribute conventions above, in sorted order.

    ``edge_ids_as_keys``: make the multigraph key the unique edge id e0, e1, ... and keep the
    original key as the ``key`` attribute (GraphML writes the key as the edge id); otherwise
    keep the key and give each edge an ``id`` attribute (GEXF writes ``key`` and ``id`` itself).
    """
    nodes = sorted(graph.nodes)
    node_records = []
    for node in nodes:
        record = {key: _plain(value) for key, value in graph.nodes[node].items() if key != "label"}
        record["labels"] = ":" + node_label(graph, node)
        record["label"] = display_text(graph, node)
        node_records.append(record)
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    edge_records = []
    for source, target, key, data in edges:
        record = {k: _plain(v) for k, v in data.items() if k != "type"}
        record["label"] = data.get("type", "")
        edge_records.append(record)
    _unify_types(node_records)
    _unify_types(edge_records)
    out = nx.MultiDiGraph()
    out.graph.update({k: _plain(v) for k, v in sorted(graph.graph.items())})
    for node, record in zip(nodes, node_records):
        out.add_node(node, **record)
    for index, ((source, target, key, _), record) in enumerate(zip(edges, edge_records)):
        if edge_ids_as_keys:
            out.add_edges_from([(source, target, f"e{index}", {**record, "key": key})])
        else:
            out.add_edges_from([(source, target, key, {**record, "id": f"e{index}"})])
    return out


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    from networkx.readwrite.graphml import GraphMLWriter

    prepared = tool_graph(graph, edge_ids_as_keys=True)
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(prepared)
    # GraphML booleans are true/false (networkx writes Python's True/False)
    booleans = {key.get("id") for key in writer.xml.iter("key") if key.get("attr.type") == "boolean"}
    for data in writer.xml.iter("data"):
        if data.get("key") in booleans and data.text:
            data.text = data.text.lower()
    buffer = io.BytesIO()
    writer.dump(buffer)   # UTF-8 text, not ASCII with character references
    return buffer.getvalue()


def gexf_bytes(graph: nx.MultiDiGraph) -> bytes:
    from networkx.readwrite.gexf import GEXFWriter

    prepared = tool_graph(graph, edge_ids_as_keys=False)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)   # a date would make two exports of one graph differ
    meta.find("creator").text = "respgraph"
    writer.add_graph(prepared)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def json_bytes(graph: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(graph, edges="edges")
    data["nodes"].sort(key=lambda n: n["id"])
    data["edges"].sort(key=lambda e: (e["source"], e["target"], str(e["key"])))
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _property_order(kind: str, records: list[dict], first: list[str]) -> list[str]:
    """CSV columns: the fixed ones, then schema properties in schema order, then any others sorted."""
    ordered = list(first)
    specs = schema.NODES.values() if kind == "node" else schema.EDGES.values()
    for spec in specs:
        for name in spec.properties:
            if name not in ordered:
                ordered.append(name)
    present = {key for record in records for key in record}
    return [c for c in ordered if c in present or c in first] + sorted(present - set(ordered))


def _csv_text(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_as_string(row[c]) if c in row else "" for c in columns])
    return buffer.getvalue().encode("utf-8")


def csv_files(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """nodes.csv (id, labels, label, properties...) and edges.csv (source, target, key, label, properties...)."""
    prepared = tool_graph(graph, edge_ids_as_keys=False)
    nodes = [{"id": n, **d} for n, d in prepared.nodes(data=True)]
    edges = [{"source": s, "target": t, "key": k, **{a: v for a, v in d.items() if a != "id"}}
             for s, t, k, d in prepared.edges(keys=True, data=True)]
    return {"nodes.csv": _csv_text(nodes, _property_order("node", nodes, ["id", "labels", "label"])),
            "edges.csv": _csv_text(edges, _property_order("edge", edges, ["source", "target", "key", "label"]))}


def export(graph: nx.MultiDiGraph, fmt: str, path: str | os.PathLike) -> list[Path]:
    """Write the graph as ``fmt`` (graphml, gexf, json: a file; csv: a folder); return the files written."""
    check_export_path(fmt, path)
    target = Path(path)
    if fmt == "csv":
        written = []
        for name, data in csv_files(graph).items():
            write_atomic(target / name, data)
            written.append(target / name)
        return written
    writers = {"graphml": graphml_bytes, "gexf": gexf_bytes, "json": json_bytes}
    write_atomic(target, writers[fmt](graph))
    return [target]


def check_export_path(fmt: str, path: str | os.PathLike) -> None:
    """Refuse (``files.UnsafePath``, ValueError) a path ``export`` would not write: a csv folder that
    is a file, nodes.csv/edges.csv or a graphml/gexf/json file that is a folder, FIFO or device."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if fmt == "csv":
        folder = check_folder(path)
        for name in ("nodes.csv", "edges.csv"):
            check_target(folder / name)
    else:
        check_target(path, "." + fmt)
