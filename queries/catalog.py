"""Catalog listings: the documents in the graph and the units it knows."""
from __future__ import annotations

import networkx as nx

from respgraph.graph_build.resolve import has_function

from .tasks import city_matches, in_edges_of, nodes_of, out_edges_of

REGION_UNKNOWN = "region unknown: its units are kept to this document, not merged with same-named units of other plans"


def documents(graph: nx.MultiDiGraph, city: str | None = None) -> list[dict]:
    """Documents with their metadata, task counts and warnings, by region then title.

    A document whose region could not be found says so among its warnings (``REGION_UNKNOWN``).
    """
    rows = []
    for doc_id in nodes_of(graph, "Document"):
        doc = graph.nodes[doc_id]
        if not city_matches(doc["region"], city):
            continue
        annotated = sum(
            1 for t, _ in in_edges_of(graph, doc_id, "TASK_OF")
            if any(True for _ in in_edges_of(graph, t, "RESPONSIBLE_FOR"))
        )
        warnings = list(doc["warnings"])
        if not doc["region"]:
            warnings.append(REGION_UNKNOWN)
        rows.append({"id": doc_id, "title": doc["title"], "issuer": doc["issuer"], "number": doc["number"],
                     "date": doc["date"], "region": doc["region"], "level": doc["level"], "period": doc["period"],
                     "tasks": doc["task_count"], "annotated_tasks": annotated, "file": doc["file"],
                     "encoding": doc["encoding"], "format": doc["format"], "truncated": doc["truncated"],
                     "warnings": warnings})
    rows.sort(key=lambda r: (r["region"], r["title"]))
    return rows


def known_cities(graph: nx.MultiDiGraph) -> list[str]:
    """Every region name a --city option can select: of documents, tasks and agencies, sorted."""
    names = {data.get("region") or data.get("city") or "" for data in graph._node.values()
             if data.get("label") in ("Document", "Task", "Agency")}
    return sorted(names - {""})


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


def units_without_function(graph: nx.MultiDiGraph, city: str | None = None) -> list[dict]:
    """Units that say nothing of what they do: no function, and not a government or collective.

    The rows of ``units`` (unit, city, kind, function, resolved, printed, tasks, id) plus the files
    of the documents that name them, by city then name: what ``check`` lists so that the curated
    tables (data/agencies.csv, data/function_patterns.csv) can grow. Units of a document whose
    region is unknown have city "" and an id qualified by the document (agency:doc:<hash>:…).
    """
    rows = []
    for row in units(graph, city):
        if has_function(row["kind"], row["function"]):
            continue
        named_in = [node for edge in ("RESPONSIBLE_FOR", "ANSWERS_FOR") for node, _ in out_edges_of(graph, row["id"], edge)]
        files = {graph.nodes[graph.nodes[node]["doc"]]["file"] for node in named_in}  # tasks and targets
        rows.append({**row, "files": sorted(files)})
    return rows
