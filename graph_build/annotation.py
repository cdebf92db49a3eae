"""Find and parse responsibility annotations: 〔责任单位：市通管办、市委网信办，各县（市）区政府〕.

Conventions (from the bundled plans and the task-division documents of other cities; the
labels and list words are in data/annotation.yaml):
- the bracket may be 〔〕, （）, (), 【】 or [], and the closer need not match the opener
  (福州 line 140-142 opens with （ and closes with 〕; 泉州 line 89-91 closes with ]);
- some plans print the annotation without brackets, on its own line after the task or after
  its last sentence: "责任单位：市发改委、市工信局";
- a duplicated first character survives a page break: "〔责\\n\\n责任单位：…" (泉州 task 21);
- one annotation may hold several labelled parts: "牵头单位：A；配合单位：B、C；完成时限：2025年底";
- full-width commas (and semicolons) separate tiers, 、 separates units inside a tier, and a
  closing 等 / 等部门 ends a list without being part of the last name;
- under a mixed label such as 责任单位 the first unit leads and the others support
  ("责任单位（牵头单位列第一位）" says so explicitly);
- brackets inside a unit name are part of it: "各县（市、区）人民政府", "市交通委（市道运局）",
  "各县〔区〕人民政府".
Traditional-character plans (責任單位、牽頭單位) are matched on a simplified shadow of the
text with the same offsets; units keep their printed characters.
"""
from __future__ import annotations

import functools
import re

from .curated import load_yaml
from .headings import simplified
from .model import Annotation, UnitRef

OPENERS = "〔（(【[［"
CLOSERS = "〕）)】]］"
REMARK = r"(?:\s*[（(][^）)]{0,20}[）)])?"  # "责任单位（牵头单位列第一位）"
BETWEEN_PARTS = " \t\u3000。；;，,、"  # what may separate two annotations that form one


def _config() -> dict:
    return load_yaml("annotation.yaml")


@functools.lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """Map every label to the role policy it implies: mixed, lead, support or deadline."""
    config = _config()
    policy = {}
    for key, role in (("mixed_labels", "mixed"), ("lead_labels", "lead"),
                      ("support_labels", "support"), ("deadline_labels", "deadline")):
        for label in config[key]:
            policy[label] = role
    return policy


def label_policy(label: str) -> str | None:
    """The role policy of a label as printed (traditional or simplified), or None."""
    return _labels().get(simplified(re.sub(r"\s+", "", label)))


