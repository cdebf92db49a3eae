"""Readers for plan files that are not plain text: Word (.docx), PDF (.pdf) and saved web pages (.html).

Each reader turns a file into the lines a plain-text copy of the plan would have, so that the
parser sees one family of texts:
- Word: paragraphs and tables in document order; a table row is one line, cells separated by
  tabs (a cell merged across columns appears once, a cell merged down a column repeats);
- PDF: the text layer, page by page, without running headers, footers and page numbers
  ("- 3 -", "第3页", lines repeated at the top or bottom of most pages); the reflow rejoins the
  lines the layout wrapped. Pages holding a task-division table are rebuilt from the positions
  of their text so that each row's cells stay apart (tab-separated, wrapped cells aligned);
- HTML: the article body of a government page (the container with id/class zoom, TRS_Editor,
  article, content …, else the densest block of text), without navigation, header, footer,
  scripts and styles; table rows as tab-separated lines.
Old Word (.doc) and WPS (.wps) files are converted to .docx by LibreOffice, when installed, and
read as Word; workbooks (.xlsx, .xls, .et, .ods) are read by ``graph_build.sheets``.
Their libraries (python-docx, pypdf, beautifulsoup4 + lxml, python-calamine) are the extra
``respgraph[docs]`` and are imported only when such a file is read.
"""
from __future__ import annotations

import importlib
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

from .model import SourceText
from .sheets import SUFFIXES as SHEET_SUFFIXES

WORD_CONVERTED = {".doc", ".wps"}  # old Word and WPS Writer files: converted to .docx by LibreOffice
SUFFIXES: set[str] = {".docx", ".pdf", ".html", ".htm", ".xhtml"} | WORD_CONVERTED | SHEET_SUFFIXES
# Formats analysts meet on government sites that respgraph cannot read, and what to do instead.
HINTS = {".rtf": "save it as .docx", ".ofd": "export it as PDF"}
EXTRA = "pip install 'respgraph[docs]'"


def read_other(file: Path, raw: bytes) -> SourceText:
    """Read a non-text plan file, or say which formats are supported."""
    from .read import SourceError

    suffix = file.suffix.lower()
    reader = {".docx": read_docx, ".pdf": read_pdf, ".html": read_html, ".htm": read_html,
              ".xhtml": read_html, **{s: read_converted for s in WORD_CONVERTED},
              **{s: _read_sheet for s in SHEET_SUFFIXES}}.get(suffix)
    if reader is None:
        raise SourceError(f"{file}: {unsupported(suffix)}")
    return reader(file, raw)


def unsupported(suffix: str) -> str:
    """Why a file of this suffix is not read, and what to do instead."""
    hint = f" ({HINTS[suffix]})" if suffix in HINTS else ""
    return (f"unsupported file type {suffix or '(none)'}{hint}; "
            "use .txt, .md, .docx, .doc, .wps, .pdf, .html or a workbook (.xlsx, .xls, .et, .ods)")


def _read_sheet(file: Path, raw: bytes) -> SourceText:
    from .sheets import read_workbook

    return read_workbook(file, raw)


def _require(module: str, package: str, file: Path):
    """Import an optional library, or fail with the one line that says how to install it."""
    from .read import SourceError

    try:
        return importlib.import_module(module)
    except ImportError:
        raise SourceError(f"{file}: reading {file.suffix.lower()} files needs {package}; {EXTRA}") from None


