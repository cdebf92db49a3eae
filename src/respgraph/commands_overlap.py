"""`respgraph overlap` and `respgraph indicators`: laying plans side by side."""
from __future__ import annotations

import json

import click

from respgraph.queries import overlap as overlap_queries

from . import output
from .cli import check_cities, cli, echo, emit, emit_sheets, graph_of, listing

PARTS = ("topics", "families", "matrix", "projects", "uptake")


def _targets_text(targets: list[dict]) -> str:
    return "；".join(f"{t['metric']} {t['printed'] or t['value']}" + (f"（{t['year']}）" if t["year"] else "")
                     for t in targets[:3]) + ("…" if len(targets) > 3 else "")


def _side_by_side(rows: list[dict], key: str) -> tuple[list[dict], list[str]]:
    """One table row per topic/family, one column per city: "lead | targets"."""
    cities = sorted({c for r in rows for c in r["cities"]})
    flat = []
    for row in rows:
        item = {key: row[key]}
        for city in cities:
            entry = row["cities"].get(city)
            if entry is None:
                item[city] = ""
            elif isinstance(entry, dict):
                item[city] = "、".join(entry["leads"]) or f"{len(entry['tasks'])} tasks"
                if entry["targets"]:
                    item[city] += " | " + _targets_text(entry["targets"])
            else:
                leads = sorted({lead for task in entry for lead in task.get("leads", [])})
                item[city] = "、".join(leads) or "、".join(t["title"] for t in entry)
        flat.append(item)
    return flat, [key, *cities]


@cli.command("overlap")
@click.argument("cities", nargs=-1)
@click.option("--topic", help="Only this topic (see data/topics.csv), e.g. 智慧教育.")
@click.option("--show", "parts", multiple=True, type=click.Choice(PARTS),
              help="Which part(s) to show (default: all): topics, families, matrix, projects, uptake.")
@listing
@click.pass_context
def overlap_command(ctx, cities, topic, parts, fmt):
    """What the plans of several cities share: topics and task families with each city's lead
    and targets side by side, a city-by-city similarity matrix, shared projects, and which
    provincial tasks the city plans take up.

    Example: respgraph overlap 福州 泉州 厦门 --topic 智慧教育
    """
    graph = graph_of(ctx)
    if cities:
        from respgraph.queries import known_cities

        check_cities(known_cities(graph), cities)
    chosen = list(cities) or None
    parts = parts or PARTS
    result = {}
    if "topics" in parts:
        result["topics"] = overlap_queries.overlap_by_topic(graph, chosen, topic)
        if topic and not result["topics"]:
            raise click.ClickException(f"no task is about topic '{topic}'; see data/topics.csv for the topics")
    if "families" in parts:
        result["families"] = overlap_queries.task_families(graph, chosen)
    if "matrix" in parts:
        result["matrix"] = overlap_queries.city_matrix(graph, chosen)
    if "projects" in parts:
        result["projects"] = overlap_queries.shared_projects(graph, chosen)
    if "uptake" in parts:
        result["uptake"] = overlap_queries.provincial_uptake(graph)
    if fmt == "json":
        echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    blocks = []
    if "topics" in result:
        flat, columns = _side_by_side(result["topics"], "topic")
        blocks.append(("topics: lead units | targets per city", flat, columns, "topics"))
    if "families" in result:
        flat, columns = _side_by_side(result["families"], "family")
        blocks.append(("task families: lead units per city", flat, columns, "families"))
    if "matrix" in result:
        blocks.append(("city similarity (topics Jaccard, share of tasks with a similar task)",
                       result["matrix"], ["city", "other", "topics_jaccard", "similar_share"], "matrix"))
    if "projects" in result:
        flat, columns = _side_by_side(result["projects"], "project")
        blocks.append(("projects named in several documents", flat, columns, "projects"))
    if "uptake" in result:
        rows = [{"number": r["number"], "title": r["title"], "doc": r["doc"],
                 "taken_up_by": "、".join(f"{t['city']} {t['number']} {t['title']}" for t in r["taken_up_by"]) or "—"}
                for r in result["uptake"]]
        blocks.append(("provincial tasks and the city tasks taking them up", rows,
                       ["doc", "number", "title", "taken_up_by"], "uptake"))
    if fmt == "xlsx":  # one sheet per part
        from .xlsx_output import Sheet

        emit_sheets([Sheet(part, rows, columns, heading, wrap={"title", "taken_up_by"})
                     for heading, rows, columns, part in blocks])
        return
    for index, (heading, rows, columns, _part) in enumerate(blocks):
        if fmt == "table":
            echo(("\n" if index else "") + f"# {heading}")
        elif index:
            echo("")
        echo(output.render(rows, fmt, columns))


@cli.command("indicators")
@click.option("--name", help="Only indicators whose name contains this (e.g. 5G).")
@listing
@click.pass_context
def indicators_command(ctx, name, fmt):
    """Each indicator with every document's baseline and targets by year, and whether a city's
    target exceeds, meets or falls short of the province's.

    Example: respgraph indicators --name 每万人拥有5G基站数
    """
    from respgraph.queries.indicators import indicator_rows

    rows = indicator_rows(graph_of(ctx), name)
    if name and not rows:
        raise click.ClickException(f"no indicator matches '{name}'; run 'respgraph indicators' for the list")
    if fmt == "json":
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    flat = []
    for row in rows:
        for doc in row["documents"]:
            flat.append({
                "indicator": row["indicator"], "unit": row["unit"], "city": doc["city"],
                "baseline": "、".join(f"{y}:{v}" for y, v in doc["baseline"].items()),
                "targets": "、".join(f"{y}:{v}" for y, v in doc["targets"].items()),
                "province": row["province"].get(doc["final_year"], ""),
                "vs_province": doc["vs_province"],
                "doc": doc["doc"], "final_year": doc["final_year"], "final": doc["final"],
            })
    emit(flat, fmt, ["indicator", "unit", "city", "baseline", "targets", "province", "vs_province"],
         xlsx_columns=["indicator", "unit", "city", "doc", "baseline", "targets", "final_year", "final", "province",
                       "vs_province"])
