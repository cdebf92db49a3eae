"""`respgraph cypher` and `respgraph query` as a read-only sandbox (issue #17, part 1).

Hostile queries are refused before any engine sees them (queries/cypher_gate.py), each embedded
query runs in a forked child with a time limit (queries/cypher_sandbox.py), and a broken
database is rebuilt. Every case runs in a fresh RESPGRAPH_HOME (a copy of one built home), as
the installed console script in a subprocess or through CliRunner(catch_exceptions=False), and
checks the exit code, ONE line on stderr, no traceback, and that no file appears outside the home.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from respgraph.cli import cli
from respgraph.graph_build import schema
from respgraph.queries import cypher_engine, cypher_gate, cypher_sandbox, library

RESPGRAPH = Path(sys.executable).with_name("respgraph")
COUNT_TASKS = "MATCH (t:Task) RETURN count(t) AS n"
REFUSED_TAIL = "is not a reading clause (respgraph cypher only reads the graph)"


# ---------------------------------------------------------------------------------------
# Homes, runs and checks
# ---------------------------------------------------------------------------------------

def environment(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RESPGRAPH_GRAPH", "RESPGRAPH_DEBUG", "PYTHONFAULTHANDLER")}
    env["RESPGRAPH_HOME"] = str(home)
    return env


def respgraph(home: Path, *args, input: str | None = None, cwd: Path | None = None, timeout: float = 120,
              preexec_fn=None) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it."""
    return subprocess.run([str(RESPGRAPH), *args], input=input, capture_output=True, text=True,
                          env=environment(home), cwd=cwd, timeout=timeout, preexec_fn=preexec_fn)


@pytest.fixture(scope="module")
def seed_home(tmp_path_factory) -> Path:
    """One home with the bundled plans built and their embedded database, copied for every test."""
    home = tmp_path_factory.mktemp("seed") / "home"
    result = respgraph(home, "cypher", COUNT_TASKS, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 278}]
    return home


@pytest.fixture()
def fresh(seed_home, tmp_path, monkeypatch):
    """A fresh copy of the built home, and an empty folder outside it (the working directory)."""
    home = tmp_path / "home"
    shutil.copytree(seed_home, home)
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("RESPGRAPH_HOME", str(home))
    monkeypatch.delenv("RESPGRAPH_GRAPH", raising=False)
    monkeypatch.chdir(outside)
    return home, outside


def invoke(*args, input=None):
    """The command in this process; an exception escaping it fails the test."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def one_line_error(code: int, returncode: int, stdout: str, stderr: str) -> str:
    """Exit ``code``, nothing on stdout, exactly one "Error: " line on stderr, no traceback."""
    assert returncode == code, (returncode, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def process_error(result: subprocess.CompletedProcess, code: int) -> str:
    return one_line_error(code, result.returncode, result.stdout, result.stderr)


def runner_error(result, code: int) -> str:
    return one_line_error(code, result.exit_code, result.stdout, result.stderr)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def home_state(home: Path) -> tuple:
    """The home's file names and the bytes of the snapshot and the database."""
    digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    return (tuple(p for p in files_under(home) if not p.startswith("parsed")),
            digest(home / "graph.json"), digest(home / "graph.lbdb"))


def count_tasks(home: Path) -> int:
    result = respgraph(home, "cypher", COUNT_TASKS, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[0]["n"]


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> tuple[Path, Path]:
    """A shared library whose constructor writes a marker file: proof that nothing loaded it."""
    folder = tmp_path_factory.mktemp("evil")
    marker = folder / "marker"
    source = folder / "evil.c"
    library_path = folder / "evil.so"
    source.write_text('#include <stdio.h>\n__attribute__((constructor)) static void evil(void) {\n'
                      f'    FILE *f = fopen("{marker}", "w"); if (f) {{ fputs("ran", f); fclose(f); }}\n}}\n')
    if shutil.which("gcc"):
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(library_path), str(source)], check=True)
    else:  # no compiler: the refusal is still checked, the constructor cannot be
        library_path.write_bytes(b"\x7fELF not really")
    return library_path, marker


