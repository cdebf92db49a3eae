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
from dataclasses import dataclass, field

from .curated import load_yaml
from .headings import simplified
from .model import Annotation, UnitRef

OPENERS = "〔（(【[［〈"
CLOSERS = "〕）)】]］〉"
REMARK = r"(?:\s*[（(][^）)]{0,20}[）)])?"  # "责任单位（牵头单位列第一位）"
BETWEEN_PARTS = " \t\u3000。；;，,、"  # what may separate two annotations that form one
SPACES = re.compile(r"\s+")
INNER_BRACKETS = re.compile(r"[（(〈][^）)〉]*[）)〉]")
TRAILING_BRACKET = re.compile(r"[（(〈][^）)〉]*[）)〉]$")


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
    return _labels().get(simplified(SPACES.sub("", label)))


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


def _label_token() -> str:
    """A label as printed before its units: "责任单位：", "责任单位（牵头单位列第一位）：", or a label
    in its own brackets, colon or not ("【责任单位】市发改委、市财政局")."""
    labels = _label_alternation()
    return (rf"(?:[【〔\[［]\s*(?P<boxed>{labels})\s*[】〕\]］]\s*[：:]?"
            rf"|(?P<label>{labels}){REMARK}\s*[：:])")


def label_of(match: re.Match) -> str:
    return match.group("label") or match.group("boxed")


def label_start(match: re.Match) -> int:
    return match.start("label") if match.group("label") else match.start()


@functools.lru_cache(maxsize=1)
def _bare_pattern() -> re.Pattern[str]:
    """A label without brackets at the start of a paragraph or right after a sentence."""
    return re.compile(rf"(?:^|(?<=[。；;！？!?]))[ \t\u3000]*{_label_token()}")


@functools.lru_cache(maxsize=1)
def _segment_pattern() -> re.Pattern[str]:
    return re.compile(_label_token())


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
    printed = SPACES.sub("", printed).strip("。.")
    shadow = SPACES.sub("", shadow).strip("。.")
    for word in _config()["leading_words"]:
        if shadow.startswith(word) and len(shadow) > len(word) + 2:
            printed, shadow = printed[len(word):], shadow[len(word):]
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


# ---------------------------------------------------------------------------------------------
# The annotation grammar. An annotation body is a sequence of labelled segments
# ("牵头单位：A；配合单位：B"), the first of which may have no label. A segment is a sequence of
# clauses separated by tier separators (，；) or sentence ends (。). A clause is one of:
#   - a rule the plan states once ("列第一位者为牵头单位", "下同"): kept, never a unit;
#   - a deadline ("2023年12月底前完成", "持续推进"): kept as the task's deadline;
#   - a run of units joined by 、, closed or not by a role word (牵头, 配合, 负责 ...).
# A clause without a role word takes the role word of the next clause that has one
# ("人力资源社会保障部、财政部，各省级人民政府按职责分工负责": one group of two tiers).
# The words are data (data/annotation.yaml: labels, role_words, rule_patterns, deadline_patterns).
# ---------------------------------------------------------------------------------------------


@dataclass
class Reading:
    """What an annotation body says: its units (in printed order, with roles), deadline, rules."""

    units: list[UnitRef] = field(default_factory=list)
    deadline: str = ""
    rules: list[str] = field(default_factory=list)
    label: str = ""            # the first label read, "" for an unlabelled body
    role_words: int = 0        # how many runs were closed by a role word


@functools.lru_cache(maxsize=1)
def _role_words() -> list[tuple[str, str]]:
    """(word, kind) for every role word, longest first so 按职责分工负责 wins over 负责."""
    words = [(word, kind) for kind, listed in _config()["role_words"].items() for word in listed]
    return sorted(words, key=lambda item: len(item[0]), reverse=True)


