"""Spreadsheets and old Word files in: 分工表 workbooks (.xlsx, .xlsm, .xls, .et, .ods) read with
python-calamine, .doc and .wps converted by LibreOffice, and folders that say what they skipped.

The workbooks are written here by a writer library (openpyxl for .xlsx, xlwt for .xls, odfpy for
.ods; .xlsm and .et are the same bytes under the other suffix, as WPS saves them), all from one
description, so every format must give the same tasks. The .doc is made from a .docx by
LibreOffice in the test.
"""
from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from respgraph import graph_build
from respgraph.cli import cli
from respgraph.graph_build import formats, sheets
from respgraph.graph_build.parse import parse_document
from respgraph.graph_build.read import SourceError, expand_paths, read_source

pytest.importorskip("python_calamine")

# ---------------------------------------------------------------- one workbook, every format

# A sheet that is not a 分工表 (instructions), then the 分工表: a title merged across the columns,
# two header rows (责任单位 over 牵头单位 | 配合单位, the other header cells merged down), a heading
# row grouping tasks (merged across), a 牵头单位 merged down three rows, a row whose 序号 is blank
# continuing the row above, and a cell listing units on two lines.
NOTES_SHEET = ("填表说明", [["填表说明：请各牵头单位于每月5日前报送工作进展。"], ["联系人：张三"]], [])
TASK_SHEET = ("分工表", [
    ["北溪市数字政府建设重点任务分工"],
    ["序号", "重点任务", "责任单位", "", "完成时限"],
    ["", "", "牵头单位", "配合单位", ""],
    ["一、数字基础设施"],
    ["1", "建设全市统一的政务云平台，提升算力供给能力。", "市大数据局", "市财政局\n市发展改革委", "2025年底"],
    ["2", "推进千兆光网覆盖，新建5G基站3000个。", "市工信局", "市通信管理办", "2025年底"],
    ["", "实现重点场所5G网络全覆盖。"],
    ["二、数据资源"],
    ["3", "建设公共数据开放平台。", "市大数据局", "市委网信办", "2024年底"],
    ["4", "健全数据分类分级保护制度。", "", "市公安局", "2026年底"],
    ["5", "开展公共数据授权运营试点。", "", "市财政局、市司法局", "2026年底"],
], [  # (first row, first column, last row, last column), 0-based
    (0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 3), (1, 4, 2, 4), (3, 0, 3, 4), (7, 0, 7, 4), (8, 2, 10, 2),
])
BOOK = [NOTES_SHEET, TASK_SHEET]

# (number, title, [(unit, role)], deadline, section, source)
EXPECTED = [
    ("表1.1", "建设全市统一的政务云平台", [("市大数据局", "lead"), ("市财政局", "support"), ("市发展改革委", "support")],
     "2025年底", "数字基础设施", "分工表!5"),
    ("表1.2", "推进千兆光网覆盖", [("市工信局", "lead"), ("市通信管理办", "support")], "2025年底", "数字基础设施",
     "分工表!6:7"),
    ("表1.3", "建设公共数据开放平台", [("市大数据局", "lead"), ("市委网信办", "support")], "2024年底", "数据资源",
     "分工表!9"),
    ("表1.4", "健全数据分类分级保护制度", [("市大数据局", "lead"), ("市公安局", "support")], "2026年底", "数据资源",
     "分工表!10"),
    ("表1.5", "开展公共数据授权运营试点", [("市大数据局", "lead"), ("市财政局", "support"), ("市司法局", "support")],
     "2026年底", "数据资源", "分工表!11"),
]
NOTE = "sheet 填表说明 skipped: no task table (a header naming 重点任务 and 牵头单位 or 责任单位)"


def _value(text: str):
    return int(text) if text.isdigit() else text


def write_xlsx(path: Path, book) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows, merges in book:
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row, start=1):
                if text:
                    sheet.cell(r, c, _value(text))
        for top, left, bottom, right in merges:
            sheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1)
    workbook.save(path)
    return path


def write_xls(path: Path, book) -> Path:
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    for name, rows, merges in book:
        sheet = workbook.add_sheet(name)
        covered = {(r, c) for top, left, bottom, right in merges
                   for r in range(top, bottom + 1) for c in range(left, right + 1)}
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text and (r, c) not in covered:
                    sheet.write(r, c, _value(text))
        for top, left, bottom, right in merges:
            text = rows[top][left] if left < len(rows[top]) else ""
            sheet.write_merge(top, bottom, left, right, _value(text) if text else "")
    workbook.save(str(path))
    return path


