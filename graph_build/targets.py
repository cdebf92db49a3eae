"""Quantitative targets stated in plan text: metric, value, unit, year and qualifier.

"到 2025 年，全市建成 5G 基站 3 万个，5G 用户普及率 73%。" states two targets:
(5G基站, 30000 个, 2025) and (5G用户普及率, 73 %, 2025). The same reading applies to a task's
text (``targets_of_task``) and to a goals paragraph such as 泉州's 发展目标 (``targets_of_paragraph``,
which also rejoins the line breaks a PDF extraction leaves inside a paragraph).

Rules, with the vocabulary in data/targets.yaml:

- Metric: the noun phrase before the number, trimmed of verbs and scope words (建成, 全市, 累计 ...);
  when nothing is left, or the phrase ends with a verb whose object follows ("建成 32 个边缘数据中心"),
  the noun after the number. Whitespace is dropped except between two Latin letters or digits, and
  bracketed glosses are dropped: 每万人拥有5G（第五代移动通信技术）基站 → 每万人拥有5G基站.
- Value: 万/亿 multipliers are folded into the value (3万个 → 30000 个) except for money and
  units listed in keep_printed_units (3000亿元 stays 3000 亿元); a range "2~3家" gives value 2 and
  value_high 3.
- Not targets: years and dates, ordinals (第6版), grades (4级), durations (1 毫秒), numbers in
  quotation marks (“832”平台), and numbers glued to Latin letters, which name technologies
  (5G, IPv6, 4K/8K, 400G, 50G-PON); a bare T/P/E is a unit (24T, 400P, 1.8E).
- Year: the year a clause states ("到 2025 年", "2024年底"); a sentence without one inherits the last
  year named earlier in the same text; None when the text names no year.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .curated import CuratedDataError, load_yaml
from .resolve import to_simplified

__all__ = ["Target", "extract_targets", "targets_of_task", "targets_of_paragraph", "vocabulary"]


@dataclass
class Target:
    """One quantitative target as a plan states it."""

    metric: str  # the noun phrase measured, as printed (whitespace-normalised, glosses dropped)
    indicator: str | None  # canonical indicator (data/indicators.csv) or None when unknown
    value: float  # in ``unit``: multipliers folded in (3万个 → 30000)
    value_high: float | None  # upper end of a range ("2~3家"), else None
    unit: str  # normalised unit: 个, 户, %, Tbps, EFLOPS, 亿元 ...; "" for a bare number
    printed_value: str  # the number and unit as printed, without spaces: "3万个", "1.8EFLOPS"
    year: int | None  # the target year
    qualifier: str  # 以上, 超, 超过, 不低于, 不超过, 达到, 达, 突破, 力争 ... or ""
    bound: str  # what the qualifier means: "min", "max", "approx" or "" (reach / none)
    cumulative: bool  # 累计: counted since the start, not added during the plan period
    aspirational: bool  # 力争/争取: a stretch goal
    raw: str  # the clause stating the target, as printed (== text[start:end])
    start: int  # offset of the clause in the text
    end: int  # offset just past the clause


@dataclass(frozen=True)
class Vocabulary:
    """data/targets.yaml, validated and compiled once."""

    units: dict  # normalised unit → {dimension, base, scale}
    unit_aliases: dict[str, str]
    keep_printed: frozenset[str]
    multipliers: dict[str, int]
    prefix_qualifiers: dict[str, str]  # word → bound
    infix_qualifiers: dict[str, str]
    suffix_qualifiers: dict[str, str]
    aspirational: tuple[str, ...]
    cumulative: tuple[str, ...]
    leading: tuple[str, ...]
    trailing: tuple[str, ...]
    object_verbs: tuple[str, ...]
    scope_words: tuple[str, ...]
    conjunctions: tuple[str, ...]
    enumeration_ends: tuple[str, ...]
    unitless_suffixes: tuple[str, ...]
    skip_prefixes: tuple[str, ...]
    number: re.Pattern[str]
    year: re.Pattern[str]
    skip_unit: re.Pattern[str]

    def normalise_unit(self, printed: str) -> str:
        """The normalised spelling of a printed unit ("T" → "Tbps", "％" → "%"); unknown units as printed."""
        text = re.sub(r"\s+", "", printed).translate(_FULLWIDTH)
        if text in self.units:
            return text
        if text in self.unit_aliases:
            return self.unit_aliases[text]
        folded = {key.casefold(): key for key in self.units if key.isascii()}
        if len(text) > 1 and text.casefold() in folded:
            return folded[text.casefold()]
        return text


BOUNDS = {"min", "max", "approx", ""}
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH.update({ord(a): ord(b) for a, b in zip("％．～〜∼－＋＞＜＝", "%.~~~-+><=")})
OPENERS = "（(〔[【"
CLOSERS = "）)〕]】"
QUOTE_OPEN, QUOTE_CLOSE = "“「『", "”」』"
CLAUSE_END = set("，,。；;！？!?：:")
SENTENCE_END = set("。；;！？!?")
GLOSS_MAX = 300  # a bracket closing further away than this is a stray, not a gloss
NUMBER = r"\d{1,15}(?:,\d{3})*(?:\.\d{1,10})?"
PHRASE_PUNCT = " 、，,；;：:·"
QUOTES = "“”\"‘’「」『』"


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The target vocabulary of data/targets.yaml, checked: every alias names a known unit, every
    qualifier a known bound."""
    data = load_yaml("targets.yaml")
    units = {str(k): dict(v) for k, v in data["units"].items()}
    for unit, spec in units.items():
        if set(spec) != {"dimension", "base", "scale"}:
            raise CuratedDataError(f"data/targets.yaml: unit {unit!r} needs dimension, base and scale")
    aliases = {str(k): str(v) for k, v in data["unit_aliases"].items()}
    for alias, unit in aliases.items():
        if unit not in units:
            raise CuratedDataError(f"data/targets.yaml: unit alias {alias!r} names unknown unit {unit!r}")
    keep = frozenset(str(u) for u in data["keep_printed_units"])
    for unit in keep:
        if unit not in units:
            raise CuratedDataError(f"data/targets.yaml: keep_printed_units names unknown unit {unit!r}")
    multipliers = {str(k): int(v) for k, v in data["multipliers"].items()}
    prefix = {str(k): str(v or "") for k, v in data["qualifiers"]["prefix"].items()}
    suffix = {str(k): str(v or "") for k, v in data["qualifiers"]["suffix"].items()}
    infix = {str(k): str(v or "") for k, v in data["qualifiers"].get("infix", {}).items()}
    for word, bound in {**prefix, **suffix, **infix}.items():
        if bound not in BOUNDS:
            raise CuratedDataError(f"data/targets.yaml: qualifier {word!r} has unknown bound {bound!r}")

    # Units written after a number: multiplier-free units (a multiplier is read separately, so
    # 万个 is 万 + 个), the units kept as printed, and the aliases.
    plain = [u for u in units if not u.startswith(tuple(multipliers)) or u in keep]
    ascii_units = [u for u in plain + list(aliases) if u.isascii() and len(u) > 1]
    letters = [u for u in list(units) + list(aliases) if u.isascii() and len(u) == 1 and u.isalpha()]
    cjk_units = [u for u in plain + list(aliases) if not u.isascii()] + [u for u in plain if u == "%"]
    unit_re = rf"(?P<unit>(?i:{_alternation(ascii_units)})|{_alternation(cjk_units)}|{_alternation(letters)})"
    mult_re = _alternation(multipliers)
    number = re.compile(
        rf"(?<![\d.,])(?P<num>{NUMBER})\s?(?P<infix1>{_alternation(infix)})?(?P<mult>{mult_re})?"
        rf"(?:\s?(?P<sep>[~\-—–至到])\s?(?P<high>{NUMBER})\s?(?P<mult2>{mult_re})?)?"
        rf"(?P<infix>{_alternation(infix)})?(?P<tail>\s?{unit_re})?(?P<suffix>{_alternation(suffix)})?"
    )
    year = re.compile(r"(?<![\d.])(?:(?:19|20)\d{2}\s?[-—–~至到]\s?)?(?P<year>(?:19|20)\d{2})\s?年(?:度)?"
                      r"(?:底|末|初|前|内)?")
    skip_unit = re.compile(rf"\s?(?:{_alternation(data['skip_units'])})")
    qualifier_words = list(prefix)
    return Vocabulary(
        units=units, unit_aliases=aliases, keep_printed=keep, multipliers=multipliers,
        prefix_qualifiers=prefix, infix_qualifiers=infix, suffix_qualifiers=suffix,
        aspirational=tuple(data["aspirational"]), cumulative=tuple(data["cumulative"]),
        leading=tuple(sorted(data["metric_leading_stopwords"], key=len, reverse=True)),
        trailing=tuple(sorted(set(data["metric_trailing_stopwords"]) | set(qualifier_words)
                              | set(data["conjunctions"]), key=lambda w: (-len(w), w))),
        object_verbs=tuple(data["object_verbs"]),
        scope_words=tuple(data.get("scope_words", [])),
        conjunctions=tuple(sorted(data["conjunctions"], key=len, reverse=True)),
        enumeration_ends=tuple(data.get("enumeration_ends", [])),
        unitless_suffixes=tuple(data["unitless_metric_suffixes"]),
        skip_prefixes=tuple(data["skip_prefixes"]),
        number=number, year=year, skip_unit=skip_unit,
    )


