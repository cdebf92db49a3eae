"""Indicator tables of plan documents, and the curated indicator names that make plans compare.

Plans close their goals with a table of key indicators: 福州's 重点指标分年度工作目标表 (one
tab-separated line per row), 厦门's annex (every cell on its own line after the PDF extraction),
the 十四五 plan's 主要指标 (category cells split over lines). ``parse_indicator_tables`` reads
them all the same way: it finds a header by its words (指标, 目标值, 现状值, 基期, years), reads the
columns from the words next to each year (2022 年现状值 = baseline, 2025 年目标值 = target,
2025 年省计划目标值 or a 福建省 column = the province's target), then assembles rows.

``match_indicator`` maps a printed name to its canonical indicator (data/indicators.csv), so
that 重点网站 IPv6 支持度 (泉州) and 重点网站IPv6支持水平 (厦门) are one indicator.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .curated import CuratedDataError, load_csv, load_yaml
from .reflow import clean_line, join_text
from .resolve import normalise_name
from .targets import vocabulary

__all__ = ["TableRow", "Indicator", "parse_indicator_tables", "match_indicator", "indicators",
           "indicator_unit", "convert_value", "to_indicator_unit", "normalise_unit", "normalise_printed"]


@dataclass
class TableRow:
    """One row of an indicator table, values as printed in the row's unit."""

    name: str  # printed indicator name, whitespace-normalised, without the unit bracket
    unit: str  # printed unit ("个", "万个", "%", "Tbps"), "" when none
    category: str  # the 类型 cell ("数字政府"), "" when the table has none
    baseline: tuple[int, float | str] | None  # (year, value) of the 现状值/基期 column
    targets: dict[int, float | str]  # year → target value ("提高3个百分点" kept as text)
    province_target: float | None  # the province's target in a city table (福建省/省计划 column)
    responsible: list[str]  # printed unit names of the 责任单位 column
    line_start: int  # 1-based source lines of the row
    line_end: int
    qualifiers: dict[int, str] = field(default_factory=dict)  # year → ">" for ">95"
    number: str = ""  # the 序号 cell
    annual: str = ""  # the 分年度目标 text when it is not per year ("年均提高4.3个百分点以上")
    attribute: str = ""  # the 属性 cell (预期性/约束性)
    table_title: str = ""  # the line above the header ("重点指标分年度工作目标表")
    indicator: str | None = None  # canonical indicator, None when data/indicators.csv does not know it


@dataclass(frozen=True)
class Indicator:
    """A canonical indicator of data/indicators.csv."""

    name: str
    unit: str
    aliases: tuple[str, ...]


# --- curated indicators and units ----------------------------------------------------------------

def _strip_brackets(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"[（(〔\[][^（()）〔〕\[\]]*[）)〕\]]", "", text)
    return text


def indicator_key(name: str) -> str:
    """Comparison form of an indicator name: normalise_name, no brackets or quotes, Latin letters
    folded, leading scope words and verbs (全市, 累计, 建成 ...) and trailing qualifiers removed."""
    text = normalise_name(name or "")
    text = _strip_brackets(text)
    text = re.sub(r"[“”\"'‘’「」『』]", "", text)
    text = text.translate({ord(c): "-" for c in "－—–"}).casefold()
    vocab = vocabulary()
    previous = None
    while previous != text:
        previous = text
        for word in vocab.leading:
            if text.startswith(word) and len(text) > len(word):
                text = text[len(word):]
                break
        for word in vocab.trailing:
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                break
    return text


