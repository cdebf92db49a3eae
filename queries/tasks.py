"""Task listings: every task of the graph as the row shape the CLI and JSON output share."""
from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

ROLE_ORDER = {"lead": 0, "support": 1}


def city_matches(stored: str, wanted: str | None) -> bool:
    """True when a stored region name (福州市) is the city asked for (福州 or 福州市)."""
    if not wanted:
        return True
    wanted = wanted.strip()
    return stored == wanted or (stored[:-1] == wanted and stored[-1:] in "市省区县州")


def nodes_of(graph: nx.MultiDiGraph, label: str) -> list[str]:
    """Ids of all nodes with a label, in id order."""
    return [n for n, d in graph._node.items() if d.get("label") == label]


def out_edges_of(graph: nx.MultiDiGraph, node: str, type_: str) -> Iterator[tuple[str, dict]]:
    """(target, edge data) of ``node``'s outgoing edges of one type, in the graph's order.

    Reads the adjacency dicts as ``out_edges`` does, without its view objects: the query
    index walks every edge of the 100k-task graph, and the views were half of that time.
    """
    for target, keyed in graph._succ[node].items():
        for data in keyed.values():
            if data.get("type") == type_:
                yield target, data


def in_edges_of(graph: nx.MultiDiGraph, node: str, type_: str) -> Iterator[tuple[str, dict]]:
    """(source, edge data) of ``node``'s incoming edges of one type, in the graph's order."""
    for source, keyed in graph._pred[node].items():
        for data in keyed.values():
            if data.get("type") == type_:
                yield source, data


def units_of_task(graph: nx.MultiDiGraph, task_id: str) -> list[dict]:
    """The task's responsible units as printed, with canonical names, roles, ranks and tiers."""
    return _units_of_task(graph, task_id, implied=False)


def implied_units_of_task(graph: nx.MultiDiGraph, task_id: str) -> list[dict]:
    """Supporters a standing note attaches to the task ("implied": true, the note's line as
    source), kept apart from the printed list."""
    return _units_of_task(graph, task_id, implied=True)


def _units_of_task(graph: nx.MultiDiGraph, task_id: str, implied: bool) -> list[dict]:
    units = []
    nodes = graph._node  # graph.nodes[...] without the view: this runs for every task of every plan
    for agency_id, data in in_edges_of(graph, task_id, "RESPONSIBLE_FOR"):
        if bool(data.get("implied")) != implied:
            continue
        agency = nodes[agency_id]
        unit = {
            "name": data["printed"], "canonical": agency["name"], "agency_id": agency_id,
            "kind": agency["kind"], "function": agency["function"],
            "role": data["role"], "rank": data["rank"], "tier": data["tier"],
        }
        if implied:
            unit["implied"] = True
            unit["source"] = {"line": data.get("note_line", 0)}
        units.append(unit)
    units.sort(key=lambda u: (u["rank"], u["canonical"]))
    return units


def section_path(graph: nx.MultiDiGraph, section_id: str) -> list[str]:
    """Headings from the top of the outline down to a section: ["二、主要任务", "（一）…"]."""
    path = []
    current = section_id
    nodes = graph._node
    while current:
        node = nodes[current]
        number = node["number"]
        sep = "、" if node["kind"] == "cn" else ("." if node["kind"] == "arabic" else " ")
        path.append(f"{number}{sep}{node['title']}" if node["kind"] not in ("paren_cn", "paren_arabic") else f"{number}{node['title']}")
        current = next((t for t, _ in out_edges_of(graph, current, "SUBSECTION_OF")), None)
    return list(reversed(path))


def task_row(graph: nx.MultiDiGraph, task_id: str, section_paths: dict[str, list[str]] | None = None) -> dict:
    """One task in the output contract: id, doc, city, section, number, title, text, units, source.

    ``section_paths`` keeps each section's path for the next task of that section, for callers
    making the rows of many tasks (the query index: 100k tasks in 25k sections).
    """
    task = graph._node[task_id]
    doc = graph._node[task["doc"]]
    section = task["section"]
    if not section:
        path = []
    elif section_paths is None:
        path = section_path(graph, section)
    else:
        path = section_paths.get(section)
        if path is None:
            path = section_paths[section] = section_path(graph, section)
    return {
        "id": task_id,
        "doc": doc["title"],
        "doc_id": task["doc"],
        "city": task["city"],
        "section": path[-1] if path else "",
        "section_path": list(path),
        "number": task["number"],
        "title": task["title"],
        "text": task["text"],
        "deadline": task["deadline"],
        "units": units_of_task(graph, task_id),
        **({"implied_units": implied} if (implied := implied_units_of_task(graph, task_id)) else {}),
        "source": {"file": task["file"], "line": task["line_start"], "line_end": task["line_end"],
                   **({"place": task["place"]} if task.get("place") else {})},
    }


def task_sort_key(graph: nx.MultiDiGraph, task_id: str) -> tuple:
    task = graph.nodes[task_id]
    return (task["city"], graph.nodes[task["doc"]]["title"], task["ordinal"])


def tasks(graph: nx.MultiDiGraph, city: str | None = None, doc: str | None = None) -> list[dict]:
    """All tasks, optionally of one city (福州 or 福州市) or one document id, in plan order.

    Examples
    --------
    >>> rows = tasks(graph, city="泉州")          # doctest: +SKIP
    >>> rows[0]["units"][0]["name"]               # doctest: +SKIP
    '市通信发展管理办'
    """
    ids = [t for t in nodes_of(graph, "Task")
           if city_matches(graph.nodes[t]["city"], city) and (doc is None or graph.nodes[t]["doc"] == doc)]
    return [task_row(graph, t) for t in sorted(ids, key=lambda t: task_sort_key(graph, t))]
