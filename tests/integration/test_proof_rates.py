"""The proof checker's rates (projections/proof_rates.py) agree with the read model's, on both backends.

``proof check`` counts a unit's rates straight from the fact rows of its proof file, a second
implementation of the ruleset's rate definitions; ``score`` counts them through the read model's
compiled tests and daily tallies. Here both count the same ledgers — the demo year month by
month, Lianyungang's ruleset (monthly averages), a ruleset of declared rates over an extra column
with weights and screenings, and random exports (hypothesis) — and every unit's volume, yearly
counts, monthly counts and pending rates must be equal. A small case is also counted by hand.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.workorders import WorkOrderFactsRecorded
from ledger.rulesets.loading import builtin_text
from ledger.usecases.demo import record_demo_year
from ledger.usecases.imports.workorder_import import import_workorders
from projections.facts import calendar_of, gather
from projections.order_rates import monthly_codes
from projections.proof_orders import order_book
from projections.proof_rates import RateNotCheckable, proven_rates
from projections.reading import open_reading
from projections.unit_facts import RateCounts, UnitFacts

FACTS_TOPIC = get_topic(WorkOrderFactsRecorded)
HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
          "是否计入统计", "解决情况"]


def proof_events(app: Any) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """Every stored event as a proof file shows it (notification id, topic, originator, plain JSON), and the
    work-order chunks parsed."""
    events, chunks, start = [], {}, None
    while True:
        page = app.recorder.select_notifications(start=start, limit=500, inclusive_of_start=False)
        for n in page:
            plain = app.mapper.plain_bytes(n.state).decode()
            events.append({"notification_id": n.id, "topic": n.topic, "plain": plain,
                           "originator_id": str(UUID(str(n.originator_id)))})
            if n.topic == FACTS_TOPIC:
                chunks[n.id] = json.loads(plain)
        if len(page) < 500:
            return events, chunks
        start = page[-1].id


def _typed(counts: RateCounts) -> tuple[type, Any, int]:
    return type(counts.numerator), counts.numerator, counts.denominator


def assert_agree(app: Any, year: int, as_of: date) -> dict[str, Any]:
    """Both implementations' figures for every unit, asserted equal; the checker's, by unit."""
    read = open_reading(app, year, as_of)
    ruleset = read.ruleset
    facts = gather(read.db, ruleset, year, as_of)
    book = order_book(*proof_events(app))
    monthly = monthly_codes(ruleset)
    out = {}
    for u in ruleset.units:
        mine = proven_rates(ruleset, book, u.code, year, as_of, calendar_of(read.db))
        theirs = facts.get(u.code, UnitFacts())
        assert (mine.volume, mine.pending) == (theirs.volume, theirs.rate_pending), (u.code, as_of)
        for d in ruleset.rates:
            if d.code in mine.pending:
                continue
            assert _typed(mine.rates[d.code]) == _typed(theirs.rates.get(d.code, RateCounts(0, 0))), (u.code, d.code)
            if d.code in monthly:
                assert {m: _typed(c) for m, c in mine.monthly[d.code].items()} == \
                    {m: _typed(c) for m, c in theirs.monthly_rates.get(d.code, {}).items()}, (u.code, d.code, as_of)
        out[u.code] = mine
    return out


def write_export(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER[:len(rows[0])], *rows])
    return str(path)


def screen(app: Any, order_id: str, rate: str, decision: str, filed_on: date) -> None:
    dispute = app.open_screening(order_id=order_id, rate=rate, reason="非本单位职责", evidence="转办记录",
                                 actor="tester", filed_on=filed_on)
    app.decide_dispute(dispute_id=dispute, decision=decision, reason="核实", actor="tester")


def test_the_demo_year_agrees_month_by_month_with_screenings(ledger: Any) -> None:
    record_demo_year(ledger, 2025, "tester")
    db = ledger.refresh().db
    orders = db.execute("SELECT order_id, completed_at FROM workorders WHERE unit='xintai' AND counted=1 "
                        "AND satisfaction='不满意' ORDER BY order_id LIMIT 3").fetchall()
    filed = [date.fromisoformat(c[:10]) + timedelta(days=1) for _o, c in orders]
    before = assert_agree(ledger, 2025, date(2025, 12, 31))["xintai"].rates["satisfaction"]
    screen(ledger, orders[0][0], "satisfaction", "accept", filed[0])
    screen(ledger, orders[1][0], "satisfaction", "reject", filed[1])
    screen(ledger, orders[2][0], "reply", "accept", filed[2])  # out of the reply rate, not of satisfaction
    for month in range(1, 13):
        end = date(2025, month + 1, 1) - timedelta(days=1) if month < 12 else date(2025, 12, 31)
        figures = assert_agree(ledger, 2025, end)
    # The accepted satisfaction screening takes one dissatisfied order out of both counts; the others do not.
    assert figures["xintai"].rates["satisfaction"] == RateCounts(before.numerator, before.denominator - 1)
    assert sum(f.volume for f in figures.values()) == db.execute(
        "SELECT COUNT(*) FROM workorders WHERE counted=1 AND dispatched_at LIKE '2025-%'").fetchone()[0] > 11000


def test_lianyungangs_monthly_rates_agree(ledger: Any, tmp_path: Path) -> None:
    ledger.adopt_ruleset(2025, builtin_text("lianyungang"), "lianyungang.toml", "tester")
    units = [u.code for u in ledger.ruleset(2025).units]
    rows = []
    for n in range(600):
        dispatched = date(2025, 1, 1) + timedelta(days=n * 7 % 360)
        due = dispatched + timedelta(days=3 + n % 5)
        done = "" if n % 17 == 0 else (due + timedelta(days=(n % 7) - 2)).isoformat()
        rows.append([f"LYG{n:05d}", units[n % len(units)], dispatched.isoformat(), due.isoformat(), done,
                     "是" if n % 3 else "否", "是" if n % 5 else "否", ("满意", "基本满意", "不满意", "未评价")[n % 4],
                     "否" if n % 29 == 0 else "是"])
    import_workorders(ledger, write_export(tmp_path / "lyg.csv", rows), "tester")
    screen(ledger, "LYG00002", "satisfaction", "accept", date(2025, 1, 20))
    for as_of in (date(2025, 3, 31), date(2025, 8, 15), date(2025, 12, 31)):
        figures = assert_agree(ledger, 2025, as_of)
    assert "ontime" in monthly_codes(ledger.ruleset(2025))
    assert len(figures[units[0]].monthly["ontime"]) == 12


TINY = """
id = "tiny"
name = "小城细则"

