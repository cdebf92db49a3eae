"""The benchmark corpus generator (bench/generate.py) writes plans the real parser reads as generated."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import networkx as nx
import pytest

from respgraph import graph_build
from respgraph.graph_build import snapshot
from respgraph.graph_build.graph import canonical_order
from respgraph.graph_build.parse import parse_document
from respgraph.graph_build.read import read_source

ROOT = Path(__file__).resolve().parent.parent


def load_generator():
    """bench/generate.py as a module (bench/ is a folder of scripts, not a package)."""
    if "bench_generate" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_generate"] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["bench_generate"]


@pytest.fixture(scope="module")
def generator():
    return load_generator()


@pytest.fixture(scope="module")
def corpus(generator, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return out, generator.generate(6, seed=1, out=out)


def test_six_plans_of_seed_1_cover_every_layout_and_a_province(corpus):
    _, manifest = corpus
    documents = manifest["documents"]
    assert [d["style"] for d in documents] == ["fuzhou", "fuzhou", "xiamen", "fuzhou", "fuzhou", "quanzhou"]
    assert [d["region"] for d in documents] == ["聊城市", "阳江市", "白城市", "舟山市", "吉林省", "淮北市"]
    assert [d["tasks"] for d in documents] == [29, 33, 24, 46, 23, 33]
    assert manifest["tasks"] == 188


def test_each_plan_parses_to_exactly_the_tasks_and_units_generated(corpus):
    out, manifest = corpus
    for entry in manifest["documents"]:
        doc = parse_document(read_source(out / entry["file"]))
        assert len(doc.tasks) == entry["tasks"], entry["file"]
        assert sum(len(t.units) for t in doc.tasks) == entry["units"], entry["file"]
        assert (doc.meta.region, doc.meta.title) == (entry["region"], entry["title"]), entry["file"]


def test_the_built_graph_holds_every_generated_task(corpus):
    out, manifest = corpus
    graph = graph_build.build([out / "plans"])
    tasks = [n for n, d in graph.nodes(data=True) if d["label"] == "Task"]
    responsible = [e for e in graph.edges(data=True) if e[2]["type"] == "RESPONSIBLE_FOR"]
    assert len(tasks) == manifest["tasks"]
    assert len(responsible) == manifest["units"]


def test_same_seed_gives_the_same_bytes_and_a_bigger_corpus_only_adds_plans(generator, corpus, tmp_path):
    out, _ = corpus
    generator.generate(7, seed=1, out=tmp_path)
    for entry in json.loads((out / "manifest.json").read_text("utf-8"))["documents"]:
        assert (tmp_path / entry["file"]).read_bytes() == (out / entry["file"]).read_bytes()
    assert len(list((tmp_path / "plans").glob("*.txt"))) == 7


def test_another_seed_gives_other_plans(generator, corpus, tmp_path):
    out, manifest = corpus
    other = generator.generate(6, seed=2, out=tmp_path)
    first = manifest["documents"][0]["file"]
    assert (tmp_path / other["documents"][0]["file"]).read_bytes() != (out / first).read_bytes()


def test_no_generated_unit_is_a_curated_fujian_agency(corpus):
    out, _ = corpus
    graph = graph_build.build([out / "plans"])
    agencies = [d for _, d in graph.nodes(data=True) if d["label"] == "Agency"]
    assert agencies and not any(a["resolved"] for a in agencies)
    assert not any(a["region"].startswith(("福建", "福州", "厦门", "泉州")) for a in agencies)


def test_assembled_graph_iterates_nodes_and_edges_in_sorted_order(corpus):
    out, _ = corpus
    graph = graph_build.build([out / "plans"])
    assert list(graph.nodes) == sorted(graph.nodes)
    edges = list(graph.edges(keys=True))
    assert edges == sorted(edges)
    # The same order add_node/add_edge in sorted order would give, predecessors included.
    plain = nx.MultiDiGraph()
    for node in sorted(graph.nodes):
        plain.add_node(node, **graph.nodes[node])
    for source, target, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        plain.add_edge(source, target, key=key, **data)
    assert list(plain.in_edges(keys=True, data=True)) == list(graph.in_edges(keys=True, data=True))
    assert list(canonical_order(graph).edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))


def test_snapshot_round_trip_keeps_order_and_bytes(corpus, tmp_path):
    out, _ = corpus
    graph = graph_build.build([out / "plans"])
    path = tmp_path / "g.json"
    snapshot.save(graph, path)
    loaded = snapshot.load(path)
    assert list(loaded.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(loaded.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))
    assert list(loaded.in_edges(keys=True, data=True)) == list(graph.in_edges(keys=True, data=True))
    assert snapshot.dumps(loaded) == path.read_bytes()
    assert json.loads(path.read_bytes())["format"] == "respgraph-snapshot"


def _order(graph):
    """Everything a graph's iteration shows: nodes with data, edges out and in with keys and data."""
    return (list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True)),
            list(graph.in_edges(keys=True, data=True)), dict(graph.graph))


