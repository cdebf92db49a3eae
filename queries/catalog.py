"""Catalog listings: the documents in the graph and the units it knows."""
from __future__ import annotations

import networkx as nx

from .tasks import city_matches, in_edges_of, nodes_of, out_edges_of


def documents(graph: nx.MultiDiGraph, city: str | None = None) -> list[dict]:
    """Documents with their metadata, task counts and warnings, by region then title."""
    rows = []
    for doc_id in nodes_of(graph, "Document"):
        doc = graph.nodes[doc_id]
        if not city_matches(doc["region"], city):
            continue
        annotated = sum(
            1 for t, _ in in_edges_of(graph, doc_id, "TASK_OF")
            if any(True for _ in in_edges_of(graph, t, "RESPONSIBLE_FOR"))
        )
        rows.append({"id": doc_id, "title": doc["title"], "issuer": doc["issuer"], "number": doc["number"],
                     "date": doc["date"], "region": doc["region"], "level": doc["level"], "period": doc["period"],
                     "tasks": doc["task_count"], "annotated_tasks": annotated, "file": doc["file"],
                     "encoding": doc["encoding"], "format": doc["format"], "truncated": doc["truncated"],
                     "warnings": list(doc["warnings"])})
    rows.sort(key=lambda r: (r["region"], r["title"]))
    return rows


def units(graph: nx.MultiDiGraph, city: str | None = None, unresolved: bool = False) -> list[dict]:
    """Agencies with region, kind, function, the names printed for them, and their task count."""
    rows = []
    for agency_id in nodes_of(graph, "Agency"):
        agency = graph.nodes[agency_id]
        if not city_matches(agency["region"], city) or (unresolved and agency["resolved"]):
            continue
        tasks = {t for t, _ in out_edges_of(graph, agency_id, "RESPONSIBLE_FOR")}
        rows.append({"unit": agency["name"], "city": agency["region"], "kind": agency["kind"],
                     "function": agency["function"], "resolved": agency["resolved"],
                     "printed": list(agency["aliases"]), "tasks": len(tasks), "id": agency_id})
    rows.sort(key=lambda r: (r["city"], r["unit"]))
    return rows