@functools.lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """data/indicators.csv as canonical name → Indicator, validated: known units, one unit per
    indicator, no alias naming two indicators."""
    vocab = vocabulary()
    units: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for number, row in enumerate(load_csv("indicators.csv"), start=2):
        where = f"data/indicators.csv row {number}"
        name, unit, alias, source = row.get("indicator", ""), row.get("unit", ""), row.get("alias", ""), row.get("source", "")
        if not name or not alias or not source:
            raise CuratedDataError(f"{where}: indicator, alias and source are required")
        if unit and unit not in vocab.units:
            raise CuratedDataError(f"{where}: unknown unit {unit!r} (add it to data/targets.yaml)")
        if units.setdefault(name, unit) != unit:
            raise CuratedDataError(f"{where}: {name} has two units, {units[name]!r} and {unit!r}")
        for spelling in (alias, name):
            key = indicator_key(spelling)
            if owner.setdefault(key, name) != name:
                raise CuratedDataError(f"{where}: alias {spelling!r} names both {owner[key]} and {name}")
        if alias in aliases.setdefault(name, []):
            raise CuratedDataError(f"{where}: alias {alias!r} of {name} listed twice (join sources with ;)")
        aliases[name].append(alias)
    return {name: Indicator(name, units[name], tuple(sorted(found))) for name, found in sorted(aliases.items())}


@functools.lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    index = {}
    for indicator in indicators().values():
        for spelling in (indicator.name,) + indicator.aliases:
            index[indicator_key(spelling)] = indicator.name
    return dict(sorted(index.items()))


def normalise_unit(printed: str) -> str:
    """The normalised spelling of a printed unit: "(万 户)" → "万户", "T" → "Tbps", "％" → "%"."""
    text = re.sub(r"^\s*[（(]|[）)]\s*$", "", printed or "")
    return vocabulary().normalise_unit(text)


def indicator_unit(name: str) -> str:
    """The unit an indicator's values are compared in ("" for a dimensionless one)."""
    return indicators()[name].unit


def _dimension(unit: str) -> str | None:
    spec = vocabulary().units.get(normalise_unit(unit))
    return spec["dimension"] if spec else None


def _units_compatible(unit: str, indicator_unit_: str) -> bool:
    """Whether a value in ``unit`` can measure an indicator kept in ``indicator_unit_``."""
    if not unit or not normalise_unit(unit):
        return True
    given = _dimension(unit)
    if given is None:
        return True  # a unit the vocabulary does not know decides nothing
    if not indicator_unit_:
        return False  # a dimensionless indicator (PUE, an index) has no unit
    return given == _dimension(indicator_unit_)


