"""Indicator tables of the plans and the curated indicator names (graph_build.indicators).

Expected values were read off the tables by hand: 福州 lines 34-46 (tab-separated), 厦门's annex
lines 654-759 (one cell per line), the 十四五 plan's 主要指标 lines 319-405 (category cells split)."""
from __future__ import annotations

import pytest

from conftest import plan_path
from respgraph.graph_build import curated
from respgraph.graph_build.indicators import (convert_value, indicators, match_indicator,
                                    parse_indicator_tables, to_indicator_unit)
from respgraph.graph_build.targets import targets_of_paragraph


@pytest.fixture(scope="module")
def tables():
    return {key: parse_indicator_tables(plan_path(key).read_text(encoding="utf-8").split("\n"))
            for key in ("fuzhou", "xiamen", "fujian14", "quanzhou", "fujian2020")}


def row_named(rows, name):
    found = [row for row in rows if row.name == name]
    assert len(found) == 1, f"{name}: {len(found)} rows"
    return found[0]


@pytest.mark.parametrize("key,count", [("fuzhou", 10), ("xiamen", 10), ("fujian14", 18),
                                       ("quanzhou", 0), ("fujian2020", 0)])
def test_row_count_per_plan(tables, key, count):
    assert len(tables[key]) == count


def test_fuzhou_rows_in_order_with_their_numbers(tables):
    assert [(row.number, row.name, row.unit) for row in tables["fuzhou"]] == [
        ("1", "每万人拥有5G基站数", "个"), ("2", "5G用户普及率", "%"), ("3", "10G-PON及以上端口数", "万个"),
        ("4", "千兆宽带接入用户占比", "%"), ("5", "移动网络IPv6流量占比", "%"), ("6", "重点网站IPv6支持水平", "%"),
        ("7", "互联网出口带宽", "Tbps"), ("8", "物联网终端用户数", "万户"),
        ("9", "工业互联网标识解析二级节点标识注册数", "万个"), ("10", "孵化引入人工智能大模型数", "个")]


def test_fuzhou_row_1_per_10000_people(tables):
    row = tables["fuzhou"][0]
    assert row.baseline == (2022, 18.6)
    assert row.targets == {2023: 28, 2024: 32, 2025: 35}
    assert row.province_target == 30
    assert (row.line_start, row.line_end, row.table_title) == (37, 37, "重点指标分年度工作目标表")
    assert row.indicator == "每万人拥有5G基站数"


def test_fuzhou_slash_means_no_province_target(tables):
    row = tables["fuzhou"][8]
    assert row.name == "工业互联网标识解析二级节点标识注册数"
    assert row.province_target is None
    assert row.targets == {2023: 15000, 2024: 20000, 2025: 25000}


def test_xiamen_annex_row_1_per_10000_people(tables):
    row = tables["xiamen"][0]
    assert (row.number, row.name, row.unit) == ("1", "每万人拥有5G基站数", "个")
    assert row.province_target == 30
    assert row.baseline == (2022, 20.5)
    assert row.targets == {2023: 25, 2024: 29, 2025: 33}
    assert row.responsible == ["市通信管理局"]
    assert (row.line_start, row.line_end) == (683, 687)


def test_xiamen_row_5_responsible_units_continue_on_later_lines(tables):
    row = tables["xiamen"][4]
    assert (row.number, row.name, row.unit) == ("5", "移动网络IPv6流量占比", "%")
    assert row.responsible == ["市委网信办", "市通信管理局"]
    assert row.baseline == (2022, 46.6)
    assert row.targets[2025] == 70.1
    assert row.province_target == 70
    assert (row.line_start, row.line_end) == (711, 719)


def test_xiamen_row_7_double_dash_means_no_province_target(tables):
    row = tables["xiamen"][6]
    assert (row.name, row.unit) == ("国际互联网数据专用通道用户数", "户")
    assert row.province_target is None
    assert row.baseline == (2022, 139)
    assert row.targets == {2023: 300, 2024: 700, 2025: 1000}


def test_xiamen_names_split_over_several_lines(tables):
    assert [(row.name, row.unit) for row in tables["xiamen"]] == [
        ("每万人拥有5G基站数", "个"), ("5G用户普及率", "%"), ("10G-PON及以上端口数", "万个"),
        ("千兆宽带接入用户占比", "%"), ("移动网络IPv6流量占比", "%"), ("重点网站IPv6支持水平", "%"),
        ("国际互联网数据专用通道用户数", "户"), ("物联网终端用户数", "万户"),
        ("工业互联网标识解析二级节点连接企业数", "家"), ("算力规模", "EFLOPS")]
    assert tables["xiamen"][-1].responsible == ["市数字办"]
    assert tables["xiamen"][-1].line_end == 759  # the distribution list after the table is not a row