def _clean_text(text: str) -> str:
    """Drop NULs and control characters a text layer can carry; keep tabs and newlines."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]", "", text)


def _source(file: Path, lines: list[str], encoding: str, fmt: str) -> SourceText:
    from .read import SourceError

    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    if not text.strip():
        raise SourceError(f"{file}: no text found in the {fmt} file")
    return SourceText(path=str(file), text=text + "\n", encoding=encoding, format=fmt)


# ---------------------------------------------------------------- Word


def join_cell(parts: list[str]) -> str:
    """A table cell's paragraphs as one line.

    Short paragraphs without punctuation are a list of names ("市金融办" / "市市场监管局")
    and are joined with 、; other paragraphs are joined with ；, or directly after punctuation.
    """
    parts = [p for p in (re.sub(r"\s+", " ", part).strip() for part in parts) if p]
    if len(parts) > 1 and all(len(p) <= 20 and not re.search(r"[。；;，,：:、]", p) for p in parts):
        return "、".join(parts)
    text = ""
    for part in parts:
        text = part if not text else (text + part if text.endswith(tuple("。；;，,、：:")) else f"{text}；{part}")
    return text


def _cell_text(cell) -> str:
    return join_cell([paragraph.text for paragraph in cell.paragraphs])


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # A cell merged across columns comes back once per column: print it once.
            cells.append("" if previous is not None and cell._tc is previous._tc else _cell_text(cell))
            previous = cell
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def _paragraph_line(text: str) -> str:
    """A paragraph as one line; a stray tab (after "一、") is a space unless it separates columns."""
    parts = [p for p in text.split("\t") if p.strip()]
    if len(parts) < 3:
        text = text.replace("\t", " ")
    return text.replace("\n", " ").replace("\u000b", " ")


def read_docx(file: Path, raw: bytes) -> SourceText:
    """Paragraphs and tables of a Word document, in document order."""
    from .read import SourceError

    docx = _require("docx", "python-docx", file)
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as error:  # python-docx raises several types for a damaged package
        raise SourceError(f"{file}: not a readable Word .docx file ({_reason(error)})") from None
    lines: list[str] = []
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            lines.extend(_table_lines(item))
        else:
            lines.append(_paragraph_line(item.text))
    return _source(file, [_clean_text(line) for line in lines], "", "docx")


# ---------------------------------------------------------------- old Word and WPS

LIBREOFFICE = "libreoffice-writer-nogui"  # the Debian package that provides soffice without a GUI
CONVERT_TIMEOUT = 180  # seconds; a first start with a fresh profile takes a few


def soffice() -> str | None:
    """The LibreOffice program on PATH (soffice, or libreoffice), if any."""
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(file: Path, raw: bytes) -> bytes:
    """A .doc or .wps file converted to .docx by LibreOffice, in a private temporary folder.

    LibreOffice runs headless with its own throw-away profile (so it neither meets a running
    office nor another conversion running in parallel) and is stopped after CONVERT_TIMEOUT.
    """
    import shutil
    import subprocess
    import tempfile

    from .read import SourceError

    program = soffice()
    suffix = file.suffix.lower()
    if program is None:
        raise SourceError(f"{file}: reading {suffix} files needs LibreOffice; install it "
                          f"(apt-get install {LIBREOFFICE}) or save the file as .docx")
    folder = Path(tempfile.mkdtemp(prefix="respgraph-soffice-"))
    try:
        source = folder / f"input{suffix}"
        source.write_bytes(raw)
        command = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nologo", "--convert-to", "docx", "--outdir", str(folder / "out"), str(source)]
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SourceError(f"{file}: LibreOffice did not convert it within {CONVERT_TIMEOUT} s") from None
        except OSError as error:
            raise SourceError(f"{file}: could not run LibreOffice ({_reason(error)})") from None
        converted = folder / "out" / "input.docx"
        if done.returncode != 0 or not converted.is_file():
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise SourceError(f"{file}: LibreOffice could not convert it to .docx"
                              + (f" ({said.splitlines()[-1][:120]})" if said else " (not a Word or WPS file?)"))
        return converted.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_converted(file: Path, raw: bytes) -> SourceText:
    """An old Word (.doc) or WPS (.wps) document, read as the .docx LibreOffice makes of it."""
    from .read import PLAUSIBLE, SourceError, plausibility

    _require("docx", "python-docx", file)
    source = read_docx(file, convert_to_docx(file, raw))
    if plausibility(source.text) < PLAUSIBLE:  # LibreOffice reads what it cannot recognise as raw text
        raise SourceError(f"{file}: LibreOffice could not read it as a Word or WPS document (damaged?)")
    source.format = file.suffix.lower().lstrip(".")
    return source


# ---------------------------------------------------------------- PDF

PAGE_NUMBER = re.compile(r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                         r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$")
EDGE_LINES = 2  # running headers and footers sit in a page's first or last lines
REPEATED_SHARE = 0.6  # ... and on most pages


def _is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line.strip()))


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove page numbers and the running header/footer lines repeated on most pages.

    Lines are compared with their digits blanked, so "第3页" and "第4页" are one line.
    """
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))

    counts: Counter[str] = Counter()
    for lines in pages:
        content = [line for line in lines if line.strip()]
        edges = content[:EDGE_LINES] + content[-EDGE_LINES:]
        counts.update({key(line) for line in edges})
    threshold = max(2, REPEATED_SHARE * len(pages))
    running = {k for k, n in counts.items() if n >= threshold and k}
    cleaned = []
    for lines in pages:
        content = [index for index, line in enumerate(lines) if line.strip()]
        edges = set(content[:EDGE_LINES] + content[-EDGE_LINES:])
        cleaned.append([line for index, line in enumerate(lines)
                        if not _is_page_number(line) and not (index in edges and key(line) in running)])
    return cleaned


def _char_width(char: str) -> float:
    """Width of a character in font sizes: CJK is square, Latin about half."""
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.5


