"""The restore check of creation events (see ``ledger.storage.restore_check``): each is re-decided by the write side's
own field checks against the rulesets restored so far, and its aggregate id is the one the write side derives.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from events.accounts import AccountOpened
from events.deadlines import CalendarRuled, CalendarYearCompleted, NoticeReceived, ReportSubmitted
from events.disputes import DisputeOpened
from events.occurrences import AssessmentRecorded, EventsFileImported, OccurrenceRecorded
from events.rulesets import RulesetAdopted, RulesetAmended
from events.seals import LedgerSealed
from ledger.aggregates import (
    Account,
    Assessment,
    CalendarDay,
    CalendarYear,
    Dispute,
    EventsFile,
    Notice,
    Occurrence,
    ReportSubmission,
    RulesetBook,
    Seal,
)
from ledger.domain.date_window import system_clock
from ledger.domain.errors import RuleViolation
from ledger.rulesets.loading import sha256_text
from ledger.rulesets.schema import Ruleset
from ledger.translation import _
from ledger.usecases.accounts import normal_login
from ledger.usecases.application import LedgerCore
from ledger.usecases.deadline_records import DeadlineRecords
from ledger.usecases.recording import Recording

_SHA256 = re.compile(r"[0-9a-f]{64}")


class RestoredRules(Recording, DeadlineRecords):
    """The write side's field validation, answering from the rulesets restored so far instead of a store."""

    resolve = LedgerCore.resolve
    _resolve = LedgerCore._resolve
    clock = staticmethod(system_clock)  # a restored record is not dated after the day it is restored
    today_in = LedgerCore.today_in
    _require_evidence = staticmethod(LedgerCore._require_evidence)

    def __init__(self) -> None:
        self.rulesets: dict[int, Ruleset] = {}

    def ruleset(self, year: int) -> Ruleset:
        """The ruleset in force for ``year`` as restored so far."""
        try:
            return self.rulesets[year]
        except KeyError:
            raise RuleViolation(_("no ruleset for {year} is adopted before this event in the file").format(year=year)
                                ) from None

    def unit_codes(self) -> set[str]:
        """Every unit code of every ruleset restored so far (what ``import workorders`` accepts)."""
        return {u.code for r in self.rulesets.values() for u in r.units}


