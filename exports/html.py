"""Views → one self-contained interactive HTML page (vis-network, everything inlined).

The page is respgraph's own Jinja2 template (``templates/page.html.j2``, autoescape on) with
vis-network's JS and CSS, the page script and the page style inlined, so it opens from a USB
stick with no network. Document text reaches the page only as JSON inside a
``<script type="application/json">`` element, with ``<``, ``>`` and ``&`` written as ``\\u003c``
etc., and the page script builds hover cards with ``textContent``: a task text holding
``<script>`` shows as text and runs nothing.

Node positions are computed here (networkx's Kamada-Kawai layout, or its seeded spring layout
for large components, then label boxes pushed apart) and physics is off in the page, so the same
graph always gives the same picture and the same bytes.

>>> from respgraph.exports.html import view_page
>>> page = view_page(graph, unit="市大数据委", cities=["福州"])   # doctest: +SKIP
>>> page.save("exports/unit.html")                               # doctest: +SKIP
>>> page          # in Jupyter, VS Code or Colab: the page inline    # doctest: +SKIP
"""
from __future__ import annotations

import functools
import html as html_lib
import json
import math
from pathlib import Path

from . import views
from .views import MAX_NODES, View

LAYOUT_SEED = 7
TEMPLATES = Path(__file__).resolve().parent / "templates"   # shipped as package data (setup.cfg)
FONT_FACE = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
             '"Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif')

# kind → (vis shape, colour, label size); agencies are dots coloured by agency kind (AGENCY_COLOURS).
KIND_STYLE = {
    "Region": ("hexagon", "#6a3d9a", 22),
    "Document": ("star", "#3d3d3d", 16),
    "Section": ("triangle", "#a0a0a0", 12),
    "Task": ("square", "#e69f00", 13),
    "TaskGroup": ("square", "#f2c46d", 13),
    "Function": ("diamond", "#009e73", 15),
    "Topic": ("diamond", "#cc79a7", 15),
    "Project": ("star", "#d55e00", 13),
    "Indicator": ("triangleDown", "#8c510a", 13),
    "TaskFamily": ("hexagon", "#f781bf", 13),
    "Target": ("triangleDown", "#e6550d", 12),
}
AGENCY_COLOURS = {
    "government_department": "#0072b2", "district_governments": "#56b4e9", "departments_collective": "#8da0cb",
    "local_governments": "#3b75af",
    "zone_committee": "#3f8f8f", "public_institution": "#7570b3", "operator": "#66a61e",
    "state_owned_enterprise": "#a6761d", "enterprise": "#8c6d31", "central_branch": "#2c3e50",
}
FALLBACK_STYLE = ("dot", "#888888", 13)

# edge kind → (colour, base width, dashes, legend text)
EDGE_STYLE = {
    "lead": ("#b2182b", 3.0, False, "牵头（实线、粗）"),
    "support": ("#6b86ad", 1.2, True, "配合（虚线、细）"),
    "structure": ("#c9c9c9", 1.0, False, "所属章节/文件"),
    "shared_lead": ("#b2182b", 1.0, False, "共同负责，含牵头（线宽 = 共同任务数）"),
    "shared_support": ("#6b86ad", 1.0, True, "仅共同配合（线宽 = 共同任务数）"),
    "overlap": ("#4d9221", 1.0, False, "城市涉及（线宽 = 任务数）"),
    "member": ("#9e9e9e", 1.0, False, "隶属"),
}
SCALED_EDGES = ("shared_lead", "shared_support", "overlap")
# many wide edges (co-responsibility, overlap) are drawn lighter so the nodes stay readable
EDGE_OPACITY = {"shared_lead": 0.55, "shared_support": 0.55, "overlap": 0.6}


def node_style(data: dict) -> tuple[str, str, int]:
    if data["kind"] == "Agency":
        return "dot", AGENCY_COLOURS.get(data["group"], FALLBACK_STYLE[1]), 14
    return KIND_STYLE.get(data["kind"], FALLBACK_STYLE)


def node_size(data: dict) -> float:
    load = max(data.get("load", 0), 0)
    base, step, cap = {"Agency": (9, 4.0, 40), "Task": (8, 2.0, 18), "Section": (8, 1.5, 20),
                       "Document": (22, 0.0, 22), "Region": (20, 1.2, 44), "TaskGroup": (10, 2.5, 30)
                       }.get(data["kind"], (10, 2.5, 30))
    return round(min(base + step * math.sqrt(load), cap), 1)


