"""Resolve printed unit names to agencies with the curated table data/agencies.csv.

The table has one row per printed name (alias) and region: the canonical agency it means, its
kind (department, collective of district governments, operator, ...) and its function
(telecom regulator, big-data authority, ...), so that 市通管办 (福州), 市通信发展管理办 (泉州)
and 市通信管理局 (厦门) compare as one function. A name the table does not know is kept as
printed, classified by the patterns in data/unit_kinds.yaml, and reported as unresolved.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from .curated import CuratedDataError, load_csv, load_yaml
from .model import UnitRef

ANY_REGION = "*"
NATIONAL = "全国"  # the region of a State Council plan: its units (海关总署, 人力资源社会保障部) carry no prefix
# Kinds that are a government or a collective, not one department: they need no department function.
GOVERNMENT_KINDS = frozenset({"district_governments", "local_governments", "departments_collective"})


@dataclass(frozen=True)
class Agency:
    """A canonical agency: what every alias of it resolves to."""

    canonical: str
    region: str
    kind: str
    function: str


@functools.lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Comparison form of a unit name: no spaces, full-width brackets, simplified characters.

    Cached: a corpus names the same few thousand units hundreds of thousands of times.
    """
    text = re.sub(r"\s+", "", name)
    for opener in "([〔【［":
        text = text.replace(opener, "（")
    for closer in ")]〕】］":
        text = text.replace(closer, "）")  # 各县〔区〕人民政府 and 各县（区）人民政府 are one collective
    text = unicodedata.normalize("NFC", text)
    return to_simplified(text)


@functools.lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional → simplified characters (opencc), so 市數字辦 matches 市数字办."""
    converter = _converter()
    return converter.convert(text) if converter else text


@functools.lru_cache(maxsize=1)
def _converter():
    """opencc's t2s converter, or None where opencc cannot load (a declared dependency, but
    a platform without its wheel should still parse simplified text)."""
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s")


def kinds() -> dict[str, str]:
    """The allowed unit kinds and what each means."""
    return dict(load_yaml("unit_kinds.yaml")["kinds"])


def functions() -> set[str]:
    """The allowed agency functions (data/agency_functions.csv)."""
    return {row["function"] for row in load_csv("agency_functions.csv")}


@functools.lru_cache(maxsize=1)
def agency_index() -> dict[tuple[str, str], Agency]:
    """(region, normalised alias) → Agency, validated once per process."""
    allowed_kinds, allowed_functions = kinds(), functions()
    index: dict[tuple[str, str], Agency] = {}
    by_canonical: dict[tuple[str, str], Agency] = {}
    for number, row in enumerate(load_csv("agencies.csv"), start=2):
        agency = Agency(row["canonical"], row["region"], row["kind"], row["function"])
        where = f"data/agencies.csv row {number}"
        if agency.kind not in allowed_kinds:
            raise CuratedDataError(f"{where}: unknown kind {agency.kind!r}")
        if agency.function and agency.function not in allowed_functions:
            raise CuratedDataError(f"{where}: unknown function {agency.function!r}")
        known = by_canonical.setdefault((agency.region, agency.canonical), agency)
        if known != agency:
            raise CuratedDataError(f"{where}: {agency.canonical} has conflicting kind/function")
        key = (agency.region, normalise_name(row["alias"]))
        if key in index and index[key] != agency:
            raise CuratedDataError(f"{where}: duplicate alias {row['alias']!r} in {agency.region}")
        index[key] = agency
    return index


@functools.lru_cache(maxsize=65536)
def classify(name: str) -> str:
    """Kind of a unit the table does not know, from the patterns in data/unit_kinds.yaml."""
    for rule in load_yaml("unit_kinds.yaml")["patterns"]:
        if re.search(rule["pattern"], name):
            return rule["kind"]
    return "government_department"


@functools.lru_cache(maxsize=1)
def function_patterns() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(on, pattern, function) rows of data/function_patterns.csv, validated: a known function,
    ``on`` one of name/word, and every alternative anchored (^ or $), so that a pattern names the
    agency word and never a substring of another word (人民政府 holds 民政)."""
    allowed = functions()
    rows = []
    for number, row in enumerate(load_csv("function_patterns.csv"), start=2):
        where = f"data/function_patterns.csv row {number}"
        if row["function"] not in allowed:
            raise CuratedDataError(f"{where}: unknown function {row['function']!r}")
        if row["on"] not in ("name", "word"):
            raise CuratedDataError(f"{where}: 'on' must be name or word, not {row['on']!r}")
        loose = [part for part in top_level_alternatives(row["pattern"])
                 if not part.startswith("^") and not part.endswith("$")]
        if loose:
            raise CuratedDataError(f"{where}: unanchored alternative {loose[0]!r} (start it with ^ or end it with $)")
        rows.append((row["on"], re.compile(row["pattern"]), row["function"]))
    return tuple(rows)


def top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of a regular expression outside any group: '^a|(b|c)$' → ['^a', '(b|c)$']."""
    parts, depth, start, escaped = [], 0, 0, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


# A region printed before the department word: 青岛市, 崂山区, 济南高新区, 山东省 (2-4 characters and a
# level word; a name starting with a level character is left to the one-character prefix rule, so
# 市城市管理局 is not 市城市 + 管理局).
REGION_WORD = re.compile(r"^[^省市区县各]{1}[\u4e00-\u9fff]{1,3}?(?:自治区|自治州|省|市|区|县|旗)")
LEVEL_PREFIXES = "省市区县"


def region_short(region: str) -> str:
    """A region's name without its level word: 青岛市 → 青岛, 山东省 → 山东, 全国 → 全国."""
    for suffix in ("自治区", "自治州", "省", "市", "区", "县"):
        if region.endswith(suffix) and len(region) > len(suffix) + 1:
            return region[: -len(suffix)]
    return region


