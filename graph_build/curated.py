"""Load the curated tables under ``data/`` (shipped as the ``respgraph.data`` package).

Curated facts (annotation labels, agency aliases, outline keywords) live in YAML/CSV so that a
reviewer reads a diff of facts, not of code. Each loader validates what it reads and fails
loudly on a malformed table.
"""
from __future__ import annotations

import csv
import functools
import io
from importlib import resources
from pathlib import Path

import yaml
from respgraph.errors import WorkFailed


class CuratedDataError(ValueError, WorkFailed):
    """A curated table under data/ is malformed (duplicate alias, unknown kind, ...)."""


def data_dir() -> Path:
    """The folder holding the curated tables and the bundled plans."""
    return Path(str(resources.files("respgraph.data")))


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    """A YAML table from data/, parsed once per process."""
    path = data_dir() / name
    with open(path, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict):
        raise CuratedDataError(f"{path}: expected a mapping at the top level")
    return loaded


@functools.lru_cache(maxsize=None)
def load_csv(name: str) -> tuple[dict, ...]:
    """A CSV table from data/ as a tuple of row dicts (comment lines starting with # skipped)."""
    path = data_dir() / name
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows = tuple(
        {key: (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(body))
    )
    return rows


def bundled_plans() -> list[Path]:
    """The five source plans shipped with respgraph, in a stable order."""
    return sorted((data_dir() / "plans").glob("*.txt"))