# ---------------------------------------------------------------------------------------
# Refused before any engine sees them
# ---------------------------------------------------------------------------------------

REFUSED = [
    # (query, the refusal line after "Error: refused: ")
    ("COPY (RETURN 'x' AS c) TO '{out}/victim.csv' (header=false)", "COPY " + REFUSED_TAIL),
    ("copy (return 'x' as c) to '{out}/victim.csv' (header=false)", "COPY " + REFUSED_TAIL),
    ("/*x*/COPY (RETURN 'x' AS c) TO '{out}/victim.csv'", "COPY " + REFUSED_TAIL),
    ("// only reading\nCOPY (RETURN 'x' AS c) TO '{out}/victim.csv'", "COPY " + REFUSED_TAIL),
    ("RETURN 1 // a lone carriage return ends nothing\rCOPY (RETURN 1) TO '{out}/victim.csv'", "COPY " + REFUSED_TAIL),
    ("RETURN 1; COPY (RETURN 'x' AS c) TO '{out}/victim.csv'", "one statement at a time (a ';' may only end the query)"),
    ("RETURN 1 AS x UNION ALL COPY (RETURN 'x' AS c) TO '{out}/victim.csv'", "COPY " + REFUSED_TAIL),
    ("MATCH (t:Task) RETURN t.id ORDER BY t.id DESC COPY (RETURN 1) TO '{out}/victim.csv'", "COPY " + REFUSED_TAIL),
    # ladybug ends a /* comment at the first */ not preceded by a consumed *: it would run this COPY.
    ("RETURN 1 /* **/ RETURN '*/ COPY (RETURN 1) TO \"{out}/victim.csv\" //'",
     "the /* comment at character 10 ends at a different */ for different Cypher engines "
     "(write it without a * just before a */)"),
    ("EXPORT DATABASE '{out}/export'", "EXPORT DATABASE " + REFUSED_TAIL),
    ("return 1;export database '{out}/export'", "one statement at a time (a ';' may only end the query)"),
    ("IMPORT DATABASE '{out}/export'", "IMPORT DATABASE " + REFUSED_TAIL),
    ("LOAD FROM '{out}/secret.csv' (header=false) RETURN *", "LOAD FROM " + REFUSED_TAIL),
    ("MATCH (t:Task) LOAD FROM '{out}/secret.csv' (header=false) RETURN *", "LOAD FROM " + REFUSED_TAIL),
    ("LOAD EXTENSION '{evil}'", "LOAD EXTENSION " + REFUSED_TAIL),
    ("load '{evil}'", "LOAD " + REFUSED_TAIL),
    ("INSTALL httpfs", "INSTALL " + REFUSED_TAIL),
    ("UPDATE httpfs", "UPDATE " + REFUSED_TAIL),
    ("ATTACH '{out}/other.lbdb' AS other (dbtype lbug)", "ATTACH " + REFUSED_TAIL),
    ("USE other", "USE " + REFUSED_TAIL),
    ("CHECKPOINT", "CHECKPOINT " + REFUSED_TAIL),
    ("checkpoint;", "CHECKPOINT " + REFUSED_TAIL),
    ("BEGIN TRANSACTION", "BEGIN TRANSACTION " + REFUSED_TAIL),
    ("ROLLBACK", "ROLLBACK " + REFUSED_TAIL),
    ("PROFILE MATCH (n) RETURN count(n)", "PROFILE " + REFUSED_TAIL),
    ("EXPLAIN MATCH (n) RETURN count(n)", "EXPLAIN " + REFUSED_TAIL),
    ("CREATE MACRO f(x) AS x + 1", "CREATE MACRO " + REFUSED_TAIL),
    ("DROP TABLE Task", "DROP " + REFUSED_TAIL),
    ("ALTER TABLE Task ADD x INT64", "ALTER " + REFUSED_TAIL),
    ("COMMENT ON TABLE Task IS 'x'", "COMMENT " + REFUSED_TAIL),
    ("MATCH (t:Task) WHERE EXISTS { MATCH (t) CREATE (:Topic {id: 'topic:x'}) } RETURN t", "CREATE " + REFUSED_TAIL),
    ("MATCH (t:Task) REMOVE t.title", "REMOVE " + REFUSED_TAIL),
    ("UNWIND [1] AS x FOREACH (y IN [x] | CREATE (:Topic))", "FOREACH " + REFUSED_TAIL),
    ("OPTIONAL CREATE (n)", "OPTIONAL CREATE " + REFUSED_TAIL),
    ("FROBNICATE (n)", "FROBNICATE " + REFUSED_TAIL),
    ("MATCH (n) WITH n AS copy RETURN copy", "COPY " + REFUSED_TAIL),
    ("CALL threads=1", "CALL threads is not a call of a read-only table function (respgraph cypher allows "
                       "show_tables, table_info, show_connection, show_functions, show_indexes, current_setting, db_version)"),
    ("CALL show_official_extensions() RETURN *", "CALL show_official_extensions is not one of the read-only table "
                                                 "functions respgraph cypher allows (show_tables, table_info, "
                                                 "show_connection, show_functions, show_indexes, current_setting, db_version)"),
    ("RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) RETURN n', {}) AS x",
     "apoc.cypher.runFirstColumnSingle is not a built-in function (respgraph cypher only reads the graph)"),
    ("(RETURN 1)", "a query starts with MATCH, OPTIONAL MATCH, UNWIND, WITH, RETURN or CALL"),
    ("MATCH (n RETURN n", "the ( at character 7 is never closed"),
    ("RETURN 'a\\q'", "the string at character 8 has an invalid escape \\q"),
    ("RETURN `a", "the `name` at character 8 is never closed"),
    ("", "the query is empty"),
    ("  /* nothing */ ; ", "the query is empty"),
]


