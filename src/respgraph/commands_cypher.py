"""`respgraph cypher`, `respgraph query`, `respgraph neo4j push`, `respgraph export neo4j-admin|cypher`.

Cypher runs on the embedded LadybugDB database derived from the active snapshot (built on
first use, cached beside it), or with ``--neo4j`` on a Neo4j server in a read transaction.
Every query first passes the read-only gate (``queries/cypher_gate.py``); an embedded query
then runs in a forked child with a time limit (``queries/cypher_sandbox.py``), and a database
found unreadable is rebuilt from its snapshot once.
ladybug, the neo4j driver and rich are imported only by the commands that use them.
"""
from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click

from respgraph.graph_build import schema
from respgraph.queries import cypher_engine, cypher_gate, cypher_sandbox, library, neo4j_store

from . import output, store
from .cli import FORMAT, cli, echo, graph_of
from .commands_export import export_group, loaded_graph, quiet_option


class QueryFailed(click.ClickException):
    """A query the engine or the library rejected: one line, exit code 2."""

    exit_code = 2


PARAMS = click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                      help="Query parameter (repeatable); NAME:INT64=5 gives a type to a raw query's value.")
def finite(ctx, param, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter("give a number of seconds", ctx=ctx, param=param)
    return value


TIMEOUT = click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=86_400),
                       default=cypher_sandbox.DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS", callback=finite,
                       help="Stop the query after this many seconds (exit code 1).")
ON_NEO4J = click.option("--neo4j", "on_neo4j", is_flag=True,
                        help="Run on the Neo4j server of NEO4J_URI instead of the embedded database.")


