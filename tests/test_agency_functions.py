"""The same agency across plans: units never merge across regions, and their function is read from
the agency word of their name (issue 12, "The same agency across plans").

Names and regions are those printed in the real plans of tests/data/real_plans (the file is named
beside each group) and in the issue.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from respgraph import graph_build, queries
from respgraph.graph_build.curated import load_csv
from respgraph.graph_build.resolve import (GOVERNMENT_KINDS, agency_word, classify, function_patterns,
                                           guess_function, has_function, regional_name, top_level_alternatives)
from respgraph.queries.catalog import REGION_UNKNOWN

REAL_PLANS = Path(__file__).parent / "data" / "real_plans"
DEPARTMENT_FREE = {"district_governments", "city_governments", "provincial_governments", "departments_collective",
                   "zone_management"}


@pytest.mark.parametrize("name,region,function", [
    # the units the issue names
    ("相关市人民政府", "山东省", "city_governments"),  # 人民政府 holds 民政: never civil_affairs
    ("团市委", "成都市", "youth_league"),
    ("市统计局", "济南市", "statistics"),  # jinan_zhizao-shuzijingji_2019
    ("省统计局", "山东省", "statistics"),  # shandong_shuzishandong_2019
    ("省司法厅", "山东省", "justice"),  # shandong_shuziqiangsheng_2021
    ("市司法局", "青岛市", "justice"),  # qingdao_haiyang-damoxing_2024
    ("市编办", "成都市", "establishment"),
    ("省委编办", "山东省", "establishment"),  # shandong_shuzishandong_2019
    ("市法院", "成都市", "court"),
    ("市中级人民法院", "成都市", "court"),
    ("人行成都分行", "成都市", "central_bank"),
    ("人民银行山东省分行营管部", "济南市", "central_bank"),  # jinan_rengongzhineng_2024
    ("中国人民银行山东省分行", "山东省", "central_bank"),  # shandong_ai-keji-chuangxin_2024
    ("成都公积金中心", "成都市", "housing_fund"),
    # Party committee departments: 市委 + the department word
    ("市委组织部", "青岛市", "organization"),  # qingdao_haiyang-damoxing_2024
    ("省委组织部", "山东省", "organization"),
    ("市委宣传部", "济南市", "propaganda"),
    ("市委社会工作部", "济南市", "social_work"),  # jinan_rengongzhineng_2024
    ("市委军民融合办", "青岛市", "military_civil_fusion"),  # qingdao_haiyang-damoxing_2024
    ("市委机要保密局", "济南市", "cryptography"),
    ("省委办公厅", "山东省", "general_office"),  # shandong_shuzishandong_2019
    ("省政府办公厅", "山东省", "general_office"),
    # provincial departments of 山东 (shandong_*)
    ("省住房城乡建设厅", "山东省", "housing_construction"),
    ("省机关事务管理局", "山东省", "government_offices_administration"),
    ("省档案馆", "山东省", "archives"),
    ("省畜牧局", "山东省", "animal_husbandry"),
    ("省能源局", "山东省", "energy"),
    ("省科协", "山东省", "science_association"),
    ("省科技厅", "山东省", "science_technology"),
    ("省退役军人厅", "山东省", "veterans_affairs"),
    ("省保密局", "山东省", "cryptography"),
    ("省地方金融监管局", "山东省", "finance_regulation"),
    ("金融监管总局山东监管局", "山东省", "financial_regulator_central"),  # the central regulator, not the local one
    ("山东金融监管局", "山东省", "financial_regulator_central"),
    ("国家金融监督管理总局莱芜监管分局", "济南市", "financial_regulator_central"),
    # city departments of 济南, 青岛, 丽水
    ("市口岸物流办", "济南市", "ports_of_entry"),
    ("市工商局", "济南市", "market_regulation"),
    ("市投促局", "济南市", "investment_promotion"),
    ("市行政审批服务局", "济南市", "government_services"),
    ("市民营经济局", "青岛市", "private_economy"),
    ("市贸促会", "青岛市", "trade_promotion"),
    ("市海洋发展局", "青岛市", "ocean_fisheries"),
    ("市双招双引办", "丽水市", "investment_promotion"),
    ("市文广旅体局", "丽水市", "culture_tourism"),
    ("市建设局", "丽水市", "housing_construction"),
    # research bodies are not the department their subject names (海洋, 科技)
    ("青岛海洋科技中心", "青岛市", "research_institution"),
    ("中国科学院海洋研究所", "青岛市", "research_institution"),
    ("崂山实验室", "青岛市", "research_institution"),
    # State Council plans: names without a 省/市 prefix (quanguo_jiuye_2018, quanguo_zongbaoqu_2019)
    ("人力资源社会保障部", "全国", "human_resources"),
    ("海关总署", "全国", "customs"),
    ("税务总局", "全国", "taxation"),
    ("市场监管总局", "全国", "market_regulation"),  # 市场 is a word, not the 市 prefix
    ("发展改革委", "全国", "development_reform"),
    ("住房城乡建设部", "全国", "housing_construction"),
    ("药监局", "全国", "drug_regulation"),
    ("文物局", "全国", "cultural_heritage"),
    ("证监会", "全国", "securities_regulator"),
    ("银保监会", "全国", "financial_regulator_central"),
    ("人民银行", "全国", "central_bank"),
    ("国家统计局", "全国", "statistics"),
    ("中央网信办", "全国", "cyberspace"),
])
def test_function_from_the_agency_word(name, region, function):
    assert guess_function(name, region) == function


@pytest.mark.parametrize("names,function", [
    (["市经济和信息化委", "市经信局", "市工信局", "市工业和信息化局", "省工业和信息化厅", "工业和信息化部",
      "市工業和信息化局"], "industry_it"),
    (["省发展改革委", "市发改委", "市发展改革委", "市发展和改革委员会", "国家发展改革委"], "development_reform"),
    (["人力资源社会保障部", "市人社局", "市人力社保局", "市人力资源社会保障局", "省人力资源社会保障厅"], "human_resources"),
    (["市通管办", "市通信发展管理办", "市通信管理局", "省通信管理局"], "telecom_regulator"),
    (["市大数据局", "市数据局", "市数据管理局", "省大数据局", "国家数据局"], "digital_authority"),
])
def test_short_traditional_and_abbreviated_forms_share_a_function(names, function):
    assert {name: guess_function(name, "青岛市") for name in names} == {name: function for name in names}


@pytest.mark.parametrize("name,region,kind,function", [
    ("各有关部门", "山东省", "departments_collective", "departments_collective"),
    ("有关部门和单位", "全国", "departments_collective", "departments_collective"),
    ("各有关部门和单位", "全国", "departments_collective", "departments_collective"),
    ("市相关部门", "济南市", "departments_collective", "departments_collective"),
    ("各市政府", "山东省", "local_governments", "city_governments"),
    ("相关市人民政府", "山东省", "local_governments", "city_governments"),
    ("济南市政府", "山东省", "local_governments", "city_governments"),
    ("各省级人民政府", "全国", "local_governments", "provincial_governments"),
    ("各区县政府", "济南市", "district_governments", "district_governments"),
    ("各区市", "青岛市", "district_governments", "district_governments"),
    ("各县(市、区)政府", "丽水市", "district_governments", "district_governments"),
    ("崂山区政府", "青岛市", "district_governments", "district_governments"),
    ("青岛西海岸新区管委", "青岛市", "zone_committee", "zone_management"),
    ("济南高新区管委会", "济南市", "zone_committee", "zone_management"),
])
def test_collectives_and_governments_are_recognised_not_given_a_department(name, region, kind, function):
    assert (classify(name), guess_function(name, region)) == (kind, function)
    assert function in DEPARTMENT_FREE


def test_a_city_management_committee_is_not_a_zone_committee():
    assert (classify("市城管委"), guess_function("市城管委", "成都市")) == ("government_department", "urban_management")


@pytest.mark.parametrize("name,region,word", [
    ("市统计局", "济南市", "统计局"),
    ("青岛市工业和信息化局", "青岛市", "工业和信息化局"),
    ("市委组织部", "青岛市", "组织部"),
    ("省政府办公厅", "山东省", "办公厅"),
    ("市市场监管局", "济南市", "市场监管局"),
    ("市城市管理局", "济南市", "城市管理局"),
    ("国家统计局", "全国", "统计局"),
    ("团市委", "成都市", "团市委"),
    ("市成都公积金中心", "成都市", "公积金中心"),
])
def test_agency_word(name, region, word):
    assert agency_word(name, region) == word


@pytest.mark.parametrize("name,region,canonical", [
    ("市成都公积金中心", "成都市", "成都公积金中心"),  # not 成都市成都公积金中心
    ("省山东金融监管局", "山东省", "山东金融监管局"),
    ("市统计局", "济南市", "济南市统计局"),
    ("市场监管局", "济南市", "市场监管局"),
])
def test_no_doubled_region_prefix(name, region, canonical):
    assert regional_name(name, region) == canonical


def test_every_function_pattern_is_anchored():
    assert top_level_alternatives("^a|(b|c)$|[|]x$") == ["^a", "(b|c)$", "[|]x$"]
    rows = function_patterns()
    assert len(rows) == 107 and all(on in ("name", "word") for on, _, _ in rows)


def test_patterns_agree_with_the_curated_table():
    """The patterns give the curated function to every alias of data/agencies.csv but four, whose
    names do not say what they do (a Fuzhou flood-control centre and the 智慧福州 service centre)."""
    differing = sorted({row["alias"] for row in load_csv("agencies.csv")
                        if guess_function(row["alias"], row["region"].replace("*", "")) != row["function"]})
    assert differing == ["市“智慧福州”管理服务中心", "市联排联调中心", "福州市“智慧福州”管理服务中心", "福州市联排联调中心"]


def test_telecom_regulators_of_the_three_cities_still_share_a_function(graph):
    units = {row["unit"]: row["function"] for row in queries.units(graph)}
    assert [units[name] for name in ("福州市通管办", "泉州市通信发展管理办", "厦门市通信管理局")] == ["telecom_regulator"] * 3


# ---------------------------------------------------------------- documents whose region is unknown

REGIONLESS = {
    "a.txt": "数字政府建设工作方案\n\n一、重点任务\n"
             "（一）建设数字人才队伍。加强数字人才培养和引进。（责任单位：市委组织部、市人社局）\n"
             "（二）完善考核机制。将数字政府建设纳入年度考核。（责任单位：市委组织部）\n",
    "b.txt": "智慧养老服务实施方案\n\n一、主要任务\n"
             "（一）配强养老服务力量。选派干部到养老服务机构任职。（责任单位：市委组织部、市民政局）\n",
    "c.txt": "青岛市数字人才培养方案\n\n一、主要任务\n"
             "（一）培养数字人才。（责任单位：市委组织部）\n",
}


@pytest.fixture(scope="module")
def regionless(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regionless")
    for name, text in REGIONLESS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return graph_build.build([folder / name for name in REGIONLESS])


def test_units_of_two_regionless_documents_never_merge(regionless):
    docs = {row["file"].rsplit("/", 1)[-1]: row for row in queries.documents(regionless)}
    assert [(name, docs[name]["region"]) for name in sorted(docs)] == [("a.txt", ""), ("b.txt", ""), ("c.txt", "青岛市")]
    rows = [row for row in queries.units(regionless) if row["unit"].endswith("市委组织部")]
    by_id = {row["id"]: (row["unit"], row["city"], row["tasks"]) for row in rows}
    assert by_id == {
        f"agency:{docs['a.txt']['id']}:市委组织部": ("市委组织部", "", 2),  # printed name kept, scoped by doc:<hash>
        f"agency:{docs['b.txt']['id']}:市委组织部": ("市委组织部", "", 1),
        "agency:青岛市:青岛市委组织部": ("青岛市委组织部", "青岛市", 1),
    }
    assert all(row["function"] == "organization" for row in rows)


def test_a_name_shared_by_regionless_documents_is_ambiguous_by_document(regionless):
    docs = {row["file"].rsplit("/", 1)[-1]: row["id"] for row in queries.documents(regionless)}
    with pytest.raises(queries.AmbiguousUnit) as raised:
        queries.duties(regionless, "市委组织部")
    assert f"市委组织部（{docs['a.txt']}）" in str(raised.value) and f"市委组织部（{docs['b.txt']}）" in str(raised.value)


def test_docs_says_when_a_region_is_unknown(regionless):
    rows = queries.documents(regionless)
    warned = {row["file"].rsplit("/", 1)[-1]: REGION_UNKNOWN in row["warnings"] for row in rows}
    assert warned == {"a.txt": True, "b.txt": True, "c.txt": False}


# ---------------------------------------------------------------- the real plans

@pytest.fixture(scope="module")
def real_graph():
    files = sorted(p for p in REAL_PLANS.iterdir() if p.suffix in {".txt", ".html"})
    assert len(files) == 16
    return graph_build.build(files)


def test_real_plan_units_that_lead_or_support_have_a_function(real_graph):
    units = [row for row in queries.units(real_graph) if row["tasks"]]
    covered = [row for row in units if has_function(row["kind"], row["function"])]
    assert len(covered) / len(units) >= 0.95
    assert (len(covered), len(units)) == (173, 174)  # measured: 131 of 174 (75%) before issue 12


def test_units_without_function_lists_the_rest(real_graph):
    rows = queries.units_without_function(real_graph)
    assert [(row["unit"], row["city"], row["kind"], row["tasks"]) for row in rows] == [
        ("国家深海基地管理中心", "青岛市", "public_institution", 1)]
    assert [Path(file).name for file in rows[0]["files"]] == ["qingdao_haiyang-damoxing_2024.txt"]


def test_real_plan_governments_and_collectives_get_no_department_function(real_graph):
    functions = {}
    for row in queries.units(real_graph):
        if row["kind"] in GOVERNMENT_KINDS:
            functions.setdefault(row["function"] in DEPARTMENT_FREE, []).append(row["unit"])
    # a collective that names one kind of department is those departments: 各市工业和信息化局 (shandong_gongye-dashuju_2020)
    assert functions[False] == ["各市工业和信息化局"]
    assert guess_function("各市工业和信息化局", "山东省") == "industry_it"


def test_real_plan_national_units_belong_to_the_whole_country(real_graph):
    national = {row["unit"]: row["id"] for row in queries.units(real_graph, city="全国")}
    assert national["海关总署"] == "agency:全国:海关总署"
    assert national["人力资源社会保障部"] == "agency:全国:人力资源社会保障部"


def test_no_real_plan_unit_repeats_its_region(real_graph):
    for row in queries.units(real_graph):
        region = row["city"]
        if region:
            short = region[:-1]
            assert not row["unit"].startswith(region + short), row
