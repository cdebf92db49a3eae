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


@functools.lru_cache(maxsize=1)
def _keyword_index() -> tuple[dict[tuple[str, str], tuple[str, ...]], dict[str, tuple[str, ...]], frozenset[str]]:
    """(first two characters → keywords, keyword → topics, one-character keywords).

    A keyword can only occur where its first two characters do, so a task's set of
    character pairs narrows 127 keywords to the few worth an ``in`` test.
    """
    by_head: dict[tuple[str, str], set[str]] = {}
    topics: dict[str, list[str]] = {}
    for topic, words in taxonomy().items():
        for word in words:
            topics.setdefault(word, []).append(topic)
            if len(word) >= 2:
                by_head.setdefault((word[0], word[1]), set()).add(word)
    singles = frozenset(word for word in topics if len(word) < 2)
    return ({head: tuple(sorted(words)) for head, words in by_head.items()},
            {word: tuple(names) for word, names in topics.items()}, singles)


def _keywords_in(text: str) -> set[str]:
    """The taxonomy keywords occurring in ``text`` (already simplified and case-folded)."""
    by_head, _, singles = _keyword_index()
    heads = set(zip(text, text[1:]))
    found = {word for head in heads.intersection(by_head) for word in by_head[head] if word in text}
    return found | {word for word in singles if word in text}


def tag_task(title: str, text: str) -> list[TopicTag]:
    """Topics of a task, strongest evidence first, then in taxonomy order."""
    in_title = _keywords_in(to_simplified(title).casefold())
    in_text = _keywords_in(to_simplified(text).casefold())
    topics_of = _keyword_index()[1]
    hit_topics = {topic for keyword in in_title | in_text for topic in topics_of[keyword]}
    tags = []
    for topic, keywords in taxonomy().items():
        if topic not in hit_topics:
            continue
        found = tuple(k for k in keywords if k in in_title or k in in_text)
        titled = any(k in in_title for k in keywords)
        strength = "title" if titled else ("text" if sum(k in in_text for k in keywords) >= 2 else "weak")
        tags.append(TopicTag(topic, found, strength))
    order = {"title": 0, "text": 1, "weak": 2}
    return sorted(tags, key=lambda t: order[t.strength])