def write_ods(path: Path, book) -> Path:
    pytest.importorskip("odf")
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows, merges in book:
        table = Table(name=name)
        starts = {(top, left): (bottom - top + 1, right - left + 1) for top, left, bottom, right in merges}
        covered = {(r, c) for top, left, bottom, right in merges
                   for r in range(top, bottom + 1) for c in range(left, right + 1)} - set(starts)
        width = max(len(row) for row in rows)
        for r, row in enumerate(rows):
            element = TableRow()
            for c in range(width):
                if (r, c) in covered:
                    element.addElement(CoveredTableCell())
                    continue
                text = row[c] if c < len(row) else ""
                span = {}
                if (r, c) in starts:
                    span = {"numberrowsspanned": starts[r, c][0], "numbercolumnsspanned": starts[r, c][1]}
                if text.isdigit():
                    cell = TableCell(valuetype="float", value=int(text), **span)
                else:
                    cell = TableCell(valuetype="string", **span) if text else TableCell(**span)
                for line in text.split("\n") if text else []:
                    cell.addElement(P(text=line))
                element.addElement(cell)
            table.addElement(element)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


WRITERS = {".xlsx": write_xlsx, ".xlsm": write_xlsx, ".xls": write_xls, ".et": write_xls, ".ods": write_ods}


def write_book(folder: Path, suffix: str, book=BOOK, name: str = "plan") -> Path:
    """The workbook written by its format's writer (xlsm and et: the xlsx and xls bytes renamed)."""
    made = WRITERS[suffix](folder / f"{name}-made{'.xlsx' if suffix == '.xlsm' else '.xls' if suffix == '.et' else suffix}", book)
    target = folder / f"{name}{suffix}"
    made.rename(target)
    return target


def summary(doc):
    sections = {s.ordinal: s.title for s in doc.sections}
    return [(t.number, t.title, [(u.name, u.role) for u in t.units], t.deadline, sections[t.section],
             sheets.place_of(doc.source.places, t.line_start, t.line_end)) for t in doc.tasks]


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_a_task_workbook_gives_the_same_tasks_in_every_format(tmp_path, suffix):
    doc = parse_document(read_source(write_book(tmp_path, suffix)))
    assert summary(doc) == EXPECTED
    assert doc.source.format == suffix.lstrip(".")
    assert doc.meta.title == "北溪市数字政府建设重点任务分工" and doc.meta.region == "北溪市"
    assert doc.meta.warnings == [NOTE]
    # The sheet as text: merged cells filled, the two header rows one, the heading row its own line.
    assert doc.source.text.splitlines()[:5] == [
        "北溪市数字政府建设重点任务分工", "序号\t重点任务\t牵头单位\t配合单位\t完成时限", "一、数字基础设施",
        "1\t建设全市统一的政务云平台，提升算力供给能力。\t市大数据局\t市财政局、市发展改革委\t2025年底",
        "2\t推进千兆光网覆盖，新建5G基站3000个。\t市工信局\t市通信管理办\t2025年底"]
    task = doc.tasks[1]
    assert task.text == "推进千兆光网覆盖，新建5G基站3000个。实现重点场所5G网络全覆盖。"


def test_every_task_sheet_is_read_and_each_task_names_its_sheet_and_row(tmp_path):
    second = ("2025年", [
        ["序号", "工作任务", "牵头单位", "配合单位"],
        ["1", "建成城市运行管理中心。", "市城管局", "市大数据局"],
    ], [])
    doc = parse_document(read_source(write_book(tmp_path, ".xlsx", [TASK_SHEET, NOTES_SHEET, second])))
    assert summary(doc)[-1] == ("表2.1", "建成城市运行管理中心", [("市城管局", "lead"), ("市大数据局", "support")], "",
                                "重点任务分工", "2025年!2")
    assert [t.number for t in doc.tasks] == ["表1.1", "表1.2", "表1.3", "表1.4", "表1.5", "表2.1"]
    assert doc.meta.warnings == [NOTE]