# How long (in layout graph distance) each kind of edge wants to be: close ties draw closer.
LAYOUT_LENGTH = {"lead": 0.8, "support": 1.0, "structure": 0.75, "member": 1.0}
EDGE_PIXELS = 110        # drawn length of a unit-length edge
COMPONENT_GAP = 120      # space between separately laid-out components
KAMADA_KAWAI_MAX = 400   # larger components use the (faster) seeded spring layout
ASPECT = 1.45            # width / height of the drawing area of a page on a laptop screen


def label_box(data: dict) -> tuple[float, float, float]:
    """Width and height of a node with its label drawn below it, and the label's downward offset."""
    _, _, font = node_style(data)
    font += 4 if data.get("center") else 0
    size = node_size(data)
    text_width = sum(font if ord(ch) > 0x2E7F else font * 0.55 for ch in data["caption"])
    width = max(text_width, 2 * size) + 10
    height = 2 * size + font * 1.35 + 8
    return width, height, (font * 1.35) / 2


def _shared_items_layout(sub) -> dict:
    """Regions on a regular polygon, every other node near the centroid of the regions it links
    to (a sunflower spiral around it, heaviest first): where a node sits says who shares it."""
    regions = sorted(n for n, d in sub.nodes(data=True) if d["kind"] == "Region")
    radius = max(2.5, 0.5 * math.sqrt(sub.number_of_nodes()))
    corner = {r: (radius * math.sin(2 * math.pi * i / len(regions)), -radius * math.cos(2 * math.pi * i / len(regions)))
              for i, r in enumerate(regions)}
    positions = dict(corner)
    groups: dict[tuple, list] = {}
    for node, data in sub.nodes(data=True):
        if node not in corner:
            linked = tuple(sorted(r for r in sub.neighbors(node) if r in corner))
            groups.setdefault(linked, []).append((-data.get("load", 0), node))
    for linked, members in sorted(groups.items()):
        cx = sum(corner[r][0] for r in linked) / len(linked) if linked else 0.0
        cy = sum(corner[r][1] for r in linked) / len(linked) if linked else 0.0
        if len(linked) == 1:   # a node of one region only: outside it, away from the middle
            cx, cy = cx * 1.35, cy * 1.35
        for k, (_, node) in enumerate(sorted(members)):
            angle = k * 2.39996   # the golden angle
            positions[node] = (cx + 0.45 * math.sqrt(k) * math.cos(angle), cy + 0.45 * math.sqrt(k) * math.sin(angle))
    return {node: (x * EDGE_PIXELS, y * EDGE_PIXELS) for node, (x, y) in positions.items()}