def _page_text(page) -> tuple[str, list[tuple[float, float, float, str]]]:
    """The page's text layer, and (x, y, font size, text) of each piece of text it draws."""
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        text = _clean_text(text).replace("\n", "")
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[0] * cm[0]) or 1.0
        pieces.append((x, y, max(float(font_size) * scale, 1.0), text))

    text = page.extract_text(visitor_text=visit) or ""
    return _clean_text(text), pieces


RUN_GAP = 0.3  # pieces closer than this many font sizes belong to one run of text


def _visual_lines(pieces) -> list[list[tuple[float, float, float, str]]]:
    """Pieces grouped into lines top to bottom, each line as (start x, end x, size, text) runs."""
    lines: list[list[tuple[float, float, float, str]]] = []
    for piece in sorted(pieces, key=lambda p: (-p[1], p[0])):
        if lines and abs(lines[-1][0][1] - piece[1]) <= 0.5 * piece[2]:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    runs_by_line = []
    for line in lines:
        runs: list[tuple[float, float, float, str]] = []
        for x, _y, size, text in sorted(line, key=lambda p: p[0]):
            end = x + size * sum(_char_width(c) for c in text)
            if runs and x - runs[-1][1] <= RUN_GAP * size:
                runs[-1] = (runs[-1][0], max(end, runs[-1][1]), size, runs[-1][3] + text)
            else:
                runs.append((x, end, size, text))
        runs_by_line.append(runs)
    return runs_by_line


def _positioned_lines(pieces) -> list[str] | None:
    """A page's lines rebuilt from text positions when it holds a task-division table.

    Below the table header, each run of text goes to the column it starts in, so a row is
    one tab-separated line and a cell wrapped onto the next line keeps its column. A line
    whose text overruns its column (body text after the table) ends the table. Returns None
    when the page has no such table: the plain text layer is used then.
    """
    from .tables import match_header

    bounds: list[float] | None = None  # where each column begins (its left edge, roughly)
    limits: list[float] = []  # how far a column's text may run: the next header's start
    out: list[str] = []
    found = False
    for runs in _visual_lines(pieces):
        plain = "".join(text for _, _, _, text in runs).strip()
        if bounds is None:
            header = "\t".join(text.strip() for _, _, _, text in runs)
            if len(runs) >= 2 and match_header(header):
                bounds = [float("-inf")] + [(a[1] + b[0]) / 2 for a, b in zip(runs, runs[1:])]
                limits = [b[0] for b in runs[1:]] + [float("inf")]
                found = True
                out.append(header)
            else:
                out.append(plain)
            continue
        cells = [""] * len(bounds)
        fits = True
        for start, end, size, text in runs:
            column = max(i for i, bound in enumerate(bounds) if bound <= start)
            fits = fits and end <= limits[column] + size
            cells[column] += text.strip()
        if fits:
            out.append("\t".join(cells))
        else:
            bounds = None
            out.append(plain)
    return out if found else None


def _reason(error: Exception) -> str:
    """A library error as a short phrase: its first line, else its type."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return (text[:80] or type(error).__name__)


def read_pdf(file: Path, raw: bytes) -> SourceText:
    """The text layer of a PDF, without running headers, footers and page numbers."""
    import logging
    import warnings

    from .read import SourceError

    pypdf = _require("pypdf", "pypdf", file)
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # pypdf logs every repair it makes; failures are reported below
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(raw))
            if reader.is_encrypted:
                reader.decrypt("")
            pages = []
            for page in reader.pages:
                text, pieces = _page_text(page)
                positioned = _positioned_lines(pieces)
                pages.append(positioned if positioned is not None else text.split("\n"))
    except Exception as error:  # pypdf raises many types for damaged or encrypted files
        raise SourceError(f"{file}: not a readable PDF ({_reason(error)})") from None
    finally:
        logger.setLevel(level)
    lines = [line for page in drop_running_lines(pages) for line in page]
    if not "".join(lines).strip():
        raise SourceError(f"{file}: the PDF has no text layer (a scan?); run OCR on it first")
    return _source(file, lines, "", "pdf")


# ---------------------------------------------------------------- HTML

CONTENT_HINTS = ("zoom", "trs_editor", "custom_unionstyle", "article", "content", "main", "text", "detail", "zw")
NOISE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "button", "select", "input", "svg", "template")
NOISE_HINTS = ("nav", "menu", "header", "footer", "breadcrumb", "crumb", "share", "sidebar", "banner",
               "toolbar", "copyright", "related", "login", "search", "position", "location")
BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section",
              "article", "blockquote", "pre", "dd", "dt", "ul", "ol", "center", "hr"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _html_text(raw: bytes, file: Path) -> tuple[str, str]:
    """The page's text and its encoding: the declared charset, else detection."""
    from .read import preferred_encoding, decode_bytes

    declared = META_CHARSET.search(raw[:4096])
    if declared:
        encoding = preferred_encoding(declared.group(1).decode("ascii"))
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(raw, str(file))