@functools.lru_cache(maxsize=1)
def _role_words_by_last_char() -> dict[str, list[tuple[str, str]]]:
    """The role words grouped by their last character (longest first): a clause is checked
    against the few that can end it, not all ninety."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for word, kind in _role_words():
        grouped.setdefault(word[-1], []).append((word, kind))
    return grouped


@functools.lru_cache(maxsize=1)
def _clause_patterns() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    config = _config()
    return ([re.compile(p) for p in config["rule_patterns"]],
            [re.compile(p) for p in config["deadline_patterns"]])


def is_rule(clause: str) -> bool:
    """True for a clause stating the plan's listing rule ("列第一位者为牵头单位，下同")."""
    return any(p.search(clause) for p in _clause_patterns()[0])


def is_deadline(clause: str) -> bool:
    """True for a clause that is a time limit ("2023年底前完成", "9月底前", "持续推进")."""
    return bool(clause) and any(p.fullmatch(clause) for p in _clause_patterns()[1])


def role_word_of(clause: str) -> tuple[str, str] | None:
    """The role word closing a clause and its kind (lead, support, neutral), or None.

    Only a word at the end counts, and it must leave a name of at least two characters:
    "…工作专班牵头单位" ends in 单位 and keeps its name.
    """
    for word, kind in _role_words_by_last_char().get(clause[-1:], ()):
        if clause.endswith(word) and len(clause) - len(word) >= 2:
            return word, kind
    return None


def _subdivision_fragment(shadow: str) -> bool:
    """A piece that names kinds of subdivision only, perhaps with their government:
    "区政府", "县级市", "县（市）" — a fragment of a collective run, never a unit of its own."""
    return re.fullmatch(_config()["subdivision_fragment"], shadow) is not None


def _split_run(body: str, shadow: str, start: int, end: int) -> list[tuple[str, str]]:
    """The (printed, shadow) units of a run joined by 、, cleaned and re-joined where needed.

    - "各县级市、区人民政府" is one collective: a 各… piece made of subdivision words only is
      joined with the fragments that follow it;
    - "X、Y等有关部门" names X, Y and the collective 有关部门 (国发〔2018〕39号);
    - a trailing bracket that states the plan's rule ("市卫生健康委(除标注…,下同)") is cut off.
    """
    pieces: list[tuple[str, str]] = []
    for s, e in split_spans(shadow, _config()["unit_separators"], start, end):
        printed, short = _clean_unit(body[s:e], shadow[s:e])
        if not printed:
            continue
        if (pieces and pieces[-1][1].startswith("各") and _subdivision_fragment(pieces[-1][1][1:])
                and _subdivision_fragment(short)):
            pieces[-1] = (pieces[-1][0] + "、" + printed, pieces[-1][1] + "、" + short)
            continue
        pieces.append((printed, short))
    pieces = [part for piece in pieces for part in _split_and(*piece)]
    units: list[tuple[str, str]] = []
    for printed, short in pieces:
        cut = re.search(r"[（(〈][^（(〈]*[）)〉]$", short)
        if cut and is_rule(short[cut.start() + 1:-1]) and not short[cut.start() + 1:].startswith("含"):
            printed, short = printed[:cut.start()], short[:cut.start()]
        collective = re.fullmatch(_config()["etc_collective"], short)
        if collective:
            head = collective.end("head")
            units.append((printed[:head], short[:head]))
            printed, short = printed[collective.start("tail"):], short[collective.start("tail"):]
        if printed:
            units.append((printed, short))
    return units


@functools.lru_cache(maxsize=1)
def _and_pattern() -> re.Pattern[str]:
    starts = "|".join(map(re.escape, sorted(set(_config()["collective_starts"]) | set(_config()["region_starts"]),
                                            key=len, reverse=True)))
    return re.compile(rf"(?:以及|及)(?=(?:{starts}))")


