"""The pages under /app through the TestClient: who may open which page, forms, CSRF, escaping.

Forms are posted as a browser without JavaScript posts them: url-encoded or multipart, with the
session cookie and the hidden ``csrf`` field.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.e2e.web_support import DAY, PW, ROLES, Site, make_site


@pytest.fixture
def site(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    return make_site(store_url, monkeypatch)


def login_token(client: TestClient) -> str:
    """Open the login page as a browser does; the token its form carries."""
    page = client.get("/app/login")
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert page.status_code == 200 and token, page.text[:500]
    return token.group(1)


def browser(site: Site, login: str) -> tuple[TestClient, str]:
    """A client logged in through the login form, and the CSRF token its pages carry."""
    client = TestClient(site.client.app, base_url="http://testserver")
    r = client.post("/app/login", data={"csrf": login_token(client), "login": login, "password": PW})
    assert r.status_code == 200, r.text
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text)
    assert token, r.text[:500]
    return client, token.group(1)


PAGES = ["/app/ranking", "/app/unit/taishan", "/app/unit/taishan/item/2.1", "/app/disputes", "/app/queue",
         "/app/record", "/app/import", "/app/log", "/app/verify", "/app/report.csv"]
#: page → status for admin, clerk, unit (taishan), auditor, viewer.
PAGE_MATRIX = {
    "/app/ranking": (200,) * 5,
    "/app/unit/taishan": (200,) * 5,
    "/app/unit/taishan/item/2.1": (200,) * 5,
    "/app/disputes": (200, 200, 200, 200, 403),
    "/app/queue": (200, 200, 403, 403, 403),
    "/app/record": (200, 200, 403, 403, 403),
    "/app/import": (200, 200, 403, 403, 403),
    "/app/log": (200, 200, 200, 200, 403),
    "/app/verify": (200, 200, 403, 200, 403),
    "/app/report.csv": (200, 200, 403, 200, 200),
    "/app/accounts": (200, 403, 403, 403, 403),
}


def test_every_role_gets_the_contracts_answer_on_every_page(site: Site) -> None:
    clients = {role: browser(site, role)[0] for role in ROLES}
    got = {page: tuple(clients[role].get(page).status_code for role in ROLES) for page in PAGE_MATRIX}
    assert got == PAGE_MATRIX


def test_a_page_without_a_session_sends_to_the_login_page(site: Site) -> None:
    r = TestClient(site.client.app).get("/app/ranking", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/app/login"


def test_another_units_page_and_item_answer_404(site: Site) -> None:
    client, _ = browser(site, "unit")
    assert client.get("/app/unit/daiyue").status_code == 404
    assert client.get("/app/unit/daiyue/item/2.1").status_code == 404


def test_a_script_in_evidence_text_is_rendered_inert(site: Site) -> None:
    site.app.record_occurrence(unit="taishan", item="2.1", on=__import__("datetime").date.fromisoformat(DAY),
                               evidence="<script>alert('x')</script>", note="<img src=x onerror=alert(1)>",
                               actor="clerk")
    client, _ = browser(site, "unit")
    page = client.get("/app/unit/taishan").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "script-src 'self'" in client.get("/app/unit/taishan").headers["content-security-policy"]


def test_a_form_posted_without_the_csrf_field_is_refused_and_records_nothing(site: Site) -> None:
    client, _ = browser(site, "clerk")
    r = client.post("/app/record", data={"unit": "taishan", "item": "2.1", "on": DAY, "evidence": "e"})
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert site.app.refresh().db.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == 0


def test_the_login_form_carries_a_token_bound_to_the_browsers_pre_session_cookie(site: Site) -> None:
    client = TestClient(site.client.app, base_url="http://testserver")
    token = login_token(client)
    pre = client.cookies.get("hl_login")
    assert pre and token not in pre
    page = client.get("/app/login")
    assert token in page.text  # the same browser keeps its pre-session: reloading does not break an open form
    r = client.post("/app/login", data={"csrf": token, "login": "clerk", "password": PW}, follow_redirects=False)
    assert r.status_code == 303 and client.cookies.get("hl_session")


@pytest.mark.parametrize("forged", ["missing", "another browser's", "a session's"])
def test_a_login_form_posted_without_its_own_token_is_refused_and_opens_no_session(site: Site, forged: str) -> None:
    # Login CSRF: another site posts its own account's password into the victim's browser.
    victim = TestClient(site.client.app, base_url="http://testserver")
    login_token(victim)  # the victim has a pre-session cookie of its own
    attacker = TestClient(site.client.app, base_url="http://testserver")
    tokens = {"missing": None, "another browser's": login_token(attacker),
              "a session's": browser(site, "viewer")[1]}
    data = {"login": "clerk", "password": PW} | ({"csrf": tokens[forged]} if tokens[forged] else {})
    r = victim.post("/app/login", data=data, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert "hl_session" not in r.headers.get("set-cookie", "") and not victim.cookies.get("hl_session")
    assert victim.get("/app/ranking", follow_redirects=False).headers["location"] == "/app/login"


def test_the_api_login_accepts_only_json_which_another_site_cannot_post_without_asking(site: Site) -> None:
    # A cross-site form can send text/plain or form data without a CORS preflight; never application/json.
    client = TestClient(site.client.app, base_url="http://testserver")
    for kind in ("text/plain", "application/x-www-form-urlencoded"):
        r = client.post("/api/v1/session", content=f'{{"login": "clerk", "password": "{PW}"}}'.encode(),
                        headers={"content-type": kind})
        assert r.status_code == 422 and not client.cookies.get("hl_session")


def test_the_record_form_shows_a_refusal_in_place_and_keeps_what_was_typed(site: Site) -> None:
    client, csrf = browser(site, "clerk")
    r = client.post("/app/record", data={"csrf": csrf, "unit": "taishan", "item": "2.1", "on": DAY,
                                         "evidence": " ", "note": "我的备注"})
    assert r.status_code == 422
    assert "the evidence reference is empty" in r.text and 'value="我的备注"' in r.text
    ok = client.post("/app/record", data={"csrf": csrf, "unit": "taishan", "item": "2.1", "on": DAY,
                                          "evidence": "工单1"})
    assert ok.status_code == 200 and "已录入" in ok.text


def _import(client: TestClient, csrf: str, name: str, body: bytes, kind: str = "events") -> str:
    """Post the 导入 form; it answers at once with the job's status page (303). Returns that page's path."""
    r = client.post("/app/import", data={"csrf": csrf, "kind": kind},
                    files={"file": (name, io.BytesIO(body), "text/csv")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/app/import/"), r.text[:300]
    return r.headers["location"]


def test_an_import_with_two_bad_rows_names_both_and_applies_nothing(site: Site) -> None:
    client, csrf = browser(site, "clerk")
    body = (f"单位,项目,日期,次数,证据,备注\n泰山区,2.1,{DAY},1,工单9,\n无此区,2.1,{DAY},1,工单9,\n"
            f"泰山区,9.9,{DAY},1,工单9,\n").encode()
    page = _import(client, csrf, "bad.csv", body)
    assert site.client.app.state.service.imports.wait(page.rsplit("/", 1)[1])["state"] == "refused"
    r = client.get(page)
    assert r.status_code == 422
    assert "bad.csv:3:单位" in r.text and "bad.csv:4:项目" in r.text and "/tmp" not in r.text
    assert site.app.refresh().db.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == 0


def test_a_large_import_tells_its_status_rows_read_while_it_runs_then_its_counts(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    import web.import_jobs as jobs_module

    monkeypatch.setattr(jobs_module, "WRITE_EVERY", 0)  # keep every status the job writes, to look at them
    jobs = site.client.app.state.service.imports
    written: list[dict[str, object]] = []
    table = type(jobs.credentials)  # the worker writes through its own application's table of the same kind
    put = table.put
    monkeypatch.setattr(table, "put", lambda self, kind, key, account, text: (
        written.append(json.loads(text)) if kind == "import" else None, put(self, kind, key, account, text)))
    rows = 25_000
    body = ("单位,项目,日期,次数,证据,备注\n" + "".join(f"泰山区,2.1,{DAY},1,工单{n},\n" for n in range(rows))).encode()
    client, csrf = browser(site, "clerk")
    page = _import(client, csrf, "全年扣分.csv", body)
    job = page.rsplit("/", 1)[1]
    done = jobs.wait(job, timeout=300)
    assert done["state"] == "done" and done["counts"]["new"] == rows and done["read"] == rows
    assert done["applied"] == rows and done["by"] == "clerk"
    # while it ran, the status said how far it had read: every 10,000 rows (the reader's step)
    assert [w["read"] for w in written if w["state"] == "running" and w["read"]][:2] == [10_000, 20_000]
    shown = client.get(page)
    assert shown.status_code == 200 and f"新增 {rows}" in shown.text and 'id="refresh"' not in shown.text
    assert client.get(f"/api/v1/imports/{job}").json()["counts"]["new"] == rows  # the status resource
    assert site.app.refresh().db.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == rows
    (by,) = site.app.refresh().db.execute("SELECT DISTINCT authenticated_as FROM log WHERE type='OccurrenceRecorded'"
                                          ).fetchone()
    assert by == "clerk"


def test_a_work_order_export_imported_from_the_page_ends_with_its_counts_and_a_second_import_changes_nothing(
        site: Site) -> None:
    client, csrf = browser(site, "clerk")
    jobs = site.client.app.state.service.imports
    with open("tests/data/workorders_small.csv", "rb") as f:
        body = f.read()
    first = _import(client, csrf, "工单.csv", body, kind="workorders")
    done = jobs.wait(first.rsplit("/", 1)[1])
    assert done["state"] == "done" and done["kind"] == "workorders"
    assert (done["counts"]["new"], done["read"], done["applied"]) == (6, 6, 6)  # the file's 6 orders
    # the read model's catch-up told the status how far it had applied: to the store's last event
    assert done["total"] == site.app.recorder.max_notification_id()
    assert "新增 6，变更 0，未变 0" in client.get(first).text
    again = jobs.wait(_import(client, csrf, "工单.csv", body, kind="workorders").rsplit("/", 1)[1])
    assert (again["counts"]["new"], again["counts"]["unchanged"], again["applied"]) == (0, 6, 0)
    assert site.app.refresh().db.execute("SELECT COUNT(*) FROM workorders").fetchone()[0] == 6


def test_a_running_imports_page_has_a_refresh_link_and_polls_its_status_resource(site: Site) -> None:
    jobs = site.client.app.state.service.imports
    job = "0123456789abcdef0123456789abcdef"
    jobs._write({"id": job, "kind": "workorders", "file": "工单.xlsx", "by": "clerk", "state": "running",
                 "read": 30_000, "applied": 0, "total": None, "counts": None, "error": None, "rows": [],
                 "started_at": "2025-03-04T09:00:00+08:00", "finished_at": None})
    client, _ = browser(site, "clerk")
    page = client.get(f"/app/import/{job}").text
    assert '<strong id="job-read">30000</strong> 行' in page
    assert f'<a href="/app/import/{job}" id="refresh">刷新</a>' in page  # without JavaScript
    assert f'data-status="/api/v1/imports/{job}"' in page and '<script src="/app/static/import.js"' in page
    assert client.get("/app/static/import.js").status_code == 200
    assert client.get("/app/import/ffffffffffffffffffffffffffffffff").status_code == 404
    assert client.get("/api/v1/imports/not-a-job").status_code == 404
    unit, _ = browser(site, "unit")
    assert unit.get(f"/app/import/{job}").status_code == 403


def test_a_unit_files_a_dispute_with_a_pdf_and_a_clerk_decides_it_in_the_queue(site: Site) -> None:
    occ = site.occurrence(count=2)
    unit, csrf = browser(site, "unit")
    r = unit.post("/app/disputes", data={"csrf": csrf, "target": occ[:8], "reason": "已整改", "evidence": "说明函"},
                  files={"file": ("说明函.pdf", io.BytesIO(b"%PDF-1.4 letter"), "application/pdf")})
    assert r.status_code == 200 and "已提交申诉" in r.text and "说明函.pdf" in r.text
    (dispute,) = site.app.refresh().db.execute("SELECT id FROM disputes").fetchall()
    clerk, ccsrf = browser(site, "clerk")
    assert dispute[0][:8] in clerk.get("/app/queue").text
    done = clerk.post(f"/app/disputes/{dispute[0]}/decide", data={"csrf": ccsrf, "decision": "accept",
                                                                    "reason": "属实"})
    assert done.status_code == 200 and "已处理" in done.text
    page = unit.get("/app/unit/taishan").text
    assert "申诉成立" in page and "属实" in page


def _summary(page: str, code: str) -> str:
    found = re.search(rf'/item/{re.escape(code)}\?year=\d+">{re.escape(code)}</a>(.*?)</summary>', page, re.S)
    assert found, code
    return " ".join(found.group(1).split())


def test_a_pool_members_line_shows_its_own_deduction_not_the_pools_points(site: Site) -> None:
    site.occurrence(item="3.2.1.1", count=45)  # per block of 20: ⌊45 / 20⌋ × 0.10 = 0.20 off pool 3.2
    site.occurrence(item="2.4", count=1)  # 1 × 0.50 = 0.50 off section 2 (a pool too)
    client, _ = browser(site, "clerk")
    page = client.get("/app/unit/taishan").text
    assert _summary(page, "3.2.1.1").endswith("扣 0.20（45 次），从 3.2 中扣除</span>")
    assert _summary(page, "2.4").endswith("扣 0.50（1 次），从 2 中扣除</span>")
    assert _summary(page, "3.2.1.2").endswith("扣 0.00（0 次），从 3.2 中扣除</span>")
    assert "/ 30.00" not in _summary(page, "3.2.1.1") and "/ 55.00" not in _summary(page, "2.4")
    trace = site.client.get("/api/v1/trace", params={"year": DAY[:4], "unit": "taishan"},
                            headers=site.as_("clerk")).json()
    for item in trace["items"]:  # every member line says what trace JSON says of that member
        if "pool" in item:
            own = f"扣 {item['deducted']}（{item['count']} 次），从 {item['pool']} 中扣除"
            assert own in _summary(page, item["code"])
    detail = " ".join(client.get("/app/unit/taishan/item/3.2.1.1").text.split())
    assert '<dt>扣分</dt><dd class="member"><strong>0.20</strong>（45 次），从 <a href=' in detail
    assert "<dt>得分</dt>" not in detail


def _dispute_cell(page: str, occurrence: str) -> str:
    row = re.search(rf'<tr class="event" data-id="{occurrence}">(.*?)</tr>', page, re.S)
    assert row, occurrence
    return row.group(1)


def test_the_dispute_button_is_offered_only_where_the_use_case_would_take_a_dispute(site: Site) -> None:
    accepted, rejected, opened, fresh = (site.occurrence() for _ in range(4))
    for target, decision in ((accepted, "accept"), (rejected, "reject"), (opened, None)):
        did = site.app.open_dispute(event_id=target, reason="已整改", evidence="说明", actor="unit")
        if decision:
            site.app.decide_dispute(dispute_id=did, decision=decision, reason="核实", actor="clerk")
    unit, _ = browser(site, "unit")
    for page in ("/app/unit/taishan", "/app/unit/taishan/item/2.1"):
        text = unit.get(page).text
        cells = {name: _dispute_cell(text, occ) for name, occ in
                 (("accepted", accepted), ("rejected", rejected), ("opened", opened), ("fresh", fresh))}
        assert "申诉成立" in cells["accepted"] and "核实" in cells["accepted"]
        assert "/app/disputes?target=" not in cells["accepted"] and "不可申诉" in cells["accepted"]
        assert "申诉中" in cells["opened"] and "待处理" in cells["opened"]
        assert "/app/disputes?target=" not in cells["opened"]
        assert f"/app/disputes?target={rejected}" in cells["rejected"]  # rejected: a new dispute may follow
        assert f"/app/disputes?target={fresh}" in cells["fresh"]
    viewer, _ = browser(site, "viewer")  # may not dispute: no button, nothing asked
    assert "/app/disputes?target=" not in viewer.get("/app/unit/taishan").text


def test_disputing_an_accepted_record_again_is_a_conflict_and_records_nothing(site: Site) -> None:
    occ = site.occurrence()
    did = site.app.open_dispute(event_id=occ, reason="已整改", evidence="说明", actor="unit")
    site.app.decide_dispute(dispute_id=did, decision="accept", reason="核实", actor="clerk")
    before = site.app.recorder.max_notification_id()
    r = site.client.post("/api/v1/disputes", headers=site.as_("unit"),
                         json={"target": occ, "reason": "再次", "evidence": "说明"})
    assert r.status_code == 409 and "was accepted" in r.json()["error"]
    assert site.app.recorder.max_notification_id() == before


def test_logging_out_from_the_page_ends_the_session(site: Site) -> None:
    client, csrf = browser(site, "auditor")
    cookie = client.cookies.get("hl_session")
    r = client.post("/app/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    replay = TestClient(site.client.app, cookies={"hl_session": cookie})  # the old cookie, kept by an attacker
    assert replay.get("/app/ranking", follow_redirects=False).status_code == 303

