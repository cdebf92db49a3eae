"""Undo the layout a PDF extraction leaves: rejoin wrapped lines into paragraphs.

The bundled plans show every artifact this handles: lines wrapped at the page width
with a blank line between them (厦门, the 十四五 plan), a sentence broken at a page break
(福州 line 58-60 "规模覆\\n\\n盖。"), markdown ``#``/``**`` noise on headings, a leading space
where a page began, and tab-separated table rows. Plans that print an annotation without
brackets on its own line ("责任单位：市发改委、市工信局") keep that line a block of its own.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from . import headings
from .annotation import starts_with_label

MARKDOWN_NOISE = re.compile(r"^\s*#+\s*|\*\*|__")
# A line that ends one of these closes a sentence or a bracketed annotation.
TERMINAL = tuple("。！？；：!?;:）〕)]】」』”")
TERMINAL_STRICT = tuple("。！？；!?;")


@dataclass
class Block:
    """A reflowed paragraph (or heading, or table row) with its source line range."""

    text: str
    line_start: int
    line_end: int
    markdown: bool = False  # the first line carried markdown heading marks
    table: bool = False
    breaks: list[tuple[int, int]] = field(default_factory=list)  # (text offset, line) per joined line

    def line_at(self, offset: int) -> int:
        """Source line holding the character at ``offset`` of the reflowed text."""
        line = self.line_start
        for start, number in self.breaks:
            if start > offset:
                break
            line = number
        return line


# The East Asian Wide and Fullwidth blocks (unicodedata.east_asian_width W/F) that plans use.
_WIDE = re.compile("[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf"
                   "\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19"
                   "\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def display_width(text: str) -> int:
    """Width in terminal columns: CJK characters count two, the way the PDF set them.

    A regex count of the wide blocks, not a per-character lookup: this runs on every line.
    """
    return len(text) + len(_WIDE.findall(text))


@functools.lru_cache(maxsize=16384)
def clean_line(raw: str) -> tuple[str, bool]:
    """Strip whitespace and markdown emphasis; say whether it carried a markdown heading mark.

    Cached: the metadata scan and reflow clean the same lines of a plan.
    """
    markdown = raw.lstrip().startswith("#")
    text = MARKDOWN_NOISE.sub("", raw).replace("**", "").strip()
    text = text.replace("\u3000", " ").strip()
    return text, markdown


def join_text(left: str, right: str) -> str:
    """Join two wrapped pieces: no space between CJK, one space between Latin words.

    Digits on both sides are one number the PDF wrapped ("3\n000个" is 3000个).
    """
    if not left:
        return right
    if left[-1].isdigit() and right[:1].isdigit() and left[-1].isascii() and right[:1].isascii():
        return left + right
    if left[-1].isascii() and left[-1].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return left + " " + right
    return left + right


def page_width(lines: list[str]) -> int | None:
    """The width at which the PDF wrapped body lines, or None when lines are whole paragraphs.

    A wrapped document has a mode of line widths that many lines sit near; the 福州 plan,
    whose paragraphs are single lines, has no such mode.
    """
    widths = [width for width in map(display_width, lines) if width >= 20]
    if len(widths) < 10:
        return None
    counts = Counter(widths)
    mode = max(sorted(counts), key=lambda w: sum(counts.get(w + d, 0) for d in range(-4, 5)))
    near = sum(counts.get(mode + d, 0) for d in range(-4, 5))
    if near / len(widths) < 0.4:
        return None
    return mode


_BRACKET = re.compile("[〔（(【[［〕）)】\\]］]")
_OPENING = frozenset("〔（(【[［")


def open_brackets(text: str) -> int:
    """How many brackets opened in ``text`` are still unclosed at its end (never negative).

    The regex picks out the brackets in C: this runs on every growing block, every line.
    """
    depth = 0
    for char in _BRACKET.findall(text):
        if char in _OPENING:
            depth += 1
        elif depth > 0:
            depth -= 1
    return depth


def reflow(lines: list[str], first_line: int = 1) -> list[Block]:
    """Join a document's lines into blocks: headings, paragraphs and table rows.

    ``first_line`` is the 1-based number of ``lines[0]`` in the source file.
    """
    cleaned = [clean_line(raw) for raw in lines]
    # Headings and table rows say nothing about the page width: a plan with many short headings
    # of similar length (福州: 39 % of its lines in one ±4 window) must not read as page-wrapped.
    width = page_width([text for text, markdown in cleaned
                        if text and not markdown and "\t" not in text and not headings.match_heading(text)])
    full = (width * 0.85) if width else None
    blocks: list[Block] = []
    for offset, (text, markdown) in enumerate(cleaned):
        if not text:
            continue
        number = first_line + offset
        is_table = "\t" in text or (text.startswith("|") and text.count("|") >= 2)
        prev = blocks[-1] if blocks else None
        if prev is not None and _continues(prev, text, markdown, is_table, full):
            joined = join_text(prev.text, text)
            prev.breaks.append((len(joined) - len(text), number))
            prev.text = joined
            prev.line_end = number
            prev._last_width = display_width(text)  # type: ignore[attr-defined]
            continue
        block = Block(text=text, line_start=number, line_end=number, markdown=markdown,
                      table=is_table, breaks=[(0, number)])
        block._last_width = display_width(text)  # type: ignore[attr-defined]
        found = headings.match_heading(text)
        # A heading with its task text on the same line ("14.全面筑牢安全防线。建立…") wraps
        # like body text; a bare heading line ("1.千兆光网建设行动") does not.
        block._heading = (bool(found) and not found.rest) or markdown  # type: ignore[attr-defined]
        blocks.append(block)
    if full is not None:
        blocks = [part for block in blocks for part in split_at_leads(block)]
    return blocks


def split_block(block: Block, offset: int) -> tuple[Block, Block]:
    """Cut a block in two at ``offset``, keeping each half's source lines."""
    line = block.line_at(offset)
    head = Block(block.text[:offset].rstrip(), block.line_start, block.line_at(max(offset - 1, 0)),
                 block.markdown, block.table, [b for b in block.breaks if b[0] < offset])
    tail = Block(block.text[offset:], line, block.line_end, False, block.table,
                 [(0, line)] + [(b[0] - offset, b[1]) for b in block.breaks if b[0] > offset])
    for part in (head, tail):
        part._heading = False  # type: ignore[attr-defined]
        part._last_width = 0  # type: ignore[attr-defined]
    return head, tail


