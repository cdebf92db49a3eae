"""Reading plans in any encoding and format: GB18030, UTF-16, Big5, Word, PDF, HTML, markdown, folders.

The fixtures under tests/fixtures/ are short plans written for these tests; Word and PDF files are
built in the test from the same kind of text. Expected values are read off the fixture text.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from respgraph import graph_build
from respgraph.graph_build import formats
from respgraph.graph_build.parse import parse_document
from respgraph.graph_build.read import decode_bytes, expand_paths, read_source
from respgraph.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
CJK_FONTS = [  # (path, face index in the collection: the simplified-Chinese face)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
]


def parse(path):
    return parse_document(read_source(path))


def summary(doc):
    """(number, title, [(unit name, role, tier)], deadline) per task."""
    return [(t.number, t.title, [(u.name, u.role, u.tier) for u in t.units], t.deadline) for t in doc.tasks]


VARIANTS_TASKS = [  # tests/fixtures/variants_plan.txt, lines 22-42
    ("（一）", "加快5G网络建设", [("市工信局", "lead", 1), ("市通信管理局", "lead", 1), ("市发改委", "support", 2),
                              ("各县〔区〕人民政府", "support", 2), ("市自然资源局", "support", 3)], "2025年底"),
    ("（二）", "推进智慧交通建设", [("市交通委（市道运局）", "lead", 1), ("市公安局", "support", 1),
                                ("各县（区）人民政府", "support", 2)], ""),
    ("（三）", "建设城市数据中心", [("市数据局", "lead", 1), ("市发改委", "support", 1), ("市电力公司", "support", 2)], ""),
    ("（四）", "完善公共数据平台", [("市数据局", "lead", 1), ("市财政局", "support", 2), ("市市场监管局", "support", 2)],
     "2026年6月"),
    ("（五）", "提升网络安全防护能力", [("市委网信办", "lead", 1), ("市公安局", "support", 1), ("市通信管理局", "support", 2),
                                    ("各县（区）人民政府", "support", 3)], ""),
    ("（六）", "发展工业互联网", [("市工信局", "lead", 1)], "2026年"),
    ("（一）", "加强组织领导", [("市发改委", "lead", 1), ("市直各有关单位", "support", 2)], ""),
    ("（二）", "强化要素保障", [("市自然资源局", "lead", 1), ("市住建局", "support", 1)], ""),
]


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding,reported", [
    ("gb18030", "gb18030"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig"), ("utf-16-le", "utf-16-le"),
])
def test_plan_in_any_common_encoding_parses_like_utf8(tmp_path, encoding, reported):
    text = (FIXTURES / "variants_plan.txt").read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode(encoding))
    doc = parse(path)
    assert doc.source.encoding == reported
    assert doc.meta.title == "南溪市数字基础设施建设行动方案（2024—2026年）"
    assert summary(doc) == VARIANTS_TASKS


@pytest.mark.parametrize("line", [
    # One-line snippets of the bundled plans that charset-normalizer alone reads as cp949, johab
    # or UTF-16-BE when they are saved in GB18030.
    "地。", "局，市通信管理局）", "4.物联感知网络建设行动", "每万人拥有5G", "第一章 发展基础", "强化数据安全保护。",
    "（责任单位：市大数据委）", "加快", "千兆宽带家庭普及率 % 0.1 20 年均提高 4 个百分点",
])
def test_short_gb18030_text_is_not_misdetected(line):
    assert decode_bytes(line.encode("gb18030"), "x.txt") == (line, "gb18030")


def test_traditional_plan_in_big5_is_detected():
    text = (FIXTURES / "traditional_plan.txt").read_text(encoding="utf-8")
    assert decode_bytes(text.encode("big5"), "x.txt") == (text, "big5")


def test_docs_reports_the_detected_encoding(tmp_path, home):
    path = tmp_path / "南溪.txt"
    path.write_bytes((FIXTURES / "variants_plan.txt").read_text(encoding="utf-8").encode("gb18030"))
    built = CliRunner().invoke(cli, ["build", str(path)])
    assert built.exit_code == 0, built.output
    rows = json.loads(CliRunner().invoke(cli, ["docs", "--format", "json"]).output)
    assert [(r["title"], r["encoding"], r["format"], r["tasks"]) for r in rows] == [
        ("南溪市数字基础设施建设行动方案（2024—2026年）", "gb18030", "txt", 8)]


# ---------------------------------------------------------------- markdown and HTML


def test_markdown_plan_with_headings_emphasis_and_table(tmp_path):
    doc = parse(FIXTURES / "table_markdown_plan.md")
    assert doc.source.format == "markdown"
    assert doc.meta.title == "西溪市数据要素市场化配置改革行动计划"
    assert [(t.number, t.title, t.line_start) for t in doc.tasks[:3]] == [
        ("1", "建设数据交易平台", 13), ("2", "推进公共数据授权运营", 15), ("3", "健全数据分类分级保护制度", 19)]
    assert len(doc.tasks) == 6  # 3 body tasks + 3 rows of the 分工 table (lines 25-27)


def test_html_page_keeps_the_article_and_drops_the_site_around_it():
    source = read_source(FIXTURES / "gov_page.html")
    assert (source.format, source.encoding) == ("html", "utf-8")
    for noise in ("首页", "政务公开", "当前位置", "分享到", "相关文件", "版权所有", "统计代码", "请输入关键词", "索引号"):
        assert noise not in source.text
    assert source.text.splitlines()[:2] == ["北溪市人民政府办公室关于印发北溪市智慧城市建设实施方案的通知", "北政办〔2024〕21号"]
    doc = parse_document(source)
    assert (doc.meta.title, doc.meta.number, doc.meta.date, doc.meta.issuer) == (
        "北溪市智慧城市建设实施方案", "北政办〔2024〕21号", "2024-05-20", "北溪市人民政府办公室")
    assert summary(doc) == [
        ("（一）", "建设城市信息模型平台", [("市住建局", "lead", 1), ("市自然资源局", "support", 2), ("市数据局", "support", 2)],
         "2025年底"),
        ("（二）", "推进智慧社区建设", [("市民政局", "lead", 1), ("各县（区）人民政府", "support", 1)], ""),
        ("（一）", "加强资金保障", [("市财政局", "lead", 1)], ""),
    ]


def test_html_page_in_gbk_uses_its_declared_charset(tmp_path):
    page = (FIXTURES / "gov_page.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gb2312"')
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode("gbk"))
    doc = parse(path)
    assert (doc.source.encoding, doc.meta.title, len(doc.tasks)) == ("gb18030", "北溪市智慧城市建设实施方案", 3)


def test_html_without_content_ids_falls_back_to_the_densest_block(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in (FIXTURES / "variants_plan.txt").read_text(encoding="utf-8").splitlines())
    links = "".join(f'<a href="/{i}">栏目{i}</a>' for i in range(30))
    path = tmp_path / "page.html"
    path.write_text(f"<html><body><div>{links}</div><div><div>{body}</div></div><div>联系我们 网站地图</div></body></html>",
                    encoding="utf-8")
    doc = parse(path)
    assert "栏目" not in doc.source.text and "网站地图" not in doc.source.text
    assert summary(doc) == VARIANTS_TASKS


LAYOUT_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<table width="100%"><tr><td class="nav"><a href="/">首页</a> <a href="/jg">机构概况</a></td></tr>
<tr><td><table><tr><td>
<p>北溪市智慧城市建设实施方案</p><p>一、重点任务</p>
<p>（一）建设城市信息模型平台。汇聚全市建筑、道路、管网数据，形成城市三维底座，支撑规划建设管理全流程应用，推动数据共享开放，提升城市治理精细化水平。（牵头单位：市住建局；配合单位：市自然资源局、市数据局；完成时限：2025年底）</p>
<p>（二）推进智慧社区建设。建设社区综合服务平台，覆盖80%以上城市社区，提供养老、托育、家政等便民服务，实现社区事务一网通办。（责任单位：市民政局）</p>
<p>附件：重点任务分工表</p>
<table border="1"><tr><th>序号</th><th>重点任务</th><th>牵头单位</th><th>配合单位</th></tr>
<tr><td colspan="4">一、城市底座</td></tr>
<tr><td>1</td><td><p>建设城市信息模型平台</p></td><td>市住建局</td><td><p>市自然资源局</p><p>市数据局</p></td></tr></table>
</td></tr></table></td></tr></table></body></html>"""


