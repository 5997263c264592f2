"""``deadline``: a report or explanation due N working days after a period ends (or a notice arrives).

One deduction of ``amount`` per period or notice whose report came late, or whose deadline passed
with nothing submitted (RUBRIC.md §7); the verdicts themselves are ``projections.deadlines``.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, Literal

from pydantic import Field

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.kinds.base import Deduction, GatherContext, ItemBase, Kind, Phrases, Points, n
from ledger.translation import N_
from projections.deadlines import Verdict, notice_verdicts, report_verdicts
from projections.explanations import num
from projections.score_sheet import ItemResult
from projections.unit_facts import DeadlineOutcome, UnitFacts

_SCHEDULES = {"monthly": "月度报告须在次月第{n}个工作日内报送",
              "quarterly": "季度报告须在下季度首月第{n}个工作日内报送",
              "notice": "收到督办通知后须在{n}个工作日内报送情况说明"}


class DeadlineItem(ItemBase):
    """A report or explanation due N working days after a period ends (or a notice arrives).

    Attributes:
        schedule: ``monthly`` / ``quarterly`` reports, or ``notice`` explanations.
        working_days: N. amount: the deduction per late or missing report.
    """

    kind: Literal["deadline"]
    schedule: Literal["monthly", "quarterly", "notice"]
    working_days: int = Field(gt=0)
    amount: Points
    max: Points | None = None


def deadline_verdicts(db: sqlite3.Connection, item: DeadlineItem, unit: str, year: int, as_of: date,
                      calendar: WorkingCalendar) -> list[Verdict]:
    """Every period (or notice) of ``year`` for ``unit`` with its deadline and verdict."""
    if item.schedule == "notice":
        notices = [
            (r[0], date.fromisoformat(r[1]), date.fromisoformat(r[2]) if r[2] else None)
            for r in db.execute(
                "SELECT notice, received, explained FROM notices WHERE unit=? AND year=? ORDER BY received, notice",
                (unit, year),
            )
        ]
        return notice_verdicts(notices, calendar, item.working_days, as_of)
    submissions = {
        r[0]: date.fromisoformat(r[1])
        for r in db.execute(
            "SELECT period, MIN(date) FROM submissions WHERE unit=? AND kind=? AND year=? GROUP BY period",
            (unit, item.schedule, year),
        )
    }
    return report_verdicts(item.schedule, year, submissions, calendar, item.working_days, as_of)


class Deadline(Kind):
    """Judged from the reports (``submit-report``) and the notices and explanations recorded."""

    name = "deadline"
    demo = "reports"
    model = DeadlineItem
    label = N_("deadline")
    deducts = True
    own_events = True

    def describe(self, ruleset: Any, item: DeadlineItem, p: Phrases) -> str:
        due = _SCHEDULES[item.schedule].format(n=item.working_days)
        return f"{due}，每逾期或未报1次扣{n(item.amount)}分{p.where}{p.cap}{p.held}"

    def gather(self, ctx: GatherContext, items: list[Any], facts: dict[str, UnitFacts]) -> None:
        calendar = ctx.calendar()
        for u in ctx.ruleset.units:
            for raw in items:
                item = ctx.ruleset.item_for(u.code, raw.code)
                verdicts = deadline_verdicts(ctx.db, item, u.code, ctx.year, ctx.as_of, calendar)
                pending = sorted({v.reason for v in verdicts if v.verdict == "pending" and v.reason})
                facts[u.code].deadlines[item.code] = DeadlineOutcome(sum(v.deducts for v in verdicts), tuple(pending))

    def deduction(self, item: DeadlineItem, facts: UnitFacts) -> Deduction:
        outcome = facts.deadlines.get(item.code, DeadlineOutcome())
        return Deduction(outcome.deductions * item.amount, outcome.deductions,
                         f"{outcome.deductions} × {num(item.amount)}", outcome.pending)

    def trace_json(self, result: ItemResult, item: DeadlineItem, unit: str, sources: Any) -> dict[str, Any]:
        return {"periods": [
            {"period": v.period, "due_from": v.due_from.isoformat(),
             "deadline": v.deadline.isoformat() if v.deadline else None,
             "submitted": v.submitted.isoformat() if v.submitted else None,
             "verdict": v.verdict, "deducts": v.deducts, "reason": v.reason}
            for v in deadline_verdicts(sources.db, item, unit, sources.year, sources.as_of, sources.calendar())
        ]}


KIND = Deadline()
