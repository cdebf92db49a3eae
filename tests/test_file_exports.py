"""File exports (GraphML, GEXF, node-link JSON, CSV): read back, they hold the graph."""
from __future__ import annotations

import csv
import json
from collections import Counter

import networkx as nx
import pytest
from click.testing import CliRunner

from respgraph.exports import files
from respgraph.exports.views import label_of
from respgraph.graph_build import schema
from respgraph.cli import cli

BIG_DATA = "agency:福州市:福州市大数据委"


def expected_value(name: str, value, mixed: set[str]):
    """What a GraphML/GEXF/CSV attribute holds for a graph value, by the documented conventions."""
    if isinstance(value, list):
        return files.join_list(value)
    if name in mixed:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    return value


def mixed_node_attributes(graph) -> set[str]:
    types: dict[str, set] = {}
    for _, data in graph.nodes(data=True):
        for key, value in data.items():
            types.setdefault(key, set()).add(str if isinstance(value, list) else type(value))
    return {key for key, kinds in types.items() if len(kinds) > 1}


@pytest.fixture(scope="module")
def written(graph, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    for fmt in ("graphml", "gexf", "json"):
        files.export(graph, fmt, folder / f"graph.{fmt}")
    files.export(graph, "csv", folder / "csv")
    return folder


def check_nodes(graph, read, drop_id: bool) -> None:
    mixed = mixed_node_attributes(graph)
    assert sorted(read.nodes) == sorted(graph.nodes)
    for node, data in graph.nodes(data=True):
        got = dict(read.nodes[node])
        assert got.pop("labels") == ":" + label_of(graph, node)
        assert got.pop("label") == files.display_text(graph, node)
        want = {k: expected_value(k, v, mixed) for k, v in data.items() if k != "label"}
        if drop_id:
            want.pop("id")
        assert got == want, node


def test_level_is_the_attribute_two_labels_type_differently(graph):
    # schema: Document.level and Region.level STRING, Section.level INT64
    assert "level" in mixed_node_attributes(graph)
    assert schema.NODES["Section"].properties["level"] == "INT64"


def test_graphml_reads_back_with_every_node_edge_and_attribute(graph, written):
    read = nx.read_graphml(written / "graph.graphml", force_multigraph=True)
    assert (read.number_of_nodes(), read.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    check_nodes(graph, read, drop_id=False)
    got = Counter()
    for source, target, _, data in read.edges(keys=True, data=True):
        got[(source, target, data.pop("key"), data.pop("label"), json.dumps(data, sort_keys=True, ensure_ascii=False))] += 1
    want = Counter()
    for source, target, key, data in graph.edges(keys=True, data=True):
        props = {k: files.join_list(v) if isinstance(v, list) else v for k, v in data.items() if k != "type"}
        want[(source, target, key, data["type"], json.dumps(props, sort_keys=True, ensure_ascii=False))] += 1
    assert got == want


def test_graphml_types_its_attributes_and_keeps_chinese_as_text(written):
    text = (written / "graph.graphml").read_text(encoding="utf-8")
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    assert ">福州市大数据委</data>" in text
    assert "&#" not in text
    for line in ('attr.name="line_start" attr.type="long"', 'attr.name="resolved" attr.type="boolean"',
                 'attr.name="level" attr.type="string"', 'attr.name="aliases" attr.type="string"'):
        assert line in text


def test_gexf_reads_back_with_every_node_edge_and_attribute(graph, written):
    read = nx.read_gexf(written / "graph.gexf")
    assert (read.number_of_nodes(), read.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    check_nodes(graph, read, drop_id=True)   # GEXF's node id is the id property
    got = Counter((s, t, d["label"]) for s, t, d in read.edges(data=True))
    want = Counter((s, t, d["type"]) for s, t, d in graph.edges(data=True))
    assert got == want
    edge = next(d for s, t, d in read.edges(data=True) if s == BIG_DATA and d["label"] == "RESPONSIBLE_FOR")
    assert set(edge) >= {"role", "rank", "tier", "printed"}


def test_gexf_carries_no_date(written):
    text = (written / "graph.gexf").read_text(encoding="utf-8")
    assert "lastmodifieddate" not in text
    assert "<creator>respgraph</creator>" in text
    assert 'label="福州市大数据委"' in text


def test_node_link_json_reads_back_as_the_same_graph(graph, written):
    data = json.loads((written / "graph.json").read_text(encoding="utf-8"))
    read = nx.node_link_graph(data, edges="edges")
    assert read.is_multigraph() and read.is_directed()
    assert dict(read.graph) == dict(graph.graph)
    assert sorted(read.nodes) == sorted(graph.nodes)
    for node, props in graph.nodes(data=True):
        assert {"id": node, **read.nodes[node]} == props
    assert sorted((s, t, k, json.dumps(d, sort_keys=True)) for s, t, k, d in read.edges(keys=True, data=True)) == \
        sorted((s, t, k, json.dumps(d, sort_keys=True)) for s, t, k, d in graph.edges(keys=True, data=True))


def test_csv_holds_one_row_per_node_and_edge(graph, written):
    with open(written / "csv" / "nodes.csv", encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with open(written / "csv" / "edges.csv", encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert (len(nodes), len(edges)) == (graph.number_of_nodes(), graph.number_of_edges())
    assert list(nodes[0])[:3] == ["id", "labels", "label"]
    assert list(edges[0])[:4] == ["source", "target", "key", "label"]
    row = next(r for r in nodes if r["id"] == BIG_DATA)
    assert (row["labels"], row["label"], row["aliases"], row["resolved"], row["function"]) == (
        ":Agency", "福州市大数据委", "市大数据委", "true", "digital_authority")
    assert Counter(r["label"] for r in edges) == Counter(d["type"] for _, _, d in graph.edges(data=True))


def test_exports_are_byte_identical_for_the_same_graph(graph, written, tmp_path):
    for fmt in ("graphml", "gexf", "json"):
        files.export(graph, fmt, tmp_path / f"again.{fmt}")
        assert (tmp_path / f"again.{fmt}").read_bytes() == (written / f"graph.{fmt}").read_bytes(), fmt


def test_csv_export_writes_only_its_two_files(graph, tmp_path):
    files.export(graph, "csv", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["edges.csv", "nodes.csv"]


@pytest.mark.parametrize("items", [[], ["市大数据委"], ["a|b", "c"], ["back\\slash", "|", ""], ["福州", "泉州", "厦门"]])
def test_list_join_and_split_are_inverse(items):
    text = files.join_list(items)
    assert files.split_list(text) == (items if items != [""] else [])


def test_lists_join_with_a_bar(graph):
    assert files.join_list(["交通局", "市交通局"]) == "交通局|市交通局"
    assert files.join_list(["a|b"]) == "a\\|b"


@pytest.mark.parametrize("fmt, name", [("graphml", "g.graphml"), ("gexf", "g.gexf"), ("json", "g.json"), ("csv", "csv")])
def test_export_command_writes_and_reports(home, tmp_path, fmt, name):
    result = CliRunner().invoke(cli, ["export", fmt, str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).exists()
    assert result.stderr.startswith("wrote ") and result.stderr.rstrip().endswith(str(tmp_path / name))


def test_export_to_a_folder_where_a_file_is_needed_is_one_line_exit_2(home, tmp_path):
    result = CliRunner().invoke(cli, ["export", "graphml", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path} is a directory, not a regular file; give a file name such as {tmp_path / 'graph.graphml'}"]


def test_csv_export_into_an_existing_file_fails_with_one_line(home, tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["export", "csv", str(target)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {target} is a regular file, not a folder; name a folder to write the files into"]
    assert target.read_text() == "x"
