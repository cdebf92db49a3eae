"""Overlap between plans: shared topics, task families, projects, indicators and uptake.

Every function returns plain rows. Cities are the regions of the documents (福建省 included: its
plans are the ones city plans take up).
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from .tasks import city_matches, in_edges_of, nodes_of, out_edges_of, units_of_task


def _edges(graph, node, type_, out=True):
    if out:
        return [(node, t, d) for t, d in out_edges_of(graph, node, type_)]
    return [(s, node, d) for s, d in in_edges_of(graph, node, type_)]


def _wanted(region: str, cities: list[str] | None) -> bool:
    return not cities or any(city_matches(region, c) for c in cities)


def task_targets(graph: nx.MultiDiGraph, task_id: str) -> list[dict]:
    """Targets a task promises: metric, indicator, value (range), unit, year, qualifier."""
    rows = []
    for _, target_id, _ in _edges(graph, task_id, "HAS_TARGET"):
        rows.append(target_row(graph.nodes[target_id]))
    return sorted(rows, key=lambda r: (r["year"], r["metric"], r["value"]))


def target_row(target: dict) -> dict:
    return {key: target[key] for key in ("metric", "indicator", "value", "value_high", "unit", "year",
                                         "qualifier", "cumulative", "printed", "scope", "source", "line")}


def _lead_names(graph, task_id):
    return [u["canonical"] for u in units_of_task(graph, task_id) if u["role"] == "lead"]


def overlap_by_topic(graph: nx.MultiDiGraph, cities: list[str] | None = None, topic: str | None = None,
                     min_cities: int = 2) -> list[dict]:
    """Per topic, the cities whose plans have strong tasks about it, with leads and targets side by side.

    Rows: {topic, cities: {city: {tasks: [{id, number, title}], leads: [...], targets: [...]}}, city_count},
    topics present in at least ``min_cities`` of the chosen cities, most widely shared first.
    """
    rows = []
    for topic_id in nodes_of(graph, "Topic"):
        name = graph.nodes[topic_id]["name"]
        if topic and name != topic:
            continue
        per_city: dict[str, dict] = defaultdict(lambda: {"tasks": [], "leads": [], "targets": []})
        for task_id, _, data in _edges(graph, topic_id, "ABOUT", out=False):
            if data["strength"] == "weak":
                continue
            task = graph.nodes[task_id]
            if not _wanted(task["city"], cities):
                continue
            entry = per_city[task["city"]]
            entry["tasks"].append({"id": task_id, "number": task["number"], "title": task["title"]})
            for lead in _lead_names(graph, task_id):
                if lead not in entry["leads"]:
                    entry["leads"].append(lead)
            entry["targets"].extend(task_targets(graph, task_id))
        if len(per_city) < min_cities and not topic:
            continue
        for entry in per_city.values():
            entry["tasks"].sort(key=lambda t: t["id"])
        rows.append({"topic": name, "city_count": len(per_city),
                     "cities": {c: per_city[c] for c in sorted(per_city)}})
    rows.sort(key=lambda r: (-r["city_count"], r["topic"]))
    return rows


def shared_projects(graph: nx.MultiDiGraph, cities: list[str] | None = None, min_docs: int = 2) -> list[dict]:
    """Projects named in at least ``min_docs`` documents, with the tasks naming them per city."""
    rows = []
    for project_id in nodes_of(graph, "Project"):
        mentions = defaultdict(list)
        docs = set()
        for task_id, _, _ in _edges(graph, project_id, "MENTIONS", out=False):
            task = graph.nodes[task_id]
            if _wanted(task["city"], cities):
                mentions[task["city"]].append({"id": task_id, "number": task["number"], "title": task["title"],
                                               "leads": _lead_names(graph, task_id)})
                docs.add(task["doc"])
        if len(docs) >= min_docs:
            rows.append({"project": graph.nodes[project_id]["name"], "documents": len(docs),
                         "cities": {c: sorted(mentions[c], key=lambda t: t["id"]) for c in sorted(mentions)}})
    rows.sort(key=lambda r: (-r["documents"], r["project"]))
    return rows


def city_matrix(graph: nx.MultiDiGraph, cities: list[str] | None = None) -> list[dict]:
    """City-by-city similarity: shared strong topics (Jaccard) and share of tasks with a similar task.

    Row per ordered pair: {city, other, topics_jaccard, similar_share} where similar_share is the
    fraction of ``city``'s tasks having a SIMILAR_TO edge to a task of ``other`` (0 when the graph
    has no similarity edges).
    """
    topics: dict[str, set[str]] = defaultdict(set)
    tasks_of: dict[str, set[str]] = defaultdict(set)
    for task_id in nodes_of(graph, "Task"):
        city = graph.nodes[task_id]["city"]
        if not _wanted(city, cities):
            continue
        tasks_of[city].add(task_id)
        for _, topic_id, data in _edges(graph, task_id, "ABOUT"):
            if data["strength"] != "weak":
                topics[city].add(topic_id)
    similar: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, target, data in graph.edges(data=True):
        if data.get("type") != "SIMILAR_TO":
            continue
        a, b = graph.nodes[source]["city"], graph.nodes[target]["city"]
        similar[(a, b)].add(source)
        similar[(b, a)].add(target)
    names = sorted(tasks_of)
    rows = []
    for city in names:
        for other in names:
            if city == other:
                continue
            union = topics[city] | topics[other]
            rows.append({
                "city": city, "other": other,
                "topics_jaccard": round(len(topics[city] & topics[other]) / len(union), 3) if union else 0.0,
                "similar_share": round(len(similar[(city, other)]) / len(tasks_of[city]), 3) if tasks_of[city] else 0.0,
            })
    return rows


def task_families(graph: nx.MultiDiGraph, cities: list[str] | None = None) -> list[dict]:
    """Task families spanning documents: per city, the member tasks with their leads and targets."""
    rows = []
    for family_id in nodes_of(graph, "TaskFamily"):
        family = graph.nodes[family_id]
        per_city: dict[str, list] = defaultdict(list)
        for task_id, _, _ in _edges(graph, family_id, "IN_FAMILY", out=False):
            task = graph.nodes[task_id]
            if _wanted(task["city"], cities):
                per_city[task["city"]].append({"id": task_id, "number": task["number"], "title": task["title"],
                                               "leads": _lead_names(graph, task_id),
                                               "targets": task_targets(graph, task_id)})
        if len(per_city) >= 2:
            rows.append({"family": family["name"], "id": family_id, "size": family["size"],
                         "cities": {c: sorted(per_city[c], key=lambda t: t["id"]) for c in sorted(per_city)}})
    rows.sort(key=lambda r: (-len(r["cities"]), -r["size"], r["id"]))
    return rows


def provincial_uptake(graph: nx.MultiDiGraph) -> list[dict]:
    """Each provincial task with the city tasks that take it up (empty list: none does)."""
    rows = []
    for doc_id in nodes_of(graph, "Document"):
        if graph.nodes[doc_id]["level"] != "province":
            continue
        for task_id, _, _ in _edges(graph, doc_id, "TASK_OF", out=False):
            task = graph.nodes[task_id]
            takers = []
            for city_task, _, data in _edges(graph, task_id, "TAKES_UP", out=False):
                other = graph.nodes[city_task]
                takers.append({"id": city_task, "city": other["city"], "number": other["number"],
                               "title": other["title"], "score": data["score"]})
            takers.sort(key=lambda t: (-t["score"], t["id"]))
            rows.append({"id": task_id, "doc": graph.nodes[doc_id]["title"], "number": task["number"],
                         "title": task["title"], "taken_up_by": takers})
    rows.sort(key=lambda r: r["id"])
    return rows
