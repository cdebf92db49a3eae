"""Overlap between plans: topics with each city's lead side by side, shared projects, the matrix."""
from __future__ import annotations

import json

from click.testing import CliRunner

from respgraph.graph_build.projects import find_projects
from respgraph.graph_build.topics import tag_task
from respgraph.queries import overlap
from respgraph.cli import cli


def test_smart_education_is_in_the_three_city_plans_each_led_by_the_education_bureau(graph):
    (row,) = overlap.overlap_by_topic(graph, ["福州", "泉州", "厦门"], topic="智慧教育")
    # 福州 "2. 建设智慧教育工程" (line 236), 泉州 23 (line 95), 厦门 14 智慧教育 (line 366)
    assert {city: (entry["leads"], [t["title"] for t in entry["tasks"]]) for city, entry in row["cities"].items()} == {
        "厦门市": (["厦门市教育局"], ["智慧教育"]),
        "泉州市": (["泉州市教育局"], ["实施智慧教育工程"]),
        "福州市": (["福州市教育局"], ["建设智慧教育工程"]),
    }


def test_title_keyword_makes_a_strong_tag_and_a_listed_domain_a_weak_one():
    tags = {t.topic: t.strength for t in tag_task(
        "建设智慧教育工程", "建设福州市智慧教育专网，实施“互联网+教育”融合工程，建设10所市级“人工智能教育”示范校。")}
    assert tags["智慧教育"] == "title"
    assert tags["人工智能"] == "weak"


def test_traditional_characters_are_tagged_alike():
    assert [t.topic for t in tag_task("實施智慧教育工程", "建設市級教育專網")] == ["智慧教育"]


def test_topic_evidence_is_kept_on_the_edge(graph):
    task = next(n for n, d in graph.nodes(data=True) if d.get("label") == "Task" and d["title"] == "实施智慧教育工程")
    about = {graph.nodes[t]["name"]: d for _, t, d in graph.out_edges(task, data=True) if d["type"] == "ABOUT"}
    assert about["智慧教育"]["evidence"] == ["智慧教育", "智慧校园", "教育专网", "互联网+教育"]
    assert about["智慧教育"]["strength"] == "title"


def test_one_project_node_for_a_facility_named_in_two_plans(graph):
    rows = {r["project"]: r for r in overlap.shared_projects(graph)}
    # 厦门 line 190-192 and the 十四五 plan's 第七章 第二节 name 厦门鲲鹏超算中心
    assert rows["厦门鲲鹏超算中心"]["documents"] == 2
    assert sorted(rows["厦门鲲鹏超算中心"]["cities"]) == ["厦门市", "福建省"]
    # 泉州 task 7 (line 53) and the 十四五 plan (line 1949) name 数字福建（安溪）产业园
    assert sorted(rows["数字福建（安溪）产业园"]["cities"]) == ["泉州市", "福建省"]


def test_project_patterns_skip_designations_and_clauses():
    found = [name for name, _ in find_projects("争创国家重点实验室，支持莆田建设平台经济示范区，加快建设泉州先进计算中心。")]
    assert found == ["泉州先进计算中心"]


def test_box_items_are_projects(graph):
    projects = {d["name"]: d["source"] for _, d in graph.nodes(data=True) if d.get("label") == "Project"}
    assert projects["政务网络整合提升工程"] == "box item"  # 十四五 专栏 1, line 459


def test_city_matrix_is_symmetric_in_topics(graph):
    rows = overlap.city_matrix(graph, ["福州", "泉州", "厦门"])
    pairs = {(r["city"], r["other"]): r["topics_jaccard"] for r in rows}
    assert len(pairs) == 6
    assert all(pairs[(a, b)] == pairs[(b, a)] for a, b in pairs)


