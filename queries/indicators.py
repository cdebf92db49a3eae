"""Indicators side by side: every document's baseline and targets by year, against the province's."""
from __future__ import annotations


import networkx as nx

from .tasks import nodes_of

SOURCE_RANK = {"table": 0, "goal": 1, "task": 2}  # a table row states a target most precisely


def _format(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def indicator_rows(graph: nx.MultiDiGraph, name: str | None = None) -> list[dict]:
    """Rows per indicator: the province's targets and each document's baseline and targets by year.

    Each row: {indicator, unit, province: {year: value}, documents: [{doc, city, level, baseline:
    {year: value}, targets: {year: value}, province_quoted: {year: value}, final_year, final,
    vs_province}]} where vs_province says whether the document's last target "exceeds", "meets" or
    "falls short of" the province's target for the same year ("" when either is missing).
    Where a table, a goal paragraph and a task all state a value for one year, the table wins.
    """
    per_indicator: dict[str, dict] = {}
    for indicator_id in nodes_of(graph, "Indicator"):
        indicator = graph.nodes[indicator_id]
        if name and name not in indicator["name"]:
            continue
        docs: dict[str, dict] = {}
        province: dict[int, tuple[int, float]] = {}
        for target_id, _, data in graph.in_edges(indicator_id, data=True):
            if data.get("type") != "MEASURES":
                continue
            target = graph.nodes[target_id]
            doc = graph.nodes[target["doc"]]
            if not target["year"]:
                continue
            rank = SOURCE_RANK.get(target["source"], 3)
            entry = docs.setdefault(target["doc"], {"doc": doc["title"], "city": doc["region"], "level": doc["level"],
                                                    "baseline": {}, "targets": {}, "province_quoted": {}, "_rank": {}})
            if target["unit"] != indicator["unit"] and indicator["unit"]:
                continue  # not convertible (1750万个 users vs 万户): not comparable, left out
            value = (rank, target["value"])
            if target["scope"] == "baseline":
                entry["baseline"][target["year"]] = _format(target["value"])
            elif target["scope"] == "province":
                entry["province_quoted"][target["year"]] = _format(target["value"])
                province.setdefault(target["year"], (9, target["value"]))
            else:
                key = (target["year"], "targets")
                if key not in entry["_rank"] or value < entry["_rank"][key]:
                    entry["_rank"][key] = value
                    entry["targets"][target["year"]] = _format(target["value"])
                if doc["level"] == "province":
                    current = province.get(target["year"])
                    if current is None or value < current:
                        province[target["year"]] = value
        if not docs:
            continue
        province_values = {year: _format(v) for year, (_, v) in sorted(province.items())}
        rows = []
        for doc_id in sorted(docs, key=lambda d: (docs[d]["level"] != "province", docs[d]["city"], d)):
            entry = docs[doc_id]
            entry.pop("_rank")
            if not entry["targets"] and not entry["baseline"]:
                continue
            entry["baseline"] = dict(sorted(entry["baseline"].items()))
            entry["targets"] = dict(sorted(entry["targets"].items()))
            entry["province_quoted"] = dict(sorted(entry["province_quoted"].items()))
            final_year = max(entry["targets"]) if entry["targets"] else 0
            entry["final_year"], entry["final"] = final_year, entry["targets"].get(final_year)
            entry["vs_province"] = ""
            reference = province_values.get(final_year)
            if entry["level"] != "province" and entry["final"] is not None and reference is not None:
                entry["vs_province"] = ("exceeds" if entry["final"] > reference else
                                        "falls short of" if entry["final"] < reference else "meets")
            rows.append(entry)
        per_indicator[indicator["name"]] = {"indicator": indicator["name"], "unit": indicator["unit"],
                                            "province": province_values, "documents": rows}
    ordered = sorted(per_indicator.values(), key=lambda r: (-len(r["documents"]), r["indicator"]))
    return ordered
