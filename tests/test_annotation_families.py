"""The printed forms of issue #12, one small text each: what a careful reader gets from it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from respgraph.cli import cli
from respgraph.graph_build.annotation import find_annotations
from respgraph.graph_build.outline import parse_outline


def read(text):
    notes = find_annotations(text)
    assert len(notes) == 1, notes
    return [(u.printed, u.role) for u in notes[0].units], notes[0].deadline, notes[0].rules


@pytest.mark.parametrize("text, units", [
    ("推进政务服务（省大数据局、省政府办公厅牵头，各有关部门、各市政府配合）。",
     [("省大数据局", "lead"), ("省政府办公厅", "lead"), ("各有关部门", "support"), ("各市政府", "support")]),
    ("建设工业互联网（省工业和信息化厅负责）。", [("省工业和信息化厅", "lead")]),
    ("发展智慧农业（省农业农村厅、省畜牧局按职责分工负责）。", [("省农业农村厅", "lead"), ("省畜牧局", "support")]),
    ("完善平台（省大数据局牵头，省有关部门具体实施）。", [("省大数据局", "lead"), ("省有关部门", "support")]),
    ("完善平台（市数据局牵头，市财政局、市审计局按职责分工配合）。",
     [("市数据局", "lead"), ("市财政局", "support"), ("市审计局", "support")]),
    ("完善平台（市数据局牵头，市财政局负责）。", [("市数据局", "lead"), ("市财政局", "support")]),
    ("推进改革（市发改委会同市财政局、市科技局协同推进）。",
     [("市发改委", "lead"), ("市财政局", "support"), ("市科技局", "support")]),
    ("减税降费（海关总署、商务部等有关部门负责）。",
     [("海关总署", "lead"), ("商务部", "support"), ("有关部门", "support")]),
    ("加强组织（省委办公厅工作专班牵头单位、省委组织部负责）。",
     [("省委办公厅工作专班牵头单位", "lead"), ("省委组织部", "support")]),
    ("修路（市交通局、各区政府，市规划局）。", [("市交通局", "lead"), ("各区政府", "support"), ("市规划局", "support")]),
    ("（牵头单位：市数据局，参加单位：市财政局、市审计局）",
     [("市数据局", "lead"), ("市财政局", "support"), ("市审计局", "support")]),
    ("（主办单位：市数据局；协办单位：市财政局）", [("市数据局", "lead"), ("市财政局", "support")]),
    ("（牵头单位：市数据局，责任单位：市财政局、市审计局）",
     [("市数据局", "lead"), ("市财政局", "support"), ("市审计局", "support")]),
    ("（各县级市、区人民政府负责）", [("各县级市、区人民政府", "lead")]),
    ("（责任单位：市教育局、各区县政府〈含功能区,下同〉）", [("市教育局", "lead"), ("各区县政府〈含功能区,下同〉", "support")]),
    ("责任单位:市人力社保局、市农业农村局分别牵头", [("市人力社保局", "lead"), ("市农业农村局", "lead")]),
    ("加快建设。【责任单位】市发改委、市财政局", [("市发改委", "lead"), ("市财政局", "support")]),
    ("加快建设。【牵头单位】市发改委【配合单位】市财政局、市商务局",
     [("市发改委", "lead"), ("市财政局", "support"), ("市商务局", "support")]),
    ("（市发改委、市财政局按职责分工负责，各区政府具体落实）",
     [("市发改委", "lead"), ("市财政局", "support"), ("各区政府", "support")]),
    ("（牵头责任单位：市发改委；配合责任单位：市财政局）", [("市发改委", "lead"), ("市财政局", "support")]),
    ("（市发改委牵头抓总，各有关部门积极配合）", [("市发改委", "lead"), ("各有关部门", "support")]),
    ("（由市发改委牵头，市财政局配合）", [("市发改委", "lead"), ("市财政局", "support")]),
    ("完善清單。(市政府辦公室、市審改辦牽頭,市級各有關部門及各縣市區政府按職責分工負責)",
     [("市政府辦公室", "lead"), ("市審改辦", "lead"), ("市級各有關部門", "support"), ("各縣市區政府", "support")]),
    ("（市人力资源社会保障局及市医保局负责）", [("市人力资源社会保障局", "lead"), ("市医保局", "support")]),
])
def test_printed_form_gives_units_in_order_with_roles(text, units):
    assert read(text)[0] == units


@pytest.mark.parametrize("text, deadline", [
    ("（市数据局负责，2023年12月底前完成）", "2023年12月底前完成"),
    ("（9月底前完成，牵头考核单位：市数据局）", "9月底前完成"),
    ("（市数据局牵头，持续推进）", "持续推进"),
])
def test_deadline_sharing_the_bracket_is_kept_and_is_no_unit(text, deadline):
    units, got, _ = read(text)
    assert got == deadline and units == [("市数据局", "lead")]


@pytest.mark.parametrize("text, rule", [
    ("（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）", "列第一位者为牵头单位"),
    ("（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）", "排在第一位的部门为牵头部门"),
])
def test_stated_rule_is_kept_and_never_a_unit(text, rule):
    units, _, rules = read(text)
    assert rule in rules and [name for name, _ in units][0] in ("人力资源社会保障部", "税务总局")
    assert not any("第一位" in name or "下同" in name for name, _ in units)


@pytest.mark.parametrize("text", ["（2023—2025年）", "（以下简称“园区”）", "（含技工院校）", "（产品）",
                                  "（超过100人的企业达到15%）", "（实验室）", "（含5G基站牵头）",
                                  "（以下各项任务均需各区人民政府落实，不再列出）"])
def test_explanations_are_not_annotations(text):
    assert find_annotations(f"建设平台{text}。") == []


PLAN = """南溪市数字乡村行动方案
为落实部署，制定本方案（市委网信办、市大数据局牵头）。
一、重点任务
（以下各项任务均需各区人民政府落实，不再列出）
（一）建设城市大脑。建设统一平台（市大数据局牵头）。完善数据共享（市发改委负责）。
（二）推进数字乡村。建设益农信息社。（市农业农村局牵头，市商务局配合）
二、保障措施
（一）加强组织领导。建立工作机制。
"""


def test_outline_of_a_plan_with_every_structural_family():
    _, tasks = parse_outline(PLAN.split("\n")[1:], first_line=2)  # the title line is metadata
    got = [(t.number, t.title, [(u.printed, u.role) for u in t.units], [u.printed for u in t.implied]) for t in tasks]
    assert got == [
        ("P1", "为落实部署", [("市委网信办", "lead"), ("市大数据局", "lead")], []),
        ("（一）", "建设城市大脑", [("市大数据局", "lead")], ["各区人民政府"]),
        ("（一）-2", "完善数据共享", [("市发改委", "lead")], ["各区人民政府"]),
        ("（二）", "推进数字乡村", [("市农业农村局", "lead"), ("市商务局", "support")], ["各区人民政府"]),
        ("（一）", "加强组织领导", [], ["各区人民政府"]),
    ]


def test_standing_note_units_are_implied_supporters_in_the_json(tmp_path, monkeypatch):
    monkeypatch.setenv("RESPGRAPH_HOME", str(tmp_path / "home"))
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(plan)], catch_exceptions=False).exit_code == 0
    rows = json.loads(runner.invoke(cli, ["tasks", "--format", "json"], catch_exceptions=False).output)
    task = next(r for r in rows if r["number"] == "（二）")
    assert [(u["name"], u["role"]) for u in task["units"]] == [("市农业农村局", "lead"), ("市商务局", "support")]
    assert [(u["name"], u["role"], u["implied"], u["source"]["line"]) for u in task["implied_units"]] == [
        ("各区人民政府", "support", True, 4)]
    duties = json.loads(runner.invoke(cli, ["duties", "各区人民政府", "--format", "json"], catch_exceptions=False).output)
    assert [(r["number"], r["role"], r["implied"]) for r in duties] == [
        ("（一）", "support", True), ("（一）-2", "support", True), ("（二）", "support", True), ("（一）", "support", True)]


def test_labels_on_lines_of_their_own_after_the_item():
    lines = ["一、主要预期目标", "1.努力实现地区生产总值增长6%左右。", "", "牵头单位:区发改局", "",
             "责任单位:立山经济开发区,全区经济运行各专班", "", "2.规模上工业增加值增长5%左右。", "", "牵头单位:区工信局"]
    _, tasks = parse_outline(lines)
    assert [(t.number, [(u.printed, u.role) for u in t.units]) for t in tasks] == [
        ("1", [("区发改局", "lead"), ("立山经济开发区", "support"), ("全区经济运行各专班", "support")]),
        ("2", [("区工信局", "lead")])]


def test_standing_note_inside_the_first_annotation_applies_from_that_task_on():
    # 四川 2022 现代流通体系 form: the note shares the first task's annotation and ends in 下同.
    lines = ["一、深化现代流通市场化改革",
             "（一）加强市场体系建设。推进高标准市场体系建设。〔责任单位:省发展改革委、省市场监管局按职责分工负责。"
             "具体任务均涉及相关市(州)人民政府,不再做分工,下同。〕",
             "（二）优化市场准入环境。实施证照分离改革。〔责任单位:省市场监管局〕"]
    _, tasks = parse_outline(lines)
    assert [[(u.printed, u.role) for u in t.units] for t in tasks] == [
        [("省发展改革委", "lead"), ("省市场监管局", "support")], [("省市场监管局", "lead")]]
    assert [[(u.printed, u.role, u.implied, u.line) for u in t.implied] for t in tasks] == [
        [("相关市(州)人民政府", "support", True, 2)]] * 2


def test_annotation_on_its_own_line_after_sub_points_belongs_to_their_item():
    # 运城 2017 责任分解 form: "1.完善应急预案体系", sub-points (1)…(3), then the annotation line.
    lines = ["（一）“一案三制”建设", "1.完善应急预案体系", "(1)加强应急预案管理，规范编制工作。",
             "(2)推进政府及其部门应急预案精编化。", "(3)加强应急预案演练。",
             "(责任单位:市直各有关单位、各县(市、区)人民政府、各开发区管委会)", "2.健全应急管理体制",
             "(1)推进办事机构建设。(责任单位:市应急局)", "(2)加强专项预案牵头部门建设。(责任单位:市公安局)"]
    sections, tasks = parse_outline(lines)
    got = [(t.number, [(u.printed, u.role) for u in t.units]) for t in tasks]
    assert got == [
        ("1", [("市直各有关单位", "lead"), ("各县(市、区)人民政府", "support"), ("各开发区管委会", "support")]),
        ("（1）", []), ("（2）", []), ("（3）", []), ("（1）", [("市应急局", "lead")]), ("（2）", [("市公安局", "lead")])]
    from respgraph.graph_build.outline import background_tasks
    assert [t.title for t in background_tasks(tasks, sections)] == [
        "加强应急预案管理，规范编制工作", "推进政府及其部门应急预案精编化", "加强应急预案演练"]