def neo4j_options(command):
    """--uri/--user/--password/--database, defaulting to NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE."""
    options = [
        click.option("--uri", metavar="URI", help="Neo4j URI, e.g. bolt://localhost:7687 [env NEO4J_URI]."),
        click.option("--user", metavar="NAME", help="Neo4j user [env NEO4J_USERNAME; default neo4j]."),
        click.option("--password", metavar="SECRET", help="Neo4j password [env NEO4J_PASSWORD; never shown]."),
        click.option("--database", metavar="NAME", help="Neo4j database [env NEO4J_DATABASE; default neo4j]."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def settings_from(uri, user, password, database) -> neo4j_store.Settings:
    return neo4j_store.Settings.from_env(uri=uri, user=user, password=password, database=database)


def active_database(ctx) -> Path:
    """The embedded database of this invocation's graph, built or refreshed when needed
    (``store.cypher_database``)."""
    graph_path = ctx.obj.get("graph_path")
    if graph_path and not Path(graph_path).is_file():
        raise click.ClickException(f"{graph_path}: no such snapshot")
    return store.cypher_database(graph_path, lambda: graph_of(ctx))


def repair_database(ctx, db_path: Path) -> Path:
    """Delete a database that cannot be read and build it again from its snapshot."""
    cypher_engine.discard_database(db_path)
    return active_database(ctx)


def open_engine(ctx, on_neo4j: bool, uri=None, user=None, password=None, database=None,
                timeout: float = cypher_sandbox.DEFAULT_TIMEOUT):
    """The embedded engine (each query in a child, see cypher_sandbox), or a Neo4j engine when
    ``on_neo4j``; connection and build failures as one line."""
    try:
        if on_neo4j:
            return neo4j_store.Neo4jEngine(settings_from(uri, user, password, database), timeout=timeout)
        db_path = active_database(ctx)
        return cypher_sandbox.SandboxedEngine(
            db_path, timeout=timeout, repair=lambda: repair_database(ctx, db_path),
            on_repair=lambda why: click.echo(f"note: rebuilt the embedded database, which could not be read ({why})",
                                             err=True))
    except neo4j_store.Neo4jUnavailable as error:
        raise click.ClickException(str(error))
    except (cypher_engine.CypherError, cypher_engine.DatabaseBuildError) as error:
        raise click.ClickException(str(error))


def check_query(query: str, on_neo4j: bool) -> None:
    """The read-only gate, before any database is opened or built: a refusal is one line, exit code 2."""
    try:
        cypher_gate.check(query, "neo4j" if on_neo4j else "embedded")
    except cypher_gate.QueryRefused as error:
        raise QueryFailed(str(error))


def check_parameters(query: str, given: dict) -> None:
    """Every ``$name`` the query uses has a ``-p name=VALUE`` (an unbound one would read as NULL)."""
    missing = [name for name in cypher_gate.parameters(query) if name not in given]
    if not missing:
        return
    plain = [name for name in missing if re.fullmatch(r"[A-Za-z_]\w*", name)]
    shown = ", ".join(f"${name}" if name in plain else f"$`{name}`" for name in missing)
    if len(plain) < len(missing):
        raise QueryFailed(f"the query uses {shown} but no value was given; -p names a parameter by a plain word "
                          "(letters, digits, _), so rename it")
    raise QueryFailed(f"the query uses {shown} but no value was given; add "
                      + " ".join(f"-p {name}=VALUE" for name in missing))


def emit_result(result: cypher_engine.QueryResult, fmt: str) -> None:
    echo(output.render(result.rows, fmt, result.columns))


def run_on(engine, run: Callable[[], cypher_engine.QueryResult]) -> cypher_engine.QueryResult:
    """``run()`` on ``engine``, its failures as one-line CLI errors; the engine is closed after."""
    try:
        return run()
    except cypher_gate.QueryRefused as error:
        raise QueryFailed(str(error))
    except cypher_engine.CypherError as error:
        raise QueryFailed(f"query failed: {error}")
    except (neo4j_store.Neo4jUnavailable, cypher_sandbox.EngineFailure, cypher_engine.DatabaseBuildError) as error:
        raise click.ClickException(str(error))
    finally:
        engine.close()


@cli.command("cypher")
@click.argument("query")
@PARAMS
@TIMEOUT
@ON_NEO4J
@neo4j_options
@FORMAT
@click.pass_context
def cypher_command(ctx, query, params, timeout, on_neo4j, uri, user, password, database, fmt):
    """Run a read-only Cypher QUERY ('-' reads it from stdin) on the graph.

    \b
    Only reading forms run; anything else is refused (exit code 2) before any engine sees it:
      clauses     MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT,
                  UNION [ALL], also inside EXISTS { }, COUNT { } and CALL { } subqueries
      CALL        only show_tables, table_info, show_connection, show_functions, show_indexes,
                  current_setting, db_version (Neo4j: db.labels, db.relationshipTypes, ...)
      refused     COPY, EXPORT, IMPORT, LOAD, INSTALL, ATTACH, USE, CHECKPOINT, CREATE, MERGE,
                  SET, DELETE, REMOVE, DROP, ALTER, BEGIN/COMMIT, EXPLAIN/PROFILE, unknown words
      one query   a ';' may only end it; at most 20,000 characters, brackets 64 deep, 1,000 operators
    Each query runs in a child process, stopped after --timeout seconds (exit code 1); an engine
    crash is one line, exit code 1. A database that cannot be read is rebuilt from the snapshot.

    Pass values as parameters, never by pasting them into the query: -p unit=市大数据委 (a string)
    or -p n:INT64=5.

    Example: respgraph cypher "MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task) WHERE a.name = $unit RETURN r.role, t.title" -p unit=泉州市数字办
    """
    if query == "-":
        query = sys.stdin.read()
    if not query.strip():
        raise QueryFailed("the query is empty")
    check_query(query, on_neo4j)
    try:
        parameters = library.parse_assignments(params)
    except library.QueryLibraryError as error:
        raise QueryFailed(str(error))
    check_parameters(query, parameters)
    engine = open_engine(ctx, on_neo4j, uri, user, password, database, timeout)
    emit_result(run_on(engine, lambda: engine.run(query, parameters)), fmt)


def list_queries(fmt: str) -> None:
    """The library as text (table), one row per query (csv), or with structured parameters (json)."""
    queries = library.library().values()
    if fmt == "json":
        rows = [{"query": q.name, "description": q.description, "notes": list(q.notes),
                 "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                                 "default": None if p.required else p.default, "doc": p.doc} for p in q.parameters]}
                for q in queries]
        echo(output.render(rows, "json", []))
    elif fmt == "csv":
        rows = [{"query": q.name, "description": q.description,
                 "parameters": " ".join(p.describe() for p in q.parameters)} for q in queries]
        echo(output.render(rows, "csv", ["query", "description", "parameters"]))
    else:
        blocks = []
        for query in queries:
            lines = [f"{query.name}  {query.description}"]
            for p in query.parameters:
                default = "required" if p.required else f"default {json.dumps(p.default, ensure_ascii=False)}"
                lines.append(f"    -p {p.name}=…  {p.type}, {default}: {p.doc}")
            blocks.append("\n".join(lines))
        echo("\n".join(blocks))


@cli.command("query")
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the named queries with their descriptions and parameters.")
@PARAMS
@TIMEOUT
@ON_NEO4J
@neo4j_options
@FORMAT
@click.pass_context
def query_command(ctx, name, list_only, params, timeout, on_neo4j, uri, user, password, database, fmt):
    """Run a named query of the Cypher library (queries/cypher/NAME.cypher).

    The same file runs on the embedded database and, with --neo4j, on a Neo4j server. It passes
    the same read-only gate and time limit as `respgraph cypher`.

    Example: respgraph query unit_duties -p unit=市大数据委 -p role=lead
    """
    if list_only or not name:
        if not list_only:
            raise click.UsageError("name a query, or list them with --list")
        list_queries(fmt)
        return
    try:
        named = library.get(name)
        parameters = library.bind(named, library.parse_assignments(params, typed=False))
    except library.QueryLibraryError as error:
        raise QueryFailed(str(error))
    engine = open_engine(ctx, on_neo4j, uri, user, password, database, timeout)
    emit_result(run_on(engine, lambda: library.run(engine, name, parameters)), fmt)


@cli.group("neo4j")
def neo4j_group():
    """Load the graph into a Neo4j server (connection from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE).

    Example: NEO4J_URI=bolt://localhost:7687 respgraph neo4j push --replace
    """


@neo4j_group.command("push")
@click.option("--batch-size", type=click.IntRange(min=1), default=neo4j_store.DEFAULT_BATCH_SIZE, show_default=True,
              help="Rows per write transaction.")
@click.option("--replace", is_flag=True,
              help=f"First delete what earlier pushes wrote (nodes labelled :{neo4j_store.MARKER_LABEL}, with their relationships).")
@neo4j_options
@quiet_option
@click.pass_context
def push_command(ctx, batch_size, replace, uri, user, password, database, quiet):
    """Push the graph into Neo4j: constraints, then batched MERGE per label and relationship type.

    Pushing the same graph twice changes nothing; --replace clears the previous push first.
    A failure is one line naming the step (constraints, the --replace delete, the nodes of a label
    or the relationships of a type, with the batch) and the driver's reason; connecting gives up
    after RESPGRAPH_NEO4J_CONNECT_TIMEOUT seconds (default 10), the Bolt handshake included.

    Example: respgraph neo4j push --uri bolt://localhost:7687 --user neo4j --replace
    """
    from . import progress

    settings = settings_from(uri, user, password, database)
    graph = graph_of(ctx)
    try:
        with progress.display(quiet) as show:
            show("connecting")
            written = neo4j_store.push(
                graph, settings, batch_size=batch_size, replace=replace,
                on_start=lambda total: show("pushing", 0, total),
                progress=lambda what, rows: show.advance(what, rows))
    except (neo4j_store.Neo4jUnavailable, cypher_engine.CypherError) as error:
        # One line: "cannot reach Neo4j at …", or "neo4j push failed while <step>: <driver's reason>".
        raise click.ClickException(str(error))
    nodes = sum(n for what, n in written.items() if what in schema.NODES)
    relationships = sum(written.values()) - nodes
    click.echo(f"pushed {nodes} nodes and {relationships} relationships to {settings.describe()}", err=True)


@export_group.command("neo4j-admin")
@click.argument("folder", type=click.Path())
@quiet_option
@click.pass_context
def export_neo4j_admin_command(ctx, folder, quiet):
    """Write CSV files for `neo4j-admin database import full` into FOLDER, with import.sh to run it.

    One nodes_<Label>.csv per label and relationships_<TYPE>.csv per type, typed headers
    (rank:long, aliases:string[]); the array delimiter is in import.sh.

    Example: respgraph export neo4j-admin out/neo4j-import
    """
    from respgraph.exports.neo4j_admin import export_neo4j_admin
    from respgraph.graph_build.files import check_folder

    from . import progress

    check_folder(folder)  # before the graph is loaded: a file, FIFO or device there is refused
    with progress.display(quiet) as show:
        graph = loaded_graph(ctx, show)
        show("writing csv")
        written = export_neo4j_admin(graph, folder)
    click.echo(f"wrote {len(written)} files to {folder} (run: sh {Path(folder) / 'import.sh'})", err=True)


@export_group.command("cypher")
@click.argument("file", type=click.Path())
@quiet_option
@click.pass_context
def export_cypher_command(ctx, file, quiet):
    """Write a self-contained Cypher script for cypher-shell: constraints, then MERGE statements.

    Example: respgraph export cypher out/graph.cypher && cypher-shell -f out/graph.cypher
    """
    from respgraph.exports.cypher_script import export_cypher_script
    from respgraph.graph_build.files import check_target

    from . import progress

    check_target(file, ".cypher")  # before the graph is loaded: a folder, FIFO or device there is refused
    with progress.display(quiet) as show:
        graph = loaded_graph(ctx, show)
        show("writing cypher")
        count = export_cypher_script(graph, file)
    click.echo(f"wrote {count} statements to {file}", err=True)
