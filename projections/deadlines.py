"""Deadline verdicts for periodic reports (3.2.5.1, 3.2.5.2) and notice explanations (3.2.1.3).

Pure functions over a :class:`~ledger.domain.calendar.WorkingCalendar`: no store, no clock. The rule
(RUBRIC.md §7): the day the period ends (or the notice is received) is not counted, counting
begins on the first working day after it, and a submission on or before the N-th working day is
on time. A deduction arises once per period or notice whose submission came late, or whose
deadline has passed with nothing submitted.

Scoring year (RUBRIC.md §8): :func:`report_verdicts` judges the periods *of* a year, so December
and Q4 count in the year they cover although they fall due in January; :func:`notice_verdicts`
judges the notices it is given, and the caller passes those received in the scoring year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, NamedTuple, cast

from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar

ReportKind = Literal["monthly", "quarterly"]
VerdictKind = Literal["on_time", "late", "missing", "not_yet_due", "pending"]

_PERIOD_TEXT = re.compile(r"(?P<year>[0-9]{4})-(?:(?P<month>[0-9]{2})|[Qq](?P<quarter>[0-9]))")
_EXAMPLES = {"monthly": "YYYY-MM, e.g. 2025-09", "quarterly": "YYYY-Qn, e.g. 2025-Q3"}


@dataclass(frozen=True)
class Verdict:
    """The verdict on one period's report, or on one notice's explanation.

    Attributes:
        period: the period (``"2025-09"``, ``"2025-Q3"``) or the notice id.
        due_from: the day counting starts after: the period's last day, or the receipt date.
        deadline: the last working day that is on time; ``None`` when the calendar does not
            know a year the count needs (``reason`` then says which).
        submitted: the earliest submission dated on or before ``as_of``, if any.
        verdict: ``on_time``, ``late``, ``missing`` (deadline passed, nothing submitted),
            ``not_yet_due`` (deadline not passed, nothing submitted) or ``pending`` (the
            verdict depends on a deadline that cannot be computed yet).
        reason: why ``deadline`` is ``None`` (names the unknown year); otherwise ``None``.
    """

    period: str
    due_from: date
    deadline: date | None
    submitted: date | None
    verdict: VerdictKind
    reason: str | None = None

    @property
    def deducts(self) -> bool:
        """Whether this verdict costs a deduction (late or missing)."""
        return self.verdict in ("late", "missing")


class Period(NamedTuple):
    """A reporting period: a month (``number`` 1–12) or a quarter (``number`` 1–4) of ``year``."""

    kind: ReportKind
    year: int
    number: int

    def __str__(self) -> str:
        if self.kind == "monthly":
            return f"{self.year:04d}-{self.number:02d}"
        return f"{self.year:04d}-Q{self.number}"

    @property
    def end(self) -> date:
        """The period's last day."""
        last_month = self.number if self.kind == "monthly" else 3 * self.number
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)


def _check_kind(kind: str) -> ReportKind:
    if kind not in _EXAMPLES:
        raise ValueError(f"unknown report kind {kind!r} (expected monthly or quarterly)")
    return cast(ReportKind, kind)


def parse_period(kind: str, text: str) -> Period:
    """Parse a period of the given kind: ``"2025-09"`` (monthly) or ``"2025-Q3"`` (quarterly).

    Raises:
        ValueError: the kind is unknown, or the text is not a period of that kind; the
            message quotes the text and shows the expected form.
    """
    kind = _check_kind(kind)
    expected = f"expected {_EXAMPLES[kind]}"
    match = _PERIOD_TEXT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a {kind} period ({expected})")
    year = int(match["year"])
    if year < 1:
        raise ValueError(f"{text!r} is not a {kind} period: year {year} ({expected})")
    if match["month"] is not None:
        if kind != "monthly":
            raise ValueError(f"{text!r} is a monthly period, not a quarterly one ({expected})")
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a monthly period: month {month} is not 01–12 ({expected})")
        return Period("monthly", year, month)
    if kind != "quarterly":
        raise ValueError(f"{text!r} is a quarterly period, not a monthly one ({expected})")
    quarter = int(match["quarter"])
    if not 1 <= quarter <= 4:
        raise ValueError(f"{text!r} is not a quarterly period: quarter Q{quarter} is not Q1–Q4 ({expected})")
    return Period("quarterly", year, quarter)


