"""Interactive HTML views: what each view holds, a self-contained and safe page, same bytes twice."""
from __future__ import annotations

import hashlib
import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner

from respgraph.exports import html as html_export
from respgraph.exports import views
from respgraph.graph_build.graph import add_edge, add_node
from respgraph.cli import cli

BIG_DATA = "agency:福州市:福州市大数据委"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def kinds(view) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, data in view.graph.nodes(data=True):
        out[data["kind"]] = out.get(data["kind"], 0) + 1
    return out


def page_json(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="respgraph-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


# --- the views on the bundled plans ----------------------------------------------------------

def test_unit_view_of_fuzhou_big_data_commission_holds_its_40_tasks(graph):
    view = views.build_view(graph, unit="市大数据委", cities=["福州"])
    assert view.count("Task") == 40
    roles = [view.graph.edges[BIG_DATA, t]["kind"] for t in view.graph.neighbors(BIG_DATA)]
    assert (roles.count("lead"), roles.count("support")) == (24, 16)
    assert view.graph.nodes[BIG_DATA]["center"] is True


def test_unit_view_hangs_a_heading_task_under_the_section_that_groups_it(graph):
    # 福州 plan line 50 "（一）实施网络传输提速行动", line 52 "1. 建设全光万兆之城" (a task and a heading)
    view = views.build_view(graph, unit="市大数据委", cities=["福州"])
    task = next(n for n, d in view.graph.nodes(data=True) if d["name"] == "1 建设全光万兆之城")
    sections = [view.graph.nodes[n]["name"] for n in view.graph.neighbors(task) if view.graph.nodes[n]["kind"] == "Section"]
    assert sections == ["（一）实施网络传输提速行动"]


def test_task_hover_card_has_text_units_with_roles_and_source_line(graph):
    view = views.build_view(graph, unit="市大数据委", cities=["福州"])
    task = next(n for n, d in view.graph.nodes(data=True) if d["name"] == "1 建设全光万兆之城")
    tip = view.graph.nodes[task]["tip"]
    rows = dict((key, value) for key, value in tip["rows"])
    # line 54: 〔责任单位：市通管办、市委网信办、市大数据委，各县（市）区政府、高新区管委会，各通信运营商〕
    assert rows["牵头单位"] == ["福州市通管办（原文：市通管办）"]
    assert "福州市大数据委（原文：市大数据委）" in rows["配合单位"]
    assert rows["出处"] == "data/plans/fuzhou_2023_new_infrastructure_3yr_plan.txt:52–54"
    assert tip["text"].startswith("持续扩大光网建设规模和普及范围")


def test_deeper_unit_view_adds_the_tasks_of_co_responsible_units(graph):
    one = views.build_view(graph, unit="市大数据委", cities=["福州"])
    two = views.build_view(graph, unit="市大数据委", cities=["福州"], depth=2)
    assert two.count("Task") > one.count("Task")
    assert set(one.graph.nodes) <= set(two.graph.nodes)
    assert two.slug == "unit-福州市大数据委-depth2"


def test_city_view_of_fuzhou_holds_its_one_plan_45_tasks_and_54_units(graph):
    view = views.build_view(graph, cities=["福州"])
    counts = kinds(view)
    assert (view.name, counts["Region"], counts["Document"], counts["Task"], counts["Agency"]) == ("city", 1, 1, 45, 54)
    assert view.slug == "city-福州市"


def test_agencies_view_weights_a_pair_by_the_tasks_it_shares(graph):
    view = views.build_view(graph, view="agencies", cities=["福州"])
    edge = view.graph.edges[BIG_DATA, "agency:福州市:各县（市）区政府"]
    # the 28 annotations of the 福州 plan naming both 市大数据委 and 各县（市）区政府 (lines 54-300);
    # 市大数据委 is named first (leads) in 15 of them
    assert (edge["kind"], edge["weight"]) == ("shared_lead", 28)
    assert "其中 15 项有一方牵头" in edge["tip"]
    assert {d["kind"] for _, d in view.graph.nodes(data=True)} == {"Agency"}


def test_overlap_view_links_fuzhou_and_xiamen_through_their_digital_authorities(graph):
    view = views.build_view(graph, view="overlap", cities=["福州", "厦门"])
    function = "function:digital_authority"
    assert sorted(view.graph.neighbors(function)) == ["region:厦门市", "region:福州市"]
    tip = dict((k, v) for k, v in view.graph.nodes[function]["tip"]["rows"])
    assert tip == {"厦门市": ["厦门市数字办（牵头 0，配合 2）"], "福州市": ["福州市大数据委（牵头 24，配合 16）"]}


def test_overlap_view_shows_a_topic_of_three_city_plans(graph):
    if not views.nodes_with(graph, "Topic"):
        pytest.skip("this graph has no Topic nodes")
    view = views.build_view(graph, view="overlap", cities=["福州", "泉州", "厦门"])
    topic = next(n for n, d in view.graph.nodes(data=True) if d["kind"] == "Topic" and d["name"] == "智慧教育")
    assert sorted(view.graph.neighbors(topic)) == ["region:厦门市", "region:泉州市", "region:福州市"]


def without_overlap_labels(graph):
    keep = [n for n in graph.nodes if views.label_of(graph, n) not in views.OVERLAP_LABELS + ("Target",)]
    return graph.subgraph(keep).copy()


def test_overlap_view_without_topics_shows_cities_and_shared_functions_and_says_so(graph):
    view = views.build_view(without_overlap_labels(graph), view="overlap")
    assert set(kinds(view)) == {"Region", "Function"}
    assert "图中没有 Topic/Indicator/Project/TaskFamily 节点，这些交集未显示" in view.remarks


def test_overlap_view_includes_a_task_family_spanning_two_cities(graph):
    g = without_overlap_labels(graph)
    fuzhou = next(n for n, d in g.nodes(data=True) if d.get("label") == "Task" and d["city"] == "福州市")
    xiamen = next(n for n, d in g.nodes(data=True) if d.get("label") == "Task" and d["city"] == "厦门市")
    g.add_node("family:0001", label="TaskFamily", id="family:0001", size=2, cities=["厦门市", "福州市"])
    g.add_edge(fuzhou, "family:0001", key="IN_FAMILY", type="IN_FAMILY")
    g.add_edge(xiamen, "family:0001", key="IN_FAMILY", type="IN_FAMILY")
    view = views.build_view(g, view="overlap")
    assert sorted(view.graph.neighbors("family:0001")) == ["region:厦门市", "region:福州市"]
    assert view.graph.nodes["family:0001"]["kind"] == "TaskFamily"


def test_topic_narrows_the_agencies_view_to_the_units_of_those_tasks(graph):
    if not views.nodes_with(graph, "Topic"):
        pytest.skip("this graph has no Topic nodes")
    view = views.build_view(graph, view="agencies", topic="智慧教育")
    names = {d["name"] for _, d in view.graph.nodes(data=True)}
    # 智慧教育 tasks are led by each city's education bureau (福州 line 236, 泉州 line 95, 厦门 line 366)
    assert {"福州市教育局", "泉州市教育局", "厦门市教育局"} <= names


def test_a_view_above_max_nodes_drops_sections_then_groups_tasks_and_says_so(graph):
    view = views.build_view(graph, view="city", max_nodes=300)
    assert view.graph.number_of_nodes() <= 300
    assert "Section" not in kinds(view) and "Task" not in kinds(view) and kinds(view)["TaskGroup"] > 0
    assert view.notes and "more than --max-nodes 300" in view.notes[0]


def test_a_tiny_limit_keeps_exactly_that_many_best_connected_nodes(graph):
    view = views.build_view(graph, view="agencies", max_nodes=10)
    assert view.graph.number_of_nodes() == 10
    assert "kept the 10 best-connected nodes" in view.notes[0]


@pytest.mark.parametrize("options, message", [
    ({"view": "unit"}, "--view unit needs --unit NAME"),
    ({"view": "city", "unit": "市大数据委"}, "--unit applies to the unit view only"),
    ({"view": "agencies", "depth": 2}, "--depth applies to the unit view only"),
])
def test_options_that_do_not_make_a_view_are_usage_errors(graph, options, message):
    with pytest.raises(views.ViewOptionError, match=re.escape(message)):
        views.build_view(graph, **options)


# --- the page --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pages(graph):
    return {
        "unit": html_export.view_page(graph, unit="市大数据委", cities=["福州"]).html,
        "city": html_export.view_page(graph, cities=["福州"]).html,
        "overlap": html_export.view_page(graph, view="overlap").html,
        "agencies": html_export.view_page(graph, view="agencies", cities=["福州"]).html,
    }


EXTERNAL = [
    re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<link\b", re.I),
    re.compile(r"<script[^>]*\bsrc\s*=", re.I),
]


@pytest.mark.parametrize("name", ["unit", "city", "overlap", "agencies"])
def test_page_references_nothing_outside_itself(pages, name):
    for pattern in EXTERNAL:
        assert not pattern.search(pages[name]), pattern.pattern


@pytest.mark.parametrize("name", ["unit", "city", "overlap", "agencies"])
def test_page_inlines_vis_network_with_its_licence_header(pages, name):
    assert "@license\n * vis.js is dual licensed" in pages[name]
    assert "sourceMappingURL" not in pages[name]


def test_page_data_has_one_node_per_view_node_with_fixed_positions(graph, pages):
    data = page_json(pages["unit"])
    assert len(data["nodes"]) == views.build_view(graph, unit="市大数据委", cities=["福州"]).graph.number_of_nodes()
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert "physics: false" in pages["unit"]


def test_lead_edges_are_solid_and_heavier_than_dashed_support_edges(pages):
    edges = page_json(pages["unit"])["edges"]
    lead = [e for e in edges if e["rg"]["kind"] == "lead"]
    support = [e for e in edges if e["rg"]["kind"] == "support"]
    assert lead and support
    assert all(e["dashes"] is False for e in lead) and all(e["dashes"] is True for e in support)
    assert min(e["width"] for e in lead) > max(e["width"] for e in support)


def test_page_has_legend_search_and_city_kind_topic_filters(pages):
    page = pages["overlap"]
    for element in ('id="rg-search"', 'id="rg-city"', 'class="rg-kind"', 'id="rg-legend"'):
        assert element in page
    assert '<option value="福州市">福州市</option>' in page


def test_same_view_gives_byte_identical_pages(graph, pages):
    again = html_export.view_page(graph, unit="市大数据委", cities=["福州"]).html
    assert again == pages["unit"]


def test_notebook_display_is_a_sandboxed_iframe_holding_the_escaped_page(graph):
    page = html_export.view_page(graph, view="agencies", cities=["厦门"])
    shown = page._repr_html_()
    assert shown.startswith('<iframe sandbox="allow-scripts"')
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in shown
    assert "<script" not in shown


# --- escaping: document text never becomes markup -------------------------------------------

def hostile_graph() -> nx.MultiDiGraph:
    """Two one-task plans whose task text, section and unit name carry markup."""
    g = nx.MultiDiGraph()
    for city, key, unit in (("测试市", "aaaaaaaaaaaa", IMG), ("对照市", "bbbbbbbbbbbb", "对照市数据局")):
        doc, task, section = f"doc:{key}", f"task:{key}:0001", f"sec:{key}:1"
        add_node(g, "Region", {"id": f"region:{city}", "name": city, "level": "city"})
        add_node(g, "Document", {"id": doc, "title": f"{city}{SCRIPT}行动计划", "region": city, "level": "city",
                                 "file": f"plans/{city}.txt", "task_count": 1})
        add_node(g, "Section", {"id": section, "doc": doc, "number": "一", "title": f"重点任务{SCRIPT}", "kind": "cn",
                                "level": 1, "line": 3})
        add_node(g, "Task", {"id": task, "doc": doc, "city": city, "ordinal": 1, "number": "1", "title": SCRIPT,
                             "text": f"建设平台{IMG}{SCRIPT}</script><!--", "section": section,
                             "file": f"plans/{city}.txt", "line_start": 5, "line_end": 5})
        for name, role, rank in ((unit, "lead", 1), (f"{city}工信局", "support", 2)):
            agency = f"agency:{city}:{name}"
            add_node(g, "Agency", {"id": agency, "name": name, "region": city, "kind": "government_department",
                                   "function": "digital_authority" if rank == 1 else "industry_it",
                                   "aliases": [name], "resolved": True})
            add_edge(g, agency, task, "RESPONSIBLE_FOR", role=role, rank=rank, tier=1, printed=name)
            add_edge(g, agency, f"region:{city}", "IN_REGION")
        add_edge(g, task, doc, "TASK_OF")
        add_edge(g, task, section, "IN_SECTION")
        add_edge(g, section, doc, "IN_DOCUMENT")
        add_edge(g, doc, f"region:{city}", "ISSUED_IN")
    return g


def hostile_pages() -> dict[str, str]:
    g = hostile_graph()
    return {
        "unit": html_export.view_page(g, unit=IMG).html,
        "city": html_export.view_page(g, cities=["测试"]).html,
        "overlap": html_export.view_page(g, view="overlap").html,
        "agencies": html_export.view_page(g, view="agencies").html,
    }


@pytest.mark.parametrize("name", ["unit", "city", "overlap", "agencies"])
def test_markup_in_document_text_is_escaped_in_the_page(name):
    page = hostile_pages()[name]
    assert SCRIPT not in page
    assert "<img" not in page
    assert "<!--" not in page.split('id="respgraph-data">', 1)[1].split("</script>", 1)[0]
    # the text survives, as text in the JSON data: every view shows the unit's name, all but
    # the overlap view (cities and functions) the task text
    shown = json.dumps(page_json(page), ensure_ascii=False)
    assert IMG in shown
    assert (SCRIPT in shown) == (name != "overlap")


def test_markup_in_a_unit_name_is_escaped_in_title_and_heading():
    page = hostile_pages()["unit"]
    escaped = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; · 职责网络"
    assert f"<title>{escaped}</title>" in page
    assert f"<h1>{escaped}</h1>" in page


def test_page_script_builds_hover_cards_as_text_never_as_html():
    script = (html_export.TEMPLATES / "page.js").read_text(encoding="utf-8")
    assert "textContent" in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


# --- the command -----------------------------------------------------------------------------

def test_html_command_writes_the_unit_page_under_exports(home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["html", "--unit", "市大数据委", "--city", "福州"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "exports" / "unit-福州市大数据委.html"
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert result.stderr.strip().endswith("→ exports/unit-福州市大数据委.html")


def test_html_command_gives_the_same_bytes_twice(home, tmp_path):
    outputs = []
    for name in ("a.html", "b.html"):
        result = CliRunner().invoke(cli, ["html", "--view", "city", "--city", "厦门", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_pages_and_exports_are_byte_identical_across_processes(graph, tmp_path):
    # set iteration order changes with PYTHONHASHSEED: nothing written may depend on it
    import os
    import subprocess
    import sys

    from respgraph.graph_build import snapshot

    snapshot.save(graph, tmp_path / "graph.json")
    outputs = {}
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "RESPGRAPH_HOME": str(tmp_path / "home")}
        for args in (["html", "--city", "厦门", "--view", "city"], ["html", "--view", "overlap"], ["export", "graphml"]):
            out = tmp_path / f"{args[-1]}-{seed}.out"
            command = [sys.executable, "-c", "from respgraph.cli import main; main()",
                       "--graph", str(tmp_path / "graph.json"), *args, *(["-o", str(out)] if args[0] == "html" else [str(out)])]
            subprocess.run(command, check=True, env=env, capture_output=True)
            outputs.setdefault(args[-1], set()).add(out.read_bytes())
    assert {name: len(found) for name, found in outputs.items()} == {"city": 1, "overlap": 1, "graphml": 1}


def test_html_command_to_stdout(home):
    result = CliRunner().invoke(cli, ["html", "--view", "agencies", "--city", "泉州", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


def test_html_command_says_on_stderr_when_it_reduces_a_large_view(home, tmp_path):
    result = CliRunner().invoke(cli, ["html", "--view", "city", "--max-nodes", "300", "-o", str(tmp_path / "all.html")])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("note: the city view has ")
    assert "more than --max-nodes 300: left out" in result.stderr


@pytest.mark.parametrize("args, code, message", [
    (["--view", "unit"], 2, "--view unit needs --unit NAME"),
    (["--unit", "不存在的单位"], 1, "no unit named '不存在的单位'"),
    (["--city", "上海"], 2, "no plan of '上海' in the graph; known: 厦门市, 泉州市, 福州市, 福建省"),
    (["--view", "agencies", "--topic", "不存在的主题"], 1, "no task is about '不存在的主题'"),
])
def test_html_command_errors_are_one_line(home, args, code, message):
    # catch_exceptions=False: an exception escaping the command fails the test (CliRunner would
    # otherwise keep it out of the output, and a "Traceback" check there could never fail).
    result = CliRunner().invoke(cli, ["html", *args], catch_exceptions=False)
    assert result.exit_code == code
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert message in result.stderr and "Usage:" not in result.stderr


def test_vis_network_comes_from_the_installed_pyvis_unchanged_but_for_line_ends_and_source_map():
    from importlib import resources

    from respgraph.exports.html import asset

    upstream = (resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js").read_bytes()
    assert hashlib.sha256(upstream).hexdigest() == "1f20f0736f32cb9bedf8f6383b25cfea2f839e1abe80d6e8040b4d5bea378c69"
    script = asset("vis-network.min.js")
    assert "sourceMappingURL" not in script and "\r" not in script
    assert script == upstream.decode("utf-8").replace("\r\n", "\n").split("\n//# sourceMappingURL")[0] + "\n"
    assert asset("vis-network.min.css").startswith("/**\n * vis-network 9.1.2 stylesheet")


def test_to_pyvis_gives_a_network_with_the_view_positions_and_escaped_titles(graph):
    from pyvis.network import Network

    from respgraph.exports.html import layout, to_pyvis

    view = views.build_view(graph, unit="市大数据委", cities=["福州"])
    network = to_pyvis(view)
    assert isinstance(network, Network)
    assert len(network.nodes) == view.graph.number_of_nodes() and len(network.edges) == view.graph.number_of_edges()
    positions = layout(view)
    first = network.nodes[0]
    assert (first["x"], first["y"]) == positions[first["id"]]
    assert all("<" not in node["title"] for node in network.nodes)
