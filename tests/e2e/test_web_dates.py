"""One date parser (``ledger.domain.dates``) for every front: the CLI, the pages and the API take exactly
``YYYY-MM-DD`` and refuse anything else with the same Chinese message, recording nothing.

``date.fromisoformat`` alone would take ``20250304`` and ``2025-W10-2``; pydantic would take a Unix timestamp.
"""

from __future__ import annotations

import html

import pytest

from tests.conftest import Cli
from tests.e2e.test_web_pages import browser
from tests.e2e.web_support import DAY, YEAR, Site, make_site

NOT_DATES = [f"{YEAR}0304", f"{YEAR}-W10-2", f"{YEAR}-3-4", f"{YEAR}-02-30"]


@pytest.fixture
def site(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the suite reads English; this test reads what a Chinese reader sees
    return make_site(store_url, monkeypatch)


def _message(text: str) -> str:
    """The message, written out (not taken from the code under test)."""
    return f"'{text}' 不是日期：请写成 YYYY-MM-DD（如 2025-03-04）"


def _events(site: Site) -> int:
    return site.app.recorder.max_notification_id()


@pytest.mark.parametrize("text", NOT_DATES)
def test_the_cli_the_record_form_and_the_api_refuse_a_non_date_alike(site: Site, store_url: str, text: str) -> None:
    before = _events(site)
    result = Cli(store_url)("record", "--unit", "taishan", "--item", "2.1", "--date", text, "--evidence", "工单1")
    assert result.exit_code == 2 and _message(text) in result.stderr

    client, csrf = browser(site, "clerk")
    form = {"csrf": csrf, "unit": "taishan", "item": "2.1", "on": text, "evidence": "工单1", "count": "1"}
    page = client.post("/app/record", data=form)
    assert page.status_code == 422 and _message(text) in html.unescape(page.text)
    assess = client.post("/app/assess", data={**form, "item": "1.2.1", "points": "0.5"})
    assert assess.status_code == 422 and _message(text) in html.unescape(assess.text)

    api = site.client.post("/api/v1/occurrences", headers=site.as_("clerk"),
                           json={"unit": "taishan", "item": "2.1", "date": text, "evidence": "工单1"})
    assert api.status_code == 422 and _message(text) in api.json()["error"]
    assert _events(site) == before


def test_the_api_refuses_a_unix_timestamp_for_a_date(site: Site) -> None:
    before = _events(site)
    r = site.client.post("/api/v1/occurrences", headers=site.as_("clerk"),
                         json={"unit": "taishan", "item": "2.1", "date": 1741046400, "evidence": "工单1"})
    assert r.status_code == 422 and _message("1741046400") in r.json()["error"]
    assert _events(site) == before


def test_reading_filters_take_the_same_dates(site: Site) -> None:
    bad = f"{YEAR}-W10-2"
    for path in (f"/api/v1/score?year={YEAR}&as_of={bad}", f"/api/v1/trace?year={YEAR}&unit=taishan&as_of={bad}",
                 f"/api/v1/log?since={bad}"):
        r = site.client.get(path, headers=site.as_("clerk"))
        assert r.status_code == 422 and _message(bad) in r.json()["error"], path
    assert site.client.get(f"/api/v1/log?since={DAY}", headers=site.as_("clerk")).status_code == 200
    client, _ = browser(site, "clerk")
    page = client.get(f"/app/log?since={bad}")
    assert page.status_code == 422 and _message(bad) in html.unescape(page.text)
    assert client.get(f"/app/log?since={DAY}").status_code == 200


def test_a_date_written_yyyy_mm_dd_is_recorded_through_the_form(site: Site) -> None:
    client, csrf = browser(site, "clerk")
    r = client.post("/app/record", data={"csrf": csrf, "unit": "taishan", "item": "2.1", "on": f" {DAY} ",
                                         "evidence": "工单1", "count": "1"})
    assert r.status_code == 200 and "已录入" in r.text
    (on,) = site.app.refresh().db.execute("SELECT date FROM occurrences").fetchone()
    assert on == DAY
