"""Every core CLI command on the real bundled plans, and its error cases, through CliRunner."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from respgraph.graph_build import snapshot
from respgraph import store
from respgraph.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result


def run_json(*args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_first_use_builds_the_bundled_plans(empty_home):
    home = empty_home
    assert not home.exists()
    rows = run_json("docs")
    assert (home / "graph.json").exists()
    assert [(r["region"], r["tasks"], r["annotated_tasks"]) for r in rows] == [
        ("厦门市", 40, 40), ("泉州市", 31, 31), ("福州市", 45, 45), ("福建省", 155, 0), ("福建省", 7, 0)]
    assert rows[-1]["warnings"][0].startswith("truncated copy")


def test_duties_of_big_data_commission(home):
    rows = run_json("duties", "市大数据委")
    assert len(rows) == 40
    assert sum(r["role"] == "lead" for r in rows) == 24
    first = rows[0]
    assert set(first) >= {"id", "doc", "city", "section", "number", "title", "text", "units", "source", "role"}
    assert (first["city"], first["title"], first["role"]) == ("福州市", "建设全光万兆之城", "support")
    assert first["source"] == {"file": "data/plans/fuzhou_2023_new_infrastructure_3yr_plan.txt", "line": 52, "line_end": 54}
    assert first["units"][0] == {"name": "市通管办", "canonical": "福州市通管办", "agency_id": "agency:福州市:福州市通管办",
                                 "kind": "central_branch", "function": "telecom_regulator",
                                 "role": "lead", "rank": 1, "tier": 1}


@pytest.mark.parametrize("name", ["大数据委", "福州市大数据委", "市大数据委"])
def test_duties_accepts_short_and_full_names(home, name):
    rows = run_json("duties", name, "--role", "lead")
    assert len(rows) == 24 and {r["unit"] for r in rows} == {"福州市大数据委"}


def test_ambiguous_unit_lists_candidates_and_exits_2(home):
    result = CliRunner().invoke(cli, ["duties", "工信局"], catch_exceptions=False)
    assert result.exit_code == 2
    # one line, as the README promises: no click "Usage:" lines for a name that means several units
    assert result.stdout == "" and result.stderr.splitlines() == [
        "Error: '工信局' matches 3 units: 厦门市工信局（厦门市）、泉州市工信局（泉州市）、福州市工信局（福州市）; "
        "name one exactly or add --city"]


def test_city_option_disambiguates(home):
    rows = run_json("duties", "工信局", "--city", "泉州")
    # 泉州 tasks naming 工信局: 5, 6, 7, 9, 16 (lead), 17, 26 (lines 49-103)
    assert [(r["number"], r["role"]) for r in rows] == [
        ("5", "support"), ("6", "support"), ("7", "support"), ("9", "support"), ("16", "lead"),
        ("17", "support"), ("26", "support")]


def test_unknown_unit_is_one_line_exit_1(home):
    result = run("duties", "市不存在局")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: no unit named '市不存在局'; see 'respgraph units' for the names known"]


def test_load_of_quanzhou(home):
    rows = run_json("load", "--city", "泉州", "--top", "6")
    assert [(r["unit"], r["lead"], r["support"], r["total"]) for r in rows] == [
        ("各县（市、区）人民政府", 0, 25, 25), ("泉州台商投资区管委会", 0, 25, 25), ("泉州开发区管委会", 0, 25, 25),
        ("泉州市数字办", 12, 8, 20), ("泉州市通信发展管理办", 3, 4, 7), ("泉州市工信局", 1, 6, 7)]
    assert set(rows[0]) >= {"unit", "city", "kind", "lead", "support", "total"}


def test_load_by_function_puts_counterparts_side_by_side(home):
    rows = run_json("load", "--by", "function")
    telecom = next(r for r in rows if r["function"] == "telecom_regulator")
    assert {c: (v["units"], v["lead"], v["support"]) for c, v in telecom["cities"].items()} == {
        "厦门市": (["厦门市通信管理局"], 2, 7), "泉州市": (["泉州市通信发展管理办"], 3, 4), "福州市": (["福州市通管办"], 2, 8)}


def test_tasks_json_contract(home):
    rows = run_json("tasks")
    assert len(rows) == 278
    assert len([r for r in rows if r["city"] == "福州市"]) == 45
    assert len(run_json("tasks", "--city", "福州")) == 45
    assert len(run_json("tasks", "--city", "福州市")) == 45
    with_units = [r for r in rows if r["units"]]  # the first task (福建省's plan) names no unit
    assert len(with_units) == 116
    unit = with_units[0]["units"][0]
    assert set(unit) >= {"name", "canonical", "role", "rank", "tier"}
    assert set(with_units[0]) >= {"id", "doc", "city", "section", "number", "title", "text", "units", "source"}
    assert set(with_units[0]["source"]) >= {"file", "line", "line_end"}


def test_units_all_resolved_and_listed(home):
    assert run_json("units", "--unresolved") == []
    names = {(r["city"], r["unit"]) for r in run_json("units")}
    assert ("泉州市", "泉州市工信局") in names and ("厦门市", "厦门市市政园林局") in names


def test_csv_output_has_header_and_rows(home):
    result = run("load", "--city", "厦门", "--format", "csv", "--top", "2")
    assert result.output.splitlines() == [
        "unit,city,kind,function,lead,support,total,targets",
        "各区人民政府,厦门市,district_governments,district_governments,0,21,21,0",
        "各开发区管委会,厦门市,district_governments,district_governments,0,16,16,0"]


def test_table_columns_line_up_for_chinese_text(home):
    lines = run("load", "--city", "福州", "--top", "4").output.splitlines()
    header = lines[0]
    for column in ("city", "kind", "lead"):
        wanted = header.index(column)
        for line in lines[2:]:
            cells = line.split()
            value = cells[["unit", "city", "kind", "lead"].index(column)]
            start = line.index("  " + value, len(cells[0])) + 2
            assert wcswidth(line[:start]) == wanted, (column, line)


def test_build_missing_file_keeps_previous_graph(home, tmp_path):
    run_json("docs")
    before = (home / "graph.json").read_bytes()
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nope.txt")], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'nope.txt'}: no such file",
                                          "Error: nothing was built; the previous graph is unchanged"]
    assert (home / "graph.json").read_bytes() == before


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"\x00\x01\x02binary\x00", "binary file, not text"),
    ("这是一段没有任何任务的文字。".encode(), "no outline or tasks recognised"),
])
def test_build_rejects_bad_input_with_one_line(empty_home, tmp_path, content, reason):
    home = empty_home
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run("build", str(bad))
    assert result.exit_code == 1
    assert reason in result.output
    assert not (home / "graph.json").exists()


def test_build_from_a_folder_records_its_inputs(home, tmp_path):
    from respgraph.graph_build import bundled_plans

    folder = tmp_path / "plans"
    folder.mkdir()
    for plan in bundled_plans()[2:4]:
        (folder / plan.name).write_bytes(plan.read_bytes())
    result = run("build", str(folder))
    assert result.exit_code == 0, result.output
    graph = snapshot.load(home / "graph.json")
    assert [i.split("#")[0] for i in graph.graph["inputs"]] == [
        (folder / "fuzhou_2023_new_infrastructure_3yr_plan.txt").as_posix(),
        (folder / "quanzhou_2023_new_infrastructure_3yr_plan.txt").as_posix()]
    assert not graph.graph["bundled"]
    assert len(run_json("tasks")) == 76


def test_building_twice_is_byte_identical(home, tmp_path):
    assert run("build", "-o", str(tmp_path / "a.json")).exit_code == 0
    assert run("build", "-o", str(tmp_path / "b.json")).exit_code == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_corrupt_snapshot_is_one_line(home, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run("--graph", str(broken), "docs")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error:") and len(result.output.strip().splitlines()) == 1


def test_help_lists_every_core_command():
    result = run("--help")
    for command in ("tasks", "duties", "load", "units", "docs", "build"):
        assert command in result.output
