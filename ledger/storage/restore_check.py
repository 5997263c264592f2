"""What ``import ledger`` checks of each restored event beyond its chain hash: that it means something.

A chain recomputed by whoever crafted the file proves nothing, so every event is decoded through
the ledger's own mapper (only the ledger's event and aggregate types: ``events/registry.py``) and
re-decided as the write side would have decided it when it was recorded:

- its aggregate id is a UUID, and each aggregate's events are versions 1..n, a creation event of
  the right aggregate type first, every later event one the aggregate accepts (a deterministic id,
  such as a year's ruleset book, is the one the write side derives);
- a ruleset is one ``init`` would adopt; every other fact is validated by the write side's own
  field checks (``occurrence_fields``, ``assessment_fields``, ``report_fields``, ``notice_fields``)
  against the rulesets restored *so far*, which come earlier in the same file, or by the
  aggregate's own command method (a retraction, a decision, an explanation, a ruling);
- a dispute's target exists (and has no other open dispute); a seal's head is the chain's hash at
  the id it names; every attachment's file is in the export.

The checker keeps one small aggregate per restored aggregate (the same classes the write side
uses), the rulesets, the work-order ids and the chain hashes: memory grows with the number of
events, never with the size of an event's evidence. The checks of creation events are in
``ledger.storage.restore_check_creations``; this module decodes, places and dispatches each event, and checks
work-order chunks and the events an aggregate's own command decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic
from pydantic import ValidationError

from events.accounts import (
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountPasswordSet,
    AccountRoleChanged,
    AccountTokenIssued,
    AccountTokensRevoked,
)
from events.base import LedgerCreated
from events.deadlines import (
    CalendarRuled,
    CalendarRulingChanged,
    CalendarYearCompleted,
    ExplanationSubmitted,
    NoticeReceived,
    ReportSubmitted,
)
from events.disputes import DisputeDecided, DisputeOpened
from events.occurrences import AssessmentRecorded, EventsFileImported, OccurrenceRecorded, OccurrenceRetracted
from events.rulesets import RulesetAdopted, RulesetAmended
from events.seals import LedgerSealed
from events.workorders import WorkOrderFactsRecorded
from ledger.aggregates import (
    Account,
    Assessment,
    CalendarDay,
    CalendarYear,
    Dispute,
    EventsFile,
    LedgerAggregate,
    Notice,
    Occurrence,
    ReportSubmission,
    RulesetBook,
    Seal,
    WorkOrderBatch,
)
from ledger.domain.errors import LedgerError, RuleViolation
from ledger.storage.restore_check_creations import CreationChecks, RestoredRules, _expect_id
from ledger.translation import _

#: The aggregate each event type belongs to (an event on any other aggregate is refused).
AGGREGATE_OF: dict[type, type[LedgerAggregate]] = {
    RulesetAdopted: RulesetBook, RulesetAmended: RulesetBook,
    OccurrenceRecorded: Occurrence, OccurrenceRetracted: Occurrence,
    AssessmentRecorded: Assessment, EventsFileImported: EventsFile,
    DisputeOpened: Dispute, DisputeDecided: Dispute,
    ReportSubmitted: ReportSubmission, NoticeReceived: Notice, ExplanationSubmitted: Notice,
    CalendarRuled: CalendarDay, CalendarRulingChanged: CalendarDay, CalendarYearCompleted: CalendarYear,
    WorkOrderFactsRecorded: WorkOrderBatch, LedgerSealed: Seal,
    AccountOpened: Account, AccountRoleChanged: Account, AccountDisabled: Account, AccountEnabled: Account,
    AccountPasswordSet: Account, AccountTokenIssued: Account, AccountTokensRevoked: Account,
}

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


class RestoreCheck(CreationChecks):
    """Checks restored events one by one, in the file's order; ``check`` raises a ``LedgerError`` for a bad one."""

    def __init__(self, mapper: Any) -> None:
        self._mapper = mapper
        self._rules = RestoredRules()
        self._aggregates: dict[UUID, Any] = {}
        self._broken: set[UUID] = set()  # aggregates already reported: their later events would only repeat it
        self._heads: dict[int, str] = {}
        self._orders: set[str] = set()
        self._disputes: dict[tuple[str, str | None], int] = {}  # (target, rate) → disputes restored so far
        self._open: dict[tuple[str, str | None], UUID] = {}  # (target, rate) → its open dispute
        self._subject_of: dict[UUID, tuple[str, str | None]] = {}  # dispute → its (target, rate)
        self.attachments: dict[str, int] = {}  # evidence digest → the first line that needs it
        self._handlers: dict[type, Callable[[Any, Any], None]] = {
            RulesetAdopted: self._ruleset_adopted, RulesetAmended: self._ruleset_amended,
            OccurrenceRecorded: self._occurrence, OccurrenceRetracted: self._retraction,
            AssessmentRecorded: self._assessment, EventsFileImported: self._events_file,
            DisputeOpened: self._dispute_opened, DisputeDecided: self._dispute_decided,
            ReportSubmitted: self._report, NoticeReceived: self._notice, ExplanationSubmitted: self._explanation,
            CalendarRuled: self._calendar_ruled, CalendarRulingChanged: self._calendar_changed,
            CalendarYearCompleted: self._calendar_year, WorkOrderFactsRecorded: self._workorders,
            LedgerSealed: self._seal,
            AccountOpened: self._account_opened, AccountRoleChanged: self._account_role,
            AccountDisabled: self._account_disabled, AccountEnabled: self._account_enabled,
            AccountPasswordSet: self._account_password, AccountTokenIssued: self._account_token,
            AccountTokensRevoked: self._account_revoked,
        }


    @property
    def mapper(self) -> Any:
        """The store's mapper the restored events are decoded with (its cipher is the key in force)."""
        return self._mapper

    def check(self, line: int, notification_id: int, originator_id: str, version: int, topic: str, state: bytes,
              link: str) -> None:
        """Decode and re-decide one event (``link``: its chain hash, hex); raise a ``LedgerError`` naming the fault."""
        self._heads[notification_id] = link
        try:
            uid = UUID(originator_id)
        except ValueError:
            raise RuleViolation(_("event #{nid}: its aggregate id {id} is not a UUID").format(
                nid=notification_id, id=repr(originator_id[:80]))) from None
        if uid.hex != originator_id:  # the chain hashes the id's text: one id, one spelling (ledger/storage/export.py)
            raise RuleViolation(_("event #{nid}: its aggregate id {id} is not written as the ledger writes it ({hex})")
                                .format(nid=notification_id, id=repr(originator_id[:80]), hex=uid.hex))
        if uid in self._broken:
            return
        try:
            event = self._mapper.to_domain_event(StoredEvent(uid, version, topic, state))
        except (MapperDeserialisationError, ValidationError, ValueError, TypeError) as e:
            self._broken.add(uid)
            undecodable = isinstance(e, MapperDeserialisationError) and "cannot decode" in str(e)
            hint = ("" if self._mapper.cipher or not undecodable else
                    _(" (the export of an encrypted ledger is imported with its HOTLINE_LEDGER_CIPHER_KEY)"))
            raise RuleViolation(_("event #{nid} cannot be read: {error}").format(nid=notification_id,
                                                                                 error=_first_line(e)) + hint
                                ) from None
        what = _("event #{nid} ({kind} of {id} v{version})").format(nid=notification_id, kind=type(event).__name__,
                                                                    id=uid, version=version)
        try:
            self._place(event, uid, version, line)
        except LedgerError as e:
            raise RuleViolation(f"{what}: {e}") from None

    def _place(self, event: Any, uid: UUID, version: int, line: int) -> None:
        aggregate_class = AGGREGATE_OF[type(event)]
        agg = self._aggregates.get(uid)
        if isinstance(event, LedgerCreated):
            if agg is not None:
                self._broken.add(uid)
                raise RuleViolation(_("it creates an aggregate that already exists"))
            if version != 1:
                self._broken.add(uid)
                raise RuleViolation(_("an aggregate starts at version 1, not {version} (a version gap?)").format(
                    version=version))
            if event.originator_topic != get_topic(aggregate_class):
                self._broken.add(uid)
                raise RuleViolation(_("it would create a {topic}, where this event creates a {kind}").format(
                    topic=repr(event.originator_topic[:120]), kind=aggregate_class.__name__))
            self._aggregates[uid] = event.mutate(None)
            self._decide(event, None, line)
            return
        if agg is None:
            self._broken.add(uid)
            raise RuleViolation(_("version {version} of an aggregate that no earlier event created "
                                  "(its creation event is missing)").format(version=version))
        if version != agg.version + 1:
            self._broken.add(uid)
            raise RuleViolation(_("version {version} follows version {previous} of its aggregate "
                                  "(a version gap or a repeat)").format(version=version, previous=agg.version))
        if type(agg) is not aggregate_class:
            self._broken.add(uid)
            raise RuleViolation(_("it cannot change a {kind}").format(kind=type(agg).__name__))
        try:
            self._decide(event, agg, line)
        finally:
            if agg.version < version:  # the command refused it (reported): apply it as restored, versions go on
                event.mutate(agg)

    def _decide(self, event: Any, agg: Any, line: int) -> None:
        self._handlers[type(event)](event, agg if agg is not None else self._aggregates[event.originator_id])
        for attachment in getattr(event, "attachments", ()):
            self.attachments.setdefault(attachment.sha256, line)

    def _workorders(self, e: WorkOrderFactsRecorded, agg: WorkOrderBatch) -> None:
        _expect_id(e, WorkOrderBatch.id_for(e.batch, e.chunk))
        units = self._rules.unit_codes()
        if not units:
            raise RuleViolation(_("work orders come before any ruleset"))
        if e.unit is not None and e.unit not in units:
            raise RuleViolation(_("work-order chunk of an unknown unit {unit} (no restored ruleset names it)").format(
                unit=repr(e.unit[:80])))
        for n, fact in enumerate(e.rows, start=1):
            if not fact.order_id:
                raise RuleViolation(_("fact row {n} is not a work-order fact the ledger writes").format(n=n))
            if fact.unit is not None and fact.unit not in units:
                raise RuleViolation(_("fact row {n}: unknown unit {unit} (no restored ruleset names it)").format(
                    n=n, unit=repr(fact.unit[:80])))
            for field, value in (("dispatched_at", fact.dispatched_at), ("due_at", fact.due_at),
                                 ("completed_at", fact.completed_at)):
                if value and not _valid_time(value):
                    raise RuleViolation(_("fact row {n}: {field} {value} is not a time the ledger writes").format(
                        n=n, field=field, value=repr(value[:40])))
        self._orders.update(fact.order_id for fact in e.rows)

    # ── later events: the aggregate's own command decides, as when they were recorded ──
    def _account_role(self, e: AccountRoleChanged, account: Account) -> None:
        self._restored_unit(e.role, e.unit)
        account.change_role(e.role, e.unit, e.recorded_by)
        account.collect_events()

    def _account_disabled(self, e: AccountDisabled, account: Account) -> None:
        account.disable(e.recorded_by)
        account.collect_events()

    def _account_enabled(self, e: AccountEnabled, account: Account) -> None:
        account.enable(e.recorded_by)
        account.collect_events()

    def _account_password(self, e: AccountPasswordSet, account: Account) -> None:
        account.note_password_set(e.recorded_by)
        account.collect_events()

    def _account_token(self, e: AccountTokenIssued, account: Account) -> None:
        if e.token_id in account.tokens:
            raise RuleViolation(_("it issues again the live token {token}").format(token=repr(e.token_id[:40])))
        account.issue_token(e.token_id, e.label, e.recorded_by)
        account.collect_events()

    def _account_revoked(self, e: AccountTokensRevoked, account: Account) -> None:
        if not e.token_ids or set(e.token_ids) != set(account.tokens):
            raise RuleViolation(_("it revokes other tokens than the account's live ones"))
        account.revoke_tokens(e.recorded_by)
        account.collect_events()

    def _retraction(self, e: OccurrenceRetracted, occ: Occurrence) -> None:
        if not e.reason.strip():
            raise RuleViolation(_("a retraction needs a reason"))
        occ.retract(e.reason, e.recorded_by)
        occ.collect_events()

    def _dispute_decided(self, e: DisputeDecided, dispute: Dispute) -> None:
        if not e.reason.strip():
            raise RuleViolation(_("a decision needs a reason"))
        dispute.decide(e.decision, e.count, e.reason, e.recorded_by)
        dispute.collect_events()
        subject = self._subject_of.get(dispute.id)  # None when its opening was itself refused
        if subject is not None:
            self._open.pop(subject, None)

    def _explanation(self, e: ExplanationSubmitted, notice: Notice) -> None:
        notice.explain(e.date, RestoredRules._require_evidence(e.evidence), e.recorded_by)
        notice.collect_events()

    def _calendar_changed(self, e: CalendarRulingChanged, day: CalendarDay) -> None:
        if not day.change(e.workday, RestoredRules._require_evidence(e.evidence), e.recorded_by):
            raise RuleViolation(_("it repeats the ruling already in force"))
        day.collect_events()


def _valid_time(text: str) -> bool:
    if not _TIME.fullmatch(text):
        return False
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return int(text[11:13]) < 24 and int(text[14:16]) < 60 and int(text[17:19]) < 60


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
