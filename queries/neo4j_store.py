"""Neo4j: push the graph with the official driver, and run read-only queries on a server.

``push`` writes uniqueness constraints first, then every label and relationship type of
``graph_build.schema`` in batches of ``UNWIND $rows AS row MERGE ...`` inside managed write
transactions (``session.execute_write``, which retries transient failures). MERGE on the node
id, and on the full property map of a relationship, makes a second push of the same graph a
no-op. Every node respgraph writes also carries the marker label ``Respgraph``, so
``replace=True`` deletes what an earlier push wrote and nothing else. A failure is one line that
names its step and keeps the driver's reason (``push_failure``); connecting, the Bolt handshake
included, gives up after ``connect_timeout()`` seconds.

The statement texts are shared with the offline ``cypher-shell`` export
(``exports.cypher_script``), which inlines the rows instead of passing ``$rows``.

The driver is imported lazily: other commands do not pay for it.
"""
from __future__ import annotations

import itertools
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Callable

import networkx as nx

from respgraph.graph_build import schema

from respgraph.errors import WorkFailed
from .cypher_engine import CypherError, QueryResult, edge_tables, node_tables, one_line, quote_name

MARKER_LABEL = "Respgraph"
DEFAULT_BATCH_SIZE = 5000
CONNECT_TIMEOUT = 10.0  # seconds to open a connection and finish the Bolt handshake (RESPGRAPH_NEO4J_CONNECT_TIMEOUT)
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class Neo4jUnavailable(ConnectionError, WorkFailed):
    """No server at the URI, bad credentials, or no URI at all (one line, never the password)."""


@dataclass
class Settings:
    """Where and as whom to connect; ``password`` is kept out of repr and every message."""

    uri: str | None = None
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"

    @classmethod
    def from_env(cls, uri: str | None = None, user: str | None = None, password: str | None = None,
                 database: str | None = None) -> "Settings":
        """Options first, then NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE."""
        return cls(uri=uri or os.environ.get("NEO4J_URI") or None,
                   user=user or os.environ.get("NEO4J_USERNAME") or "neo4j",
                   password=password if password is not None else os.environ.get("NEO4J_PASSWORD"),
                   database=database or os.environ.get("NEO4J_DATABASE") or "neo4j")

    @property
    def shown_uri(self) -> str:
        """The URI as messages show it: any user:password@ part removed."""
        return re.sub(r"//[^@/]*@", "//", self.uri or "")

    @property
    def auth(self) -> tuple[str, str] | None:
        """Basic auth as given: an empty password is still a password; only None means no auth."""
        return None if self.password is None else (self.user, self.password)

    def describe(self) -> str:
        return f"{self.shown_uri} (database {self.database}, user {self.user})"

    def scrub(self, message: str) -> str:
        """A driver message safe to show: the URI without credentials, the password masked."""
        if self.uri:
            message = message.replace(self.uri, self.shown_uri)
        if self.password:
            message = message.replace(self.password, "***")
        return message


# ---------------------------------------------------------------------------------------
# Statements (shared with exports.cypher_script)
# ---------------------------------------------------------------------------------------

def constraint_statements() -> list[str]:
    """One uniqueness constraint on ``id`` per schema label (and the marker label's lookups)."""
    return [f"CREATE CONSTRAINT {quote_name(f'respgraph_{label}_id')} IF NOT EXISTS "
            f"FOR (n:{quote_name(label)}) REQUIRE n.{quote_name('id')} IS UNIQUE"
            for label in schema.NODES]


def node_merge(label: str, rows: str = "$rows") -> str:
    """MERGE one batch of nodes by id, set every schema property, add the marker label."""
    return (f"UNWIND {rows} AS row MERGE (n:{quote_name(label)} {{{quote_name('id')}: row.{quote_name('id')}}}) "
            f"SET n += row, n:{quote_name(MARKER_LABEL)}")