def test_the_cli_shows_file_sheet_and_row_as_each_tasks_source(tmp_path, home):
    plans = tmp_path / "plans"
    plans.mkdir()
    write_book(plans, ".xlsx")
    result = CliRunner().invoke(cli, ["build", str(plans)])
    assert result.exit_code == 0, result.output
    assert f"warning: {plans / 'plan.xlsx'}: {NOTE}" in result.stderr
    rows = CliRunner().invoke(cli, ["tasks", "--format", "csv"]).output.splitlines()
    assert rows[0].endswith(",file,line,place")
    assert [row.rsplit(",", 1)[-1] for row in rows[1:]] == [source for *_, source in EXPECTED]
    table = CliRunner().invoke(cli, ["duties", "市工信局"]).output
    assert "plan.xlsx#分工表!6:7" in table
    first = CliRunner().invoke(cli, ["duties", "市大数据局", "--role", "lead", "--format", "json"]).output
    sources = [row["source"] for row in json.loads(first)]
    assert sources[0] == {"file": f"{plans / 'plan.xlsx'}".replace(os.sep, "/"), "line": 4, "line_end": 4,
                          "place": "分工表!5"}
    assert [s["place"] for s in sources] == ["分工表!5", "分工表!9", "分工表!10", "分工表!11"]


def test_a_hidden_sheet_is_skipped_with_a_note(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = write_book(tmp_path, ".xlsx", [TASK_SHEET, ("旧版", TASK_SHEET[1], TASK_SHEET[2])])
    workbook = openpyxl.load_workbook(path)
    workbook["旧版"].sheet_state = "hidden"
    workbook.save(path)
    doc = parse_document(read_source(path))
    assert summary(doc) == EXPECTED
    assert doc.meta.warnings == ["sheet 旧版 skipped: hidden"]


def test_a_workbook_without_a_task_sheet_is_one_clear_line(tmp_path):
    path = write_book(tmp_path, ".xlsx", [NOTES_SHEET])
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert str(error.value) == f"{path}: no task-division sheet in the workbook ({NOTE})"
    broken = tmp_path / "broken.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really a workbook")
    with pytest.raises(SourceError, match=r"broken\.xls: not a readable \.xls workbook \("):
        read_source(broken)


def test_without_calamine_the_error_names_the_extra(tmp_path, monkeypatch):
    path = write_book(tmp_path, ".xlsx")
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert str(error.value) == f"{path}: reading .xlsx files needs python-calamine; pip install 'respgraph[docs]'"


@pytest.mark.parametrize("value,printed", [
    (3.0, "3"), (2.5, "2.5"), (datetime.date(2025, 12, 31), "2025年12月31日"),
    (datetime.datetime(2026, 6, 30), "2026年6月30日"), (True, "是"), ("", ""), (None, ""),
    ("市财政局\n市发展改革委", "市财政局、市发展改革委"), ("加快建设。\n完成验收。", "加快建设。完成验收。"),
    ("  市数据局\t", "市数据局"),
])
def test_cells_print_as_a_reader_sees_them(value, printed):
    assert sheets.cell_text(value) == printed


def test_merges_fill_down_and_print_once_across():
    grid = [["a", "b", "c"], ["", "", ""], [""]]
    assert sheets.fill_merges(grid, [((0, 0), (2, 0)), ((0, 1), (1, 2))]) == [
        ["a", "b", ""], ["a", "b", ""], ["a"]]


def test_a_data_row_under_the_header_is_not_taken_for_a_second_header_row():
    rows = [(1, ["序号", "重点任务", "牵头单位"]), (2, ["1", "建设平台", "市数据局"])]
    assert sheets.join_header_rows(rows) == rows


# ---------------------------------------------------------------- folders say what they skipped


def test_a_folder_build_lists_every_file_it_skipped(tmp_path, home):
    plans = tmp_path / "plans"
    for name in ["deck.pptx", "~$plan.docx", ".hidden.txt", ".git/config", ".git/objects/ab"]:
        (plans / name).parent.mkdir(parents=True, exist_ok=True)
        (plans / name).write_text("x", encoding="utf-8")
    write_book(plans, ".xlsx")
    shutil.copy(Path(__file__).parent / "fixtures" / "variants_plan.txt", plans / "南溪方案")  # no suffix: text
    skipped: list[str] = []
    assert [p.name for p in expand_paths([plans], skipped)] == ["plan.xlsx", "南溪方案"]
    assert skipped == [
        f"{plans / '.git'}: skipped (hidden folder)", f"{plans / '.hidden.txt'}: skipped (hidden file)",
        f"{plans / 'deck.pptx'}: skipped (unsupported file type .pptx)",
        f"{plans / '~$plan.docx'}: skipped (Office lock file)"]
    report = graph_build.build_report([plans])
    assert report.skipped == skipped
    assert sorted(i["tasks"] for i in report.inputs) == [5, 8]
    result = CliRunner().invoke(cli, ["build", str(plans)])
    assert result.exit_code == 0
    assert [line for line in result.stderr.splitlines() if line.startswith("note:")] == [f"note: {s}" for s in skipped]
    assert "built 2 documents, 13 tasks" in result.stderr