def test_fourteenth_plan_categories_names_and_units(tables):
    rows = tables["fujian14"]
    assert [(row.category, row.name, row.unit) for row in rows] == [
        ("总体发展水平", "数字福建发展指数", ""),
        ("数字政府", "省级行政许可事项网上可办率", "%"),
        ("数字政府", "行政审批和公共服务事项“一趟不用跑”比例", "%"),
        ("数字政府", "跨层级跨部门业务协同率", "%"),
        ("数字政府", "政务数据汇聚量", "亿条"),
        ("数字经济", "数字经济核心产业增加值占GDP比重", "%"),
        ("数字经济", "关键业务环节全面数字化的规模以上制造业企业比例", "%"),
        ("数字经济", "工业互联网平台应用普及率", "%"),
        ("数字经济", "网络零售额", "亿元"),
        ("创新能力", "计算机、通信和其他电子设备制造业研发投入强度", "%"),
        ("创新能力", "软件和信息技术服务业研发投入强度", "%"),
        ("创新能力", "信息技术发明专利授权数", "件"),
        ("新型基础设施", "5G用户普及率", "%"),
        ("新型基础设施", "IPv6活跃用户数", "万户"),
        ("新型基础设施", "千兆宽带家庭普及率", "%"),
        ("新型基础设施", "互联网省际出口带宽", "Tbps"),
        ("新型基础设施", "物联网终端用户数", "万个"),
        ("新型基础设施", "数据中心总算力", "EFLOPS"),
    ]


def test_fourteenth_plan_5g_penetration_baseline_and_target(tables):
    row = row_named(tables["fujian14"], "5G用户普及率")
    assert row.baseline == (2020, 12)
    assert row.targets == {2025: 70}
    assert row.annual == "年均提高11.6个百分点"
    assert row.province_target is None and row.responsible == []
    assert (row.line_start, row.line_end) == (391, 395)


def test_fourteenth_plan_qualified_and_textual_values(tables):
    rows = tables["fujian14"]
    index = rows[0]  # line 334: "数字福建发展指数 / 70.6 >95 年均提高 4.9 以上"
    assert (index.baseline, index.targets, index.qualifiers) == ((2020, 70.6), {2025: 95}, {2025: ">"})
    share = row_named(rows, "数字经济核心产业增加值占GDP比重")  # line 361: "% / 提高3个百分点 ..."
    assert share.baseline is None
    assert share.targets == {2025: "提高3个百分点"}
    platform = row_named(rows, "工业互联网平台应用普及率")  # lines 368-371: the annual text runs on
    assert platform.targets == {2025: 35} and platform.qualifiers == {2025: ">"}
    assert platform.annual == "年均提高4.3个百分点以上"
    assert (platform.line_start, platform.line_end) == (368, 371)


def test_per_10000_people_target_in_every_city(tables):
    # 福州 35, 厦门 33 for 2025, the province's 30 in both tables; 泉州 has no table but its
    # goals paragraph (lines 31-33) gives "30个以上"
    by_plan = {key: [row for row in tables[key] if row.indicator == "每万人拥有5G基站数"] for key in ("fuzhou", "xiamen")}
    assert [(r.targets[2025], r.province_target) for r in by_plan["fuzhou"]] == [(35, 30)]
    assert [(r.targets[2025], r.province_target) for r in by_plan["xiamen"]] == [(33, 30)]
    goals = "\n".join(plan_path("quanzhou").read_text(encoding="utf-8").split("\n")[30:33])
    quanzhou = [t for t in targets_of_paragraph(goals) if t.indicator == "每万人拥有5G基站数"]
    assert [(t.value, t.qualifier) for t in quanzhou] == [(30, "以上")]


def test_every_bundled_table_row_has_an_indicator(tables):
    assert [row.name for key in ("fuzhou", "xiamen", "fujian14") for row in tables[key] if row.indicator is None] == []


# --- generality: other layouts of the same family -------------------------------------------------

def test_space_separated_rows_with_a_unit_column():
    lines = ["表1 重点指标", "序号 指标名称 单位 2022年现状值 2024年目标值 2025年目标值 牵头单位",
             "1 5G基站数 万个 1.2 2 3 市工信局", "2 千兆宽带用户占比 % 20 30 / 市通信管理局、市发改委",
             "三、保障措施"]
    first, second = parse_indicator_tables(lines)
    assert (first.number, first.name, first.unit, first.baseline, first.targets) == (
        "1", "5G基站数", "万个", (2022, 1.2), {2024: 2, 2025: 3})
    assert second.targets == {2024: 30} and second.responsible == ["市通信管理局", "市发改委"]
    assert second.indicator == "千兆宽带接入用户占比" and second.line_end == 4


def test_tab_rows_with_a_spanned_category_and_a_bare_base_year():
    lines = ["类别\t指标\t单位\t2020年\t2025年目标\t属性", "数字基础设施\t5G 基站数\t万个\t1\t8\t预期性",
             "\t数据中心总算力\tEFLOPS\t2.2\t>7\t预期性"]
    first, second = parse_indicator_tables(lines)
    assert (first.category, first.baseline, first.targets, first.attribute) == ("数字基础设施", (2020, 1), {2025: 8}, "预期性")
    assert (second.category, second.name, second.qualifiers, second.indicator) == (
        "数字基础设施", "数据中心总算力", {2025: ">"}, "算力规模")


