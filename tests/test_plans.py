"""The five bundled plans parse into the outline and tasks a careful reader sees.

Every expected value below was read off the plan text (file and line cited)."""
from __future__ import annotations

from collections import Counter

import pytest

from conftest import task_by_number


@pytest.mark.parametrize("key,count", [
    ("fujian2020", 7),    # (一) 1-4, (二) 1-2, (三) 1 — the copy stops inside (三) 1
    ("fuzhou", 45),       # 40 numbered actions under 二~六, 5 保障措施
    ("quanzhou", 31),     # tasks 1-31, 28-31 under 保障措施
    ("xiamen", 40),       # 26 actions, 8/11/14 split into 4 sub-items each, 5 保障措施
    ("fujian14", 155),    # lead paragraphs of 第三~九章 plus the named items of 22 专栏
])
def test_task_count_per_document(parsed, key, count):
    assert len(parsed[key].tasks) == count


@pytest.mark.parametrize("key,annotated", [
    ("fujian2020", 0), ("fuzhou", 45), ("quanzhou", 31), ("xiamen", 40), ("fujian14", 0)])
def test_annotated_task_count(parsed, key, annotated):
    assert sum(1 for t in parsed[key].tasks if t.units) == annotated


def test_metadata_of_each_plan(parsed):
    got = {k: (d.meta.title, d.meta.issuer, d.meta.number, d.meta.date, d.meta.region, d.meta.level, d.meta.period)
           for k, d in parsed.items()}
    assert got == {
        "fujian2020": ("福建省新型基础设施建设三年行动计划（2020—2022年）", "福建省人民政府办公厅", "闽政办〔2020〕32号",
                       "2020-08-05", "福建省", "province", "2020-2022"),
        "fuzhou": ("福州市新型基础设施建设三年行动方案（2023—2025年）", "福州市人民政府办公厅", "榕政办〔2023〕86号",
                   "2023-12-27", "福州市", "city", "2023-2025"),
        "quanzhou": ("泉州市新型基础设施建设三年行动计划（2023—2025年）", "泉州市人民政府办公室", "泉政办〔2023〕29号",
                     "2023-12-29", "泉州市", "city", "2023-2025"),
        "fujian14": ("福建省“十四五”数字福建专项规划", "省发改委、数字办", "", "", "福建省", "province", "2021-2025"),
        "xiamen": ("厦门市新型基础设施建设三年行动计划（2023-2025年）", "厦门市人民政府办公厅", "厦府办〔2023〕58号",
                   "2023-09-28", "厦门市", "city", "2023-2025"),
    }
    assert parsed["fujian14"].meta.issuer_role == "compiler"


def test_truncated_copy_is_a_warning_not_an_error(parsed):
    assert parsed["fujian2020"].meta.truncated
    assert parsed["fujian2020"].meta.warnings == ["truncated copy: the text stops at a '预览已结束，完整报告链接' notice (line 177)"]
    assert not any(d.meta.truncated for k, d in parsed.items() if k != "fujian2020")


def units(task):
    return [(u.name, u.role, u.tier) for u in task.units]


def test_fuzhou_first_task_units_and_lines(parsed):
    task = parsed["fuzhou"].tasks[0]  # "1. 建设全光万兆之城", lines 52-54
    assert (task.title, task.line_start, task.line_end) == ("建设全光万兆之城", 52, 54)
    assert units(task) == [("市通管办", "lead", 1), ("市委网信办", "support", 1), ("市大数据委", "support", 1),
                           ("各县（市）区政府", "support", 2), ("高新区管委会", "support", 2), ("各通信运营商", "support", 3)]


def find(doc, title):
    matches = [t for t in doc.tasks if t.title == title]
    assert len(matches) == 1, title
    return matches[0]


def test_annotation_on_its_own_line_after_a_page_break(parsed):
    task = find(parsed["fuzhou"], "打造 5G 标杆网络")  # 福州 lines 56-62
    assert task.text.endswith("到 2025 年，全市建成 5G 基站 3 万个，5G 用户普及率 73%。")
    assert "规模覆盖。" in task.text  # "规模覆\n\n盖。" rejoined
    assert [u.name for u in task.units] == ["市通管办", "市工信局", "市大数据委", "市直有关单位", "各县（市）区政府",
                                            "高新区管委会", "各通信运营商"]
    assert (task.line_start, task.line_end) == (56, 62)


def test_annotation_broken_across_page_with_mismatched_closer(parsed):
    task = find(parsed["fuzhou"], "筑牢政务数据安全屏障")  # 福州 lines 140-142: （ … 〕
    assert units(task) == [("市大数据委", "lead", 1), ("市大数据服务中心", "support", 1), ("各县（市）区政府", "support", 2),
                           ("高新区管委会", "support", 2), ("各通信运营商", "support", 3),
                           ("市电子信息集团等市属国企", "support", 4)]


def test_unit_name_broken_after_a_closing_bracket(parsed):
    task = find(parsed["fuzhou"], "优势产业数字化转型工程")  # 福州 lines 210-212: "福州（长乐）\n\n国际航空城管委会"
    assert [u.name for u in task.units] == ["市工信局", "市大数据委", "市发改委", "福州（长乐）国际航空城管委会",
                                            "各县（市）区政府", "高新区管委会"]


def test_half_width_colon_commas_and_brackets(parsed):
    task = find(parsed["fuzhou"], "整合提升一体化综合门户")  # 福州 line 158
    assert units(task) == [("市大数据委", "lead", 1), ("市大数据服务中心", "support", 1),
                           ("市“智慧福州”管理服务中心", "support", 1), ("市行政(市民)服务中心管委会", "support", 1),
                           ("市12345政务服务便民热线中心", "support", 1), ("各县(市)区政府", "support", 2),
                           ("高新区管委会", "support", 2)]


