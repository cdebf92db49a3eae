"""Each unit's load: how many tasks it leads and supports, per unit or per function."""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from .tasks import city_matches, nodes_of, out_edges_of


def load_by_unit(graph: nx.MultiDiGraph, city: str | None = None, top: int | None = None) -> list[dict]:
    """Rows {unit, city, kind, function, lead, support, total, targets}, heaviest first.

    A unit named twice in one annotation (rare) counts once per task, under its strongest role.
    Ties sort by lead count, then by name, so the order is stable.
    """
    rows = []
    for agency_id in nodes_of(graph, "Agency"):
        agency = graph.nodes[agency_id]
        if not city_matches(agency["region"], city):
            continue
        roles: dict[str, str] = {}
        for task_id, data in out_edges_of(graph, agency_id, "RESPONSIBLE_FOR"):
            if roles.get(task_id) != "lead":
                roles[task_id] = data["role"]
        if not roles:
            continue
        lead = sum(1 for r in roles.values() if r == "lead")
        support = len(roles) - lead
        rows.append({"unit": agency["name"], "city": agency["region"], "kind": agency["kind"],
                     "function": agency["function"], "lead": lead, "support": support,
                     "total": lead + support, "targets": targets_answered(graph, agency_id, roles),
                     "id": agency_id})
    rows.sort(key=lambda r: (-r["total"], -r["lead"], r["city"], r["unit"]))
    return rows[:top] if top else rows


def targets_answered(graph: nx.MultiDiGraph, agency_id: str, roles: dict[str, str]) -> int:
    """Quantitative targets a unit answers for: those of the tasks it leads, plus the indicator
    table rows that name it (厦门's annex names a responsible unit per indicator)."""
    targets = set()
    for task_id, role in roles.items():
        if role == "lead":
            targets.update(t for t, _ in out_edges_of(graph, task_id, "HAS_TARGET"))
    targets.update(t for t, _ in out_edges_of(graph, agency_id, "ANSWERS_FOR"))
    return len(targets)


def load_by_function(graph: nx.MultiDiGraph, city: str | None = None, top: int | None = None) -> list[dict]:
    """Rows per agency function, counterpart units of every city side by side.

    Each row: {function, lead, support, total, cities: {city: {units, lead, support, total}}}.
    Units without a function are grouped under their own name so nothing is dropped.
    """
    grouped: dict[str, dict] = {}
    for row in load_by_unit(graph, city):
        key = row["function"] or f"({row['unit']})"
        group = grouped.setdefault(key, {"function": key, "lead": 0, "support": 0, "total": 0, "targets": 0,
                                         "cities": defaultdict(lambda: {"units": [], "lead": 0, "support": 0,
                                                                        "total": 0, "targets": 0})})
        for field in ("lead", "support", "total", "targets"):
            group[field] += row[field]
            group["cities"][row["city"]][field] += row[field]
        group["cities"][row["city"]]["units"].append(row["unit"])
    rows = []
    for group in grouped.values():
        group["cities"] = {c: group["cities"][c] for c in sorted(group["cities"])}
        rows.append(group)
    rows.sort(key=lambda r: (-r["total"], -r["lead"], r["function"]))
    return rows[:top] if top else rows
