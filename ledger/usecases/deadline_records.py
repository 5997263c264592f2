"""Deadline use cases: the reports and the explanations of notices that the deadline items judge.

A submission is refused when no deadline item of the year's ruleset would ever judge it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from ledger.aggregates import Notice, ReportSubmission
from ledger.domain.date_window import check_recorded_date
from ledger.domain.errors import NotFound, RuleViolation
from ledger.rulesets.kinds.deadline import DeadlineItem
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _

if TYPE_CHECKING:
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object


class DeadlineRecords(_Core):
    """Periodic reports, first-supervision notices and the units' explanations."""

    def report_fields(self, unit: str, kind: str, period: str, on: date, evidence: str) -> dict[str, Any]:
        """Validate one report submission and return its event fields (shared by ``submit-report`` and restores)."""
        from projections.deadlines import parse_period

        try:
            parsed = parse_period(kind, period)
        except ValueError as e:
            raise RuleViolation(str(e)) from None
        ruleset, unit_code, _item = self.resolve(parsed.year, unit)
        self._require_deadline_schedule(ruleset, parsed.year, kind, f"{kind} reports")
        check_recorded_date(ruleset, parsed.year, on, _("the submission date of the {kind} report for {period}")
                            .format(kind=kind, period=parsed), self.today_in(ruleset))
        if on < parsed.end:
            # A report analyses its whole period: one dated before the period's last day is a typo
            # (a wrong --period or --date), and it would otherwise count as on time.
            raise RuleViolation(f"a {kind} report for {parsed} cannot be dated {on}: the period ends on "
                                f"{parsed.end} (check --period and --date)")
        return {"unit": unit_code, "kind": kind, "period": str(parsed), "year": parsed.year, "date": on,
                "evidence": self._require_evidence(evidence)}

    def submit_report(self, *, unit: str, kind: str, period: str, on: date, evidence: str, actor: str) -> str:
        """Record that a unit submitted its monthly or quarterly report for a period."""
        fields = self.report_fields(unit, kind, period, on, evidence)
        agg = ReportSubmission.submit(**fields, actor=actor)
        self.save(agg)
        return str(agg.id)

    def notice_fields(self, unit: str, notice: str, received: date, evidence: str) -> dict[str, Any]:
        """Validate one notice and return its event fields (shared by ``notice`` and restores)."""
        if not notice.strip():
            raise RuleViolation("the notice id is empty (--notice)")
        ruleset, unit_code, _item = self.resolve(received.year, unit)
        self._require_deadline_schedule(ruleset, received.year, "notice", "explanations of notices")
        check_recorded_date(ruleset, received.year, received, _("the receipt date"), self.today_in(ruleset))
        return {"unit": unit_code, "notice": notice.strip(), "received": received, "year": received.year,
                "evidence": self._require_evidence(evidence)}

    def receive_notice(self, *, unit: str, notice: str, received: date, evidence: str, actor: str) -> str:
        """Record a first-supervision notice (its id must be new)."""
        fields = self.notice_fields(unit, notice, received, evidence)
        agg = Notice.receive(**fields, actor=actor)
        self.save_new(agg, conflict=f"notice {notice!r} is already recorded: a notice id is unique")
        return str(agg.id)

    def explain(self, *, notice: str, on: date, evidence: str, actor: str) -> str:
        """Record the unit's explanation for a notice."""

        def attempt() -> str:
            try:
                agg = self.repository.get(Notice.id_for(notice.strip()))
            except AggregateNotFoundError:
                raise NotFound(f"no notice {notice!r} in the ledger (record it with `notice` first)") from None
            year = agg.received.year
            ruleset = self.ruleset(year)
            check_recorded_date(ruleset, year, on, _("the explanation date of notice {notice}").format(
                notice=notice.strip()), self.today_in(ruleset))
            agg.explain(on, self._require_evidence(evidence), actor)
            self.save(agg)
            return str(agg.id)

        return self._retrying(attempt, f"notice {notice} kept changing meanwhile; try again")

    @staticmethod
    def _require_deadline_schedule(ruleset: Ruleset, year: int, schedule: str, what: str) -> None:
        # A submission no deadline item judges would sit in the ledger and never count.
        if not any(isinstance(i, DeadlineItem) and i.schedule == schedule for i in ruleset.items):
            raise RuleViolation(f"the {year} ruleset has no deadline for {what} (see `rules show --year {year}`)")
