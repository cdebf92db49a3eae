"""Corpus-level overlap: SIMILAR_TO pairs, task families and provincial uptake, added to the graph.

This is the one step that looks across documents (everything before it is per document), so it
runs once the documents are assembled. The method and its threshold are in graph_build/similarity.py.
"""
from __future__ import annotations

import networkx as nx

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
    for i, j, score in pairs:
        graph.add_edge(tasks[i], tasks[j], key="SIMILAR_TO", type="SIMILAR_TO", score=score)
    for members in task_families(len(tasks), pairs, groups):
        cities = sorted({nodes[m]["city"] for m in members})
        if len(cities) < 2:
            continue  # a family of one city's two documents is not overlap between cities
        family_id = node_id("TaskFamily", tasks[members[0]].split(":", 1)[1])
        graph.add_node(family_id, label="TaskFamily", **check_node("TaskFamily", {
            "id": family_id, "name": family_label([nodes[m]["title"] for m in members]),
            "size": len(members), "cities": cities}))
        for member in members:
            graph.add_edge(tasks[member], family_id, key="IN_FAMILY", type="IN_FAMILY")
    level = {n: d.get("level") for n, d in graph.nodes(data=True) if d.get("label") == "Document"}
    province = [i for i, d in enumerate(nodes) if level.get(d["doc"]) == "province"]
    city = [i for i, d in enumerate(nodes) if level.get(d["doc"]) != "province"]
    scores = {(i, j): s for i, j, s in pairs}
    for provincial, takers in uptake(province, city, pairs).items():
        for taker in takers:
            score = scores.get((min(provincial, taker), max(provincial, taker)), 0.0)
            graph.add_edge(tasks[taker], tasks[provincial], key="TAKES_UP", type="TAKES_UP", score=score)
    graph.graph["similarity_threshold"] = THRESHOLD