def edge_merge(type_name: str, source: str, target: str, rows: str = "$rows") -> str:
    """MERGE one batch of relationships between existing nodes, identified by all their properties.

    Two edges of one type between the same nodes differ in some property (the builder keys
    RESPONSIBLE_FOR by role and rank), so merging on the full property map keeps them apart.
    """
    props = ", ".join(f"{quote_name(n)}: row.{quote_name(n)}" for n in schema.EDGES[type_name].properties)
    pattern = f" {{{props}}}" if props else ""
    return (f"UNWIND {rows} AS row "
            f"MATCH (s:{quote_name(source)} {{{quote_name('id')}: row.{quote_name('_source')}}}) "
            f"MATCH (t:{quote_name(target)} {{{quote_name('id')}: row.{quote_name('_target')}}}) "
            f"MERGE (s)-[r:{quote_name(type_name)}{pattern}]->(t)")


def delete_batch_statement() -> str:
    return f"MATCH (n:{quote_name(MARKER_LABEL)}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted"


def batches(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def push_work(graph: nx.MultiDiGraph) -> list[tuple[str, str, str, list[dict]]]:
    """(what, what is written as a failure names it, statement, rows) for every non-empty label
    and (type, source, target) table, nodes first."""
    work = [(label, f"{label} nodes", node_merge(label), rows) for label, rows in node_tables(graph).items() if rows]
    work += [(type_name, f"{type_name} relationships ({source} to {target})", edge_merge(type_name, source, target), rows)
             for (type_name, source, target), rows in edge_tables(graph).items() if rows]
    return work


def push_plan(graph: nx.MultiDiGraph) -> list[tuple[str, str, list[dict]]]:
    """(what, statement, rows) for every non-empty label and (type, source, target) table, nodes first."""
    return [(what, statement, rows) for what, _, statement, rows in push_work(graph)]


# The steps of a push, as its failure message names them ("neo4j push failed while <step>: …").

def constraint_steps() -> list[tuple[str, str]]:
    """(step, statement) for every uniqueness constraint."""
    statements = constraint_statements()
    return [(f"creating constraints ({label}.id, {number} of {len(statements)})", statement)
            for number, (label, statement) in enumerate(zip(schema.NODES, statements), 1)]


def delete_step(number: int) -> str:
    return f"deleting earlier pushes for --replace (batch {number})"


def write_steps(graph: nx.MultiDiGraph, batch_size: int) -> list[tuple[str, str, str, list[dict]]]:
    """(step, what, statement, batch) for every batch of every label and relationship table."""
    steps = []
    for what, described, statement, rows in push_work(graph):
        count = -(-len(rows) // batch_size)
        steps += [(f"writing {described} (batch {number} of {count})", what, statement, batch)
                  for number, batch in enumerate(batches(rows, batch_size), 1)]
    return steps


# ---------------------------------------------------------------------------------------
# Connecting
# ---------------------------------------------------------------------------------------

def connect_timeout() -> float:
    """Seconds to connect and finish the Bolt handshake: ``RESPGRAPH_NEO4J_CONNECT_TIMEOUT`` or ``CONNECT_TIMEOUT``."""
    try:
        seconds = float(os.environ.get("RESPGRAPH_NEO4J_CONNECT_TIMEOUT", CONNECT_TIMEOUT))
    except ValueError:
        return CONNECT_TIMEOUT
    return seconds if seconds > 0 else CONNECT_TIMEOUT


def connect(settings: Settings):
    """A driver whose connectivity was checked; Neo4jUnavailable (one line) otherwise."""
    if not settings.uri:
        raise Neo4jUnavailable("no Neo4j server given: set NEO4J_URI or pass --uri bolt://host:7687")
    scheme = settings.uri.split("://", 1)[0].lower() if "://" in settings.uri else ""
    if scheme not in SCHEMES:
        raise Neo4jUnavailable(f"Neo4j URI {settings.shown_uri} must start with one of "
                               f"{', '.join(s + '://' for s in SCHEMES)}")
    try:
        import neo4j
        from neo4j import exceptions
    except ImportError:  # an extra: most users never talk to a server
        raise Neo4jUnavailable("the Neo4j driver is not installed: pip install 'respgraph[neo4j]'") from None

    # The driver logs connection failures itself; they reach the user once, as our error line.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    logging.getLogger("neo4j").propagate = False
    # connection_timeout bounds the TCP connect only; the acquisition timeout also bounds the Bolt
    # handshake, so a server that accepts and never answers is given up on in time.
    timeout = connect_timeout()
    try:
        driver = neo4j.GraphDatabase.driver(settings.uri, auth=settings.auth, connection_timeout=timeout,
                                            connection_acquisition_timeout=timeout,
                                            max_transaction_retry_time=15)
    except (exceptions.ConfigurationError, ValueError) as error:
        raise Neo4jUnavailable(settings.scrub(f"bad Neo4j URI {settings.shown_uri}: {one_line(error)}")) from None
    try:
        driver.verify_connectivity()
    except exceptions.AuthError:
        driver.close()
        raise Neo4jUnavailable(f"Neo4j at {settings.shown_uri} rejected user {settings.user}: "
                               "check NEO4J_USERNAME and NEO4J_PASSWORD") from None
    except (exceptions.DriverError, exceptions.Neo4jError, OSError) as error:
        driver.close()
        raise Neo4jUnavailable(settings.scrub(f"cannot reach Neo4j at {settings.shown_uri}: {first_line(error)}")) from None
    return driver


def first_line(error: BaseException) -> str:
    """The driver's reason in a few words ("Connection refused"), else its first line, or the
    cause below a heading line ("Couldn't connect to …:" then "Failed to read four byte Bolt
    handshake response from server 127.0.0.1:7687 (gave up after 10 s)")."""
    message = str(getattr(error, "message", None) or error or error.__class__.__name__).strip()
    reason = re.search(r"\(reason (?:\[Errno -?\d+\] )?([^)]*)\)", message)
    if reason:
        return reason.group(1)
    lines = [line.strip() for line in message.splitlines() if line.strip()] or [error.__class__.__name__]
    line = lines[-1] if lines[0].endswith(":") and len(lines) > 1 else lines[0].rstrip(":")
    line = re.sub(r"(?:Resolved)?IPv[46]Address\(\('([^']*)', (\d+)[^)]*\)\)", r"\1:\2", line)
    return re.sub(r"\(deadline Deadline\(timeout=([\d.]+)\)\)",
                  lambda m: f"(gave up after {float(m.group(1)):g} s)", line)


def server_error(error) -> CypherError:
    """A server-side query error as one line: the message, and the status code that says what kind."""
    code = getattr(error, "code", None)
    message = one_line(getattr(error, "message", None) or str(error))
    return CypherError(f"{message} ({code})" if code else message)


# ---------------------------------------------------------------------------------------
# Pushing
# ---------------------------------------------------------------------------------------

def _run_write(tx, statement: str, parameters: dict):
    return tx.run(statement, parameters).single()


def push_failure(step: str, error: BaseException, settings: Settings) -> Exception:
    """What ``push`` raises when ``step`` ("writing Task nodes (batch 3 of 12)") failed with the
    driver's ``error``: one line, ``neo4j push failed while <step>: <the driver's reason>``.

    A statement the server refused is a CypherError, a lost or refused connection Neo4jUnavailable.
    """
    from neo4j import exceptions

    if isinstance(error, exceptions.AuthError):
        kind, reason = Neo4jUnavailable, f"Neo4j at {settings.shown_uri} rejected user {settings.user}"
    elif isinstance(error, exceptions.Neo4jError):
        kind, reason = CypherError, str(server_error(error))
    else:
        kind, reason = Neo4jUnavailable, f"lost Neo4j at {settings.shown_uri}: {first_line(error)}"
    return kind(settings.scrub(one_line(f"neo4j push failed while {step}: {reason}")))


def push(graph: nx.MultiDiGraph, settings: Settings, batch_size: int = DEFAULT_BATCH_SIZE,
         replace: bool = False, progress: Callable[[str, int], None] | None = None,
         on_start: Callable[[int], None] | None = None) -> dict[str, int]:
    """Load ``graph`` into Neo4j; return the rows written per label and relationship type.

    ``progress(what, rows)`` is called after every batch; ``on_start(total_rows)`` once first.
    ``replace`` first deletes every node (and its relationships) an earlier push wrote.
    A failure names its step (see ``push_failure``).
    """
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    from neo4j import exceptions

    steps = write_steps(graph, batch_size)
    if on_start:
        on_start(sum(len(batch) for *_, batch in steps))
    driver = connect(settings)
    written: dict[str, int] = {}
    step = "opening a session"
    try:
        with driver.session(database=settings.database) as session:
            for step, statement in constraint_steps():
                session.execute_write(_run_write, statement, {})
            if replace:
                for number in itertools.count(1):
                    step = delete_step(number)
                    record = session.execute_write(_run_write, delete_batch_statement(), {"batch": batch_size})
                    if not record or not record["deleted"]:
                        break
            for step, what, statement, batch in steps:
                session.execute_write(_run_write, statement, {"rows": batch})
                written[what] = written.get(what, 0) + len(batch)
                if progress:
                    progress(what, len(batch))
    except (exceptions.Neo4jError, exceptions.DriverError, OSError) as error:
        raise push_failure(step, error, settings) from None
    finally:
        driver.close()
    return written


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------

def plain(value):
    """Driver values as plain data in the embedded engine's shape (see cypher_engine.plain)."""
    from neo4j import graph as neo_graph

    if isinstance(value, neo_graph.Node):
        labels = sorted(label for label in value.labels if label != MARKER_LABEL)
        return {"_label": labels[0] if len(labels) == 1 else labels, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo_graph.Relationship):
        return {"_type": value.type, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo_graph.Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    return value


def _read(tx, query: str, parameters: dict):
    result = tx.run(query, parameters)
    keys = list(result.keys())
    return keys, [list(record.values()) for record in result]


class Neo4jEngine:
    """Read-only queries on a Neo4j server: every query passes ``cypher_gate.check`` (with the
    Neo4j CALL allowlist) and runs in a managed read transaction, within ``timeout`` seconds
    (the server's transaction timeout) when one is given."""

    name = "neo4j"

    def __init__(self, settings: Settings, timeout: float | None = None):
        self.settings = settings
        self.timeout = timeout
        self.driver = connect(settings)

    def run(self, query: str, parameters: dict | None = None) -> QueryResult:
        from neo4j import exceptions, unit_of_work

        from .cypher_gate import check

        check(query, self.name)
        work = unit_of_work(timeout=self.timeout)(_read) if self.timeout else _read
        try:
            with self.driver.session(database=self.settings.database) as session:
                keys, values = session.execute_read(work, query, dict(parameters or {}))
        except exceptions.Neo4jError as error:
            if self.timeout and "TransactionTimedOut" in str(getattr(error, "code", "") or ""):
                from .cypher_sandbox import QueryTimeout, timeout_message

                raise QueryTimeout(timeout_message(self.timeout)) from None
            raise CypherError(self.settings.scrub(str(server_error(error)))) from None
        except (exceptions.DriverError, OSError) as error:
            raise Neo4jUnavailable(self.settings.scrub(f"lost Neo4j at {self.settings.shown_uri}: {first_line(error)}")) from None
        return QueryResult(keys, [dict(zip(keys, (plain(v) for v in row))) for row in values])

    def counts(self) -> dict[str, int]:
        """Nodes per schema label and relationships per type among what respgraph pushed."""
        out = {}
        marker = quote_name(MARKER_LABEL)
        for label in schema.NODES:
            out[label] = self.run(f"MATCH (n:{quote_name(label)}:{marker}) RETURN count(n) AS n").rows[0]["n"]
        for type_name in schema.EDGES:
            out[type_name] = self.run(f"MATCH (:{marker})-[r:{quote_name(type_name)}]->(:{marker}) "
                                      "RETURN count(r) AS n").rows[0]["n"]
        return out

    def close(self) -> None:
        self.driver.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