def fill(query: str, out: Path, evil_path: Path) -> str:
    return query.replace("{out}", str(out)).replace("{evil}", str(evil_path))


@pytest.mark.parametrize("query, message", REFUSED, ids=[q[:40] for q, _ in REFUSED])
def test_a_query_that_does_more_than_read_is_refused_in_one_line(fresh, evil, query, message):
    home, out = fresh
    library_path, marker = evil
    (out / "secret.csv").write_text("topsecret:x:0:0\n")
    before, outside = home_state(home), files_under(out)
    result = invoke("cypher", fill(query, out, library_path))
    line = runner_error(result, 2)
    if query.strip():
        assert line == "Error: refused: " + message
    else:  # the command itself says so before the gate
        assert line == "Error: the query is empty"
    assert "topsecret" not in result.output
    assert files_under(out) == outside and not marker.exists()
    assert home_state(home) == before
    assert not (home / "graph.lbdb.wal").exists() and not (home / "graph.lbdb.shadow").exists()


@pytest.mark.parametrize("query, message", [
    ("COPY (RETURN 'x' AS c) TO '{out}/victim.csv' (header=false)", "COPY " + REFUSED_TAIL),
    ("RETURN 1;\nEXPORT DATABASE '{out}/export'", "one statement at a time (a ';' may only end the query)"),
    ("LOAD EXTENSION '{evil}'", "LOAD EXTENSION " + REFUSED_TAIL),
    ("LOAD FROM '{out}/secret.csv' (file_format='csv', header=false, delim=':') RETURN *", "LOAD FROM " + REFUSED_TAIL),
])
@pytest.mark.parametrize("via", ["argument", "stdin"])
def test_the_console_script_refuses_file_access_from_an_argument_or_stdin(fresh, evil, query, message, via):
    home, out = fresh
    library_path, marker = evil
    (out / "secret.csv").write_text("topsecret:x:0:0\n")
    outside = files_under(out)
    text = fill(query, out, library_path)
    result = (respgraph(home, "cypher", text, cwd=out) if via == "argument"
              else respgraph(home, "cypher", "-", input=text, cwd=out))
    assert process_error(result, 2) == "Error: refused: " + message
    assert files_under(out) == outside and not marker.exists()
    assert "topsecret" not in result.stdout + result.stderr


