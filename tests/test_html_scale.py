"""The HTML views made fast for large graphs draw exactly what the slow versions drew.

The overlap view of 3,000 plans took a minute: label overlap removal compared every pair of
1,500 nodes 600 times, and the view drew up 23,000 task families to keep 1,500. These tests hold
the fast versions to the slow ones, bit for bit, and check that the page writes each text once.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from respgraph.exports import html as html_export
from respgraph.exports import views


def all_pairs_remove_overlaps(xy, boxes, iterations: int = 300) -> None:
    """The all-pairs version of html.remove_overlaps that pages were first drawn with (n×n matrices)."""
    wh = np.array([[w, h] for w, h, _ in boxes])
    index = np.arange(len(xy))
    tie = np.sign(index[:, None] - index[None, :]).astype(float)
    for _ in range(iterations):
        dx = xy[:, 0][:, None] - xy[:, 0][None, :]
        dy = xy[:, 1][:, None] - xy[:, 1][None, :]
        ox = (wh[:, 0][:, None] + wh[:, 0][None, :]) / 2 - np.abs(dx)
        oy = (wh[:, 1][:, None] + wh[:, 1][None, :]) / 2 - np.abs(dy)
        hit = (ox > 0) & (oy > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            return
        sx = np.where(dx != 0, np.sign(dx), tie)
        sy = np.where(dy != 0, np.sign(dy), tie)
        along_x = hit & (ox * wh[:, 1][:, None] <= oy * wh[:, 0][:, None])
        along_y = hit & ~along_x
        xy[:, 0] += 0.5 * np.where(along_x, ox / 2 * sx, 0).sum(axis=1) + 0.1 * np.where(along_y, sx, 0).sum(axis=1)
        xy[:, 1] += 0.5 * np.where(along_y, oy / 2 * sy, 0).sum(axis=1)


def crowded_layout(n: int, seed: int):
    """n label boxes of mixed sizes, packed tightly; a third on a grid (ties), a few stacked."""
    rng = np.random.default_rng(seed)
    boxes = [(float(rng.uniform(20, 260)), float(rng.uniform(20, 60)), 5.0) for _ in range(n)]
    xy = rng.uniform(0, 30 * math.sqrt(n), size=(n, 2))
    xy[: n // 3] = np.round(xy[: n // 3] / 40) * 40
    xy[n // 3: n // 3 + 3] = xy[0]
    return xy, boxes


@pytest.mark.parametrize("n, seed", [(2, 0), (5, 1), (40, 2), (96, 3), (97, 4), (250, 5)])
def test_overlap_removal_moves_every_node_exactly_as_the_all_pairs_version(n, seed):
    xy, boxes = crowded_layout(n, seed)
    expected, got = xy.copy(), xy.copy()
    all_pairs_remove_overlaps(expected, boxes, iterations=60)
    html_export.remove_overlaps(list(range(n)), got, boxes, iterations=60)
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("n", [5, 96, 97, 300, 1500])
def test_sparse_row_sums_equal_numpy_sums_of_the_dense_matrix_to_the_bit(n):
    rng = np.random.default_rng(n)
    dense = np.zeros((n, n))
    for row in range(n):
        cols = rng.choice(n, size=int(rng.integers(0, min(n, 40))), replace=False)
        dense[row, cols] = rng.standard_normal(len(cols)) * 10.0 ** rng.integers(-6, 6, size=len(cols))
    rows, cols = np.nonzero(dense)
    order = rng.permutation(len(rows))   # the pairs come in any order
    got = html_export.sparse_row_sums(n, rows[order], cols[order], dense[rows[order], cols[order]])
    assert np.array_equal(got, dense.sum(axis=1))


@pytest.mark.parametrize("cities, max_nodes", [((), 20), ((), 60), (("福州", "泉州", "厦门"), 25)])
def test_overlap_view_limited_while_built_equals_the_full_view_limited_after(graph, cities, max_nodes):
    fast = views.overlap_view(graph, cities, max_nodes=max_nodes)
    slow = views.limit_view(views.overlap_view(graph, cities), graph, max_nodes)
    assert list(fast.graph.nodes(data=True)) == list(slow.graph.nodes(data=True))
    assert list(fast.graph.edges(data=True)) == list(slow.graph.edges(data=True))
    assert (fast.notes, fast.remarks) == (slow.notes, slow.remarks)
    assert fast.notes and f"more than --max-nodes {max_nodes}" in fast.notes[0]


def test_a_shared_function_names_each_unit_once_in_its_search_text(graph):
    view = views.build_view(graph, view="overlap")
    words = view.graph.nodes["function:departments_collective"]["search"].split(" ")
    assert words.count("市直有关单位") == 1   # the name of a unit of 泉州 and of one of 福州


@pytest.fixture(scope="module")
def city_page(graph):
    page = html_export.view_page(graph, view="city")
    from test_html import page_json

    return page.view, page_json(page.html)


def test_page_writes_each_listed_text_once_and_hover_cards_read_them_back(city_page):
    view, data = city_page
    strings = data["strings"]
    assert len(strings) == len(set(strings))
    for node in data["nodes"]:
        rows = [[key, [strings[i] for i in value] if isinstance(value, list) else value]
                for key, value in node["rg"]["tip"]["rows"]]
        assert rows == view.graph.nodes[node["id"]]["tip"]["rows"]


def test_page_edges_name_their_ends_by_place_and_take_colour_from_their_kind(city_page):
    view, data = city_page
    ids = [node["id"] for node in data["nodes"]]
    drawn = [(ids[e["from"]], ids[e["to"]], e["rg"]["kind"]) for e in data["edges"]]
    assert drawn == [(a, b, d["kind"]) for a, b, d in view.graph.edges(data=True)]
    assert data["edgeStyles"]["lead"] == {"color": "#b2182b", "opacity": 0.85}
    assert all("color" not in e and "id" not in e for e in data["edges"])
