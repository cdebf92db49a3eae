"""The query index beside a snapshot answers duties/load/tasks/units exactly as queries does on the graph."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from respgraph import graph_build
from respgraph import queries
from respgraph.graph_build.resolve import normalise_name
from respgraph.queries.duties import _short_forms
from respgraph.queries.tasks import nodes_of
from respgraph import index, store
from respgraph.cli import cli

CITIES = [None, "", "福州", "福州市", "泉州", "厦门市", "福建", "福建省", "杭州", " 泉州 "]
ROLES = [None, "lead", "support"]


@pytest.fixture(scope="module")
def saved(graph, tmp_path_factory):
    """The bundled graph saved by the store (snapshot + index) and its index opened."""
    path = tmp_path_factory.mktemp("snapshot") / "graph.json"
    store.save(graph, path)
    opened = index.Index.open_fresh(path)
    assert opened is not None
    return path, opened


@pytest.fixture(scope="module")
def tie_graph(tmp_path_factory):
    """The city plans plus a second 泉州 plan with the same title: tasks that sort equal by
    (city, title, number) and a unit named in both plans."""
    folder = tmp_path_factory.mktemp("ties")
    for path in graph_build.bundled_plans():
        if "2023" in path.name:
            shutil.copy(path, folder / path.name)
    quanzhou = folder / "quanzhou_2023_new_infrastructure_3yr_plan.txt"
    (folder / "quanzhou_copy.txt").write_text(quanzhou.read_text("utf-8").replace("建成千兆城市", "建成万兆城市"),
                                              encoding="utf-8")
    graph = graph_build.build([folder])
    path = folder / "graph.json"
    store.save(graph, path)
    return graph, index.Index.open_fresh(path)


def outcome(call):
    """Rows, or the exception type and message: the index must fail exactly as queries does."""
    try:
        return call()
    except LookupError as error:
        return (type(error).__name__, str(error))


def unit_names(graph) -> list[str]:
    names = set()
    for agency_id in nodes_of(graph, "Agency"):
        node = graph.nodes[agency_id]
        names.update([node["name"], *node["aliases"]])
        names.update(_short_forms(node))
    return sorted(names) + ["大数据委", "工信局", "市工信局", "数字办", "不存在的局", " 市 大数据委 ", "市數字辦",
                            "市文旅局(市广播电视局)", ""]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("city", [None, "福州", "泉州市", "厦门"])
def test_duties_of_every_name_equal_queries(graph, saved, role, city):
    _, fast = saved
    checked = 0
    for name in unit_names(graph):
        expected = outcome(lambda: queries.duties(graph, name, role=role, city=city))
        assert outcome(lambda: fast.duties(name, role=role, city=city)) == expected, name
        checked += 1
    assert checked > 250


def test_duties_with_tasks_that_sort_equal_keep_the_graph_order(tie_graph):
    graph, fast = tie_graph
    rows = queries.duties(graph, "市通信发展管理办")
    assert len({(r["city"], r["doc"], r["number"]) for r in rows}) < len(rows)  # ties exist
    for name in unit_names(graph):
        for role in ROLES:
            assert outcome(lambda: fast.duties(name, role=role)) == outcome(
                lambda: queries.duties(graph, name, role=role)), name


@pytest.mark.parametrize("city", CITIES)
def test_tasks_equal_queries(graph, saved, city):
    _, fast = saved
    assert fast.tasks(city=city) == queries.tasks(graph, city=city)


def test_tasks_of_each_document_equal_queries(graph, saved, tie_graph):
    for g, fast in [(graph, saved[1]), tie_graph]:
        for doc_id in nodes_of(g, "Document"):
            assert fast.tasks(doc=doc_id) == queries.tasks(g, doc=doc_id)
        assert fast.tasks(city="泉州", doc="doc:none") == []


@pytest.mark.parametrize("top", [None, 0, 1, 7, -2])
@pytest.mark.parametrize("city", CITIES)
def test_load_by_unit_and_by_function_equal_queries(graph, saved, city, top):
    _, fast = saved
    assert fast.load_by_unit(city=city, top=top) == queries.load_by_unit(graph, city=city, top=top)
    assert fast.load_by_function(city=city, top=top) == queries.load_by_function(graph, city=city, top=top)


@pytest.mark.parametrize("unresolved", [False, True])
@pytest.mark.parametrize("city", CITIES)
def test_units_equal_queries(graph, saved, city, unresolved):
    _, fast = saved
    assert fast.units(city=city, unresolved=unresolved) == queries.units(graph, city=city, unresolved=unresolved)


def test_name_normalisation_equals_the_resolver(graph):
    names = unit_names(graph) + ["市 工信局", "市工信局(筹)", "[市]数据局", "市數據局", "ｅ市", "\u3000市财政局"]
    assert [index.normalise_name(n) for n in names] == [normalise_name(n) for n in names]


def test_tie_graph_and_its_index_agree_on_load(tie_graph):
    graph, fast = tie_graph
    assert fast.load_by_unit() == queries.load_by_unit(graph)
    assert fast.units() == queries.units(graph)


def test_an_index_is_fresh_only_for_the_snapshot_bytes_it_was_made_from(graph, tmp_path):
    path = tmp_path / "graph.json"
    store.save(graph, path)
    assert index.Index.open_fresh(path) is not None
    # Same bytes, newer mtime (copied, touched): still fresh, and the stamp is renewed.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert index.Index.open_fresh(path) is not None
    assert index.Index.open_fresh(path).meta()["snapshot_mtime_ns"] == str(stat.st_mtime_ns + 10**9)
    # Other bytes: stale.
    path.write_bytes(path.read_bytes().replace("福州市大数据委".encode(), "福州市大数据局".encode(), 1))
    assert index.Index.open_fresh(path) is None
    assert index.Index.open_fresh(tmp_path / "missing.json") is None


def test_an_index_from_other_query_code_or_of_a_stale_bundled_graph_is_not_used(graph, tmp_path):
    path = tmp_path / "graph.json"
    graph = graph.copy()
    graph.graph.update(bundled=True, builder="old-builder")
    store.save(graph, path)
    assert index.Index.open_fresh(path) is not None
    assert index.Index.open_fresh(path, builder="old-builder") is not None
    assert index.Index.open_fresh(path, builder="new-builder") is None
    with sqlite3.connect(index.index_path(path)) as db:
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'query_fingerprint'")
    assert index.Index.open_fresh(path) is None


def test_index_sits_beside_the_snapshot(tmp_path):
    assert index.index_path(tmp_path / "big.json") == tmp_path / "big.json.index.sqlite"


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_answers_from_the_index_without_loading_the_graph(home, monkeypatch):
    expected = {args: run(*args, "--format", "json").output for args in [
        ("duties", "市大数据委"), ("load", "--top", "5"), ("load", "--by", "function", "--city", "泉州"),
        ("tasks", "--city", "厦门"), ("units", "--city", "福州")]}
    assert (home / "graph.json.index.sqlite").is_file()

    def no_graph(*args, **kwargs):
        raise AssertionError("the graph was loaded")

    monkeypatch.setattr(store, "load_active", no_graph)
    for args, output in expected.items():
        result = run(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        assert result.output == output
        assert json.loads(output)


def test_cli_errors_are_the_same_from_the_index(home):
    run("docs")
    with_index = [run("duties", "工信局"), run("duties", "不存在的局", "--city", "福州")]
    (home / "graph.json.index.sqlite").unlink()
    os.utime(home / "graph.json")
    without = [run("duties", "工信局"), run("duties", "不存在的局", "--city", "福州")]
    assert [(r.exit_code, r.output) for r in with_index] == [(r.exit_code, r.output) for r in without]
    assert [r.exit_code for r in with_index] == [2, 1]


def test_a_missing_index_is_written_on_the_next_load(home):
    run("docs")
    (home / "graph.json.index.sqlite").unlink()
    assert run("load", "--top", "1").exit_code == 0
    assert index.Index.open_fresh(home / "graph.json", builder=store.builder_fingerprint()) is not None


def test_a_graph_file_given_with_graph_gets_its_index_beside_it(graph, tmp_path, home):
    path = tmp_path / "mine.json"
    graph_build.snapshot.save(graph, path)
    assert not index.index_path(path).exists()
    first = run("--graph", str(path), "duties", "市数字办", "--city", "泉州", "--format", "json")
    assert index.index_path(path).is_file()
    second = run("--graph", str(path), "duties", "市数字办", "--city", "泉州", "--format", "json")
    assert first.exit_code == 0 and first.output == second.output


def _index_rows(path) -> dict[str, list]:
    """Every row of an index, by table, without the stamps that name the snapshot file."""
    with sqlite3.connect(index.index_path(path)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {table: db.execute(f"SELECT * FROM {table}").fetchall() for table in tables}  # noqa: S608 (own names)
    db.close()
    rows["meta"] = [row for row in rows["meta"] if row[0] not in ("snapshot_mtime_ns",)]
    return rows


def test_index_prepared_while_the_overlap_runs_equals_one_written_from_the_finished_graph(tmp_path, monkeypatch):
    # build_and_save computes the index from the documents' graph before SIMILAR_TO, TaskFamily
    # and TAKES_UP are added, since the rows read none of them; save() writes it from the end result.
    monkeypatch.setenv("RESPGRAPH_HOME", str(tmp_path / "home"))
    built = tmp_path / "built" / "graph.json"
    report = store.build_and_save(graph_build.bundled_plans(), built, bundled=True)
    assert report.graph.number_of_nodes() and any(d["label"] == "TaskFamily" for _, d in report.graph.nodes(data=True))
    resaved = tmp_path / "resaved" / "graph.json"
    store.save(graph_build.snapshot.load(built), resaved)
    assert resaved.read_bytes() == built.read_bytes()
    assert _index_rows(resaved) == _index_rows(built)
    assert len(_index_rows(built)["tasks"]) == 278
    assert sorted(p.name for p in built.parent.iterdir()) == ["graph.json", "graph.json.index.sqlite"]
    # Readable as the snapshot is (the temporary file it was written as is made 0600).
    assert (built.parent / "graph.json.index.sqlite").stat().st_mode & 0o777 == built.stat().st_mode & 0o777
