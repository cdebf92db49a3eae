"""The HTML views in a real browser: headless Chromium opens each page from a file URL.

Chromium is driven over the Chrome DevTools Protocol through ``--remote-debugging-pipe`` (JSON
messages ending in NUL on file descriptors 3 and 4), so the test needs no Python package and
downloads nothing. The protocol shows every request the page makes (Network events), every
uncaught exception (Runtime.exceptionThrown), console and log errors and any alert dialog;
``--host-resolver-rules`` makes every host name unresolvable, so even a stray request could not
leave the machine. The page reports what vis-network drew in ``<pre id="respgraph-status">``.

Screenshots (1400×900) go to $RESPGRAPH_SCREENSHOTS when set (the README's docs/img/ is made with
``RESPGRAPH_SCREENSHOTS=docs/img pytest -m browser``), else to a temporary folder.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from respgraph.exports import html as html_export

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"headless Chromium ({CHROMIUM}) is not installed")]

WIDTH, HEIGHT = 1400, 900


class DevTools:
    """A minimal CDP client over Chromium's debugging pipe (fd 3: commands in, fd 4: replies out)."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="respgraph-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # park the child's ends above 10 so moving them to 3 and 4 cannot clobber each other
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)

        def wire_pipes():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
             "--host-resolver-rules=MAP * ~NOTFOUND", f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire_pipes,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_browser_r, from_browser_w, child_in, child_out):
            os.close(fd)
        self.commands, self.replies = to_browser_w, from_browser_r
        self.pending = b""
        self.last_id = 0
        self.events: list[dict] = []

    def _receive(self, deadline: float) -> list[dict]:
        while b"\0" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.replies], [], [], left)
            if ready:
                chunk = os.read(self.replies, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the debugging pipe")
                self.pending += chunk
        *messages, self.pending = self.pending.split(b"\0")
        return [json.loads(m) for m in messages]

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            for reply in self._receive(deadline):
                if reply.get("id") == self.last_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.extend(self._receive(deadline))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self.commands, self.replies):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def of(self, method: str) -> list[dict]:
        return [e["params"] for e in self.events if e.get("method") == method]


class Visit:
    """One page opened in a fresh tab: its status, requests, errors; screenshot and hover on demand."""

    def __init__(self, browser: DevTools, path: Path):
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            browser.call(f"{domain}.enable", session=self.session)
        # frames in another process (a sandboxed iframe: the notebook display) attach as child sessions
        browser.call("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                     session=self.session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}, session=self.session)
        browser.events.clear()
        self.url = path.resolve().as_uri()
        browser.call("Page.navigate", {"url": self.url}, session=self.session)
        browser.wait_for("Page.loadEventFired")
        self.children = []
        self._attach_children()
        self.status = self._wait_until_drawn()

    def _attach_children(self) -> None:
        """Watch every frame that attached itself, as the top page is watched, and let it run."""
        for event in self.browser.of("Target.attachedToTarget"):
            child = event["sessionId"]
            if child in self.children:
                continue
            self.children.append(child)
            for domain in ("Network", "Runtime", "Log"):
                self.browser.call(f"{domain}.enable", session=child)
            self.browser.call("Runtime.runIfWaitingForDebugger", session=child)

    def evaluate(self, expression: str, session: str | None = None):
        result = self.browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                   session=session or self.session)
        return result["result"].get("value")

    def read_status(self) -> dict:
        """The page's status element, from the top document or (a notebook cell) its iframe."""
        self._attach_children()
        expression = "(function(){var s=document.getElementById('respgraph-status');return s?s.textContent:null;})()"
        for session in [self.session, *self.children]:
            text = self.evaluate(expression, session)
            if text:
                return json.loads(text)
        return {}

    def _wait_until_drawn(self) -> dict:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = self.read_status()
            if status.get("drawn") or status.get("errors"):
                break
            time.sleep(0.1)
        time.sleep(0.4)   # the first drawing fits the view and draws again
        return self.read_status()

    def requests(self) -> list[str]:
        return [e["request"]["url"] for e in self.browser.of("Network.requestWillBeSent")]

    def errors(self) -> list[str]:
        found = [e["exceptionDetails"].get("exception", {}).get("description", e["exceptionDetails"]["text"])
                 for e in self.browser.of("Runtime.exceptionThrown")]
        found += [" ".join(str(a.get("value", a.get("description", ""))) for a in e["args"])
                  for e in self.browser.of("Runtime.consoleAPICalled") if e["type"] in ("error", "assert")]
        found += [e["entry"]["text"] for e in self.browser.of("Log.entryAdded") if e["entry"]["level"] == "error"]
        found += [f"failed to load {e.get('errorText')}" for e in self.browser.of("Network.loadingFailed")]
        found += [f"dialog: {e['message']}" for e in self.browser.of("Page.javascriptDialogOpening")]
        return found + list(self.status.get("errors", []))

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.browser.call("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def hover(self, node_id: str) -> str:
        """Move the mouse onto a node; the text of the hover card that opens."""
        where = self.evaluate(
            "(function(){var n=window.respgraphNetwork, p=n.canvasToDOM(n.getPositions([%s])[%s]),"
            "r=document.getElementById('rg-network').getBoundingClientRect();return [r.left+p.x, r.top+p.y];})()"
            % (json.dumps(node_id), json.dumps(node_id)))
        for dx in (-3, 0):
            self.browser.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": where[0] + dx, "y": where[1]},
                              session=self.session)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            text = self.evaluate("(function(){var t=document.querySelector('div.vis-tooltip');"
                                 "return t && t.style.visibility !== 'hidden' ? t.textContent : '';})()")
            if text:
                return text
            time.sleep(0.1)
        return ""


