"""Table output: display widths as wcwidth measures them, columns that line up for CJK text."""
from __future__ import annotations

import random

import pytest
from wcwidth import wcswidth

from respgraph import graph_build
from respgraph import output
from respgraph.output import clip, render_table, width

SIMPLE = output._patterns()[0]   # the characters width measures without wcwidth


def reference(text: str) -> int:
    """wcwidth's width; a text it cannot measure (a tab, a control character) counts its length."""
    measured = wcswidth(text)
    return measured if measured >= 0 else len(text)


@pytest.mark.parametrize("text,columns", [
    ("load", 4),
    ("福州市大数据委", 14),
    ("各县（市、区）人民政府", 22),                # full-width parentheses and the enumeration comma
    ("〔责任单位：市通管办〕", 22),                # tortoise-shell brackets, full-width colon
    ("5G基站1.2万个", 13),
    ("“十四五”·数字福建…", 18),                    # curly quotes, middle dot and ellipsis are one column
    ("ｅ－ＣＮＹ", 10),                             # full-width Latin
    ("e\u0301", 1),                                 # a combining acute accent takes no column
    ("\u200b智慧", 4),                              # nor does a zero-width space
    ("𠀋", 2),                                      # CJK extension B, beyond the BMP
    ("a\x07b", 3),                                  # wcwidth cannot measure a control character: its length
])
def test_width_counts_cjk_characters_as_two_columns(text, columns):
    assert width(text) == columns


def test_width_agrees_with_wcwidth_for_every_character_it_measures_itself():
    # the characters measured by the regexes, not by wcwidth: each one as wcwidth says
    for code in range(0x20, 0x40000):
        char = chr(code)
        if SIMPLE.fullmatch(char):
            assert width(char) == wcswidth(char), hex(code)


def test_width_agrees_with_wcwidth_on_mixed_text():
    # the fast path adds characters up one by one: no pair of them may change the other's width
    simple = [chr(c) for c in range(0x20, 0x40000) if SIMPLE.fullmatch(chr(c))]
    others = ["\u0301", "\u200d", "\ufe0f", "\U0001f44d", "\U0001f3fd", "\u0915\u094d\u0937", "\x1b", "\u3164", "\t"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(simple) for _ in range(rng.randint(0, 30)))
        if rng.random() < 0.3:
            cut = rng.randint(0, len(text))
            text = text[:cut] + rng.choice(others) + text[cut:]
        assert width(text) == reference(text), ascii(text)


def test_width_agrees_with_wcwidth_on_every_line_of_the_bundled_plans():
    for path in graph_build.bundled_plans():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.rstrip("\n")
                assert width(line) == reference(line), line


def test_clip_cuts_a_long_cell_to_the_column_limit_with_an_ellipsis():
    assert clip("数据" * 30, limit=9) == "数据数据…"
    assert clip("abcdefghij", limit=5) == "abcd…"
    assert clip("短", limit=5) == "短"
    assert clip("两行\n文字", limit=10) == "两行 文字"


def test_table_pads_chinese_cells_by_display_width():
    rows = [{"unit": "市大数据委", "n": 3}, {"unit": "ab", "n": 12}]
    assert render_table(rows, ["unit", "n"]) == (
        "unit        n\n"
        "----------  --\n"
        "市大数据委  3\n"
        "ab          12")


def test_table_cuts_long_cells_and_keeps_lists_none_and_booleans_readable():
    rows = [{"a": "很" * 30, "b": ["甲", "乙"], "c": None, "d": True}]
    lines = render_table(rows, ["a", "b", "c", "d"]).split("\n")
    assert lines[2] == "很" * 23 + "…  甲、乙     yes"


def test_table_columns_line_up_for_cjk_punctuation_and_combining_marks():
    rows = [
        {"unit": "各县（市、区）人民政府", "city": "广东省", "note": "e\u0301e\u0301"},
        {"unit": "市通管办", "city": "福州市", "note": "〔责任单位〕"},
        {"unit": "Zone committee", "city": "三亚市", "note": "x\u200by"},
        {"unit": "ｅ－ＣＮＹ", "city": "𠀋城", "note": "👍"},
    ]
    lines = render_table(rows, ["unit", "city", "note"]).split("\n")
    starts = []
    for line in lines[2:]:
        first_gap = line.index("  ", len(line.split("  ")[0]))
        city_start = len(line) - len(line[first_gap:].lstrip(" "))
        starts.append(wcswidth(line[:city_start]))
    assert starts == [24, 24, 24, 24]
