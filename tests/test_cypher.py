"""The embedded Cypher engine (LadybugDB) and the query library, on the five bundled plans.

Every named query is checked against the Python query functions (or, for the questions those
do not answer, a plain networkx count written here), and against facts read from the plans.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from types import SimpleNamespace

import networkx as nx
import pytest
from click.testing import CliRunner

from respgraph import queries
from respgraph.graph_build import schema, snapshot
from respgraph.graph_build.schema import check_node
from respgraph.queries import cypher_engine, library
from respgraph.cli import cli

CITIES = [None, "福州", "泉州市", "厦门", "福建"]


from conftest import named  # noqa: E402  (the `engine` fixture is in conftest.py)

# A query with an embedded form runs it on the embedded database (it reads the loader's derived
# facts); the portable form is what Neo4j runs. Tests comparing a query with Python run both.
FORMS = ["embedded", "portable"]


def named_as(engine, form, name, **params):
    """Rows of a named query, in the given form, on the embedded engine."""
    return library.run(engine, name, params, form=form).rows


def pick(rows, columns):
    return [{c: r[c] for c in columns} for r in rows]


def counts(engine) -> tuple[int, int]:
    nodes = engine.run("MATCH (n) RETURN count(n) AS n").rows[0]["n"]
    edges = engine.run("MATCH ()-[r]->() RETURN count(r) AS n").rows[0]["n"]
    return nodes, edges


def run(*args, input=None):
    # catch_exceptions=False: an exception escaping the command fails the test instead of
    # hiding in result.exception (a "Traceback" check on result.output could never fail).
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


# ---------------------------------------------------------------------------------------
# Loading: the embedded database holds the graph exactly
# ---------------------------------------------------------------------------------------

def test_every_label_and_type_is_loaded_with_the_graphs_counts(graph, engine):
    labels = Counter(d["label"] for _, d in graph.nodes(data=True))
    types = Counter(d["type"] for _, _, d in graph.edges(data=True))
    for label in schema.NODES:
        assert engine.run(f"MATCH (n:{label}) RETURN count(n) AS n").rows == [{"n": labels.get(label, 0)}], label
    for type_name in schema.EDGES:
        assert engine.run(f"MATCH ()-[r:{type_name}]->() RETURN count(r) AS n").rows == [{"n": types.get(type_name, 0)}]
    # Besides the schema's tables the database holds only the loader's derived ones (names starting with "_").
    derived_nodes = sum(engine.run(f"MATCH (n:{label}) RETURN count(n) AS n").rows[0]["n"]
                        for label in cypher_engine.DERIVED_NODE_TABLES)
    derived_rels = sum(engine.run(f"MATCH ()-[r:{type_name}]->() RETURN count(r) AS n").rows[0]["n"]
                       for type_name in cypher_engine.DERIVED_REL_TABLES)
    assert all(name.startswith("_") for name in [*cypher_engine.DERIVED_NODE_TABLES, *cypher_engine.DERIVED_REL_TABLES])
    assert counts(engine) == (graph.number_of_nodes() + derived_nodes, graph.number_of_edges() + derived_rels)


def test_agency_and_document_properties_round_trip(graph, engine):
    for label in ("Agency", "Document", "Task"):
        rows = engine.run(f"MATCH (n:{label}) RETURN n ORDER BY n.id").rows
        expected = [{"_label": label, **{k: v for k, v in graph.nodes[n].items() if k != "label"}}
                    for n in sorted(graph.nodes) if graph.nodes[n]["label"] == label]
        assert [r["n"] for r in rows] == expected


def test_responsible_for_edges_keep_role_rank_tier_and_printed_name(engine):
    rows = engine.run("MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task) WHERE a.name = $unit AND t.number = '1' "
                      "RETURN r.role AS role, r.rank AS rank, r.tier AS tier, r.printed AS printed, t.city AS city",
                      {"unit": "泉州市通信发展管理办"}).rows
    # 泉州 plan, task 1 (千兆光网): 〔责任单位：市通信发展管理办 ...〕 names it first.
    assert rows == [{"role": "lead", "rank": 1, "tier": 1, "printed": "市通信发展管理办", "city": "泉州市"}]


def test_lists_booleans_and_empty_strings_survive_loading(engine):
    rows = engine.run("MATCH (d:Document) WHERE d.truncated RETURN d.warnings AS warnings, d.number AS number").rows
    assert len(rows) == 1 and rows[0]["warnings"][0].startswith("truncated copy")
    assert engine.run("MATCH (d:Document) WHERE d.number = '' RETURN d.title AS title").rows == [
        {"title": "福建省“十四五”数字福建专项规划"}]


def tiny_graph(text: str, aliases: list[str]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    doc = check_node("Document", {"id": "doc:tiny", "title": "测试, \"计划\"", "region": "测试市", "warnings": [""]})
    task = check_node("Task", {"id": "task:tiny:0001", "doc": "doc:tiny", "city": "测试市", "ordinal": 1,
                               "number": "1", "title": "t", "text": text})
    agency = check_node("Agency", {"id": "agency:测试市:测试局", "name": "测试局", "region": "测试市", "aliases": aliases})
    for node, label in ((doc, "Document"), (task, "Task"), (agency, "Agency")):
        graph.add_node(node["id"], label=label, **node)
    graph.add_edge(task["id"], doc["id"], key="TASK_OF", type="TASK_OF")
    graph.add_edge(agency["id"], task["id"], key="RESPONSIBLE_FOR:lead:1", type="RESPONSIBLE_FOR",
                   role="lead", rank=1, tier=1, printed="测试局")
    return graph


NASTY_TEXT = 'He said "it\'s done", then \\n is not a newline\r\nbut this is;\n\tand a, b [c] \x1f \ue000 // end'
NASTY_ALIASES = ["", "a,b", "[x]", "'q'", '"dq"', " spaced ", "\x1e", "semi;colon", "back\\slash"]


def test_any_text_and_list_survives_the_csv_bulk_load(tmp_path):
    graph = tiny_graph(NASTY_TEXT, NASTY_ALIASES)
    cypher_engine.build_database(graph, tmp_path / "tiny.lbdb")
    with cypher_engine.EmbeddedEngine(tmp_path / "tiny.lbdb") as tiny:
        assert tiny.run("MATCH (t:Task) RETURN t.text AS text").rows == [{"text": NASTY_TEXT}]
        assert tiny.run("MATCH (a:Agency) RETURN a.aliases AS aliases").rows == [{"aliases": NASTY_ALIASES}]
        assert tiny.run("MATCH (d:Document) RETURN d.warnings AS w, d.title AS title").rows == [
            {"w": [""], "title": '测试, "计划"'}]


def test_lists_load_exactly_past_a_vector_of_rows(tmp_path):
    graph = nx.MultiDiGraph()
    expected = {}
    for i in range(5000):
        aliases = [f"名{i}", "", "a,b"][: i % 4]
        node = check_node("Agency", {"id": f"agency:x:{i:05d}", "name": str(i), "aliases": aliases})
        graph.add_node(node["id"], label="Agency", **node)
        expected[node["id"]] = aliases
    cypher_engine.build_database(graph, tmp_path / "many.lbdb")
    with cypher_engine.EmbeddedEngine(tmp_path / "many.lbdb") as many:
        rows = many.run("MATCH (a:Agency) RETURN a.id AS id, a.aliases AS aliases").rows
    assert {r["id"]: r["aliases"] for r in rows} == expected


def test_a_relationship_type_with_several_label_pairs_gets_one_rel_table(tmp_path, monkeypatch):
    several = SimpleNamespace(type="NAMED_IN", source=["Agency", "Task"], target="Document",
                              properties={"printed": "STRING"}, doc="test only")
    monkeypatch.setitem(schema.EDGES, "NAMED_IN", several)
    assert cypher_engine.edge_pairs(several) == [("Agency", "Document"), ("Task", "Document")]
    ddl = [s for s in cypher_engine.ddl_statements() if "`NAMED_IN`" in s]
    assert ddl == ["CREATE REL TABLE `NAMED_IN`(FROM `Agency` TO `Document`, FROM `Task` TO `Document`, `printed` STRING)"]
    graph = tiny_graph("text", ["x"])
    graph.add_edge("agency:测试市:测试局", "doc:tiny", key="NAMED_IN", type="NAMED_IN", printed="a")
    graph.add_edge("task:tiny:0001", "doc:tiny", key="NAMED_IN", type="NAMED_IN", printed="t")
    cypher_engine.build_database(graph, tmp_path / "pairs.lbdb")
    with cypher_engine.EmbeddedEngine(tmp_path / "pairs.lbdb") as tiny:
        rows = tiny.run("MATCH (x)-[r:NAMED_IN]->(d:Document) RETURN r.printed AS p ORDER BY p").rows
    assert rows == [{"p": "a"}, {"p": "t"}]
    explicit = SimpleNamespace(type="X", pairs=[("Task", "Task"), ("Agency", "Task")], source="", target="")
    assert cypher_engine.edge_pairs(explicit) == [("Task", "Task"), ("Agency", "Task")]


def test_an_edge_between_labels_the_schema_does_not_allow_is_refused():
    graph = tiny_graph("text", [])
    graph.add_edge("doc:tiny", "agency:测试市:测试局", key="TASK_OF", type="TASK_OF")
    with pytest.raises(ValueError, match="TASK_OF from Document to Agency"):
        cypher_engine.edge_tables(graph)


def test_every_schema_label_and_type_gets_a_table():
    ddl = cypher_engine.ddl_statements()
    assert len(ddl) == len(schema.NODES) + len(schema.EDGES)
    assert "CREATE REL TABLE `RESPONSIBLE_FOR`(FROM `Agency` TO `Task`, `role` STRING, `rank` INT64, " \
           "`tier` INT64, `printed` STRING, `implied` BOOLEAN, `note_line` INT64)" in ddl
    assert any(s.startswith("CREATE NODE TABLE `Agency`(") and "`aliases` STRING[]" in s for s in ddl)


# ---------------------------------------------------------------------------------------
# The library: each named query equals the Python query functions
# ---------------------------------------------------------------------------------------

def test_library_lists_the_analysts_queries():
    names = set(library.library())
    assert names >= {"unit_duties", "load_by_unit", "load_by_function", "co_responsible_pairs", "tasks_without_lead",
                     "documents_overview", "unit_partners", "function_across_cities"}
    for query in library.library().values():
        assert query.description and "labels(" not in query.text and "label(" not in query.text
    assert [p.describe() for p in library.get("unit-duties").parameters] == [
        'unit:STRING', 'role:STRING=""', 'city:STRING=""']


def test_a_malformed_header_names_the_file(tmp_path):
    bad = tmp_path / "bad.cypher"
    bad.write_text("// Something.\n// @param x INT64 = 1  unused\nRETURN 1\n", encoding="utf-8")
    with pytest.raises(library.QueryLibraryError, match="bad.cypher: parameter x is declared but the query never uses it"):
        library.parse_query(bad)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("city", CITIES)
def test_load_by_unit_equals_python(graph, engine, city, form):
    columns = ["unit", "city", "kind", "function", "lead", "support", "total"]
    assert named_as(engine, form, "load_by_unit", city=city or "") == pick(queries.load_by_unit(graph, city=city), columns)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("city", CITIES)
def test_load_by_function_equals_python(graph, engine, city, form):
    rows = named_as(engine, form, "load_by_function", city=city or "")
    rebuilt: dict[str, dict] = {}
    for row in rows:
        group = rebuilt.setdefault(row["function"], {
            "function": row["function"], "lead": row["function_lead"], "support": row["function_support"],
            "total": row["function_total"], "cities": {}})
        part = group["cities"].setdefault(row["city"], {"units": [], "lead": 0, "support": 0, "total": 0})
        part["units"].append(row["unit"])
        for field in ("lead", "support", "total"):
            part[field] += row[field]
    def counted(row):  # the task counts; columns the Python rows gained later are not the query's business
        return {k: (row[k] if k != "cities" else {c: counted(v) for c, v in row[k].items()})
                for k in ("function", "units", "lead", "support", "total", "cities") if k in row}

    assert [counted(r) for r in rebuilt.values()] == [counted(r) for r in queries.load_by_function(graph, city=city)]


@pytest.mark.parametrize("role", ["", "lead", "support"])
def test_unit_duties_equals_python_for_every_agency(graph, engine, role):
    columns = ["unit", "city", "role", "doc", "number", "title", "task"]
    for agency in queries.units(graph):
        python = [{**r, "task": r["id"]} for r in queries.duties(graph, agency["unit"], city=agency["city"], role=role or None)]
        cypher = named(engine, "unit_duties", unit=agency["unit"], city=agency["city"], role=role)
        assert pick(cypher, columns) == pick(python, columns), agency["unit"]
        assert [(r["file"], r["line"]) for r in cypher] == [(r["source"]["file"], r["source"]["line"]) for r in python]


@pytest.mark.parametrize("role", ["", "lead"])
def test_unit_duties_equals_python_for_every_printed_name(graph, engine, role):
    checked = 0
    for agency in queries.units(graph):
        for printed in agency["printed"]:
            if queries.find_agencies(graph, printed, agency["city"]) != [agency["id"]]:
                continue  # the printed form is also another unit's canonical name or short form
            python = queries.duties(graph, printed, city=agency["city"], role=role or None)
            cypher = named(engine, "unit_duties", unit=printed, city=agency["city"], role=role)
            assert [r["task"] for r in cypher] == [r["id"] for r in python], printed
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("alias, city, role, canonical", [
    ("市大数据委", "", "", "福州市大数据委"),
    ("市数字办", "泉州", "lead", "泉州市数字办"),
    ("市工信局", "厦门市", "", "厦门市工信局"),
    ("市通信发展管理办", "", "support", "泉州市通信发展管理办"),
])
def test_unit_duties_by_alias_equals_python(graph, engine, alias, city, role, canonical):
    cypher = named(engine, "unit_duties", unit=alias, city=city, role=role)
    python = queries.duties(graph, alias, city=city or None, role=role or None)
    assert {r["unit"] for r in cypher} == {canonical}
    assert [r["task"] for r in cypher] == [r["id"] for r in python]


def test_an_alias_printed_in_two_cities_finds_both_units(engine):
    rows = named(engine, "unit_duties", unit="市工信局", role="lead")
    # 福州 plan: five annotations open with 〔责任单位：市工信局; 厦门 gives it ten leads, 泉州 one.
    assert Counter(r["unit"] for r in rows) == {"厦门市工信局": 10, "泉州市工信局": 1, "福州市工信局": 5}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("city", CITIES)
def test_documents_overview_equals_python(graph, engine, city, form):
    columns = ["region", "title", "issuer", "number", "date", "period", "tasks", "annotated_tasks", "truncated"]
    assert pick(named_as(engine, form, "documents_overview", city=city or ""), columns) == \
        pick(queries.documents(graph, city=city), columns)


@pytest.mark.parametrize("city", CITIES)
def test_tasks_without_lead_equals_python(graph, engine, city):
    expected = [t["id"] for t in queries.tasks(graph, city=city) if not any(u["role"] == "lead" for u in t["units"])]
    assert [r["task"] for r in named(engine, "tasks_without_lead", city=city or "")] == expected


@pytest.mark.parametrize("function", ["telecom_regulator", "digital_authority", "industry_it", "district_governments"])
def test_function_across_cities_equals_python(graph, engine, function):
    columns = ["unit", "city", "kind", "lead", "support", "total"]
    expected = sorted((r for r in queries.load_by_unit(graph) if r["function"] == function),
                      key=lambda r: (r["city"], -r["total"], -r["lead"], r["unit"]))
    rows = named(engine, "function_across_cities", function=function)
    assert pick(rows, columns) == pick(expected, columns)
    printed = {u["unit"]: u["printed"] for u in queries.units(graph)}
    assert all(r["printed"] == printed[r["unit"]] for r in rows)


def shared_tasks(graph) -> dict[tuple[str, str], dict]:
    """Per pair of agency ids (sorted): the tasks both are named on, and the ones each leads."""
    named_on = defaultdict(dict)
    for agency, task, data in graph.edges(data=True):
        if data["type"] == "RESPONSIBLE_FOR":
            roles = named_on[task]
            roles[agency] = "lead" if data["role"] == "lead" or roles.get(agency) == "lead" else data["role"]
    pairs: dict = defaultdict(lambda: {"tasks": set(), "a_leads": set(), "b_leads": set()})
    for task, roles in named_on.items():
        for a in roles:
            for b in roles:
                if a < b:
                    pairs[(a, b)]["tasks"].add(task)
                    if roles[a] == "lead":
                        pairs[(a, b)]["a_leads"].add(task)
                    if roles[b] == "lead":
                        pairs[(a, b)]["b_leads"].add(task)
    return pairs


@pytest.mark.parametrize("form", FORMS)
def test_co_responsible_pairs_equal_a_count_over_the_graph(graph, engine, form):
    name = {n: d.get("name") for n, d in graph.nodes(data=True)}
    expected = sorted(
        ({"city": graph.nodes[a]["region"], "unit_a": name[a], "unit_b": name[b], "shared": len(p["tasks"]),
          "unit_a_leads": len(p["a_leads"]), "unit_b_leads": len(p["b_leads"])}
         for (a, b), p in shared_tasks(graph).items() if len(p["tasks"]) >= 3),
        key=lambda r: (-r["shared"], r["city"], r["unit_a"], r["unit_b"]))
    assert named_as(engine, form, "co_responsible_pairs", min_shared=3, limit=100000) == expected
    assert named_as(engine, form, "co_responsible_pairs") == expected[:20]


def test_fuzhou_district_governments_and_high_tech_zone_share_32_tasks(engine):
    rows = named(engine, "co_responsible_pairs", city="福州", min_shared=1, limit=200)
    by_pair = {(r["unit_a"], r["unit_b"]): r for r in rows}
    # 福州 plan: the collectives 各县（市）区政府 and 福州高新区管委会 close 32 of the 45 annotations.
    assert by_pair[("各县（市）区政府", "福州高新区管委会")]["shared"] == 32
    assert rows[0]["shared"] == 32
    # No other pair of the five plans shares as many: they head the list of all cities too.
    assert named(engine, "co_responsible_pairs", limit=2) == [
        {"city": "福州市", "unit_a": "各县（市）区政府", "unit_b": "福州高新区管委会", "shared": 32,
         "unit_a_leads": 0, "unit_b_leads": 0},
        {"city": "福州市", "unit_a": "各县（市）区政府", "unit_b": "福州市大数据委", "shared": 28,
         "unit_a_leads": 0, "unit_b_leads": 15}]


@pytest.mark.parametrize("unit, city", [("泉州市数字办", ""), ("市数字办", "厦门"), ("福州市大数据委", "")])
def test_unit_partners_equal_a_count_over_the_graph(graph, engine, unit, city):
    agency = queries.resolve_agency(graph, unit, city or None)
    expected = []
    for (a, b), p in shared_tasks(graph).items():
        if agency in (a, b):
            partner = b if a == agency else a
            unit_leads, partner_leads = (p["a_leads"], p["b_leads"]) if a == agency else (p["b_leads"], p["a_leads"])
            expected.append({"unit": graph.nodes[agency]["name"], "partner": graph.nodes[partner]["name"],
                             "city": graph.nodes[partner]["region"], "kind": graph.nodes[partner]["kind"],
                             "shared": len(p["tasks"]), "unit_leads": len(unit_leads),
                             "partner_leads": len(partner_leads)})
    expected.sort(key=lambda r: (r["unit"], -r["shared"], -r["partner_leads"], r["partner"]))
    assert named(engine, "unit_partners", unit=unit, city=city) == expected


# Facts read from the plans' 责任单位 annotations.
@pytest.mark.parametrize("unit, lead, support", [
    ("泉州市数字办", 12, 8),
    ("福州市大数据委", 24, 16),
    ("厦门市工信局", 10, 5),
    ("福州市通管办", 2, 8),
])
def test_load_of_lead_agencies_read_from_the_plans(engine, unit, lead, support):
    rows = [r for r in named(engine, "load_by_unit") if r["unit"] == unit]
    assert [(r["lead"], r["support"]) for r in rows] == [(lead, support)]


def test_telecom_regulators_of_the_three_cities(engine):
    rows = named(engine, "function_across_cities", function="telecom_regulator")
    assert [(r["city"], r["unit"], r["printed"]) for r in rows] == [
        ("厦门市", "厦门市通信管理局", ["市通信管理局"]),
        ("泉州市", "泉州市通信发展管理办", ["市通信发展管理办"]),
        ("福州市", "福州市通管办", ["市通管办"])]


def test_only_the_provincial_plans_have_tasks_without_a_lead(engine):
    rows = named(engine, "tasks_without_lead")
    assert Counter(r["doc"] for r in rows) == {"福建省“十四五”数字福建专项规划": 155,
                                              "福建省新型基础设施建设三年行动计划（2020—2022年）": 7}
    assert named(engine, "tasks_without_lead", annotated=True) == []


def test_documents_overview_counts_annotated_tasks(engine):
    rows = named(engine, "documents_overview")
    assert [(r["region"], r["tasks"], r["annotated_tasks"]) for r in rows] == [
        ("厦门市", 40, 40), ("泉州市", 31, 31), ("福州市", 45, 45), ("福建省", 155, 0), ("福建省", 7, 0)]


# ---------------------------------------------------------------------------------------
# Derived facts: the embedded forms give the portable forms' rows
# ---------------------------------------------------------------------------------------

NO_CITY_AND_CITIES = ["", "福州", "泉州市", "厦门", "福建", "北京"]
EMBEDDED_GRID = {
    "co_responsible_pairs": [{"city": c, "min_shared": m, "limit": n} for c in ["", "福州", "泉州市", "福建"]
                             for m in (1, 3, 40) for n in (0, 1, 20, 100000)],
    "documents_overview": [{"city": c} for c in NO_CITY_AND_CITIES],
    "load_by_unit": [{"city": c} for c in NO_CITY_AND_CITIES],
    "load_by_function": [{"city": c} for c in NO_CITY_AND_CITIES],
    "similar_tasks": [{"city": c, "min_score": s, "limit": n} for c in ["", "福州", "泉州市", "福建", "北京"]
                      for s in (0.0, 0.4, 0.99) for n in (1, 7, 100000)],
    "topic_overlap": [{"topic": t} for t in ["", "智慧教育", "5G", "没有这个主题"]],
    "indicator_targets": [{"indicator": i} for i in ["", "每万人拥有5G基站数", "没有这个指标"]],
    "tasks_without_lead": [{"city": c, "annotated": a} for c in NO_CITY_AND_CITIES for a in (False, True)],
}


def sorted_lists(rows):
    """Rows with list values sorted: collect() order is unspecified in the portable forms."""
    return [{k: sorted(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows]


def test_every_query_with_an_embedded_form_is_checked_against_its_portable_form():
    assert {name for name, query in library.library().items() if query.embedded} == set(EMBEDDED_GRID)


@pytest.mark.parametrize("name", sorted(EMBEDDED_GRID))
def test_the_embedded_form_gives_the_portable_forms_rows(engine, name):
    answered = 0
    for params in EMBEDDED_GRID[name]:
        portable = named_as(engine, "portable", name, **params)
        assert sorted_lists(named_as(engine, "embedded", name, **params)) == sorted_lists(portable), params
        answered += bool(portable)
    assert answered >= 2


def duplicate_naming_graph() -> nx.MultiDiGraph:
    """One document, three tasks; 甲局 is named twice on task 1 (lead and support), 丙局 twice on task 2.

    Task 3 names only a supporter. Of two targets, one names a document that is not in the graph.
    """
    graph = nx.MultiDiGraph()

    def node(label, **props):
        props = check_node(label, props)
        graph.add_node(props["id"], label=label, **props)
        return props["id"]

    doc = node("Document", id="doc:dup", title="重复计划", region="测试市", level="city", task_count=3)
    tasks = [node("Task", id=f"task:dup:000{i}", doc=doc, city="测试市", ordinal=i, number=str(i), title=f"任务{i}")
             for i in (1, 2, 3)]
    jia, yi, bing = (node("Agency", id=f"agency:测试市:{n}", name=n, region="测试市") for n in ("甲局", "乙局", "丙局"))
    topic = node("Topic", id="topic:测试", name="测试")
    for task in tasks:
        graph.add_edge(task, doc, key="TASK_OF", type="TASK_OF")
    graph.add_edge(tasks[0], topic, key="ABOUT", type="ABOUT", evidence=["测试"], strength="title")
    graph.add_edge(tasks[1], topic, key="ABOUT", type="ABOUT", evidence=["测试"], strength="weak")
    indicator = node("Indicator", id="indicator:测试指标", name="测试指标", unit="个")
    for target, target_doc in (("target:dup:1", doc), ("target:gone:1", "doc:gone")):
        node("Target", id=target, doc=target_doc, city="测试市", scope="self", source="table", value=5.0, year=2025)
        graph.add_edge(target, indicator, key="MEASURES", type="MEASURES")
    for agency, task, role, rank in [(jia, 0, "lead", 1), (jia, 0, "support", 3), (yi, 0, "support", 2),
                                     (jia, 1, "support", 3), (yi, 1, "lead", 1), (bing, 1, "support", 2),
                                     (bing, 1, "support", 4), (bing, 2, "support", 1)]:
        graph.add_edge(agency, tasks[task], key=f"RESPONSIBLE_FOR:{role}:{rank}", type="RESPONSIBLE_FOR",
                       role=role, rank=rank, tier=1, printed=graph.nodes[agency]["name"])
    return graph


@pytest.mark.parametrize("form", FORMS)
def test_both_forms_count_a_unit_named_twice_once_and_skip_a_target_without_document(tmp_path_factory, form):
    db = tmp_path_factory.mktemp("dup") / "dup.lbdb"
    cypher_engine.build_database(duplicate_naming_graph(), db)
    with cypher_engine.EmbeddedEngine(db) as dup:
        load = named_as(dup, form, "load_by_unit")
        assert [(r["unit"], r["lead"], r["support"], r["total"]) for r in load] == [
            ("乙局", 1, 1, 2), ("甲局", 1, 1, 2), ("丙局", 0, 2, 2)]
        assert [(r["function"], r["function_lead"], r["function_total"]) for r in named_as(dup, form, "load_by_function")] \
            == [("(乙局)", 1, 2), ("(甲局)", 1, 2), ("(丙局)", 0, 2)]
        (doc,) = named_as(dup, form, "documents_overview")
        assert (doc["tasks"], doc["annotated_tasks"], doc["units"]) == (3, 3, 3)
        assert [(r["task"], r["supporters"]) for r in named_as(dup, form, "tasks_without_lead", annotated=True)] == [
            ("task:dup:0003", 1)]
        # The target whose document is not in the graph has no row (no document, no level).
        assert [(r["target"], r["level"], r["value"]) for r in named_as(dup, form, "indicator_targets")] == [
            ("target:dup:1", "city", 5.0)]
        # Pairs are ordered by agency id: 丙 (U+4E19) < 乙 (U+4E59) < 甲 (U+7532).
        assert [(r["unit_a"], r["unit_b"], r["shared"], r["unit_a_leads"], r["unit_b_leads"])
                for r in named_as(dup, form, "co_responsible_pairs")] == [
            ("乙局", "甲局", 2, 1, 1), ("丙局", "乙局", 1, 0, 1), ("丙局", "甲局", 1, 0, 0)]
        # Task 2 is only weakly about the topic.
        assert sorted_lists(named_as(dup, form, "topic_overlap")) == [
            {"topic": "测试", "city": "测试市", "tasks": 1, "leads": ["甲局"]}]


def test_derived_properties_stay_out_of_returned_nodes_but_can_be_read(engine):
    (row,) = engine.run("MATCH (a:Agency) WHERE a.name = '泉州市数字办' RETURN a, a._tasks AS tasks, a._leads AS leads").rows
    assert not any(key.startswith("_") and key != "_label" for key in row["a"])
    assert (row["tasks"], row["leads"]) == (20, 12)  # 泉州 plan: 12 tasks led, 8 supported


def test_the_embedded_form_is_chosen_for_the_embedded_engine_only():
    pairs = library.get("co_responsible_pairs")
    assert pairs.embedded_when == ("city", "") and "_CO_RESPONSIBLE" in pairs.embedded
    assert "_CO_RESPONSIBLE" not in pairs.text
    assert pairs.text_for("neo4j", {"city": ""}) == pairs.text
    assert pairs.text_for("embedded", {"city": "福州"}) == pairs.text
    assert pairs.text_for("embedded", {"city": ""}) == pairs.embedded


def test_respgraph_query_runs_the_embedded_form_and_cypher_runs_text_as_written(home, monkeypatch):
    # The command line's embedded engine runs each query in a child (cypher_sandbox); what it
    # is asked to run is recorded here, in the parent.
    from respgraph.queries import cypher_sandbox

    ran = []
    original = cypher_sandbox.SandboxedEngine.run
    monkeypatch.setattr(cypher_sandbox.SandboxedEngine, "run",
                        lambda self, query, parameters=None: ran.append(query) or original(self, query, parameters))
    pairs = library.get("co_responsible_pairs")
    assert run("query", "co_responsible_pairs").exit_code == 0
    assert ran == [pairs.embedded]
    assert run("cypher", pairs.text, "-p", "city=", "-p", "min_shared:int=1", "-p", "limit:int=20").exit_code == 0
    assert ran[1:] == [pairs.text]


def test_a_database_without_the_derived_facts_answers_with_the_portable_form(tmp_path):
    import ladybug

    database = ladybug.Database(str(tmp_path / "old.lbdb"))  # the schema's tables only, as loader 2 made them
    connection = ladybug.Connection(database)
    for statement in cypher_engine.ddl_statements():
        connection.execute(statement)
    connection.execute("CREATE (:Agency {id: 'agency:测试市:测试局', name: '测试局', region: '测试市', aliases: []})")
    connection.execute("CREATE (:Task {id: 'task:t:0001', city: '测试市'})")
    connection.execute("MATCH (a:Agency), (t:Task) CREATE (a)-[:RESPONSIBLE_FOR {role: 'lead', rank: 1}]->(t)")
    connection.close()
    database.close()
    with cypher_engine.EmbeddedEngine(tmp_path / "old.lbdb") as old:
        assert [(r["unit"], r["lead"], r["total"]) for r in named(old, "load_by_unit")] == [("测试局", 1, 1)]
        with pytest.raises(cypher_engine.CypherError, match="_tasks"):
            named_as(old, "embedded", "load_by_unit")


@pytest.mark.parametrize("text, message", [
    ("MATCH (a:Agency) WHERE a.region = $city RETURN a.name\n// @embedded\n", "no Cypher after // @embedded"),
    ("MATCH (a:Agency) WHERE a.region = $city RETURN a.name\n// @embedded when colour = \"red\"\nRETURN 1",
     "// @embedded when colour: no such parameter"),
    ("MATCH (a:Agency) WHERE a.region = $city RETURN a.name\n// @embedded\nRETURN $town", "the query uses $town, which no @param line declares"),
    ("MATCH (a:Agency) WHERE a.region = $city RETURN a.name\n// @embedded\nRETURN 1\n// @embedded\nRETURN 2",
     "more than one // @embedded line"),
])
def test_a_malformed_embedded_form_names_the_file(tmp_path, text, message):
    bad = tmp_path / "bad.cypher"
    bad.write_text(f"// Something.\n// @param city STRING = \"\"  A city.\n{text}", encoding="utf-8")
    with pytest.raises(library.QueryLibraryError, match="bad.cypher: " + re.escape(message)):
        library.parse_query(bad)


# ---------------------------------------------------------------------------------------
# Safety: parameters are data, the database is read-only
# ---------------------------------------------------------------------------------------

INJECTION = '"}) DETACH DELETE n //'


def test_a_unit_name_with_cypher_in_it_is_only_a_value(engine):
    before = counts(engine)
    assert named(engine, "unit_duties", unit=INJECTION) == []
    assert named(engine, "unit_partners", unit="') MATCH (n) DETACH DELETE n //") == []
    assert engine.run("MATCH (a:Agency) WHERE a.name = $unit RETURN a", {"unit": INJECTION}).rows == []
    assert counts(engine) == before


@pytest.mark.parametrize("query, clause", [
    ("CREATE (:Region {id: 'region:x', name: 'x', level: ''})", "CREATE"),
    ("MATCH (n:Agency) DETACH DELETE n", "DETACH DELETE"),
    ("MATCH (n:Agency) SET n.name = 'x'", "SET"),
    ("MERGE (:Region {id: 'region:y'})", "MERGE"),
])
def test_write_queries_fail_with_exit_2_and_change_nothing(home, query, clause):
    count = "MATCH (n) RETURN count(n) AS nodes, sum(CASE WHEN n.name = 'x' THEN 1 ELSE 0 END) AS renamed"
    before = json.loads(run("cypher", count, "--format", "json").output)
    result = run("cypher", query)  # catch_exceptions=False: an escaping exception fails here
    assert result.exit_code == 2
    assert result.output == f"Error: refused: {clause} is not a reading clause (respgraph cypher only reads the graph)\n"
    assert json.loads(run("cypher", count, "--format", "json").output) == before


def test_cli_parameters_cannot_inject(home):
    count = ["cypher", "MATCH (n) RETURN count(n) AS n", "--format", "json"]
    before = json.loads(run(*count).output)
    result = run("cypher", "MATCH (a:Agency) WHERE a.name = $unit RETURN a.name", "-p", f"unit={INJECTION}")
    assert result.exit_code == 0 and result.output.strip() == "(no rows)"
    assert run("query", "unit_duties", "-p", f"unit={INJECTION}").exit_code == 0
    assert json.loads(run(*count).output) == before


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------

def test_cypher_table_output_with_a_parameter(home):
    result = run("cypher", "MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task) WHERE a.name = $unit AND r.role = 'lead' "
                 "RETURN count(t) AS leads", "-p", "unit=泉州市数字办")
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["leads", "-----", "12"]


def test_cypher_typed_parameter_and_json(home):
    rows = json.loads(run("cypher", "MATCH (t:Task) WHERE t.city = $city RETURN t.number AS n ORDER BY t.ordinal "
                          "LIMIT $k", "-p", "city=泉州市", "-p", "k:INT64=3", "--format", "json").output)
    assert rows == [{"n": "1"}, {"n": "2"}, {"n": "3"}]


def test_cypher_reads_the_query_from_stdin_and_writes_csv(home):
    result = run("cypher", "-", "--format", "csv", input="MATCH (d:Document) RETURN d.region AS region, d.task_count AS tasks "
                                                          "ORDER BY region, tasks")
    assert result.output.splitlines() == ["region,tasks", "厦门市,40", "泉州市,31", "福州市,45", "福建省,7", "福建省,155"]


@pytest.mark.parametrize("query, start", [
    ("MATCH (n RETURN n)", "Error: query failed: Parser exception"),  # the engine's parser says so
    ("MATCH (n RETURN n", "Error: refused: the ( at character 7 is never closed"),  # the gate, before any engine
])
def test_a_syntax_error_is_one_line_exit_2(home, query, start):
    result = run("cypher", query)
    assert result.exit_code == 2
    assert result.output.startswith(start) and result.output.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["query", "no_such_query"], "no query named 'no_such_query'"),
    (["query", "unit_duties"], "query unit_duties needs -p unit="),
    (["query", "unit_duties", "-p", "unit=x", "-p", "colour=red"], "has no parameter colour"),
    (["query", "co_responsible_pairs", "-p", "limit=many"], "parameter limit takes INT64, got 'many'"),
    (["cypher", "RETURN 1", "-p", "novalue"], "expected NAME=VALUE"),
])
def test_library_usage_errors_are_one_line_exit_2(home, args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.output and result.output.count("\n") == 1


def test_query_list_shows_descriptions_and_parameters(home):
    result = run("query", "--list")
    assert result.exit_code == 0
    assert "unit_duties  Every task a unit leads or supports" in result.output
    assert "    -p unit=…  STRING, required: Agency name" in result.output
    assert "    -p min_shared=…  INT64, default 1:" in result.output
    listed = json.loads(run("query", "--list", "--format", "json").output)
    assert [q["query"] for q in listed] == sorted(library.library())


def test_query_runs_a_named_query_with_a_hyphenated_name(home):
    result = run("query", "unit-duties", "-p", "unit=市数字办", "-p", "city=泉州", "-p", "role=lead", "--format", "json")
    rows = json.loads(result.output)
    assert len(rows) == 12 and {r["unit"] for r in rows} == {"泉州市数字办"}


def test_the_database_is_cached_and_rebuilt_when_the_snapshot_changes(home):
    assert run("query", "load_by_unit").exit_code == 0
    db = home / "graph.lbdb"
    first = (db.stat().st_ino, db.stat().st_mtime_ns)
    assert run("query", "load_by_unit").exit_code == 0
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == first
    plans = os.path.join(os.path.dirname(queries.__file__), "..", "data", "plans")
    quanzhou = os.path.join(plans, "quanzhou_2023_new_infrastructure_3yr_plan.txt")
    assert run("build", quanzhou).exit_code == 0
    rows = json.loads(run("query", "documents_overview", "--format", "json").output)
    assert [r["region"] for r in rows] == ["泉州市"]
    assert (db.stat().st_ino, db.stat().st_mtime_ns) != first
    mine = sorted(p.name for p in home.iterdir() if p.name.startswith(("graph.lbdb", ".graph.lbdb")))
    assert mine == ["graph.lbdb", "graph.lbdb.stamp"]  # no temporary build folder left behind


def test_a_graph_file_gets_its_database_beside_it(home, tmp_path, graph):
    path = tmp_path / "mine.json"
    snapshot.save(graph, path)
    result = run("--graph", str(path), "query", "load_by_unit", "-p", "city=厦门", "--format", "json")
    assert json.loads(result.output)[2]["unit"] == "厦门市工信局"
    assert (tmp_path / "mine.lbdb").is_file() and (tmp_path / "mine.lbdb.stamp").is_file()
    assert not (home / "graph.lbdb").exists()
