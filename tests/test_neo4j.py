"""Neo4j: the push statements, the unreachable-server path, and (with NEO4J_URI set) a real server.

The integration tests (marker ``neo4j``) push into the database named by NEO4J_DATABASE
(default neo4j) and delete what respgraph pushed there (nodes labelled :Respgraph).
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from respgraph.graph_build import schema
from respgraph.queries import cypher_engine, library, neo4j_store
from respgraph.cli import cli

NO_SERVER = "NEO4J_URI is not set: no Neo4j server to test against"

RESPGRAPH = Path(sys.executable).with_name("respgraph")
UNREACHABLE = "bolt://127.0.0.1:7999"
SECRET = "s3cret-do-not-print"


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


# ---------------------------------------------------------------------------------------
# Without a server
# ---------------------------------------------------------------------------------------

def test_one_uniqueness_constraint_per_label():
    statements = neo4j_store.constraint_statements()
    assert len(statements) == len(schema.NODES)
    assert "CREATE CONSTRAINT `respgraph_Agency_id` IF NOT EXISTS FOR (n:`Agency`) REQUIRE n.`id` IS UNIQUE" in statements


def test_merge_statements_use_the_id_and_the_full_relationship_property_map():
    assert neo4j_store.node_merge("Agency") == (
        "UNWIND $rows AS row MERGE (n:`Agency` {`id`: row.`id`}) SET n += row, n:`Respgraph`")
    assert neo4j_store.edge_merge("RESPONSIBLE_FOR", "Agency", "Task") == (
        "UNWIND $rows AS row MATCH (s:`Agency` {`id`: row.`_source`}) MATCH (t:`Task` {`id`: row.`_target`}) "
        "MERGE (s)-[r:`RESPONSIBLE_FOR` {`role`: row.`role`, `rank`: row.`rank`, `tier`: row.`tier`, "
        "`printed`: row.`printed`, `implied`: row.`implied`, `note_line`: row.`note_line`}]->(t)")


def test_push_plan_covers_every_node_and_edge_nodes_first(graph):
    plan = neo4j_store.push_plan(graph)
    assert sum(len(rows) for _, _, rows in plan) == graph.number_of_nodes() + graph.number_of_edges()
    kinds = [what in schema.NODES for what, _, _ in plan]
    assert kinds == sorted(kinds, reverse=True)
    agencies = next(rows for what, _, rows in plan if what == "Agency")
    assert isinstance(agencies[0]["aliases"], list)


def test_settings_come_from_the_environment_and_hide_the_password(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_USERNAME", "analyst")
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    monkeypatch.setenv("NEO4J_DATABASE", "plans")
    settings = neo4j_store.Settings.from_env()
    assert (settings.uri, settings.user, settings.password, settings.database) == (
        "bolt://db.example:7687", "analyst", SECRET, "plans")
    assert SECRET not in repr(settings) and SECRET not in settings.describe()
    assert neo4j_store.Settings.from_env(database="other").database == "other"


@pytest.mark.parametrize("args", [
    ["neo4j", "push"],
    ["cypher", "--neo4j", "MATCH (n) RETURN count(n)"],
    ["query", "load_by_unit", "--neo4j"],
])
def test_an_unreachable_server_is_one_line_and_never_shows_the_password(home, args):
    result = run(*args, env={"NEO4J_URI": UNREACHABLE, "NEO4J_PASSWORD": SECRET})
    assert result.exit_code == 1
    assert result.output == f"Error: cannot reach Neo4j at {UNREACHABLE}: Connection refused\n"
    assert SECRET not in result.output


def test_missing_uri_and_wrong_scheme_are_one_line(home, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    result = run("neo4j", "push")
    assert result.exit_code == 1 and result.output.startswith("Error: no Neo4j server given: set NEO4J_URI")
    result = run("cypher", "--neo4j", "--uri", "http://localhost:7474", "RETURN 1")
    assert result.exit_code == 1 and "must start with one of bolt://" in result.output
    assert result.output.count("\n") == 1


def test_uri_credentials_are_not_repeated_in_errors(home):
    result = run("cypher", "--neo4j", "--uri", f"bolt://neo4j:{SECRET}@127.0.0.1:7999", "RETURN 1")
    assert result.exit_code == 1 and SECRET not in result.output


@pytest.mark.slow
def test_a_server_that_accepts_and_never_answers_is_given_up_on_within_the_connect_timeout(home):
    """A plain TCP socket on 127.0.0.1 that accepts and sends nothing: the push gives up on the
    Bolt handshake within RESPGRAPH_NEO4J_CONNECT_TIMEOUT (the driver's connection and
    acquisition timeouts), exit 1, one line naming the handshake, the password never shown."""
    timeout, margin = 2, 4
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[tuple[socket.socket, float]] = []

    def accept():
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                accepted.append((connection, time.monotonic()))

    threading.Thread(target=accept, daemon=True).start()
    env = {**os.environ, "RESPGRAPH_NEO4J_CONNECT_TIMEOUT": str(timeout), "NEO4J_PASSWORD": SECRET}
    env.pop("NEO4J_URI", None)
    try:
        done = subprocess.run([str(RESPGRAPH), "neo4j", "push", "--uri", f"bolt://127.0.0.1:{port}"],
                              capture_output=True, text=True, env=env, timeout=120)
        ended = time.monotonic()
    finally:
        listener.close()
        for connection, _ in accepted:
            connection.close()
    assert accepted, "the push never connected to the silent server"
    assert ended - accepted[0][1] < timeout + margin, f"gave up {ended - accepted[0][1]:.1f} s after connecting"
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"Error: cannot reach Neo4j at bolt://127.0.0.1:{port}: "), done.stderr
    assert "Bolt handshake" in done.stderr and f"gave up after {timeout} s" in done.stderr, done.stderr
    assert SECRET not in done.stderr


def test_an_empty_password_is_sent_as_given_and_only_a_missing_one_means_no_auth(monkeypatch):
    assert neo4j_store.Settings(uri=UNREACHABLE, user="analyst", password="").auth == ("analyst", "")
    assert neo4j_store.Settings(uri=UNREACHABLE, user="analyst", password=SECRET).auth == ("analyst", SECRET)
    assert neo4j_store.Settings(uri=UNREACHABLE, user="analyst").auth is None
    monkeypatch.setenv("NEO4J_PASSWORD", "")
    assert neo4j_store.Settings.from_env(uri=UNREACHABLE, user="analyst").auth == ("analyst", "")
    monkeypatch.delenv("NEO4J_PASSWORD")
    assert neo4j_store.Settings.from_env(uri=UNREACHABLE, password="").auth == ("neo4j", "")
    assert neo4j_store.Settings.from_env(uri=UNREACHABLE).auth is None


def test_the_connect_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("RESPGRAPH_NEO4J_CONNECT_TIMEOUT", raising=False)
    assert neo4j_store.connect_timeout() == neo4j_store.CONNECT_TIMEOUT
    monkeypatch.setenv("RESPGRAPH_NEO4J_CONNECT_TIMEOUT", "2.5")
    assert neo4j_store.connect_timeout() == 2.5
    for bad in ("soon", "0", "-1"):
        monkeypatch.setenv("RESPGRAPH_NEO4J_CONNECT_TIMEOUT", bad)
        assert neo4j_store.connect_timeout() == neo4j_store.CONNECT_TIMEOUT


def test_every_step_of_the_push_has_a_name(graph):
    constraints = neo4j_store.constraint_steps()
    assert [statement for _, statement in constraints] == neo4j_store.constraint_statements()
    for number, (label, (step, statement)) in enumerate(zip(schema.NODES, constraints), 1):
        assert step == f"creating constraints ({label}.id, {number} of {len(schema.NODES)})"
        assert f"FOR (n:`{label}`)" in statement
    assert neo4j_store.delete_step(3) == "deleting earlier pushes for --replace (batch 3)"
    task_rows = next(len(rows) for what, _, rows in neo4j_store.push_plan(graph) if what == "Task")
    batch_size = max(1, task_rows // 3)
    steps = neo4j_store.write_steps(graph, batch_size)
    assert sum(len(batch) for *_, batch in steps) == graph.number_of_nodes() + graph.number_of_edges()
    tasks = [step for step, what, _, _ in steps if what == "Task"]
    count = -(-task_rows // batch_size)
    assert tasks == [f"writing Task nodes (batch {n} of {count})" for n in range(1, count + 1)] and count > 1
    names = {step.split(" (batch")[0] for step, *_ in steps}
    assert "writing RESPONSIBLE_FOR relationships (Agency to Task)" in names
    assert {f"writing {label} nodes" for label, _, _ in neo4j_store.push_plan(graph) if label in schema.NODES} <= names


def server_refusal():
    """A ConstraintError as the driver builds it from the server's failure metadata."""
    from neo4j import exceptions

    return exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Schema.ConstraintValidationFailed",
        message="Node(12) already exists with label `Task`\nand property `id` = 'T-1'")


