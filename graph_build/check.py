"""Say when a reading is unsure: findings about parsed plans, with no graph built.

``check_paths`` reads and parses each plan (as a build does) and returns one ``Finding`` per
thing an analyst should look at; ``check_document`` does the same for one ParsedDocument.
Findings are output, not errors: a plan that cannot be read is a ``failed`` finding.

Kinds, in the order they are reported for each document:

- ``failed``: the file could not be read or parsed (the reader's one-line reason);
- ``summary``: annotated tasks, tasks without units, region and title (one per document);
- ``region-unknown``: no region was found, so the document's units are not tied to a city or
  province and are kept to that document;
- ``no-annotations``: no task carries an annotation although the text holds role words or
  labels (``（X牵头，Y配合）``, ``责任单位：``): nothing of the plan is attributed, never silently;
- ``missed-annotation``: a bracket （…）〔〕()【】〈〉 that holds a label or a run of units closed by a
  role word, but is not part of any task's annotation;
- ``suspicious-unit``: a unit longer than 30 characters, or holding 。/下同/不再列出/以下, or
  ending in a role word (牵头, 配合, 负责 …): a note, a sentence or a role read as a name;
- ``unknown-unit``: a unit that resolves to nothing known: the curated agency table does not know
  it and its name gives no function, government or collective kind (a guessed function counts
  as known, so 市统计局 of an uncurated city is not reported);
- ``repeated-number``: two tasks of a document with the same number inside the same groups
  (``二（一）2`` twice), which an analyst cannot tell apart.

Labels and role words are the data of data/annotation.yaml, the same the parser reads.
Document-level findings have line 0.
"""
from __future__ import annotations

import functools
import os
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from respgraph.errors import UsageProblem
from .curated import load_yaml
from .annotation import standing_note
from .headings import simplified
from .model import ParsedDocument, Task, UnitRef
from .resolve import has_function

KINDS = ("failed", "summary", "region-unknown", "no-annotations", "missed-annotation", "suspicious-unit",
         "unknown-unit", "repeated-number")

OPENERS = "（(〔【〈［["
CLOSERS = "）)〕】〉］]"  # any closes any: plans mix them (泉州 prints 〔责任单位：…])
BRACKET_MAX = 200  # characters inside a bracket (whitespace not counted): longer is prose
UNIT_MAX = 30  # characters of a unit name: longer is a clause read as a name
SHOWN_MAX = 80  # characters of a missed annotation quoted in its finding
UNIT_HOLDS = ("。", "下同", "不再列出", "以下")  # a note or a sentence read as a unit
# Brackets that are never annotations, whatever they hold: years and periods (（2023—2025年）),
# figures, short forms (（以下简称…）), and (试行)-style marks.
NOT_ANNOTATION = re.compile(
    r"[\d０-９]{4}\s*年?\s*(?:[-—–~～至到]+\s*[\d０-９]{4}\s*年?)?|[\d０-９.．%％]+|以下简称.*|简称.*|试行|暂行|草案|征求意见稿")
_BRACKET = re.compile(f"[{re.escape(OPENERS + CLOSERS)}]")
_SPACE = re.compile(r"[\s*]+")
CLAUSE_SEPARATORS = "，,；;。"


class CheckInputError(ValueError, UsageProblem):
    """The paths to check name nothing to read (missing path, empty folder)."""


@dataclass(frozen=True)
class Finding:
    """One thing to look at: where (file, 1-based line, 0 for the whole document) and what."""

    file: str
    line: int
    kind: str
    message: str

    def as_row(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=None)