def test_the_neo4j_engine_refuses_before_connecting(fresh, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    home, out = fresh
    result = invoke("cypher", "--neo4j", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row")
    assert runner_error(result, 2) == "Error: refused: LOAD CSV " + REFUSED_TAIL
    result = invoke("cypher", "--neo4j", "CALL apoc.load.json('file:///etc/passwd')")
    assert runner_error(result, 2).startswith("Error: refused: CALL apoc.load.json is not one of the read-only")


def test_checkpoint_is_refused_and_later_queries_still_work(fresh):
    home, out = fresh
    assert process_error(respgraph(home, "cypher", "CHECKPOINT", cwd=out), 2) == "Error: refused: CHECKPOINT " + REFUSED_TAIL
    assert not (home / "graph.lbdb.wal").exists() and not (home / "graph.lbdb.shadow").exists()
    assert count_tasks(home) == 278
    assert respgraph(home, "query", "documents_overview", cwd=out).returncode == 0


# ---------------------------------------------------------------------------------------
# Size and depth caps: refused at once, never a crash or a hang
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("RETURN " + "(" * 3000 + "1" + ")" * 3000, "Error: refused: the query nests brackets more than 64 deep"),
    ("RETURN " + "[" * 500 + "1" + "]" * 500, "Error: refused: the query nests brackets more than 64 deep"),
    ("RETURN " + "+".join(["1"] * 20_000), "Error: refused: the query is 40,006 characters long; respgraph runs queries "
                                           "of at most 20,000"),
    ("RETURN " + "+".join(["1"] * 5_000), "Error: refused: the query has more than 1,000 operators; respgraph runs "
                                          "simpler queries only"),
    ("RETURN '" + "x" * 1_000_000 + "'", "Error: refused: the query is 1,000,009 characters long; respgraph runs "
                                         "queries of at most 20,000"),
], ids=["3000-parentheses", "500-brackets", "40KB-sum", "5000-operators", "1MB"])
def test_an_oversized_query_is_refused_quickly(fresh, query, message):
    home, out = fresh
    began = time.monotonic()
    result = respgraph(home, "cypher", "-", input=query, cwd=out, timeout=60)
    assert process_error(result, 2) == message
    assert time.monotonic() - began < 10
    assert files_under(out) == []


def test_queries_just_inside_the_caps_still_run(fresh):
    home, out = fresh
    deep = "RETURN " + "(" * 63 + "1" + ")" * 63 + " AS x"
    many = "RETURN " + "+".join(["1"] * 1000) + " AS x"
    for query, expected in ((deep, 1), (many, 1000)):
        result = respgraph(home, "cypher", query, "--format", "json", cwd=out)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [{"x": expected}]


# ---------------------------------------------------------------------------------------
# Reading queries still answer, exactly
# ---------------------------------------------------------------------------------------

def agency_id(graph, name):
    (found,) = [n for n, d in graph.nodes(data=True) if d.get("label") == "Agency" and d.get("name") == name]
    return found


def tasks_without_units(graph):
    return sum(1 for n, d in graph.nodes(data=True) if d.get("label") == "Task"
               and not any(graph.nodes[s].get("label") == "Agency" and k.get("type") == "RESPONSIBLE_FOR"
                           for s, _, k in graph.in_edges(n, data=True)))


def lead_numbers(graph, name, limit):
    agency = agency_id(graph, name)
    tasks = {t for _, t, d in graph.out_edges(agency, data=True) if d.get("type") == "RESPONSIBLE_FOR" and d.get("role") == "lead"}
    return [{"number": graph.nodes[t]["number"]} for t in sorted(tasks, key=lambda t: graph.nodes[t]["ordinal"])][:limit]


def responsible_edges(graph, name):
    return sum(1 for _, _, d in graph.out_edges(agency_id(graph, name), data=True) if d.get("type") == "RESPONSIBLE_FOR")


def tasks_per_document(graph):
    counts = Counter(graph.nodes[t]["doc"] for t, d in graph.nodes(data=True) if d.get("label") == "Task")
    rows = [{"region": d["region"], "tasks": counts.get(n, 0)} for n, d in graph.nodes(data=True) if d.get("label") == "Document"]
    return sorted(rows, key=lambda r: (r["region"], r["tasks"]))