@pytest.fixture(scope="module")
def browser():
    tools = DevTools()
    yield tools
    tools.close()


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory):
    configured = os.environ.get("RESPGRAPH_SCREENSHOTS")
    return Path(configured) if configured else tmp_path_factory.mktemp("screenshots")


VIEWS = {
    "unit": {"unit": "市大数据委", "cities": ["福州"]},
    "city": {"cities": ["福州"]},
    "overlap": {"view": "overlap"},
    "agencies": {"view": "agencies", "cities": ["福州"]},
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_draws_offline_without_errors(graph, browser, screenshot_dir, tmp_path, name):
    page = html_export.view_page(graph, **VIEWS[name])
    path = page.save(tmp_path / f"{name}.html")
    visit = Visit(browser, path)
    assert visit.errors() == []
    assert visit.status["drawn"] is True
    assert visit.status["nodes"] == page.view.graph.number_of_nodes()
    assert visit.status["edges"] == page.view.graph.number_of_edges()
    assert visit.evaluate("window.respgraphNodeCount") == page.view.graph.number_of_nodes()
    assert [u for u in visit.requests() if u != visit.url and not u.startswith("data:")] == []
    png = visit.screenshot(screenshot_dir / f"{name}.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (WIDTH, HEIGHT)


def test_hover_card_shows_markup_as_text_and_runs_nothing(browser, tmp_path):
    from test_html import IMG, SCRIPT, hostile_graph

    page = html_export.view_page(hostile_graph(), unit=IMG)
    visit = Visit(browser, page.save(tmp_path / "hostile.html"))
    assert visit.errors() == []
    assert visit.status["nodes"] == page.view.graph.number_of_nodes()
    card = visit.hover("task:aaaaaaaaaaaa:0001")
    assert SCRIPT in card and IMG in card
    assert "牵头单位" in card and "出处plans/测试市.txt:5" in card
    assert visit.evaluate("document.images.length") == 0
    assert visit.evaluate("document.querySelectorAll('#rg-network script, .vis-tooltip *[onerror]').length") == 0
    assert visit.evaluate("document.querySelector('h1').textContent") == f"{IMG} · 职责网络"


def test_city_kind_filters_and_search_work_in_the_page(graph, browser, tmp_path):
    page = html_export.view_page(graph, view="overlap", cities=["福州", "泉州", "厦门"])
    visit = Visit(browser, page.save(tmp_path / "overlap.html"))
    nodes = page.view.graph.nodes(data=True)

    def drawn_after(script: str) -> int:
        visit.evaluate(script)
        time.sleep(0.3)
        return visit.read_status()["nodes"]

    fuzhou = sum(1 for _, d in nodes if "福州市" in d["cities"])
    assert drawn_after("var s=document.getElementById('rg-city'); s.value='福州市';"
                       "s.dispatchEvent(new Event('change'))") == fuzhou
    topics = sum(1 for _, d in nodes if "福州市" in d["cities"] and d["kind"] == "Topic")
    assert drawn_after("var b=document.querySelector('input.rg-kind[value=\"Topic\"]'); b.checked=false;"
                       "b.dispatchEvent(new Event('change'))") == fuzhou - topics
    visit.evaluate("var q=document.getElementById('rg-search'); q.value='大数据委'; q.dispatchEvent(new Event('input'))")
    selected = visit.evaluate("window.respgraphNetwork.getSelectedNodes()")
    assert selected == ["function:digital_authority"]
    assert visit.evaluate("document.getElementById('rg-search-count').textContent") == "1 个匹配"
    assert visit.errors() == []


def test_notebook_iframe_display_loads_offline_without_errors(graph, browser, tmp_path):
    page = html_export.view_page(graph, view="agencies", cities=["厦门"])
    cell = tmp_path / "notebook.html"
    cell.write_text(f"<!DOCTYPE html><html><body>{page._repr_html_()}</body></html>", encoding="utf-8")
    visit = Visit(browser, cell)
    assert visit.errors() == []
    assert visit.status["drawn"] is True
    assert visit.status["nodes"] == page.view.graph.number_of_nodes()
    assert [u for u in visit.requests() if u != visit.url and not u.startswith(("data:", "about:"))] == []
    assert visit.evaluate("document.querySelector('iframe').getAttribute('sandbox')") == "allow-scripts"