def _component_layout(sub, view_name: str) -> dict:
    import networkx as nx

    n = sub.number_of_nodes()
    if n == 1:
        return {next(iter(sub.nodes)): (0.0, 0.0)}
    if view_name == "overlap" and sum(1 for _, d in sub.nodes(data=True) if d["kind"] == "Region") >= 2:
        return _shared_items_layout(sub)
    lengths = nx.Graph()
    lengths.add_nodes_from(sub.nodes)
    for a, b, data in sub.edges(data=True):
        length = LAYOUT_LENGTH.get(data["kind"]) or 1.4 / views.log_weight(data.get("weight", 1))
        lengths.add_edge(a, b, length=length)
    if n <= KAMADA_KAWAI_MAX:
        start = nx.circular_layout(lengths)
        for node, data in sub.nodes(data=True):
            if data.get("center"):   # the unit of a unit view starts (and mostly stays) in the middle
                start[node] = start[node] * 0
        positions = nx.kamada_kawai_layout(lengths, weight="length", pos=start)
    else:
        positions = nx.spring_layout(lengths, seed=LAYOUT_SEED, iterations=200, k=1.5 / math.sqrt(n))
    spans = [math.dist(positions[a], positions[b]) / d["length"] for a, b, d in lengths.edges(data=True)]
    spans = sorted(s for s in spans if s > 0)
    unit = spans[len(spans) // 2] if spans else 1.0
    return {node: (x / unit * EDGE_PIXELS, y / unit * EDGE_PIXELS) for node, (x, y) in positions.items()}


ALL_PAIRS_MAX = 96   # up to this many nodes every pair is looked at (cheaper than a k-d tree)


def sparse_row_sums(n: int, rows, cols, values):
    """Row sums of the n×n matrix that holds ``values`` at (``rows``, ``cols``) and 0 elsewhere,
    equal bit for bit to numpy's ``dense.sum(axis=1)``; cells must be distinct.

    Floating-point addition is not associative: numpy adds a row pairwise, and another order
    (``bincount``'s, left to right) can differ in the last bit, which 300 iterations of
    ``remove_overlaps`` can turn into another pixel. Adding a zero changes nothing and two
    numbers give the same sum in either order, so rows of at most two entries are added
    directly; only the rows of three or more (a few hundred of 1,500) are laid out densely and
    summed by numpy itself (all rows, for a small matrix). This keeps pages byte-identical to
    those of the all-pairs version.
    """
    import numpy as np

    if n <= ALL_PAIRS_MAX:
        matrix = np.zeros((n, n))
        matrix[rows, cols] = values
        return matrix.sum(axis=1)
    out = np.bincount(rows, weights=values, minlength=n)
    longer = (np.bincount(rows, minlength=n) >= 3)[rows]
    if not longer.any():
        return out
    summed, row_index = np.unique(rows[longer], return_inverse=True)
    matrix = np.zeros((len(summed), n))
    matrix[row_index, cols[longer]] = values[longer]
    out[summed] = matrix.sum(axis=1)
    return out


def close_pairs(xy, reach):
    """Pairs (i < j) of points closer than ``reach`` (x, y) on both axes, and perhaps a few more."""
    import numpy as np
    from scipy.spatial import cKDTree

    pairs = cKDTree(xy / reach).query_pairs(1.0 + 1e-6, p=np.inf, output_type="ndarray")
    return pairs[:, 0], pairs[:, 1]


def remove_overlaps(nodes: list, xy, boxes, iterations: int = 300) -> None:
    """Push apart nodes whose label boxes overlap (in place), along the axis of least overlap.

    Each overlapping pair pushes both nodes half their overlap apart along the axis where it is
    smaller relative to the box (plus a small sideways nudge); nodes at the same place part by
    their order. Only pairs closer than the largest box are looked at (a k-d tree finds them),
    which keeps a 1,500-node view at seconds, not minutes; the sums are those of the all-pairs
    matrices this started as (``sparse_row_sums``), so positions are unchanged to the bit.
    """
    import numpy as np

    n = len(nodes)
    if n < 2:
        return
    wh = np.array([[w, h] for w, h, _ in boxes])
    reach = wh.max(axis=0)   # boxes overlap only if their centres are closer than the largest box
    every_pair = np.triu_indices(n, 1) if n <= ALL_PAIRS_MAX else None
    for _ in range(iterations):
        i, j = every_pair or close_pairs(xy, reach)
        dx = xy[i, 0] - xy[j, 0]
        dy = xy[i, 1] - xy[j, 1]
        ox = (wh[i, 0] + wh[j, 0]) / 2 - np.abs(dx)
        oy = (wh[i, 1] + wh[j, 1]) / 2 - np.abs(dy)
        hit = (ox > 0) & (oy > 0)
        if not hit.any():
            return
        # each overlapping pair moves both of its nodes: row = the node moved, col = the other
        rows = np.concatenate([i[hit], j[hit]])
        cols = np.concatenate([j[hit], i[hit]])
        dx = np.concatenate([dx[hit], -dx[hit]])
        dy = np.concatenate([dy[hit], -dy[hit]])
        ox = np.concatenate([ox[hit], ox[hit]])
        oy = np.concatenate([oy[hit], oy[hit]])
        tie = np.sign(rows - cols).astype(float)
        sx = np.where(dx != 0, np.sign(dx), tie)
        sy = np.where(dy != 0, np.sign(dy), tie)
        along_x = ox * wh[rows, 1] <= oy * wh[rows, 0]
        along_y = ~along_x
        push_x = sparse_row_sums(n, rows[along_x], cols[along_x], (ox / 2 * sx)[along_x])
        nudge_x = np.bincount(rows[along_y], weights=sx[along_y], minlength=n)   # ±1 each: exact in any order
        push_y = sparse_row_sums(n, rows[along_y], cols[along_y], (oy / 2 * sy)[along_y])
        xy[:, 0] += 0.5 * push_x + 0.1 * nudge_x
        xy[:, 1] += 0.5 * push_y


def fit_aspect(nodes: list, xy, boxes, aspect: float = ASPECT) -> None:
    """Squeeze a layout towards the page's aspect ratio (in place), then push labels apart again:
    the same area on screen, fewer empty margins, larger labels when the page fits it."""
    width = xy[:, 0].max() - xy[:, 0].min() + 1
    height = xy[:, 1].max() - xy[:, 1].min() + 1
    factor = math.sqrt((width / height) / aspect)
    if 0.9 < factor < 1.1:
        return
    xy[:, 0] /= factor
    xy[:, 1] *= factor
    remove_overlaps(nodes, xy, boxes)


def layout(view: View) -> dict[str, tuple[int, int]]:
    """Positions in pixels: each connected component laid out on its own (Kamada-Kawai, or a
    seeded spring layout when large), label boxes pushed apart, components packed in rows from
    the largest; rounded to whole pixels so the same view always gives the same page."""
    import networkx as nx
    import numpy as np

    g = view.graph
    if g.number_of_nodes() == 0:
        return {}
    # (a set of nodes iterates in an order that changes with PYTHONHASHSEED: every component is
    # copied in sorted order before it is laid out)
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    placed = []
    for component in components:
        positions = _component_layout(views.ordered(g, component), view.name)
        boxes = [label_box(g.nodes[n]) for n in component]
        xy = np.array([[positions[n][0], positions[n][1] + off] for n, (_, _, off) in zip(component, boxes)], dtype=float)
        remove_overlaps(component, xy, boxes)
        if len(component) > 2:
            fit_aspect(component, xy, boxes)
        left = min(x - w / 2 for (x, _), (w, _, _) in zip(xy, boxes))
        right = max(x + w / 2 for (x, _), (w, _, _) in zip(xy, boxes))
        top = min(y - h / 2 for (_, y), (_, h, _) in zip(xy, boxes))
        bottom = max(y + h / 2 for (_, y), (_, h, _) in zip(xy, boxes))
        placed.append((component, xy - [left, top], [off for _, _, off in boxes], right - left, bottom - top))
    total = sum(w * h for *_, w, h in placed)
    row_width = max(max(w for *_, w, _ in placed), math.sqrt(total) * 1.5)
    out: dict[str, tuple[int, int]] = {}
    x0 = y0 = row_height = 0.0
    for component, xy, offsets, width, height in placed:
        if x0 > 0 and x0 + width > row_width:
            x0, y0, row_height = 0.0, y0 + row_height + COMPONENT_GAP, 0.0
        for node, (x, y), off in zip(component, xy, offsets):
            out[node] = (int(round(x0 + x)), int(round(y0 + y - off)))
        x0 += width + COMPONENT_GAP
        row_height = max(row_height, height)
    return out


def page_data(view: View) -> dict:
    """The JSON the page script reads: vis-ready nodes and edges, each node with its ``rg`` metadata.

    Nothing is written once per node or edge that the page can look up instead, which keeps a
    1,500-node overlap view of 3,000 plans at a few MB: an edge names its ends by their place in
    ``nodes`` and takes colour and opacity from ``edgeStyles`` (by kind); the items listed in
    hover cards (task titles, unit names: the same title is listed under each of its topics,
    indicators and cities) are written once, in ``strings``, and referred to by index. An
    edge's ``id`` in the page is ``e`` + its place in ``edges``.
    """
    positions = layout(view)
    strings: dict[str, int] = {}
    place: dict[str, int] = {}

    def listed(items: list) -> list[int]:
        return [strings.setdefault(str(item), len(strings)) for item in items]

    def card(tip: dict) -> dict:
        return {**tip, "rows": [[key, listed(value) if isinstance(value, list) else value] for key, value in tip["rows"]]}

    nodes = []
    for node, data in view.graph.nodes(data=True):
        shape, colour, font_size = node_style(data)
        x, y = positions[node]
        place[node] = len(place)
        item = {"id": node, "x": x, "y": y, "label": data["caption"], "shape": shape, "size": node_size(data),
                "color": colour, "font": {"size": font_size + (4 if data.get("center") else 0)},
                "borderWidth": 4 if data.get("center") else 1,
                "rg": {"kind": data["kind"], "group": data["group"], "cities": data["cities"],
                       "topics": data["topics"], "search": data["search"], "tip": card(data["tip"])}}
        nodes.append(item)
    edges = []
    styles = {}
    for a, b, data in view.graph.edges(data=True):
        colour, width, dashes, _ = EDGE_STYLE[data["kind"]]
        if data["kind"] in SCALED_EDGES:
            width = round(min(width * views.log_weight(data.get("weight", 1)) * 0.9, 9), 1)
        styles[data["kind"]] = {"color": colour, "opacity": EDGE_OPACITY.get(data["kind"], 0.85)}
        edges.append({"from": place[a], "to": place[b], "width": width, "dashes": dashes,
                      "rg": {"kind": data["kind"], "tip": data.get("tip", "")}})
    return {"view": view.name, "nodes": nodes, "edges": edges, "edgeStyles": styles, "strings": list(strings),
            "fontFace": FONT_FACE}


def script_json(value) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


VIS_NETWORK = "vis-9.1.2"  # the vis-network copy pyvis ships (templates/lib/vis-9.1.2/)


@functools.lru_cache(maxsize=None)
def asset(name: str) -> str:
    """A file of exports/templates/, or vis-network from the installed pyvis, checked to be safe
    to inline in a <script> or <style>."""
    if name == "vis-network.min.js":
        text = _inline_vis_js(_pyvis_file("vis-network.min.js"))
    elif name == "vis-network.min.css":
        text = (TEMPLATES / "vis-network-header.css").read_text(encoding="utf-8") + _pyvis_file("vis-network.css")
        text = text.rstrip("\n") + "\n"
    else:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
    closing = "</script" if name.endswith(".js") else "</style"
    if closing in text.lower():
        raise ValueError(f"exports/templates/{name} contains {closing}> and cannot be inlined")
    return text


def _pyvis_file(name: str) -> str:
    """A vis-network file as pyvis ships it, with LF line ends (pyvis's copies have CRLF)."""
    from importlib import resources

    path = resources.files("pyvis") / "templates" / "lib" / VIS_NETWORK / name
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def _inline_vis_js(text: str) -> str:
    """vis-network's script without its source-map comment: a page opened offline must name no
    other file."""
    return text.split("\n//# sourceMappingURL", 1)[0].rstrip("\n") + "\n"


@functools.lru_cache(maxsize=None)
def environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


def legend(view: View) -> tuple[list[dict], list[dict]]:
    groups: dict[str, dict] = {}
    for _, data in view.graph.nodes(data=True):
        shape, colour, _ = node_style(data)
        entry = groups.setdefault(data["group"], {"group": data["group"], "name": views.group_name(data["group"]),
                                                  "shape": shape, "color": colour, "count": 0,
                                                  "order": list(KIND_STYLE).index(data["kind"]) if data["kind"] in KIND_STYLE else -1})
        entry["count"] += 1
    node_entries = sorted(groups.values(), key=lambda e: (e["order"], -e["count"], e["group"]))
    kinds = sorted({d["kind"] for _, _, d in view.graph.edges(data=True)}, key=list(EDGE_STYLE).index)
    edge_entries = [{"kind": k, "color": EDGE_STYLE[k][0], "width": min(EDGE_STYLE[k][1] * 1.5, 4) if k not in SCALED_EDGES else 3,
                     "dashes": EDGE_STYLE[k][2], "name": EDGE_STYLE[k][3]} for k in kinds]
    return node_entries, edge_entries


def render_html(view: View) -> str:
    """The page of a view: one HTML document with every script and style inlined."""
    from markupsafe import Markup

    from respgraph.graph_build.snapshot import paused_gc

    with paused_gc():   # (see views.build_view)
        data_json = script_json(page_data(view))
    nodes, edges = legend(view)
    cities = sorted({c for _, d in view.graph.nodes(data=True) for c in d["cities"]})
    topics = sorted({t for _, d in view.graph.nodes(data=True) for t in (d["topics"] or [])})
    template = environment().get_template("page.html.j2")
    return template.render(
        title=view.title, view=view.name, remarks=view.remarks, notes=view.notes,
        node_count=view.graph.number_of_nodes(), edge_count=view.graph.number_of_edges(),
        node_legend=nodes, edge_legend=edges, cities=cities, topics=topics,
        data_json=Markup(data_json),
        vis_js=Markup(asset("vis-network.min.js")), vis_css=Markup(asset("vis-network.min.css")),
        page_js=Markup(asset("page.js")), page_css=Markup(asset("page.css")),
    )


class GraphPage:
    """An interactive page of one view: ``html``, ``save(path)``, and inline display in Jupyter.

    In a notebook the page shows in a sandboxed iframe whose ``srcdoc`` is the whole page, so it
    needs no server, no file and no network (VS Code, Colab and JupyterLab alike).
    """

    def __init__(self, view: View):
        self.view = view
        self._html: str | None = None

    @property
    def html(self) -> str:
        if self._html is None:
            self._html = render_html(self.view)
        return self._html

    def save(self, path) -> Path:
        from respgraph.graph_build.files import write_atomic

        write_atomic(path, self.html.encode("utf-8"))
        return Path(path)

    def _repr_html_(self) -> str:
        return ('<iframe sandbox="allow-scripts" style="width:100%;height:760px;border:1px solid #ddd" '
                f'title="{html_lib.escape(self.view.title, quote=True)}" '
                f'srcdoc="{html_lib.escape(self.html, quote=True)}"></iframe>')

    def __repr__(self) -> str:
        return f"<GraphPage {self.view.name} '{self.view.slug}': {self.view.graph.number_of_nodes()} nodes>"


def view_page(graph, view: str | None = None, unit: str | None = None, cities=(), topic: str | None = None,
              depth: int = 1, max_nodes: int = MAX_NODES) -> GraphPage:
    """The page of the view the options ask for (see ``exports.views.build_view``).

    Parameters
    ----------
    graph : the responsibility graph (``respgraph.store.load_active()``)
    view : "unit", "city", "overlap" or "agencies"; by default unit with ``unit``, city with
        ``cities``, else overlap
    unit : a unit name as ``respgraph duties`` takes it (市大数据委, 福州市大数据委)
    cities : city names (福州 or 福州市)
    topic : a topic name (智慧教育) or, when the graph has no topics, a keyword
    depth : the unit view's number of levels
    max_nodes : above this the view is reduced (see ``exports.views.limit_view``)
    """
    if isinstance(cities, str):
        cities = (cities,)
    return GraphPage(views.build_view(graph, view, unit, tuple(cities), topic, depth, max_nodes))


def to_pyvis(view: View, **network_options):
    """The view as a ``pyvis.network.Network``, for notebook users who want to restyle it.

    Nodes keep respgraph's positions (physics off), colours, shapes and sizes; each node's and
    edge's hover title is plain text built from the card, escaped, since pyvis shows titles as
    HTML. ``network_options`` go to ``Network`` (``height``, ``width``, ``notebook`` ...).

    >>> from respgraph.exports import html
    >>> net = html.to_pyvis(view)                          # doctest: +SKIP
    >>> net.write_html("view.html")                        # doctest: +SKIP
    """
    from pyvis.network import Network

    network = Network(directed=False, **network_options)
    positions = layout(view)
    for node, data in view.graph.nodes(data=True):
        shape, colour, font_size = node_style(data)
        x, y = positions[node]
        network.add_node(node, label=data["caption"], title=_plain_card(data["tip"]), shape=shape,
                         color=colour, size=node_size(data), x=x, y=y, physics=False,
                         font={"size": font_size})
    for a, b, data in view.graph.edges(data=True):
        colour, width, dashes, _ = EDGE_STYLE[data["kind"]]
        network.add_edge(a, b, color=colour, width=width, dashes=dashes,
                         title=html_lib.escape(str(data.get("tip", ""))))
    network.toggle_physics(False)
    return network


def _plain_card(tip: dict) -> str:
    """A hover card as escaped text: title, then one "key: value" line per row, then the text."""
    lines = [tip.get("title", "")]
    for key, value in tip.get("rows", []):
        lines.append(f"{key}: {'、'.join(map(str, value)) if isinstance(value, list) else value}")
    if tip.get("text"):
        lines.append(tip["text"])
    return html_lib.escape("\n".join(line for line in lines if line))


def default_path(view: View, folder: str | Path = "exports") -> Path:
    """exports/<view>-<what>.html, e.g. exports/unit-福州市大数据委.html."""
    return Path(folder) / f"{view.slug}.html"