def test_province_column_named_before_the_city_columns():
    lines = ["序号", "指标", "福建省2025年目标值", "莆田市2022年现状值", "2025年目标值", "责任单位",
             "1", "算力规模（PFLOPS）", "8000 200 -- 市数字办", "莆田市人民政府办公室 2023年10月1日印发"]
    row, = parse_indicator_tables(lines)
    assert (row.province_target, row.baseline, row.targets, row.responsible) == (8000, (2022, 200), {}, ["市数字办"])
    assert (row.line_start, row.line_end) == (7, 9)


def test_prose_without_table_gives_no_rows():
    assert parse_indicator_tables(["到 2025 年，全市建成 5G 基站 3 万个。", "", "指标体系不断完善。"]) == []


# --- indicator names ------------------------------------------------------------------------------

@pytest.mark.parametrize("canonical,spellings", [
    ("每万人拥有5G基站数", ["每万人拥有 5G 基站数", "每万人拥有5G基站数", "每万人拥有5G（第五代移动通信技术）基站",
                      "全市每万人拥有 5G（第五代\n\n代移动通信技术）基站"]),
    ("重点网站IPv6支持水平", ["重点网站 IPv6 支持水 平", "重点网站IPv6支持水平", "重点网站 IPv6 支持度", "重點網站IPv6支持度"]),
    ("5G用户普及率", ["5G 用户普及率", "5G用户普及率", "5G 用户普及率 (%)", "5G用户普及率（%）"]),
    ("10G-PON及以上端口数", ["10G-PON 及以上端口 数", "10G-PON及以上端口数", "10G-PON（无源光网络）及以上端口",
                         "10G-PON（无源光网络）及以上端口数"]),
    ("算力规模", ["算力规模", "数据中心总算力", "算力", "全市算力"]),
    ("数据中心标准机架数", ["标准机架数", "在用标准机架数", "全市数据中心标准机架数", "数据中心标准机架数"]),
    ("物联网终端用户数", ["物联网终端用户数", "物联网终端用户数(万 户)", "全市物联网终端用户数", "物联网終端用戶數"]),
    ("工业互联网标识解析二级节点标识注册数", ["工业互联网标识解析 二级节点标识注册数", "工业互联网二级解析节点标识注册数",
                                 "累计工业互联网标识解析二级节点标识注册数", "二级节点标识注册数"]),
])
def test_spellings_across_plans_match_one_indicator(canonical, spellings):
    assert [match_indicator(spelling) for spelling in spellings] == [canonical] * len(spellings)


@pytest.mark.parametrize("name,unit,expected", [
    ("5G用户普及率", "%", "5G用户普及率"),
    ("千兆宽带家庭普及率", "%", "千兆宽带家庭普及率"),
    ("千兆宽带接入用户占比", "%", "千兆宽带接入用户占比"),
    ("互联网出口带宽", "Tbps", "互联网出口带宽"),
    ("互联网省际出口带宽", "Tbps", "互联网省际出口带宽"),
    ("高性能计算峰值算力", "PFLOPS", "高性能计算峰值算力"),
    ("工业互联网标识解析二级节点连接企业数", "家", "工业互联网标识解析二级节点连接企业数"),
])
def test_close_indicators_stay_distinct(name, unit, expected):
    assert match_indicator(name, unit) == expected


@pytest.mark.parametrize("name,unit", [
    ("4G用户普及率", "%"),            # another technology: Latin tokens must agree
    ("固定网络IPv6流量占比", "%"),     # two characters of twelve differ
    ("互联网国际出口带宽", "Tbps"),
    ("数字人民币交易金额", "亿元"),
    ("医院", "家"),
    ("总算力年均增长", "%"),          # a growth rate, not the compute itself
    ("算力", "%"),                    # right name, wrong dimension
    ("5G基站", "%"),
    ("", ""),
])
def test_unrelated_names_do_not_match(name, unit):
    assert match_indicator(name, unit) is None


def test_conversions_only_where_exact():
    assert convert_value(1.1, "EFLOPS", "PFLOPS") == 1100
    assert convert_value(120, "PFLOPS", "EFLOPS") == 0.12
    assert convert_value(160000, "个", "万个") == 16
    assert convert_value(1830, "万户", "户") == 18300000
    assert convert_value(24, "T", "Tbps") == 24
    assert convert_value(17500000, "个", "万户") is None  # 个 and 户 are different counts
    assert convert_value(3, "%", "个百分点") is None
    assert to_indicator_unit(250000000, "个", "工业互联网标识解析二级节点标识注册数") == 25000


def test_curated_indicator_table_is_valid():
    table = indicators()
    assert "每万人拥有5G基站数" in table and table["算力规模"].unit == "EFLOPS"
    rows = curated.load_csv("indicators.csv")
    assert all(row["source"] for row in rows)
    assert len({(row["indicator"], row["alias"]) for row in rows}) == len(rows)
