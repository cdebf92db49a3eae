"""The overlap questions as Cypher files give what the Python overlap queries give."""
from __future__ import annotations

import pytest

from respgraph import queries
from conftest import named
from respgraph.queries import library
from respgraph.queries.indicators import indicator_rows
from respgraph.queries.overlap import overlap_by_topic, shared_projects


FORMS = ["embedded", "portable"]  # the embedded forms read the loader's derived facts (see test_cypher.py)


def named_as(engine, form, name, **params):
    return library.run(engine, name, params, form=form).rows


@pytest.mark.parametrize("form", FORMS)
def test_topic_overlap_equals_python(graph, engine, form):
    python = {(row["topic"], city): (len(entry["tasks"]), sorted(entry["leads"]))
              for row in overlap_by_topic(graph, min_cities=1) for city, entry in row["cities"].items()}
    cypher = {(r["topic"], r["city"]): (r["tasks"], sorted(r["leads"])) for r in named_as(engine, form, "topic_overlap")}
    assert cypher == python
    assert cypher[("智慧教育", "泉州市")] == (1, ["泉州市教育局"])


def test_unit_targets_equal_the_load_column_for_every_unit(graph, engine):
    for row in queries.load_by_unit(graph):
        assert len(named(engine, "unit_targets", unit=row["unit"])) == row["targets"], row["unit"]


@pytest.mark.parametrize("form", FORMS)
def test_indicator_targets_hold_every_value_the_indicator_table_shows(graph, engine, form):
    rows = named_as(engine, form, "indicator_targets", indicator="每万人拥有5G基站数")
    fuzhou = {(r["scope"], r["year"]): r["value"] for r in rows if r["city"] == "福州市" and r["source"] == "table"}
    assert fuzhou == {("baseline", 2022): 18.6, ("self", 2023): 28.0, ("self", 2024): 32.0,
                      ("self", 2025): 35.0, ("province", 2025): 30.0}
    (python,) = indicator_rows(graph, "每万人拥有5G基站数")
    assert {r["city"] for r in rows} == {d["city"] for d in python["documents"]}


def test_shared_projects_equal_python(graph, engine):
    python = [(r["project"], r["documents"], sorted(r["cities"])) for r in shared_projects(graph)]
    cypher = [(r["project"], r["documents"], sorted(r["cities"])) for r in named(engine, "shared_projects")]
    assert cypher == python


@pytest.mark.parametrize("form", FORMS)
def test_similar_tasks_equal_the_graphs_similar_to_edges(graph, engine, form):
    edges = sorted(((s, t), d["score"]) for s, t, d in graph.edges(data=True) if d["type"] == "SIMILAR_TO")
    rows = named_as(engine, form, "similar_tasks", limit=100000)
    assert sorted(((r["task_a"], r["task_b"]), r["score"]) for r in rows) == edges
    order = [(-r["score"], r["task_a"], r["task_b"]) for r in rows]
    assert order == sorted(order)  # most similar first, then by task ids


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("city", ["福州", "泉州市", "福建"])
def test_similar_tasks_of_a_city_are_its_tasks_pairs_in_either_direction(graph, engine, form, city):
    cities = {city, city + "市", city + "省"}
    edges = [((s, t), d["score"]) for s, t, d in graph.edges(data=True)
             if d["type"] == "SIMILAR_TO" and (graph.nodes[s]["city"] in cities or graph.nodes[t]["city"] in cities)]
    expected = sorted(edges, key=lambda e: (-e[1], e[0]))[:10]
    rows = named_as(engine, form, "similar_tasks", city=city, limit=10)
    assert [((r["task_a"], r["task_b"]), r["score"]) for r in rows] == expected
    assert all(r["city_a"] == graph.nodes[r["task_a"]]["city"] and r["title_b"] == graph.nodes[r["task_b"]]["title"]
               for r in rows)


def test_provincial_uptake_equals_python(graph, engine):
    from respgraph.queries.overlap import provincial_uptake

    python = {r["id"]: len(r["taken_up_by"]) for r in provincial_uptake(graph)}
    cypher = {r["task"]: r["takers"] for r in named(engine, "provincial_uptake")}
    assert cypher == python
    assert sum(1 for n in cypher.values() if n == 0) == sum(1 for n in python.values() if n == 0)
