"""Whole journeys in Debian's Chromium driven by Playwright for Python (no browser download).

The service runs under uvicorn in a thread on 127.0.0.1; screenshots go to tests/artifacts/.
Journey: a unit logs in, finds its deduction (item 2.1, count 2: 0.20 off), files a dispute with
a PDF; a clerk decides it in the queue; the unit sees the decision and its total 0.20 higher.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import browser_env
from tests.e2e.web_support import PW, Site, make_site

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def served(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Site, str]]:
    import uvicorn

    site = make_site(store_url, monkeypatch)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(site.client.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield site, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def chromium() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], env=browser_env())
        yield browser
        browser.close()


def _log_in(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/app/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PW)
    page.click("button[type=submit]")


def test_a_unit_disputes_a_deduction_with_a_pdf_and_sees_the_clerks_decision(
        served: tuple[Site, str], chromium: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    site, base = served
    occ = site.occurrence(count=2)
    shots = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    shots.mkdir(parents=True, exist_ok=True)
    letter = tmp_path / "说明函.pdf"
    letter.write_bytes(b"%PDF-1.4\n% the unit's explanation\n")
    requests: list[str] = []

    unit = chromium.new_page()
    unit.on("request", lambda r: requests.append(r.url))
    _log_in(unit, base, "unit")
    unit.wait_for_url(f"{base}/app/unit/taishan")
    before = Decimal(unit.inner_text("#total"))
    row = unit.locator(f"tr.event[data-id='{occ}']")
    assert "有效" in row.inner_text()
    unit.screenshot(path=str(shots / "1-unit-page.png"), full_page=True)
    row.get_by_text("申诉").click()
    unit.wait_for_url(f"**/app/disputes?target={occ}")
    unit.fill("textarea[name=reason]", "已按时整改，附说明函")
    unit.fill("input[name=evidence]", "说明函")
    unit.set_input_files("input[name=file]", str(letter))
    unit.click("#file-dispute button[type=submit]")
    assert "已提交申诉" in unit.inner_text("main")
    assert "说明函.pdf" in unit.inner_text("table.disputes")
    unit.screenshot(path=str(shots / "2-dispute-filed.png"), full_page=True)

    clerk = chromium.new_page()
    _log_in(clerk, base, "clerk")
    clerk.goto(f"{base}/app/queue")
    card = clerk.locator("section.dispute").first
    assert occ in card.inner_text()
    card.locator("select[name=decision]").select_option("accept")
    card.locator("input[name=reason]").fill("整改属实")
    clerk.screenshot(path=str(shots / "3-clerk-queue.png"), full_page=True)
    card.locator("button[type=submit]").click()
    assert "已处理" in clerk.inner_text("main")

    unit.goto(f"{base}/app/unit/taishan")
    row = unit.locator(f"tr.event[data-id='{occ}']")
    assert "申诉成立" in row.inner_text() and "整改属实" in row.inner_text()
    assert Decimal(unit.inner_text("#total")) == before + Decimal("0.20")
    unit.screenshot(path=str(shots / "4-unit-sees-decision.png"), full_page=True)
    assert all(u.startswith(base) for u in requests), [u for u in requests if not u.startswith(base)]


def test_a_clerk_imports_a_file_with_two_bad_rows_and_an_auditor_verifies(
        served: tuple[Site, str], chromium: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from tests.e2e.web_support import DAY

    site, base = served
    shots = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    shots.mkdir(parents=True, exist_ok=True)
    bad = tmp_path / "月度扣分.csv"
    bad.write_text(f"单位,项目,日期,次数,证据,备注\n泰山区,2.1,{DAY},1,工单9,\n无此区,2.1,{DAY},1,工单9,\n"
                   f"泰山区,9.9,{DAY},1,工单9,\n", encoding="utf-8")
    clerk = chromium.new_page()
    _log_in(clerk, base, "clerk")
    clerk.goto(f"{base}/app/import")
    clerk.select_option("select[name=kind]", "events")
    clerk.set_input_files("input[name=file]", str(bad))
    clerk.click("main button[type=submit]")
    clerk.wait_for_selector("#bad-rows li")  # the job runs in the background; its page reloads when it ends
    rows = clerk.locator("#bad-rows li").all_inner_texts()
    assert [r.split(":")[:3] for r in rows] == [["月度扣分.csv", "3", "单位"], ["月度扣分.csv", "4", "项目"]]
    clerk.screenshot(path=str(shots / "1-import-refused.png"), full_page=True)
    assert site.app.refresh().db.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == 0

    auditor = chromium.new_page()
    _log_in(auditor, base, "auditor")
    auditor.goto(f"{base}/app/verify")
    assert auditor.inner_text("#verdict").startswith("核验通过")
    assert len(auditor.inner_text("#head")) == 64
    auditor.screenshot(path=str(shots / "2-auditor-verifies.png"), full_page=True)
