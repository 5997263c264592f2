"""The JSON API (CLI.md, "Accounts, the web service and its API") through FastAPI's TestClient, on both backends.

Hand-checked figures: item 2.1 (Tai'an) has 3.00 points and deducts 0.10 per occurrence, so one
occurrence of count 2 leaves 2.80, and accepting its dispute restores 3.00.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import items_of, unit_of
from tests.e2e.web_support import DAY, PW, ROLES, YEAR, Site, make_site

API = "/api/v1"


@pytest.fixture
def site(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    return make_site(store_url, monkeypatch)


def _csv(note: str) -> dict[str, Any]:
    body = f"单位,项目,日期,次数,证据,备注\n泰山区,2.1,{DAY},1,工单9,{note}\n".encode()
    return {"file": ("events.csv", io.BytesIO(body), "text/csv")}


def _occurrences(site: Site) -> list[dict[str, Any]]:
    """The occurrences in the log (the ruleset and the accounts are events too)."""
    return [e for e in site.client.get(f"{API}/log", headers=site.as_("clerk")).json()
            if e["type"] == "OccurrenceRecorded"]


# ── the role × route matrix ─────────────────────────────────────────────────
Call = Callable[[Site, str, dict[str, str]], int]


def _get(path: str, **params: Any) -> Call:
    """A GET of ``path`` (with query ``params``)."""
    return lambda site, role, h: site.client.get(f"{API}{path}", params=params or None, headers=h).status_code


def _post(path: str, body: dict[str, Any]) -> Call:
    """A POST of the JSON ``body`` to ``path``."""
    return lambda site, role, h: site.client.post(f"{API}{path}", headers=h, json=body).status_code


def _retract(site: Site, role: str, h: dict[str, str]) -> int:
    body = {"id": site.occurrence(), "reason": "误录"}
    return site.client.post(f"{API}/retractions", headers=h, json=body).status_code


def _dispute(site: Site, role: str, h: dict[str, str]) -> int:
    return site.client.post(f"{API}/disputes", headers=h, json={"target": site.occurrence(), "reason": "已整改",
                                                                "evidence": "截图"}).status_code


def _decide(site: Site, role: str, h: dict[str, str]) -> int:
    opened = site.app.open_dispute(event_id=site.occurrence(), reason="r", evidence="e", actor="unit")
    return site.client.post(f"{API}/disputes/{opened}/decision", headers=h,
                            json={"decision": "reject", "reason": "证据不足"}).status_code


def _upload(site: Site, role: str, h: dict[str, str]) -> int:
    return site.client.post(f"{API}/evidence", headers=h,
                            files={"file": ("a.pdf", io.BytesIO(b"%PDF-1.4 " + role.encode()), "application/pdf")}
                            ).status_code


def _download(site: Site, role: str, h: dict[str, str]) -> int:
    c = site.client
    up = c.post(f"{API}/evidence", headers=site.as_("clerk"),
                files={"file": ("b.pdf", io.BytesIO(b"%PDF-1.4 shown " + role.encode()), "application/pdf")})
    sha = up.json()["sha256"]
    c.post(f"{API}/occurrences", headers=site.as_("clerk"),
           json={"unit": "taishan", "item": "2.1", "date": DAY, "evidence": "e", "attachments": [sha]})
    return c.get(f"{API}/evidence/{sha}", headers=h).status_code


def _import_events(site: Site, role: str, h: dict[str, str]) -> int:
    return site.client.post(f"{API}/imports/events", headers=h, files=_csv(role)).status_code


def _import_workorders(site: Site, role: str, h: dict[str, str]) -> int:
    with open("tests/data/workorders_small.csv", "rb") as f:
        return site.client.post(f"{API}/imports/workorders", headers=h,
                                files={"file": ("wo.csv", f, "text/csv")}).status_code


def _import_status(site: Site, role: str, h: dict[str, str]) -> int:
    import tempfile

    c = site.client
    folder = tempfile.mkdtemp(prefix="hl-test-import-")
    with open(f"{folder}/e.csv", "wb") as out:
        out.write(_csv(f"status {role}")["file"][1].getvalue())
    job = c.app.state.service.imports.start(site.app, "events", f"{folder}/e.csv", folder, "e.csv", "clerk")
    got = c.get(f"{API}/imports/{job}", headers=h).status_code
    assert c.app.state.service.imports.wait(job)["state"] == "done"
    return got


#: route → one call of it (each on fresh records of its own), answering the status.
CALLS: dict[str, Call] = {
    "me": _get("/me"),
    "score": _get("/score", year=YEAR),
    "trace": _get("/trace", year=YEAR, unit="taishan", item="2.1"),
    "log": _get("/log"),
    "disputes": _get("/disputes"),
    "record": _post("/occurrences", {"unit": "taishan", "item": "2.1", "date": DAY, "count": 1, "evidence": "工单",
                                     "note": ""}),
    "assess": _post("/assessments", {"unit": "taishan", "item": "1.1.1", "points": "0.25", "date": DAY,
                                     "evidence": "检查表"}),
    "retract": _retract,
    "dispute": _dispute,
    "decide": _decide,
    "upload": _upload,
    "download": _download,
    "import_events": _import_events,
    "import_workorders": _import_workorders,
    "import_status": _import_status,
    "verify": _get("/verify"),
}


def _call(site: Site, role: str, route: str) -> int:
    """Make one call of ``route`` as ``role`` (each on fresh records of its own) and return the status."""
    if route not in CALLS:
        raise AssertionError(route)
    return CALLS[route](site, role, site.as_(role))


#: route → the status for admin, clerk, unit (its own unit's records), auditor, viewer (CLI.md's role table).
MATRIX = {
    "me": (200, 200, 200, 200, 200),
    "score": (200, 200, 200, 200, 200),
    "trace": (200, 200, 200, 200, 200),
    "log": (200, 200, 200, 200, 403),
    "disputes": (200, 200, 200, 200, 403),
    "record": (201, 201, 403, 403, 403),
    "assess": (201, 201, 403, 403, 403),
    "retract": (201, 201, 403, 403, 403),
    "dispute": (201, 201, 201, 403, 403),
    "decide": (201, 201, 403, 403, 403),
    "upload": (201, 201, 201, 403, 403),
    "download": (200, 200, 200, 200, 403),
    "import_events": (200, 200, 403, 403, 403),
    "import_workorders": (200, 200, 403, 403, 403),
    "import_status": (200, 200, 403, 403, 403),
    "verify": (200, 200, 403, 200, 403),
}


def test_every_role_gets_the_contracts_answer_on_every_api_route(site: Site) -> None:
    got = {route: tuple(_call(site, role, route) for role in ROLES) for route in MATRIX}
    assert got == MATRIX


def test_every_api_route_is_in_the_matrix(site: Site) -> None:
    from web.access import RULES

    assert {n for n in RULES if n.startswith("api_")} - {"api_login", "api_logout"} == {
        f"api_{r}" for r in ("me", "score", "trace", "log", "disputes", "record", "assess", "retract",
                             "dispute_open", "dispute_decide", "evidence_upload", "evidence", "import_events",
                             "import_workorders", "import_status", "verify")}


def test_no_credentials_answer_401_on_every_protected_route(site: Site) -> None:
    for path in ("/me", f"/score?year={YEAR}", "/log", "/disputes", "/verify"):
        assert site.client.get(API + path).status_code == 401, path
    assert site.client.post(f"{API}/occurrences", json={}).status_code == 401


def test_a_wrong_token_answers_401(site: Site) -> None:
    r = site.client.get(f"{API}/me", headers={"Authorization": "Bearer abc.def"})
    assert r.status_code == 401
    assert r.json() == {"error": "unknown or revoked API token"}


# ── the same documents as the CLI ───────────────────────────────────────────
def test_the_score_and_trace_are_the_clis_documents_and_recorded_by_is_the_login(site: Site, store_url: str) -> None:
    from tests.conftest import Cli

    r = site.client.post(f"{API}/occurrences", headers=site.as_("clerk"),
                         json={"unit": "taishan", "item": "2.1", "date": DAY, "count": 2, "evidence": "工单TA-1"})
    assert r.status_code == 201
    new = r.json()["id"]
    score = site.client.get(f"{API}/score", params={"year": YEAR, "as_of": f"{YEAR}-12-31"},
                            headers=site.as_("viewer")).json()
    assert items_of(unit_of(score, "taishan"))["2.1"]["points"] == "2.80"
    cli = Cli(store_url)
    assert score == cli.json("score", "--year", YEAR, "--as-of", f"{YEAR}-12-31")
    trace = site.client.get(f"{API}/trace", params={"year": YEAR, "unit": "泰山区", "item": "2.1",
                                                     "as_of": f"{YEAR}-12-31"}, headers=site.as_("unit")).json()
    assert trace == cli.json("trace", "--year", YEAR, "--unit", "taishan", "--item", "2.1", "--as-of",
                             f"{YEAR}-12-31")
    (event,) = trace["items"][0]["events"]
    assert (event["id"], event["recorded_by"]) == (new, "clerk")


def test_an_event_written_through_the_service_is_authenticated_as_the_accounts_login(site: Site) -> None:
    r = site.client.post(f"{API}/occurrences", headers=site.as_("clerk"),
                         json={"unit": "taishan", "item": "2.1", "date": DAY, "evidence": "e"})
    assert r.status_code == 201
    (entry,) = _occurrences(site)
    assert (entry["recorded_by"], entry["authenticated_as"]) == ("clerk", "clerk")


def test_a_client_cannot_set_recorded_by(site: Site) -> None:
    r = site.client.post(f"{API}/occurrences", headers=site.as_("clerk"),
                         json={"unit": "taishan", "item": "2.1", "date": DAY, "evidence": "e", "recorded_by": "boss"})
    assert r.status_code == 422
    assert "recorded_by" in r.json()["error"]
    assert _occurrences(site) == []


def test_a_domain_refusal_is_422_with_the_clis_message(site: Site) -> None:
    r = site.client.post(f"{API}/occurrences", headers=site.as_("clerk"),
                         json={"unit": "taishan", "item": "2.1", "date": DAY, "evidence": " "})
    assert r.status_code == 422
    assert r.json() == {"error": "the evidence reference is empty: say what the record rests on (--evidence)"}


def test_a_dispute_decided_twice_answers_409(site: Site) -> None:
    did = site.client.post(f"{API}/disputes", headers=site.as_("unit"),
                           json={"target": site.occurrence(), "reason": "已整改", "evidence": "截图"}).json()["id"]
    decide = {"decision": "accept", "reason": "属实"}
    assert site.client.post(f"{API}/disputes/{did}/decision", headers=site.as_("clerk"), json=decide).status_code == 201
    again = site.client.post(f"{API}/disputes/{did}/decision", headers=site.as_("clerk"), json=decide)
    assert again.status_code == 409
    assert "already decided" in again.json()["error"]


def test_a_second_open_dispute_of_one_occurrence_answers_409(site: Site) -> None:
    body = {"target": site.occurrence(), "reason": "已整改", "evidence": "截图"}
    assert site.client.post(f"{API}/disputes", headers=site.as_("unit"), json=body).status_code == 201
    assert site.client.post(f"{API}/disputes", headers=site.as_("unit"), json=body).status_code == 409


def test_an_import_with_bad_rows_lists_every_row_and_applies_nothing(site: Site) -> None:
    body = (f"单位,项目,日期,次数,证据,备注\n泰山区,2.1,{DAY},1,工单9,\n无此区,2.1,{DAY},1,工单9,\n"
            f"泰山区,9.9,{DAY},1,工单9,\n").encode()
    r = site.client.post(f"{API}/imports/events", headers=site.as_("clerk"),
                         files={"file": ("bad.csv", io.BytesIO(body), "text/csv")})
    assert r.status_code == 422
    rows = r.json()["rows"]
    assert len(rows) == 2 and rows[0].startswith("bad.csv:3:") and rows[1].startswith("bad.csv:4:"), rows
    assert _occurrences(site) == []


# ── unit isolation ──────────────────────────────────────────────────────────
def test_another_units_trace_answers_404(site: Site) -> None:
    r = site.client.get(f"{API}/trace", params={"year": YEAR, "unit": "daiyue"}, headers=site.as_("unit"))
    assert r.status_code == 404


def test_another_units_log_answers_404_and_the_own_log_has_only_own_events(site: Site) -> None:
    site.occurrence("taishan")
    site.occurrence("daiyue")
    assert site.client.get(f"{API}/log", params={"unit": "daiyue"}, headers=site.as_("unit")).status_code == 404
    own = site.client.get(f"{API}/log", headers=site.as_("unit")).json()
    assert {e["unit"] for e in own} == {"taishan"}


def test_disputing_another_units_occurrence_answers_404_and_records_nothing(site: Site) -> None:
    theirs = site.occurrence("daiyue")
    r = site.client.post(f"{API}/disputes", headers=site.as_("unit"),
                         json={"target": theirs, "reason": "x", "evidence": "y"})
    assert r.status_code == 404
    assert site.client.get(f"{API}/disputes", headers=site.as_("clerk")).json() == []


def test_another_units_disputes_are_not_listed_and_asking_for_them_answers_404(site: Site) -> None:
    site.app.open_dispute(event_id=site.occurrence("daiyue"), reason="r", evidence="e", actor="daiyue")
    mine = site.app.open_dispute(event_id=site.occurrence("taishan"), reason="r", evidence="e", actor="unit")
    assert [d["id"] for d in site.client.get(f"{API}/disputes", headers=site.as_("unit")).json()] == [mine]
    assert site.client.get(f"{API}/disputes", params={"unit": "岱岳区"}, headers=site.as_("unit")).status_code == 404


def test_a_units_ranking_shows_other_units_totals_but_not_their_event_ids(site: Site) -> None:
    theirs, mine = site.occurrence("daiyue"), site.occurrence("taishan")
    doc = site.client.get(f"{API}/score", params={"year": YEAR, "as_of": f"{YEAR}-12-31"},
                          headers=site.as_("unit")).json()
    assert items_of(unit_of(doc, "daiyue"))["2.1"]["points"] == "2.90"
    assert "events" not in items_of(unit_of(doc, "daiyue"))["2.1"]
    assert items_of(unit_of(doc, "taishan"))["2.1"]["events"] == [mine]
    assert theirs not in str(doc)


def test_another_units_evidence_answers_404(site: Site) -> None:
    up = site.client.post(f"{API}/evidence", headers=site.as_("daiyue"),
                          files={"file": ("theirs.pdf", io.BytesIO(b"%PDF-1.4 daiyue"), "application/pdf")}).json()
    site.client.post(f"{API}/disputes", headers=site.as_("daiyue"),
                     json={"target": site.occurrence("daiyue"), "reason": "r", "evidence": "e",
                           "attachments": [up["sha256"]]})
    assert site.client.get(f"{API}/evidence/{up['sha256']}", headers=site.as_("daiyue")).status_code == 200
    assert site.client.get(f"{API}/evidence/{up['sha256']}", headers=site.as_("unit")).status_code == 404


# ── evidence ────────────────────────────────────────────────────────────────
def test_evidence_is_served_only_as_an_attachment_download(site: Site) -> None:
    page = b"<html><script>alert(1)</script></html>"
    up = site.client.post(f"{API}/evidence", headers=site.as_("unit"),
                          files={"file": ("x.html", io.BytesIO(page), "text/html")}).json()
    assert up["name"] == "x.html" and up["size"] == len(page)
    did = site.client.post(f"{API}/disputes", headers=site.as_("unit"),
                           json={"target": site.occurrence(), "reason": "r", "evidence": "e",
                                 "attachments": [up["sha256"]]})
    assert did.status_code == 201
    r = site.client.get(f"{API}/evidence/{up['sha256']}", headers=site.as_("auditor"))
    assert r.status_code == 200 and r.content == page
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_an_unknown_attachment_is_refused_and_records_nothing(site: Site) -> None:
    r = site.client.post(f"{API}/occurrences", headers=site.as_("clerk"),
                         json={"unit": "taishan", "item": "2.1", "date": DAY, "evidence": "e",
                               "attachments": ["0" * 64]})
    assert r.status_code == 422
    assert _occurrences(site) == []


# ── sessions ────────────────────────────────────────────────────────────────
def test_a_login_sets_an_httponly_samesite_cookie_and_returns_a_csrf_token(site: Site) -> None:
    r = site.login("clerk")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "hl_session=" in cookie
    assert PW not in cookie
    assert site.client.get(f"{API}/me").json() == {"login": "clerk", "name": "", "role": "clerk", "unit": None}
    assert len(r.json()["csrf"]) == 64


def test_a_session_write_without_the_csrf_token_is_refused_and_records_nothing(site: Site) -> None:
    site.login("clerk")
    body = {"unit": "taishan", "item": "2.1", "date": DAY, "evidence": "e"}
    r = site.client.post(f"{API}/occurrences", json=body)
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    assert site.client.post(f"{API}/occurrences", json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert _occurrences(site) == []


def test_a_session_write_with_the_csrf_token_is_recorded_under_the_login(site: Site) -> None:
    csrf = site.login("clerk").json()["csrf"]
    body = {"unit": "taishan", "item": "2.1", "date": DAY, "evidence": "e"}
    assert site.client.post(f"{API}/occurrences", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert [e["recorded_by"] for e in _occurrences(site)] == ["clerk"]


def test_logging_out_ends_the_session_for_every_process(site: Site, store_url: str) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app

    csrf = site.login("clerk").json()["csrf"]
    cookie = site.client.cookies.get("hl_session")
    other = TestClient(create_app(store_url))  # a second serve process on the same store
    other.cookies.set("hl_session", cookie)
    assert other.get(f"{API}/me").status_code == 200
    assert site.client.delete(f"{API}/session", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert other.get(f"{API}/me").status_code == 401


def test_an_idle_session_expires(site: Site) -> None:
    site.login("clerk")
    sessions = site.client.app.state.service.sessions
    sessions.clock = lambda: __import__("time").time() + sessions.idle + 1
    assert site.client.get(f"{API}/me").status_code == 401


def test_a_login_with_a_nul_character_is_a_wrong_login_not_a_server_error(site: Site) -> None:
    # schemathesis found it: PostgreSQL text cannot hold NUL, and the failed attempt is counted in the store.
    for login in ("\x00", "clerk\x00"):
        r = site.client.post(f"{API}/session", json={"login": login, "password": PW})
        assert r.status_code == 401, r.text
    assert site.login("clerk").status_code == 200


def test_a_wrong_password_is_401(site: Site) -> None:
    r = site.login("clerk", "not the password")
    assert r.status_code == 401 and r.json() == {"error": "wrong login or password"}


def test_too_many_failed_logins_for_an_account_answer_429_even_with_the_right_password(site: Site) -> None:
    for _ in range(5):
        assert site.login("clerk", "wrong password!").status_code == 401
    r = site.login("clerk")
    assert r.status_code == 429
    assert "hl_session" not in r.headers.get("set-cookie", "")


def test_too_many_failed_logins_from_one_address_answer_429(site: Site) -> None:
    for n in range(20):
        assert site.login(f"nobody{n}", "wrong password!").status_code == 401
    assert site.login("auditor").status_code == 429


def test_a_disabled_account_is_refused_on_its_next_request_session_and_token(site: Site) -> None:
    site.login("unit")
    assert site.client.get(f"{API}/me").status_code == 200
    site.app.disable_account("unit", "root")
    assert site.client.get(f"{API}/me").status_code == 401
    assert site.client.get(f"{API}/me", headers=site.as_("unit")).status_code == 401
    assert site.login("unit").status_code == 401


def test_every_response_carries_the_security_headers(site: Site) -> None:
    for r in (site.client.get(f"{API}/me"), site.client.get(f"{API}/me", headers=site.as_("viewer"))):
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
