"""Shared fixtures: the bundled plans parsed and built once per test session."""
from __future__ import annotations

import shutil
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


@pytest.fixture(scope="session")
def built_home(tmp_path_factory):
    """A RESPGRAPH_HOME with the bundled plans built (snapshot, query index, parse cache), made
    once per test run by the CLI itself; ``home`` copies it instead of building again."""
    from click.testing import CliRunner

    from respgraph.cli import cli

    folder = tmp_path_factory.mktemp("built") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESPGRAPH_HOME", str(folder))
        patch.delenv("RESPGRAPH_GRAPH", raising=False)
        result = CliRunner().invoke(cli, ["build", "--bundled"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return folder


@pytest.fixture()
def home(tmp_path, monkeypatch, built_home):
    """A RESPGRAPH_HOME of its own holding the bundled plans built: a copy of ``built_home``."""
    target = tmp_path / "home"
    shutil.copytree(built_home, target, symlinks=True)
    monkeypatch.setenv("RESPGRAPH_HOME", str(target))
    monkeypatch.delenv("RESPGRAPH_GRAPH", raising=False)
    return target


@pytest.fixture()
def empty_home(tmp_path, monkeypatch):
    """An empty RESPGRAPH_HOME, for tests of what happens on first use."""
    monkeypatch.setenv("RESPGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RESPGRAPH_GRAPH", raising=False)
    return tmp_path / "home"


def task_by_number(doc, number):
    matches = [t for t in doc.tasks if t.number == number]
    assert len(matches) == 1, f"{number}: {len(matches)} tasks"
    return matches[0]


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run the slow tests (browser, Neo4j Cypher lint, byte identity across "
                          "processes, crash and lock tests, LibreOffice); CI runs them all")


def pytest_collection_modifyitems(config, items):
    """Tests marked slow are skipped unless --runslow: a plain local `pytest` stays quick."""
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
