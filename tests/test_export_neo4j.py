"""Offline Neo4j exports, read back: neo4j-admin CSV files and the cypher-shell script."""
from __future__ import annotations

import csv
import math
import os
import re
import shutil
import subprocess
from collections import Counter

import networkx as nx
import pytest
from click.testing import CliRunner

from respgraph.exports import cypher_script, neo4j_admin
from respgraph.graph_build import schema
from respgraph.graph_build.schema import check_node
from respgraph.cli import cli

TRICKY_TEXT = 'He said "it\'s done" \\ then \\n (not a newline)\nsecond line;\r\nthird\t// not a comment \u2028 end'


def tiny_graph(text: str = TRICKY_TEXT, aliases: list[str] | None = None) -> nx.MultiDiGraph:
    """One document, one task, two agencies: the smallest graph with every kind of value."""
    graph = nx.MultiDiGraph()
    nodes = [
        ("Document", {"id": "doc:tiny", "title": "测试计划", "region": "测试市", "truncated": True,
                      "warnings": ["first", "second"], "task_count": 1}),
        ("Task", {"id": "task:tiny:0001", "doc": "doc:tiny", "city": "测试市", "ordinal": 1, "number": "1",
                  "title": "t'1", "text": text}),
        ("Agency", {"id": "agency:测试市:甲局", "name": "甲局", "region": "测试市", "aliases": aliases or ["市甲局"],
                    "resolved": True}),
        ("Agency", {"id": "agency:测试市:乙局", "name": "乙局", "region": "测试市", "aliases": []}),
    ]
    for label, props in nodes:
        node = check_node(label, props)
        graph.add_node(node["id"], label=label, **node)
    graph.add_edge("task:tiny:0001", "doc:tiny", key="TASK_OF", type="TASK_OF")
    graph.add_edge("agency:测试市:甲局", "task:tiny:0001", key="RESPONSIBLE_FOR:lead:1", type="RESPONSIBLE_FOR",
                   role="lead", rank=1, tier=1, printed="市甲局")
    graph.add_edge("agency:测试市:乙局", "task:tiny:0001", key="RESPONSIBLE_FOR:support:2", type="RESPONSIBLE_FOR",
                   role="support", rank=2, tier=1, printed="乙局")
    return graph


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def label_counts(graph):
    return Counter(d["label"] for _, d in graph.nodes(data=True))


def type_counts(graph):
    return Counter(d["type"] for _, _, d in graph.edges(data=True))


# ---------------------------------------------------------------------------------------
# neo4j-admin
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin_dir(graph, tmp_path_factory):
    folder = tmp_path_factory.mktemp("neo4j-admin")
    neo4j_admin.export_neo4j_admin(graph, folder)
    return folder


def test_one_file_per_label_and_type_with_the_graphs_row_counts(graph, admin_dir):
    labels, types = label_counts(graph), type_counts(graph)
    for label in schema.NODES:
        header, rows = read_csv(admin_dir / f"nodes_{label}.csv")
        assert header[0] == "id:ID" and header[-1] == ":LABEL"
        assert len(rows) == labels.get(label, 0), label
    for type_name in schema.EDGES:
        header, rows = read_csv(admin_dir / f"relationships_{type_name}.csv")
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        assert len(rows) == types.get(type_name, 0), type_name
        assert all(row[2] == type_name for row in rows)


def test_headers_are_typed_the_neo4j_admin_way(admin_dir):
    assert read_csv(admin_dir / "nodes_Agency.csv")[0] == [
        "id:ID", "name", "region", "kind", "function", "aliases:string[]", "resolved:boolean", ":LABEL"]
    assert read_csv(admin_dir / "relationships_RESPONSIBLE_FOR.csv")[0] == [
        ":START_ID", ":END_ID", ":TYPE", "role", "rank:long", "tier:long", "printed",
        "implied:boolean", "note_line:long"]  # implied supporters of a standing note (#12)
    document = read_csv(admin_dir / "nodes_Document.csv")[0]
    assert "truncated:boolean" in document and "warnings:string[]" in document and "task_count:long" in document


