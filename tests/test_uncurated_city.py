"""A city the curated tables do not know still gets regional names, functions and roles."""
from __future__ import annotations

from pathlib import Path

import pytest

from respgraph import graph_build
from respgraph import queries
from respgraph.graph_build.annotation import find_annotations

PLAN = Path(__file__).parent / "fixtures" / "zhangzhou_digital_economy_plan.txt"


@pytest.fixture(scope="module")
def zhangzhou():
    return graph_build.build([PLAN])


def test_every_task_and_its_units(zhangzhou):
    rows = queries.tasks(zhangzhou)
    assert [(r["number"], r["title"], [(u["canonical"], u["role"]) for u in r["units"]]) for r in rows] == [
        ("1", "加快5G网络建设", [("漳州市工信局", "lead"), ("漳州市通信发展管理办", "support"),
                                 ("各县（区）人民政府", "support")]),
        ("2", "推进算力设施建设", [("漳州市数据管理局", "lead"), ("漳州市发改委", "support")]),
        ("3", "实施智能制造工程", [("漳州市工信局", "lead"), ("漳州市科技局", "support"),
                                   ("各县（区）人民政府", "support")]),
        ("4", "发展智慧农业", [("漳州市农业农村局", "lead"), ("漳州市数据管理局", "support")]),
        ("（一）", "加强组织领导", [("漳州市数据管理局", "lead")]),
        ("（二）", "强化要素保障", [("漳州市财政局", "lead"), ("漳州市自然资源局", "support")]),
    ]
    assert rows[0]["deadline"] == "2026年底"


def test_functions_are_guessed_from_names_so_cities_compare(zhangzhou):
    units = {r["unit"]: (r["function"], r["resolved"]) for r in queries.units(zhangzhou)}
    assert units["漳州市数据管理局"] == ("digital_authority", False)
    assert units["漳州市通信发展管理办"] == ("telecom_regulator", False)
    assert units["各县（区）人民政府"] == ("district_governments", False)  # not civil_affairs (人民政府)


def test_bracket_shapes_of_one_collective_are_one_unit(zhangzhou):
    (unit,) = [r for r in queries.units(zhangzhou) if r["unit"] == "各县（区）人民政府"]
    assert unit["printed"] == ["各县〔区〕人民政府", "各县（区）人民政府"] and unit["tasks"] == 2


@pytest.mark.parametrize("text,expected", [
    ("（市农业农村局牵头，市数据管理局、各县（区）人民政府配合）",
     [("市农业农村局", "lead"), ("市数据管理局", "support"), ("各县（区）人民政府", "support")]),
    ("（市发改委、市工信局牵头）", [("市发改委", "lead"), ("市工信局", "lead")]),
    ("（含5G基站牵头）", []),
    ("（2025年底前完成）", []),
])
def test_role_phrases_name_leads_and_supporters(text, expected):
    assert [(u.name, u.role) for note in find_annotations(text) for u in note.units] == expected
