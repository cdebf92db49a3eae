"""Find and parse responsibility annotations: 〔责任单位：市通管办、市委网信办，各县（市）区政府〕.

Conventions (from the bundled plans, see data/annotation.yaml for the labels):
- the bracket may be 〔〕, （）, (), 【】 or [], and the closer need not match the opener
  (福州 line 140-142 opens with （ and closes with 〕; 泉州 line 89-91 closes with ]);
- a duplicated first character survives a page break: "〔责\\n\\n责任单位：…" (泉州 task 21);
- full-width commas (and semicolons) separate tiers, 、 separates units inside a tier;
- under a mixed label such as 责任单位 the first unit leads and the others support;
- brackets inside a unit name are part of it: "各县（市、区）人民政府", "市文旅局（市广播电视局）".
"""
from __future__ import annotations

import re

from .curated import load_yaml
from .model import Annotation, UnitRef

OPENERS = "〔（(【[［"
CLOSERS = "〕）)】]］"


def _config() -> dict:
    return load_yaml("annotation.yaml")


def _labels() -> dict[str, str]:
    """Map every label to the role policy it implies: mixed, lead, support or deadline."""
    config = _config()
    policy = {}
    for key, role in (("mixed_labels", "mixed"), ("lead_labels", "lead"),
                      ("support_labels", "support"), ("deadline_labels", "deadline")):
        for label in config[key]:
            policy[label] = role
    return policy


def _label_alternation() -> str:
    return "|".join(sorted(map(re.escape, _labels()), key=len, reverse=True))


def _opening_pattern() -> re.Pattern[str]:
    labels = _label_alternation()
    # An optional stray character before the label ("〔责\n\n责任单位"), an optional remark in
    # brackets after it ("责任单位（牵头单位列第一位）"), then a colon of either width.
    return re.compile(
        rf"[{re.escape(OPENERS)}]\s*(?:[\u4e00-\u9fff]\s*(?=(?:{labels})))?"
        rf"(?P<label>{labels})\s*(?:[（(][^）)]{{0,20}}[）)])?\s*[：:]"
    )


def _segment_pattern() -> re.Pattern[str]:
    labels = _label_alternation()
    return re.compile(rf"(?:^|[；;。\s])\s*(?P<label>{labels})\s*(?:[（(][^）)]{{0,20}}[）)])?\s*[：:]")


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


def split_depth0(text: str, separators: str) -> list[str]:
    """Split on any of ``separators`` that is not inside brackets."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS and depth > 0:
            depth -= 1
        if depth == 0 and char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _clean_unit(text: str) -> str:
    """Strip spaces and list-closing words (等) around a unit name."""
    unit = re.sub(r"\s+", "", text).strip("。.")
    for word in _config()["trailing_words"]:
        if unit.endswith(word) and len(unit) > len(word) + 1:
            unit = unit[: -len(word)]
    return unit


def _carries_prefix(name: str, prefix: str) -> bool:
    if not name.startswith(prefix):
        return False
    if name.startswith(prefix * 2):
        return True
    return not any(name.startswith(word) for word in _config()["prefix_false_friends"])


def expand_shared_prefix(units: list[str]) -> list[str]:
    """Restore a 市 (or 省) prefix that a tier writes once for several departments.

    泉州 writes "市数字办、工信局、农业农村局" for 市数字办, 市工信局, 市农业农村局, and
    厦门 "市卫健委、市场监管局" where 市场监管局 lacks the prefix (市场 is a word, not 市).
    Only short department names (…局/委/办/中心) inherit it; 各区人民政府 or 泉州开发区 do not.
    """
    config = _config()
    suffixes = tuple(config["department_suffixes"])
    limit = int(config["expand_max_length"])
    expanded, prefix = [], None
    for unit in units:
        own = next((p for p in config["shared_prefixes"] if _carries_prefix(unit, p)), None)
        if own:
            prefix = own
            expanded.append(unit)
        elif prefix and len(unit) <= limit and unit.endswith(suffixes) and not unit.startswith("各"):
            expanded.append(prefix + unit)
        else:
            expanded.append(unit)
    return expanded


def parse_units(body: str, policy: str, rank_start: int = 1, tier_start: int = 1) -> list[UnitRef]:
    """Parse one labelled list of units into ranked, tiered references.

    ``policy`` is "mixed" (first leads), "lead" or "support".
    """
    config = _config()
    refs: list[UnitRef] = []
    rank, tier = rank_start, tier_start
    for tier_text in split_depth0(body, config["tier_separators"]):
        printed = [_clean_unit(u) for u in split_depth0(tier_text, config["unit_separators"])]
        printed = [u for u in printed if u]
        if not printed:
            continue
        for shown, name in zip(printed, expand_shared_prefix(printed)):
            if policy == "mixed":
                role = "lead" if rank == rank_start else "support"
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
    policies = _labels()
    body_parts = []
    matches = list(_segment_pattern().finditer(body))
    cursor = 0
    current_label = label
    for match in matches:
        body_parts.append((current_label, body[cursor:match.start()]))
        current_label = match.group("label")
        cursor = match.end()
    body_parts.append((current_label, body[cursor:]))
    units: list[UnitRef] = []
    deadline = ""
    for part_label, text in body_parts:
        policy = policies[part_label]
        if policy == "deadline":
            deadline = text.strip(" ；;，,。")
            continue
        rank = len(units) + 1
        tier = (units[-1].tier + 1) if units else 1
        units.extend(parse_units(text, policy, rank_start=rank, tier_start=tier))
    return units, deadline


def find_annotations(text: str) -> list[Annotation]:
    """Every responsibility annotation in a paragraph, in order of appearance."""
    found = []
    for match in _opening_pattern().finditer(text):
        if found and match.start() < found[-1].end:
            continue
        body_start = match.end()
        closer = find_closer(text, body_start)
        end = closer if closer >= 0 else len(text)
        units, deadline = parse_annotation_body(match.group("label"), text[body_start:end])
        found.append(Annotation(
            raw=text[match.start(): end + 1 if closer >= 0 else end],
            label=match.group("label"),
            units=units,
            start=match.start(),
            end=end + 1 if closer >= 0 else end,
            deadline=deadline,
        ))
    return found


def parse_annotation(text: str) -> Annotation | None:
    """The first responsibility annotation in ``text``, or None.

    >>> [u.name for u in parse_annotation("〔责任单位：市数字办、工信局，各县（市、区）人民政府〕").units]
    ['市数字办', '市工信局', '各县（市、区）人民政府']
    """
    found = find_annotations(text)
    return found[0] if found else None