class CreationChecks:
    """The checks of the events that create an aggregate (and of a ruleset's amendment), as ``RestoreCheck``'s base;
    the restored state they read is ``RestoreCheck``'s."""

    _rules: RestoredRules
    _aggregates: dict[UUID, Any]
    _heads: dict[int, str]
    _orders: set[str]
    _disputes: dict[tuple[str, str | None], int]
    _open: dict[tuple[str, str | None], UUID]
    _subject_of: dict[UUID, tuple[str, str | None]]

    def _ruleset_adopted(self, e: RulesetAdopted, book: RulesetBook) -> None:
        _expect_id(e, RulesetBook.id_for(e.year))
        self._adopt(e)

    def _ruleset_amended(self, e: RulesetAmended, book: RulesetBook) -> None:
        if e.year != book.year:
            raise RuleViolation(_("it amends the {year} ruleset with one for {other}").format(year=book.year,
                                                                                                other=e.year))
        ruleset = self._adopt(e)
        if not book.adopt(year=e.year, ruleset_id=ruleset.id, text=e.text, sha256=e.sha256, source=e.source,
                          actor=e.recorded_by):
            raise RuleViolation(_("it adopts again the {year} ruleset already in force").format(year=e.year))
        book.collect_events()

    def _adopt(self, e: RulesetAdopted | RulesetAmended) -> Ruleset:
        ruleset = LedgerCore.ruleset_to_adopt(e.year, e.text, e.source or "ruleset")
        if sha256_text(e.text) != e.sha256:
            raise RuleViolation(_("its sha256 is not the digest of its text"))
        if ruleset.id != e.ruleset_id:
            raise RuleViolation(_("its ruleset_id {recorded} is not the text's id {id}").format(
                recorded=repr(e.ruleset_id), id=repr(ruleset.id)))
        self._rules.rulesets[e.year] = ruleset
        return ruleset

    def _occurrence(self, e: OccurrenceRecorded, occ: Occurrence) -> None:
        _expect(e, self._rules.occurrence_fields(e.unit, e.item, e.date, e.count, e.evidence, e.note))

    def _assessment(self, e: AssessmentRecorded, agg: Assessment) -> None:
        _expect(e, self._rules.assessment_fields(e.unit, e.item, e.date, e.points, e.evidence, e.note))

    def _report(self, e: ReportSubmitted, agg: ReportSubmission) -> None:
        _expect(e, self._rules.report_fields(e.unit, e.kind, e.period, e.date, e.evidence))

    def _notice(self, e: NoticeReceived, agg: Notice) -> None:
        fields = self._rules.notice_fields(e.unit, e.notice, e.received, e.evidence)
        _expect_id(e, Notice.id_for(fields["notice"]))
        _expect(e, fields)

    def _events_file(self, e: EventsFileImported, agg: EventsFile) -> None:
        if not _SHA256.fullmatch(e.sha256) or e.rows < 0 or e.again < 0:
            raise RuleViolation(_("its digest, row count or repeat number is not one the ledger writes"))
        _expect_id(e, EventsFile.id_for(e.sha256, e.again))

    def _dispute_opened(self, e: DisputeOpened, agg: Dispute) -> None:
        if not e.reason.strip():
            raise RuleViolation(_("a dispute needs a reason"))
        RestoredRules._require_evidence(e.evidence)
        if e.subject == "occurrence":
            occ = self._aggregates.get(_uuid_or_none(e.target))
            if not isinstance(occ, Occurrence):
                raise RuleViolation(_("it disputes occurrence {id}, which no earlier event records").format(
                    id=repr(e.target[:80])))
            if occ.retracted:
                raise RuleViolation(_("occurrence {id} is retracted: there is nothing to dispute").format(id=e.target))
            if e.rate is not None or (e.unit, e.item) != (occ.unit, occ.item):
                raise RuleViolation(_("its unit, item or rate are not those of occurrence {id}").format(id=e.target))
        else:
            rates = sorted({r.code for ruleset in self._rules.rulesets.values() for r in ruleset.rates})
            if e.rate not in rates:  # a rate code of a ruleset restored so far
                raise RuleViolation(_("rate must be one of {rates}, not {rate}").format(
                    rates=", ".join(rates), rate=repr(e.rate)))
            if e.target not in self._orders:
                raise RuleViolation(_("it screens work order {id}, which no earlier event records").format(
                    id=repr(e.target[:80])))
        key = (e.target, e.rate)
        if key in self._open:
            raise RuleViolation(_("{target} already has an open dispute {dispute}").format(target=e.target,
                                                                                          dispute=self._open[key]))
        earlier = self._disputes.get(key, 0)
        _expect_id(e, Dispute.id_for(e.subject, e.target, e.rate, earlier))
        self._disputes[key], self._open[key] = earlier + 1, e.originator_id
        self._subject_of[e.originator_id] = key

    def _calendar_ruled(self, e: CalendarRuled, agg: CalendarDay) -> None:
        RestoredRules._require_evidence(e.evidence)
        _expect_id(e, CalendarDay.id_for(e.date))

    def _calendar_year(self, e: CalendarYearCompleted, agg: CalendarYear) -> None:
        RestoredRules._require_evidence(e.evidence)
        _expect_id(e, CalendarYear.id_for(e.year))

    def _seal(self, e: LedgerSealed, agg: Seal) -> None:
        if self._heads.get(e.notification_id) != e.head.lower():
            raise RuleViolation(_("it seals head {head} at #{nid}, which is not the chain's hash there").format(
                head=repr(e.head[:64]), nid=e.notification_id))

    def _account_opened(self, e: AccountOpened, agg: Account) -> None:
        normal_login(e.login)  # the characters a login may hold
        Account.open(login=e.login, role=e.role, actor=e.recorded_by, unit=e.unit, name=e.name)  # its invariants
        _expect_id(e, Account.id_for(e.login))
        self._restored_unit(e.role, e.unit)

    def _restored_unit(self, role: str, unit: str | None) -> None:
        """A unit account's unit is one a ruleset restored so far names."""
        if unit is not None and unit not in self._rules.unit_codes():
            raise RuleViolation(_("the role {role} with the unit {unit} is not an account the ledger opens").format(
                role=role, unit=repr(unit)))


def _expect(event: Any, fields: dict[str, Any]) -> None:
    """Refuse an event whose fields differ from what the write side would have recorded."""
    for name, value in fields.items():
        if getattr(event, name) != value:
            raise RuleViolation(_("its {name} is {recorded}, where the ledger would record {expected}").format(
                name=name, recorded=_short(getattr(event, name)), expected=_short(value)))


def _expect_id(event: Any, expected: UUID) -> None:
    if event.originator_id != expected:
        raise RuleViolation(_("its aggregate id is not the one the ledger derives for it ({expected})").format(
            expected=expected))


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
