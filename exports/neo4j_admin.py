"""CSV files for ``neo4j-admin database import full``: one file per label and relationship type.

Conventions (Neo4j 5 import tool):

* ``nodes_<Label>.csv``: ``id:ID`` (one global ID space: respgraph ids are unique across labels
  and are stored as the ``id`` property), one column per schema property with a typed header
  (``rank:long``, ``value:double``, ``truncated:boolean``, ``aliases:string[]``; strings untyped),
  then ``:LABEL`` (the label and the ``Respgraph`` marker label that ``respgraph neo4j push``
  also writes).
* ``relationships_<TYPE>.csv``: ``:START_ID``, ``:END_ID``, ``:TYPE`` and the typed properties.
* Arrays and multiple labels are joined with the array delimiter, ``;`` unless some value
  contains one (then the first free one of ``|``, U+001F, U+001E). The command in ``import.sh``
  passes it as ``--array-delimiter``, with ``--multiline-fields=true`` because task texts may
  span lines. Every string field is quoted (``"`` doubled inside); a backslash is plain text.
* An empty STRING[] is an empty field; Neo4j then leaves the property unset on that node (the
  push stores ``[]``; the library queries read list properties through ``coalesce(n.p, [])``,
  so they answer the same either way).

The import writes no constraints, so ``constraints.cypher`` beside the CSV files holds the
push's uniqueness constraints (``neo4j_store.constraint_statements``), to run with cypher-shell
once the imported database is started; ``import.sh`` says so when the import is done. A
database other than ``neo4j`` must then be created (``CREATE DATABASE name``, Neo4j Enterprise;
Community has the one default database).

Every file is written atomically (temporary file, then rename); the same graph gives the same
bytes.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import networkx as nx

from respgraph.errors import WorkFailed

from respgraph.graph_build import schema
from respgraph.graph_build.files import write_atomic
from respgraph.queries.cypher_engine import edge_tables, node_tables
from respgraph.queries.neo4j_store import MARKER_LABEL, constraint_statements

HEADER_TYPES = {"STRING": "", "INT64": ":long", "DOUBLE": ":double", "BOOLEAN": ":boolean", "STRING[]": ":string[]"}
DELIMITERS = [";", "|", "\x1f", "\x1e"]
SCRIPT_NAME = "import.sh"
CONSTRAINTS_NAME = "constraints.cypher"


def header_of(name: str, type_name: str) -> str:
    return f"{name}{HEADER_TYPES[type_name]}"


def array_delimiter(nodes: dict[str, list[dict]], edges: dict) -> str:
    """The first delimiter no array element and no label contains."""
    used = set()
    for label, rows in nodes.items():
        used.update(label)
        lists = [n for n, t in schema.NODES[label].properties.items() if t == "STRING[]"]
        used.update(ch for row in rows for n in lists for item in row[n] for ch in item)
    for (type_name, _, _), rows in edges.items():
        lists = [n for n, t in schema.EDGES[type_name].properties.items() if t == "STRING[]"]
        used.update(ch for row in rows for n in lists for item in row[n] for ch in item)
    for candidate in DELIMITERS:
        if candidate not in used:
            return candidate
    raise WorkFailed("every array delimiter occurs in the graph's list values; cannot export for neo4j-admin")


def delimiter_option(delimiter: str) -> str:
    return delimiter if delimiter.isprintable() else f"U+{ord(delimiter):04X}"


def field(value, type_name: str, delimiter: str) -> str:
    if type_name == "STRING[]":
        return delimiter.join(str(v) for v in value)
    if type_name == "BOOLEAN":
        return "true" if value else "false"
    if type_name == "DOUBLE":
        return repr(float(value))
    return str(value)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def node_file(label: str, rows: list[dict], delimiter: str) -> bytes:
    properties = schema.NODES[label].properties
    header = [("id:ID" if n == "id" else header_of(n, t)) for n, t in properties.items()] + [":LABEL"]
    labels = delimiter.join([label, MARKER_LABEL])
    body = [[field(row[n], t, delimiter) for n, t in properties.items()] + [labels] for row in rows]
    return csv_bytes(header, body)


def relationship_file(type_name: str, rows: list[dict], delimiter: str) -> bytes:
    properties = schema.EDGES[type_name].properties
    header = [":START_ID", ":END_ID", ":TYPE"] + [header_of(n, t) for n, t in properties.items()]
    body = [[row["_source"], row["_target"], type_name] + [field(row[n], t, delimiter) for n, t in properties.items()]
            for row in rows]
    return csv_bytes(header, body)


def import_script(node_files: list[str], relationship_files: list[str], delimiter: str) -> bytes:
    lines = [
        "#!/bin/sh",
        "# Import the respgraph CSV files of this folder into a new Neo4j database (Neo4j 5).",
        "# Stop the database first; 'full' import needs an empty or new database.",
        "# Usage: sh import.sh [DATABASE]   (default: neo4j; run where neo4j-admin is on PATH)",
        f"# Arrays (aliases, warnings ...) and the :LABEL column are joined with {delimiter_option(delimiter)!r};",
        "# strings are double-quoted with \"\" inside, and task texts may span lines.",
        "# After the import (the script prints these steps again):",
        "#   1. a DATABASE other than neo4j does not exist until it is created: CREATE DATABASE name",
        "#      on the system database (Neo4j Enterprise; Community has the one default database);",
        "#      the default database neo4j only needs starting again (START DATABASE neo4j, or start Neo4j).",
        f"#   2. the import writes no constraints: run {CONSTRAINTS_NAME} on the started database,",
        f"#      cypher-shell -a bolt://HOST:7687 -u USER -d DATABASE -f {CONSTRAINTS_NAME}",
        'cd "$(dirname "$0")" || exit 1',
        'database="${1:-neo4j}"',
        'neo4j-admin database import full "$database" --overwrite-destination=true \\',
        f"  --array-delimiter='{delimiter_option(delimiter)}' --quote='\"' --multiline-fields=true \\",
        "  --id-type=string --skip-bad-relationships=false \\",
    ]
    lines += [f"  --nodes={name} \\" for name in node_files]
    lines += [f"  --relationships={name} \\" for name in relationship_files]
    lines[-1] = lines[-1].removesuffix(" \\") + " || exit $?"
    lines += [
        'echo "imported into database $database; now:"',
        'if [ "$database" != neo4j ]; then',
        """  echo "  - create it (Neo4j Enterprise): cypher-shell -d system 'CREATE DATABASE \\`$database\\`'\"""",
        "else",
        """  echo "  - start it: start Neo4j, or cypher-shell -d system 'START DATABASE neo4j'\"""",
        "fi",
        f"""echo "  - add the uniqueness constraints: cypher-shell -d '$database' -f '$(pwd)/{CONSTRAINTS_NAME}'\"""",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def constraints_script() -> bytes:
    """The push's uniqueness constraints as a cypher-shell script, to run after the import."""
    header = [
        "// Uniqueness constraints on id for every respgraph label, as `respgraph neo4j push` creates them.",
        "// neo4j-admin import writes none: run this once the imported database is started (and created,",
        "// for a database other than neo4j: CREATE DATABASE name, Neo4j Enterprise):",
        f"//   cypher-shell -a bolt://HOST:7687 -u USER -d DATABASE -f {CONSTRAINTS_NAME}",
        "// IF NOT EXISTS: running it twice changes nothing.",
    ]
    return ("\n".join(header) + "\n" + "".join(f"{s};\n" for s in constraint_statements())).encode("utf-8")