def _split_and(printed: str, short: str) -> list[tuple[str, str]]:
    """"市级各有关部门及各县市区政府" (咸阳 2022) names two units: 及 before a region word or a
    collective joins units; inside a name (社会保障及就业局) it does not."""
    parts, begin = [], 0
    for found in _and_pattern().finditer(short):
        if found.start() - begin >= 2 and _organisation_like(short[begin:found.start()], False):
            parts.append((printed[begin:found.start()], short[begin:found.start()]))
            begin = found.end()
    parts.append((printed[begin:], short[begin:]))
    return parts if all(_organisation_like(sh, False) for _, sh in parts) else [(printed, short)]


def _assign(group: list[list[tuple[str, str]]], kind: str, lead_named: bool) -> list[str]:
    """Roles of a group of units (its tiers flattened) closed by a role word of ``kind``."""
    count = sum(len(tier) for tier in group)
    if kind == "lead":
        return ["lead"] * count
    if kind == "support" or lead_named:
        return ["support"] * count
    return ["lead"] + ["support"] * (count - 1)  # a bare list: the first leads


def read_body(body: str, label: str | None = None) -> Reading:
    """Read an annotation body by the grammar above; ``label`` is the label printed before it.

    >>> r = read_body("省大数据局、省政府办公厅牵头，各有关部门、各市政府配合")
    >>> [(u.printed, u.role) for u in r.units]
    [('省大数据局', 'lead'), ('省政府办公厅', 'lead'), ('各有关部门', 'support'), ('各市政府', 'support')]
    """
    config = _config()
    body, notes = _without_standing_notes(body)
    shadow = simplified(body)
    segments, cursor, current = [], 0, simplified(label) if label else None
    for match in _segment_pattern().finditer(shadow):
        segments.append((current, cursor, match.start()))
        current, cursor = label_of(match), match.end()
    segments.append((current, cursor, len(shadow)))
    reading = Reading(label=next((lab for lab, _, _ in segments if lab), ""), rules=notes)
    tier = 0
    for segment_label, seg_start, seg_end in segments:
        policy = label_policy(segment_label) if segment_label else None
        if policy == "deadline":
            reading.deadline = reading.deadline or SPACES.sub("", body[seg_start:seg_end]).strip("；;，,。.")
            continue
        pending: list[list[tuple[str, str]]] = []
        separators = config["tier_separators"] + config["sentence_separators"]
        for s, e in split_spans(shadow, separators, seg_start, seg_end):
            clause = SPACES.sub("", shadow[s:e])
            if not clause:
                continue
            if is_rule(INNER_BRACKETS.sub("", clause)):
                reading.rules.append(SPACES.sub("", body[s:e]))
                continue
            if is_deadline(clause):
                reading.deadline = reading.deadline or SPACES.sub("", body[s:e])
                continue
            found = role_word_of(clause)
            if found and policy is not None and not _organisation_like(clause[:-len(found[0])].split("、")[-1], False):
                found = None  # under a label, "一一推进" is a name, not a unit closed by 推进
            run_end = e
            if found:
                run_end = s + len(shadow[s:e].rstrip()) - len(found[0])
            lead_with = next((w for w in config["lead_with_words"] if w in shadow[s:run_end]), None)
            if found and lead_with:
                at = shadow.index(lead_with, s, run_end)
                pending.append(_split_run(body, shadow, s, at))
                reading.units += _group_units(pending, "lead", reading, tier)
                tier += len([t for t in pending if t])
                pending = [_split_run(body, shadow, at + len(lead_with), run_end)]
            else:
                pending.append(_split_run(body, shadow, s, run_end))
            if found:
                reading.role_words += 1
                kind = found[1]
                if policy in ("lead", "support") and kind == "neutral":
                    kind = policy
                reading.units += _group_units(pending, kind, reading, tier)
                tier += len([t for t in pending if t])
                pending = []
        if pending:
            kind = policy if policy in ("lead", "support") else "neutral"
            reading.units += _group_units(pending, kind, reading, tier)
            tier += len([t for t in pending if t])
    return reading


