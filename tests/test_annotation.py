"""Responsibility annotations: brackets, breaks, tiers, roles and the shared 市 prefix."""
from __future__ import annotations

import pytest

from respgraph.graph_build.annotation import find_annotations, parse_annotation


def names(text):
    return [(u.name, u.role, u.rank, u.tier) for u in parse_annotation(text).units]


@pytest.mark.parametrize("text", [
    "〔责任单位：市通管办、市委网信办，各县（市）区政府〕",
    "（责任单位：市通管办、市委网信办，各县（市）区政府）",
    "(责任单位:市通管办、市委网信办,各县（市）区政府)",
    "（责任单位：市通管办、市委网信办，各县（市）区政府〕",  # mismatched closer, 福州 line 140-142
    "〔责责任单位：市通管办、市委网信办，各县（市）区政府]",  # duplicated first char, 泉州 task 21
])
def test_bracket_variants_give_the_same_units(text):
    assert names(text) == [
        ("市通管办", "lead", 1, 1), ("市委网信办", "support", 2, 1), ("各县（市）区政府", "support", 3, 2)]


def test_lead_is_first_unit_of_first_tier():
    units = parse_annotation("〔责任单位：市大数据委、市工信局，各县（市）区政府、高新区管委会〕").units
    assert [u.role for u in units] == ["lead", "support", "support", "support"]
    assert [u.tier for u in units] == [1, 1, 2, 2]


def test_quanzhou_shared_prefix_expands_to_full_name():
    units = parse_annotation("〔责任单位：市数字办、工信局、农业农村局，市通信发展管理办〕").units
    assert [u.printed for u in units] == ["市数字办", "工信局", "农业农村局", "市通信发展管理办"]
    assert [u.name for u in units] == ["市数字办", "市工信局", "市农业农村局", "市通信发展管理办"]


def test_shichang_is_a_word_not_the_city_prefix():
    units = parse_annotation("〔责任单位：市卫健委、市场监管局、医保局、数字办〕").units
    assert [u.name for u in units] == ["市卫健委", "市市场监管局", "市医保局", "市数字办"]


def test_prefix_not_given_to_collectives_or_named_places():
    units = parse_annotation("〔责任单位：市数字办，市大数据公司、电信泉州分公司，安溪县人民政府〕").units
    assert [u.name for u in units] == ["市数字办", "市大数据公司", "电信泉州分公司", "安溪县人民政府"]


def test_brackets_inside_unit_names_are_kept():
    units = parse_annotation("〔责任单位：市文旅局（市广播电视局）、市应急管理局，各县（市、区）人民政府〕").units
    assert [u.name for u in units] == ["市文旅局（市广播电视局）", "市应急管理局", "各县（市、区）人民政府"]


def test_lead_and_support_labels_and_deadline():
    note = parse_annotation("（牵头单位：市发改委、市工信局；配合单位：市通信管理局等；完成时限：2025年底）")
    assert [(u.name, u.role) for u in note.units] == [
        ("市发改委", "lead"), ("市工信局", "lead"), ("市通信管理局", "support")]
    assert note.deadline == "2025年底"


def test_non_annotation_brackets_are_ignored():
    text = "规模400P〔在使用半精度输出输入（FP16）下达到400千万亿次浮点指令/秒（PFLOPS）以上〕，2025年。〔责任单位：市大数据委〕"
    found = find_annotations(text)
    assert len(found) == 1 and [u.name for u in found[0].units] == ["市大数据委"]


def test_unclosed_annotation_runs_to_the_end():
    assert [u.name for u in parse_annotation("（责任单位：市公安局").units] == ["市公安局"]