def export_neo4j_admin(graph: nx.MultiDiGraph, folder: str | os.PathLike) -> list[Path]:
    """Write the import CSV files, ``import.sh`` and ``constraints.cypher`` into ``folder``; return the paths written."""
    folder = Path(folder)
    nodes = node_tables(graph)
    edges = edge_tables(graph)
    delimiter = array_delimiter(nodes, edges)
    by_type: dict[str, list[dict]] = {t: [] for t in schema.EDGES}
    for (type_name, _, _), rows in edges.items():
        by_type[type_name].extend(rows)
    files: dict[str, bytes] = {}
    node_names, relationship_names = [], []
    for label, rows in nodes.items():
        name = f"nodes_{label}.csv"
        files[name] = node_file(label, rows, delimiter)
        node_names.append(name)
    for type_name, rows in by_type.items():
        rows.sort(key=lambda r: (r["_source"], r["_target"]))
        name = f"relationships_{type_name}.csv"
        files[name] = relationship_file(type_name, rows, delimiter)
        relationship_names.append(name)
    files[SCRIPT_NAME] = import_script(node_names, relationship_names, delimiter)
    files[CONSTRAINTS_NAME] = constraints_script()
    written = []
    for name, data in files.items():
        write_atomic(folder / name, data)
        written.append(folder / name)
    return written
