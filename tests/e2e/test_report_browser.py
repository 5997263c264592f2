"""The HTML report in a real headless Chromium: it renders, drills down, prints, and stays offline.

Chromium is driven through the DevTools protocol over `--remote-debugging-pipe`: the browser
reads NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4. That needs
only the standard library (no websocket handshake, no port to pick or race for), and one
browser process gives us everything the CLI switches cannot: console errors and exceptions
(`Runtime`/`Log` events), every request the page makes (`Network.requestWillBeSent`), clicks
on the drill-down, print-media emulation, and a full-page screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import importlib.util
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from projections.reports.webpage import render_page


def _load_fixtures() -> ModuleType:
    """tests/unit/report_fixtures.py by path: the test folders are not packages, so pytest puts
    each on sys.path only for its own modules."""
    path = Path(__file__).resolve().parents[1] / "unit" / "report_fixtures.py"
    spec = importlib.util.spec_from_file_location("report_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures = _load_fixtures()
HOSTILE = fixtures.HOSTILE
pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]


class DevTools:
    """A minimal DevTools-protocol client over Chromium's debugging pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_child, self._to_browser = os.pipe()
        self._from_browser, from_child = os.pipe()
        # Move the child's ends above 4 so the dup2 onto 3 and 4 cannot clobber one another.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child)]
        for fd in (to_child, from_child):
            os.close(fd)

        def wire() -> None:  # runs in the child, before exec
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        # Its chatter (dbus, GPU) goes to a file: an unread pipe could fill up and stall it.
        self.log = profile.parent / "chromium.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                         preexec_fn=wire, pass_fds=(3, 4), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        for fd in high:
            os.close(fd)
        self._buffer, self._next_id, self.events = b"", 0, []
        self.session: str | None = None

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self._from_browser], [], [], wait)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError(f"chromium exited; its log: {self.log}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, *, browser: bool = False,
             timeout: float = 30) -> dict[str, Any]:
        """Send a command (to the attached page unless `browser`) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not browser:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        """The first event `method` received (earlier ones included)."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._read_message(deadline))

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page; its (JSON-able) value."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open_page(self, url: str, width: int = 390, height: int = 844, media: str = "screen") -> None:
        """A new tab on `url` emulating a phone of `width` CSS pixels, loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"}, browser=True)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 browser=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
        self.call("Emulation.setEmulatedMedia", {"media": media})
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path: Path) -> None:
        """A full-page PNG (the whole scroll height, not just the viewport)."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
            "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and dialogs (an `alert` would mean injected script)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for."""
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close", browser=True, timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)


@pytest.fixture
def page_url(tmp_path: Path) -> str:
    scores, traces, earlier = fixtures.scores_and_traces()
    page = tmp_path / "score.html"
    page.write_text(render_page(scores, traces, earlier), encoding="utf-8")
    return page.as_uri()


@pytest.fixture
def browser(tmp_path: Path):
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH (looked for chromium, chromium-browser); "
                    "install it with `apt-get install -y chromium fonts-wqy-microhei`")
    devtools = DevTools(CHROMIUM, tmp_path / "profile")
    yield devtools
    devtools.close()


def test_the_page_shows_the_ranking_on_a_phone_without_errors_or_network(browser, page_url, tmp_path):
    browser.open_page(page_url)
    text = browser.evaluate("document.body.innerText")
    assert "2025年度 12345热线办理工作年终评价" in text
    rows = browser.evaluate("[...document.querySelectorAll('#ranking tbody tr')]"
                            ".map(r => [...r.cells].slice(0, 3).map(c => c.innerText.trim()))")
    assert rows[0] == ["1", "泰山区", "100.74"]  # 5.00 + 54.74 + 32.00 + 4.00 + 4.00 + bonus 1.00
    assert rows[-1] == ["8", "东平县", "95.99"]
    assert browser.evaluate("document.querySelectorAll('svg.chart rect').length") > 8 * 5
    # Nothing spills sideways on a 390 px screen: only the table's own wrapper scrolls.
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390
    browser.screenshot(tmp_path / "ranking.png")
    assert browser.problems() == []
    assert browser.requests() == [page_url]


