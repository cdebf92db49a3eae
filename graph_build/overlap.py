"""Corpus-level overlap: SIMILAR_TO pairs, task families and provincial uptake, added to the graph.

This is the one step that looks across documents (everything before it is per document), so it
runs once the documents are assembled. The method and its threshold are in graph_build/similarity.py.
"""
from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from .graph import link
from .schema import check_node, node_id
from .similarity import THRESHOLD, family_label, similar_pairs, task_families, uptake


def add_overlap(graph: nx.MultiDiGraph) -> None:
    """Add SIMILAR_TO, TaskFamily/IN_FAMILY and TAKES_UP to an assembled graph (in place)."""
    tasks = sorted(n for n, d in graph.nodes(data=True) if d.get("label") == "Task")
    if len(tasks) < 2:
        return
    nodes = [graph.nodes[t] for t in tasks]
    texts = [f"{d['title']} {d['text']}" for d in nodes]
    groups = [d["doc"] for d in nodes]
    pairs = similar_pairs(texts, groups)
    _add_edges(graph, ((tasks[i], tasks[j], "SIMILAR_TO", {"type": "SIMILAR_TO", "score": score})
                       for i, j, score in pairs))
    for members in task_families(len(tasks), pairs, groups):
        cities = sorted({nodes[m]["city"] for m in members})
        if len(cities) < 2:
            continue  # a family of one city's two documents is not overlap between cities
        family_id = node_id("TaskFamily", tasks[members[0]].split(":", 1)[1])
        graph.add_node(family_id, label="TaskFamily", **check_node("TaskFamily", {
            "id": family_id, "name": family_label([nodes[m]["title"] for m in members]),
            "size": len(members), "cities": cities}))
        _add_edges(graph, ((tasks[member], family_id, "IN_FAMILY", {"type": "IN_FAMILY"}) for member in members))
    level = {n: d.get("level") for n, d in graph.nodes(data=True) if d.get("label") == "Document"}
    province = [i for i, d in enumerate(nodes) if level.get(d["doc"]) == "province"]
    city = [i for i, d in enumerate(nodes) if level.get(d["doc"]) != "province"]
    scores = {(i, j): s for i, j, s in pairs}
    _add_edges(graph, ((tasks[taker], tasks[provincial], "TAKES_UP",
                        {"type": "TAKES_UP", "score": scores.get((min(provincial, taker), max(provincial, taker)), 0.0)})
                       for provincial, takers in uptake(province, city, pairs).items() for taker in takers))
    graph.graph["similarity_threshold"] = THRESHOLD


def _add_edges(graph: nx.MultiDiGraph, edges: Iterable[tuple[str, str, str, dict]]) -> None:
    """``graph.add_edge(source, target, key, **data)`` for each edge, between existing nodes, by
    ``graph.link`` (half a million ``add_edge`` calls took over a second of the 3,000-plan build)."""
    for source, target, key, data in edges:
        link(graph, source, target, key, data)
    nx._clear_cache(graph)