def test_html_layout_tables_are_read_as_text_and_data_tables_as_rows(tmp_path):
    path = tmp_path / "old_site.html"
    path.write_bytes(LAYOUT_PAGE.encode("gbk"))
    doc = parse(path)
    assert doc.source.encoding == "gb18030"
    assert doc.source.lines[4:8] == ["附件：重点任务分工表", "序号\t重点任务\t牵头单位\t配合单位", "一、城市底座",
                                     "1\t建设城市信息模型平台\t市住建局\t市自然资源局、市数据局"]
    assert summary(doc) == [
        ("（一）", "建设城市信息模型平台", [("市住建局", "lead", 1), ("市自然资源局", "support", 2), ("市数据局", "support", 2)],
         "2025年底"),
        ("（二）", "推进智慧社区建设", [("市民政局", "lead", 1)], ""),
        ("表1.1", "建设城市信息模型平台", [("市住建局", "lead", 1), ("市自然资源局", "support", 2), ("市数据局", "support", 2)],
         ""),
    ]
    assert doc.tasks[2].restates == 1


# ---------------------------------------------------------------- Word


def build_docx(path: Path, paragraphs: list[str], rows: list[tuple[str, ...]] = (), merged_row: int | None = None):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                first, *more = text.split("\n")
                table.cell(i, j).text = first
                for extra in more:
                    table.cell(i, j).add_paragraph(extra)
        if merged_row is not None:
            table.cell(merged_row, 0).merge(table.cell(merged_row, len(rows[0]) - 1))
        document.add_paragraph("抄送：市委办公室。")
    document.save(str(path))
    return path