def _group_units(group: list[list[tuple[str, str]]], kind: str, reading: Reading, tier: int) -> list[UnitRef]:
    """UnitRefs of a group of tiers, ranked after the units already read."""
    group = [t for t in group if t]
    roles = _assign(group, kind, any(u.role == "lead" for u in reading.units))
    refs, rank = [], len(reading.units) + 1
    for offset, units in enumerate(group, start=1):
        names = expand_shared_prefix([p for p, _ in units], [sh for _, sh in units])
        for (printed, _), name in zip(units, names):
            refs.append(UnitRef(printed=printed, name=name, role=roles[len(refs)], rank=rank,
                                tier=tier + offset))
            rank += 1
    return refs


def parse_units(body: str, policy: str, rank_start: int = 1, tier_start: int = 1,
                lead_named: bool = False) -> list[UnitRef]:
    """Parse one labelled list of units (a table cell, a label's body) into ranked references.

    ``policy`` is "mixed" (first leads, unless a lead label already named one: ``lead_named``),
    "lead" or "support"; role words inside the list ("A牵头，B配合") override it.
    """
    label = {"lead": "牵头单位", "support": "配合单位"}.get(policy, "责任单位")
    reading = read_body(body, label)
    refs = []
    for unit in reading.units:
        role = unit.role
        if lead_named and policy == "mixed" and role == "lead" and reading.role_words == 0:
            role = "support"
        refs.append(UnitRef(printed=unit.printed, name=unit.name, role=role,
                            rank=rank_start + unit.rank - 1, tier=tier_start + unit.tier - 1))
    return refs


def parse_annotation_body(label: str, body: str) -> tuple[list[UnitRef], str]:
    """Units and deadline of an annotation body that may hold several labelled parts.

    "牵头单位：A；配合单位：B、C；完成时限：2025年底" has three parts; a plain
    "责任单位：A、B，C" has one.
    """
    reading = read_body(body, label)
    return reading.units, reading.deadline


def _organisation_like(shadow: str, strict: bool) -> bool:
    """Does a unit name look like an organisation? ``strict`` also asks for a region prefix or a
    collective form, for brackets that carry no role word (（市交通局、各区政府，市规划局）)."""
    config = _config()
    name = TRAILING_BRACKET.sub("", shadow)
    if not 2 <= len(name) <= 30 or re.search(r"[。；;：:“”\"\d%％]", name):
        return False
    if name.startswith(tuple(config["collective_starts"])) and len(name) <= 20:
        return True
    if not name.endswith(tuple(config["organisation_suffixes"])):
        return False
    return not strict or name.startswith(tuple(config["region_starts"]))


def unlabelled_brackets(text: str, shadow: str, skip: set[int] = frozenset()) -> list[tuple[int, int, Reading]]:
    """(start, end, reading) of the brackets that are annotations without a leading label.

    A bracket is an annotation when its every clause is units, a deadline or a rule, and either
    a label or a role word is printed in it ("（省工业和信息化厅负责）",
    "（9月底前完成，牵头考核单位：市数据局）"), or it lists at least two units that all look
    like agencies ("（市交通局、各区政府，市规划局）"). Explanations, years and place lists
    ("（2023—2025年）", "（以下简称“园区”）", "（含技工院校）") are not.
    """
    found = []
    index = 0
    limit = int(_config()["max_annotation_length"])
    while True:
        index = _next_opener(shadow, index)
        if index < 0:
            return found
        if index in skip:  # a labelled annotation starts here: read once, as such
            index += 1
            continue
        closer = find_closer(shadow, index + 1)
        if closer < 0 or closer - index > limit:
            index += 1
            continue
        reading = _read_if_annotation(text[index + 1:closer], shadow[index + 1:closer])
        if reading is None:
            index += 1
            continue
        found.append((index, closer + 1, reading))
        index = closer + 1


@functools.lru_cache(maxsize=1)
def _opener_pattern() -> re.Pattern[str]:
    return re.compile(f"[{re.escape(OPENERS)}]")