def lost_connection():
    from neo4j import exceptions

    return exceptions.ServiceUnavailable(
        "Failed to read from defunct connection IPv4Address(('127.0.0.1', 7687)) (ResolvedIPv4Address(('127.0.0.1', 7687)))")


def test_a_push_failure_names_its_step_and_keeps_the_drivers_reason_in_one_line():
    from neo4j import exceptions

    settings = neo4j_store.Settings(uri=f"bolt://analyst:{SECRET}@127.0.0.1:7687", user="analyst", password=SECRET)
    error = neo4j_store.push_failure("writing Task nodes (batch 3 of 12)", server_refusal(), settings)
    assert isinstance(error, cypher_engine.CypherError) and error.exit_code == 1
    assert str(error) == ("neo4j push failed while writing Task nodes (batch 3 of 12): Node(12) already exists "
                          "with label `Task` | and property `id` = 'T-1' (Neo.ClientError.Schema.ConstraintValidationFailed)")

    error = neo4j_store.push_failure("writing RESPONSIBLE_FOR relationships (Agency to Task) (batch 1 of 2)",
                                     lost_connection(), settings)
    assert isinstance(error, neo4j_store.Neo4jUnavailable) and error.exit_code == 1
    assert str(error) == ("neo4j push failed while writing RESPONSIBLE_FOR relationships (Agency to Task) "
                          "(batch 1 of 2): lost Neo4j at bolt://127.0.0.1:7687: Failed to read from defunct "
                          "connection 127.0.0.1:7687 (127.0.0.1:7687)")

    error = neo4j_store.push_failure(neo4j_store.delete_step(1), exceptions.AuthError(f"bad {SECRET}"), settings)
    assert isinstance(error, neo4j_store.Neo4jUnavailable)
    assert str(error) == ("neo4j push failed while deleting earlier pushes for --replace (batch 1): "
                          "Neo4j at bolt://127.0.0.1:7687 rejected user analyst")

    step = neo4j_store.constraint_steps()[0][0]
    reset = ConnectionResetError(104, f"Connection reset by peer\nat {settings.uri}")
    error = neo4j_store.push_failure(step, reset, settings)
    assert str(error).startswith(f"neo4j push failed while creating constraints ({next(iter(schema.NODES))}.id, 1 of ")
    assert "Connection reset by peer" in str(error)
    for step, made in [("s", server_refusal()), ("s", lost_connection()), (step, reset)]:
        text = str(neo4j_store.push_failure(step, made, settings))
        assert "\n" not in text and SECRET not in text


