"""Properties of the parsers on generated input: they never raise, and never lose a character of a unit name."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from respgraph.graph_build.annotation import find_annotations, is_deadline, is_rule
from respgraph.graph_build.curated import load_yaml
from respgraph.graph_build.headings import simplified
from respgraph.graph_build.model import SourceText
from respgraph.graph_build.outline import parse_outline
from respgraph.graph_build.parse import NoTasksError, parse_document
from respgraph.graph_build.read import SourceError, decode_bytes
from respgraph.graph_build.tables import find_task_tables

SETTINGS = settings(max_examples=150, deadline=None)
COMMON = "市区县省委局办厅中心公司集团政府人民管理信息发展改革数据通信交通教育财政卫生健康文旅广电应急自然资源住建生态农业商务科技工业公安司法國際廣電資訊發展區縣"
NAME_CHAR = st.sampled_from(COMMON) | st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
BRACKETS = [("（", "）"), ("〔", "〕"), ("(", ")"), ("【", "】"), ("[", "]")]
TRAILING = ("等", "等部门", "等单位", "等有关部门", "等有关单位", "等相关部门", "等相关单位")
ROLE_WORDS = tuple(word for words in load_yaml("annotation.yaml")["role_words"].values() for word in words)
LABELS = {"责任单位": "mixed", "責任單位": "mixed", "责任部门": "mixed", "牵头单位": "lead", "牽頭單位": "lead",
          "牵头部门": "lead", "配合单位": "support", "配合單位": "support"}


@st.composite
def unit_names(draw):
    """A unit name: CJK characters, perhaps with a bracketed part ("市交通委（市道运局）", "各县〔区、市〕政府")."""
    head = draw(st.text(NAME_CHAR, min_size=1, max_size=8))
    name = head
    if draw(st.booleans()):
        opener, closer = draw(st.sampled_from(BRACKETS))
        inner = draw(st.lists(st.text(NAME_CHAR, min_size=1, max_size=4), min_size=1, max_size=3))
        name += opener + "、".join(inner) + closer + draw(st.text(NAME_CHAR, max_size=4))
    shadow = simplified(name)
    if (shadow.endswith(TRAILING) or "等" in shadow[-6:] or shadow.endswith(ROLE_WORDS)
            or is_rule(shadow) or is_deadline(shadow)):
        # A closing 等 is dropped by design ("市通信管理局等"), a closing role word sets the role
        # ("市农业农村局分别牵头"), and a rule ("下同") or a deadline ("持续推进") is no unit
        # (data/annotation.yaml): keep names that are none of these.
        name += "局"
    return name


@given(label=st.sampled_from(sorted(LABELS)),
       tiers=st.lists(st.lists(unit_names(), min_size=1, max_size=4), min_size=1, max_size=3),
       brackets=st.sampled_from(BRACKETS + [("（", "〕"), ("〔", "]")]),
       tier_separator=st.sampled_from("，；,;"))
@SETTINGS
def test_every_generated_unit_name_comes_back_intact(label, tiers, brackets, tier_separator):
    body = tier_separator.join("、".join(tier) for tier in tiers)
    text = f"推进重点项目建设。{brackets[0]}{label}：{body}{brackets[1]}"
    found = find_annotations(text)
    assert len(found) == 1
    got = [(u.printed, u.tier) for u in found[0].units]
    assert got == [(name, index) for index, tier in enumerate(tiers, start=1) for name in tier]
    roles = [u.role for u in found[0].units]
    policy = LABELS[label]
    assert roles == ([policy] * len(roles) if policy != "mixed" else ["lead"] + ["support"] * (len(roles) - 1))


@given(tiers=st.lists(st.lists(unit_names(), min_size=1, max_size=3), min_size=1, max_size=3),
       bare=st.booleans())
@SETTINGS
def test_unit_names_survive_the_outline_parser(tiers, bare):
    body = "，".join("、".join(tier) for tier in tiers)
    note = f"责任单位：{body}" if bare else f"（牵头单位：{body}）"
    lines = ["一、重点任务", "1.推进重点项目建设。加快项目审批。" + ("" if bare else note)] + ([note] if bare else []) + [
        "2.强化保障。落实资金。（责任单位：市财政局）"]
    _sections, tasks = parse_outline(lines)
    assert [u.printed for u in tasks[0].units] == [name for tier in tiers for name in tier]
    assert [u.printed for u in tasks[1].units] == ["市财政局"]


PLAN_TOKENS = st.sampled_from([
    "一、", "（一）", "1.", "第一章", "第二节", "专栏1", "專欄2", "责任单位：", "牵头单位：", "配合单位：", "完成时限：",
    "（", "）", "〔", "〕", "【", "]", "、", "，", "；", "。", "：", "\n", "\n\n", "\t", "|", " ", "  ", "等",
    "市发改委", "各县（市、区）人民政府", "附件：", "序号", "重点任务", "抄送：", "2025年底", "推进建设", "行动计划",
])
PLAN_TEXT = st.lists(PLAN_TOKENS | st.text(max_size=5), max_size=80).map("".join)


@given(PLAN_TEXT)
@SETTINGS
def test_annotation_finder_never_raises(text):
    for note in find_annotations(text):
        assert 0 <= note.start < note.end <= len(text)
        assert note.raw == text[note.start:note.end] or note.raw.startswith(text[note.start:note.start + 1])


@given(PLAN_TEXT)
@SETTINGS
def test_outline_and_table_parsers_never_raise(text):
    lines = text.split("\n")
    sections, tasks = parse_outline(lines)
    assert all(t.line_start <= t.line_end for t in tasks)
    find_task_tables(lines)


@given(PLAN_TEXT)
@SETTINGS
def test_document_parser_raises_only_no_tasks(text):
    try:
        parse_document(SourceText("generated.txt", text))
    except NoTasksError:
        pass


@given(st.binary(max_size=300))
@SETTINGS
def test_decoding_arbitrary_bytes_raises_only_source_error(raw):
    try:
        text, encoding = decode_bytes(raw, "generated.txt")
    except SourceError:
        return
    assert isinstance(text, str) and encoding
