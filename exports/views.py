"""Views of the responsibility graph for drawing: which nodes and edges one picture shows.

A view is plain data that knows nothing of the drawing library: a ``networkx.Graph`` whose nodes
carry

- ``kind``: the node label (Agency, Task, Section, Document, Region, Topic, ...) or a kind the
  view makes up (Function: an agency function shared across cities; TaskGroup: tasks aggregated
  when a view is too large);
- ``group``: what the colour says (the agency kind for agencies, else the kind);
- ``caption`` (the short label drawn), ``name`` (the full name), ``search`` (text the search box
  matches), ``cities`` and ``topics`` (what the page filters on; ``topics`` None = always shown),
  ``load`` (what the node size says) and ``tip`` (the hover card: title, rows, full text);

and whose edges carry ``kind`` (lead, support, structure, shared_lead, shared_support, overlap,
member) and ``weight``. ``exports.html`` draws a view; the tests count it.

Four views answer the analysts' questions: ``unit_view`` (who around a unit carries what),
``city_view`` (a city's whole plan), ``overlap_view`` (what cities share) and ``agencies_view``
(which units work together). ``build_view`` picks one from command-line style options and
``limit_view`` keeps a view under ``MAX_NODES`` so the page stays responsive.
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from respgraph.graph_build import schema
from respgraph.graph_build.snapshot import paused_gc
from respgraph.errors import UsageProblem, WorkFailed

VIEWS = ("unit", "city", "overlap", "agencies")

# Above this many nodes a page gets slow to draw and to hover (vis-network on a laptop, physics
# off): the view drops sections, then groups tasks, then keeps the best-connected nodes.
MAX_NODES = 1500

# Labels the overlap view shows when the graph has them (added by the overlap work; absent from
# older graphs, and the view then shows the shared agency functions only).
OVERLAP_LABELS = ("Topic", "Indicator", "Project", "TaskFamily")

# Structural labels the overlap view never walks through when it looks for a node's tasks.
HUB_LABELS = ("Agency", "Region", "Document", "Section", "Task")

ROLE_ZH = {"lead": "牵头", "support": "配合"}
CAPTION_MAX = 16


class NothingToDraw(LookupError, WorkFailed):
    """The view asked for holds nothing (no task of that topic or city): one line, exit code 1."""


class ViewOptionError(ValueError, UsageProblem):
    """Options that do not make a view (--view unit without --unit, ...): a usage error."""


@dataclass
class View:
    """One picture of the graph: what to draw, a heading, a file-name stem and any notes.

    ``notes`` say what was left out or aggregated (the CLI prints them on stderr and the page
    shows them in a banner); ``remarks`` explain the view (shown under the heading).
    """

    name: str
    title: str
    slug: str
    graph: nx.Graph
    notes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d["kind"] == kind)


# --- reading the graph -------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _label_of_prefix() -> dict[str, str]:
    """Node-id prefix → label, from schema.node_id (doc → Document, family → TaskFamily, ...)."""
    out = {}
    for label in schema.NODES:
        try:
            out[schema.node_id(label, "x").split(":", 1)[0]] = label
        except KeyError:
            continue
    return out


# The views read the adjacency dicts (graph._node, _succ, _pred) as queries/tasks.py does: the
# report views of networkx (graph.nodes[n], out_edges) cost more than the work itself when a
# view walks a 100k-task graph.

def label_of(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's schema label; from its id prefix when its ``label`` attribute is not a label."""
    return _label(node, graph._node[node].get("label"))


def _label(node: str, label) -> str:
    if label in schema.NODES:
        return label
    return _label_of_prefix().get(str(node).split(":", 1)[0], str(label or "Node"))