# ---------------------------------------------------------------------------------------
# With a server (NEO4J_URI set)
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    settings = neo4j_store.Settings.from_env()
    with neo4j_store.Neo4jEngine(settings) as engine:
        yield settings, engine


def graph_counts(graph) -> dict[str, int]:
    out = {label: 0 for label in schema.NODES} | {type_name: 0 for type_name in schema.EDGES}
    for _, data in graph.nodes(data=True):
        out[data["label"]] += 1
    for _, _, data in graph.edges(data=True):
        out[data["type"]] += 1
    return out


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NO_SERVER)
def test_pushing_twice_leaves_identical_counts(graph, server):
    settings, engine = server
    neo4j_store.push(graph, settings, batch_size=1000, replace=True)
    first = engine.counts()
    assert first == graph_counts(graph)
    neo4j_store.push(graph, settings, batch_size=1000)
    assert engine.counts() == first


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NO_SERVER)
def test_replace_removes_only_what_respgraph_wrote(graph, server):
    settings, engine = server
    foreign = "MERGE (n:AnalystNote {id: 'respgraph-test-note'}) RETURN n.id AS id"
    with engine.driver.session(database=settings.database) as session:
        session.execute_write(lambda tx: tx.run(foreign).consume())
    try:
        neo4j_store.push(graph, settings, batch_size=500, replace=True)
        assert engine.counts() == graph_counts(graph)
        assert engine.run("MATCH (n:AnalystNote {id: 'respgraph-test-note'}) RETURN count(n) AS n").rows == [{"n": 1}]
    finally:
        with engine.driver.session(database=settings.database) as session:
            session.execute_write(lambda tx: tx.run("MATCH (n:AnalystNote {id: 'respgraph-test-note'}) DELETE n").consume())


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NO_SERVER)
def test_push_command_twice_through_the_cli(home, server):
    settings, engine = server
    assert run("neo4j", "push", "--replace", "--batch-size", "2000").exit_code == 0
    first = engine.counts()
    result = run("neo4j", "push")
    assert result.exit_code == 0 and result.output.startswith("pushed ")
    assert engine.counts() == first


