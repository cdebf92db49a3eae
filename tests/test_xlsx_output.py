"""`--format xlsx -o FILE` on the listing commands (#18 part 4): the workbooks are opened with
openpyxl and their cells checked."""
from __future__ import annotations

import importlib.util
import io
import os

import pytest
from click.testing import CliRunner

from respgraph.cli import cli

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One RESPGRAPH_HOME for the module: the bundled plans are built once."""
    folder = tmp_path_factory.mktemp("xlsx") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESPGRAPH_HOME", str(folder))
        patch.delenv("RESPGRAPH_GRAPH", raising=False)
        yield folder


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def workbook(path):
    return openpyxl.load_workbook(path)


def about(book) -> dict:
    sheet = book.worksheets[0]
    assert sheet.title == "about"
    return {key: value for key, value in sheet.iter_rows(min_row=2, values_only=True)}


def header(sheet) -> list:
    return [cell.value for cell in sheet[1]]


def records(sheet) -> list[dict]:
    names = header(sheet)
    return [dict(zip(names, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_duties_gives_the_40_tasks_of_the_big_data_commission(home, tmp_path):
    target = tmp_path / "d.xlsx"
    result = run("duties", "市大数据委", "--format", "xlsx", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "duties: 40 rows" in result.stderr and str(target) in result.stderr
    book = workbook(target)
    assert book.sheetnames == ["about", "duties"]
    sheet = book["duties"]
    rows = records(sheet)
    assert len(rows) == 40
    roles = [row["role"] for row in rows]
    assert roles.count("lead") == 24 and roles.count("support") == 16
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    names = header(sheet)
    assert {"role", "city", "number", "title", "text", "lead", "support", "source"} <= set(names)
    # the source as file:line, and it is that task's line in the plan
    first = rows[0]
    file, line = first["source"].rsplit(":", 1)
    assert file.endswith(".txt") and line.isdigit()
    from respgraph import graph_build

    plan = (graph_build.curated.data_dir() / "plans" / file).read_text(encoding="utf-8").splitlines()
    assert first["title"] in plan[int(line) - 1]
    # task text wrapped, its column no wider than the cap; a CJK column wide enough for its text
    text_column = openpyxl.utils.get_column_letter(names.index("text") + 1)
    assert sheet[f"{text_column}2"].alignment.wrap_text
    assert sheet.column_dimensions[text_column].width <= 60
    city_column = openpyxl.utils.get_column_letter(names.index("city") + 1)
    assert sheet.column_dimensions[city_column].width >= 6  # 福州市: six columns wide
    lead_column = openpyxl.utils.get_column_letter(names.index("lead") + 1)
    widest_lead = max(len(row["lead"] or "") for row in rows)
    assert sheet.column_dimensions[lead_column].width >= min(2 * widest_lead, 60)


def test_first_sheet_says_what_was_asked_and_from_which_graph(home, tmp_path):
    target = tmp_path / "d.xlsx"
    assert run("duties", "市大数据委", "--role", "lead", "--format", "xlsx", "-o", target).exit_code == 0
    said = about(workbook(target))
    assert said["command"] == f"respgraph duties 市大数据委 --role lead --format xlsx -o {target}"
    assert said["graph"].startswith(str(home / "graph.json"))
    assert len(said["builder fingerprint"]) == 16
    assert said["sheet duties"].startswith("24 rows")
    assert workbook(target)["about"].freeze_panes == "A2"


def test_a_loaded_graph_names_its_inputs(home, tmp_path):
    target = tmp_path / "docs.xlsx"
    assert run("--graph", home / "graph.json", "docs", "--format", "xlsx", "-o", target).exit_code == 0
    book = workbook(target)
    said = about(book)
    assert said["graph"] == str(home / "graph.json")
    assert said["inputs"] == 5
    assert "fuzhou_2023_new_infrastructure_3yr_plan.txt#" in said["input files"]
    docs = records(book["docs"])
    assert len(docs) == 5 and all(isinstance(row["tasks"], int) for row in docs)


def test_load_numbers_are_numbers(home, tmp_path):
    target = tmp_path / "load.xlsx"
    assert run("load", "--format", "xlsx", "-o", target).exit_code == 0
    sheet = workbook(target)["load"]
    assert header(sheet) == ["unit", "city", "kind", "function", "lead", "support", "total", "targets"]
    first = records(sheet)[0]
    assert first["unit"] == "福州市大数据委"
    assert (first["lead"], first["support"], first["total"]) == (24, 16, 40)
    for cell in sheet[2][4:]:
        assert cell.data_type == "n" and isinstance(cell.value, int)


def test_load_by_function_units_and_tasks(home, tmp_path):
    for args, name in [(["load", "--by", "function"], "load"), (["units"], "units"), (["tasks", "--city", "泉州"], "tasks")]:
        target = tmp_path / f"{name}.xlsx"
        result = run(*args, "--format", "xlsx", "-o", target)
        assert result.exit_code == 0, result.stderr
        rows = records(workbook(target)[name])
        json_rows = __import__("json").loads(run(*args, "--format", "json").stdout)
        assert len(rows) == len(json_rows) > 0


def test_overlap_has_one_sheet_per_part(home, tmp_path):
    target = tmp_path / "overlap.xlsx"
    result = run("overlap", "--format", "xlsx", "-o", target)
    assert result.exit_code == 0, result.stderr
    book = workbook(target)
    assert book.sheetnames == ["about", "topics", "families", "matrix", "projects", "uptake"]
    matrix = records(book["matrix"])
    assert matrix and all(isinstance(row["topics_jaccard"], float) for row in matrix)
    for name in book.sheetnames[1:]:
        assert book[name].freeze_panes == "A2"
    said = about(book)
    assert said["sheet matrix"].startswith(f"{len(matrix)} rows: city similarity")
    target = tmp_path / "two.xlsx"
    assert run("overlap", "--show", "matrix", "--show", "topics", "--format", "xlsx", "-o", target).exit_code == 0
    assert workbook(target).sheetnames == ["about", "topics", "matrix"]


def test_indicators_keep_numbers(home, tmp_path):
    target = tmp_path / "ind.xlsx"
    assert run("indicators", "--format", "xlsx", "-o", target).exit_code == 0
    rows = records(workbook(target)["indicators"])
    assert rows and any(isinstance(row["final"], (int, float)) for row in rows)
    assert all(isinstance(row["final_year"], int) for row in rows if row["final_year"] is not None)


def test_xlsx_without_o_is_refused_in_one_line(home):
    for args in (["duties", "市大数据委"], ["load"], ["overlap"]):
        line = one_line_error(run(*args, "--format", "xlsx"), 2)
        assert "-o" in line and "binary" in line


def test_a_fifo_target_is_refused_before_any_work(home, tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    line = one_line_error(run("duties", "市大数据委", "--format", "xlsx", "-o", fifo), 2)
    assert "FIFO" in line
    line = one_line_error(run("load", "--format", "xlsx", "-o", tmp_path), 2)
    assert "directory" in line


def test_missing_openpyxl_names_the_install(home, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "openpyxl" else real(name, *a))
    line = one_line_error(run("load", "--format", "xlsx", "-o", tmp_path / "x.xlsx"), 2)
    assert "pip install 'respgraph[xlsx]'" in line
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_text_formats_with_o_write_the_same_bytes(home, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    shown = run("duties", "市大数据委", "--format", fmt)
    written = run("duties", "市大数据委", "--format", fmt, "-o", target)
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == shown.stdout


def test_cells_are_text_never_formulas_and_sheet_names_are_legal():
    from respgraph.xlsx_output import Sheet, workbook_bytes

    rows = [{"a": "=HYPERLINK(\"http://x\")", "b": 3, "c": "bad\x01char", "d": None, "e": ["甲", "乙"]}]
    data = workbook_bytes([Sheet("a/b:c*d?[e]" * 4, rows, list("abcde")), Sheet("A/B:C*D?[E]" * 4, rows, ["a"])],
                          [("command", "x")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    first, second = book.worksheets[1:]
    assert len(first.title) <= 31 and not set("[]:*?/\\") & set(first.title)
    assert first.title.lower() != second.title.lower()
    assert first["A2"].value == "=HYPERLINK(\"http://x\")" and first["A2"].data_type == "s"
    assert first["B2"].value == 3 and first["C2"].value == "bad\ufffdchar"
    assert first["D2"].value is None and first["E2"].value == "甲、乙"