def test_overlap_cli_json_and_unknown_topic(home):
    result = CliRunner().invoke(cli, ["overlap", "福州", "厦门", "--topic", "智慧医疗", "--show", "topics",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["topics"]
    assert {c: e["leads"] for c, e in data["topics"][0]["cities"].items()} == {
        "厦门市": ["厦门市卫健委"], "福州市": ["福州市卫健委"]}
    bad = CliRunner().invoke(cli, ["overlap", "--topic", "不存在的主题"])
    assert bad.exit_code == 1 and "no task is about topic '不存在的主题'" in bad.output


def test_five_g_base_stations_per_ten_thousand_against_the_province(graph):
    from respgraph.queries.indicators import indicator_rows

    (row,) = indicator_rows(graph, "每万人拥有5G基站数")
    # 福州 table line 37, 厦门 annex line 687, 泉州 goals line 31 ("30个以上"); the province's 30
    # is quoted in the 福州 and 厦门 tables (2025年省计划目标值 / 福建省 column).
    assert {d["city"]: (d["final_year"], d["final"], d["vs_province"]) for d in row["documents"]} == {
        "福州市": (2025, 35, "exceeds"), "厦门市": (2025, 33, "exceeds"), "泉州市": (2025, 30, "meets")}
    assert row["province"] == {2025: 30}
    fuzhou = next(d for d in row["documents"] if d["city"] == "福州市")
    assert (fuzhou["baseline"], fuzhou["targets"]) == ({2022: 18.6}, {2023: 28, 2024: 32, 2025: 35})


def test_province_plan_sets_its_own_indicator_targets(graph):
    from respgraph.queries.indicators import indicator_rows

    (row,) = indicator_rows(graph, "5G用户普及率")
    province = next(d for d in row["documents"] if d["level"] == "province")
    assert (province["baseline"], province["targets"]) == ({2020: 12}, {2025: 70})  # 十四五 主要指标
    assert {d["city"]: d["vs_province"] for d in row["documents"] if d["level"] == "city"} == {
        "厦门市": "exceeds", "泉州市": "meets", "福州市": "exceeds"}  # 75, 70, 73 against 70


def test_annex_table_names_the_unit_answering_for_each_indicator(graph):
    from respgraph.queries import load_by_unit

    rows = {r["unit"]: r for r in load_by_unit(graph, city="厦门")}
    # 厦门 annex: 市通信管理局 answers for rows 1-5, 7, 8 (three yearly targets each), 市委网信办
    # for rows 5-6; their led tasks add the targets those tasks state.
    assert rows["厦门市通信管理局"]["targets"] >= 21
    assert rows["厦门市委网信办"]["targets"] >= 6


def test_indicators_cli_table_and_unknown_name(home):
    result = CliRunner().invoke(cli, ["indicators", "--name", "每万人拥有5G基站数"])
    assert result.exit_code == 0, result.output
    assert "每万人拥有5G基站数  个    福州市  2022:18.6  2023:28、2024:32、2025:35  30        exceeds" in result.output
    bad = CliRunner().invoke(cli, ["indicators", "--name", "不存在"])
    assert bad.exit_code == 1 and "no indicator matches '不存在'" in bad.output


def test_smart_education_tasks_form_one_family_across_the_three_cities(graph):
    families = [f for f in overlap.task_families(graph)
                if any(t["title"] == "实施智慧教育工程" for t in f["cities"].get("泉州市", []))]
    assert len(families) == 1
    titles = {city: [t["title"] for t in tasks] for city, tasks in families[0]["cities"].items()}
    assert titles["福州市"] == ["建设智慧教育工程"] and titles["厦门市"] == ["智慧教育"]
    assert {lead for tasks in families[0]["cities"].values() for t in tasks for lead in t["leads"]} == {
        "福州市教育局", "泉州市教育局", "厦门市教育局"}


def test_provincial_uptake_lists_takers_and_tasks_none_takes_up(graph):
    rows = {(r["doc"][:8], r["title"]): r for r in overlap.provincial_uptake(graph)}
    # 2020 provincial plan task 3 (line 108) and each city's industrial-internet action
    industrial = rows[("福建省新型基础设", "加快建设工业互联网")]
    assert {(t["city"], t["title"]) for t in industrial["taken_up_by"]} == {
        ("福州市", "构造多层次工业互联网体系"), ("泉州市", "深化建设工业互联网网络"), ("厦门市", "工业互联网网络建设行动")}
    health = rows[("福建省“十四五”", "提升智慧健康服务水平")]  # 十四五 第五章 第四节 (line 1522)
    assert {(t["city"], t["title"]) for t in health["taken_up_by"]} == {
        ("福州市", "建设智慧医疗工程"), ("泉州市", "实施智慧医疗工程"), ("厦门市", "智慧医疗")}
    assert rows[("福建省“十四五”", "“福建码”推广应用")]["taken_up_by"] == []  # a provincial app, no city task
