"""Calendar use cases: official working-day/holiday rulings, and declaring a year's rulings complete.

Both are idempotent: the same ruling again, or a year declared twice, changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from events.deadlines import CalendarRuled, CalendarRulingChanged, CalendarYearCompleted
from ledger.aggregates import CalendarDay, CalendarYear

if TYPE_CHECKING:
    from ledger.domain.calendar import WorkingCalendar
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object


class CalendarRulings(_Core):
    """The working calendar's rulings, as the centre enters them."""

    def rule_calendar(self, *, day: date, workday: bool, evidence: str, actor: str) -> tuple[str, bool]:
        """Record an official working-day/holiday ruling; returns (id, whether it changed anything)."""
        evidence = self._require_evidence(evidence)
        day_id = CalendarDay.id_for(day)

        def attempt() -> tuple[str, bool]:
            try:
                agg = self.repository.get(day_id)
            except AggregateNotFoundError:
                agg = CalendarDay.rule(day=day, workday=workday, evidence=evidence, actor=actor)
                self.save(agg)
                return str(day_id), True
            changed = agg.change(workday, evidence, actor)
            if changed:
                self.save(agg)
            return str(day_id), changed

        return self._retrying(attempt, f"the ruling for {day} kept changing meanwhile; try again")

    def complete_calendar_year(self, *, year: int, evidence: str, actor: str) -> tuple[str, bool]:
        """Declare that every ruling of ``year`` has been entered."""
        evidence = self._require_evidence(evidence)
        agg_id = CalendarYear.id_for(year)

        def attempt() -> tuple[str, bool]:
            if agg_id in self.repository:  # after a conflict: declared by the other writer, nothing to add
                return str(agg_id), False
            agg = CalendarYear.complete(year=year, evidence=evidence, actor=actor)
            self.save(agg)
            return str(agg_id), True

        return self._retrying(attempt, f"{year} kept changing meanwhile; try again")

    def working_calendar(self) -> WorkingCalendar:
        """The working calendar with the rulings recorded in the event store on top (a decision, such as a filing
        deadline, never rests on the read model). The rulings are few: read by their events' type."""
        # Loaded only when needed: the bundled calendar is slow to import (CLI start-up).
        from ledger.domain.calendar import WorkingCalendar

        days: dict[Any, date] = {}
        rulings: dict[date, bool] = {}
        years: list[int] = []
        for e in self.recorded(CalendarRuled, CalendarRulingChanged, CalendarYearCompleted):
            if isinstance(e, CalendarRuled):
                days[e.originator_id] = e.date
                rulings[e.date] = e.workday
            elif isinstance(e, CalendarRulingChanged):
                rulings[days[e.originator_id]] = e.workday
            else:
                years.append(e.year)
        return WorkingCalendar(rulings, years)