def test_overlap_computed_in_a_child_process_gives_the_graph_computed_in_process(corpus):
    out, _ = corpus
    docs = [(parse_document(read_source(path)), str(path)) for path in sorted((out / "plans").iterdir())]
    inline = graph_build.graph.assemble(docs, background=False)
    child = graph_build.graph.assemble(docs, background=True)
    assert _order(child) == _order(inline)
    # The same graph as adding the overlap to the assembled documents and sorting everything after.
    from respgraph.graph_build.overlap import add_overlap

    whole = graph_build.graph.assemble(docs, overlap=False)
    touched = add_overlap(whole)
    assert touched  # the six plans have tasks alike across cities
    assert any(d["label"] == "TaskFamily" for _, d in inline.nodes(data=True))
    assert _order(canonical_order(whole)) == _order(inline)


def test_overlap_reads_the_same_task_records_from_documents_as_from_the_graph(corpus, parsed, graph):
    from respgraph.graph_build.overlap import records_from_documents, records_from_graph

    assert records_from_documents(parsed.values()) == records_from_graph(graph)
    assert len(records_from_graph(graph)) == 278
    out, _ = corpus
    docs = [parse_document(read_source(path)) for path in sorted((out / "plans").iterdir())]
    assert records_from_documents(docs) == records_from_graph(graph_build.graph.assemble([(d, "x") for d in docs]))


def test_a_build_failing_beside_the_overlap_child_stops_it_and_leaves_no_temporary_file(corpus, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out, _ = corpus
    docs = [(parse_document(read_source(path)), str(path)) for path in sorted((out / "plans").iterdir())]

    def fail(graph):
        assert list(tmp_path.iterdir()) == []  # the child's input has no name, even meanwhile
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        graph_build.graph.assemble(docs, while_overlap=fail, background=True)
    assert list(tmp_path.iterdir()) == []


def test_snapshot_lines_encoded_before_the_overlap_is_added_give_the_same_bytes(corpus):
    from respgraph.graph_build import overlap

    out, _ = corpus
    docs = [(parse_document(read_source(path)), str(path)) for path in sorted((out / "plans").iterdir())]
    ahead = []
    graph = graph_build.graph.assemble(docs, background=True, while_overlap=lambda g: ahead.append(
        snapshot.encode_ahead(g, lambda node, data: data["label"] not in overlap.SOURCE_LABELS)))
    (encoded,) = ahead
    assert overlap.SOURCE_LABELS == {"Task"}
    assert len(encoded.nodes) < graph.number_of_nodes()  # the TaskFamily nodes came after
    assert not any(node.startswith("task:") for node in encoded.rows)
    assert b"".join(snapshot.iter_dumps(graph, ahead=encoded)) == snapshot.dumps(graph)