def test_values_read_back_equal_the_graph(graph, admin_dir):
    header, rows = read_csv(admin_dir / "nodes_Agency.csv")
    assert re.search(r"--array-delimiter=';'", (admin_dir / "import.sh").read_text(encoding="utf-8"))
    by_id = {row[0]: dict(zip(header, row)) for row in rows}
    fuzhou = by_id["agency:福州市:福州市大数据委"]
    assert fuzhou["aliases:string[]"].split(";") == graph.nodes["agency:福州市:福州市大数据委"]["aliases"]
    assert fuzhou[":LABEL"] == "Agency;Respgraph" and fuzhou["resolved:boolean"] == "true"
    node_ids = {row[0] for label in schema.NODES for row in read_csv(admin_dir / f"nodes_{label}.csv")[1]}
    for type_name in schema.EDGES:
        for row in read_csv(admin_dir / f"relationships_{type_name}.csv")[1]:
            assert row[0] in node_ids and row[1] in node_ids


def test_import_script_names_every_file_in_the_right_order(admin_dir):
    script = (admin_dir / "import.sh").read_text(encoding="utf-8")
    assert 'database="${1:-neo4j}"' in script and 'neo4j-admin database import full "$database"' in script
    assert "--multiline-fields=true" in script
    for label in schema.NODES:
        assert f"--nodes=nodes_{label}.csv" in script
    for type_name in schema.EDGES:
        assert f"--relationships=relationships_{type_name}.csv" in script
    assert not script.rstrip().endswith("\\")


def test_constraints_script_beside_the_csv_files_holds_the_pushs_constraints(admin_dir):
    from respgraph.queries import neo4j_store

    text = (admin_dir / "constraints.cypher").read_text(encoding="utf-8")
    statements = [line.removesuffix(";") for line in text.splitlines() if line and not line.startswith("//")]
    assert statements == neo4j_store.constraint_statements()
    assert "cypher-shell" in text and "CREATE DATABASE" in text


def fake_neo4j_admin(folder, status: int):
    """A neo4j-admin that records its arguments and exits with ``status``."""
    folder.mkdir(exist_ok=True)
    tool = folder / "neo4j-admin"
    tool.write_text(f'#!/bin/sh\necho "$@" > "{folder}/args"\nexit {status}\n', encoding="utf-8")
    tool.chmod(0o755)
    return folder


@pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
def test_import_script_then_says_how_to_finish(admin_dir, tmp_path):
    """After the import: CREATE DATABASE for a database other than neo4j, then constraints.cypher."""
    tools = fake_neo4j_admin(tmp_path / "bin", 0)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["sh", str(admin_dir / "import.sh"), "plans-2024"], env=env, capture_output=True,
                          text=True, check=True)
    assert (tools / "args").read_text().startswith("database import full plans-2024 ")
    assert "CREATE DATABASE `plans-2024`" in done.stdout
    assert f"cypher-shell -d 'plans-2024' -f '{admin_dir / 'constraints.cypher'}'" in done.stdout
    done = subprocess.run(["sh", str(admin_dir / "import.sh")], env=env, capture_output=True, text=True, check=True)
    assert (tools / "args").read_text().startswith("database import full neo4j ")
    assert "CREATE DATABASE" not in done.stdout and "START DATABASE neo4j" in done.stdout
    assert "constraints.cypher" in done.stdout


@pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
def test_a_failed_import_stops_with_its_status_and_no_next_steps(admin_dir, tmp_path):
    tools = fake_neo4j_admin(tmp_path / "bin", 3)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["sh", str(admin_dir / "import.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 3 and "constraints" not in done.stdout


def test_exporting_twice_gives_the_same_bytes(graph, admin_dir, tmp_path):
    neo4j_admin.export_neo4j_admin(graph, tmp_path)
    for path in admin_dir.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_tricky_text_survives_the_csv_and_the_delimiter_avoids_the_values(tmp_path):
    graph = tiny_graph(aliases=["市;甲局", "甲局"])
    neo4j_admin.export_neo4j_admin(graph, tmp_path)
    header, rows = read_csv(tmp_path / "nodes_Task.csv")
    assert dict(zip(header, rows[0]))["text"] == TRICKY_TEXT
    assert "--array-delimiter='|'" in (tmp_path / "import.sh").read_text(encoding="utf-8")
    header, rows = read_csv(tmp_path / "nodes_Agency.csv")
    agencies = {row[0]: dict(zip(header, row)) for row in rows}
    assert agencies["agency:测试市:甲局"]["aliases:string[]"].split("|") == ["市;甲局", "甲局"]
    assert agencies["agency:测试市:乙局"]["aliases:string[]"] == ""
    assert agencies["agency:测试市:甲局"][":LABEL"] == "Agency|Respgraph"


# ---------------------------------------------------------------------------------------
# cypher-shell script
# ---------------------------------------------------------------------------------------

def statements_of(text: str) -> list[str]:
    """Statements end with ';' at the end of a line; comment lines start with //."""
    statements, current = [], []
    for line in text.split("\n"):
        if not current and (line.startswith("//") or not line):
            continue
        current.append(line)
        if line.endswith(";"):
            statements.append("\n".join(current))
            current = []
    assert not current, "text after the last statement"
    return statements


def unescape(literal: str) -> str:
    """Decode a single-quoted Cypher string literal (written independently of the exporter)."""
    assert literal[0] == literal[-1] == "'"
    out, i, body = [], 0, literal[1:-1]
    simple = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    while i < len(body):
        if body[i] != "\\":
            assert body[i] != "'", "unescaped quote"
            out.append(body[i])
            i += 1
        elif body[i + 1] == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append(simple[body[i + 1]])
            i += 2
    return "".join(out)


def test_script_statement_count_is_constraints_then_batches(graph, tmp_path):
    path = tmp_path / "graph.cypher"
    count = cypher_script.export_cypher_script(graph, path)
    statements = statements_of(path.read_text(encoding="utf-8"))
    assert count == len(statements)
    batches = sum(math.ceil(n / 500) for n in label_counts(graph).values())
    batches += sum(math.ceil(n / 500) for n in Counter(
        (d["type"], graph.nodes[s]["label"], graph.nodes[t]["label"]) for s, t, d in graph.edges(data=True)).values())
    assert len(statements) == len(schema.NODES) + batches
    assert all(s.startswith("CREATE CONSTRAINT") for s in statements[:len(schema.NODES)])
    assert all(s.startswith("UNWIND [") for s in statements[len(schema.NODES):])
    assert "$" not in "".join(statements)


def test_tiny_graph_gives_one_statement_per_row_when_asked(tmp_path):
    graph = tiny_graph()
    path = tmp_path / "tiny.cypher"
    assert cypher_script.export_cypher_script(graph, path, rows_per_statement=1) == len(schema.NODES) + 4 + 3


def test_task_text_with_quotes_backslashes_and_newlines_is_escaped(tmp_path):
    path = tmp_path / "tiny.cypher"
    cypher_script.export_cypher_script(tiny_graph(), path)
    text = path.read_text(encoding="utf-8")
    task_statement = next(s for s in statements_of(text) if "MERGE (n:`Task`" in s)
    literal = re.search(r"text: ('(?:[^'\\]|\\.)*')", task_statement).group(1)
    assert unescape(literal) == TRICKY_TEXT
    assert "\r" not in text and "\u2028" not in text and "\t" not in text


def test_escaped_literals_are_read_back_by_a_cypher_engine(tmp_path):
    import ladybug

    statement = next(s for s in cypher_script.script_statements(tiny_graph()) if "MERGE (n:`Task`" in s)
    literal = re.search(r"text: ('(?:[^'\\]|\\.)*')", statement).group(1)
    connection = ladybug.Connection(ladybug.Database())
    assert connection.execute(f"RETURN {literal} AS text").get_all() == [[TRICKY_TEXT]]


def test_lists_and_booleans_are_cypher_literals():
    assert cypher_script.literal(["a'b", "c\\d"]) == "['a\\'b', 'c\\\\d']"
    assert cypher_script.literal(True) == "true" and cypher_script.literal(0.5) == "0.5"
    assert cypher_script.map_literal({"id": "x", "odd key": 1}) == "{id: 'x', `odd key`: 1}"
    with pytest.raises(ValueError):
        cypher_script.literal(float("nan"))


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------

def test_export_commands_write_their_files(home, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "neo4j-admin", str(tmp_path / "admin")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and (tmp_path / "admin" / "import.sh").is_file()
    assert (tmp_path / "admin" / "nodes_Agency.csv").is_file()
    result = runner.invoke(cli, ["export", "cypher", str(tmp_path / "graph.cypher")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ") and "statements" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["admin", "graph.cypher", "home"]


def test_without_the_neo4j_driver_the_push_names_the_extra_to_install(monkeypatch):
    import sys

    from respgraph.queries import neo4j_store

    monkeypatch.setitem(sys.modules, "neo4j", None)  # as if `pip install respgraph` without [neo4j]
    with pytest.raises(neo4j_store.Neo4jUnavailable, match=r"pip install 'respgraph\[neo4j\]'"):
        neo4j_store.connect(neo4j_store.Settings(uri="bolt://localhost:7687", user="neo4j", password="x",
                                                 database="neo4j"))
