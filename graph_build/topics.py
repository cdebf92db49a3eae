"""Tag tasks with topics from the curated taxonomy in data/topics.csv, keeping the evidence.

A keyword in the task's title, or two distinct keywords of a topic in its text, make a strong
tag; a single keyword in the text is a weak tag (a 5G task that lists 医疗、教育 as application
areas is not a 智慧医疗 task). Matching runs on simplified characters (opencc), so plans in
traditional characters are tagged alike.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .curated import CuratedDataError, load_csv
from .resolve import to_simplified


@dataclass(frozen=True)
class TopicTag:
    topic: str
    evidence: tuple[str, ...]  # the keywords found, in taxonomy order
    strength: str  # "title", "text" (two or more keywords) or "weak"


@functools.lru_cache(maxsize=1)
def taxonomy() -> dict[str, tuple[str, ...]]:
    """Topic → keywords (case-folded), validated: no keyword listed twice under one topic."""
    topics: dict[str, list[str]] = {}
    for row in load_csv("topics.csv"):
        keywords = topics.setdefault(row["topic"], [])
        keyword = row["keyword"].casefold()
        if keyword in keywords:
            raise CuratedDataError(f"data/topics.csv: {row['keyword']!r} listed twice for {row['topic']}")
        keywords.append(keyword)
    return {topic: tuple(words) for topic, words in topics.items()}


def tag_task(title: str, text: str) -> list[TopicTag]:
    """Topics of a task, strongest evidence first, then in taxonomy order."""
    title_key = to_simplified(title).casefold()
    text_key = to_simplified(text).casefold()
    tags = []
    for topic, keywords in taxonomy().items():
        in_title = [k for k in keywords if k in title_key]
        in_text = [k for k in keywords if k in text_key]
        found = tuple(k for k in keywords if k in in_title or k in in_text)
        if not found:
            continue
        strength = "title" if in_title else ("text" if len(in_text) >= 2 else "weak")
        tags.append(TopicTag(topic, found, strength))
    order = {"title": 0, "text": 1, "weak": 2}
    return sorted(tags, key=lambda t: order[t.strength])
