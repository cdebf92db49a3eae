"""A unit's duties: every task an agency leads or supports, and how a typed name finds the agency."""
from __future__ import annotations

import re

import networkx as nx

from respgraph.graph_build.resolve import normalise_name

from respgraph.errors import UsageProblem, WorkFailed
from .tasks import city_matches, nodes_of, out_edges_of, task_row, task_sort_key


class UnknownUnit(LookupError, WorkFailed):
    """No agency matches the name."""


class AmbiguousUnit(LookupError, UsageProblem):
    """Several agencies match the name; ``candidates`` lists them."""

    def __init__(self, name: str, candidates: list[dict]):
        self.name = name
        self.candidates = candidates
        listed = "、".join(f"{c['name']}（{c['region'] or where_unknown(c['id'])}）" for c in candidates)
        super().__init__(f"'{name}' matches {len(candidates)} units: {listed}; name one exactly or add --city")


def where_unknown(agency_id: str) -> str:
    """How a unit of a document whose region is unknown is told apart: agency:doc:<hash>:… → doc:<hash>."""
    parts = agency_id.split(":")
    return ":".join(parts[1:3]) if len(parts) > 3 and parts[1] == "doc" else "region unknown"


def _names(node: dict) -> set[str]:
    return {normalise_name(n) for n in [node["name"], *node.get("aliases", [])]}


def _short_forms(node: dict) -> set[str]:
    """Forms without the region prefix: 福州市大数据委 → 大数据委, 市大数据委 → 大数据委."""
    forms = set()
    for name in _names(node):
        for prefix in (node.get("region", ""), node.get("region", "")[:-1], "市", "省"):
            if prefix and name.startswith(prefix) and len(name) > len(prefix) + 1:
                forms.add(name[len(prefix):])
    return forms


def find_agencies(graph: nx.MultiDiGraph, name: str, city: str | None = None) -> list[str]:
    """Agency ids a typed name can mean: exact name or alias first, then unambiguous short forms."""
    wanted = normalise_name(name)
    agencies = [a for a in nodes_of(graph, "Agency") if city_matches(graph.nodes[a]["region"], city)]
    exact_canonical = [a for a in agencies if normalise_name(graph.nodes[a]["name"]) == wanted]
    if exact_canonical:
        return exact_canonical
    matches = [a for a in agencies if wanted in _names(graph.nodes[a]) or wanted in _short_forms(graph.nodes[a])]
    if not matches:
        stripped = re.sub(r"^(市|省)", "", wanted)
        matches = [a for a in agencies if stripped and stripped in _short_forms(graph.nodes[a])]
    return matches


def resolve_agency(graph: nx.MultiDiGraph, name: str, city: str | None = None) -> str:
    """The one agency a name means; raise UnknownUnit or AmbiguousUnit otherwise."""
    matches = find_agencies(graph, name, city)
    if not matches:
        where = f" in {city}" if city else ""
        raise UnknownUnit(f"no unit named '{name}'{where}; see 'respgraph units' for the names known")
    if len(matches) > 1:
        raise AmbiguousUnit(name, [{"id": m, "name": graph.nodes[m]["name"], "region": graph.nodes[m]["region"]}
                                   for m in sorted(matches)])
    return matches[0]


def duties(graph: nx.MultiDiGraph, unit: str, role: str | None = None, city: str | None = None) -> list[dict]:
    """Every task a unit leads or supports, in plan order, in the task row shape plus its role.

    Parameters
    ----------
    unit : an exact name, an alias as printed, or an unambiguous short form (大数据委)
    role : "lead" or "support" to keep only that role
    city : restrict the name lookup to one city (福州 or 福州市)

    Examples
    --------
    >>> [r["number"] for r in duties(graph, "市通信发展管理办", role="lead")]   # doctest: +SKIP
    ['1', '2', '6']
    """
    agency_id = resolve_agency(graph, unit, city)
    rows = []
    for task_id, data in out_edges_of(graph, agency_id, "RESPONSIBLE_FOR"):
        if role and data["role"] != role:
            continue
        row = task_row(graph, task_id)
        row["role"] = data["role"]
        row["unit"] = graph.nodes[agency_id]["name"]
        if data.get("implied"):
            row["implied"] = True  # named by a standing note, not printed on the task
        rows.append((task_sort_key(graph, task_id), row))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]