[workorders]
satisfaction_scale = ["非常满意", "满意", "理解", "不满意", "未评价"]
satisfied_values = ["非常满意", "满意"]
unrated_value = "未评价"
columns = [{ header = "解决情况", values = ["解决", "部分解决", "未解决"] }]
screening_leaves = "all"

[[units]]
code = "a"
name = "甲区"

[[units]]
code = "b"
name = "乙区"

[[sections]]
code = "1"
name = "办理"
max = 30

[[rates]]
code = "completed_satisfaction"
name = "办结工单满意率"
denominator = { completed = ["是"] }
numerator = [{ where = { satisfaction = ["非常满意", "满意", "理解"] } }]

[[rates]]
code = "resolution"
name = "解决率"
numerator = [{ where = { "解决情况" = ["解决"] } }, { where = { "解决情况" = ["部分解决"] }, weight = 0.5 }]

[[rates]]
code = "due_ontime"
name = "到期按时办结率"
year_by = "due"
denominator = { completed = ["是"] }
numerator = [{ where = { on_time = ["是"] } }]

[[items]]
code = "1.1"
name = "办结工单满意率"
section = "1"
kind = "rate_threshold"
rate = "completed_satisfaction"
period = "monthly_average"
max = 10
threshold = 100
per_point = 0.1

[[items]]
code = "1.2"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 90
per_point = 0.1