READING = [
    ("count", COUNT_TASKS, [], lambda g: [{"n": 278}]),
    ("lower-case-and-comments", "match (t:Task) /* COPY is only a word here */ return count(t) as n // CREATE", [],
     lambda g: [{"n": 278}]),
    ("match-where-order-limit", "MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task) WHERE a.name = $unit AND r.role = 'lead' "
     "RETURN t.number AS number ORDER BY t.ordinal LIMIT 3", ["-p", "unit=泉州市数字办"],
     lambda g: lead_numbers(g, "泉州市数字办", 3)),
    ("optional-match", "MATCH (d:Document) OPTIONAL MATCH (t:Task)-[:TASK_OF]->(d) WITH d, count(t) AS tasks "
     "RETURN d.region AS region, tasks ORDER BY region, tasks", [], tasks_per_document),
    ("unwind-with", "UNWIND [3, 1, 2] AS x WITH x WHERE x > 1 RETURN x ORDER BY x DESC", [],
     lambda g: [{"x": 3}, {"x": 2}]),
    ("exists-subquery", "MATCH (t:Task) WHERE NOT EXISTS { MATCH (:Agency)-[:RESPONSIBLE_FOR]->(t) } RETURN count(t) AS n",
     [], lambda g: [{"n": tasks_without_units(g)}]),
    ("count-subquery", "MATCH (a:Agency) WHERE a.name = '泉州市数字办' "
     "RETURN COUNT { MATCH (a)-[:RESPONSIBLE_FOR]->(:Task) } AS n", [], lambda g: [{"n": responsible_edges(g, "泉州市数字办")}]),
    ("case-union", "RETURN CASE WHEN 1 > 2 THEN 'no' ELSE 'yes' END AS x UNION ALL RETURN 'also' AS x;", [],
     lambda g: [{"x": "yes"}, {"x": "also"}]),
    ("strings-hold-keywords", "RETURN 'COPY (RETURN 1) TO \"x\"; CHECKPOINT' AS s, \"/* // \" AS t", [],
     lambda g: [{"s": 'COPY (RETURN 1) TO "x"; CHECKPOINT', "t": "/* // "}]),
    ("backticked-keyword-name", "MATCH (`copy`:Agency) RETURN count(`copy`) AS n", [],
     lambda g: [{"n": sum(1 for _, d in g.nodes(data=True) if d.get("label") == "Agency")}]),
    ("show-tables", "CALL show_tables() WHERE type = 'NODE' RETURN name ORDER BY name", [],
     lambda g: [{"name": n} for n in sorted([*schema.NODES, *cypher_engine.DERIVED_NODE_TABLES])]),
    ("table-info", "CALL table_info('Agency') RETURN name", [],
     lambda g: [{"name": n} for n in [*schema.NODES["Agency"].properties, *cypher_engine.DERIVED_NODE_COLUMNS["Agency"]]]),
    ("show-connection", "CALL show_connection('TASK_OF') RETURN *", [],
     lambda g: [{"source table name": "Task", "destination table name": "Document",
                 "source table primary key": "id", "destination table primary key": "id"}]),
]


@pytest.mark.parametrize("query, params, expected", [r[1:] for r in READING], ids=[r[0] for r in READING])
def test_reading_queries_answer_exactly(fresh, graph, query, params, expected):
    home, out = fresh
    result = invoke("cypher", query, *params, "--format", "json")
    assert result.exit_code == 0 and result.stderr == "", result.output
    got, want = json.loads(result.stdout), expected(graph)
    if " UNION " in query:  # UNION's rows come in no promised order (ladybug runs the parts in parallel)
        got, want = sorted(got, key=json.dumps), sorted(want, key=json.dumps)
    assert got == want
    assert files_under(out) == []