def _next_opener(shadow: str, start: int) -> int:
    match = _opener_pattern().search(shadow, start)
    return match.start() if match else -1


@functools.lru_cache(maxsize=1)
def _hint_pattern() -> re.Pattern[str]:
    """Characters an annotation body cannot do without: the last character of an organisation
    suffix, a label or a role word. A body without any is skipped unread (speed)."""
    config = _config()
    chars = {word[-1] for word in config["organisation_suffixes"]} | {"门", "位"}
    chars |= {word[-1] for word, _ in _role_words()}
    return re.compile(f"[{re.escape(''.join(sorted(chars)))}]")


@functools.lru_cache(maxsize=1)
def _standing_note_patterns() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in _config()["standing_note_patterns"]]


def standing_note(text: str) -> str | None:
    """The units a standing note names ("以下各项任务均需各区人民政府落实，不再列出" → 各区人民政府),
    or None. Such a note attaches its units to every later task of the plan as implied supporters;
    it is never an annotation of its own."""
    shadow = simplified(text)
    for pattern in _standing_note_patterns():
        found = pattern.search(shadow)
        if found:
            return text[found.start("units"):found.end("units")]
    return None


def _without_standing_notes(body: str) -> tuple[str, list[str]]:
    """The body with any standing-note sentence blanked out (same length), and those sentences.

    "责任单位:省发展改革委…按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同" (四川
    2022): the second sentence names implied units for every task (the outline attaches them),
    it is no list of this task's units."""
    if standing_note(body) is None:
        return body, []
    notes, pieces, cursor = [], [], 0
    for s, e in split_spans(body, "。"):
        sentence = body[s:e]
        if standing_note(sentence) is not None:
            notes.append(SPACES.sub("", sentence))
            sentence = " " * len(sentence)
        pieces.append(body[cursor:s] + sentence)
        cursor = e
    pieces.append(body[cursor:])
    return "".join(pieces), notes


def _read_if_annotation(body: str, shadow: str) -> Reading | None:
    if len(shadow) < 3 or not _hint_pattern().search(shadow):
        return None
    reading = read_body(body)
    if not reading.units:
        return None
    strict = not reading.label and not reading.role_words
    shadows = [SPACES.sub("", simplified(u.printed)) for u in reading.units]
    if not all(_organisation_like(name, strict) for name in shadows):
        return None
    if strict and len(reading.units) < 2:
        return None
    return reading


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
        found.append((label_start(match), match.end(), body_end, end, label_of(match)))
    found.sort(key=lambda item: (item[0], -item[3]))
    return found


def find_annotations(text: str) -> list[Annotation]:
    """Every responsibility annotation in a paragraph, in order of appearance.

    Bracketed (labelled or not) and bare labelled annotations are found; two annotations
    separated only by punctuation ("（牵头单位：A）（完成时限：2025年）") are one annotation.
    """
    shadow = simplified(text)
    found: list[Annotation] = []
    candidates = [(start, body_start, body_end, end, label, None)
                  for start, body_start, body_end, end, label in _candidates(shadow)]
    labelled = {start for start, *_ in candidates}
    candidates += [(start, start + 1, end - 1, end, None, reading)
                   for start, end, reading in unlabelled_brackets(text, shadow, skip=labelled)]
    candidates.sort(key=lambda item: (item[0], -item[3]))
    for start, body_start, body_end, end, label, reading in candidates:
        if found and start < found[-1].end:
            continue
        if reading is None:
            reading = read_body(text[body_start:body_end], label)
        note = Annotation(raw=text[start:end], label=label or reading.label, units=reading.units,
                          start=start, end=end, deadline=reading.deadline, rules=reading.rules)
        if found and not shadow[found[-1].end:start].strip(BETWEEN_PARTS):
            merge_annotations(found[-1], note, text)
            continue
        found.append(note)
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
    first.rules = first.rules + second.rules
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
