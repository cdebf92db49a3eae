"""The Python API (respgraph.api): the CLI's JSON answers without a subprocess, its errors, its doctests."""
from __future__ import annotations

import doctest
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import respgraph
from respgraph.cli import cli
from respgraph.errors import RespgraphError, UsageProblem, WorkFailed


def cli_json(*args):
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture()
def explorer(home):
    return respgraph.open()


def test_duties_equal_the_cli(explorer):
    rows = explorer.duties("市大数据委")
    assert rows and isinstance(rows, respgraph.Rows)
    assert list(rows) == cli_json("duties", "市大数据委")


def test_load_top_equal_the_cli(explorer):
    assert list(explorer.load(top=5)) == cli_json("load", "--top", "5")
    assert list(explorer.load(by="function", city="泉州")) == cli_json("load", "--by", "function", "--city", "泉州")


def test_tasks_equal_the_cli(explorer):
    rows = explorer.tasks(city="泉州")
    assert rows and list(rows) == cli_json("tasks", "--city", "泉州")


def test_units_docs_overlap_equal_the_cli(explorer):
    assert list(explorer.units(unresolved=True)) == cli_json("units", "--unresolved")
    assert list(explorer.docs(city="福州")) == cli_json("docs", "--city", "福州")
    assert explorer.overlap(["福州", "泉州"], topic="智慧教育") == cli_json("overlap", "福州", "泉州", "--topic", "智慧教育")


def test_answers_from_the_graph_equal_those_from_the_index(explorer):
    explorer.tasks()  # the active graph is built, with its index
    from respgraph.index import Index

    assert isinstance(respgraph.open()._rows_source(), Index)
    assert respgraph.open(respgraph.store.active_snapshot()).duties("市大数据委") == explorer.duties("市大数据委")


def test_plans_are_built_in_memory_without_touching_the_home(home):
    from respgraph.graph_build import bundled_plans

    def listing():
        return sorted((str(p), p.stat().st_mtime_ns) for p in home.rglob("*")) if home.exists() else []

    before = listing()
    plans = [p for p in bundled_plans() if "quanzhou" in str(p)]
    quanzhou = respgraph.open(plans)
    assert {row["city"] for row in quanzhou.tasks()} == {"泉州市"}
    assert quanzhou.cypher("MATCH (t:Task) RETURN count(t) AS n") == [{"n": len(quanzhou.tasks())}]
    assert listing() == before


def test_cypher_with_a_parameter(explorer):
    query = ("MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task) WHERE a.name = $unit "
             "RETURN r.role AS role, t.title AS title ORDER BY title")
    rows = explorer.cypher(query, unit="泉州市数字办")
    assert rows and rows.columns == ["role", "title"]
    assert list(rows) == cli_json("cypher", query, "-p", "unit=泉州市数字办")


def test_cypher_refuses_a_writing_query(explorer):
    from respgraph.queries.cypher_gate import QueryRefused

    with pytest.raises(QueryRefused) as refused:
        explorer.cypher("MATCH (a:Agency) SET a.name = 'x' RETURN a")
    assert isinstance(refused.value, UsageProblem)
    with pytest.raises(UsageProblem, match=r"\$unit"):
        explorer.cypher("MATCH (a:Agency) WHERE a.name = $unit RETURN a.name")
    with pytest.raises(UsageProblem):
        explorer.cypher("MATCH (a) RETURN a", timeout=0)


def test_errors_are_the_library_family(explorer):
    with pytest.raises(UsageProblem, match="福州市"):
        explorer.tasks(city="福洲")
    with pytest.raises(WorkFailed):
        explorer.duties("没有这个单位")
    with pytest.raises(UsageProblem):
        explorer.duties("大数据委", role="boss")
    with pytest.raises(UsageProblem):
        explorer.load(top=0)
    with pytest.raises(WorkFailed, match="topic"):
        explorer.overlap(topic="没有这个主题")
    with pytest.raises(WorkFailed):
        respgraph.open("missing.json")
    with pytest.raises(RespgraphError):
        explorer.html(unit="没有这个单位")


def test_html_returns_a_page(explorer, tmp_path):
    page = explorer.html(unit="市大数据委", city="福州")
    assert page._repr_html_().startswith("<iframe")
    saved = page.save(tmp_path / "page.html")
    assert saved.read_text(encoding="utf-8") == page.html


def test_to_pandas(explorer):
    pandas = pytest.importorskip("pandas", reason="pandas is not installed (pip install 'respgraph[notebook]')")
    frame = explorer.load(top=5).to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert frame["unit"].tolist() == [row["unit"] for row in explorer.load(top=5)]
    cypher = explorer.cypher("MATCH (a:Agency) RETURN a.region AS region, a.name AS name LIMIT 2").to_pandas()
    assert list(cypher.columns) == ["region", "name"]


def test_to_pandas_without_pandas_is_one_usage_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas then raises ImportError
    with pytest.raises(UsageProblem, match="pip install pandas"):
        respgraph.Rows([{"a": 1}]).to_pandas()


def test_import_stays_cheap():
    cheap = subprocess.run([sys.executable, "-c", "import sys, respgraph; print('networkx' in sys.modules, "
                            "'respgraph.api' in sys.modules)"], capture_output=True, text=True, check=True)
    assert cheap.stdout.split() == ["False", "False"]
    assert "open" in dir(respgraph)
    with pytest.raises(AttributeError):
        respgraph.no_such_thing  # noqa: B018


def test_doctests(home):
    from respgraph import api

    result = doctest.testmod(api, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 10
    assert result.failed == 0