DOCX_PARAGRAPHS = [
    "西溪市数据要素市场化配置改革行动计划", "一、工作目标", "到2025年，数据要素市场体系基本建立。", "二、主要任务",
    "1.建设数据交易平台。建成市级数据交易服务平台，引进数据商50家。",
    "2.推进公共数据授权运营。制定公共数据授权运营管理办法。（责任单位：市数据局、市财政局）",
    "附件：重点任务分工",
]
DOCX_ROWS = [
    ("序号", "重点任务", "牵头单位", "配合单位", "完成时限"),
    ("一、数据市场", "", "", "", ""),
    ("1", "建设数据交易平台", "市数据局", "市金融办\n市市场监管局", "2024年底"),
    ("2", "推进公共数据授权运营", "市数据局", "市财政局、市司法局等", "2025年6月"),
]


def test_docx_paragraphs_and_table_in_document_order(tmp_path):
    doc = parse(build_docx(tmp_path / "plan.docx", DOCX_PARAGRAPHS, DOCX_ROWS, merged_row=1))
    assert (doc.source.format, doc.source.encoding) == ("docx", "")
    lines = doc.source.text.splitlines()
    assert lines[6:11] == ["附件：重点任务分工", "序号\t重点任务\t牵头单位\t配合单位\t完成时限", "一、数据市场",
                           "1\t建设数据交易平台\t市数据局\t市金融办、市市场监管局\t2024年底",
                           "2\t推进公共数据授权运营\t市数据局\t市财政局、市司法局等\t2025年6月"]
    assert summary(doc) == [
        ("1", "建设数据交易平台", [], ""),
        ("2", "推进公共数据授权运营", [("市数据局", "lead", 1), ("市财政局", "support", 1)], ""),
        ("表1.1", "建设数据交易平台", [("市数据局", "lead", 1), ("市金融办", "support", 2), ("市市场监管局", "support", 2)],
         "2024年底"),
        ("表1.2", "推进公共数据授权运营", [("市数据局", "lead", 1), ("市财政局", "support", 2), ("市司法局", "support", 2)],
         "2025年6月"),
    ]
    assert [(s.kind, s.number, s.title) for s in doc.sections if s.kind.startswith("table")] == [
        ("table", "表1", "重点任务分工"), ("table_group", "一", "数据市场")]


def test_docx_and_txt_of_the_same_plan_are_built_once(tmp_path):
    build_docx(tmp_path / "plan.docx", DOCX_PARAGRAPHS[:-1])
    (tmp_path / "plan.txt").write_text("\n\n".join(DOCX_PARAGRAPHS[:-1]) + "\n", encoding="utf-8")
    report = graph_build.build_report([tmp_path / "plan.docx", tmp_path / "plan.txt"])
    assert [i["file"].rsplit("/", 1)[-1] for i in report.inputs] == ["plan.docx"]
    assert report.warnings == [f"{tmp_path / 'plan.txt'}: same content as {tmp_path / 'plan.docx'}, built once"]


def test_same_plan_under_another_name_is_built_once_with_a_warning(tmp_path):
    shutil.copy(FIXTURES / "variants_plan.txt", tmp_path / "a.txt")
    (tmp_path / "b.md").write_text((FIXTURES / "variants_plan.txt").read_text(encoding="utf-8").replace("\n", "\r\n"),
                                   encoding="utf-8")
    report = graph_build.build_report([tmp_path])
    assert [i["tasks"] for i in report.inputs] == [8]
    assert report.warnings == [f"{tmp_path / 'b.md'}: same content as {tmp_path / 'a.txt'}, built once"]
    assert report.failures == []


# ---------------------------------------------------------------- PDF


def cjk_font():
    for path, index in CJK_FONTS:
        if Path(path).exists():
            return path, index
    pytest.skip("no CJK font for fpdf2 (install the Debian package fonts-noto-cjk)")


