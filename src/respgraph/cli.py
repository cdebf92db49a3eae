"""The respgraph command line: thin click commands over graph_build and queries.

Each command parses its options, asks the library, and hands rows to ``output.render``.
Errors are one line on stderr: exit code 2 for usage and ambiguity, 1 for failed work.
"""
from __future__ import annotations

import functools
import importlib
import os
import shlex
import sys

import click

from . import __version__, output, store
from .errors import RespgraphError


class _Deferred:
    """A module imported on first use: `respgraph duties` answered from the query index never
    imports queries (and networkx with it, 110 ms of a 200 ms budget)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(importlib.import_module(self._name), attribute)


queries = _Deferred("respgraph.queries")

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                      show_default=True, help="Output format.")
CITY = click.option("--city", help="Only this city or province (福州 or 福州市).")
LISTING_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table",
                              show_default=True, help="Output format (xlsx needs -o FILE).")
OUTPUT = click.option("-o", "--output", "output_path", type=click.Path(),
                      help="Write to this file instead of stdout (required for xlsx).")


class DomainError(click.ClickException):
    """A request refused for what it asks rather than how it is typed (an ambiguous unit, an
    unknown city, an -o path that is not a regular file): one line on stderr, exit code 2, and
    none of click's ``Usage:`` lines."""

    exit_code = 2


class RespgraphGroup(click.Group):
    """A group that turns unexpected errors into one line (a traceback only with --debug).

    An OSError is said in words without its errno ("out.json: no space left on the disk"); a
    path respgraph refuses to write or read (``graph_build.files.UnsafePath``) is exit code 2.

    Commands of the feature modules are registered when one of them (or --help) is asked for.
    """

    def parse_args(self, ctx, args):
        ctx.meta["respgraph.args"] = list(args)  # the command line, for an xlsx workbook's first sheet
        return super().parse_args(ctx, args)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None:
            load_command_modules()
            command = super().get_command(ctx, name)
        return command

    def list_commands(self, ctx):
        load_command_modules()
        return super().list_commands(ctx)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            error.message = " ".join(str(error.message).split("\n"))  # one line, whatever text it quotes
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except (RespgraphError, OSError, UnicodeError) as error:  # anything else is a bug: its traceback shows
            if ctx.params.get("debug") or os.environ.get("RESPGRAPH_DEBUG"):
                raise
            raise one_line_error(error) from None


def one_line_error(error: Exception) -> click.ClickException:
    """The CLI error for an exception no command handled: one human line."""
    from respgraph.graph_build.files import describe_os_error

    if isinstance(error, OSError) and error.errno is not None:  # the system's words, without [Errno N]
        return click.ClickException(describe_os_error(error))
    if isinstance(error, RespgraphError):
        text = str(error).strip()
        line = text.splitlines()[0] if text else error.__class__.__name__
        return DomainError(line) if error.exit_code == 2 else click.ClickException(line)
    if isinstance(error, OSError):
        return click.ClickException(describe_os_error(error))
    text = str(error).strip()
    if isinstance(error, UnicodeEncodeError):  # a surrogate: bytes from the command line that are not UTF-8
        bad = error.object[error.start:error.end] if isinstance(error.object, str) else ""
        shown = bad.encode("utf-8", "backslashreplace").decode()
        return DomainError(f"some text given is not valid UTF-8 ({shown}); check the terminal's encoding")
    return click.ClickException(text.splitlines()[0] if text else error.__class__.__name__)