def test_a_unit_drills_down_to_its_evidence_and_dispute_history(browser, page_url, tmp_path):
    browser.open_page(page_url)
    event = "document.querySelector('#unit-daiyue .event[data-item=\"2.1\"]')"
    assert browser.evaluate(f"{event}.checkVisibility()") is False  # closed until asked
    browser.evaluate("""(() => {
        const unit = document.querySelector('#unit-daiyue');
        unit.querySelector('summary').click();
        for (const d of unit.querySelectorAll('details.section, details.item')) {
            d.querySelector('summary').click();
        }
        unit.scrollIntoView();
    })()""")
    assert browser.evaluate(f"{event}.checkVisibility()") is True
    shown = browser.evaluate("document.querySelector('#unit-daiyue').innerText")
    assert "知识库核查记录2025-02" in shown and "申诉中" in shown and "提出申诉" in shown
    assert HOSTILE in shown  # the hostile note is shown as text, never run
    assert browser.evaluate("document.querySelectorAll('#unit-daiyue script').length") == 0
    browser.screenshot(tmp_path / "shot.png")
    assert (tmp_path / "shot.png").stat().st_size > 10_000
    assert browser.problems() == []
    assert browser.requests() == [page_url]


def test_printing_expands_every_drill_down(browser, page_url):
    browser.open_page(page_url, width=794, media="print")  # A4 at 96 dpi
    # Every record is shown on paper, except under an item at full marks (collapsed into its section's line).
    hidden = browser.evaluate("[...document.querySelectorAll('.event')].filter(e => !e.checkVisibility()"
                              " && !e.closest('li.full')).length")
    assert browser.evaluate("document.querySelectorAll('.event').length") > 0
    assert hidden == 0
    assert browser.evaluate("[...document.querySelectorAll('li.full-list')].every(e => e.checkVisibility())")


def test_the_page_the_cli_writes_from_a_real_ledger_ranks_and_drills_down_offline(browser, cli, tmp_path):
    from tests.e2e.report_ledger import record_bulletin_ledger

    recorded = record_bulletin_ledger(cli, tmp_path)
    page = tmp_path / "bulletin.html"
    written = cli("score", "--year", "2025", "--as-of", "2025-10-31", "--format", "html", "--output", str(page),
                  "--compare-as-of", "2025-05-31")
    assert written.exit_code == 0, written.stderr
    doc = cli.json("score", "--year", "2025", "--as-of", "2025-10-31")
    browser.open_page(page.as_uri())
    rows = browser.evaluate("[...document.querySelectorAll('#ranking tbody tr')]"
                            ".map(r => [...r.cells].slice(0, 3).map(c => c.innerText.trim()))")
    # Every total counts a pending item (no unit is fully assessed yet): each is marked 待定.
    assert rows == [[str(u["rank"]), u["name"], f"{u['total']} 待定"] for u in doc["units"]]
    assert "待定：" in browser.evaluate("document.querySelector('#ranking').innerText")
    browser.evaluate("""(() => {
        for (const id of ['#unit-taishan', '#unit-xintai']) {
            const unit = document.querySelector(id);
            unit.querySelector('summary').click();
            for (const d of unit.querySelectorAll('details.section, details.item')) {
                d.querySelector('summary').click();
            }
        }
        document.querySelector('#unit-xintai').scrollIntoView();
    })()""")
    taishan = browser.evaluate("document.querySelector('#unit-taishan').innerText")
    assert "工单TA2025030400123" in taishan and "知识库未及时更新" in taishan and "tester" in taishan
    assert hashlib.sha256(recorded.attachment.read_bytes()).hexdigest() in taishan
    xintai = browser.evaluate("document.querySelector('#unit-xintai').innerText")
    assert "申诉成立" in xintai and "已按期整改" in xintai and "核实整改到位 → 成立" in xintai
    assert browser.evaluate("document.querySelector('#unit-xintai .event[data-item=\"4.1\"]').checkVisibility()")
    browser.screenshot(tmp_path / "bulletin.png")
    assert (tmp_path / "bulletin.png").stat().st_size > 10_000
    assert browser.problems() == []
    assert browser.requests() == [page.as_uri()]