# --- the working text: glosses dropped, whitespace normalised, offsets kept ----------------------

def _closer_index(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (nesting counted), or -1."""
    depth = 0
    for index in range(start, min(len(text), start + GLOSS_MAX)):
        char = text[index]
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth -= 1
            if depth == 0:
                return index
    return -1


def working_text(text: str) -> tuple[str, list[int]]:
    """The text targets are read from, and the offset in ``text`` of each of its characters.

    Bracketed glosses and annotations are dropped ("5G（第五代移动通信技术）基站" → "5G基站"),
    full-width digits and letters become ASCII, whitespace (spaces, PDF line breaks) disappears
    except one space between two Latin letters or digits, and traditional characters become
    simplified where that keeps the length. Works on slices and regex runs, not character by
    character: this runs on every task of every plan.
    """
    pieces: list[tuple[int, int]] = []
    index = 0
    for match in _OPENER_RE.finditer(text):
        if match.start() < index:
            continue
        close = _closer_index(text, match.start())
        if close > 0:
            pieces.append((index, match.start()))
            index = close + 1
    pieces.append((index, len(text)))
    kept = "".join(text[a:b] for a, b in pieces).translate(_FULLWIDTH)
    kept_offsets = [offset for a, b in pieces for offset in range(a, b)]
    spaced = {m.start() + i for m in re.finditer(r"(?<![\d.])\d(?: \d){2,}(?![\d.])", text)
              for i in range(1, m.end() - m.start(), 2)}
    chars: list[str] = []
    offsets: list[int] = []
    cursor = 0
    for run in _SPACE_RE.finditer(kept):
        chars.append(kept[cursor:run.start()])
        offsets.extend(kept_offsets[cursor:run.start()])
        cursor = run.end()
        before = chars[-1][-1:] if chars and chars[-1] else (chars[-2][-1:] if len(chars) > 1 else "")
        after = kept[run.end():run.end() + 1]
        if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
            continue
        first = next((kept_offsets[i] for i in range(run.start(), run.end()) if kept_offsets[i] not in spaced), None)
        if first is not None:
            chars.append(" ")
            offsets.append(first)
    chars.append(kept[cursor:])
    offsets.extend(kept_offsets[cursor:])
    work = "".join(chars)
    simplified = to_simplified(work) if work else work
    if len(simplified) == len(work):
        work = simplified
    return work, offsets


_OPENER_RE = re.compile("[" + re.escape("".join(OPENERS)) + "]")
_SPACE_RE = re.compile(r"\s+")


def _spans(work: str, ends: set[str]) -> list[tuple[int, int]]:
    """[start, end) spans of ``work`` between separator characters (separators excluded)."""
    return [match.span() for match in _run_pattern(frozenset(ends)).finditer(work)]


@functools.lru_cache(maxsize=None)
def _run_pattern(ends: frozenset[str]) -> re.Pattern[str]:
    """Runs of characters other than ``ends``: one regex scan instead of a loop per character."""
    return re.compile("[^" + "".join(re.escape(char) for char in sorted(ends)) + "]+")


def _quoted(work: str) -> list[bool]:
    """Per character: inside “…” quotation marks (where numbers are names: “832”平台)."""
    if not any(char in work for char in QUOTE_OPEN):
        return [False] * len(work)
    inside, depth = [], 0
    for char in work:
        if char in QUOTE_OPEN:
            depth += 1
        elif char in QUOTE_CLOSE and depth > 0:
            depth -= 1
            inside.append(True)
            continue
        inside.append(depth > 0)
    return inside


# --- numbers -------------------------------------------------------------------------------------

@dataclass
class _Number:
    start: int  # first character of the number in the working text
    end: int  # past the unit and suffix qualifier
    qual_start: int  # first character of the prefix qualifiers
    value: float
    value_high: float | None
    unit: str
    printed: str
    qualifier: str
    bound: str


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _to_float(number: Decimal) -> float:
    value = float(number)
    return float(int(value)) if value.is_integer() else value


def _choose_qualifier(prefixes: list[str], suffix: str, infix: str, vocab: Vocabulary) -> tuple[str, str]:
    """The most specific qualifier: a suffix bound, a prefix bound, 多/余, a plain reach word, then 力争."""
    if suffix:
        return suffix, vocab.suffix_qualifiers[suffix]
    if infix and not any(vocab.prefix_qualifiers[word] for word in prefixes):
        return infix, vocab.infix_qualifiers[infix]
    bounded = [word for word in prefixes if vocab.prefix_qualifiers[word]]
    if bounded:
        return bounded[0], vocab.prefix_qualifiers[bounded[0]]
    plain = [word for word in prefixes if word not in vocab.aspirational]
    if plain:
        return plain[0], ""
    return (prefixes[0], "") if prefixes else ("", "")


def _read_number(match: re.Match[str], work: str, floor: int, vocab: Vocabulary) -> _Number | None:
    """The target value a number match states, or None when the number is not a target value."""
    start = match.start("num")
    before = work[floor:start]
    if before.endswith(vocab.skip_prefixes):
        return None
    if start > 0 and work[start - 1].isascii() and work[start - 1].isalpha():
        return None  # IPv6, L3, F5G: the digit belongs to a name
    after_number = max(match.end(name) for name in ("num", "infix1", "mult", "high", "mult2", "infix")
                       if match.group(name))
    if vocab.skip_unit.match(work, after_number):
        return None  # 2025年, 9月, 4级, 1 毫秒, 第6版 ...
    end = match.end()
    following = work[end: end + 1]
    bare = not any(match.group(name) for name in ("tail", "mult", "suffix", "infix", "infix1"))
    if bare and following and following.isascii() and (following.isalnum() or following in "-+/"):
        return None  # 5G, 400G, 4K/8K, 50G-PON: a technology name, not an amount
    if (match.group("tail") and match.group("unit").isascii() and not match.group("suffix")
            and following.isascii() and following.isalnum()):
        return None  # the letters run on: not a unit but a name
    if bare and following in (".", "、", "．") and not before.strip(PHRASE_PUNCT):
        return None  # list numbering "1." / "2、"
    low = _decimal(match.group("num"))
    if low is None:
        return None
    high = _decimal(match.group("high")) if match.group("high") else None
    mult = Decimal(vocab.multipliers[match.group("mult")]) if match.group("mult") else None
    mult2 = Decimal(vocab.multipliers[match.group("mult2")]) if match.group("mult2") else None
    if high is not None and mult is None and mult2 is not None:
        mult = mult2  # "2~3万个": the multiplier is written once
    printed_unit = match.group("unit") or ""
    unit = vocab.normalise_unit(printed_unit) if printed_unit else ""
    last_mult = match.group("mult2") or match.group("mult")
    if last_mult and (last_mult + unit) in vocab.keep_printed:
        # money and the like keep their multiplier in the unit: 80亿元 is (80, 亿元)
        unit = last_mult + unit
        mult = mult2 = None
    low_value = low * (mult or 1)
    high_value = high * (mult2 or mult or 1) if high is not None else None
    if not unit and mult is None and high is None and "." not in match.group("num"):
        if 1900 <= low <= 2100 and len(match.group("num")) == 4:
            return None  # a year without 年
    # Prefix qualifiers directly before the number ("力争达到 80"), nearest first.
    prefixes: list[str] = []
    qual_start = start
    words = sorted(vocab.prefix_qualifiers, key=len, reverse=True)
    while True:
        found = next((w for w in words if work.endswith(w, floor, qual_start)), None)
        if found is None:
            break
        prefixes.append(found)
        qual_start -= len(found)
    infix = match.group("infix") or match.group("infix1") or ""
    qualifier, bound = _choose_qualifier(prefixes, match.group("suffix") or "", infix, vocab)
    printed = re.sub(r"\s+", "", work[start: match.end("tail") if match.group("tail") else after_number])
    return _Number(start=start, end=end, qual_start=qual_start, value=_to_float(low_value),
                   value_high=_to_float(high_value) if high_value is not None else None,
                   unit=unit, printed=printed, qualifier=qualifier, bound=bound)


# --- metrics -------------------------------------------------------------------------------------

def _strip_words(phrase: str, vocab: Vocabulary) -> str:
    """The phrase without leading/trailing stop-words, qualifiers, conjunctions and punctuation."""
    previous = None
    while phrase != previous:
        previous = phrase
        phrase = phrase.strip(PHRASE_PUNCT)
        for word in vocab.trailing:
            if phrase.endswith(word):
                phrase = phrase[: -len(word)]
                break
        for word in vocab.leading:
            if phrase.startswith(word):
                phrase = phrase[len(word):]
                break
        if phrase.startswith(vocab.conjunctions):
            phrase = phrase[1:]
        if phrase.startswith("的"):
            phrase = phrase[1:]
    return phrase


def _strip_trailing(phrase: str, vocab: Vocabulary) -> str:
    previous = None
    while phrase != previous:
        previous = phrase
        phrase = phrase.strip(PHRASE_PUNCT)
        for word in vocab.trailing:
            if phrase.endswith(word) and word not in vocab.object_verbs:
                phrase = phrase[: -len(word)]
                break
    return phrase


def _needs_object(before: str, vocab: Vocabulary) -> bool:
    """The phrase before the number ends with a verb or conjunction: the noun follows the number."""
    tail = _strip_trailing(before, vocab)
    # scope words between verb and number ("平台汇聚全市至少3000家") do not hide the verb
    for word in vocab.scope_words:
        if tail.endswith(word):
            tail = tail[: -len(word)]
    if tail.endswith(vocab.object_verbs) or tail.endswith(vocab.enumeration_ends):
        return True
    return before.rstrip(PHRASE_PUNCT).endswith(vocab.conjunctions) and bool(before.strip(PHRASE_PUNCT))


def _after_end(work: str, start: int, limit: int, last: bool) -> int:
    """Where the noun after a number ends: the clause end after the last number, else the last
    conjunction before the next number ("1 个国家级双跨平台和 3个以上行业级、区域级平台")."""
    if last:
        return limit
    for index in range(limit - 1, start - 1, -1):
        if work[index] in "、和及与":
            return index
    return limit


def _last_item(phrase: str) -> str:
    """The last item of an enumeration before a number: in "A系统、B超级站、C监测站4座" only
    C is counted. Short items are not enumerations (高清、超高清电视覆盖率; 市、县级党政机关)."""
    head, sep, tail = phrase.rpartition("、")
    if sep and len(head.split("、")[-1]) >= 4 and len(tail) >= 4:
        return tail
    return phrase


def _tidy(metric: str) -> str:
    """Quotation marks only where they pair up ("市级“智慧校园”示范校")."""
    metric = metric.strip(PHRASE_PUNCT)
    opened = sum(metric.count(c) for c in "“「『")
    closed = sum(metric.count(c) for c in "”」』")
    if opened != closed:
        metric = metric.strip(QUOTES)
        if sum(metric.count(c) for c in "“「『") != sum(metric.count(c) for c in "”」』"):
            metric = "".join(c for c in metric if c not in QUOTES)
    return metric.strip(PHRASE_PUNCT)


# --- the extraction ------------------------------------------------------------------------------

def extract_targets(text: str) -> list[Target]:
    """Every quantitative target ``text`` states, in text order.

    Parameters
    ----------
    text : a task's text, a goals paragraph or any plan prose; PDF line breaks are allowed.

    Returns
    -------
    list[Target], empty when the text states no target. Never raises on any input string.

    Examples
    --------
    >>> [(t.metric, t.value, t.unit, t.year) for t in extract_targets("到 2025 年，全市建成 5G 基站 3 万个。")]
    [('5G基站', 30000.0, '个', 2025)]
    """
    from .indicators import match_indicator  # indicators reads targets' vocabulary too

    if not isinstance(text, str) or not text:
        return []
    vocab = vocabulary()
    work, offsets = working_text(text)
    if not work or not vocab.number.search(work):
        return []  # most sentences state no number at all
    quoted = _quoted(work)
    years = [(m.start(), m.end(), int(m.group("year"))) for m in vocab.year.finditer(work)]
    masked = [False] * len(work)
    for start, end, _ in years:
        for index in range(start, end):
            masked[index] = True
    sentences = _spans(work, SENTENCE_END)
    targets: list[Target] = []
    for clause_start, clause_end in _spans(work, CLAUSE_END):
        numbers: list[_Number] = []
        floor = clause_start
        position = clause_start
        while position < clause_end:
            match = vocab.number.search(work, position, clause_end)
            if match is None:
                break
            position = max(match.end(), match.start() + 1)
            if masked[match.start()] or any(masked[match.start():match.end()]) or quoted[match.start()]:
                if match.group("high") and not masked[match.start()]:
                    position = match.end("num")  # a range running into a year: read the first number alone
                continue
            number = _read_number(match, work, floor, vocab)
            if number is None:
                continue
            numbers.append(number)
            floor = number.end
        consumed = clause_start
        for rank, number in enumerate(numbers):
            year_ends = [end for start, end, _ in years if clause_start <= start and end <= number.qual_start]
            segment_start = max([consumed] + year_ends)
            before = work[segment_start:number.qual_start]
            metric = _strip_words(_last_item(before), vocab)
            if not metric or _needs_object(before, vocab):
                last = rank + 1 == len(numbers)
                limit = clause_end if last else numbers[rank + 1].qual_start
                after_end = _after_end(work, number.end, limit, last)
                after = _strip_words(work[number.end:after_end], vocab)
                if after:
                    metric, consumed = after, after_end
                else:
                    metric = metric or before.strip(PHRASE_PUNCT)
                    consumed = number.end
            else:
                consumed = number.end
            metric = _tidy(metric)
            if not metric:
                continue
            if not number.unit and number.value_high is None and not number.qualifier:
                if "万" not in number.printed and "亿" not in number.printed \
                        and not metric.endswith(vocab.unitless_suffixes):
                    continue  # a bare number that measures nothing named
            sentence_start = next((s for s, e in sentences if s <= number.start < e), clause_start)
            lead = work[clause_start if rank == 0 else segment_start:number.start]
            targets.append(Target(
                metric=metric,
                indicator=match_indicator(metric, number.unit),
                value=number.value,
                value_high=number.value_high,
                unit=number.unit,
                printed_value=number.printed,
                year=_year_of(number.start, sentences, years),
                qualifier=number.qualifier,
                bound=number.bound,
                cumulative=any(word in lead for word in vocab.cumulative),
                aspirational=any(word in work[sentence_start:number.start] for word in vocab.aspirational),
                raw=text[offsets[clause_start]: offsets[clause_end - 1] + 1],
                start=offsets[clause_start],
                end=offsets[clause_end - 1] + 1,
            ))
    return targets


def _year_of(position: int, sentences: list[tuple[int, int]], years: list[tuple[int, int, int]]) -> int | None:
    """The year a target at ``position`` is for: the nearest year named before it in its sentence,
    else its sentence's first year, else the last year named earlier in the text."""
    sentence = next(((s, e) for s, e in sentences if s <= position < e), (position, position + 1))
    own = [(start, year) for start, _end, year in years if sentence[0] <= start < sentence[1]]
    earlier = [year for start, year in own if start < position]
    if earlier:
        return earlier[-1]
    if own:
        return own[0][1]
    previous = [year for start, end, year in years if end <= position]
    return previous[-1] if previous else None


def targets_of_task(text: str) -> list[Target]:
    """The targets a task's text states (see ``extract_targets``)."""
    return extract_targets(text)


def targets_of_paragraph(text: str) -> list[Target]:
    """The targets a goals paragraph states (发展目标/总体目标), read the same way as a task's
    text; the paragraph may still carry the line breaks of a PDF extraction
    ("在用标\\n\\n准机架数达到 2 万个", 泉州 lines 31-33)."""
    return extract_targets(text)
