"""Inputs that cannot be built: each is one line on stderr naming the file, the rest of the batch builds,
the exit code says something failed, and a build that yields nothing leaves the active graph alone."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from respgraph import store
from respgraph.graph_build import formats
from respgraph.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def make_bad(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A bad input and the reason its error line gives."""
    if kind == "missing":
        return tmp_path / "missing.txt", "no such file"
    path = tmp_path / {"empty": "empty.txt", "blank": "blank.txt", "binary": "binary.txt", "no_tasks": "notice.txt",
                       "unsupported": "plan.rtf", "old_word": "plan.doc", "corrupt_docx": "plan.docx",
                       "corrupt_xlsx": "plan.xlsx",
                       "corrupt_pdf": "plan.pdf", "not_chinese": "russian.txt"}[kind]
    content, reason = {
        "empty": (b"", "empty file"),
        "blank": (" \n\n\t\n".encode(), "empty file"),
        "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary file, not text"),
        "no_tasks": ("关于开展网络安全宣传周活动的通知\n各单位：请按要求做好宣传工作。\n特此通知。\n".encode(),
                     "no outline or tasks recognised"),
        "unsupported": (b"{\\rtf1", "unsupported file type .rtf (save it as .docx); use .txt, .md, .docx, .doc, .wps, "
                                     ".pdf, .html or a workbook (.xlsx, .xls, .et, .ods)"),
        "old_word": (b"\xd0\xcf\x11\xe0", "LibreOffice could not read it as a Word or WPS document" if formats.soffice()
                     else "reading .doc files needs LibreOffice; install it (apt-get install libreoffice-writer-nogui)"),
        "corrupt_xlsx": (b"PK\x03\x04", "not a readable .xlsx workbook"),
        "corrupt_docx": (b"PK\x03\x04 this is not a zip archive", "not a readable Word .docx file"),
        "corrupt_pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog", "not a readable PDF"),
        "not_chinese": ("Привет мир, это простой текст".encode("cp1251"), "cannot detect the text encoding"),
    }[kind]
    path.write_bytes(content)
    return path, reason


BAD = ["missing", "empty", "blank", "binary", "no_tasks", "unsupported", "old_word", "corrupt_docx", "corrupt_xlsx",
       "corrupt_pdf", "not_chinese"]


def build(*paths):
    # catch_exceptions=False: an exception escaping the command fails the test instead of hiding
    # in result.exception (a "Traceback" check on the output could never fail).
    return CliRunner().invoke(cli, ["build", *map(str, paths)], catch_exceptions=False)


@pytest.mark.parametrize("kind", BAD)
def test_bad_input_is_one_line_and_leaves_the_active_graph(tmp_path, home, kind):
    good = tmp_path / "good.txt"
    shutil.copy(FIXTURES / "variants_plan.txt", good)
    assert build(good).exit_code == 0
    before = store.active_snapshot().read_bytes()
    bad, reason = make_bad(tmp_path, kind)
    result = build(bad)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: {reason}")
    assert result.stderr.splitlines()[-1] == "Error: nothing was built; the previous graph is unchanged"
    assert store.active_snapshot().read_bytes() == before


def test_a_batch_builds_what_it_can_and_exits_1(tmp_path, home):
    good = tmp_path / "good.txt"
    shutil.copy(FIXTURES / "variants_plan.txt", good)
    bad = [make_bad(tmp_path, kind) for kind in BAD]
    result = build(good, *[path for path, _ in bad])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(BAD)
    for path, reason in bad:
        assert sum(line.startswith(f"error: {path}: {reason}") for line in errors) == 1
    assert "built 1 documents, 8 tasks" in result.stderr
    docs = CliRunner().invoke(cli, ["docs", "--format", "csv"])
    assert "南溪市数字基础设施建设行动方案（2024—2026年）" in docs.output


def test_a_folder_with_nothing_readable_is_an_error(tmp_path, home):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "slides.pptx").write_bytes(b"x")
    result = build(tmp_path / "plans")
    assert result.exit_code == 1
    assert "error: no input files given" in result.stderr
    assert f"note: {tmp_path / 'plans' / 'slides.pptx'}: skipped (unsupported file type .pptx)" in result.stderr


@pytest.mark.parametrize("suffix,module,package", [
    (".docx", "docx", "python-docx"), (".pdf", "pypdf", "pypdf"), (".html", "bs4", "beautifulsoup4")])
def test_missing_optional_library_names_the_extra(tmp_path, home, monkeypatch, suffix, module, package):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(b"<html></html>" if suffix == ".html" else b"PK\x03\x04")
    result = build(path)
    assert result.exit_code == 1
    assert f"error: {path}: reading {suffix} files needs {package}; pip install 'respgraph[docs]'" in result.stderr
