"""A self-contained Cypher script for ``cypher-shell -f``: constraints, then the graph's data.

The statements are those of ``respgraph neo4j push`` (``queries.neo4j_store``) with the rows
written inline instead of passed as ``$rows``, so the script needs no parameters: uniqueness
constraints first, then one ``UNWIND [...] AS row MERGE ...`` per batch of nodes of a label,
then per batch of relationships of a type. Strings are single-quoted with backslash escapes
(``\\\\``, ``\\'``, ``\\n``, ``\\r``, ``\\t``, ``\\uXXXX`` for other control characters), so a task text
may contain anything. Every statement ends with ``;`` at the end of a line and no string
literal spans lines. Rerunning the script changes nothing (MERGE).
"""
from __future__ import annotations

import math
import os
import re

import networkx as nx

from respgraph.graph_build.files import write_atomic
from respgraph.queries.cypher_engine import edge_tables, node_tables, quote_name, string_literal
from respgraph.queries.neo4j_store import MARKER_LABEL, constraint_statements, edge_merge, node_merge

ROWS_PER_STATEMENT = 500
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def literal(value) -> str:
    """A Cypher literal for a property value: string, integer, float, boolean or list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write the non-finite number {value} as a Cypher literal")
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise ValueError(f"cannot write {type(value).__name__} values as Cypher literals")


def map_literal(row: dict) -> str:
    keys = (k if IDENTIFIER.fullmatch(k) else quote_name(k) for k in row)
    return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in zip(keys, row.values())) + "}"


def rows_literal(rows: list[dict]) -> str:
    return "[\n  " + ",\n  ".join(map_literal(r) for r in rows) + "\n]"


def script_statements(graph: nx.MultiDiGraph, rows_per_statement: int = ROWS_PER_STATEMENT) -> list[str]:
    """The script's statements without their terminating ``;``: constraints, nodes, relationships."""
    statements = list(constraint_statements())
    for label, rows in node_tables(graph).items():
        for start in range(0, len(rows), rows_per_statement):
            statements.append(node_merge(label, rows_literal(rows[start:start + rows_per_statement])))
    for (type_name, source, target), rows in edge_tables(graph).items():
        for start in range(0, len(rows), rows_per_statement):
            statements.append(edge_merge(type_name, source, target, rows_literal(rows[start:start + rows_per_statement])))
    return statements


def script_text(graph: nx.MultiDiGraph, statements: list[str], rows_per_statement: int = ROWS_PER_STATEMENT) -> str:
    """The whole script: a comment header saying how to run it, then every statement and its ``;``."""
    constraints = len(constraint_statements())
    header = [
        "// respgraph graph for cypher-shell: cypher-shell -a bolt://HOST:7687 -u USER -d DATABASE -f THIS_FILE",
        f"// {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships; labels, types and properties "
        "as in graph_build/schema.py.",
        f"// Every node also gets the marker label :{MARKER_LABEL} ('respgraph neo4j push --replace' removes them).",
        f"// {constraints} constraints, then {len(statements) - constraints} MERGE statements of at most "
        f"{rows_per_statement} rows; running it twice changes nothing.",
    ]
    return "\n".join(header) + "\n" + "".join(f"{s};\n" for s in statements)


def export_cypher_script(graph: nx.MultiDiGraph, path: str | os.PathLike,
                         rows_per_statement: int = ROWS_PER_STATEMENT) -> int:
    """Write the script atomically; return the number of statements."""
    statements = script_statements(graph, rows_per_statement)
    write_atomic(path, script_text(graph, statements, rows_per_statement).encode("utf-8"))
    return len(statements)
