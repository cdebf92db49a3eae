"""What a plan says about itself: title, issuer, document number, date, region, period.

Government plans come as a notice (通知: issuer, 文号, date) wrapping the plan proper, whose
own title line starts the body. A copy from a preview site can stop early (the 2020 provincial
copy ends at "预览已结束"): that is a warning, not an error.

Keywords are matched on a simplified shadow of the text (``headings.simplified``), so a plan in
traditional characters (關於印發…行動計劃的通知) is read the same way; the title, issuer and
document number keep the printed characters, the region is given in simplified form.
"""
from __future__ import annotations

import re
import unicodedata

from .curated import load_csv, load_yaml
from .headings import match_heading, simplified
from .model import DocumentMeta
from .reflow import clean_line

PLAN_SUFFIX = re.compile(r"(行动计划|行动方案|实施方案|工作方案|专项规划|发展规划|规划|计划|方案|纲要|意见|责任分解|任务分解|任务分工|工作要点|任务清单|责任清单|实施细则|若干政策|若干措施|政策措施)$")
YEAR_NOTE = re.compile(r"[（(]\s*\d{4}\s*年?(?:度)?\s*[）)]$")  # "责任分解(2023年)"
PERIOD = re.compile(r"[（(]\s*(\d{4})\s*[—\-–－~〜至到]+\s*(\d{4})\s*年?\s*[）)]")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8})\s*[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*(\d+)\s*号")
DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
COMPILER = re.compile(r"由(.{2,30}?)(?:牵头)?(?:组织)?编制")
HEAD_LINES = 60  # the notice and title sit in the first lines of every plan


def normalise_title(text: str) -> str:
    """Title without extraction spaces, with full-width brackets: "方案 (2023—2025年)" → "方案（2023—2025年）"."""
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）")


def find_title(lines: list[str]) -> tuple[str, int, int]:
    """The plan's own title and the 0-based range of lines it spans.

    The title is the first short line ending in a plan word (行动计划, 专项规划, ...) that is not
    the notice's "关于印发…的通知"; a period in brackets on the next line belongs to it.
    """
    head = [clean_line(line)[0] for line in lines[:HEAD_LINES]]
    for index, text in enumerate(head):
        bare = re.sub(r"\s+", "", text)
        shadow = simplified(bare)
        candidate = YEAR_NOTE.sub("", PERIOD.sub("", shadow))
        if not candidate or len(candidate) > 40 or any(w in shadow for w in ("关于", "通知", "印发", "《")):
            continue
        if match_heading(text):
            continue  # "四、保障措施" is a heading, not the title
        if not PLAN_SUFFIX.search(candidate):
            continue
        end = index
        if not PERIOD.search(bare):
            following = next(((j, t) for j, t in enumerate(head[index + 1:], index + 1) if t), None)
            if following and PERIOD.fullmatch(re.sub(r"\s+", "", following[1])):
                bare += re.sub(r"\s+", "", following[1])
                end = following[0]
        return normalise_title(bare), index, end
    return "", -1, -1


NOTICE = re.compile(r"^(?P<issuer>.{2,40}?)关于(?:印发|转发|印送)(?:《(?P<quoted>[^》]{2,80})》|(?P<plain>.{2,80}?))的通知$")
OWN_TITLE = re.compile(r"^(?P<issuer>.{2,40}?)关于.{2,80}的(?:若干|实施|指导)?(?:意见|决定|办法|规定|措施)$")
ISSUER_END = re.compile(r"(?:国务院|办公厅|办公室|人民政府|政府|委员会|厅|局|委|办|部|署|中心|管委会)$")


def notice_heading(lines: list[str]) -> tuple[str, str, int]:
    """(title, issuer, last line index) of a notice or opinion heading at the top of a document.

    "山东省人民政府办公厅关于印发数字山东2019行动方案的通知" gives the plan's title and its issuer;
    "国务院关于做好当前和今后一个时期 / 促进就业工作的若干意见" (国发〔2018〕39号, printed on two
    lines) is a document titled by its own heading. Only the first few non-empty lines count:
    a 《…》 further down is a document the plan cites, never its title.
    """
    head = [(i, re.sub(r"\s+", "", clean_line(line)[0])) for i, line in enumerate(lines[:12])]
    head = [(i, t) for i, t in head if t][:5]
    for start in range(len(head)):
        for span in (1, 2, 3):
            if start + span > len(head):
                break
            joined = "".join(t for _, t in head[start:start + span])
            if len(joined) > 120:
                break
            shadow = simplified(joined)
            found = NOTICE.match(shadow)
            if found:
                group = "quoted" if found.group("quoted") else "plain"
                title = joined[found.start(group):found.end(group)]
                return normalise_title(title), joined[:found.end("issuer")], head[start + span - 1][0]
            found = OWN_TITLE.match(shadow)
            if found and ISSUER_END.search(found.group("issuer")):
                return normalise_title(joined), joined[:found.end("issuer")], head[start + span - 1][0]
    return "", "", -1


FOOTER = re.compile(r"^(?P<issuer>\S{2,30}?)(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日印发$")


def signature(lines: list[str]) -> tuple[str, str]:
    """(issuer, YYYY-MM-DD) from the end of a document: the signature (an issuer line, then a
    date line) or the 印发 footer ("山东省人民政府办公厅2019年3月15日印发"); full-width digits
    are read as digits (济南 2019: "2019年１月３日印发")."""
    tail = [unicodedata.normalize("NFKC", re.sub(r"\s+", "", clean_line(line)[0])) for line in lines[-15:]]
    tail = [t for t in tail if t]
    for index, text in enumerate(tail):
        date = DATE.match(text)
        if date and index > 0 and len(tail[index - 1]) <= 30 and ISSUER_END.search(tail[index - 1]):
            return tail[index - 1], "{:04d}-{:02d}-{:02d}".format(*map(int, date.groups()))
    for text in reversed(tail):
        footer = FOOTER.match(text)
        if footer:
            return footer.group("issuer"), "{:04d}-{:02d}-{:02d}".format(
                int(footer.group("year")), int(footer.group("month")), int(footer.group("day")))
    return "", ""


def _first_match(lines: list[str], start: int, patterns: list[re.Pattern[str]]) -> int:
    """Index of the first line from ``start`` that one of ``patterns`` finds, else len(lines).

    The patterns are searched as one alternation: this scans every line of every plan.
    """
    if not patterns:
        return len(lines)
    combined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    for index in range(start, len(lines)):
        if combined.search(simplified(clean_line(lines[index])[0])):
            return index
    return len(lines)


def find_body_end(lines: list[str], start: int) -> int:
    """Index of the first line after the plan body (annex, distribution list, preview wall).

    An annex holding a task-division table (附件：重点任务分工表) is part of the body: its rows
    are tasks. The body then ends at the distribution list or the end of the file.
    """
    from .tables import find_task_tables

    config = load_yaml("outline.yaml")
    ends = [re.compile(p) for p in config["body_end_patterns"]]
    annexes = [re.compile(p) for p in config["annex_patterns"]]
    first = max(start, 0) + 1
    end = _first_match(lines, first, ends)
    annex = _first_match(lines[:end], first, annexes)
    if annex < end and find_task_tables(lines[annex:end]):
        return end
    return min(annex, end)


def region_of(title: str) -> tuple[str, str]:
    """Region name and level (province/city/county) from the start of the title."""
    title = simplified(title)
    for row in load_csv("regions.csv"):
        if title.startswith(row["name"]):
            return row["name"], row["level"]
        if row["short"] and title.startswith(row["short"]) and title[len(row["short"]):][:1] not in "区县旗":
            return row["name"], row["level"]  # 朝阳区 is a district, not 朝阳市
    found = re.match(r"^(.{2,6}?(?:自治区|省|市|自治州|州|县|区))", title)
    if not found:
        return "", ""
    name = found.group(1)
    if re.search(r"(?:社区|园区|小区|城区|景区|片区|街区|矿区|营区|校区|开发区|示范区|试验区|集聚区)$", name):
        return "", ""  # "智慧社区建设实施方案" names no region
    level = {"省": "province", "区": "county", "县": "county"}.get(name[-1], "city")
    if name.endswith("自治区"):
        level = "province"
    return name, level


def issuer_region(issuer: str) -> tuple[str, str]:
    """Region and level of an issuer: the State Council and its ministries are national."""
    shadow = simplified(issuer)
    if not shadow:
        return "", ""
    if shadow.startswith(tuple(load_yaml("outline.yaml")["national_issuers"])):
        return "全国", "national"
    return region_of(shadow)


def region_from_text(text: str, unit_names: list[str]) -> tuple[str, str]:
    """Region and level of a plan that prints neither title nor issuer (a copy that starts with
    its body): the level its units speak of (省大数据局 → province, 市工信局 → city) and the
    region of that level the text names most often, if one does (山东 2021: 山东 ×N)."""
    prefixes = [name[0] for name in unit_names if name[:1] in ("省", "市")]
    if not prefixes:
        return "", ""
    level = "province" if prefixes.count("省") > prefixes.count("市") else "city"
    shadow = simplified(text)
    counts = []
    for row in load_csv("regions.csv"):
        if row["level"] == level:
            found = shadow.count(row["short"] or row["name"])
            if found:
                counts.append((-found, row["name"]))
    counts.sort()
    if counts and (len(counts) == 1 or counts[0][0] < counts[1][0]):
        return counts[0][1], level
    return "", ""


def parse_metadata(lines: list[str]) -> tuple[DocumentMeta, int, int]:
    """Metadata of a plan, plus the 0-based line range of its body (after the title)."""
    meta = DocumentMeta()
    notice_title, notice_issuer, notice_end = notice_heading(lines)
    title, _title_start, title_end = find_title(lines)
    if notice_title and (not title or title_end <= notice_end):
        title, title_end = notice_title, max(title_end, notice_end)
    meta.title = title
    meta.region, meta.level = region_of(title)
    head = [clean_line(line)[0] for line in lines[:HEAD_LINES]]
    joined_head = simplified("".join(head))
    for text in head:
        number = DOC_NUMBER.search(simplified(text))
        if number and len(re.sub(r"\s+", "", text)) <= len(number.group(0)) + 12:  # a line of its own, not a citation
            # the printed characters: 闽政办〔2020〕32号, or 閩政辦〔2020〕32號
            meta.number = f"{text[number.start(1):number.end(1)]}〔{number.group(2)}〕{number.group(3)}{text[number.end() - 1]}"
            break
    for index, text in enumerate(head):
        date = DATE.match(re.sub(r"\s+", " ", text))
        if date and index < max(title_end, 1) + 1:
            year, month, day = date.groups()
            meta.date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
            meta.issuer = next((re.sub(r"\s+", "", t) for t in reversed(head[:index]) if t), "")
            break
    if not meta.issuer and notice_issuer:
        meta.issuer = notice_issuer
    if not meta.issuer or not meta.date:
        issuer, date = signature(lines)
        meta.issuer, meta.date = meta.issuer or issuer, meta.date or date
    if not meta.issuer:
        header = next((t for t in head if t.endswith("文件")), "")
        meta.issuer = re.sub(r"\s+", "", header)[:-2] if header else ""
    if not meta.issuer:
        opening = re.sub(r"\s+", "", "".join(clean_line(l)[0] for l in lines[:120]))
        compiler = COMPILER.search(simplified(opening))
        if compiler:
            meta.issuer, meta.issuer_role = opening[compiler.start(1):compiler.end(1)], "compiler"
    if not meta.region:
        meta.region, meta.level = issuer_region(meta.issuer)
    period = PERIOD.search(title)
    if period:
        meta.period = f"{period.group(1)}-{period.group(2)}"
    else:
        span = re.search(r"规划期为\s*(\d{4})\s*[—\-–－~至]+\s*(\d{4})", joined_head + simplified("".join(
            clean_line(l)[0] for l in lines[:120])))
        if span:
            meta.period = f"{span.group(1)}-{span.group(2)}"
        elif "十四五" in simplified(title):
            meta.period = "2021-2025"
        elif "十五五" in simplified(title):
            meta.period = "2026-2030"
    markers = load_yaml("outline.yaml")["truncation_markers"]
    for index, line in enumerate(lines):
        if any(marker in simplified(line) for marker in markers):
            meta.truncated = True
            meta.warnings.append(f"truncated copy: the text stops at a '{line.strip()[:12]}' notice (line {index + 1})")
            break
    body_start = title_end + 1 if title_end >= 0 else 0
    return meta, body_start, find_body_end(lines, body_start)