ENGINE_AGREES = [
    # The gate reads these as ladybug does (tests/test_cypher_sandbox.py REFUSED has the other side).
    ("RETURN 1 /* ***/ + 1 AS x", [{"x": 2}]),  # the comment ends at ***/ for every engine
    ("RETURN 1\u180e+ 1 AS x", [{"x": 2}]),  # U+180E is whitespace to ladybug, not to Python
    ("RETURN 1 AS a$b", [{"a$b": 1}]),  # a currency sign continues a name
    ("RETURN 'a\\'b' AS x, \"c\\\"d\" AS y", [{"x": "a'b", "y": 'c"d'}]),
    ("RETURN 1 AS `a``b`", [{"a`b": 1}]),  # a doubled backtick continues a name
    ("MATCH (copy:Agency) WHERE copy.name = '泉州市数字办' RETURN copy.region AS r", [{"r": "泉州市"}]),
    ("RETURN 2 AS x /* a */ // b\n;", [{"x": 2}]),
    ("RETURN .5 AS x, 1e2 AS y", [{"x": 0.5, "y": 100.0}]),
    ("UNWIND [1, 2, 3] AS x RETURN x ORDER BY x DESC SKIP 1 LIMIT 1", [{"x": 2}]),
]


@pytest.mark.parametrize("query, rows", ENGINE_AGREES)
def test_the_gate_lets_through_what_the_engine_reads_as_plain_reading(engine, query, rows):
    cypher_gate.check(query)
    assert engine.run(query).rows == rows


def test_the_readme_and_the_help_say_what_the_gate_allows():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### What `respgraph cypher` can and cannot do"):]
    help_text = invoke("cypher", "--help").stdout
    for name in cypher_gate.ALLOWED_CALLS["embedded"]:
        assert f"`{name}`" in section and name in help_text, name
    for cap in (cypher_gate.MAX_QUERY_CHARS, cypher_gate.MAX_DEPTH, cypher_gate.MAX_OPERATORS):
        assert f"{cap:,}" in section and f"{cap:,}" in help_text
    assert f"default {cypher_sandbox.DEFAULT_TIMEOUT:g}" in section and "--timeout SECONDS" in help_text
    for word in ("COPY", "EXPORT", "LOAD", "CHECKPOINT", "ATTACH", "INSTALL"):
        assert f"`{word}`" in section and word in help_text


def test_every_library_query_passes_the_gate_on_both_engines():
    for query in library.library().values():
        for text in filter(None, (query.text, query.embedded)):
            cypher_gate.check(text)
        cypher_gate.check(query.text, "neo4j")


# ---------------------------------------------------------------------------------------
# Time limit and crashes: one line, exit 1
# ---------------------------------------------------------------------------------------

SLOW = "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH a, b WHERE a + b = -1 RETURN count(*) AS n"


@pytest.mark.slow
def test_a_query_past_its_time_limit_is_stopped_in_one_line(fresh):
    home, out = fresh
    began = time.monotonic()
    result = respgraph(home, "cypher", SLOW, "--timeout", "1", cwd=out)
    assert process_error(result, 1) == ("Error: the query ran longer than the time limit of 1 s "
                                        "(raise it with --timeout SECONDS)")
    assert time.monotonic() - began < 15
    assert count_tasks(home) == 278


def test_a_named_query_takes_the_time_limit_too(fresh, monkeypatch):
    home, out = fresh
    monkeypatch.setattr(cypher_sandbox, "_answer", lambda *args: time.sleep(30))
    began = time.monotonic()
    result = invoke("query", "load_by_unit", "--timeout", "0.5")
    assert runner_error(result, 1) == ("Error: the query ran longer than the time limit of 0.5 s "
                                       "(raise it with --timeout SECONDS)")
    assert time.monotonic() - began < 10


def test_an_engine_crash_is_one_line_and_exit_1(fresh, monkeypatch):
    home, out = fresh

    def crash(*args):
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(cypher_sandbox, "_answer", crash)
    result = invoke("cypher", COUNT_TASKS)
    assert runner_error(result, 1) == "Error: the embedded engine crashed on this query"
    assert files_under(out) == []  # no core file


