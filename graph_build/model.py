"""Plain data that flows between the parsing layers (read → outline → duties → resolve → graph).

Nothing here knows about networkx, Neo4j or HTML: these are the facts a plan states,
with the line numbers that let an analyst go back to the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SourceText:
    """A document's text as read from disk, before any parsing."""

    path: str
    text: str
    encoding: str = "utf-8"
    format: str = "txt"
    warnings: list[str] = field(default_factory=list)
    # Where each line came from when that is not the line itself: 1-based line → "sheet!row"
    # for a workbook (graph_build.sheets); empty for text, Word, PDF and HTML.
    places: dict[int, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class UnitRef:
    """One responsible unit as an annotation names it, plus what resolution learned."""

    printed: str  # exactly as in the document (after joining broken lines)
    name: str  # with an implied shared prefix restored (泉州: 工信局 → 市工信局)
    role: str  # "lead" or "support"
    rank: int  # 1-based order inside the annotation
    tier: int  # 1-based comma group
    canonical: str = ""
    kind: str = ""
    function: str = ""
    region: str = ""
    resolved: bool = False
    implied: bool = False  # attached by a standing note ("以下各项任务均需各区人民政府落实，不再列出")
    line: int = 0  # for an implied unit: the line of the note that names it
    # What the agency id is qualified by: the region, or doc:<hash> for a document whose region is
    # unknown (its units are never merged with the same-named units of another document).
    scope: str = ""


@dataclass
class Annotation:
    """A responsibility annotation such as 〔责任单位：A、B，C〕 found in a task's text."""

    raw: str  # the bracketed text as printed
    label: str  # 责任单位, 牵头单位, ...
    units: list[UnitRef]
    start: int  # offset of the opening bracket in the paragraph text
    end: int  # offset just past the closing bracket
    deadline: str = ""
    rules: list[str] = field(default_factory=list)  # the plan's listing rule, when stated here


@dataclass
class Section:
    """A heading of the outline: 第一章, 一、, （一）, 1., 专栏3 ..."""

    ordinal: int
    kind: str  # chapter, section, box, cn, paren_cn, arabic, paren_arabic
    number: str  # as printed: "一", "（一）", "3", "专栏 3"
    title: str
    level: int
    line: int
    parent: int | None  # ordinal of the parent section, None for top level
    excluded: bool = False  # background/goal chapters that hold no tasks


@dataclass
class Task:
    """A numbered task or sub-item of a plan, with its responsibility annotation."""

    ordinal: int
    section: int | None  # ordinal of the section holding it
    number: str
    title: str
    text: str
    line_start: int
    line_end: int
    annotation: str = ""
    units: list[UnitRef] = field(default_factory=list)
    deadline: str = ""
    # Filled by graph_build.enrich at parse time (so the parse cache keeps them):
    targets: list = field(default_factory=list)  # graph_build.targets.Target
    topics: list = field(default_factory=list)  # graph_build.topics.TopicTag
    projects: list[tuple[str, str]] = field(default_factory=list)  # (canonical, printed)
    rules: list[str] = field(default_factory=list)  # listing rules stated in its annotation (下同)
    implied: list[UnitRef] = field(default_factory=list)  # supporters a standing note attaches


@dataclass
class DocumentMeta:
    """What a plan says about itself: title, issuer, number, date, region, period."""

    title: str = ""
    issuer: str = ""
    issuer_role: str = "issuer"
    number: str = ""
    date: str = ""
    region: str = ""
    level: str = ""
    period: str = ""
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # the plan's listing rules ("列第一位者为牵头单位")


@dataclass
class ParsedDocument:
    """Everything parsed from one source: metadata, outline and tasks."""

    source: SourceText
    meta: DocumentMeta
    sections: list[Section]
    tasks: list[Task]
    content_hash: str
    goals: list[tuple[str, int]] = field(default_factory=list)  # goal paragraphs and their first line
    indicator_rows: list = field(default_factory=list)  # graph_build.indicators.TableRow
    goal_targets: list[tuple[object, int]] = field(default_factory=list)  # (Target, line) of goals
    table_units: dict[int, list[UnitRef]] = field(default_factory=dict)  # row index → resolved units