def node_labels(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Every node's schema label (as ``label_of`` says), in one pass."""
    return {node: _label(node, data.get("label")) for node, data in graph._node.items()}


def nodes_with(graph: nx.MultiDiGraph, label: str) -> list[str]:
    return sorted(n for n, data in graph._node.items() if _label(n, data.get("label")) == label)


def nodes_by_label(labels: dict[str, str]) -> dict[str, list[str]]:
    """Label → its nodes (in no particular order), from ``node_labels``."""
    out: dict[str, list[str]] = defaultdict(list)
    for node, label in labels.items():
        out[label].append(node)
    return out


def city_matches(stored: str, wanted: str | None) -> bool:
    """True when a stored region name (福州市) is the city asked for (福州 or 福州市)."""
    from respgraph.queries.tasks import city_matches as matches

    return matches(stored, wanted)


def wanted_city(stored: str, cities: tuple[str, ...]) -> bool:
    return not cities or any(city_matches(stored, c) for c in cities)


def edges_of(graph: nx.MultiDiGraph, node: str, type_: str, out: bool = True) -> list[tuple[str, str, dict]]:
    """A node's edges of one type, (source, target, data), by the other end's id (parallel
    edges in the order they were added)."""
    adjacency = graph._succ[node] if out else graph._pred[node]
    found = []
    for other in sorted(adjacency):
        for data in adjacency[other].values():
            if data.get("type") == type_:
                found.append((node, other, data) if out else (other, node, data))
    return found


def roles_of_agency(graph: nx.MultiDiGraph, agency: str) -> dict[str, str]:
    """Task → the agency's strongest role on it (a unit named twice counts once, as lead if ever)."""
    roles: dict[str, str] = {}
    for _, task, data in edges_of(graph, agency, "RESPONSIBLE_FOR"):
        if roles.get(task) != "lead":
            roles[task] = data.get("role", "support")
    return roles


def roles_on_task(graph: nx.MultiDiGraph, task: str) -> dict[str, str]:
    """Agency → its strongest role on a task."""
    roles: dict[str, str] = {}
    for agency, _, data in edges_of(graph, task, "RESPONSIBLE_FOR", out=False):
        if roles.get(agency) != "lead":
            roles[agency] = data.get("role", "support")
    return roles


def parent_section(graph: nx.MultiDiGraph, section: str) -> str:
    return next((t for _, t, _ in edges_of(graph, section, "SUBSECTION_OF")), "")


def grouping_section(graph: nx.MultiDiGraph, task: str) -> str:
    """The section a task is listed under.

    A numbered task that is itself a heading has an outline entry of its own with the same
    title (福州 plan line 52: "#### 1. 建设全光万兆之城" is both); the section that groups such
    tasks is that entry's parent (（一）实施网络传输提速行动).
    """
    data = graph.nodes[task]
    section = data.get("section", "")
    while section and section in graph and graph.nodes[section].get("title") == data.get("title"):
        parent = parent_section(graph, section)
        if not parent:
            break
        section = parent
    return section if section in graph else ""


def section_chain(graph: nx.MultiDiGraph, section: str) -> list[str]:
    """The section and its ancestors, top-level first."""
    chain = []
    while section:
        chain.append(section)
        section = parent_section(graph, section)
    return list(reversed(chain))


def section_heading(data: dict) -> str:
    number, title = data.get("number", ""), data.get("title", "")
    if not number:
        return title
    sep = {"cn": "、", "arabic": ". "}.get(data.get("kind", ""), "" if number.endswith(("）", ")")) else " ")
    return f"{number}{sep}{title}"


def strong_topic_edges(graph: nx.MultiDiGraph, task: str) -> list[str]:
    """Topics a task is about; weak tags (a listed domain, not the task's subject) are left out."""
    topics = []
    for _, target, data in graph.out_edges(task, data=True):
        if label_of(graph, target) == "Topic" and data.get("strength") != "weak":
            topics.append(graph.nodes[target].get("name", target))
    return sorted(set(topics))


def describe(data: dict) -> str:
    """One line for a node of any label: its name, title or text, plus value and year if it has them."""
    for key in ("name", "printed", "title", "text", "metric"):
        value = data.get(key)
        if isinstance(value, str) and value:
            text = value
            break
    else:
        text = str(data.get("label") if data.get("label") not in schema.NODES else "") or str(data.get("id", ""))
    if data.get("year"):
        text += f"（{data['year']}）"
    return text


def clip(text: str, limit: int = CAPTION_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.lru_cache(maxsize=None)
def function_labels() -> dict[str, str]:
    """Agency function code → its Chinese label (data/agency_functions.csv)."""
    from respgraph.graph_build.curated import load_csv

    return {row["function"]: row["label_zh"] for row in load_csv("agency_functions.csv")}


AGENCY_KIND_ZH = {
    "government_department": "政府部门", "district_governments": "县区政府（集合）",
    "departments_collective": "有关部门（集合）", "local_governments": "市、省政府", "zone_committee": "园区管委会",
    "public_institution": "事业单位", "operator": "网络运营商", "state_owned_enterprise": "国有企业",
    "enterprise": "企业", "central_branch": "垂直管理机构",
}


def topic_tasks(graph: nx.MultiDiGraph, topic: str | None) -> set[str] | None:
    """Tasks about a topic: tasks tagged with the Topic of that name when the graph has topics,
    else tasks whose title or text contains it. None when no topic is asked for."""
    if not topic:
        return None
    wanted = topic.strip()
    topic_nodes = [n for n in nodes_with(graph, "Topic") if graph.nodes[n].get("name") == wanted]
    if topic_nodes:
        tasks = {t for n in topic_nodes for t, _, d in graph.in_edges(n, data=True)
                 if label_of(graph, t) == "Task" and d.get("strength") != "weak"}
    else:
        folded = wanted.casefold()
        tasks = {t for t in nodes_with(graph, "Task")
                 if folded in (graph.nodes[t].get("title", "") + graph.nodes[t].get("text", "")).casefold()}
    if not tasks:
        raise NothingToDraw(f"no task is about '{topic}'; try another --topic (see 'respgraph overlap')")
    return tasks


# --- node and edge records ---------------------------------------------------------------------

def agency_record(graph: nx.MultiDiGraph, agency: str, scope: set[str] | None) -> dict:
    data = graph.nodes[agency]
    roles = {t: r for t, r in roles_of_agency(graph, agency).items() if scope is None or t in scope}
    lead = sum(1 for r in roles.values() if r == "lead")
    function = data.get("function", "")
    rows = [["地区", data.get("region", "")], ["类型", AGENCY_KIND_ZH.get(data.get("kind", ""), data.get("kind", ""))],
            ["职能", function_labels().get(function, function)],
            ["任务", f"牵头 {lead} 项，配合 {len(roles) - lead} 项"]]
    aliases = [a for a in data.get("aliases", []) if a != data.get("name")]
    if aliases:
        rows.append(["原文写法", aliases])
    return {"kind": "Agency", "group": data.get("kind") or "Agency", "caption": clip(data.get("name", agency), 18),
            "name": data.get("name", agency), "search": " ".join([data.get("name", ""), *aliases]),
            "cities": [data.get("region", "")] if data.get("region") else [], "topics": [],
            "load": len(roles), "tip": {"title": data.get("name", agency), "rows": rows, "text": ""}}


def task_record(graph: nx.MultiDiGraph, task: str) -> dict:
    from respgraph.queries.tasks import section_path, units_of_task

    data = graph.nodes[task]
    heading = " ".join(p for p in (data.get("number", ""), data.get("title", "")) if p)
    units = units_of_task(graph, task)
    doc = graph.nodes[data["doc"]] if data.get("doc") in graph else {}
    rows = [["文件", doc.get("title", "")]]
    if data.get("section") in graph:
        rows.append(["章节", " › ".join(section_path(graph, data["section"]))])
    for role in ("lead", "support"):
        names = [u["canonical"] + (f"（原文：{u['name']}）" if u["name"] != u["canonical"] else "")
                 for u in units if u["role"] == role]
        if names:
            rows.append([f"{ROLE_ZH[role]}单位", names])
    targets = sorted(describe(graph.nodes[t]) for _, t in graph.out_edges(task) if label_of(graph, t) == "Target")
    if targets:
        rows.append(["目标", targets])
    if data.get("deadline"):
        rows.append(["期限", data["deadline"]])
    topics = strong_topic_edges(graph, task)
    if topics:
        rows.append(["主题", "、".join(topics)])
    lines = f"{data.get('line_start', '')}" + (f"–{data['line_end']}" if data.get("line_end", 0) > data.get("line_start", 0) else "")
    place = data.get("place")  # a workbook's task: file#sheet!row
    rows.append(["出处", f"{data.get('file', '')}#{place}" if place else f"{data.get('file', '')}:{lines}"])
    return {"kind": "Task", "group": "Task", "caption": clip(heading or data.get("text", task)),
            "name": heading, "search": " ".join([heading, data.get("text", "")]),
            "cities": [data.get("city", "")] if data.get("city") else [], "topics": topics,
            "load": len({u["agency_id"] for u in units}), "tip": {"title": heading, "rows": rows, "text": data.get("text", "")}}


def section_record(graph: nx.MultiDiGraph, section: str, load: int) -> dict:
    data = graph.nodes[section]
    doc = graph.nodes[data["doc"]] if data.get("doc") in graph else {}
    path = [section_heading(graph.nodes[s]) for s in section_chain(graph, section)]
    heading = section_heading(data)
    file = doc.get("file", "")
    rows = [["文件", doc.get("title", "")], ["章节", " › ".join(path)], ["任务", f"{load} 项"],
            ["出处", f"{file}:{data.get('line', '')}"]]
    return {"kind": "Section", "group": "Section", "caption": clip(heading, 14), "name": heading, "search": heading,
            "cities": [doc.get("region", "")] if doc.get("region") else [], "topics": [], "load": load,
            "tip": {"title": heading, "rows": rows, "text": ""}}


def document_record(graph: nx.MultiDiGraph, doc: str) -> dict:
    data = graph.nodes[doc]
    rows = [[key, data.get(prop, "")] for key, prop in (("发文机关", "issuer"), ("文号", "number"), ("日期", "date"),
                                                        ("期限", "period"), ("文件", "file"))] + [["任务", f"{data.get('task_count', 0)} 项"]]
    return {"kind": "Document", "group": "Document", "caption": clip(data.get("title", doc), 20),
            "name": data.get("title", doc), "search": data.get("title", ""),
            "cities": [data.get("region", "")] if data.get("region") else [], "topics": None,
            "load": data.get("task_count", 0), "tip": {"title": data.get("title", doc), "rows": [r for r in rows if r[1]], "text": ""}}


def region_record(graph: nx.MultiDiGraph, region: str, load: int, rows: list | None = None) -> dict:
    name = graph.nodes[region].get("name", region) if region in graph else region.split(":", 1)[-1]
    return {"kind": "Region", "group": "Region", "caption": name, "name": name, "search": name, "cities": [name],
            "topics": None, "load": load, "tip": {"title": name, "rows": rows or [["任务", f"{load} 项"]], "text": ""}}


def generic_record(graph: nx.MultiDiGraph, node: str, cities: list[str], load: int, rows: list) -> dict:
    label = label_of(graph, node)
    data = graph.nodes[node]
    text = describe(data)
    own = [[key, value if not isinstance(value, list) else "、".join(map(str, value))]
           for key, value in sorted(data.items())
           if key not in ("label", "id") and value not in ("", [], 0, 0.0, False, None) and not isinstance(value, dict)]
    return {"kind": label, "group": label, "caption": clip(text), "name": text, "search": text, "cities": sorted(cities),
            "topics": [text] if label == "Topic" else [], "load": load,
            "tip": {"title": text, "rows": rows + own, "text": ""}}


def add_edge(view: nx.Graph, a: str, b: str, kind: str, weight: float = 1, tip: str = "") -> None:
    if view.has_edge(a, b):
        current = view.edges[a, b]
        # one drawn edge per pair: the stronger kind wins (lead over support over structure)
        order = ["lead", "shared_lead", "support", "shared_support", "overlap", "member", "structure"]
        if order.index(kind) < order.index(current["kind"]):
            current.update(kind=kind, weight=weight, tip=tip or current["tip"])
        return
    view.add_edge(a, b, kind=kind, weight=weight, tip=tip)


def ordered(view: nx.Graph, nodes=None) -> nx.Graph:
    """A copy (of the part on ``nodes``, when given) with nodes and edges in sorted order, so
    layout and output never depend on build order."""
    keep = None if nodes is None else set(nodes)
    out = nx.Graph()
    for node in sorted(view.nodes if keep is None else keep):
        out.add_node(node, **view.nodes[node])
    edges = ((min(a, b), max(a, b), d) for a, b, d in view.edges(keep, data=True)
             if keep is None or (a in keep and b in keep))
    for a, b, data in sorted(edges, key=lambda e: (e[0], e[1])):
        out.add_edge(a, b, **data)
    return out


def slug(*parts: str) -> str:
    """A file-name stem: the parts joined with '-', characters unsafe in file names replaced by '_'.

    Chinese names are kept (exports/unit-福州市大数据委.html): every current file system and
    browser handles them, and the name then says what the page shows.
    """
    text = "-".join(p for p in parts if p)
    text = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", text)
    return text.strip("._") or "graph"


def topic_note(topic: str | None, tasks: set[str] | None) -> list[str]:
    return [f"只含主题/关键词「{topic}」的 {len(tasks)} 项任务"] if topic and tasks is not None else []


def view_cities(graph: nx.MultiDiGraph, cities: tuple[str, ...], documents: list[str] | None = None) -> list[str]:
    """The region names the --city options mean, checked against the graph's documents (all
    its Document nodes, or ``documents``)."""
    documents = nodes_with(graph, "Document") if documents is None else documents
    regions = sorted({graph._node[d].get("region", "") for d in documents} - {""})
    chosen = [r for r in regions if wanted_city(r, cities)]
    for city in cities:
        if not any(city_matches(r, city) for r in regions):
            raise NothingToDraw(f"no plan of '{city}' in the graph; see 'respgraph docs' for the regions known")
    return chosen


# --- the four views ----------------------------------------------------------------------------

def unit_view(graph: nx.MultiDiGraph, unit: str, city: str | None = None, depth: int = 1,
              topic: str | None = None) -> View:
    """A unit's neighbourhood: its tasks, their sections and the units that share them.

    At depth 1 the view holds the unit, every task it leads or supports, the section each task is
    listed under and every other unit responsible for one of those tasks; each further level adds
    the tasks of the units found so far (and their sections and units).

    Examples
    --------
    >>> view = unit_view(graph, "市大数据委", city="福州")      # doctest: +SKIP
    >>> view.count("Task")                                    # doctest: +SKIP
    40
    """
    from respgraph.queries.duties import resolve_agency

    if depth < 1:
        raise ViewOptionError("--depth must be 1 or more")
    agency = resolve_agency(graph, unit, city)
    scope = topic_tasks(graph, topic)
    agencies, tasks, frontier = {agency}, set(), {agency}
    for _ in range(depth):
        found = {t for a in sorted(frontier) for t in roles_of_agency(graph, a) if scope is None or t in scope} - tasks
        tasks |= found
        frontier = {a for t in found for a in roles_on_task(graph, t)} - agencies
        agencies |= frontier
    if not tasks:
        about = f" about '{topic}'" if topic else ""
        raise NothingToDraw(f"{graph.nodes[agency]['name']} has no task{about}; nothing to draw")
    view = nx.Graph()
    for a in agencies:
        view.add_node(a, **agency_record(graph, a, scope))
    view.nodes[agency]["center"] = True
    sections: dict[str, int] = defaultdict(int)
    for t in tasks:
        view.add_node(t, **task_record(graph, t))
        section = grouping_section(graph, t)
        if section:
            sections[section] += 1
            add_edge(view, t, section, "structure")
        for a, role in roles_on_task(graph, t).items():
            if a in agencies:
                add_edge(view, a, t, role, tip=f"{graph.nodes[a]['name']} {ROLE_ZH.get(role, role)}")
    for section, count in sections.items():
        view.add_node(section, **section_record(graph, section, count))
    _spread_topics(view)
    name = graph.nodes[agency]["name"]
    lead = sum(1 for r in roles_of_agency(graph, agency).values() if r == "lead")
    remarks = [f"{name}：牵头 {lead} 项、配合 {len(roles_of_agency(graph, agency)) - lead} 项任务；"
               f"视图含 {len(tasks)} 项任务、{len(agencies)} 个单位、{len(sections)} 个章节（{depth} 层）", *topic_note(topic, scope)]
    return View("unit", f"{name} · 职责网络", slug("unit", name, f"depth{depth}" if depth > 1 else "",
                                                   f"topic-{topic}" if topic else ""), ordered(view), remarks=remarks)


def city_view(graph: nx.MultiDiGraph, cities: tuple[str, ...] = (), topic: str | None = None) -> View:
    """A city's whole plan (or several cities' plans): region, documents, outline, tasks, units.

    The outline keeps the sections that hold a task; a task hangs under the section that lists it
    (see ``grouping_section``), and every unit responsible for a task is linked to it.
    """
    regions = view_cities(graph, cities)
    scope = topic_tasks(graph, topic)
    docs = [d for d in nodes_with(graph, "Document") if graph.nodes[d].get("region") in regions]
    view = nx.Graph()
    task_count: dict[str, int] = defaultdict(int)
    tasks = [t for d in docs for t, _, _ in edges_of(graph, d, "TASK_OF", out=False) if scope is None or t in scope]
    for t in tasks:
        view.add_node(t, **task_record(graph, t))
        chain = section_chain(graph, grouping_section(graph, t))
        for s in chain:
            task_count[s] += 1
        add_edge(view, t, chain[-1] if chain else graph.nodes[t]["doc"], "structure")
        for a, role in roles_on_task(graph, t).items():
            if a not in view:
                view.add_node(a, **agency_record(graph, a, scope))
            add_edge(view, a, t, role, tip=f"{graph.nodes[a]['name']} {ROLE_ZH.get(role, role)}")
    for s, count in task_count.items():
        view.add_node(s, **section_record(graph, s, count))
        parent = parent_section(graph, s)
        add_edge(view, s, parent or graph.nodes[s]["doc"], "structure")
    used_docs = sorted({graph.nodes[t]["doc"] for t in tasks})
    for d in used_docs:
        view.add_node(d, **document_record(graph, d))
        region = schema.node_id("Region", graph.nodes[d]["region"])
        if region in graph:
            if region not in view:
                view.add_node(region, **region_record(graph, region, sum(
                    1 for t in tasks if graph.nodes[t]["city"] == graph.nodes[d]["region"])))
            add_edge(view, region, d, "structure")
    if not tasks:
        raise NothingToDraw(f"no task of {'、'.join(regions) or 'any city'} matches; nothing to draw")
    _spread_topics(view)
    named = "、".join(regions) if cities else "全部地区"
    remarks = [f"{named}：{len(used_docs)} 份文件、{len(tasks)} 项任务、{view_count(view, 'Agency')} 个单位、"
               f"{len(task_count)} 个章节", *topic_note(topic, scope)]
    return View("city", f"{named} · 规划全景", slug("city", "+".join(regions) if cities else "all",
                                                     f"topic-{topic}" if topic else ""), ordered(view), remarks=remarks)


def view_count(view: nx.Graph, kind: str) -> int:
    return sum(1 for _, d in view.nodes(data=True) if d["kind"] == kind)


class _LabelsOf(dict):
    """Node → schema label, looked up as they are asked for (``node_labels`` for a few nodes)."""

    def __init__(self, graph: nx.MultiDiGraph):
        super().__init__()
        self.graph = graph

    def __missing__(self, node: str) -> str:
        label = self[node] = label_of(self.graph, node)
        return label


def _overlap_items(graph: nx.MultiDiGraph, node: str, scope: set[str] | None,
                   labels: dict[str, str] | None = None) -> dict[str, set[str]]:
    """City → the tasks (or, failing those, the nodes) by which an overlap node reaches that city.

    Walks at most two steps and never through a structural hub: Topic ← Task, Project ← Task,
    TaskFamily ← Task, Indicator ← Target ← Task (or a Target's own ``city``). ``labels`` is
    ``node_labels(graph)`` when the caller has it. (The overlap view calls this for every topic,
    indicator and task family: 600,000 edges at 3,000 plans, so the loops are written out; they
    walk in and out edges in adjacency order, which the result, sets, does not depend on.)
    """
    nodes = graph._node
    labels = labels if labels is not None else _LabelsOf(graph)
    per_city: dict[str, set[str]] = defaultdict(set)

    def take_tasks(of: str) -> bool:
        """Add the tasks next to ``of`` (by an edge that is not weak); whether it has any."""
        found = False
        for adjacency in (graph._pred[of], graph._succ[of]):
            for other, keyed in adjacency.items():
                if labels[other] != "Task":
                    continue
                found = True
                if scope is not None and other not in scope:
                    continue
                for data in keyed.values():
                    if data.get("strength") != "weak":
                        city = nodes[other].get("city", "")
                        if city:
                            per_city[city].add(other)
                        break
        return found

    take_tasks(node)
    for adjacency in (graph._pred[node], graph._succ[node]):
        for other in adjacency:
            kind = labels[other]
            if kind != "Task" and kind not in HUB_LABELS and kind not in OVERLAP_LABELS:
                reached = take_tasks(other)
                city = nodes[other].get("city", "")
                if not reached and city and scope is None:
                    per_city[city].add(other)
    return per_city


def overlap_view(graph: nx.MultiDiGraph, cities: tuple[str, ...] = (), topic: str | None = None,
                 max_nodes: int | None = None) -> View:
    """What cities share: the cities, the agency functions every one of them has a unit for, and
    (when the graph has them) the topics, indicators, projects and task families of several cities.

    A node is shown when at least two of the chosen cities reach it (one, when one city is
    chosen); each city–node edge is weighted by the number of that city's tasks behind it.

    With ``max_nodes``, a view above it keeps its best-connected nodes as ``limit_view`` would
    (and says so in its notes), but the nodes left out are never drawn up: of the 23,000 task
    families of a 3,000-plan graph, 1,500 get a hover card.
    """
    node_label = node_labels(graph)
    by_label = nodes_by_label(node_label)
    regions = view_cities(graph, cities, by_label.get("Document", []))
    scope = topic_tasks(graph, topic)
    needed = min(2, len(regions))
    chosen = set(regions)
    city_tasks: dict[str, set[str]] = defaultdict(set)
    # agency functions: city → function → unit → (lead, support)
    per_function: dict[str, dict[str, dict[str, list[int]]]] = defaultdict(lambda: defaultdict(dict))
    for agency in sorted(by_label.get("Agency", [])):
        data = graph._node[agency]
        if data.get("region") not in chosen or not data.get("function"):
            continue
        # the tasks the unit is responsible for, and those it leads (as roles_of_agency, without
        # the order, which counts and sets do not need: 400,000 edges at 3,000 plans)
        tasks, led = set(), set()
        for task, keyed in graph._succ[agency].items():
            if scope is not None and task not in scope:
                continue
            for edge in keyed.values():
                if edge.get("type") == "RESPONSIBLE_FOR":
                    tasks.add(task)
                    if edge.get("role", "support") == "lead":
                        led.add(task)
        if tasks:
            per_function[data["function"]][data["region"]][data["name"]] = [len(led), len(tasks) - len(led)]
            city_tasks[data["region"]] |= tasks
    functions = {f"function:{function}": (function, by_city) for function, by_city in sorted(per_function.items())
                 if len(by_city) >= needed}
    present = []
    shared: dict[str, dict[str, set[str]]] = {}   # overlap node → city → the tasks (or nodes) behind it
    for label in OVERLAP_LABELS:
        nodes = sorted(by_label.get(label, []))
        if nodes:
            present.append(label)
        for item in nodes:
            per_city = {c: items for c, items in _overlap_items(graph, item, scope, node_label).items() if c in chosen}
            if len(per_city) < needed:
                continue
            shared[item] = per_city
            for city, items in per_city.items():
                city_tasks[city] |= {t for t in items if node_label[t] == "Task"}
    # Every node's cities, which are its edges: enough to count the view and to limit it.
    linked = {node: sorted(by_city) for node, (_, by_city) in functions.items()}
    linked.update((item, sorted(per_city)) for item, per_city in shared.items())
    region_of = {city: schema.node_id("Region", city) for city in chosen}
    region_degree: dict[str, int] = defaultdict(int)
    for node_cities in linked.values():
        for city in node_cities:
            region_degree[region_of[city]] += 1
    if not linked:
        raise NothingToDraw(f"{'、'.join(regions)} share nothing to draw (no agency function or topic in two cities)")
    absent = [label for label in OVERLAP_LABELS if label not in present]
    counted = defaultdict(int)
    for item in shared:
        counted[node_label[item]] += 1
    remarks = [f"{'、'.join(regions)}：{len(functions)} 个共有的单位职能"
               + "".join(f"、{counted[label]} 个{KIND_ZH[label]}" for label in present)]
    if absent:
        remarks.append("图中没有 " + "/".join(absent) + " 节点，这些交集未显示")
    remarks += topic_note(topic, scope)
    notes = []
    keep = None
    degree = {node: len(node_cities) for node, node_cities in linked.items()} | region_degree
    if max_nodes is not None and len(degree) > max_nodes:
        keep = set(best_connected(degree, max_nodes))
        notes.append(limit_note("overlap", len(degree), max_nodes, [kept_step(max_nodes, len(degree) - len(keep))]))
    view = nx.Graph()
    labels = function_labels()
    for node, (function, by_city) in functions.items():
        if keep is not None and node not in keep:
            continue
        label = labels.get(function, function)
        rows = [[city, [f"{unit}（牵头 {lead}，配合 {support}）" for unit, (lead, support) in sorted(units.items())]]
                for city, units in sorted(by_city.items())]
        total = sum(sum(v) for units in by_city.values() for v in units.values())
        # the search text names each unit once (a name such as 各县（市、区）人民政府 recurs in every city)
        unit_names = dict.fromkeys(u for units in by_city.values() for u in units)
        view.add_node(node, kind="Function", group="Function", caption=clip(label, 14), name=label,
                      search=" ".join([label, function, *unit_names]),
                      cities=sorted(by_city), topics=[], load=total,
                      tip={"title": f"职能：{label}", "rows": rows, "text": ""})
        for city, units in sorted(by_city.items()):
            count = sum(sum(v) for v in units.values())
            region = schema.node_id("Region", city)
            if keep is None or region in keep:
                add_edge(view, region, node, "overlap", weight=count,
                         tip=f"{city} · {label}：{'、'.join(sorted(units))}（{count} 项任务）")
    for item, per_city in shared.items():
        if keep is not None and item not in keep:
            continue
        rows = [[city, [describe(graph._node[t]) for t in sorted(items)]] for city, items in sorted(per_city.items())]
        view.add_node(item, **generic_record(graph, item, sorted(per_city), sum(map(len, per_city.values())), rows))
        for city, items in sorted(per_city.items()):
            region = schema.node_id("Region", city)
            if keep is None or region in keep:
                add_edge(view, region, item, "overlap", weight=len(items),
                         tip=f"{city} · {describe(graph._node[item])}：{len(items)} 项")
    for region in sorted(region_degree):
        if keep is None or region in keep:
            name = region.split(":", 1)[1]
            view.add_node(region, **region_record(graph, region, len(city_tasks[name])))
    _spread_topics(view)
    return View("overlap", f"城市交集：{'、'.join(regions)}", slug("overlap", "+".join(regions) if cities else "all",
                                                                 f"topic-{topic}" if topic else ""),
                ordered(view), notes=notes, remarks=remarks)


KIND_ZH = {"Agency": "单位", "Task": "任务", "Section": "章节", "Document": "文件", "Region": "地区",
           "Function": "职能", "Topic": "主题", "Indicator": "指标", "Project": "项目", "TaskFamily": "任务族",
           "Target": "目标", "TaskGroup": "任务组"}


def agencies_view(graph: nx.MultiDiGraph, cities: tuple[str, ...] = (), topic: str | None = None) -> View:
    """The co-responsibility network: units linked by the number of tasks they share.

    An edge is solid when one of the two leads at least one of the shared tasks, dashed when they
    only support together.
    """
    regions = view_cities(graph, cities)
    scope = topic_tasks(graph, topic)
    view = nx.Graph()
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    lead_pairs: dict[tuple[str, str], int] = defaultdict(int)
    for task in nodes_with(graph, "Task"):
        if graph.nodes[task].get("city") not in regions or (scope is not None and task not in scope):
            continue
        roles = roles_on_task(graph, task)
        units = sorted(roles)
        for a in units:
            if a not in view:
                view.add_node(a, **agency_record(graph, a, scope))
        for i, a in enumerate(units):
            for b in units[i + 1:]:
                pairs[(a, b)].append(task)
                if "lead" in (roles[a], roles[b]):
                    lead_pairs[(a, b)] += 1
    for (a, b), shared in sorted(pairs.items()):
        titles = [graph.nodes[t].get("title") or graph.nodes[t].get("number", t) for t in shared]
        tip = (f"{graph.nodes[a]['name']} — {graph.nodes[b]['name']}：共同负责 {len(shared)} 项任务"
               f"（其中 {lead_pairs[(a, b)]} 项有一方牵头）：" + "、".join(titles[:12]) + ("…" if len(titles) > 12 else ""))
        add_edge(view, a, b, "shared_lead" if lead_pairs[(a, b)] else "shared_support", weight=len(shared), tip=tip)
    if view.number_of_nodes() == 0:
        raise NothingToDraw(f"no responsible unit in {'、'.join(regions) or 'the graph'}; nothing to draw")
    _spread_topics(view)
    named = "、".join(regions) if cities else "全部地区"
    remarks = [f"{named}：{view.number_of_nodes()} 个单位，{view.number_of_edges()} 对单位共同负责任务；线宽 = 共同任务数",
               *topic_note(topic, scope)]
    return View("agencies", f"{named} · 单位协同网络", slug("agencies", "+".join(regions) if cities else "all",
                                                           f"topic-{topic}" if topic else ""), ordered(view), remarks=remarks)


def _spread_topics(view: nx.Graph) -> None:
    """Give agencies and sections the topics of their tasks in the view, for the topic filter."""
    for node, data in view.nodes(data=True):
        if data["kind"] in ("Agency", "Section"):
            data["topics"] = sorted({t for other in view.neighbors(node) if view.nodes[other]["kind"] == "Task"
                                     for t in view.nodes[other]["topics"]})


# --- choosing and limiting ---------------------------------------------------------------------

def build_view(graph: nx.MultiDiGraph, view: str | None = None, unit: str | None = None,
               cities: tuple[str, ...] | list[str] = (), topic: str | None = None, depth: int = 1,
               max_nodes: int = MAX_NODES) -> View:
    """The view the options ask for, limited to ``max_nodes``.

    With no ``view``: the unit view when a unit is named, the city view when cities are, else the
    overlap view. Raises ViewOptionError for options that do not fit together, LookupError for a
    unit, city or topic the graph does not have.
    """
    cities = tuple(c for c in cities if c)
    view = view or ("unit" if unit else "city" if cities else "overlap")
    if view not in VIEWS:
        raise ViewOptionError(f"unknown view '{view}'; choose one of {', '.join(VIEWS)}")
    if view == "unit":
        if not unit:
            raise ViewOptionError("--view unit needs --unit NAME")
        if len(cities) > 1:
            raise ViewOptionError("--view unit takes at most one --city (to tell units of the same name apart)")
    else:
        if unit:
            raise ViewOptionError(f"--unit applies to the unit view only, not --view {view}")
        if depth != 1:
            raise ViewOptionError(f"--depth applies to the unit view only, not --view {view}")
    # A view of a large graph allocates a container or two per node it walks; each pass of the
    # cyclic garbage collector would walk the whole graph (a quarter of the overlap view's time
    # at 3,000 plans), and none of it is cyclic garbage.
    with paused_gc():
        if view == "unit":
            built = unit_view(graph, unit, cities[0] if cities else None, depth, topic)
        elif view == "overlap":
            built = overlap_view(graph, cities, topic, max_nodes=max_nodes)
        else:
            built = {"city": city_view, "agencies": agencies_view}[view](graph, cities, topic)
        return limit_view(built, graph, max_nodes)


def limit_view(view: View, graph: nx.MultiDiGraph, max_nodes: int = MAX_NODES) -> View:
    """Keep a view at most ``max_nodes`` nodes, saying in ``view.notes`` what was done.

    In turn, while the view is too large: leave the sections out (tasks hang from their
    document); group the tasks of each top-level section into one node; keep the best-connected
    nodes (by degree, then id).
    """
    start = view.graph.number_of_nodes()
    if start <= max_nodes:
        return view
    g = view.graph
    steps = []
    sections = [n for n, d in g.nodes(data=True) if d["kind"] == "Section"]
    if sections:
        for task in [n for n, d in g.nodes(data=True) if d["kind"] == "Task"]:
            doc = graph.nodes[task].get("doc", "")
            if doc in g:
                add_edge(g, task, doc, "structure")
        g.remove_nodes_from(sections)
        steps.append(f"left out {len(sections)} sections ({g.number_of_nodes()} nodes remain)")
    if g.number_of_nodes() > max_nodes and any(d["kind"] == "Task" for _, d in g.nodes(data=True)):
        _group_tasks(view, graph)
        steps.append(f"grouped the tasks of each top-level section into one node ({g.number_of_nodes()} nodes remain)")
    if g.number_of_nodes() > max_nodes:
        keep = best_connected(dict(g.degree), max_nodes)
        steps.append(kept_step(max_nodes, g.number_of_nodes() - len(keep)))
        view.graph = g = g.subgraph(keep).copy()
    view.notes.append(limit_note(view.name, start, max_nodes, steps))
    view.graph = ordered(view.graph)
    return view


def best_connected(degree: dict[str, int], max_nodes: int) -> list[str]:
    """The ``max_nodes`` nodes of highest degree (ties: lowest id)."""
    return sorted(degree, key=lambda n: (-degree[n], n))[:max_nodes]


def kept_step(max_nodes: int, left_out: int) -> str:
    return f"kept the {max_nodes} best-connected nodes and left out {left_out}"


def limit_note(view_name: str, start: int, max_nodes: int, steps: list[str]) -> str:
    return (f"the {view_name} view has {start} nodes, more than --max-nodes {max_nodes}: " + "; ".join(steps)
            + ". Narrow it with --city, --unit or --topic, or raise --max-nodes.")


def _group_tasks(view: View, graph: nx.MultiDiGraph) -> None:
    """Replace the tasks of a view by one node per document and top-level section."""
    g = view.graph
    groups: dict[str, list[str]] = defaultdict(list)
    for task in sorted(n for n, d in g.nodes(data=True) if d["kind"] == "Task"):
        chain = section_chain(graph, grouping_section(graph, task))
        groups[chain[0] if chain else graph.nodes[task].get("doc", task)].append(task)
    for key, tasks in sorted(groups.items()):
        node = f"group:{key}"
        top = graph.nodes[key] if key in graph else {}
        heading = section_heading(top) if label_of(graph, key) == "Section" else describe(top)
        cities = sorted({c for t in tasks for c in g.nodes[t]["cities"]})
        topics = sorted({x for t in tasks for x in g.nodes[t]["topics"]})
        links: dict[str, list] = {}
        for task in tasks:
            for other in g.neighbors(task):
                if g.nodes[other]["kind"] == "Task":
                    continue
                kind = g.edges[task, other]["kind"]
                entry = links.setdefault(other, [kind, 0])
                entry[1] += 1
                if kind == "lead":
                    entry[0] = "lead"
        titles = [g.nodes[t]["name"] for t in tasks]
        g.add_node(node, kind="TaskGroup", group="TaskGroup", caption=clip(f"{len(tasks)} 项 · {heading}"),
                   name=f"{heading}（{len(tasks)} 项任务）", search=" ".join([heading, *titles]), cities=cities,
                   topics=topics, load=len(tasks),
                   tip={"title": f"{heading}：{len(tasks)} 项任务", "rows": [["任务", titles]], "text": ""})
        g.remove_nodes_from(tasks)
        for other, (kind, count) in sorted(links.items()):
            if other in g:
                add_edge(g, other, node, kind, weight=count, tip=f"{g.nodes[other]['name']}：{count} 项")


def kind_name(kind: str) -> str:
    return KIND_ZH.get(kind, kind)


def group_name(group: str) -> str:
    """The legend entry of a colour group: 单位 · 政府部门, 任务, ..."""
    if group in AGENCY_KIND_ZH:
        return f"单位 · {AGENCY_KIND_ZH[group]}"
    return KIND_ZH.get(group, group)


def log_weight(weight: float) -> float:
    return 1 + math.log2(max(weight, 1))