# ---------------------------------------------------------------- old Word and WPS

DOCX_PARAGRAPHS = [
    "西溪市数据要素市场化配置改革行动计划", "一、工作目标", "到2025年，数据要素市场体系基本建立。", "二、主要任务",
    "1.建设数据交易平台。建成市级数据交易服务平台，引进数据商50家。（责任单位：市数据局、市金融办）",
    "2.推进公共数据授权运营。制定公共数据授权运营管理办法。（责任单位：市数据局、市财政局）",
    "附件：重点任务分工",
]
DOCX_ROWS = [
    ("序号", "重点任务", "牵头单位", "配合单位", "完成时限"),
    ("1", "建设数据交易平台", "市数据局", "市金融办\n市市场监管局", "2024年底"),
    ("2", "推进公共数据授权运营", "市数据局", "市财政局、市司法局等", "2025年6月"),
]
DOC_TASKS = [
    ("1", "建设数据交易平台", [("市数据局", "lead"), ("市金融办", "support")], ""),
    ("2", "推进公共数据授权运营", [("市数据局", "lead"), ("市财政局", "support")], ""),
    ("表1.1", "建设数据交易平台", [("市数据局", "lead"), ("市金融办", "support"), ("市市场监管局", "support")], "2024年底"),
    ("表1.2", "推进公共数据授权运营", [("市数据局", "lead"), ("市财政局", "support"), ("市司法局", "support")],
     "2025年6月"),
]


def build_docx(path: Path) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for text in DOCX_PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(DOCX_ROWS), cols=len(DOCX_ROWS[0]))
    for i, row in enumerate(DOCX_ROWS):
        for j, text in enumerate(row):
            first, *more = text.split("\n")
            table.cell(i, j).text = first
            for extra in more:
                table.cell(i, j).add_paragraph(extra)
    # Word always ends a document with a paragraph (LibreOffice's .doc of one ending in a table
    # reads back as paragraphs): so do the plans.
    document.add_paragraph("抄送：市委办公室。")
    document.save(str(path))
    return path


def word_tasks(doc):
    return [(t.number, t.title, [(u.name, u.role) for u in t.units], t.deadline) for t in doc.tasks]


def needs_soffice():
    """The LibreOffice program; without it the test is skipped, except under CI, where .ci/run installs it."""
    program = formats.soffice()
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"LibreOffice (soffice) is not installed; .ci/run installs {formats.LIBREOFFICE}")
        pytest.skip(f"LibreOffice (soffice) is not installed (apt-get install {formats.LIBREOFFICE})")
    return program


@pytest.mark.slow
def test_a_doc_made_by_libreoffice_reads_like_its_docx(tmp_path):
    program = needs_soffice()
    source = build_docx(tmp_path / "plan.docx")
    out = tmp_path / "doc"
    subprocess.run([program, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    old = out / "plan.doc"
    assert old.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real Word 97 file (OLE)
    from_docx = parse_document(read_source(source))
    assert word_tasks(from_docx) == DOC_TASKS
    for path in (old, shutil.copy(old, tmp_path / "plan.wps")):
        doc = parse_document(read_source(path))
        assert word_tasks(doc) == DOC_TASKS
        assert doc.source.text == from_docx.source.text
        assert doc.source.format == Path(path).suffix.lstrip(".")
        assert doc.meta.title == "西溪市数据要素市场化配置改革行动计划"


@pytest.mark.slow
def test_a_damaged_doc_is_one_line(tmp_path):
    needs_soffice()
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert str(error.value) == f"{path}: LibreOffice could not read it as a Word or WPS document (damaged?)"


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_without_libreoffice_a_doc_is_one_line_naming_the_package(tmp_path, home, monkeypatch, suffix):
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert str(error.value) == (f"{path}: reading {suffix} files needs LibreOffice; install it "
                                "(apt-get install libreoffice-writer-nogui) or save the file as .docx")
    result = CliRunner().invoke(cli, ["build", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [f"error: {error.value}"]