def test_quanzhou_prefix_expansion_keeps_printed_names(parsed):
    task = task_by_number(parsed["quanzhou"], "5")  # 泉州 line 49
    assert [(u.printed, u.name) for u in task.units][:3] == [
        ("市数字办", "市数字办"), ("工信局", "市工信局"), ("农业农村局", "市农业农村局")]
    assert [u.name for u in task.units][3:] == ["市通信发展管理办", "各县（市、区）人民政府", "泉州开发区", "泉州台商投资区管委会"]


def test_quanzhou_unit_broken_across_lines(parsed):
    task = task_by_number(parsed["quanzhou"], "14")  # 泉州 lines 69-71: "…数字办，市\n\n通信发展管理办…"
    assert units(task) == [("市委网信办", "lead", 1), ("市密码管理局", "support", 1), ("市公安局", "support", 2),
                           ("市数字办", "support", 2), ("市通信发展管理办", "support", 3), ("市大数据公司", "support", 4)]


def test_quanzhou_duplicated_first_character_and_square_closer(parsed):
    task = task_by_number(parsed["quanzhou"], "21")  # 泉州 lines 89-91: "〔责\n\n责任单位：…]"
    assert [u.name for u in task.units] == ["市海洋渔业局", "市数字办", "各县（市、区）人民政府", "泉州开发区",
                                            "泉州台商投资区管委会"]
    assert task.units[0].role == "lead"


def test_xiamen_annotation_split_inside_the_label(parsed):
    task = task_by_number(parsed["xiamen"], "1")  # 厦门 lines 89-93: "（责任单\n\n位：…"
    assert units(task) == [("市通信管理局", "lead", 1), ("市委网信办", "support", 2), ("各区人民政府", "support", 3),
                           ("各开发区管委会", "support", 3), ("各重大片区指挥部", "support", 3)]
    assert (task.line_start, task.line_end) == (75, 93)


def test_xiamen_sub_items_each_become_a_task(parsed):
    doc = parsed["xiamen"]
    subs = [(t.number, t.title) for t in doc.tasks if t.number.split(".")[0] in {"8", "11", "14"}]
    assert subs == [("8.1", "人工智能"), ("8.2", "元宇宙"), ("8.3", "卫星互联网"), ("8.4", "大数据平台"),
                    ("11.1", "智慧港口"), ("11.2", "智慧机场"), ("11.3", "智慧物流"), ("11.4", "智慧交通"),
                    ("14.1", "智慧医疗"), ("14.2", "智慧教育"), ("14.3", "智慧文旅"), ("14.4", "智慧体育")]
    assert [u.name for u in task_by_number(doc, "8.2").units] == [
        "市工信局", "市科技局", "市文旅局", "市会展局", "各区人民政府", "各开发区管委会"]
    assert [u.name for u in task_by_number(doc, "11.2").units] == ["市机场片区指挥部", "翔业集团"]


def test_xiamen_second_action_number_is_not_a_decimal(parsed):
    task = task_by_number(parsed["xiamen"], "2")  # 厦门 line 95 "2.5G 网络建设行动"
    assert task.title == "5G 网络建设行动"


def test_xiamen_safeguards_count_as_tasks(parsed):
    task = task_by_number(parsed["xiamen"], "（五）")  # 厦门 lines 630-652
    assert (task.title, [u.name for u in task.units]) == (
        "落实安全保障", ["市委网信办", "市机要保密局", "市工信局", "市公安局", "市通信管理局"])


def test_xiamen_annex_table_is_not_a_task(parsed):
    assert max(t.line_end for t in parsed["xiamen"].tasks) == 652


def test_unannotated_plan_yields_sections_and_tasks_without_units(parsed):
    doc = parsed["fujian2020"]
    assert [t.title for t in doc.tasks] == [
        "加快建设“5G+宽带”双千兆网络", "巩固提升物联网水平", "加快建设工业互联网", "积极发展空天地一体化卫星互联网",
        "加快建设人工智能平台", "有序部署建设区块链平台", "统筹布局云计算大数据中心"]
    assert doc.tasks[-1].text.endswith("满足离线非实")  # the copy ends mid-sentence
    assert not any(t.units for t in doc.tasks)


def test_fourteenth_plan_lead_paragraphs_and_box_items(parsed):
    doc = parsed["fujian14"]
    by_section = Counter(t.section for t in doc.tasks)
    titles = {s.ordinal: f"{s.number} {s.title}" for s in doc.sections}
    counts = {titles[k]: v for k, v in by_section.items()}
    assert counts["第一节 优化升级数字政府基础设施"] == 2   # lines 438-456
    assert counts["专栏2 数字政务服务能力提升行动"] == 5     # lines 526-561
    assert counts["第一节 推进智慧城市建设"] == 5           # lines 1334-1384
    assert counts["专栏14 “数字孪生城市”建设工程"] == 1      # one unnamed paragraph
    assert counts["第一节 强化组织协调"] == 1               # 保障措施 sections are one task each
    assert [t.title for t in doc.tasks if titles[t.section] == "第二节 强化提升数字政府公共服务"] == [
        "提升公共平台支撑能力", "强化公共平台服务能力", "推进政务服务标准化便利化", "创新“互联网+监管”服务"]
    chapters = [s.title for s in doc.sections if s.kind == "chapter" and not s.excluded]
    assert chapters[0] == "打造协同高效的数字政府" and chapters[-1] == "保障措施" and len(chapters) == 7


def test_background_sections_hold_no_tasks(parsed):
    for doc in parsed.values():
        excluded = {s.ordinal for s in doc.sections if s.excluded}
        assert not any(t.section in excluded for t in doc.tasks)