def _grammar() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(labels, role words longest first) from data/annotation.yaml."""
    config = load_yaml("annotation.yaml")
    labels = tuple(sorted({label for key in ("mixed_labels", "lead_labels", "support_labels", "deadline_labels")
                           for label in config.get(key) or []}, key=len, reverse=True))
    words = config.get("role_words") or {}
    roles = tuple(sorted({word for group in words.values() for word in group or []}, key=len, reverse=True))
    return labels, roles


@functools.lru_cache(maxsize=None)
def _patterns() -> dict[str, re.Pattern[str] | None]:
    """The grammar as regexes: a label opening a bracket or followed by a colon; a role word closing
    a clause after at least one character."""
    labels, roles = _grammar()
    label = "|".join(map(re.escape, labels))
    role = "|".join(map(re.escape, roles))
    separators = re.escape(CLAUSE_SEPARATORS)
    return {
        "label": re.compile(f"^(?:{label})|(?:{label})[:：]") if labels else None,
        "role": re.compile(f"[^{separators}]({role})(?=[{separators}]|$)") if roles else None,
        # A bracket without one of these characters can hold neither (most brackets: years, 含…).
        "any": re.compile("[" + re.escape("".join(sorted({word[-1] for word in labels + roles}))) + "]"),
    }


@functools.lru_cache(maxsize=None)
def _bare_label_pattern() -> re.Pattern[str] | None:
    labels = _grammar()[0]
    return re.compile("(?:" + "|".join(map(re.escape, labels)) + ")[ \t　]*[:：]") if labels else None


def normalise(text: str) -> str:
    """Text as compared: no whitespace or markdown emphasis (reflow joins lines and drops them)."""
    return _SPACE.sub("", text)


def brackets(text: str) -> list[tuple[int, int]]:
    """(start, end) of the outermost brackets of ``text`` at most BRACKET_MAX characters long.

    Any opener pairs with any closer (plans mix （…) ), nested brackets included. A bracket
    that is too long, or not closed within reach, does not count: the brackets inside it do.
    """
    reach = BRACKET_MAX * 3  # raw characters: line breaks and indentation do not count
    closed: list[tuple[int, int]] = []
    stack: list[int] = []
    for mark in _BRACKET.finditer(text):
        position = mark.start()
        if mark.group() in OPENERS:
            while stack and position - stack[0] > reach:
                del stack[0]  # never closed: what follows is not inside it
            stack.append(position)
        elif stack:
            start = stack.pop()
            end = position + 1
            if end - start - 2 <= BRACKET_MAX or len(normalise(text[start + 1:position])) <= BRACKET_MAX:
                closed.append((start, end))
    closed.sort()
    spans: list[tuple[int, int]] = []
    for start, end in closed:
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def annotation_hint(content: str) -> str:
    """What makes a bracket's content (in simplified characters) look like an annotation:
    "label 责任单位", "role word 牵头", or ""."""
    patterns = _patterns()
    if not patterns["any"].search(content):
        return ""
    content = normalise(content)
    if NOT_ANNOTATION.fullmatch(content):
        return ""
    if standing_note(content) is not None:
        return ""  # a standing note ("以下各项任务均需…落实，不再列出") is read as a note
    found = patterns["label"].search(content) if patterns["label"] else None
    if found:
        return "label " + found.group().rstrip(":：")
    found = patterns["role"].search(content) if patterns["role"] else None
    if found:
        return "role word " + found.group(1)
    return ""


class _Lines:
    """Text offset → 1-based line number (the line starts found on first use)."""

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] | None = None

    def at(self, offset: int) -> int:
        if self.starts is None:
            self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return bisect_right(self.starts, offset)


def annotation_marks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, hint) of every bracket of ``text`` that looks like an annotation, and of
    every label printed with a colon outside brackets (丽水 prints ``责任单位:市发改委`` on a
    line of its own), to the end of its line; in order."""
    shadow = _simplified(text)  # same length and offsets: traditional plans read alike
    spans = brackets(text)
    found = []
    for start, end in spans:
        hint = annotation_hint(shadow[start + 1:end - 1])
        if hint:
            found.append((start, end, hint))
    pattern = _bare_label_pattern()
    starts = [start for start, _ in spans]
    for match in pattern.finditer(shadow) if pattern else ():
        index = bisect_right(starts, match.start()) - 1
        if index >= 0 and match.start() < spans[index][1]:
            continue  # inside a bracket: the bracket is checked as a whole
        end = text.find("\n", match.end())
        found.append((match.start(), len(text) if end < 0 else end,
                      "label " + match.group().rstrip(":：").strip()))
    return sorted(found)