def _attr_words(tag) -> str:
    return " ".join([tag.get("id") or "", *(tag.get("class") or [])]).lower()


def _is_noise(tag) -> bool:
    """Navigation, site header/footer, share bars: by id/class, unless it also names content
    ("article-header" holds the article's title)."""
    words = [w for w in re.split(r"[\s_\-]+", _attr_words(tag)) if w]
    if any(word.startswith(hint) for word in words for hint in ("article", "title", "zoom", "trs")):
        return False
    return any(word.startswith(hint) for word in words for hint in NOISE_HINTS)


def _text_length(tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def _link_length(tag) -> int:
    return sum(_text_length(a) for a in tag.find_all("a"))


def main_container(soup):
    """The element holding the article: a known content id/class, else the densest text block."""
    body = soup.body or soup
    total = max(_text_length(body), 1)
    hinted = [tag for tag in body.find_all(True)
              if any(hint in _attr_words(tag).replace("-", "_") for hint in CONTENT_HINTS)
              and _text_length(tag) >= 0.2 * total and _link_length(tag) < 0.5 * _text_length(tag)]
    if hinted:
        # The innermost hinted container that still holds most of the hinted text.
        best = max(hinted, key=_text_length)
        inner = [t for t in hinted if t is not best and best in t.parents and _text_length(t) >= 0.8 * _text_length(best)]
        return max(inner, key=lambda t: len(list(t.parents))) if inner else best
    candidates = [tag for tag in body.find_all(["div", "td", "section", "article", "main"])]
    if not candidates:
        return body
    score = {id(tag): _text_length(tag) - 2 * _link_length(tag) for tag in candidates}
    best = max(candidates, key=lambda t: score[id(t)])
    while True:
        children = [c for c in best.find_all(["div", "td", "section", "article", "main"], recursive=False)]
        dense = [c for c in children if score.get(id(c), 0) >= 0.8 * score[id(best)]]
        if not dense:
            return best
        best = dense[0]


def _is_layout_row(row) -> bool:
    """A table row that lays out the page (a nested table, a cell holding the article) rather
    than a row of data: old government sites put the whole article in one table cell."""
    return row.find("table") is not None or any(
        _text_length(cell) > 300 for cell in row.find_all(["td", "th"], recursive=False))


def _html_lines(container) -> list[str]:
    """Text of an element as lines: a break at each block element, table cells tab-separated."""
    from bs4 import NavigableString, Tag

    lines: list[str] = []
    current: list[str] = []

    def flush():
        text = re.sub(r"[ \u00a0\r\n]+", " ", "".join(current)).strip()
        if text.replace("\t", "").strip():
            lines.append(text)
        current.clear()

    def walk(node):
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                    continue
                current.append(str(child))
            elif isinstance(child, Tag):
                name = child.name.lower()
                if name == "tr" and not _is_layout_row(child):
                    flush()
                    cells: list[str] = []
                    for cell in child.find_all(["td", "th"], recursive=False):
                        cells.append(join_cell(_html_lines(cell)).replace("\t", " "))
                        span = str(cell.get("colspan") or "1")
                        cells.extend([""] * (int(span) - 1 if span.isdigit() and 1 < int(span) < 50 else 0))
                    if any(cells):
                        lines.append("\t".join(cells))
                    continue
                if name in BLOCK_TAGS:
                    flush()
                walk(child)
                if name in BLOCK_TAGS:
                    flush()

    walk(container)
    flush()
    return lines


def read_html(file: Path, raw: bytes) -> SourceText:
    """The article text of a saved government web page."""
    from .read import SourceError

    bs4 = _require("bs4", "beautifulsoup4", file)
    _require("lxml", "lxml", file)
    text, encoding = _html_text(raw, file)
    try:
        soup = bs4.BeautifulSoup(text, "lxml")
    except Exception as error:
        raise SourceError(f"{file}: not a readable HTML page ({_reason(error)})") from None
    for tag in soup.find_all(NOISE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and tag.name not in ("html", "body") and _is_noise(tag):
            tag.decompose()
    container = main_container(soup)
    lines = _html_lines(container)
    heading = soup.find(["h1", "h2"])
    title = re.sub(r"\s+", "", heading.get_text()) if heading else ""
    if title and not any(title in re.sub(r"\s+", "", line) for line in lines[:10]):
        lines.insert(0, title)  # the page title sits outside the article container
    return _source(file, [_clean_text(line) for line in lines], encoding, "html")
