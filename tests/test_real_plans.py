"""Real plans from other provinces, read as a careful analyst reads them.

The expected readings in tests/data/real_plans/expected/*.yaml were written by reading each
document (not by running the parser): for every annotation, its units in printed order with
their roles, and its deadline; for every document, what its text says about itself. The plans
are copied unchanged from ../shared/real-plans (see the README beside them).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from respgraph.graph_build.metadata import normalise_title
from respgraph.graph_build.parse import parse_document
from respgraph.graph_build.read import read_source

FOLDER = Path(__file__).parent / "data" / "real_plans"
EXPECTED = sorted((FOLDER / "expected").glob("*.yaml"))


def expected(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def parse(name: str):
        if name not in cache:
            cache[name] = parse_document(read_source(FOLDER / name))
        return cache[name]
    return parse


def test_every_real_plan_has_an_expected_reading():
    plans = sorted(p.name for p in FOLDER.iterdir() if p.suffix in {".txt", ".html"})
    assert [expected(p)["file"] for p in EXPECTED] == plans
    assert len(plans) == 16


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_annotated_task_count(parsed, path):
    want = expected(path)
    doc = parsed(want["file"])
    assert len([t for t in doc.tasks if t.units]) == want["annotated_tasks"] == len(want["tasks"])


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_units_in_printed_order_with_roles(parsed, path):
    want = expected(path)
    doc = parsed(want["file"])
    got = [[(u.printed, u.role) for u in t.units] for t in doc.tasks if t.units]
    assert got == [[tuple(pair) for pair in task["units"]] for task in want["tasks"]]


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_annotation_text_and_deadline(parsed, path):
    want = expected(path)
    doc = parsed(want["file"])
    tasks = [t for t in doc.tasks if t.units]
    for task, wanted in zip(tasks, want["tasks"]):
        printed = "".join(wanted["annotation"].split())
        assert printed.strip("()（）") in "".join(task.annotation.split()), wanted["n"]
        assert task.deadline == wanted["deadline"], wanted["n"]


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_annotated_tasks_never_share_a_section_and_number(parsed, path):
    doc = parsed(expected(path)["file"])
    keys = [(t.section, t.number) for t in doc.tasks if t.units]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_document_metadata(parsed, path):
    want = expected(path)
    meta = parsed(want["file"]).meta
    assert meta.title == normalise_title(want["title"])
    assert (meta.number, meta.date) == (want["number"], want["date"])
    assert meta.issuer == want["issuer"]
    assert (meta.region, meta.level) == (want["region"], want["level"])


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_stated_listing_rule_is_kept_and_never_a_unit(parsed, path):
    want = expected(path)
    doc = parsed(want["file"])
    rule = "".join(want["rule"].split())
    if rule:
        assert any(r in rule or rule in r for r in ["，".join(doc.meta.rules), *doc.meta.rules])
    for task in doc.tasks:
        for unit in task.units:
            assert "下同" not in unit.printed and "第一位" not in unit.printed


def test_several_annotations_in_one_item_are_numbered_with_suffixes(parsed):
    doc = parsed("shandong_shuzishandong_2019.txt")  # item 1 closes five clauses with annotations
    first = [(t.number, t.title) for t in doc.tasks[:5]]
    assert first == [("1", "推动政务服务数字化转型"), ("1-2", "加强整合共享成果应用"),
                     ("1-3", "积极完善山东省政府非税收入统缴平台"),
                     ("1-4", "继续完善全省政务服务统一身份认证系统"), ("1-5", "建设全省电子印章系统")]


def test_long_first_sentence_does_not_drop_the_item(parsed):
    doc = parsed("shandong_zhizaoye-chuangxin_2023.txt")  # item 13 has no 。 for 200 characters
    task = next(t for t in doc.tasks if t.number == "13")
    assert task.title == "促进大中小企业融合融通支持领航型企业发挥产业链“链主”作用"
    assert [u.printed for u in task.units] == ["省工业和信息化厅"]


def test_unannotated_background_sections_are_told_apart(parsed):
    from respgraph.graph_build.outline import background_tasks

    doc = parsed("jinan_shuzixianfeng_2021.txt")  # 四、保障措施 (一)–(四) carry no annotation
    background = background_tasks(doc.tasks, doc.sections)
    assert [t.title for t in background] == ["加强组织领导", "强化要素保障", "鼓励先行先试", "建立评价机制"]
    assert len(doc.tasks) == 23 and len([t for t in doc.tasks if t.units]) == 19
    jinan_2019 = parsed("jinan_zhizao-shuzijingji_2019.txt")  # 八、保障措施 27 has no annotation
    assert [t.number for t in background_tasks(jinan_2019.tasks, jinan_2019.sections)] == ["27"]
    shandong = parsed("shandong_shuzishandong_2019.txt")  # every item annotated
    assert background_tasks(shandong.tasks, shandong.sections) == []


def test_a_folder_of_plans_skips_its_own_readme_but_reads_it_when_named(tmp_path):
    from respgraph.graph_build.read import expand_paths

    folder = tmp_path / "real-plans"  # laid out as ../shared/real-plans: the plans and a README.md about them
    folder.mkdir()
    (folder / "README.md").write_bytes((FOLDER.parent / "real_plans_README.md").read_bytes())
    (folder / "jinan_rengongzhineng_2024.txt").write_bytes((FOLDER / "jinan_rengongzhineng_2024.txt").read_bytes())
    skipped: list[str] = []
    assert [p.name for p in expand_paths([folder], skipped)] == ["jinan_rengongzhineng_2024.txt"]
    assert skipped == [f"{folder / 'README.md'}: skipped (the folder's own notes, not a plan; name the file to read it)"]
    assert [p.name for p in expand_paths([folder / "README.md"])] == ["README.md"]