def _simplified(text: str) -> str:
    """``headings.simplified``, skipped for a text of GB2312 characters only (no traditional
    character to convert; most plans, and 0.3 ms a plan saved)."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return simplified(text)
    return text


def _probe(printed: str) -> str:
    """The part of a mark that the annotation read from it must hold: a bracket whole, a bare
    label with the start of its list (the line may go on with prose the annotation stops before)."""
    probe = normalise(printed)
    if probe[:1] in OPENERS:
        return probe
    return re.split(f"[{CLAUSE_SEPARATORS}]", probe, maxsplit=1)[0][:40]


def _joined(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and out[-1].isdigit() and part[:1].isdigit():
            out += "."
        out += part
    return out


def qualified_number(task: Task, parents: dict[int, tuple[int | None, str]]) -> str:
    """The task's number qualified by the numbers of its enclosing groups: 二（一）2.

    A number the parser already qualified (all of its groups, or the nearest ones) is not
    qualified twice.
    """
    chain: list[str] = []
    ordinal = parents[task.section][0] if task.section in parents else None
    while ordinal is not None and ordinal in parents:
        ordinal, number = parents[ordinal]
        chain.append(number)
    chain.reverse()
    for index in range(len(chain)):
        prefix = _joined(chain[index:])
        rest = task.number[len(prefix):]
        if task.number.startswith(prefix) and not (prefix[-1:].isdigit() and rest[:1].isdigit()):
            return _joined(chain[:index] + [task.number])
    return _joined(chain + [task.number])


def _line(finding: Finding) -> int:
    return finding.line


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def check_document(doc: ParsedDocument, file: str | None = None) -> list[Finding]:
    """Every finding about one parsed plan, in the order of KINDS, then by line."""
    file = file or doc.source.path
    text = doc.source.text
    lines = _Lines(text)
    tasks = doc.tasks
    annotated = [t for t in tasks if t.annotation]
    unitless = [t for t in tasks if not t.units]
    meta = doc.meta
    region = meta.region or "region unknown"
    title = meta.title or "title unknown"
    background = _background(doc)
    aside = f" ({len(background)} in groups with no annotation, such as 保障措施)" if background else ""
    findings = [Finding(file, 0, "summary",
                        f"{_plural(len(tasks), 'task')}: {len(annotated)} annotated, {len(unitless)} without "
                        f"units{aside}; {region}; {title}")]
    if not meta.region:
        findings.append(Finding(file, 0, "region-unknown",
                                "no region found (issuer or title): this document's units are not tied to a "
                                "city or province and are kept to this document"))

    marks = annotation_marks(text)
    if not annotated and marks:
        findings.append(Finding(file, 0, "no-annotations",
                                f"no annotated task, but role words or labels are printed "
                                f"{_plural(len(marks), 'time')} (first at line {lines.at(marks[0][0])}): "
                                "no task of this plan is attributed to a unit"))
    read = _ReadAnnotations(annotated)
    for start, end, hint in marks:
        if not read.holds(_probe(text[start:end]), lines.at(start)):
            shown = " ".join(text[start:end].split())
            shown = shown if len(shown) <= SHOWN_MAX else shown[:SHOWN_MAX - 1] + "…"
            findings.append(Finding(file, lines.at(start), "missed-annotation",
                                    f"{shown} holds the {hint} but was not read as an annotation"))

    findings.extend(_unit_findings(file, tasks))
    findings.extend(_repeated_numbers(file, doc))
    return findings


class _ReadAnnotations:
    """The annotations the parser read, by the lines of their tasks."""

    def __init__(self, annotated: list[Task]):
        ordered = sorted(annotated, key=lambda task: task.line_start)
        self.starts = [task.line_start for task in ordered]
        self.tasks = [(task.line_end, normalise(task.annotation)) for task in ordered]

    def holds(self, probe: str, line: int) -> bool:
        """Whether a task whose lines cover ``line`` read ``probe`` (the same annotation printed
        again for another item does not count)."""
        for index in range(bisect_right(self.starts, line) - 1, -1, -1):
            line_end, annotation = self.tasks[index]
            if line <= line_end and probe in annotation:
                return True
        return False


def _background(doc: ParsedDocument) -> list[Task]:
    """Unannotated tasks of groups that hold no annotation (保障措施, 附则) in an annotated plan,
    as the outline tells them apart (none when this parser version does not)."""
    from . import outline

    background = getattr(outline, "background_tasks", None)
    return background(doc.tasks, doc.sections) if background is not None else []


def suspicious_reason(name: str) -> str:
    """Why a unit name looks like something else than a unit, or ""."""
    if len(name) > UNIT_MAX:
        return f"longer than {UNIT_MAX} characters"
    held = next((word for word in UNIT_HOLDS if word in name), "")
    if held:
        return f"holds {held}"
    ends = _grammar()[1]
    if name.endswith(ends):
        return "ends in " + next(word for word in ends if name.endswith(word))
    return ""


def _unit_findings(file: str, tasks: list[Task]) -> list[Finding]:
    """suspicious-unit and unknown-unit: once per name and document, at its first task."""
    first: dict[str, tuple[int, UnitRef]] = {}
    count: Counter[str] = Counter()
    for task in tasks:
        for unit in task.units:
            count[unit.name] += 1
            first.setdefault(unit.name, (task.line_end, unit))
    suspicious, unknown = [], []
    for name, (line, unit) in first.items():
        reason = suspicious_reason(name)
        if reason:
            suspicious.append(Finding(file, line, "suspicious-unit",
                                      f"{name}: {reason} ({_plural(count[name], 'task')})"))
        elif not unit.resolved and not has_function(unit.kind, unit.function):
            unknown.append(Finding(file, line, "unknown-unit",
                                   f"{name}: resolves to nothing known ({_plural(count[name], 'task')}): not in the "
                                   f"agency table and no function guessed from its name (kind {unit.kind or 'none'})"))
    return sorted(suspicious, key=_line) + sorted(unknown, key=_line)


def _repeated_numbers(file: str, doc: ParsedDocument) -> list[Finding]:
    printed = Counter(task.number for task in doc.tasks)
    if all(count == 1 for count in printed.values()):
        return []  # qualifying distinct numbers keeps them distinct
    parents = {s.ordinal: (s.parent, s.number) for s in doc.sections}
    seen: dict[str, list[Task]] = {}
    for task in doc.tasks:
        if task.number and printed[task.number] > 1:
            seen.setdefault(qualified_number(task, parents), []).append(task)
    findings = []
    for number, same in seen.items():
        if len(same) > 1:
            where = ", ".join(str(t.line_start) for t in same)
            findings.append(Finding(file, same[1].line_start, "repeated-number",
                                    f"task number {number} is used by {len(same)} tasks (lines {where})"))
    return sorted(findings, key=_line)


def counts(findings: list[Finding]) -> Counter[str]:
    """Findings per kind, without the summary: what `respgraph build` prints in short."""
    return Counter(f.kind for f in findings if f.kind != "summary")


def check_paths(paths: list[str | os.PathLike]) -> list[Finding]:
    """Findings for every plan file named or found under the folders named, in file order.

    Nothing is built and nothing is written. A file that cannot be read or parsed is a
    ``failed`` finding. Raises CheckInputError (bad input, not a finding) for a path that does
    not exist, or when no plan file is given or found.
    """
    from . import file_label
    from .cache import parse_path
    from .parse import NoTasksError
    from .read import SourceError, expand_paths

    if not paths:
        raise CheckInputError("no path given")
    for path in paths:
        if not Path(path).exists():
            raise CheckInputError(f"{path}: no such file or folder")
    files = expand_paths(list(paths))
    if not files:
        raise CheckInputError("no plan files (.txt, .md, .docx, .pdf, .html …) in " + ", ".join(map(str, paths)))
    findings: list[Finding] = []
    for path in files:
        label = file_label(path)
        try:
            doc = parse_path(path)
        except (SourceError, NoTasksError) as error:
            reason = str(error).splitlines()[0]
            if reason.startswith(f"{path}: "):
                reason = reason[len(f"{path}: "):]
            findings.append(Finding(label, 0, "failed", reason))
            continue
        except Exception as error:  # noqa: BLE001 - a parser error on one plan never stops the check
            reason = str(error).splitlines()[0] if str(error) else ""
            findings.append(Finding(label, 0, "failed", f"the parser failed: {error.__class__.__name__} {reason}".strip()))
            continue
        findings.extend(check_document(doc, label))
    return findings
