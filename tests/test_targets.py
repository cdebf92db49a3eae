"""Quantitative targets read from task text and goals paragraphs (graph_build.targets).

Every sentence below is copied from a bundled plan (file and line cited) and every expected
value was read off it by hand."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import plan_path
from respgraph.graph_build.targets import extract_targets, targets_of_paragraph, targets_of_task


def plan_lines(key: str, first: int, last: int) -> str:
    """Lines ``first``..``last`` (1-based, inclusive) of a bundled plan, as printed."""
    return "\n".join(plan_path(key).read_text(encoding="utf-8").split("\n")[first - 1:last])


def summary(targets):
    return [(t.metric, t.value, t.value_high, t.unit, t.year, t.qualifier) for t in targets]


@pytest.mark.parametrize("text,expected", [
    # 福州 line 60
    ("到 2025 年，全市建成 5G 基站 3 万个，5G 用户普及率 73%。",
     [("5G基站", 30000, None, "个", 2025, ""), ("5G用户普及率", 73, None, "%", 2025, "")]),
    # 泉州 line 41
    ("到 2025 年，全市建成 5G 基站超 3.2 万个，打造全省规模最大的 5G 网络。",
     [("5G基站", 32000, None, "个", 2025, "超")]),
    # 厦门 lines 108-110 (a PDF line break inside the sentence)
    ("到 2025 年，全市建成 5G 基站 1.85 万个，5G 用\n\n户普及率达 75%。",
     [("5G基站", 18500, None, "个", 2025, ""), ("5G用户普及率", 75, None, "%", 2025, "达")]),
    # 泉州 line 95, task 24: a range; "4级" is a grade, not a target
    ("到2025年，力争2~3家医院信息互联互通标准化成熟度测评等级达到4级水平，建设至少3家互联网医院。",
     [("医院信息互联互通标准化成熟度测评等级达到4级水平", 2, 3, "家", 2025, "力争"),
      ("互联网医院", 3, None, "家", 2025, "至少")]),
    # the same range printed with a hyphen
    ("力争2-3家医院通过测评", [("医院通过测评", 2, 3, "家", None, "力争")]),
    # 福州 line 76
    ("到 2025 年，累计工业互联网标识解析二级节点标识注册数达到 2.5 亿个。",
     [("工业互联网标识解析二级节点标识注册数", 250000000, None, "个", 2025, "达到")]),
    # 福州 line 104: a bare ratio keeps no unit
    ("到2025年，实现全市标准机架数达7万个，高性能算力占比达40%，数据中心电能利用效率普遍不超过1.5，"
     "新建数据中心电能利用效率不超过1.3。",
     [("标准机架数", 70000, None, "个", 2025, "达"), ("高性能算力占比", 40, None, "%", 2025, "达"),
      ("数据中心电能利用效率", 1.5, None, "", 2025, "不超过"),
      ("数据中心电能利用效率", 1.3, None, "", 2025, "不超过")]),
    # 福州 line 108: each clause its own year
    ("到2024年底，完成建设福建人工智能计算中心规模400P，2025年，形成800P算力供给规模，"
     "智能算力占比达到35%以上。",
     [("福建人工智能计算中心规模", 400, None, "PFLOPS", 2024, ""),
      ("算力供给规模", 800, None, "PFLOPS", 2025, ""), ("智能算力占比", 35, None, "%", 2025, "以上")]),
    # 福建 2020 plan lines 83-87: the second sentence inherits 2022
    ("到 2022 年，全省建成 5G 基站 8 万个以上；城镇宽带具备千兆接入能力，互联网省际出口带宽达 40Tbps，"
     "IPv6 活跃用户在互联网用户中占比超过 60%。",
     [("5G基站", 80000, None, "个", 2022, "以上"), ("互联网省际出口带宽", 40, None, "Tbps", 2022, "达"),
      ("IPv6活跃用户在互联网用户中占比", 60, None, "%", 2022, "超过")]),
    # 十四五 plan 第一节.4: money stays in 亿元
    ("到2025 年，网络安全行业市场规模力争达到 80 亿元。", [("网络安全行业市场规模", 80, None, "亿元", 2025, "达到")]),
    # 厦门 line 181: the noun after the number when a verb precedes it
    ("建成 32 个边缘数据中心。", [("边缘数据中心", 32, None, "个", None, "")]),
    # 泉州 line 99, task 25: an enumeration with 、
    ("到 2025 年，建成沉浸式视频体验馆超 10 个、数字文化线下场景超 10 个、数字化农家书屋超 10 个。",
     [("沉浸式视频体验馆", 10, None, "个", 2025, "超"), ("数字文化线下场景", 10, None, "个", 2025, "超"),
      ("数字化农家书屋", 10, None, "个", 2025, "超")]),
    # 泉州 line 31: a bare T is Tbps
    ("到2025年，全市互联网出口带宽达24T，千兆宽带接入用户占比达32%。",
     [("互联网出口带宽", 24, None, "Tbps", 2025, "达"), ("千兆宽带接入用户占比", 32, None, "%", 2025, "达")]),
    # 厦门 line 136-138: 万户 folds into 户
    ("到 2025 年底，全市物联网终端用户数达到\n\n1830 万户。", [("物联网终端用户数", 18300000, None, "户", 2025, "达到")]),
    # 厦门 line 196: the qualifier after a gloss
    ("到 2025 年，全市算力达到 1.1EFLOPS（每秒百亿亿次运算）以上。", [("算力", 1.1, None, "EFLOPS", 2025, "以上")]),
    # a text that names no year
    ("建设 50 个以上物联网创新应用示范平台。", [("物联网创新应用示范平台", 50, None, "个", None, "以上")]),
    # traditional characters and full-width digits
    ("到2025年，全省5G基站數達到８萬個以上。", [("5G基站数", 80000, None, "个", 2025, "以上")]),
    # 十四五 plan lines 69-70: 多 after a number is "more than"; "…等 250 多个X" counts X
    ("日均交换记录数 2500 多万条；累计发布了居民身份证、机动车、婚姻等 250 多个常用数据服务接口",
     [("日均交换记录数", 25000000, None, "条", None, "多"), ("常用数据服务接口", 250, None, "个", None, "多")]),
    # digits spaced out by an extraction
    ("到 2 0 2 5 年，建成 5G 基站 3 万个。", [("5G基站", 30000, None, "个", 2025, "")]),
])
def test_targets_of_sentence(text, expected):
    assert summary(targets_of_task(text)) == expected


@pytest.mark.parametrize("text", [
    # 福州 line 54: technical specs and latency tiers are not targets
    "率先开展 50G-PON、400G 等 F5G-A 万兆光网新技术试点应用，打造主城区 1 毫秒、全市 2 毫秒、"
    "福州都市圈（中心城市间）5 毫秒时延圈。",
    # 十四五 plan 专栏11.1: 5G, 4K/8K are names
    "推进 5G+4K/8K+AI 超高清制播体系建设，适时开办 4K 超高清试验频道。",
    # 泉州 line 39: IPv6 and the version in its gloss
    "实施 IPv6（互联网协议第 6 版）流量提升专项行动，深入推进 IPv6 规模部署和应用。",
    # 厦门 line 769: a date
    "厦门市人民政府办公厅 2023 年 9月 28 日印发",
    # 福州 line 66: a cable's name, 泉州 task 17: a platform's name
    "扩容“海峡光缆 1 号”出入口通道",
    "力争实现所有县级供销社对接“832”平台。",
    # 十四五 plan 专栏21.1: autonomous-driving levels
    "建设一批 L3、L4 级自动驾驶开放测试路段。",
    # a section number and a document number
    "1.加快建设工业互联网。闽政办〔2023〕86号",
    "",
])
def test_names_dates_and_specs_are_not_targets(text):
    assert extract_targets(text) == []


def test_goals_paragraph_of_quanzhou_gives_every_target():
    # 泉州 lines 31-33, with the PDF break inside 在用标\n\n准机架数
    targets = targets_of_paragraph(plan_lines("quanzhou", 31, 33))
    assert summary(targets) == [
        ("互联网出口带宽", 24, None, "Tbps", 2025, "达"),
        ("千兆宽带接入用户占比", 32, None, "%", 2025, "达"),
        ("千兆宽带家庭普及率", 20, None, "%", 2025, "达"),
        ("每万人拥有5G基站", 30, None, "个", 2025, "以上"),
        ("5G用户普及率", 70, None, "%", 2025, ""),
        ("NB-IoT基站数", 20000, None, "个", 2025, ""),
        ("物联网终端用户数", 17500000, None, "个", 2025, "达"),
        ("在用标准机架数", 20000, None, "个", 2025, "达到"),
        ("边缘数据中心", 100, None, "个", 2025, ""),
        ("算力", 1.8, None, "EFLOPS", 2025, "以上"),
    ]
    assert [t.indicator for t in targets] == [
        "互联网出口带宽", "千兆宽带接入用户占比", "千兆宽带家庭普及率", "每万人拥有5G基站数", "5G用户普及率",
        "NB-IoT基站数", "物联网终端用户数", "数据中心标准机架数", "边缘数据中心数", "算力规模"]


def test_quanzhou_goal_per_10000_people_is_30_or_more():
    per_capita = [t for t in targets_of_paragraph(plan_lines("quanzhou", 31, 33))
                  if t.indicator == "每万人拥有5G基站数"]
    assert len(per_capita) == 1
    assert (per_capita[0].value, per_capita[0].qualifier, per_capita[0].bound) == (30, "以上", "min")
    assert per_capita[0].raw == "每万人拥有5G（第五代移动通信技术）基站30个以上"


def test_goals_paragraph_of_xiamen_skips_the_latency_tier():
    # 厦门 lines 56-69: three targets; "1毫秒超低时延圈" is a tier name
    targets = targets_of_paragraph(plan_lines("xiamen", 56, 69))
    assert summary(targets) == [
        ("每万人拥有5G基站", 33, None, "个", 2025, ""),
        ("10G-PON及以上端口数", 100000, None, "个", 2025, "超过"),
        ("高性能计算峰值算力", 120, None, "PFLOPS", 2025, "超"),
    ]
    assert [t.indicator for t in targets] == ["每万人拥有5G基站数", "10G-PON及以上端口数", "高性能计算峰值算力"]


def test_goals_paragraph_of_fuzhou_states_no_number():
    # 福州 line 32, (二)总体目标: qualitative only; its numbers are in the table below it
    assert targets_of_paragraph(plan_lines("fuzhou", 32, 32)) == []


def test_cumulative_flag_comes_from_lei_ji():
    cumulative, = extract_targets("到 2025 年，累计工业互联网标识解析二级节点标识注册数达到 2.5 亿个。")
    plain, = extract_targets("工业互联网二级解析节点标识注册数达 2000 万个")
    assert cumulative.cumulative is True and plain.cumulative is False
    assert cumulative.indicator == plain.indicator == "工业互联网标识解析二级节点标识注册数"
    assert (cumulative.printed_value, plain.printed_value) == ("2.5亿个", "2000万个")


def test_aspirational_flag_comes_from_li_zheng():
    # 福州 task 1 of 四: 力争 covers both clauses of its sentence
    first, second = extract_targets("力争现阶段到 2024 年底改造试点企业 330 家，2025 年改造 200 家。")
    assert (first.metric, first.value, first.year, first.aspirational) == ("试点企业", 330, 2024, True)
    assert (second.value, second.year, second.aspirational) == (200, 2025, True)


def test_bounds_of_qualifiers():
    targets = extract_targets("重点网站 IPv6 支持度超 99.4%，新建公共停车场新能源充电桩车位占比不低于 20%，"
                              "数据中心 PUE 普遍不超过 1.5")
    assert [(t.qualifier, t.bound) for t in targets] == [("超", "min"), ("不低于", "min"), ("不超过", "max")]
    assert targets[2].indicator == "数据中心电能利用效率"


def test_raw_is_the_clause_at_its_offsets():
    text = "到 2025 年，全市建成 5G 基站 3 万个，5G 用户普及率 73%。"
    first, second = extract_targets(text)
    assert (first.raw, first.start, first.end) == ("全市建成 5G 基站 3 万个", 9, 24)
    assert text[second.start:second.end] == second.raw == "5G 用户普及率 73%"


def test_every_task_target_points_back_into_its_text(parsed):
    seen = 0
    for doc in parsed.values():
        for task in doc.tasks:
            for target in extract_targets(task.text):
                assert task.text[target.start:target.end] == target.raw
                assert target.metric and target.value == target.value
                seen += 1
    assert seen > 100


def test_same_indicator_in_the_tasks_of_three_cities(parsed):
    # 福州 task 2 (line 60), 泉州 task 2 (line 41), 厦门 task 2 (line 108): one indicator, three values
    found = {}
    for key in ("fuzhou", "quanzhou", "xiamen"):
        for task in parsed[key].tasks:
            for target in extract_targets(task.text):
                if target.indicator == "5G基站数":
                    found[key] = target.value
    assert found == {"fuzhou": 30000, "quanzhou": 32000, "xiamen": 18500}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120) | st.text(st.sampled_from(list("0123456789.~-至万亿个家%（）“”，。年超以上达到累计力争5GTPE ")),
                                      max_size=80))
def test_extract_targets_never_raises(text):
    for target in extract_targets(text):
        assert text[target.start:target.end] == target.raw
