"""The pages issue 13's review found at fault, in Debian's Chromium (Playwright), with screenshots in tests/artifacts/:
the login form's token, an admin managing accounts, a large import followed to its counts, a unit page whose pool
members show their own deductions and whose accepted record offers no new dispute, and a date refused in place.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_web_browser import ARTIFACTS, _log_in, chromium, served  # noqa: F401 - fixtures
from tests.e2e.web_support import DAY, PW, Site

pytestmark = pytest.mark.browser


def _shots(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_admin_opens_an_account_its_password_works_and_disabling_it_ends_its_session(
        served: tuple[Site, str], chromium: Any, request: pytest.FixtureRequest) -> None:  # noqa: F811
    site, base = served
    shots = _shots(request)
    login_page = chromium.new_page()
    login_page.goto(f"{base}/app/login")
    assert len(login_page.input_value("input[name=csrf]")) == 64  # the login form carries its token
    login_page.screenshot(path=str(shots / "0-login.png"), full_page=True)

    admin = chromium.new_page()
    _log_in(admin, base, "admin")
    admin.goto(f"{base}/app/accounts")
    form = admin.locator("#add-account")
    form.locator("input[name=login]").fill("li.si")
    form.locator("input[name=name]").fill("李四")
    form.locator("select[name=role]").select_option("unit")
    form.locator("select[name=unit]").select_option("taishan")
    form.locator("button[type=submit]").click()
    password = admin.inner_text("#new-password code.secret").strip()
    assert len(password) >= 10 and "已开设账号 li.si" in admin.inner_text("main")
    admin.screenshot(path=str(shots / "1-account-opened.png"), full_page=True)

    person = chromium.new_page()
    person.goto(f"{base}/app/login")
    person.fill("input[name=login]", "li.si")
    person.fill("input[name=password]", password)
    person.click("button[type=submit]")
    person.wait_for_url(f"{base}/app/unit/taishan")

    row = admin.locator("tr.account[data-login='li.si']")
    row.locator("form.state-form button[type=submit]").click()
    assert "已停用" in admin.locator("tr.account[data-login='li.si'] td.state").inner_text()
    admin.screenshot(path=str(shots / "2-account-disabled.png"), full_page=True)
    person.reload()
    assert person.url == f"{base}/app/login"  # refused on its next request


def test_a_clerk_follows_a_large_import_to_its_counts(
        served: tuple[Site, str], chromium: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:  # noqa: F811
    site, base = served
    shots = _shots(request)
    rows = 30_000
    big = tmp_path / "全年扣分.csv"
    big.write_text("单位,项目,日期,次数,证据,备注\n" + "".join(f"泰山区,2.1,{DAY},1,工单{n},\n" for n in range(rows)),
                   encoding="utf-8")
    clerk = chromium.new_page()
    _log_in(clerk, base, "clerk")
    clerk.goto(f"{base}/app/import")
    clerk.select_option("select[name=kind]", "events")
    clerk.set_input_files("input[name=file]", str(big))
    clerk.click("#import-form button[type=submit]")
    clerk.wait_for_url(f"{base}/app/import/*")
    assert "正在导入" in clerk.inner_text("#job-state") or clerk.locator("#counts").count()
    # the page polls the status resource: rows read go up while the job runs (or it has ended meanwhile)
    clerk.wait_for_function("() => document.querySelector('#counts') || "
                            "document.getElementById('job-read').textContent !== '0'", timeout=120_000)
    clerk.screenshot(path=str(shots / "1-import-running.png"), full_page=True)
    clerk.wait_for_selector("#counts", timeout=120_000)  # import.js polls the status and reloads when it ends
    assert f"新增 {rows}" in clerk.inner_text("#counts")
    assert clerk.inner_text("#job-read") == str(rows)
    clerk.screenshot(path=str(shots / "2-import-done.png"), full_page=True)


def test_a_units_page_shows_each_pool_members_own_deduction_and_no_dispute_once_accepted(
        served: tuple[Site, str], chromium: Any, request: pytest.FixtureRequest) -> None:  # noqa: F811
    site, base = served
    shots = _shots(request)
    site.occurrence(item="3.2.1.1", count=45)  # ⌊45 / 20⌋ × 0.10 = 0.20 off pool 3.2
    site.occurrence(item="2.4")  # 1 × 0.50 off section 2
    accepted, opened, fresh = (site.occurrence() for _ in range(3))
    did = site.app.open_dispute(event_id=accepted, reason="已整改", evidence="说明函", actor="unit")
    site.app.decide_dispute(dispute_id=did, decision="accept", reason="整改属实", actor="clerk")
    site.app.open_dispute(event_id=opened, reason="系统故障", evidence="截图", actor="unit")

    unit = chromium.new_page()
    _log_in(unit, base, "unit")
    unit.wait_for_url(f"{base}/app/unit/taishan")
    def summary(code: str) -> str:
        return unit.locator(f"summary:has(a[href^='/app/unit/taishan/item/{code}?'])").inner_text()

    assert "扣 0.20（45 次），从 3.2 中扣除" in summary("3.2.1.1") and "30.00" not in summary("3.2.1.1")
    assert "扣 0.50（1 次），从 2 中扣除" in summary("2.4") and "55.00" not in summary("2.4")
    for occ, state, button in ((accepted, "申诉成立", False), (opened, "申诉中", False), (fresh, "有效", True)):
        row = unit.locator(f"tr.event[data-id='{occ}']")
        assert state in row.inner_text()
        assert row.locator("a.button", has_text="申诉").count() == (1 if button else 0), occ
    unit.screenshot(path=str(shots / "1-unit-page.png"), full_page=True)
    unit.goto(f"{base}/app/unit/taishan/item/3.2.1.1")
    assert unit.inner_text("dd.member").startswith("0.20（45 次），从 3.2 中扣除")
    unit.screenshot(path=str(shots / "2-pool-member-item.png"), full_page=True)
    unit.goto(f"{base}/app/unit/taishan/item/2.1")
    total_line = unit.inner_text("dl.facts")
    assert "2.80" in total_line  # 3.00 − (3 − 1 accepted) × 0.10: the open dispute still counts
    unit.screenshot(path=str(shots / "3-item-disputes.png"), full_page=True)
    assert Decimal(unit.inner_text("dl.facts strong")) == Decimal("2.80")


def test_a_date_that_is_not_yyyy_mm_dd_is_refused_in_place_with_the_clis_message(
        served: tuple[Site, str], chromium: Any, request: pytest.FixtureRequest,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the message as a Chinese reader sees it
    site, base = served
    shots = _shots(request)
    clerk = chromium.new_page()
    _log_in(clerk, base, "clerk")
    clerk.goto(f"{base}/app/record")
    bad = DAY.replace("-", "")
    # A client that sends what the browser's date picker never would (an old form, a script): 20250304.
    clerk.evaluate("document.querySelector('#record input[name=on]').type = 'text'")
    clerk.fill("#record input[name=on]", bad)
    clerk.fill("#record input[name=evidence]", "工单1")
    clerk.click("#record button[type=submit]")
    assert f"日期：'{bad}' 不是日期：请写成 YYYY-MM-DD（如 2025-03-04）" in clerk.inner_text("#record p.error")
    clerk.screenshot(path=str(shots / "1-record-bad-date.png"), full_page=True)
    assert site.app.refresh().db.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == 0
    assert PW  # the accounts' shared password (web_support) logged every page in