@functools.lru_cache(maxsize=65536)
def agency_word(name: str, region: str = "") -> str:
    """The department word of a unit name, which the ``word`` patterns read.

    Drops, in order: a collective's 各/有关/相关, 中共, 国家/中央/国务院/中国 (国家统计局 → 统计局), the
    plan's region or a printed region (青岛市, 崂山区, 山东), a one-character level prefix (市, 省; not
    the 市 of 市场监管局), a Party committee's 委 (市委组织部 → 组织部), a government's 政府 (省政府
    办公厅 → 办公厅) and the region printed again
    after the prefix (市成都公积金中心 → 公积金中心). 市统计局 → 统计局, 省司法厅 → 司法厅; 团市委 and
    人民银行山东省分行 stay whole. A name that would be left empty stays whole.
    """
    text = normalise_name(name)
    text = re.sub(r"^(各|有关|相关)", "", text)
    text = re.sub(r"^(中共|中国共产党)", "", text)
    central = re.match(r"^(国家|中央|国务院|中国)", text)
    if central and len(text) > central.end() + 1:
        text = text[central.end():]  # 国家统计局, 中央网信办, 国务院国资委, 中国气象局
    own = [r for r in dict.fromkeys((region, region_short(region))) if r and r not in (NATIONAL, ANY_REGION)]
    printed_region = next((r for r in own if text.startswith(r) and len(text) > len(r)), None)
    if printed_region:
        text = text[len(printed_region):]
    else:
        found = REGION_WORD.match(text)
        if found and len(text) > found.end():
            text = text[found.end():]
    false_friends = load_yaml("annotation.yaml")["prefix_false_friends"]
    if text[:1] in LEVEL_PREFIXES and len(text) > 1 and not any(text.startswith(w) for w in false_friends):
        text = text[1:]
    if text.startswith("委") and len(text) > 1 and not text.startswith("委员会"):
        text = text[1:]
    government = re.match(r"^(人民)?政府", text)
    if government and len(text) > government.end() + 1:
        text = text[government.end():]  # 省政府办公厅 → 办公厅, 市人民政府国有资产监督管理委员会 → 国有资产…
    again = next((r for r in own if text.startswith(r) and len(text) > len(r)), None)
    if again:
        text = text[len(again):]  # 市成都公积金中心: the region printed again after the prefix
    return text or normalise_name(name)


@functools.lru_cache(maxsize=65536)
def guess_function(name: str, region: str = "") -> str:
    """Function of a unit the table does not know, from its name, or "".

    Rows of data/function_patterns.csv are tried in order, each on the whole name (``name``:
    governments and collectives, 各市政府, 团市委) or on its department word (``word``, see
    ``agency_word``: 市统计局 → 统计局 → statistics); the first match wins.
    """
    forms = {"name": normalise_name(name), "word": agency_word(name, region)}
    return next((function for on, pattern, function in function_patterns() if pattern.search(forms[on])), "")


def has_function(kind: str, function: str) -> bool:
    """Does a unit say what it does: a function, or a government or collective kind?"""
    return bool(function) or kind in GOVERNMENT_KINDS


def regional_name(name: str, region: str) -> str:
    """A department name with its region spelled out: 市工信局 in 漳州市 → 漳州市工信局.

    The canonical names of data/agencies.csv follow the same rule, so curated and uncurated
    cities read alike. A name that prints its region after the prefix keeps it once:
    市成都公积金中心 in 成都市 → 成都公积金中心, 省山东金融监管局 in 山东省 → 山东金融监管局.
    """
    prefix = region[-1:] if region else ""
    if prefix not in ("市", "省") or not name.startswith(prefix) or name.startswith(region):
        return name
    if any(name.startswith(word) for word in load_yaml("annotation.yaml")["prefix_false_friends"]):
        return name  # 市场监管局 printed without its 市 prefix
    if name[1:].startswith(region_short(region)):
        return name[1:]
    return region + name[1:]


def lookup(name: str, region: str) -> Agency | None:
    """The agency a name means in a region (a region-less table row matches everywhere)."""
    index = agency_index()
    key = normalise_name(name)
    return index.get((region, key)) or index.get((ANY_REGION, key))


def resolve_unit(unit: UnitRef, region: str, scope: str = "") -> UnitRef:
    """Fill in canonical name, kind, function, region and scope of a unit reference (in place).

    ``scope`` qualifies the agency of a document whose region is unknown (``doc:<hash>``): its
    市委组织部 is its own, never the 市委组织部 of another region-less plan.
    """
    agency = lookup(unit.name, region) or lookup(unit.printed, region)
    if agency is not None:
        unit.canonical = agency.canonical
        unit.kind = agency.kind
        unit.function = agency.function
        unit.region = region if agency.region == ANY_REGION else agency.region
        unit.resolved = True
    else:
        unit.canonical = regional_name(normalise_name(unit.name), region)
        unit.kind = classify(unit.name)
        if region == NATIONAL and unit.kind == "central_branch":
            unit.kind = "government_department"  # 海关总署, 人民银行 in a State Council plan
        unit.function = guess_function(unit.name, region)
        unit.region = region
        unit.resolved = False
    unit.scope = unit.region or scope
    return unit
