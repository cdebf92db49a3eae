"""Recognise the heading styles Chinese plans number their outlines with.

第一章 / 第一节 / 第一部分, 专栏 3, 一、, （一）, 1. 1． 1、, （1）, ①. Half- and full-width
brackets and dots are both common in PDF extractions, so every pattern accepts both.

Plans in traditional characters (第一節, 專欄 3) are recognised on a simplified shadow of the
text with the same character offsets (``simplified``); titles keep the printed characters.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

CN_DIGITS = "零〇一二三四五六七八九十百"
_CN = f"[{CN_DIGITS}]+"

# Ordered: the first pattern that matches names the kind.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^第\s*({_CN}|\d+)\s*部分\s*(.*)$")),
    ("chapter", re.compile(rf"^第\s*({_CN}|\d+)\s*章\s*(.*)$")),
    ("section", re.compile(rf"^第\s*({_CN}|\d+)\s*节\s*(.*)$")),
    ("article", re.compile(rf"^第\s*({_CN}|\d+)\s*条(?![款项])\s*(.*)$")),
    ("box", re.compile(rf"^专栏\s*({_CN}|\d+)(?![\d万亿个%])\s*[：:]?\s*(.*)$")),
    ("cn", re.compile(rf"^({_CN})\s*[、.．]\s*(.*)$")),
    ("paren_cn", re.compile(rf"^[（(]\s*({_CN})\s*[）)]\s*[、.．]?\s*(.*)$")),
    # "2.5G 网络建设行动" (厦门 line 95) is task 2, titled "5G 网络建设行动"; "2.5万个" is a number.
    # "5.121工程" is task 5, titled "121工程" (a name, not 5.121); a private-use glyph after the
    # number stands for its dot in some web copies (青岛 2024 海洋大模型: "1\ue010加快…").
    ("arabic", re.compile(r"^(\d{1,2})\s*[.．、\ue000-\uf8ff](?:(?!\d)|(?=\d+[A-Za-z])|(?=\d{3,}(?![\d.．万亿千百个%％倍元米项家台座户人]))"
                          r")\s*(.*)$")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*(.*)$")),
    ("circled", re.compile(r"^([①-⑳])\s*(.*)$")),
]
STRUCTURAL = {"part", "chapter", "section", "box"}
TITLE_MAX = 40  # a heading's title is the phrase before its first 。 if it is this short


@dataclass(frozen=True)
class HeadingMatch:
    kind: str
    number: str  # the numeral as printed: "一", "3"
    value: int  # the numeral's value, for sequence checks
    title: str
    rest: str  # text after the title on the same line (inline task body)


def cn_to_int(numeral: str) -> int:
    """Value of a Chinese numeral up to 百: 三 → 3, 十二 → 12, 二十一 → 21."""
    if numeral.isdigit():
        return int(numeral)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits["〇"] = 0
    total, current = 0, 0
    for char in numeral:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = digits.get(char, 0)
    return total + current


@functools.lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:  # a declared dependency; without it traditional text is not recognised
        return None
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """A simplified-character shadow of ``text`` with identical length and offsets.

    opencc's t2s maps almost every character to one character; where a phrase conversion
    changes the length, each character is converted on its own and kept if that changes it.
    Simplified text comes back unchanged (checked on the five bundled plans).
    """
    converter = _t2s()
    if converter is None or text.isascii():
        return text
    shadow = converter.convert(text)
    if len(shadow) == len(text):
        return shadow
    chars = []
    for char in text:
        single = converter.convert(char)
        chars.append(single if len(single) == 1 else char)
    return "".join(chars)


def split_title(rest: str) -> tuple[str, str]:
    """Split "适度超前部署千兆光网。持续扩大…" into its title and the body that follows it."""
    stop = rest.find("。")
    if 0 < stop <= TITLE_MAX:
        return rest[:stop].strip(), rest[stop + 1 :].strip()
    if len(rest) <= TITLE_MAX:
        return rest.strip(), ""
    # A long first sentence (山东 2023 制造业创新 item 13 runs 200 characters without a 。) is
    # not a title: the whole text stays the body, so its annotation is read, and the title is
    # its first clause.
    return long_title(rest), rest.strip()


def long_title(text: str) -> str:
    """The first clause of a text too long to be a title, cut before any bracket."""
    head = re.split(r"[。；;]", text, maxsplit=1)[0]
    head = re.split(f"[{re.escape('（(〔【[')}]", head, maxsplit=1)[0]
    clause = re.split(r"[，,]", head, maxsplit=1)[0]
    return (clause if len(clause) >= 4 else head)[:TITLE_MAX].strip()


@functools.lru_cache(maxsize=16384)
def match_heading(text: str) -> HeadingMatch | None:
    """The heading a line opens with, or None for body text (traditional characters too).

    Cached: reflow and the outline ask about the same line several times.
    """
    shadow = simplified(text)
    for kind, pattern in PATTERNS:
        found = pattern.match(shadow)
        if not found:
            continue
        number, rest = found.group(1), text[found.start(2):found.end(2)].strip()
        if kind == "circled":
            value = ord(number) - ord("①") + 1
        else:
            value = cn_to_int(number)
        if kind in STRUCTURAL and len(rest) > 60 and "。" in rest[:30]:
            continue  # "第二节" quoted inside a sentence, not a heading
        title, body = split_title(rest)
        return HeadingMatch(kind=kind, number=number, value=value, title=title, rest=body)
    return None


def is_structural_heading(text: str) -> bool:
    """第X章/第X节/第X部分/专栏N: headings that never continue a wrapped line."""
    found = match_heading(text)
    return bool(found and found.kind in STRUCTURAL and len(text) <= 60)


def _outline_config() -> dict:
    from .curated import load_yaml

    return load_yaml("outline.yaml")


def sentence_lead(text: str) -> str | None:
    """The short opening sentence that titles an unnumbered task, or None.

    "持续增强政务云服务能力。推进数字福建…" → "持续增强政务云服务能力".
    """
    stop = text.find("。")
    limit = int(_outline_config()["lead_sentence_max"])
    if 2 <= stop <= limit and not any(ch in text[:stop] for ch in "，,、；;：:—"):
        return text[:stop]
    return None


def box_item_name(text: str) -> str | None:
    """The name before the colon of a 专栏 item: "政务网络整合提升工程：升级…" → its name."""
    found = re.match(r"^([^，,。；;：:]{2,%d})[：:]" % int(_outline_config()["box_item_name_max"]), text)
    return found.group(1) if found else None


def opens_with_lead(text: str) -> bool:
    """True when text starts like a new unnumbered task or 专栏 item."""
    return bool(sentence_lead(text) or box_item_name(text))