def convert_value(value: float, unit: str, to_unit: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to_unit``, or None when no exact conversion exists.

    Units convert when they share a base: 1 EFLOPS = 1000 PFLOPS, 16万个 = 160000 个. 个 and 户
    do not convert (different counting words), nor % and 个百分点.
    """
    source, target = normalise_unit(unit), normalise_unit(to_unit)
    if source == target:
        return float(value)
    units = vocabulary().units
    if source not in units or target not in units or units[source]["base"] != units[target]["base"]:
        return None
    result = Decimal(str(value)) * Decimal(str(units[source]["scale"])) / Decimal(str(units[target]["scale"]))
    converted = float(result)
    return float(int(converted)) if converted.is_integer() else converted


def to_indicator_unit(value: float, unit: str, indicator: str) -> float | None:
    """``value`` (in ``unit``) in the unit of ``indicator``; None when it does not convert exactly."""
    return convert_value(value, unit, indicator_unit(indicator))


def _ascii_tokens(key: str) -> list[str]:
    return sorted(re.findall(r"[0-9a-z][0-9a-z.\-+/]*", key))


@functools.lru_cache(maxsize=8192)
def match_indicator(printed_name: str, unit: str = "") -> str | None:
    """The canonical indicator a printed name means, or None.

    Names compare after ``indicator_key`` (spaces, full-width forms, traditional characters,
    glosses, 全市/累计/建成 ... removed). A name not in the table falls back to a fuzzy match with
    a high cutoff (data/targets.yaml matching.fuzzy_cutoff) that must keep every Latin token
    (5G ≠ 4G, IPv6) and a similar length. A unit of another dimension (% for a count) rejects
    the match.
    """
    key = indicator_key(printed_name)
    if not key:
        return None
    index = _alias_index()
    found = index.get(key)
    if found is None:
        found = _fuzzy(key, index)
    if found is None:
        return None
    if unit and not _units_compatible(unit, indicators()[found].unit):
        return None
    return found


def _fuzzy(key: str, index: dict[str, str]) -> str | None:
    try:
        from rapidfuzz import fuzz, process
    except ImportError:  # declared dependency; without it only exact names match
        return None
    cutoff = float(load_yaml("targets.yaml").get("matching", {}).get("fuzzy_cutoff", 90))
    if len(key) < 4:
        return None
    best = process.extractOne(key, list(index), scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        return None
    candidate = best[0]
    if _ascii_tokens(candidate) != _ascii_tokens(key):
        return None
    if min(len(key), len(candidate)) / max(len(key), len(candidate)) < 0.85:
        return None
    return index[candidate]


# --- tables: header ------------------------------------------------------------------------------

@dataclass
class _Column:
    role: str  # seq, name, unit, category, responsible, annual, attribute, baseline, target, province, other
    year: int | None = None


@functools.lru_cache(maxsize=1)
def _table_words() -> dict:
    config = dict(load_yaml("targets.yaml")["tables"])
    words = sorted(set(config["header_words"]), key=len, reverse=True)
    config["header_re"] = re.compile(
        r"(?:" + "|".join(re.escape(w) for w in words)
        + r"|[\u4e00-\u9fff]{1,3}[省市]|(?:19|20)\d{2}|[\s（）()/、:：])+")
    roles = "|".join(re.escape(w) for w in sorted(set(config["baseline_roles"]) | set(config["target_roles"]),
                                                key=len, reverse=True))
    config["year_re"] = re.compile(
        r"(?P<pre>截至|截止)?(?P<year>(?:19|20)\d{2})年(?P<post>底|末)?(?P<mid>省计划|全省|省)?"
        rf"(?P<role>{roles})?")
    return config


def _is_header_line(text: str) -> bool:
    return bool(_table_words()["header_re"].fullmatch(text))


def _has(text: str, words: list[str]) -> bool:
    return any(word in text for word in words)


def _unit_column(text: str) -> bool:
    """A 单位 column that is not 责任单位/牵头单位/配合单位."""
    return bool(re.search(r"(?<!责任)(?<!牵头)(?<!配合)单位", text))


def _year_columns(text: str) -> list[_Column]:
    """The value columns a header names, in order, read from the words around each year."""
    config = _table_words()
    compact = re.sub(r"\s+", "", text)
    found: list[tuple[_Column, bool]] = []
    explicit: list[bool] = []  # the column names its role (目标值, 现状值 ...) rather than a bare year
    previous_end = 0
    for match in config["year_re"].finditer(compact):
        role = match.group("role") or ""
        explicit.append(bool(role or match.group("pre") or match.group("post")))
        prefix = compact[previous_end:match.start()]
        previous_end = match.end()
        if match.group("pre") or match.group("post") or role in config["baseline_roles"]:
            found.append((_Column("baseline", int(match.group("year"))), False))
            continue
        provincial = bool(match.group("mid")) or _has(prefix, config["province_words"])
        found.append((_Column("target", int(match.group("year"))), provincial))
    columns = []
    for column, provincial in found:
        if provincial and any(other.role == "target" and other.year == column.year and not flag
                              for other, flag in found if other is not column):
            column.role = "province"  # a second target for the same year: the province's
        columns.append(column)
    # "2020 年 | 2025 年目标" (a 十四五-style header): the bare first year is the base period
    if (len(columns) > 1 and not explicit[0] and explicit[1] and columns[0].role == "target"
            and not any(c.role == "baseline" for c in columns)
            and columns[0].year < min(c.year for c in columns[1:] if c.role == "target")):
        columns[0].role = "baseline"
    return columns


def _names_role(cell: str) -> bool:
    config = _table_words()
    return _has(cell, config["baseline_roles"] + config["target_roles"] + ["截至", "截止"])


def _cell_role(cell: str) -> _Column:
    config = _table_words()
    compact = re.sub(r"\s+", "", cell)
    if config["year_re"].search(compact):
        columns = _year_columns(compact)
        if columns:
            return columns[0]
    if _has(compact, config["seq_column"]):
        return _Column("seq")
    if _has(compact, config["responsible_column"]):
        return _Column("responsible")
    if _has(compact, config["annual_column"]):
        return _Column("annual")
    if _has(compact, config["name_column"]):
        return _Column("name")
    if _has(compact, config["category_column"]):
        return _Column("category")
    if _has(compact, config["attribute_column"]):
        return _Column("attribute")
    if _unit_column(compact):
        return _Column("unit")
    return _Column("other")


# --- tables: cells -------------------------------------------------------------------------------

_NOT_VALUE = object()
_VALUE_RE = re.compile(r"^(?P<qual>[<>≥≤＞＜]=?|不低于|不少于|不超过|超过|超|约)?(?P<num>\d+(?:\.\d+)?)"
                       r"(?P<pct>[%％])?(?P<suffix>以上|以下|左右)?$")
_TEXT_VALUE_RE = re.compile(r"^(?:年均)?(?:提高|增加|增长|降低|下降|减少)\d+(?:\.\d+)?(?:个百分点|%|％|倍)"
                            r"(?:以上|以下|左右)?$")


def _value(token: str):
    """(value, qualifier) of a value cell, None for a "no value" cell, _NOT_VALUE otherwise."""
    text = token.strip()
    if text in _table_words()["none_values"]:
        return None
    match = _VALUE_RE.match(text)
    if match:
        number = float(match.group("num"))
        qualifier = (match.group("qual") or match.group("suffix") or "").replace("＞", ">").replace("＜", "<")
        return (float(int(number)) if number.is_integer() else number), qualifier
    if _TEXT_VALUE_RE.match(text):
        return text, ""
    return _NOT_VALUE


def normalise_printed(text: str) -> str:
    """Whitespace-normalised printed text: spaces kept only between two Latin letters or digits
    ("每万人拥有 5G 基站数" → "每万人拥有5G基站数", "千兆宽带接入用户占 比" → "千兆宽带接入用户占比")."""
    text = re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()
    return re.sub(r"(?<=.) (?=.)", lambda m: _space(text, m.start()), text)


def _space(text: str, index: int) -> str:
    before, after = text[index - 1], text[index + 1]
    return " " if (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()) else ""


_UNIT_BRACKET = re.compile(r"^(?P<name>.*?)\s*[（(](?P<unit>[^（）()]{1,10})[）)]\s*$")


def _split_unit(name: str) -> tuple[str, str]:
    """("每万人拥有5G基站数（个）") → ("每万人拥有5G基站数", "个"): the trailing unit bracket."""
    match = _UNIT_BRACKET.match(name)
    if match:
        unit = re.sub(r"\s+", "", match.group("unit"))
        if not re.search(r"\d", unit) and (vocabulary().normalise_unit(unit) in vocabulary().units or len(unit) <= 4):
            return match.group("name").strip(), unit
    return name, ""


def _split_units(text: str) -> list[str]:
    return [part for part in re.split(r"[，,、；;\s]+", text) if part]


# --- tables: rows --------------------------------------------------------------------------------

@dataclass
class _Header:
    columns: list[_Column]  # value columns, in the order their values are printed
    roles: set[str]
    title: str
    first: int  # 1-based line of the header's first line
    cells: list[_Column] | None = None  # per tab-separated cell (tab tables)


def _row_from_values(header: _Header, values: list[str]) -> tuple[tuple | None, dict, dict, float | None]:
    baseline, targets, qualifiers, province = None, {}, {}, None
    for column, token in zip(header.columns, values):
        parsed = _value(token)
        if parsed is None or parsed is _NOT_VALUE:
            continue
        value, qualifier = parsed
        if column.role == "baseline":
            baseline = (column.year, value)
        elif column.role == "province":
            province = value if isinstance(value, float) else None
        else:
            targets[column.year] = value
            if qualifier:
                qualifiers[column.year] = qualifier
    return baseline, targets, qualifiers, province


def _finish(row: TableRow) -> TableRow:
    row.name = normalise_printed(row.name)
    row.unit = re.sub(r"\s+", "", row.unit)
    row.annual = normalise_printed(row.annual)
    row.indicator = match_indicator(row.name, row.unit)
    return row


def _title_above(items: list[tuple[int, str]], index: int) -> str:
    if index == 0:
        return ""
    text = items[index - 1][1]
    if len(text) <= 40 and not text.endswith(("。", "；", "：")) and "\t" not in text:
        return normalise_printed(text)
    return ""


def _tab_table(items: list[tuple[int, str]], index: int) -> tuple[list[TableRow], int]:
    """A table whose header and rows are tab-separated lines (福州 lines 36-46)."""
    line, text = items[index]
    cells = [cell.strip() for cell in text.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    roles = [_cell_role(cell) for cell in cells]
    values = [c for c in roles if c.role in ("baseline", "target", "province")]
    # the province column of a tab header is named in its own cell ("2025 年 省计划 目标值")
    for column, cell in zip(roles, cells):
        if column.role == "target" and _has(re.sub(r"\s+", "", cell), ["省"]) and any(
                other.role == "target" and other.year == column.year and other is not column for other in roles):
            column.role = "province"
    value_cells = [cell for column, cell in zip(roles, cells) if column in values]
    if (len(values) > 1 and values[0].role == "target" and not _names_role(value_cells[0])
            and _names_role(value_cells[1]) and not any(c.role == "baseline" for c in values)
            and values[0].year < min(c.year for c in values[1:] if c.role == "target" or c.role == "province")):
        values[0].role = "baseline"  # "2020年 | 2025年目标": the bare first year is the base period
    header = _Header(values, {c.role for c in roles}, _title_above(items, index), line, roles)
    rows: list[TableRow] = []
    category = ""
    index += 1
    while index < len(items) and "\t" in items[index][1]:
        line, text = items[index]
        row_cells = [cell.strip() for cell in text.split("\t")]
        while row_cells and not row_cells[-1]:
            row_cells.pop()
        columns = list(roles)
        for droppable in ("category", "seq"):
            if len(row_cells) < len(columns) and any(c.role == droppable for c in columns):
                columns = [c for c in columns if c.role != droppable]  # a spanned cell left no text
        if len(row_cells) < len(columns):
            columns = columns[len(columns) - len(row_cells):]
        cell_of = {}
        for column, cell in zip(columns, row_cells):
            cell_of.setdefault(column.role, cell)
        name, unit = _split_unit(normalise_printed(cell_of.get("name", "")))
        if cell_of.get("unit"):
            unit = cell_of["unit"]
        if cell_of.get("category"):
            category = normalise_printed(cell_of["category"])
        value_cells = [cell for column, cell in zip(columns, row_cells) if column.role in ("baseline", "target", "province")]
        value_columns = [column for column in columns if column.role in ("baseline", "target", "province")]
        baseline, targets, qualifiers, province = _row_from_values(
            _Header(value_columns, header.roles, header.title, header.first), value_cells)
        if name and (targets or baseline):
            rows.append(_finish(TableRow(
                name=name, unit=unit, category=category, baseline=baseline, targets=targets,
                province_target=province, responsible=_split_units(cell_of.get("responsible", "")),
                line_start=line, line_end=line, qualifiers=qualifiers, number=cell_of.get("seq", ""),
                annual=cell_of.get("annual", ""), attribute=cell_of.get("attribute", ""),
                table_title=header.title)))
        index += 1
    return rows, index


def _value_run(tokens: list[str], need: int) -> tuple[int, int] | None:
    """[start, end) of the first run of at least ``need`` value tokens."""
    start = None
    for position, token in enumerate(tokens + ["\0"]):
        if token != "\0" and _value(token) is not _NOT_VALUE:
            if start is None:
                start = position
            continue
        if start is not None and position - start >= need:
            return start, position
        start = None
    return None


@dataclass
class _DataLine:
    name: str
    unit: str | None
    values: list[str]
    trailing: str
    number: str = ""


def _data_line(text: str, header: _Header) -> _DataLine | None:
    """The cells of a line holding a row's values ("70 46.6 55.1 62.1 70.1", "% / >66")."""
    tokens = text.split()
    need = len(header.columns)
    if need == 0:
        return None
    run = _value_run(tokens, need)
    if run is None:
        return None
    start, end = run
    unit: str | None = None
    name_end = start
    if "unit" in header.roles:
        if end - start > need and _value(tokens[start]) is None:
            unit, start = "", start + 1  # "数字福建发展指数 / 70.6 >95": the unit cell is "/"
        elif start > 0 and not re.search(r"\d", tokens[start - 1]) and len(tokens[start - 1]) <= 6:
            unit, name_end = tokens[start - 1], start - 1  # "% 95 99": the unit cell before the values
    return _finish_data_line(tokens[:name_end], unit, tokens[start: start + need], tokens[start + need:], header)


def _finish_data_line(name_tokens, unit, values, trailing, header) -> _DataLine:
    number = ""
    if "seq" in header.roles and name_tokens and re.fullmatch(r"\d{1,3}", name_tokens[0]):
        number, name_tokens = name_tokens[0], name_tokens[1:]
    return _DataLine(" ".join(name_tokens), unit, list(values), " ".join(trailing), number)


def _ends_table(text: str) -> bool:
    config = _table_words()
    for prefix in config["end_prefixes"]:
        if text.startswith(prefix) and re.match(r"[：:\d\s]", text[len(prefix):len(prefix) + 1] or "："):
            return True
    if "。" in text or "：" in text or ":" in text:
        return True
    from .headings import match_heading, is_structural_heading
    if is_structural_heading(text) or (match_heading(text) and not re.fullmatch(r"\d{1,3}", text)):
        return True  # the next heading of the plan ("三、保障措施")
    if re.search(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月", text) or text.endswith("印发"):
        return True  # the issuing office and date after an annex table (厦门 line 769)
    return len(re.findall(r"[\u4e00-\u9fff]", text)) > 20


def _continues(row: TableRow, raw_trailing: str, trailing_role: str, text: str, header: _Header) -> bool:
    """Whether a fragment after a row's values continues its last column (責任单位 or 分年度目标)."""
    if trailing_role == "responsible":
        if "seq" in header.roles:
            return True  # until the next 序号, the lines belong to this row (厦门 lines 715-719)
        return not row.responsible or raw_trailing.endswith(("，", "、", ",", "；"))
    if trailing_role == "annual":
        return text.startswith(tuple(_table_words()["annual_continuation"])) or bool(
            re.search(r"\d\s*(?:个百分点|%)", text))
    return False


def _broken_table(items: list[tuple[int, str]], index: int, end: int) -> tuple[list[TableRow], int]:
    """A table whose cells a PDF extraction put on separate lines (厦门 annex, 十四五 主要指标)."""
    header_text = " ".join(text for _, text in items[index:end])
    config = _table_words()
    roles = set()
    if _has(header_text, config["seq_column"]):
        roles.add("seq")
    if _has(header_text, config["responsible_column"]):
        roles.add("responsible")
    if _unit_column(header_text):
        roles.add("unit")
    if _has(header_text, config["category_column"]):
        roles.add("category")
    if _has(header_text, config["annual_column"]):
        roles.add("annual")
    if _has(header_text, config["attribute_column"]):
        roles.add("attribute")
    header = _Header(_year_columns(header_text), roles, _title_above(items, index), items[index][0])
    trailing_role = next((r for r in ("responsible", "annual", "attribute") if r in roles), "")
    rows: list[TableRow] = []
    pending: list[tuple[int, str]] = []
    number, number_line = "", None
    category = ""
    open_row: TableRow | None = None  # the row whose last column may continue on the next lines
    open_raw = ""
    position = end
    while position < len(items):
        line, text = items[position]
        if "seq" in roles and re.fullmatch(r"\d{1,3}", text):
            number, number_line, pending, open_row = text, line, [], None
            position += 1
            continue
        data = _data_line(text, header)
        if data is not None:
            fragments = list(pending)
            if "category" in roles:
                short = 0
                while (short < len(fragments) - (0 if data.name else 1)
                       and re.fullmatch(r"[\u4e00-\u9fff]{1,3}", fragments[short][1])):
                    short += 1
                if short:
                    category = "".join(text for _, text in fragments[:short])
                    fragments = fragments[short:]
            name = ""
            for _, piece in fragments:
                name = join_text(name, piece)
            name = join_text(name, data.name)
            name, bracket_unit = _split_unit(normalise_printed(name))
            baseline, targets, qualifiers, province = _row_from_values(header, data.values)
            first = number_line or (pending[0][0] if pending else line)
            row = TableRow(
                name=name, unit=data.unit if data.unit is not None else bracket_unit, category=category,
                baseline=baseline, targets=targets, province_target=province, responsible=[],
                line_start=first, line_end=line, qualifiers=qualifiers, number=data.number or number,
                table_title=header.title)
            _set_trailing(row, trailing_role, data.trailing)
            if row.name:
                rows.append(row)
                open_row, open_raw = row, data.trailing
            pending, number, number_line = [], "", None
            position += 1
            continue
        if _ends_table(text) or _is_header_start(items, position):
            break
        if (open_row is not None and not pending and number_line is None
                and _continues(open_row, open_raw, trailing_role, text, header)):
            open_raw = (open_raw + " " + text).strip() if trailing_role == "responsible" else join_text(open_raw, text)
            open_row.line_end = line
            _set_trailing(open_row, trailing_role, open_raw)
            position += 1
            continue
        open_row = None
        if "seq" in roles and not pending and number_line is None:
            leading = re.match(r"^(\d{1,3})\s+(\S.*)$", text)
            if leading:
                number, number_line = leading.group(1), line
                text = leading.group(2)
        pending.append((line, text))
        if len(pending) > 8:
            break
        position += 1
    for row in rows:
        _finish(row)
    return rows, position


def _set_trailing(row: TableRow, role: str, raw: str) -> None:
    """Put the text after a row's values into the column the header names last."""
    if role == "responsible":
        row.responsible = _split_units(raw)
    elif role == "annual":
        row.annual = raw
    elif role == "attribute":
        row.attribute = raw


def _header_end(items: list[tuple[int, str]], index: int) -> int | None:
    """End (exclusive item index) of a line-broken header starting at ``index``, or None."""
    text = items[index][1]
    config = _table_words()
    if "\t" in text or not _is_header_line(text) or not (_has(text, config["name_column"]) or _has(text, config["seq_column"])):
        return None
    end = index + 1
    while end < len(items) and end - index < 24 and "\t" not in items[end][1] and _is_header_line(items[end][1]) \
            and not re.fullmatch(r"\d{1,3}", items[end][1]):
        end += 1
    header_text = " ".join(t for _, t in items[index:end])
    if not _year_columns(header_text) or not _has(header_text, config["name_column"]):
        return None
    return end


def _is_tab_header(text: str) -> bool:
    if "\t" not in text:
        return False
    config = _table_words()
    cells = [cell.strip() for cell in text.split("\t")]
    return any(_has(cell, config["name_column"]) for cell in cells) and any(
        _cell_role(cell).role in ("baseline", "target", "province") for cell in cells)


def _is_header_start(items: list[tuple[int, str]], index: int) -> bool:
    return _is_tab_header(items[index][1]) or _header_end(items, index) is not None


def parse_indicator_tables(lines: list[str]) -> list[TableRow]:
    """The rows of every indicator table in a document.

    Parameters
    ----------
    lines : the document's raw lines (``SourceText.lines``); line numbers in the rows are 1-based.

    Returns
    -------
    list[TableRow] in document order; empty when the document has no indicator table.

    Examples
    --------
    >>> rows = parse_indicator_tables(["序号\\t重点指标\\t2022 年现状值\\t2025 年目标值", "1\\t5G 用户普及率 (%)\\t38.9\\t73"])
    >>> rows[0].name, rows[0].baseline, rows[0].targets
    ('5G用户普及率', (2022, 38.9), {2025: 73.0})
    """
    items = []
    for number, raw in enumerate(lines, start=1):
        if "\t" in raw:
            text = raw.replace("**", "").strip(" \r\n\u3000")
            text = re.sub(r"^#+\s*", "", text)
        else:
            text, _ = clean_line(raw)
        if text.strip():
            items.append((number, text))
    rows: list[TableRow] = []
    index = 0
    while index < len(items):
        if _is_tab_header(items[index][1]):
            found, index = _tab_table(items, index)
            rows.extend(found)
            continue
        end = _header_end(items, index)
        if end is not None:
            found, after = _broken_table(items, index, end)
            rows.extend(found)
            index = max(after, end)
            continue
        index += 1
    return rows
