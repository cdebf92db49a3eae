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
def function_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, function) rows of data/function_patterns.csv, validated against the functions."""
    allowed = functions()
    rows = []
    for number, row in enumerate(load_csv("function_patterns.csv"), start=2):
        if row["function"] not in allowed:
            raise CuratedDataError(f"data/function_patterns.csv row {number}: unknown function {row['function']!r}")
        rows.append((re.compile(row["pattern"]), row["function"]))
    return tuple(rows)


@functools.lru_cache(maxsize=65536)
def guess_function(name: str) -> str:
    """Function of a unit the table does not know, from its name (工信局 → industry_it), or ""."""
    return next((function for pattern, function in function_patterns() if pattern.search(name)), "")


def regional_name(name: str, region: str) -> str:
    """A department name with its region spelled out: 市工信局 in 漳州市 → 漳州市工信局.

    The canonical names of data/agencies.csv follow the same rule, so curated and uncurated
    cities read alike.
    """
    prefix = region[-1:] if region else ""
    if prefix not in ("市", "省") or not name.startswith(prefix) or name.startswith(region):
        return name
    if any(name.startswith(word) for word in load_yaml("annotation.yaml")["prefix_false_friends"]):
        return name  # 市场监管局 printed without its 市 prefix
    return region + name[1:]


def lookup(name: str, region: str) -> Agency | None:
    """The agency a name means in a region (a region-less table row matches everywhere)."""
    index = agency_index()
    key = normalise_name(name)
    return index.get((region, key)) or index.get((ANY_REGION, key))


def resolve_unit(unit: UnitRef, region: str) -> UnitRef:
    """Fill in canonical name, kind, function and region of a unit reference (in place)."""
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
        unit.function = guess_function(unit.name)
        unit.region = region
        unit.resolved = False
    return unit
