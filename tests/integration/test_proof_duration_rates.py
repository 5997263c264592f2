"""The proof checker's duration rates (``within``, ``denominator_within``) agree with the read model's.

``proof check`` judges each order's durations itself (projections/proof_durations.py, with
``ledger.rulesets.durations.limit_of``); the read model judges them in SQL
(``ledger.rulesets.kinds.per_order.late_orders``). Both count the same ledger here, on both
backends, through test_proof_rates' ``assert_agree``; and a limit the calendar cannot give is
refused, so that ``proof check`` counts through the read model instead.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.workorders import FACT_FIELDS
from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.durations import Within
from ledger.rulesets.loading import builtin_text, parse_ruleset
from ledger.usecases.imports.workorder_import import import_workorders
from projections.proof_durations import RateNotCheckable, judge
from projections.proof_orders import OrderBook
from projections.proof_rates import unsupported
from tests.integration.test_proof_rates import TINY, assert_agree, exports, screen, write_export


def test_duration_rates_agree_with_the_read_model(ledger: Any, tmp_path: Path) -> None:
    """``within`` and ``denominator_within`` (test_cli_rate_durations' three rates, in working hours and days) over
    orders around weekends, lunch breaks and the year's end, some never signed or completed, some screened; as of
    several dates (an end after the as-of date is not there yet), before and after a ruling moves a working day."""
    from tests.e2e.test_cli_rate_durations import RULESET

    ledger.adopt_ruleset(2025, RULESET, "shicheng.toml", "tester")
    rows = []
    for n in range(400):
        dispatched = datetime(2025, 1, 1, 8) + timedelta(hours=n * 13 % 2900, minutes=n * 7 % 60)
        if n % 50 == 0:
            dispatched = datetime(2024, 12, 28, 16) + timedelta(hours=n % 9)
        signed = "" if n % 11 == 0 else (dispatched + timedelta(minutes=n * 37 % 420)).isoformat(" ")
        done = "" if n % 13 == 0 else (dispatched + timedelta(hours=n * 29 % 170)).isoformat(" ")
        rows.append([f"D{n:04d}", ("甲区", "乙区")[n % 2], dispatched.isoformat(" "),
                     (dispatched + timedelta(days=5)).isoformat(" "), done, signed])
    with (tmp_path / "timed.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "签收时间"], *rows])
    import_workorders(ledger, str(tmp_path / "timed.csv"), "tester")
    screen(ledger, "D0004", "signing", "accept", date(2025, 1, 10))
    dates = (date(2025, 1, 6), date(2025, 2, 14), date(2025, 4, 30))
    before = [assert_agree(ledger, 2025, as_of)["a"] for as_of in dates]
    assert all(f.rates["signing"].denominator > 0 and f.rates["signed_quick"].denominator > 0 for f in before)
    ledger.rule_calendar(day=date(2025, 3, 12), workday=False, evidence="停工通知", actor="tester")  # a Wednesday
    after = [assert_agree(ledger, 2025, as_of)["a"] for as_of in dates]
    # Wed 12 March a rest day: nothing judged as of 6 January moves; as of 30 April the counts do.
    assert after[0] == before[0] and after[2].rates != before[2].rates


def test_a_limit_the_calendar_cannot_give_is_refused_not_guessed() -> None:
    row: list[str | None] = [None] * len(FACT_FIELDS)
    row[FACT_FIELDS.index("order_id")], row[FACT_FIELDS.index("dispatched_at")] = "X1", "2099-03-03T10:00:00"
    row[FACT_FIELDS.index("completed_at")] = "2099-03-04T10:00:00"
    book = OrderBook(orders={"X1": row})
    quick = Within(start="dispatched", end="completed", working_days=3)
    calendar = WorkingCalendar({}, [])
    with pytest.raises(RateNotCheckable, match="2099"):
        judge(book, ["X1"], [row], quick, [True], calendar, (), "2099-12-31T23:59:59")
    # An order no rate counts is not judged, and one without its start does not meet the condition.
    assert judge(book, ["X1"], [row], quick, [False], calendar, (), "2099-12-31T23:59:59") == ["否"]
    row[FACT_FIELDS.index("dispatched_at")] = None
    assert judge(book, ["X1"], [row], quick, [True], calendar, (), "2099-12-31T23:59:59") == ["否"]


def test_a_construct_the_checker_does_not_know_is_named_not_ignored() -> None:
    """A construct of a rate this checker does not know (here one added to a definition and to a numerator part) is
    named, so that ``proof check`` replays such a ruleset's orders through the read model instead of counting
    without it; the durations (``within``, ``denominator_within``) it counts itself."""
    ruleset = parse_ruleset(builtin_text())
    assert unsupported(ruleset) is None
    rate = ruleset.rates[0]
    timed = rate.numerator[0].model_copy(update={"within": {"start": "dispatched", "end": "completed",
                                                             "working_days": 2}})
    odd_part = rate.numerator[0].model_copy(update={"outside": {"working_days": 5}})
    for odd, named in ((rate.model_copy(update={"numerator": (timed,)}), None),
                       (rate.model_copy(update={"denominator_within": {"working_days": 5}}), None),
                       (rate.model_copy(update={"numerator": (odd_part,)}), "'outside'"),
                       (rate.model_copy(update={"beyond": {"working_days": 5}}), "'beyond'")):
        because = unsupported(ruleset.model_copy(update={"rates": (odd,)}))
        if named is None:
            assert because is None
        else:
            assert because is not None and named in because and rate.code in because


#: test_proof_rates' TINY with three duration rates over the built-in times, in working days and hours.
TIMED = TINY + """
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]

[[rates]]
code = "quick"
name = "快速办结率"
numerator = [{ within = { start = "dispatched", end = "completed", working_days = 2 } }]

[[rates]]
code = "due_quick"
name = "时限内快速办结率"
year_by = "due"
denominator_within = { start = "dispatched", end = "due", working_days = 5 }
numerator = [{ within = { start = "due", end = "completed", working_hours = 4 } },
             { where = { "解决情况" = ["解决"] } }]

[[rates]]
code = "soon"
name = "当日办结率"
numerator = [{ within = { start = "dispatched", end = "completed", working_hours = 7 }, weight = 0.5 }]
"""


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(exported=exports(), as_of=st.dates(date(2025, 1, 15), date(2025, 12, 31)))
def test_random_exports_with_duration_rates_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  exported: list[Any], as_of: date) -> None:
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    app = Ledger(parse_store("memory:"))
    try:
        app.adopt_ruleset(2025, TIMED, "timed.toml", "tester")
        for k, (at, rows) in enumerate(exported):
            import_workorders(app, write_export(tmp_path / f"export{k}.csv", rows), "tester", exported_at=at)
        assert_agree(app, 2025, as_of)
    finally:
        app.close()