def split_at_leads(block: Block) -> list[Block]:
    """Split a wrapped block where a new paragraph visibly began on a new line.

    When a paragraph's last line happens to fill the page width, nothing in the text marks
    the paragraph end; a line that starts right after a 。 with a short lead sentence
    ("创新“互联网+监管”服务。", 十四五 plan line 566) is such a start.
    """
    if getattr(block, "_heading", False) or block.table:
        return [block]
    for offset, _line in block.breaks[1:]:
        if block.text[offset - 1: offset] == "。" and headings.opens_with_lead(block.text[offset:]):
            head, tail = split_block(block, offset)
            return [head] + split_at_leads(tail)
    return [block]


def _continues(prev: Block, text: str, markdown: bool, is_table: bool, full: float | None) -> bool:
    """Decide whether ``text`` continues the previous block rather than starting a new one."""
    if markdown or is_table or prev.table:
        return False
    if headings.is_structural_heading(text):
        return False
    prev_full = full is not None and prev._last_width >= full  # type: ignore[attr-defined]
    if open_brackets(prev.text) == 0:
        # A bare annotation line ("牵头单位：A" then "配合单位：B") starts a block, takes the
        # next labelled part, and runs on only when the PDF wrapped it at the page width.
        if starts_with_label(text):
            return starts_with_label(prev.text) and not prev.text.endswith(TERMINAL_STRICT)
        if starts_with_label(prev.text) and not prev_full:
            return False
    # An annotation still open ("…福州（长乐）" then "国际航空城管委会…〕", 福州 line 210)
    # runs on whatever its last character is.
    unterminated = not prev.text.endswith(TERMINAL) or open_brackets(prev.text) > 0
    if prev._heading:  # type: ignore[attr-defined]
        # A heading line runs on only when the PDF wrapped it at the page width (闽政办 plan:
        # "1.加快建设…双千兆网络。加大 5G 基站站址、" continues on the next line).
        return prev_full and not prev.text.endswith(TERMINAL_STRICT)
    if headings.match_heading(text):
        # "一、资源共享、云边协同”…" in the 十四五 plan (line 475) is the tail of a wrapped
        # line, not a heading: the line before it stops mid-phrase at the page width.
        # Where lines are whole paragraphs (福州), a break before a heading is a real one.
        return unterminated and prev_full
    return unterminated or prev_full