@pytest.mark.parametrize("bad", ["zero", "garbage"])
def test_a_timeout_value_must_be_positive(fresh, bad):
    value = {"zero": "0", "garbage": "soon"}[bad]
    result = invoke("cypher", COUNT_TASKS, "--timeout", value)
    assert result.exit_code == 2 and "--timeout" in result.stderr


# ---------------------------------------------------------------------------------------
# Self-repair: a broken database is rebuilt; building never prints a traceback
# ---------------------------------------------------------------------------------------

def force_checkpoint(db_path: Path) -> None:
    """What `respgraph cypher CHECKPOINT` did before the gate: a CHECKPOINT on the read-only database."""
    script = ("import ladybug, sys\n"
              "c = ladybug.Connection(ladybug.Database(sys.argv[1], read_only=True))\n"
              "try:\n    c.execute('CHECKPOINT')\nexcept RuntimeError:\n    pass\n")
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True, capture_output=True)
    assert (db_path.parent / "graph.lbdb.wal").exists()  # the breakage the issue describes


def test_a_pending_checkpoint_recovery_is_repaired(fresh):
    home, out = fresh
    force_checkpoint(home / "graph.lbdb")
    assert count_tasks(home) == 278
    assert sorted(p.name for p in home.glob("graph.lbdb*")) == ["graph.lbdb", "graph.lbdb.stamp"]


def test_build_bundled_leaves_a_working_database(fresh):
    home, out = fresh
    force_checkpoint(home / "graph.lbdb")
    result = respgraph(home, "build", "--bundled", cwd=out)
    assert result.returncode == 0, result.stderr
    assert not (home / "graph.lbdb.wal").exists() and not (home / "graph.lbdb.shadow").exists()
    assert count_tasks(home) == 278


