"""Shared fixtures: the bundled plans parsed and built once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

from respgraph import graph_build
from respgraph.graph_build.model import SourceText
from respgraph.graph_build.parse import parse_document

PLANS = {
    "fujian2020": "fujian_2020_new_infrastructure_3yr_plan.txt",
    "fuzhou": "fuzhou_2023_new_infrastructure_3yr_plan.txt",
    "quanzhou": "quanzhou_2023_new_infrastructure_3yr_plan.txt",
    "fujian14": "fujian_14th_fyp_digital_fujian_plan.txt",
    "xiamen": "xiamen_2023_new_infrastructure_3yr_plan.txt",
}


def plan_path(key: str) -> Path:
    return graph_build.curated.data_dir() / "plans" / PLANS[key]


@pytest.fixture(scope="session")
def parsed():
    """Every bundled plan parsed, by short key."""
    out = {}
    for key in PLANS:
        path = plan_path(key)
        out[key] = parse_document(SourceText(str(path), path.read_text(encoding="utf-8")))
    return out


@pytest.fixture(scope="session")
def graph():
    """The responsibility graph of the five bundled plans."""
    return graph_build.build(graph_build.bundled_plans())


@pytest.fixture(scope="session")
def engine(graph, tmp_path_factory):
    """The bundled graph loaded into an embedded (LadybugDB) database, opened read-only."""
    from respgraph.queries import cypher_engine

    db_path = tmp_path_factory.mktemp("lbdb") / "graph.lbdb"
    cypher_engine.build_database(graph, db_path)
    with cypher_engine.EmbeddedEngine(db_path) as opened:
        yield opened


def named(engine, name, **params):
    """Rows of a named query of the Cypher library."""
    from respgraph.queries import library

    return library.run(engine, name, params).rows


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """An empty RESPGRAPH_HOME, so CLI tests build the bundled plans on first use."""
    monkeypatch.setenv("RESPGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RESPGRAPH_GRAPH", raising=False)
    return tmp_path / "home"


def task_by_number(doc, number):
    matches = [t for t in doc.tasks if t.number == number]
    assert len(matches) == 1, f"{number}: {len(matches)} tasks"
    return matches[0]
