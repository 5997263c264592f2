"""The 排名 page: 其中加分 after 总分 (section 5 already holds the bonus), and each unit's change since the end of
last month, read with the bulletin's comparison (projections/bulletin.py ``ranking_with_change``)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest

from ledger.usecases.reads import today
from tests.e2e.test_web_pages import browser
from tests.e2e.web_support import YEAR, Site, make_site


@pytest.fixture
def site(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    return make_site(store_url, monkeypatch)


def _rows(page: str) -> tuple[list[str], dict[str, list[str]]]:
    """The ranking table's header cells and each unit's cells (text only), by unit name."""
    table = re.search(r'<table id="units">(.*?)</table>', page, re.S)
    assert table, page[:500]
    cell = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)

    def text(html: str) -> str:
        return unescape(re.sub(r"<[^>]+>", "", html)).strip()

    head = [text(c) for c in cell.findall(re.search(r"<thead>(.*?)</thead>", table.group(1), re.S).group(1))]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S).group(1), re.S):
        cells = [text(c) for c in cell.findall(tr)]
        rows[cells[1]] = cells
    return head, rows


def test_the_bonus_is_shown_after_the_total_as_of_which_and_the_sections_add_up_to_the_total(site: Site) -> None:
    site.app.record_occurrence(unit="taishan", item="5.1", on=date(YEAR, 1, 2), evidence="市领导批示（表扬）",
                               count=1, actor="clerk")
    client, _ = browser(site, "viewer")
    head, rows = _rows(client.get(f"/app/ranking?year={YEAR}").text)
    total, bonus = head.index("总分"), head.index("其中加分")
    assert bonus == total + 1 and "加分" not in head[:total]
    taishan = rows["泰山区"]
    sections = taishan[3:total]
    # Section 5 holds the bonus: 4.00 + 1.00 = 5.00; the sections alone add up to the total.
    assert sections[-1] == "5.00" and taishan[bonus] == "1.00"
    assert sum(Decimal(s) for s in sections if s) == Decimal(taishan[total])


def test_the_change_since_last_month_is_the_bulletins(site: Site) -> None:
    day = min(today(), date(YEAR, 12, 31))
    if day.month == 1:
        pytest.skip("January: the scoring year has no earlier month to compare with")
    before = day.replace(day=1) - timedelta(days=1)
    # One deduction of 0.10 (2.1) dated this month: not in last month's standing, in today's.
    site.app.record_occurrence(unit="taishan", item="2.1", on=day, evidence="工单TA-本月", count=1, actor="clerk")
    client, _ = browser(site, "viewer")
    page = client.get(f"/app/ranking?year={YEAR}").text
    head, rows = _rows(page)
    assert f"与上月末 {before.isoformat()} 相比" in page
    taishan, daiyue = rows["泰山区"], rows["岱岳区"]
    previous, change = head.index("上月末总分（名次）"), head.index("较上月")
    assert taishan[change] == "-0.10" and daiyue[change] == "+0.00"
    # Last month's end: 泰山区 had not lost the 0.10 yet; every unit scored alike, all ranked first then.
    then_total = Decimal(taishan[head.index("总分")]) + Decimal("0.10")
    assert taishan[previous] == f"{then_total}（1）"
    # Today it ranks last of eight: moved down by 7 places (shown beside the rank).
    assert taishan[0] == "8 (-7)"