def corrupt_header(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.write(b"\0not a database\0" * 4)


@pytest.mark.parametrize("damage", ["header", "truncated", "empty", "wal", "stamp"])
def test_a_damaged_database_is_rebuilt_and_answers(fresh, damage):
    home, out = fresh
    db = home / "graph.lbdb"
    if damage == "header":  # same size, stamp still matches: found when the child cannot open it
        corrupt_header(db)
    elif damage == "truncated":
        os.truncate(db, 4096 * 3)
    elif damage == "empty":  # ladybug opens an empty file as an empty database
        os.truncate(db, 0)
    elif damage == "wal":
        (home / "graph.lbdb.wal").write_bytes(os.urandom(100))
    else:
        (home / "graph.lbdb.stamp").write_text("{not json")
    result = respgraph(home, "query", "documents_overview", "--format", "json", cwd=out)
    assert result.returncode == 0, result.stderr
    assert [r["tasks"] for r in json.loads(result.stdout)] == [40, 31, 45, 155, 7]
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 1
    if damage == "header":
        assert result.stderr.startswith("note: rebuilt the embedded database, which could not be read")
    assert sorted(p.name for p in home.glob("graph.lbdb*")) == ["graph.lbdb", "graph.lbdb.stamp"]
    assert files_under(out) == []


@pytest.mark.parametrize("query, line", [
    ("RETURN error('Storage exception: x') AS x", "Error: query failed: Runtime exception: Storage exception: x"),
    ("RETURN corrupt", "Error: query failed: Binder exception: Variable corrupt is not in scope."),
])
def test_an_error_quoting_the_query_never_rebuilds_the_database(fresh, query, line):
    home, out = fresh
    db = home / "graph.lbdb"
    before = (db.stat().st_ino, db.stat().st_mtime_ns)
    assert runner_error(invoke("cypher", query), 2) == line
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == before


def test_a_database_that_stays_unreadable_is_one_line(fresh, monkeypatch):
    home, out = fresh
    monkeypatch.setattr(cypher_sandbox, "_answer", lambda db_path, *args: ("broken", f"cannot open {db_path}: broken"))
    result = invoke("cypher", COUNT_TASKS)
    assert runner_error(result, 1) == f"Error: cannot open {home / 'graph.lbdb'}: broken (even after rebuilding it)"


def limit_file_size(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.slow
def test_too_little_disk_for_the_database_is_one_line(fresh):
    home, out = fresh
    cypher_engine.discard_database(home / "graph.lbdb")
    # Every file this process writes stops at 1 MB (the database needs ~13 MB): "File too large".
    result = respgraph(home, "cypher", COUNT_TASKS, cwd=out, preexec_fn=limit_file_size(1 << 20))
    line = process_error(result, 1)
    assert line.startswith(f"Error: cannot build the embedded database {home / 'graph.lbdb'}: ")
    assert "Errno" not in line and "pybind" not in line and "fileDescriptor" not in line
    assert sorted(p.name for p in home.iterdir() if "lbdb" in p.name) == []  # no half-built files
    assert count_tasks(home) == 278  # with room, the next call builds it


@pytest.mark.parametrize("error, reason", [
    (OSError(28, "No space left on device"), "No space left on device"),
    (RuntimeError("IO exception: Cannot write to file. path: /x/graph.lbdb fileDescriptor: 3 offsetToWrite: 0 "
                  "numBytesToWrite: 4096 numBytesWritten: -1. Error: No space left on device"), "No space left on device"),
    (RuntimeError("IO exception: Could not create directory /x: Permission denied"), "Permission denied"),
])
def test_a_failed_database_build_is_one_human_line(fresh, monkeypatch, error, reason):
    home, out = fresh
    cypher_engine.discard_database(home / "graph.lbdb")

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(cypher_engine, "_build_database", fail)
    result = invoke("query", "load_by_unit")
    assert runner_error(result, 1) == f"Error: cannot build the embedded database {home / 'graph.lbdb'}: {reason}"


# ---------------------------------------------------------------------------------------
# Random Cypher-looking text
# ---------------------------------------------------------------------------------------

WORDS = ["MATCH", "OPTIONAL", "RETURN", "WITH", "UNWIND", "WHERE", "ORDER", "BY", "LIMIT", "SKIP", "UNION", "ALL", "AS",
         "CALL", "EXISTS", "COUNT", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "IN", "DISTINCT", "DESC",
         "COPY", "TO", "FROM", "EXPORT", "IMPORT", "DATABASE", "LOAD", "EXTENSION", "CHECKPOINT", "CREATE", "MERGE",
         "SET", "DELETE", "DETACH", "DROP", "INSTALL", "ATTACH", "USE", "BEGIN", "COMMIT", "PROFILE", "copy", "match",
         "n", "t", "x", "Task", "Agency", "show_tables", "table_info", "current_setting", "threads", "count", "range"]
PIECES = ["(", ")", "[", "]", "{", "}", ";", ",", ".", ":", "=", "+", "-", "*", "/", "<", ">", "->", "<-", "|", "$x",
          "'", '"', "`", "\\", "/*", "*/", "**/", "//", "\n", "\r", "1", "0.5", "'Task'", "'x.csv'", "(header=false)",
          "(n:Task)", "-[r:RESPONSIBLE_FOR]->", "count(*)", "{id: 'x'}"]


def cypher_like(outside: Path):
    token = st.one_of(st.sampled_from(WORDS), st.sampled_from(PIECES), st.just(f"'{outside}/victim.csv'"),
                      st.text(max_size=3))
    body = st.lists(token, max_size=25)
    spaced = st.tuples(body, st.sampled_from([" ", "", "\n", " /**/ "])).map(lambda b: b[1].join(b[0]))
    return st.one_of(spaced, st.tuples(st.sampled_from(["MATCH (t:Task) ", "RETURN 1 ", "UNWIND [1] AS x ", ""]),
                                       spaced).map("".join))


@pytest.mark.slow
def test_random_cypher_like_text_never_escapes_the_sandbox(fresh):
    home, out = fresh
    before = home_state(home)

    @settings(max_examples=150, deadline=None, database=None)
    @given(cypher_like(out))
    def run_one(text):
        result = invoke("cypher", "--timeout", "5", "--", text)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code:
            assert len(result.stderr.splitlines()) == 1 and result.stdout == "", result.output

    run_one()
    assert home_state(home) == before
    assert files_under(out) == []
    assert not (home / "graph.lbdb.wal").exists()
