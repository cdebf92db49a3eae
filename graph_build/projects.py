"""Find named projects and facilities in task text (福建人工智能计算中心, 厦门鲲鹏超算中心, ...).

Names come from two places: the curated aliases in data/projects.csv (so that one project
spelled two ways is one node), and a pattern for the way plans name facilities: a place or
programme prefix, a short name, and a facility word (计算中心, 产业园, 创新中心, 实验室 ...).
The named items of a 专栏 box are projects too; the outline passes them in.
"""
from __future__ import annotations

import functools
import re

from .curated import load_csv
from .resolve import normalise_name

PREFIXES = "福建|福州|厦门|泉州|漳州|莆田|三明|南平|龙岩|宁德|平潭|数字福建|海丝|海峡|东南|国家|中国|全国|省"
FACILITIES = ("超算中心|计算中心|算力中心|大数据中心|数据中心|产业园|科技园|创新中心|创新实验室|实验室|"
              "研究院|骨干直联点|数据港|示范区|先导区")
PATTERN = re.compile(
    rf"(?:{PREFIXES})[^，。、；：:,;\s“”\"（）()《》]{{0,14}}?(?:（[^）]{{1,8}}）[^，。、；：\s]{{0,8}}?)?(?:{FACILITIES})"
)


# A match containing one of these is a sentence fragment, not a name ("莆田建设平台经济示范区").
NOT_IN_NAMES = re.compile(r"建设|设立|创建|推进|打造|加快|支持|和|及|等|以上|一批")
GENERIC_PREFIX = re.compile(r"^(国家|全国|省)")
GENERIC_MIN_LENGTH = 10  # "国家重点实验室" is a designation; "国家新能源汽车技术创新中心" a facility


def is_name(printed: str) -> bool:
    """Whether a pattern match reads as a proper name rather than a designation or a clause."""
    if len(printed) < 6 or NOT_IN_NAMES.search(printed):
        return False
    return not (GENERIC_PREFIX.match(printed) and len(printed) < GENERIC_MIN_LENGTH)


@functools.lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Normalised alias → canonical project name."""
    return {normalise_name(row["alias"]): row["project"] for row in load_csv("projects.csv")}


def canonical_project(name: str) -> str:
    return aliases().get(normalise_name(name), normalise_name(name))


def find_projects(text: str) -> list[tuple[str, str]]:
    """(canonical, printed) of every named project in ``text``, in order of first mention."""
    compact = re.sub(r"\s+", "", text)
    found: dict[str, str] = {}
    for alias, project in aliases().items():
        if alias in compact and project not in found:
            found[project] = alias
    for match in PATTERN.finditer(compact):
        printed = match.group(0)
        canonical = canonical_project(printed)
        if is_name(printed) and canonical not in found and not any(canonical in f for f in found):
            found[canonical] = printed
    order = {name: compact.find(printed) for name, printed in found.items()}
    return sorted(found.items(), key=lambda item: (order[item[0]], item[0]))