@click.group(cls=RespgraphGroup)
@click.version_option(__version__, prog_name="respgraph")
@click.option("--graph", "graph_path", type=click.Path(dir_okay=False), envvar="RESPGRAPH_GRAPH",
              help="Use this snapshot instead of the active graph.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx, graph_path, debug):
    """Explore who is responsible for what in Chinese government plans.

    The bundled plans (福建省, 福州, 泉州, 厦门) are built on first use; `respgraph build PATH`
    replaces them with your own files.

    Example: respgraph duties 市大数据委
    """
    ctx.obj = {"graph_path": graph_path}


def graph_of(ctx):
    """The graph for this invocation, loaded once."""
    if "graph" not in ctx.obj:
        ctx.obj["graph"] = keep_until_exit(store.load_active(ctx.obj.get("graph_path")))
    return ctx.obj["graph"]


_exit_fast = False  # set by ``main``: the console script, not click's test runner
_kept: list = []


def keep_until_exit(value):
    """Hold ``value`` until the process ends, so that ``main`` can skip freeing it.

    Freeing the 100k-task graph object by object takes 5 s at exit (a build of every city's
    plans: 89 s when the command returned, 95 s when the process ended). Under the console
    script the process ends with ``os._exit`` once output is flushed; in a test runner nothing
    is kept and the graph is freed as usual.
    """
    if _exit_fast:
        _kept.append(value)
    return value


def answers(ctx):
    """Where tasks/duties/load/units read their rows: the snapshot's query index when it is
    fresh (no graph to load), else ``queries`` on the graph; the rows are the same."""
    if "answers" not in ctx.obj:
        index = store.fresh_index(ctx.obj.get("graph_path"))
        if index is None:
            from .index import GraphQueries

            index = GraphQueries(graph_of(ctx))
        ctx.obj["answers"] = index
    return ctx.obj["answers"]


def echo(text: str) -> None:
    """Print a line of a listing (kept for the file when -o names one)."""
    ctx = click.get_current_context(silent=True)
    captured = ctx.obj.get("captured") if ctx is not None and isinstance(ctx.obj, dict) else None
    if captured is not None:
        captured.append(text)
    else:
        click.echo(text)


def listing(command):
    """``--format table|json|csv|xlsx`` and ``-o FILE`` for a listing command.

    Before the command runs: xlsx without -o is refused (a binary workbook is never written to a
    terminal or stdout), an -o that is a FIFO, device or directory is refused, and a missing
    openpyxl is named with its install command. Table, JSON and CSV text goes to stdout as
    before, or with -o into the file, the same bytes, written atomically.
    """

    @functools.wraps(command)
    def run(*args, output_path=None, **kwargs):
        from respgraph.graph_build.files import check_target, write_atomic

        ctx = click.get_current_context()
        fmt = kwargs["fmt"]
        if fmt == "xlsx":
            from . import xlsx_output

            xlsx_output.require_openpyxl()
            if not output_path:
                raise xlsx_output.refuse_stdout()
        if output_path:
            check_target(output_path, ".xlsx" if fmt == "xlsx" else "")
        ctx.obj["output_path"] = output_path
        ctx.obj["captured"] = [] if output_path and fmt != "xlsx" else None
        result = command(*args, **kwargs)
        if ctx.obj["captured"] is not None:
            write_atomic(output_path, "".join(line + "\n" for line in ctx.obj["captured"]).encode("utf-8"))
        return result

    return LISTING_FORMAT(OUTPUT(run))


def shell_word(arg: str) -> str:
    """``arg`` as typed in a shell: quoted only when it must be (Chinese text is left bare)."""
    import re

    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else shlex.quote(arg)


def about_graph(ctx) -> list[tuple[str, object]]:
    """What was asked and from which graph, for the first sheet of a workbook."""
    args = ctx.meta.get("respgraph.args", [])
    about: list[tuple[str, object]] = [("command", " ".join(["respgraph", *map(shell_word, args)])),
                                       ("respgraph", __version__)]
    path = ctx.obj.get("graph_path")
    about.append(("graph", str(path) if path else f"{store.active_snapshot()} (active graph)"))
    graph = ctx.obj.get("graph")
    if graph is not None:
        about += [("builder fingerprint", graph.graph.get("builder", "")),
                  ("bundled plans", bool(graph.graph.get("bundled")))]
        inputs = graph.graph.get("inputs") or []
        if inputs:
            about += [("inputs", len(inputs)), ("input files", "\n".join(inputs))]
    else:
        meta = getattr(ctx.obj.get("answers"), "meta", None)
        if callable(meta):
            known = meta()
            about += [("builder fingerprint", known.get("builder", "")),
                      ("bundled plans", known.get("bundled") == "true"),
                      ("snapshot sha256", known.get("snapshot_sha256", ""))]
    from datetime import datetime

    about.append(("written", datetime.now().astimezone().isoformat(timespec="seconds")))
    return about


def emit_sheets(sheets) -> None:
    """Write ``sheets`` (``xlsx_output.Sheet``) to the -o workbook and say so on stderr."""
    from . import xlsx_output

    ctx = click.get_current_context()
    target = ctx.obj["output_path"]
    xlsx_output.write_workbook(target, sheets, about_graph(ctx))
    counts = ", ".join(f"{s.title}: {len(s.rows)} rows" for s in sheets)
    click.echo(f"wrote {counts} → {target}", err=True)


def emit(rows: list[dict], fmt: str, columns: list[str], csv_columns: list[str] | None = None,
         xlsx_columns: list[str] | None = None, wrap: set[str] | frozenset = frozenset()) -> None:
    """Rows as ``fmt``: text on stdout (or the -o file), or one sheet of an xlsx workbook
    (``xlsx_columns``, else the CSV columns), named after the command."""
    if fmt != "xlsx":
        echo(output.render(rows, fmt, columns, csv_columns))
        return
    from .xlsx_output import Sheet

    name = click.get_current_context().info_name or "rows"
    emit_sheets([Sheet(name, rows, xlsx_columns or csv_columns or columns, wrap=set(wrap))])


CITIES_LISTED = 12  # an unknown --city error names at most this many known cities


def check_cities(known, wanted) -> None:
    """Refuse (exit code 2) a --city value that selects none of the ``known`` region names,
    naming the closest ones (or all of them, when few)."""
    from .index import city_matches

    known = sorted(set(known) - {""})
    for city in [wanted] if isinstance(wanted, str) or wanted is None else wanted:
        if not city or not city.strip() or any(city_matches(name, city) for name in known):
            continue
        raise DomainError(unknown_city(city.strip(), known))


def unknown_city(city: str, known: list[str]) -> str:
    import difflib

    if not known:
        return f"no plan of '{city}' in the graph; it holds no city or province"
    # a typo keeps the first character (福洲 → 福州市); 杭州 is not "close" to 福州市 for sharing 州
    ranked = difflib.get_close_matches(city, known, n=len(known), cutoff=0.3)
    close = [name for name in ranked + known if name[:1] == city[:1] or city in name][:3]
    close = list(dict.fromkeys(close))
    hint = f"did you mean {' or '.join(close[:3])}? " if close else ""
    listed = ", ".join(known[:CITIES_LISTED]) + (f", … ({len(known)} in all; see 'respgraph docs')"
                                                 if len(known) > CITIES_LISTED else "")
    return f"no plan of '{city}' in the graph; {hint}known: {listed}"


def unit_summary(units: list[dict], role: str | None = None) -> str:
    chosen = [u for u in units if role is None or u["role"] == role]
    return "、".join(u["name"] for u in chosen)


def flatten_task(row: dict) -> dict:
    """Table/CSV view of a task row: lead and support units as text, source as file:line
    (file#sheet!row for a workbook's task)."""
    flat = dict(row)
    flat["lead"] = unit_summary(row["units"], "lead")
    flat["support"] = unit_summary(row["units"], "support")
    flat["units"] = "、".join(f"{u['name']}({u['role']})" for u in row["units"])
    flat["file"] = row["source"]["file"]
    flat["line"] = row["source"]["line"]
    name = row["source"]["file"].rsplit("/", 1)[-1]
    place = row["source"].get("place")  # a workbook's task: file#sheet!row
    flat["source"] = f"{name}#{place}" if place else f"{name}:{row['source']['line']}"
    flat["place"] = place or ""
    return flat


TASK_TABLE = ["city", "number", "title", "lead", "support", "source"]
TASK_CSV = ["id", "doc", "city", "section", "number", "title", "text", "units", "deadline", "file", "line"]
TASK_SHEET = ["city", "doc", "section", "number", "title", "text", "lead", "support", "source", "id"]


def emit_tasks(rows: list[dict], fmt: str, extra: list[str] | None = None) -> None:
    if fmt == "json":
        echo(output.render(rows, "json", []))
        return
    flat = [flatten_task(r) for r in rows]
    table, csv = list(TASK_TABLE), list(TASK_CSV)
    sheet = list(TASK_SHEET)
    if any(r.get("deadline") for r in rows):  # 完成时限 printed in or beside the annotations
        table.insert(table.index("source"), "deadline")
        sheet.insert(sheet.index("source"), "deadline")
    if any(r["place"] for r in flat):  # tasks read from a workbook: sheet!row
        csv.append("place")
    emit(flat, fmt, (extra or []) + table, (extra or []) + csv, (extra or []) + sheet, wrap={"title", "text"})


@cli.command("tasks")
@CITY
@listing
@click.pass_context
def tasks_command(ctx, city, fmt):
    """List tasks with their responsible units and source lines.

    Example: respgraph tasks --city 泉州 --format json
    """
    if city:
        check_cities(answers(ctx).cities(), city)
    emit_tasks(answers(ctx).tasks(city=city), fmt)


@cli.command("duties")
@click.argument("unit")
@click.option("--role", type=click.Choice(["lead", "support"]), help="Only tasks the unit leads / supports.")
@CITY
@listing
@click.pass_context
def duties_command(ctx, unit, role, city, fmt):
    """Every task UNIT leads or supports (exact name, alias or short form like 大数据委).

    Example: respgraph duties 市大数据委 --role lead
    """
    if city:
        check_cities(answers(ctx).cities(), city)
    rows = answers(ctx).duties(unit, role=role, city=city)  # AmbiguousUnit exit 2, UnknownUnit exit 1 (errors.py)
    emit_tasks(rows, fmt, extra=["role"])


@cli.command("load")
@click.option("--top", type=click.IntRange(min=1), help="Only the N heaviest rows.")
@click.option("--by", "by", type=click.Choice(["unit", "function"]), default="unit", show_default=True,
              help="Count per unit, or per function with each city's counterpart side by side.")
@CITY
@listing
@click.pass_context
def load_command(ctx, top, by, city, fmt):
    """How many tasks each unit leads and supports, heaviest first.

    Example: respgraph load --city 泉州 --top 5
    """
    if city:
        check_cities(answers(ctx).cities(), city)
    if by == "unit":
        rows = answers(ctx).load_by_unit(city=city, top=top)
        emit(rows, fmt, ["unit", "city", "kind", "lead", "support", "total", "targets"],
             ["unit", "city", "kind", "function", "lead", "support", "total", "targets"])
        return
    rows = answers(ctx).load_by_function(city=city, top=top)
    if fmt == "json":
        echo(output.render(rows, "json", []))
        return
    cities = sorted({c for r in rows for c in r["cities"]})
    flat = []
    for row in rows:
        item = {k: row[k] for k in ("function", "lead", "support", "total", "targets")}
        for name in cities:
            part = row["cities"].get(name)
            item[name] = f"{'、'.join(part['units'])} {part['lead']}/{part['support']}" if part else ""
        flat.append(item)
    columns = ["function", *cities, "lead", "support", "total", "targets"]
    emit(flat, fmt, columns)


@cli.command("units")
@click.option("--unresolved", is_flag=True, help="Only units the curated agency table does not know.")
@CITY
@listing
@click.pass_context
def units_command(ctx, unresolved, city, fmt):
    """List responsible units with region, kind, function and printed names.

    Example: respgraph units --unresolved
    """
    if city:
        check_cities(answers(ctx).cities(), city)
    rows = answers(ctx).units(city=city, unresolved=unresolved)
    emit(rows, fmt, ["unit", "city", "kind", "function", "tasks", "printed"],
         ["unit", "city", "kind", "function", "resolved", "tasks", "printed"])


@cli.command("docs")
@CITY
@listing
@click.pass_context
def docs_command(ctx, city, fmt):
    """List documents with their metadata, task counts and warnings.

    Example: respgraph docs --format json
    """
    if city:
        check_cities(queries.known_cities(graph_of(ctx)), city)
    rows = queries.documents(graph_of(ctx), city=city)
    if fmt == "table":  # a copy that prints no title is told apart by its file
        rows = [{**r, "title": r["title"] or f"({r['file'].rsplit('/', 1)[-1]})"} for r in rows]
    emit(rows, fmt, ["region", "title", "number", "date", "tasks", "annotated_tasks", "warnings"],
         ["id", "title", "issuer", "number", "date", "region", "level", "period", "tasks",
          "annotated_tasks", "file", "encoding", "format", "truncated", "warnings"], wrap={"title", "warnings"})


@cli.command("build")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--bundled", is_flag=True, help="Rebuild the bundled plans (the default with no PATH).")
@click.option("-o", "--output", "output_path", type=click.Path(),
              help="Write the snapshot here (a new or regular file) instead of making it the active graph.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress bar (drawn only when stderr is a terminal); "
                   "note:, warning: and error: lines still print.")
def build_command(paths, bundled, output_path, quiet):
    """Build the graph from plan files or folders and make it the active graph.

    Unreadable files are reported one per line and skipped; the exit code is 1 if any failed.
    Files in a folder that are not plans (other types, hidden, Office lock files) are listed
    as notes. A build that yields nothing leaves the previous graph untouched. On a terminal a
    progress bar shows the files parsed, then the stage (assembling, overlap, writing).

    Example: respgraph build plans/ extra/厦门.txt
    """
    from respgraph import graph_build
    from respgraph.graph_build import files

    from . import progress

    use_bundled = bundled or not paths
    for path in paths:  # a FIFO would block the build, a device never end: refused before anything is read
        files.check_input(path)
    if output_path:
        files.check_target(output_path, ".json")  # before the build, not after it: a folder, FIFO, device
    inputs = graph_build.bundled_plans() if use_bundled else list(paths)
    target = output_path or store.active_snapshot()
    with progress.display(quiet) as on_progress:
        report = keep_until_exit(store.build_and_save(inputs, target, bundled=use_bundled,
                                                      on_wait=lambda line: click.echo(f"note: {line}", err=True),
                                                      on_progress=on_progress))
    for skipped in report.skipped:  # files in the folders given that are not plans respgraph reads
        click.echo(f"note: {skipped}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for label, kinds in report.checks.items():
        click.echo(f"warning: {label}: " + ", ".join(f"{count} {kind}" for kind, count in kinds.items()), err=True)
    if report.checks:
        click.echo("warning: `respgraph check PATH...` lists each one with its line", err=True)
    for failure in report.failures:
        click.echo(f"error: {failure}", err=True)
    if not report.inputs:
        raise click.ClickException("nothing was built; the previous graph is unchanged")
    tasks = sum(i["tasks"] for i in report.inputs)
    click.echo(f"built {len(report.inputs)} documents, {tasks} tasks → {target}", err=True)
    if report.failures:
        sys.exit(1)


# Command modules register themselves on ``cli`` (one import per feature). They are imported
# only when a command not defined above (or --help) is asked for, so that `respgraph duties`
# starts without networkx, ladybug or scikit-learn: add your import inside this function.
def load_command_modules() -> None:
    from . import commands_export  # noqa: F401
    from . import commands_cypher  # noqa: F401
    from . import commands_overlap  # noqa: F401
    from . import commands_html  # noqa: F401
    from . import commands_check  # noqa: F401


def main() -> None:
    """Console entry point."""
    global _exit_fast
    _exit_fast = True
    try:
        cli(prog_name="respgraph")
    except SystemExit as done:
        if not _kept:
            raise
        # Every command has closed its files and connections by now; only freeing the kept
        # graph is left, and the operating system does that at once.
        code = done.code
        if not isinstance(code, int):
            if code is not None:
                print(code, file=sys.stderr)
            code = 0 if code is None else 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
