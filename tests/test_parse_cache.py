"""The parse cache: a rebuild parses only the plans whose bytes it has not parsed before."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from respgraph import graph_build
from respgraph.graph_build import cache, snapshot
from respgraph import store
from respgraph.cli import cli

from test_bench_corpus import load_generator


@pytest.fixture()
def plans(tmp_path):
    """A folder with copies of the five bundled plans."""
    folder = tmp_path / "plans"
    folder.mkdir()
    for path in graph_build.bundled_plans():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture()
def extra_plan(tmp_path):
    """One more plan, not among the bundled ones (a generated city plan)."""
    load_generator().generate(1, seed=1, out=tmp_path / "extra")
    return next((tmp_path / "extra" / "plans").glob("*.txt"))


def build_with(parse_cache, folder):
    with cache.using(parse_cache):
        return graph_build.build_report([folder])


def test_second_build_parses_nothing_and_gives_the_same_graph(plans, tmp_path):
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    first = build_with(parse_cache, plans)
    assert (parse_cache.misses, parse_cache.hits) == (5, 0)
    second = build_with(parse_cache, plans)
    assert (parse_cache.misses, parse_cache.hits) == (5, 5)
    assert snapshot.dumps(second.graph) == snapshot.dumps(first.graph)
    assert snapshot.dumps(first.graph) == snapshot.dumps(graph_build.build([plans]))


def test_adding_one_plan_parses_only_that_plan(plans, extra_plan, tmp_path):
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    build_with(parse_cache, plans)
    shutil.copy(extra_plan, plans / extra_plan.name)
    report = build_with(parse_cache, plans)
    assert (parse_cache.misses, parse_cache.hits) == (6, 5)
    assert len(report.inputs) == 6


def test_a_changed_plan_is_parsed_again(plans, tmp_path):
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    build_with(parse_cache, plans)
    quanzhou = plans / "quanzhou_2023_new_infrastructure_3yr_plan.txt"
    quanzhou.write_text(quanzhou.read_text("utf-8") + "\n", encoding="utf-8")
    build_with(parse_cache, plans)
    assert (parse_cache.misses, parse_cache.hits) == (6, 4)


def test_a_renamed_plan_is_a_hit_cited_under_its_new_name(plans, tmp_path):
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    build_with(parse_cache, plans)
    (plans / "xiamen_2023_new_infrastructure_3yr_plan.txt").rename(plans / "厦门.txt")
    report = build_with(parse_cache, plans)
    assert (parse_cache.misses, parse_cache.hits) == (5, 5)
    files = {i["file"].rsplit("/", 1)[-1] for i in report.inputs}
    assert "厦门.txt" in files and "xiamen_2023_new_infrastructure_3yr_plan.txt" not in files
    doc = next(d for _, d in report.graph.nodes(data=True) if d["label"] == "Document" and d["region"] == "厦门市")
    assert doc["file"].endswith("厦门.txt")


def test_another_builder_version_parses_everything_and_prune_drops_the_old_entries(plans, tmp_path):
    old = cache.ParseCache(tmp_path / "parsed", "v1")
    build_with(old, plans)
    new = cache.ParseCache(tmp_path / "parsed", "v2")
    build_with(new, plans)
    assert (new.misses, new.hits) == (5, 0)
    new.prune()
    assert [p.name for p in (tmp_path / "parsed").iterdir()] == ["v2"]


def test_a_corrupt_cache_entry_is_a_miss_not_an_error(plans, tmp_path):
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    build_with(parse_cache, plans)
    for entry in (tmp_path / "parsed" / "v1").iterdir():
        entry.write_bytes(b"not a pickle")
    report = build_with(parse_cache, plans)
    assert (parse_cache.misses, parse_cache.hits) == (10, 0)
    assert len(report.inputs) == 5


def test_unreadable_inputs_fail_as_without_the_cache(tmp_path):
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with cache.using(parse_cache):
        report = graph_build.build_report([tmp_path / "missing.txt", empty])
    assert report.failures == graph_build.build_report([tmp_path / "missing.txt", empty]).failures
    assert report.failures[0].endswith("missing.txt: no such file")


@pytest.mark.slow
def test_parallel_prefetch_gives_the_same_graph_as_parsing_one_by_one(tmp_path):
    load_generator().generate(cache.PARALLEL_MIN_FILES, seed=3, out=tmp_path / "corpus")
    folder = tmp_path / "corpus" / "plans"
    parse_cache = cache.ParseCache(tmp_path / "parsed", "v1")
    heard = []
    with cache.using(parse_cache):
        assert parse_cache.prefetch(sorted(folder.glob("*.txt")), workers=2,
                                    on_progress=lambda *stage: heard.append(stage)) == cache.PARALLEL_MIN_FILES
        report = graph_build.build_report([folder])
    # The progress of the parallel parse: one call before, one per file parsed, in order.
    assert heard == [("parsing", done, cache.PARALLEL_MIN_FILES) for done in range(cache.PARALLEL_MIN_FILES + 1)]
    assert (parse_cache.misses, parse_cache.hits) == (0, cache.PARALLEL_MIN_FILES)
    assert len(list((tmp_path / "parsed" / "v1").iterdir())) == cache.PARALLEL_MIN_FILES
    assert snapshot.dumps(report.graph) == snapshot.dumps(graph_build.build([folder]))


def test_cli_rebuild_after_adding_a_plan_parses_only_that_plan(empty_home, plans, extra_plan, monkeypatch):
    home = empty_home
    parsed_files = []
    real_parse = cache.parse_document

    def counting_parse(source):
        parsed_files.append(source.path.rsplit("/", 1)[-1])
        return real_parse(source)

    monkeypatch.setattr(cache, "parse_document", counting_parse)
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(plans)]).exit_code == 0
    assert len(parsed_files) == 5
    assert (home / "parsed" / store.builder_fingerprint()).is_dir()
    shutil.copy(extra_plan, plans / extra_plan.name)
    result = runner.invoke(cli, ["build", str(plans)])
    assert result.exit_code == 0, result.output
    assert parsed_files[5:] == [extra_plan.name]
    assert "built 6 documents" in result.output