def period_end(kind: str, period: str) -> date:
    """The last day of a period (``"2025-09"`` → 2025-09-30, ``"2025-Q4"`` → 2025-12-31).

    Raises:
        ValueError: as :func:`parse_period`.
    """
    return parse_period(kind, period).end


def periods_of_year(kind: str, year: int) -> list[str]:
    """The year's periods in order: ``"2025-01"`` … ``"2025-12"`` or ``"2025-Q1"`` … ``"2025-Q4"``."""
    kind = _check_kind(kind)
    count = 12 if kind == "monthly" else 4
    return [str(Period(kind, year, number)) for number in range(1, count + 1)]


def _judge(
    label: str,
    due_from: date,
    submitted: date | None,
    calendar: WorkingCalendar,
    working_days: int,
    as_of: date,
) -> Verdict:
    # A submission dated after as_of had not happened yet at as_of.
    known = submitted if submitted is not None and submitted <= as_of else None
    try:
        deadline = calendar.add_working_days(due_from, working_days)
    except CalendarYearUnknown as unknown:
        # The count stopped at the first unknown date with working days still to go, so the
        # deadline is that date or later: whatever happened by then is decided without it.
        earliest = unknown.day if unknown.day is not None else due_from + timedelta(days=1)
        if known is not None:
            verdict: VerdictKind = "on_time" if known <= earliest else "pending"
        else:
            verdict = "not_yet_due" if as_of <= earliest else "pending"
        return Verdict(label, due_from, None, known, verdict, str(unknown))
    if known is not None:
        verdict = "on_time" if known <= deadline else "late"
    else:
        verdict = "missing" if as_of > deadline else "not_yet_due"
    return Verdict(label, due_from, deadline, known, verdict)


def report_verdicts(
    kind: str,
    year: int,
    submissions: Mapping[str, date],
    calendar: WorkingCalendar,
    working_days: int,
    as_of: date,
) -> list[Verdict]:
    """One verdict per period of ``year``, in order, judged as of ``as_of``.

    Args:
        kind: ``"monthly"`` or ``"quarterly"``.
        year: the scoring year; its periods are judged even when they fall due next year.
        submissions: each period's earliest submission date, keyed by the canonical period
            text (``"2025-09"``, ``"2025-Q3"``); keys of other years are ignored.
        calendar: the working-day calendar, rulings included.
        working_days: N: the report is due on the N-th working day after the period ends.
        as_of: the date judged at; submissions dated later are not yet known.

    A submitted report is ``on_time`` (on or before the deadline) or ``late``; an unsubmitted
    one is ``missing`` once ``as_of`` is past the deadline and ``not_yet_due`` until then
    (a period still running at ``as_of`` is always ``not_yet_due`` unless already submitted).
    When the deadline needs a year the calendar does not know, the verdict is ``pending``
    with the reason, unless it is decided without that year: the deadline cannot fall before
    the first unknown date the count reaches, so a submission on or before that date is on
    time, and nothing submitted by an ``as_of`` on or before it is not yet due.

    Raises:
        ValueError: unknown kind, or ``working_days`` less than 1.
    """
    _check_working_days(working_days)
    return [
        _judge(period, period_end(kind, period), submissions.get(period), calendar, working_days, as_of)
        for period in periods_of_year(kind, year)
    ]


def notice_verdicts(
    notices: Sequence[tuple[str, date, date | None]],
    calendar: WorkingCalendar,
    working_days: int,
    as_of: date,
) -> list[Verdict]:
    """One verdict per notice received by ``as_of``, in the order given.

    Args:
        notices: ``(notice id, received, explained or None)``; the caller passes the notices
            received in the scoring year (an explanation counts in the year of receipt).
        calendar: the working-day calendar, rulings included.
        working_days: N: the explanation is due on the N-th working day after receipt.
        as_of: the date judged at: notices received later are left out (they had not
            arrived), and explanations dated later are not yet known.

    The verdicts follow the same rules as :func:`report_verdicts`.

    Raises:
        ValueError: ``working_days`` less than 1.
    """
    _check_working_days(working_days)
    return [
        _judge(notice_id, received, explained, calendar, working_days, as_of)
        for notice_id, received, explained in notices
        if received <= as_of
    ]


def _check_working_days(working_days: int) -> None:
    # Checked up front so that a bad ruleset fails even when no period needs a deadline yet.
    if working_days < 1:
        raise ValueError(f"the number of working days must be at least 1, not {working_days}")
