"""Annotation and table variants of other cities' plans, and plans in traditional characters.

Fixtures: tests/fixtures/variants_plan.txt (牵头/配合 labels, bare annotation lines),
table_tab_plan.txt (a 重点任务分工表 annex as a PDF extraction leaves it: tab-separated, group rows,
a wrapped cell), table_spaces_plan.txt (a table aligned with spaces), table_markdown_plan.md and
traditional_plan.txt. Expected values are read off those files (line numbers cited).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from respgraph.graph_build import headings
from respgraph.graph_build.annotation import find_annotations, parse_annotation
from respgraph.graph_build.model import SourceText
from respgraph.graph_build.outline import parse_outline
from respgraph.graph_build.parse import parse_document
from respgraph.graph_build.read import read_source
from respgraph.graph_build.tables import find_task_tables, match_header

FIXTURES = Path(__file__).parent / "fixtures"


def units(note_or_task):
    return [(u.printed, u.name, u.role, u.rank, u.tier) for u in note_or_task.units]


def parse_text(text: str):
    return parse_document(SourceText("inline.txt", text))


# ---------------------------------------------------------------- annotations


@pytest.mark.parametrize("text,expected,deadline", [
    ("（牵头单位：市发改委、市工信局；配合单位：市通信管理局等；各区政府；完成时限：2025年底）",
     [("市发改委", "市发改委", "lead", 1, 1), ("市工信局", "市工信局", "lead", 2, 1),
      ("市通信管理局", "市通信管理局", "support", 3, 2), ("各区政府", "各区政府", "support", 4, 3)], "2025年底"),
    ("（牵头单位：市数据局；配合单位：市财政局、市司法局等部门；时间节点：2024年12月）",
     [("市数据局", "市数据局", "lead", 1, 1), ("市财政局", "市财政局", "support", 2, 2),
      ("市司法局", "市司法局", "support", 3, 2)], "2024年12月"),
    ("（责任单位（牵头单位列第一位）：市交通委（市道运局）、市公安局；各县〔区〕人民政府）",
     [("市交通委（市道运局）", "市交通委（市道运局）", "lead", 1, 1), ("市公安局", "市公安局", "support", 2, 1),
      ("各县〔区〕人民政府", "各县〔区〕人民政府", "support", 3, 2)], ""),
    ("〔责任部门：市委网信办、公安局，市通信管理局等；各县（区）人民政府〕",
     [("市委网信办", "市委网信办", "lead", 1, 1), ("公安局", "市公安局", "support", 2, 1),
      ("市通信管理局", "市通信管理局", "support", 3, 2), ("各县（区）人民政府", "各县（区）人民政府", "support", 4, 3)], ""),
    ("（责任主体：市工信局；完成时间：2026年）", [("市工信局", "市工信局", "lead", 1, 1)], "2026年"),
    ("（牵头部门：市发改委；配合部门：市直各有关单位）",
     [("市发改委", "市发改委", "lead", 1, 1), ("市直各有关单位", "市直各有关单位", "support", 2, 2)], ""),
    ("（牵头单位：市住建局）（完成时限：2025 年底）", [("市住建局", "市住建局", "lead", 1, 1)], "2025年底"),
    ("（牽頭單位：市發改委；配合單位：各縣〔區〕人民政府；完成時限：2025年底）",
     [("市發改委", "市發改委", "lead", 1, 1), ("各縣〔區〕人民政府", "各縣〔區〕人民政府", "support", 2, 2)], "2025年底"),
])
def test_annotation_label_variants(text, expected, deadline):
    found = find_annotations(text)
    assert len(found) == 1
    assert units(found[0]) == expected
    assert found[0].deadline == deadline
    assert found[0].raw == text


@pytest.mark.parametrize("text,expected", [
    ("加快建设。责任单位：市发改委、市工信局", [("市发改委", "lead"), ("市工信局", "support")]),
    ("责任单位：市发改委、市工信局。", [("市发改委", "lead"), ("市工信局", "support")]),
    ("牵头单位：市数据局配合单位：市财政局时间节点：2026年6月", [("市数据局", "lead"), ("市财政局", "support")]),
    ("責任單位：市數據局、市住建局", [("市數據局", "lead"), ("市住建局", "support")]),
])
def test_bare_annotation_without_brackets(text, expected):
    note = parse_annotation(text)
    assert [(u.name, u.role) for u in note.units] == expected


def test_a_lead_label_before_a_mixed_label_leaves_the_mixed_units_supporting():
    note = parse_annotation("（牵头单位：市发改委；责任单位：市工信局、市财政局）")
    assert [(u.name, u.role) for u in note.units] == [("市发改委", "lead"), ("市工信局", "support"), ("市财政局", "support")]


def test_colon_inside_ordinary_text_is_not_an_annotation():
    assert find_annotations("各责任单位要加强协调：定期报送进展。") == []


# ---------------------------------------------------------------- plans with the variants


def test_variants_plan_tasks_units_roles_and_deadlines():
    doc = parse_document(read_source(FIXTURES / "variants_plan.txt"))
    got = [(t.number, t.title, t.line_start, t.line_end, t.deadline, units(t)) for t in doc.tasks]
    assert got == [
        ("（一）", "加快5G网络建设", 22, 22, "2025年底", [
            ("市工信局", "市工信局", "lead", 1, 1), ("市通信管理局", "市通信管理局", "lead", 2, 1),
            ("市发改委", "市发改委", "support", 3, 2), ("各县〔区〕人民政府", "各县〔区〕人民政府", "support", 4, 2),
            ("市自然资源局", "市自然资源局", "support", 5, 3)]),
        ("（二）", "推进智慧交通建设", 24, 24, "", [
            ("市交通委（市道运局）", "市交通委（市道运局）", "lead", 1, 1), ("市公安局", "市公安局", "support", 2, 1),
            ("各县（区）人民政府", "各县（区）人民政府", "support", 3, 2)]),
        ("（三）", "建设城市数据中心", 26, 27, "", [  # bare 责任单位 line 27
            ("市数据局", "市数据局", "lead", 1, 1), ("市发改委", "市发改委", "support", 2, 1),
            ("市电力公司", "市电力公司", "support", 3, 2)]),
        ("（四）", "完善公共数据平台", 29, 32, "2026年6月", [  # three bare lines 30-32
            ("市数据局", "市数据局", "lead", 1, 1), ("市财政局", "市财政局", "support", 2, 2),
            ("市市场监管局", "市市场监管局", "support", 3, 2)]),
        ("（五）", "提升网络安全防护能力", 34, 34, "", [
            ("市委网信办", "市委网信办", "lead", 1, 1), ("市公安局", "市公安局", "support", 2, 1),
            ("市通信管理局", "市通信管理局", "support", 3, 2), ("各县（区）人民政府", "各县（区）人民政府", "support", 4, 3)]),
        ("（六）", "发展工业互联网", 36, 36, "2026年", [("市工信局", "市工信局", "lead", 1, 1)]),
        ("（一）", "加强组织领导", 40, 40, "", [
            ("市发改委", "市发改委", "lead", 1, 1), ("市直各有关单位", "市直各有关单位", "support", 2, 2)]),
        ("（二）", "强化要素保障", 42, 42, "", [
            ("市自然资源局", "市自然资源局", "lead", 1, 1), ("市住建局", "市住建局", "support", 2, 1)]),
    ]
    assert doc.tasks[2].text == "统筹布局全市算力设施，新建标准机架2000个。"
    assert doc.tasks[3].annotation == "牵头单位：市数据局配合单位：市财政局、市市场监管局等部门时间节点：2026年6月"


def test_bare_annotation_line_ends_its_task_in_an_unnumbered_section():
    text = ("西溪市数字经济发展规划\n第一章 重点任务\n第一节 发展数字产业\n"
            "培育数字产业集群。建设软件园。\n责任单位：市工信局、市科技局\n"
            "壮大平台经济。支持平台企业发展。\n牵头单位：市商务局\n配合单位：市市场监管局\n")
    doc = parse_text(text)
    assert [(t.title, t.text, [(u.name, u.role) for u in t.units]) for t in doc.tasks] == [
        ("培育数字产业集群", "培育数字产业集群。建设软件园。", [("市工信局", "lead"), ("市科技局", "support")]),
        ("壮大平台经济", "壮大平台经济。支持平台企业发展。", [("市商务局", "lead"), ("市市场监管局", "support")]),
    ]


# ---------------------------------------------------------------- traditional characters


@pytest.mark.parametrize("line,kind,number,title", [
    ("第一章 總體要求", "chapter", "一", "總體要求"),
    ("第二節 提升政務服務能力", "section", "二", "提升政務服務能力"),
    ("專欄3 數字政府重點工程", "box", "3", "數字政府重點工程"),
    ("（一）推進政務服務一網通辦。整合系統", "paren_cn", "一", "推進政務服務一網通辦"),
])
def test_headings_in_traditional_characters(line, kind, number, title):
    found = headings.match_heading(line)
    assert (found.kind, found.number, found.title) == (kind, number, title)


def test_simplified_shadow_has_the_same_offsets():
    text = "（牽頭單位：市發改委；配合單位：各縣〔區〕人民政府）"
    assert headings.simplified(text) == "（牵头单位：市发改委；配合单位：各县〔区〕人民政府）"
    assert headings.simplified("福州市大数据委") == "福州市大数据委"


def test_traditional_plan_outline_units_keep_printed_characters():
    doc = parse_document(read_source(FIXTURES / "traditional_plan.txt"))
    meta = doc.meta
    assert (meta.title, meta.issuer, meta.number, meta.region, meta.level, meta.period) == (
        "中溪市數字政府建設行動計劃（2024—2026年）", "中溪市人民政府辦公室", "中政辦〔2024〕9號", "中溪市", "city", "2024-2026")
    assert [(s.number, s.title, s.excluded) for s in doc.sections] == [
        ("第一章", "總體要求", True), ("第一节", "指導思想", True), ("第二章", "重點任務", False),
        ("第一节", "提升政務服務能力", False), ("一", "推進政務服務一網通辦", False), ("二", "建設城市運行管理平臺", False),
        ("专栏1", "政務服務重點工程", False), ("第三章", "保障措施", False)]
    got = [(t.number, t.title, t.deadline, units(t)) for t in doc.tasks]
    assert got == [
        ("一", "推進政務服務一網通辦", "2025年底", [
            ("市行政服務中心管委會", "市行政服務中心管委會", "lead", 1, 1), ("市直各部門", "市直各部門", "support", 2, 2),
            ("各縣〔區〕人民政府", "各縣〔區〕人民政府", "support", 3, 2)]),
        ("二", "建設城市運行管理平臺", "", [  # bare 責任單位 line 20
            ("市數據局", "市數據局", "lead", 1, 1), ("市住建局", "市住建局", "support", 2, 1),
            ("各縣（區）人民政府", "各縣（區）人民政府", "support", 3, 2)]),
        ("专栏1.1", "政務服務中臺工程", "", []),
        ("第三章", "保障措施", "", [("市數據局", "市數據局", "lead", 1, 1)]),
    ]


# ---------------------------------------------------------------- task-division tables


def row_summary(doc):
    return [(t.number, t.title, t.line_start, t.line_end, [(u.name, u.role, u.tier) for u in t.units], t.deadline,
             t.restates) for t in doc.tasks if t.number.startswith("表")]


def test_tab_separated_annex_table_rows_become_tasks():
    doc = parse_document(read_source(FIXTURES / "table_tab_plan.txt"))
    assert [(t.number, t.title) for t in doc.tasks[:5]] == [
        ("1", "加快5G网络建设"), ("2", "推进千兆光网建设"), ("3", "建设智慧城市运行中心"), ("4", "推进智慧停车建设"),
        ("三", "保障措施")]
    assert row_summary(doc) == [
        ("表1.1", "加快5G网络建设", 19, 19, [("市工信局", "lead", 1), ("市通信管理局", "support", 2),
                                           ("各县（区）人民政府", "support", 2)], "2025年12月", 1),
        ("表1.2", "推进千兆光网建设", 20, 20, [("市通信管理局", "lead", 1), ("市住建局", "support", 2),
                                             ("市广电网络公司", "support", 2)], "2024年底", 2),
        ("表1.3", "建设智慧城市运行中心", 22, 23, [("市大数据中心", "lead", 1), ("市公安局", "support", 2),
                                                 ("市城管局", "support", 2), ("市应急管理局", "support", 2)],
         "2025年6月", 3),
        ("表1.4", "推进智慧停车建设", 24, 24, [("市城管局", "lead", 1), ("市公安局", "lead", 1),
                                             ("各县（区）人民政府", "support", 2)], "长期坚持", 4),
        ("表1.5", "建设城市级物联感知平台", 25, 25, [("市大数据中心", "lead", 1), ("市工信局", "support", 2)], "2025年底",
         None),
    ]
    groups = {s.ordinal: s.title for s in doc.sections if s.kind == "table_group"}
    assert [groups[t.section] for t in doc.tasks if t.number.startswith("表")] == [
        "信息网络", "信息网络", "融合基础设施", "融合基础设施", "融合基础设施"]
    assert doc.tasks[5].annotation == "牵头单位：市工信局；配合单位：市通信管理局、各县（区）人民政府；完成时限：2025年12月"
    assert "附件" not in doc.tasks[4].text  # the annex does not run into the last body task


def test_space_aligned_table_with_a_wrapped_row():
    doc = parse_document(read_source(FIXTURES / "table_spaces_plan.txt"))
    assert row_summary(doc) == [
        ("表1.1", "建设县域数据中心", 15, 16, [("县发改局", "lead", 1), ("县工信局", "support", 2),
                                             ("县供电公司", "support", 2)], "2025年", 1),
        ("表1.2", "推进农村宽带提速", 17, 17, [("县工信局", "lead", 1), ("各乡镇人民政府", "support", 2)], "2024年底", 1),
        ("表1.3", "建设智慧农业示范基地", 18, 18, [("县农业农村局", "lead", 1), ("县科技局", "support", 2),
                                                 ("县数据局", "support", 2)], "持续推进", 2),
    ]
    assert doc.tasks[3].text == "建设县域数据中心，新增机架1000个"
    assert [t.title for t in doc.tasks[:3]] == ["夯实数字基础设施", "发展智慧农业", "保障措施"]


def test_markdown_table_rows_restate_the_body_tasks():
    doc = parse_document(read_source(FIXTURES / "table_markdown_plan.md"))
    assert row_summary(doc) == [
        ("表1.1", "建设数据交易平台", 25, 25, [("市数据局", "lead", 1), ("市金融办", "support", 2),
                                             ("市市场监管局", "support", 2)], "2024年底", 1),
        ("表1.2", "推进公共数据授权运营", 26, 26, [("市数据局", "lead", 1), ("市财政局", "support", 2),
                                                 ("市司法局", "support", 2)], "2025年6月", 2),
        ("表1.3", "健全数据分类分级保护制度", 27, 27, [("市委网信办", "lead", 1), ("市公安局", "support", 2),
                                                     ("各区人民政府", "support", 3)], "2025年底", 3),
    ]


def test_single_space_table_keeps_spaces_inside_the_task_cell():
    lines = ["序号 重点任务 牵头单位 配合单位 完成时限",
             "1 建设 5G 基站 3000 个 市工信局 市通信管理局、各区政府 2025年底",
             "2 建设数据中心 市发改委、市数据局 市电力公司 2024年"]
    sections, tasks = parse_outline(lines)
    assert [(t.number, t.text, [(u.name, u.role) for u in t.units], t.deadline) for t in tasks] == [
        ("表1.1", "建设 5G 基站 3000 个", [("市工信局", "lead"), ("市通信管理局", "support"), ("各区政府", "support")],
         "2025年底"),
        ("表1.2", "建设数据中心", [("市发改委", "lead"), ("市数据局", "lead"), ("市电力公司", "support")], "2024年"),
    ]


def test_table_with_a_mixed_unit_column_and_two_task_columns():
    lines = ["序号\t重点任务\t具体措施\t责任单位（牵头单位列第一位）\t时间安排",
             "1\t优化营商环境\t推行“一业一证”改革。\t市行政服务中心、市市场监管局\t2024年",
             "2\t推进数字政府建设\t建设一体化政务服务平台。\t市数据局\t2025年"]
    _sections, tasks = parse_outline(lines)
    assert [(t.title, t.text, [(u.name, u.role) for u in t.units], t.deadline) for t in tasks] == [
        ("优化营商环境", "优化营商环境：推行“一业一证”改革。", [("市行政服务中心", "lead"), ("市市场监管局", "support")],
         "2024年"),
        ("推进数字政府建设", "推进数字政府建设：建设一体化政务服务平台。", [("市数据局", "lead")], "2025年"),
    ]


@pytest.mark.parametrize("separator", ["\t", " "])
def test_a_heading_after_a_table_in_the_body_is_not_a_group_row(separator):
    lines = ["二、重点任务", "（一）建设数据中心。新建机架1000个。",
             separator.join(["序号", "重点任务", "牵头单位", "完成时限"]),
             separator.join(["1", "建设数据中心", "市发改委", "2025年"]),
             "三、保障措施", "加强组织领导，建立工作专班。（责任单位：市发改委）"]
    sections, tasks = parse_outline(lines)
    assert [(s.number, s.title) for s in sections] == [
        ("二", "重点任务"), ("（一）", "建设数据中心"), ("三", "保障措施"), ("表1", "重点任务分工")]
    assert [(t.number, t.title, t.line_start, t.restates if t.number.startswith("表") else None) for t in tasks] == [
        ("（一）", "建设数据中心", 2, None), ("表1.1", "建设数据中心", 4, 1), ("三", "保障措施", 5, None)]


@pytest.mark.parametrize("line", [
    "序号\t重点指标\t2025年目标值\t责任单位",  # an indicator table (厦门 annex) has no task column
    "重点任务和责任单位要明确",
    "1\t推进5G建设\t市工信局",
])
def test_lines_that_are_not_task_table_headers(line):
    assert match_header(line) is None


def test_bundled_plans_have_no_task_division_table(parsed):
    for doc in parsed.values():
        assert not find_task_tables(doc.source.lines)