[[items]]
code = "1.3"
name = "到期按时办结率"
section = "1"
kind = "rate_threshold"
rate = "due_ontime"
max = 10
threshold = 90
per_point = 0.1
"""

TINY_ROWS = [
    ["A1", "a", "2025-04-01", "2025-04-08", "2025-04-03", "是", "是", "非常满意", "是", "解决"],
    ["A2", "a", "2025-04-01", "2025-04-08", "2025-04-03", "是", "是", "理解", "是", "部分解决"],
    ["A3", "a", "2025-04-02", "2025-04-09", "2025-04-05", "是", "是", "不满意", "是", "未解决"],
    ["A4", "a", "2025-05-01", "2025-05-08", "", "是", "否", "满意", "是", "解决"],  # still open
    ["A5", "a", "2025-05-02", "2025-05-09", "2025-05-03", "是", "是", "满意", "否", "解决"],  # not counted
    ["A6", "a", "2025-12-30", "2026-01-06", "2026-01-02", "是", "是", "满意", "是", "解决"],  # due next year
    ["B1", "b", "2025-04-03", "2025-04-10", "2025-04-12", "是", "否", "不满意", "是", "未解决"],
]


def test_declared_rates_weights_and_a_screening_out_of_every_rate_counted_by_hand(ledger: Any, tmp_path: Path
                                                                                   ) -> None:
    ledger.adopt_ruleset(2025, TINY, "tiny.toml", "tester")
    # First without the 解决情况 column: the resolution rate is pending in both implementations.
    import_workorders(ledger, write_export(tmp_path / "first.csv", [r[:9] for r in TINY_ROWS[:3]]), "tester",
                      exported_at="2025-12-01T00:00:00")
    a = assert_agree(ledger, 2025, date(2025, 12, 31))["a"]
    assert a.pending == {"resolution": "账本尚未保存解决率所需的导出列：解决情况"}
    assert a.rates["completed_satisfaction"] == RateCounts(2, 3)
    import_workorders(ledger, write_export(tmp_path / "second.csv", TINY_ROWS), "tester",
                      exported_at="2026-01-10T00:00:00")
    a = assert_agree(ledger, 2025, date(2025, 12, 31))["a"]
    # Completed and counted: A1, A2, A3, A6 (A4 open, A5 not counted); satisfied or 理解: A1, A2, A6.
    assert a.rates["completed_satisfaction"] == RateCounts(3, 4) and a.volume == 5
    assert a.monthly["completed_satisfaction"] == {"2025-04": RateCounts(2, 3), "2025-12": RateCounts(1, 1)}
    # 解决 1 (A1, A4, A6), 部分解决 0.5 (A2), 未解决 0 (A3), over the five counted orders.
    assert _typed(a.rates["resolution"]) == (Decimal, Decimal("3.5"), 5)
    # By due time: A6 is due in 2026; A1–A3 completed on time.
    assert a.rates["due_ontime"] == RateCounts(3, 3) and a.pending == {}
    # A3 screened out of one rate: with screening_leaves = "all" it leaves every rate. B1's rejected screening: none.
    screen(ledger, "A3", "completed_satisfaction", "accept", date(2025, 4, 6))
    screen(ledger, "B1", "resolution", "reject", date(2025, 4, 13))
    figures = assert_agree(ledger, 2025, date(2025, 12, 31))
    a, b = figures["a"], figures["b"]
    assert a.rates["completed_satisfaction"] == RateCounts(3, 3)
    assert a.monthly["completed_satisfaction"]["2025-04"] == RateCounts(2, 2)
    assert _typed(a.rates["resolution"]) == (Decimal, Decimal("3.5"), 4) and a.rates["due_ontime"] == RateCounts(2, 2)
    assert (b.rates["resolution"], b.rates["due_ontime"], b.volume) == (RateCounts(0, 1), RateCounts(0, 1), 1)
    # As of the end of April: May's and December's orders are not in the window yet.
    april = assert_agree(ledger, 2025, date(2025, 4, 30))["a"]
    assert april.volume == 3 and april.rates["completed_satisfaction"] == RateCounts(2, 2)


def test_a_rate_naming_a_field_the_checker_cannot_read_is_refused(ledger: Any) -> None:
    ledger.adopt_ruleset(2025, TINY, "tiny.toml", "tester")
    ruleset = ledger.ruleset(2025)
    odd = ruleset.rates[0].model_copy(update={"denominator": {"签收时长": ("超时",)}})
    with pytest.raises(RateNotCheckable, match="签收时长"):
        proven_rates(ruleset.model_copy(update={"rates": (odd,)}), order_book([], {}), "a", 2025, date(2025, 12, 31))


LABELS = st.sampled_from(["非常满意", "满意", "理解", "不满意", "未评价", ""])
FLAG = st.sampled_from(["是", "否", ""])


@st.composite
def exports(draw: Any) -> list[tuple[str, list[list[str]]]]:
    """One to three exports of up to 40 orders of 2 units, each (exported_at, rows): orders restated, moved between
    units, reopened, uncounted; exports as of any order (an older one is stale for what a newer one stated)."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        rows = []
        for n in draw(st.lists(st.integers(0, 39), min_size=1, max_size=25, unique=True)):
            dispatched = date(2024, 12, 20) + timedelta(days=draw(st.integers(0, 390)))
            due = dispatched + timedelta(days=draw(st.integers(1, 15)))
            done = draw(st.one_of(st.just(""), st.integers(0, 20).map(lambda d, x=dispatched: str(x + timedelta(d)))))
            rows.append([f"R{n:03d}", draw(st.sampled_from(["a", "b"])), str(dispatched), str(due), done, draw(FLAG),
                         draw(FLAG), draw(LABELS), draw(st.sampled_from(["是", "是", "否"])),
                         draw(st.sampled_from(["解决", "部分解决", "未解决", ""]))])
        out.append((f"2026-0{draw(st.integers(1, 9))}-01T00:00:00", rows))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(exported=exports(), as_of=st.dates(date(2025, 1, 15), date(2025, 12, 31)))
def test_random_exports_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exported: list[Any],
                              as_of: date) -> None:
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    app = Ledger(parse_store("memory:"))
    try:
        app.adopt_ruleset(2025, TINY, "tiny.toml", "tester")
        for k, (at, rows) in enumerate(exported):
            import_workorders(app, write_export(tmp_path / f"export{k}.csv", rows), "tester", exported_at=at)
        assert_agree(app, 2025, as_of)
    finally:
        app.close()