def _label_alternation() -> str:
    return "|".join(sorted(map(re.escape, _labels()), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _opening_pattern() -> re.Pattern[str]:
    labels = _label_alternation()
    # An optional stray character before the label ("〔责\n\n责任单位"), an optional remark in
    # brackets after it ("责任单位（牵头单位列第一位）"), then a colon of either width.
    return re.compile(
        rf"[{re.escape(OPENERS)}]\s*(?:[\u4e00-\u9fff]\s*(?=(?:{labels})))?"
        rf"(?P<label>{labels}){REMARK}\s*[：:]"
    )


@functools.lru_cache(maxsize=1)
def _bare_pattern() -> re.Pattern[str]:
    """A label without brackets at the start of a paragraph or right after a sentence."""
    labels = _label_alternation()
    return re.compile(rf"(?:^|(?<=[。；;！？!?]))[ \t\u3000]*(?P<label>{labels}){REMARK}\s*[：:]")


@functools.lru_cache(maxsize=1)
def _segment_pattern() -> re.Pattern[str]:
    labels = _label_alternation()
    return re.compile(rf"(?P<label>{labels}){REMARK}\s*[：:]")


def starts_with_label(text: str) -> bool:
    """True when a line opens with a bare annotation label and a colon ("牵头单位：…")."""
    return _bare_pattern().match(simplified(text)) is not None


def find_closer(text: str, start: int) -> int:
    """Index of the bracket closing an annotation whose body starts at ``start``, or -1.

    Brackets opened inside the body (各县（市）区政府) are matched first; any closer at depth
    zero ends the annotation, whatever its shape.
    """
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            if depth == 0:
                return index
            depth -= 1
    return -1


def split_spans(text: str, separators: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the parts of ``text[start:end]`` between separators outside brackets."""
    end = len(text) if end is None else end
    spans, depth, begin = [], 0, start
    for index in range(start, end):
        char = text[index]
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS and depth > 0:
            depth -= 1
        elif depth == 0 and char in separators:
            spans.append((begin, index))
            begin = index + 1
    spans.append((begin, end))
    return spans


def _clean_unit(printed: str, shadow: str) -> tuple[str, str]:
    """Strip spaces and list-closing words (等, 等部门) around a unit name.

    Decisions are taken on the simplified ``shadow``; the same cuts apply to the printed text
    because the two have the same characters at the same offsets.
    """
    printed = re.sub(r"\s+", "", printed).strip("。.")
    shadow = re.sub(r"\s+", "", shadow).strip("。.")
    for word in sorted(_config()["trailing_words"], key=len, reverse=True):
        if shadow.endswith(word) and len(shadow) > len(word) + 1:
            return printed[: -len(word)], shadow[: -len(word)]
    return printed, shadow


def _carries_prefix(name: str, prefix: str) -> bool:
    if not name.startswith(prefix):
        return False
    if name.startswith(prefix * 2):
        return True
    return not any(name.startswith(word) for word in _config()["prefix_false_friends"])


def expand_shared_prefix(units: list[str], shadows: list[str] | None = None) -> list[str]:
    """Restore a 市 (or 省) prefix that a tier writes once for several departments.

    泉州 writes "市数字办、工信局、农业农村局" for 市数字办, 市工信局, 市农业农村局, and
    厦门 "市卫健委、市场监管局" where 市场监管局 lacks the prefix (市场 is a word, not 市).
    Only short department names (…局/委/办/中心) inherit it; 各区人民政府 or 泉州开发区 do not.
    ``shadows`` are the simplified forms the decisions are taken on (default: ``units``).
    """
    config = _config()
    suffixes = tuple(config["department_suffixes"])
    limit = int(config["expand_max_length"])
    expanded, prefix = [], None
    for unit, shadow in zip(units, shadows or units):
        own = next((p for p in config["shared_prefixes"] if _carries_prefix(shadow, p)), None)
        if own:
            prefix = own
            expanded.append(unit)
        elif prefix and len(shadow) <= limit and shadow.endswith(suffixes) and not shadow.startswith("各"):
            expanded.append(prefix + unit)
        else:
            expanded.append(unit)
    return expanded


def parse_units(body: str, policy: str, rank_start: int = 1, tier_start: int = 1,
                lead_named: bool = False) -> list[UnitRef]:
    """Parse one labelled list of units into ranked, tiered references.

    ``policy`` is "mixed" (first leads, unless a lead label already named one: ``lead_named``),
    "lead" or "support".
    """
    config = _config()
    shadow = simplified(body)
    refs: list[UnitRef] = []
    rank, tier = rank_start, tier_start
    for tier_start_at, tier_end_at in split_spans(shadow, config["tier_separators"]):
        cleaned = [_clean_unit(body[s:e], shadow[s:e])
                   for s, e in split_spans(shadow, config["unit_separators"], tier_start_at, tier_end_at)]
        cleaned = [pair for pair in cleaned if pair[0]]
        if not cleaned:
            continue
        printed = [p for p, _ in cleaned]
        for shown, name in zip(printed, expand_shared_prefix(printed, [s for _, s in cleaned])):
            if policy == "mixed":
                role = "lead" if rank == rank_start and not lead_named else "support"
            else:
                role = policy
            refs.append(UnitRef(printed=shown, name=name, role=role, rank=rank, tier=tier))
            rank += 1
        tier += 1
    return refs


def parse_annotation_body(label: str, body: str) -> tuple[list[UnitRef], str]:
    """Units and deadline of an annotation body that may hold several labelled parts.

    "牵头单位：A；配合单位：B、C；完成时限：2025年底" has three parts; a plain
    "责任单位：A、B，C" has one.
    """
    shadow = simplified(body)
    body_parts = []
    cursor = 0
    current_label = simplified(label)
    for match in _segment_pattern().finditer(shadow):
        body_parts.append((current_label, body[cursor:match.start()]))
        current_label = match.group("label")
        cursor = match.end()
    body_parts.append((current_label, body[cursor:]))
    units: list[UnitRef] = []
    deadline = ""
    for part_label, text in body_parts:
        policy = label_policy(part_label) or "mixed"
        if policy == "deadline":
            deadline = deadline or re.sub(r"\s+", "", text).strip("；;，,。.")
            continue
        rank = len(units) + 1
        tier = (units[-1].tier + 1) if units else 1
        units.extend(parse_units(text, policy, rank_start=rank, tier_start=tier,
                                 lead_named=any(u.role == "lead" for u in units)))
    return units, deadline


def _bare_end(shadow: str, start: int) -> int:
    """Where a bare annotation ends: at a 。 outside brackets, or at the end of the text."""
    depth = 0
    for index in range(start, len(shadow)):
        char = shadow[index]
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS and depth > 0:
            depth -= 1
        elif char == "。" and depth == 0:
            return index + 1
    return len(shadow)


def _candidates(shadow: str) -> list[tuple[int, int, int, int, str]]:
    """(start, body start, body end, end, label) of every bracketed or bare annotation."""
    found = []
    for match in _opening_pattern().finditer(shadow):
        closer = find_closer(shadow, match.end())
        if closer >= 0:
            found.append((match.start(), match.end(), closer, closer + 1, match.group("label")))
        else:
            found.append((match.start(), match.end(), len(shadow), len(shadow), match.group("label")))
    for match in _bare_pattern().finditer(shadow):
        end = _bare_end(shadow, match.end())
        body_end = end - 1 if shadow[end - 1:end] == "。" else end
        found.append((match.start("label"), match.end(), body_end, end, match.group("label")))
    found.sort(key=lambda item: (item[0], -item[3]))
    return found


ROLE_PHRASE = re.compile(
    r"^(?P<lead>[^：:]{2,80}?)(?:牵头负责|牵头)(?:[，,；;]\s*(?P<support>[^：:]{2,160}?)"
    r"(?:配合实施|配合|参与|协同|协助))?$")


def role_phrases(text: str, shadow: str) -> list[Annotation]:
    """Annotations written as a phrase: "（市农业农村局牵头，市数据管理局配合）".

    Some plans name roles with verbs instead of labels; the units before 牵头 lead, those before
    配合/参与/协同 support.
    """
    found = []
    for index, char in enumerate(shadow):
        if char not in OPENERS:
            continue
        closer = find_closer(shadow, index + 1)
        if closer < 0 or closer - index > 240:
            continue
        match = ROLE_PHRASE.match(shadow[index + 1:closer].strip())
        if not match:
            continue
        offset = index + 1 + (len(shadow[index + 1:closer]) - len(shadow[index + 1:closer].lstrip()))
        lead_text = text[offset + match.start("lead"): offset + match.end("lead")]
        units = parse_units(lead_text, "lead")
        if match.group("support"):
            support_text = text[offset + match.start("support"): offset + match.end("support")]
            units += parse_units(support_text, "support", rank_start=len(units) + 1,
                                 tier_start=units[-1].tier + 1 if units else 1)
        suffixes = tuple(_config()["organisation_suffixes"])
        if not units or not all(unit.name.endswith(suffixes) for unit in units):
            continue  # "（含5G基站牵头）" is not a list of organisations
        found.append(Annotation(raw=text[index:closer + 1], label="牵头", units=units, start=index,
                                end=closer + 1))
    return found


def find_annotations(text: str) -> list[Annotation]:
    """Every responsibility annotation in a paragraph, in order of appearance.

    Two annotations separated only by punctuation ("（牵头单位：A）（完成时限：2025年）")
    are one annotation.
    """
    shadow = simplified(text)
    found: list[Annotation] = []
    for start, body_start, body_end, end, label in _candidates(shadow):
        if found and start < found[-1].end:
            continue
        units, deadline = parse_annotation_body(label, text[body_start:body_end])
        note = Annotation(raw=text[start:end], label=label, units=units, start=start, end=end,
                          deadline=deadline)
        if found and not shadow[found[-1].end:start].strip(BETWEEN_PARTS):
            merge_annotations(found[-1], note, text)
            continue
        found.append(note)
    for phrase in role_phrases(text, shadow):
        if not any(note.start < phrase.end and phrase.start < note.end for note in found):
            found.append(phrase)
    found.sort(key=lambda note: note.start)
    return found


def merge_annotations(first: Annotation, second: Annotation, text: str | None = None) -> None:
    """Fold ``second`` into ``first`` (in place): its units rank and tier after first's."""
    lead_named = any(u.role == "lead" for u in first.units)
    rank = len(first.units)
    tier = first.units[-1].tier if first.units else 0
    for unit in second.units:
        role = unit.role
        if lead_named and role == "lead" and label_policy(second.label) == "mixed":
            role = "support"
        first.units.append(UnitRef(printed=unit.printed, name=unit.name, role=role,
                                   rank=rank + unit.rank, tier=tier + unit.tier))
    first.deadline = first.deadline or second.deadline
    if text is not None and second.start >= first.end:
        first.raw = text[first.start:second.end]
    else:
        first.raw += second.raw
    first.end = max(first.end, second.end)


def parse_annotation(text: str) -> Annotation | None:
    """The first responsibility annotation in ``text``, or None.

    >>> [u.name for u in parse_annotation("〔责任单位：市数字办、工信局，各县（市、区）人民政府〕").units]
    ['市数字办', '市工信局', '各县（市、区）人民政府']
    """
    found = find_annotations(text)
    return found[0] if found else None