def build_pdf(path: Path) -> Path:
    fpdf = pytest.importorskip("fpdf")
    font, index = cjk_font()

    class Plan(fpdf.FPDF):
        def header(self):
            self.set_font("cjk", size=9)
            self.cell(0, 6, "南溪市人民政府办公室文件", align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.cell(0, 6, f"- {self.page_no()} -", align="C")

    pdf = Plan()
    pdf.add_font("cjk", fname=font, collection_font_number=index)
    pdf.set_font("cjk", size=12)
    pdf.add_page()

    def paragraph(text):
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    paragraph("南溪市新型基础设施建设三年行动计划（2024—2026年）")
    paragraph("一、总体要求")
    paragraph("到2026年，全市新型基础设施建设水平显著提升。" * 3)
    paragraph("二、重点任务")
    paragraph("1.加快5G网络建设。" + "新建5G基站3000个，推进千兆光网覆盖全部行政村和重点区域，打造双千兆城市。" * 4
              + "（牵头单位：市通信管理局；配合单位：市工信局、各区人民政府；完成时限：2025年底）")
    paragraph("2.建设城市算力中心。" + "新建标准机架2000个，算力规模达到500PFLOPS，服务全市人工智能企业。" * 4
              + "（责任单位：市数据局、市发改委，市电力公司）")
    paragraph("3.推进智慧交通建设。" + "建设城市交通大脑，推广电子客票和无感支付，提升交通治理能力。" * 4 + "（责任单位：市交通局）")
    pdf.add_page()
    paragraph("附件：重点任务分工表")
    with pdf.table(col_widths=(15, 55, 35, 45, 25), first_row_as_headings=False, v_align="TOP") as table:
        for row in [("序号", "重点任务", "牵头单位", "配合单位", "完成时限"),
                    ("1", "加快5G网络建设", "市通信管理局", "市工信局、各区人民政府", "2025年底"),
                    ("2", "建设城市算力中心，新建标准机架2000个", "市数据局", "市发改委、市电力公司", "2026年6月")]:
            cells = table.row()
            for text in row:
                cells.cell(text)
    pdf.output(str(path))
    return path


def test_pdf_text_layer_without_running_header_and_page_numbers(tmp_path):
    doc = parse(build_pdf(tmp_path / "plan.pdf"))
    assert (doc.source.format, doc.source.encoding) == ("pdf", "")
    assert "南溪市人民政府办公室文件" not in doc.source.text
    assert not any(line.strip() in {"- 1 -", "- 2 -"} for line in doc.source.lines)
    assert doc.meta.title == "南溪市新型基础设施建设三年行动计划（2024—2026年）"
    assert summary(doc) == [
        ("1", "加快5G网络建设", [("市通信管理局", "lead", 1), ("市工信局", "support", 2), ("各区人民政府", "support", 2)],
         "2025年底"),
        ("2", "建设城市算力中心", [("市数据局", "lead", 1), ("市发改委", "support", 1), ("市电力公司", "support", 2)], ""),
        ("3", "推进智慧交通建设", [("市交通局", "lead", 1)], ""),
        ("表1.1", "加快5G网络建设", [("市通信管理局", "lead", 1), ("市工信局", "support", 2), ("各区人民政府", "support", 2)],
         "2025年底"),
        ("表1.2", "建设城市算力中心", [("市数据局", "lead", 1), ("市发改委", "support", 2), ("市电力公司", "support", 2)],
         "2026年6月"),
    ]
    task = doc.tasks[0]
    assert task.text.count("新建5G基站3000个") == 4  # the lines the page width wrapped are joined again
    assert [t.restates for t in doc.tasks[3:]] == [1, 2]
    assert doc.tasks[4].text == "建设城市算力中心，新建标准机架2000个"  # a cell wrapped onto a second line


@pytest.mark.parametrize("pages,expected", [
    ([["厦门市人民政府文件", "正文一", "- 1 -"], ["厦门市人民政府文件", "正文二", "- 2 -"], ["厦门市人民政府文件", "正文三", "- 3 -"]],
     [["正文一"], ["正文二"], ["正文三"]]),
    ([["正文一", "第1页"], ["正文二", "第 2 页 共 3 页"], ["正文三", "3"]], [["正文一"], ["正文二"], ["正文三"]]),
    ([["（责任单位：市发改委）", "正文"], ["正文二"], ["正文三"]], [["（责任单位：市发改委）", "正文"], ["正文二"], ["正文三"]]),
])
def test_running_lines_and_page_numbers_are_dropped(pages, expected):
    assert formats.drop_running_lines(pages) == expected


# ---------------------------------------------------------------- folders


def test_folders_are_read_recursively_in_a_stable_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ["b/plan.txt", "a/deep/plan.html", "a/plan.md", "a/plan.docx", "a/plan.pdf", "z.htm",
                 "a/notes.xlsx", ".hidden/plan.txt", "a/~$plan.docx"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])] == [
        "a/deep/plan.html", "a/notes.xlsx", "a/plan.docx", "a/plan.md", "a/plan.pdf", "b/plan.txt", "z.htm"]
