"""`respgraph check PATH...`: what the reading of each plan is unsure about, with no graph built."""
from __future__ import annotations

import click

from . import output
from .cli import FORMAT, cli, echo

COLUMNS = ["file", "line", "kind", "message"]


class BadInput(click.ClickException):
    """A path that names nothing to check: one line on stderr, exit code 2."""

    exit_code = 2


def render_findings(rows: list[dict], fmt: str) -> str:
    """JSON and CSV keep every field (file as given, line 0 for the whole document); the table
    shows file name:line and kind, aligned, and the message whole."""
    if fmt != "table":
        return output.render(rows, fmt, COLUMNS)
    shown = [{"source": row["file"].rsplit("/", 1)[-1] + (f":{row['line']}" if row["line"] else ""),
              "kind": row["kind"]} for row in rows]
    lines = output.render_table(shown, ["source", "kind"]).split("\n")
    size = max(output.width(line) for line in lines)
    messages = ["message", "-------", *(row["message"] for row in rows)]
    return "\n".join(line + " " * (size - output.width(line)) + "  " + message
                     for line, message in zip(lines, messages))


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only findings of this kind (summary, missed-annotation, …); repeat for several.")
@FORMAT
def check_command(paths, kinds, fmt):
    """Read plan files or folders and say what the reading is unsure about; builds nothing.

    One line per finding: per document a summary (annotated tasks, tasks without units, region,
    title), then region-unknown, no-annotations (role words or labels printed, no task
    annotated), missed-annotation (a bracket with a role word or label not read as an
    annotation), suspicious-unit, unknown-unit, repeated-number; an unreadable file is a
    `failed` line. Findings are output: the exit code is 0 whenever the check ran.

    Example: respgraph check plans/ --kind missed-annotation
    """
    from respgraph.graph_build import check, files

    for path in paths:  # a FIFO would block the reading, a device never end
        try:
            files.check_input(path)
        except files.UnsafePath as error:
            raise BadInput(str(error))
    unknown = sorted(set(kinds) - set(check.KINDS))
    if unknown:
        raise BadInput(f"unknown kind {', '.join(unknown)}; kinds: {', '.join(check.KINDS)}")
    try:
        findings = check.check_paths(list(paths))
    except check.CheckInputError as error:
        raise BadInput(str(error))
    rows = [f.as_row() for f in findings if not kinds or f.kind in kinds]
    echo(render_findings(rows, fmt))