SAMPLE_PARAMETERS = {
    "unit_duties": {"unit": "市数字办", "city": "泉州"},
    "unit_partners": {"unit": "福州市大数据委"},
    "unit_targets": {"unit": "厦门市通信管理局"},
    "function_across_cities": {"function": "telecom_regulator"},
    "co_responsible_pairs": {"limit": 1000},
}


def sample_parameters(name: str) -> dict:
    """The parameters a query runs with here; a required one without a sample fails loudly."""
    query = library.get(name)
    given = SAMPLE_PARAMETERS.get(name, {})
    missing = [p.name for p in query.parameters if p.required and p.name not in given]
    if missing:
        pytest.fail(f"query {name} requires {', '.join(missing)}: add a sample to SAMPLE_PARAMETERS in "
                    f"tests/test_neo4j.py", pytrace=False)
    return given


@pytest.mark.parametrize("name", sorted(library.library()))
def test_every_required_parameter_has_a_sample_that_finds_rows(engine, name):
    assert library.run(engine, name, sample_parameters(name)).rows, f"{name} finds nothing with its sample"


LIST_PROPERTIES = sorted({name for node in schema.NODES.values() for name, kind in node.properties.items()
                          if kind == "STRING[]"} | {name for edge in schema.EDGES.values()
                                                    for name, kind in edge.properties.items() if kind == "STRING[]"})


@pytest.mark.parametrize("name", sorted(library.library()))
def test_library_queries_read_list_properties_through_coalesce(name):
    """neo4j-admin import stores an empty list as no property, the push as []: coalesce(x.p, [])
    gives a query the same answer either way."""
    text = library.get(name).text_for("neo4j")
    for match in re.finditer(rf"\b\w+\.({'|'.join(LIST_PROPERTIES)})\b", text):
        assert text[:match.start()].endswith("coalesce(") and text[match.end():].startswith(", [])"), (
            f"{name} reads {match.group(0)} without coalesce({match.group(0)}, [])")


@pytest.mark.parametrize("name, column", [("topic_overlap", "leads"), ("provincial_uptake", "cities"),
                                          ("shared_projects", "cities")])
@pytest.mark.parametrize("form", ["portable", "embedded"])
def test_list_columns_come_sorted_so_both_engines_print_one_order(engine, name, column, form):
    rows = library.run(engine, name, sample_parameters(name), form=form).rows
    assert rows and any(len(row[column]) > 1 for row in rows)
    assert all(row[column] == sorted(row[column]) for row in rows)
    assert all(len(set(row[column])) == len(row[column]) for row in rows)


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NO_SERVER)
@pytest.mark.parametrize("name", sorted(library.library()))
def test_every_named_query_gives_the_same_rows_on_neo4j_and_embedded(graph, server, tmp_path, name):
    settings, engine = server
    parameters = sample_parameters(name)
    neo4j_store.push(graph, settings, replace=True)
    cypher_engine.build_database(graph, tmp_path / "graph.lbdb")
    with cypher_engine.EmbeddedEngine(tmp_path / "graph.lbdb") as embedded:
        expected = library.run(embedded, name, parameters)
    got = library.run(engine, name, parameters)
    assert got.columns == expected.columns
    assert got.rows == expected.rows


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NO_SERVER)
def test_empty_lists_stored_as_no_property_give_the_same_answers(graph, server):
    """What neo4j-admin import leaves (no property for an empty list) answers as the push's []."""
    settings, engine = server
    neo4j_store.push(graph, settings, replace=True)
    before = {name: library.run(engine, name, sample_parameters(name)).rows for name in library.library()}
    with engine.driver.session(database=settings.database) as session:
        for prop in LIST_PROPERTIES:
            session.execute_write(lambda tx: tx.run(
                f"MATCH (n:Respgraph) WHERE n.`{prop}` = [] REMOVE n.`{prop}`").consume())
    try:
        after = {name: library.run(engine, name, sample_parameters(name)).rows for name in library.library()}
        assert after == before
    finally:
        neo4j_store.push(graph, settings, replace=True)


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason=NO_SERVER)
def test_cypher_on_neo4j_is_read_only(home, server):
    settings, engine = server
    before = engine.counts()
    result = run("cypher", "--neo4j", "MATCH (n:Agency) DETACH DELETE n")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert engine.counts() == before
