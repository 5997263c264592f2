"""The deadline for filing a dispute: N working days after the evaluation it contests (issue 8).

A ruleset's ``[disputes] working_days`` sets N (none: no deadline). The evaluation is an
occurrence's date, or a work order's completion date for a screening; counting starts on the
first working day after it, and a dispute filed on the N-th working day is still in time.
"""

from __future__ import annotations

from datetime import date

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import RuleViolation
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _


def filing_deadline(calendar: WorkingCalendar, evaluated_on: date, working_days: int) -> date:
    """The last day a dispute of an evaluation made on ``evaluated_on`` may be filed."""
    return calendar.add_working_days(evaluated_on, working_days)


def check_filing(ruleset: Ruleset, calendar: WorkingCalendar, evaluated_on: date | None, filed_on: date,
                 what: str) -> None:
    """Refuse a dispute of ``what`` filed after the ruleset's deadline (nothing to check without one)."""
    days = ruleset.disputes.working_days
    if days is None or evaluated_on is None:
        return
    deadline = filing_deadline(calendar, evaluated_on, days)
    if filed_on > deadline:
        raise RuleViolation(
            _("{what} was evaluated on {evaluated}: a dispute had to be filed within {days} working days, by "
              "{deadline} (today is {today}); it can no longer be disputed").format(
                what=what, evaluated=evaluated_on, days=days, deadline=deadline, today=filed_on)
        )
