"""Small aggregates: each decides in a public command method, then triggers a past-tense event.

Each is created only by its own named class method (``Occurrence.record``, ``Dispute.open``,
``Account.open`` …, as eventsourcing's examples do): it takes the event's fields as keyword
parameters, derives the id where the id is deterministic (``id_for``) and refuses what its own
fields make impossible (a count below 1, an empty reason or evidence). Checks that need a
ruleset, the calendar or the store stay in the use cases that call it.

The ``when`` handlers only assign: they re-run on every replay, so they never read a clock,
make an id, consult a ruleset or raise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import singledispatchmethod
from operator import attrgetter
from typing import Any, Self
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import BaseAggregate

from events.accounts import (
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountPasswordSet,
    AccountRoleChanged,
    AccountTokenIssued,
    AccountTokensRevoked,
)
from events.base import Attachment
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
from events.workorders import FACT_FIELDS, FactRow, WorkOrderFactsRecorded
from ledger.counts import check_count
from ledger.errors import Conflict, RuleViolation
from ledger.translation import N_
from ledger.translation import gettext as _


def ledger_id(*parts: object) -> UUID:
    """A deterministic id: the same parts always name the same aggregate (idempotent re-imports)."""
    return uuid5(NAMESPACE_URL, "/hotline-ledger/" + "/".join(str(p) for p in parts))


def ledger_ids(*parts: object) -> Callable[[object], UUID]:
    """``ledger_id(*parts, last)`` as a function of ``last``: the common parts are hashed once (a file's rows).

    The same ids as ``ledger_id``, made as ``uuid5`` makes them (SHA-1 of the namespace and the name).
    """
    common = hashlib.sha1(NAMESPACE_URL.bytes + ("/hotline-ledger/" + "".join(f"{p}/" for p in parts)).encode(),
                          usedforsecurity=False)

    def made(last: object) -> UUID:
        h = common.copy()
        h.update(str(last).encode())
        return UUID(bytes=h.digest()[:16], version=5)

    return made


def _changes_nothing(self: Any, event: object) -> None:
    """Events with no state to keep change nothing but the version."""


def handlers() -> singledispatchmethod[None]:
    """A fresh ``when`` for one aggregate class: ``when = handlers()``, then ``@when.register`` per event type.

    Each class needs its own: registering on an inherited ``when`` would add to every aggregate's registry.
    """
    return singledispatchmethod(_changes_nothing)


class LedgerAggregate(BaseAggregate[UUID]):
    """Common dispatch: each event calls the handler its class registered for its type (``@when.register``);
    an event none is registered for changes nothing but the version."""

    when = handlers()


def _required(value: str, empty: str) -> str:
    """``value`` stripped, or the refusal ``empty`` (an ``N_`` message, translated only when refused)."""
    if not value or not value.strip():
        raise RuleViolation(_(empty))
    return value.strip()


def _evidence(evidence: str) -> str:
    """The evidence reference stripped: a record always says what it rests on."""
    if not evidence or not evidence.strip():
        raise RuleViolation(_("the evidence reference is empty: say what the record rests on (--evidence)"))
    return evidence.strip()


def _year_of(year: int, day: date) -> None:
    """Refuse a scoring year that is not the year of the date it is derived from."""
    if year != day.year:
        raise RuleViolation(_("the year {year} is not the year of the date {date}").format(year=year, date=day))


def _check_digest(text: str, sha256: str) -> None:
    """Refuse a ruleset whose recorded digest is not that of its text (the identity ``init`` reports)."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
        raise RuleViolation(_("its sha256 is not the digest of its text"))


def _check_count(count: int) -> None:
    """Refuse a count that is not a whole number from 1 to ``MAX_COUNT``."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise RuleViolation(_("count must be a positive integer, not {count}").format(count=repr(count)))
    check_count(count)


class RulesetBook(LedgerAggregate):
    """The rulesets adopted for one year, in order; the last one is in force."""

    @staticmethod
    def id_for(year: int) -> UUID:
        return ledger_id("ruleset", year)

    @classmethod
    def adopt_first(cls, *, year: int, ruleset_id: str, text: str, sha256: str, source: str, actor: str) -> Self:
        """Open the year's book with its first ruleset (``sha256``: the digest of ``text``, checked)."""
        _check_digest(text, sha256)
        ruleset_id = _required(ruleset_id, N_("the ruleset id is empty"))
        return cls._create(RulesetAdopted, id=cls.id_for(year), year=year, ruleset_id=ruleset_id, text=text,
                           sha256=sha256, source=source, recorded_by=actor)

    def adopt(self, *, year: int, ruleset_id: str, text: str, sha256: str, source: str, actor: str) -> bool:
        """Record a different ruleset; identical text changes nothing (returns False)."""
        _check_digest(text, sha256)
        if sha256 == self.sha256:
            return False
        self.trigger_event(RulesetAmended, year=year, ruleset_id=ruleset_id, text=text, sha256=sha256,
                           source=source, recorded_by=actor)
        return True

    when = handlers()

    @when.register
    def _(self, e: RulesetAdopted) -> None:
        self.year, self.text, self.sha256 = e.year, e.text, e.sha256

    @when.register
    def _(self, e: RulesetAmended) -> None:
        self.text, self.sha256 = e.text, e.sha256


class Occurrence(LedgerAggregate):
    """A deduction or bonus occurrence; it may be retracted once."""

    @classmethod
    def record(cls, *, unit: str, item: str, year: int, date: date, count: int, evidence: str, actor: str,
               note: str = "", attachments: tuple[Attachment, ...] = (), batch: str | None = None,
               source: str | None = None, id: UUID | None = None) -> Self:  # noqa: A002
        """Record an occurrence (the use case has checked the unit, item and date against the year's ruleset).

        ``id``: the import's deterministic id of the row; a new one otherwise.
        """
        _year_of(year, date)
        _check_count(count)
        return cls._create(OccurrenceRecorded, id=id or uuid4(), unit=_required(unit, N_("the unit is empty")),
                           item=_required(item, N_("the item is empty")), year=year, date=date, count=count,
                           evidence=_evidence(evidence), note=note, attachments=attachments, batch=batch,
                           source=source, recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: OccurrenceRecorded) -> None:
        self.unit, self.item, self.year, self.date, self.retracted = e.unit, e.item, e.year, e.date, False

    @when.register
    def _(self, e: OccurrenceRetracted) -> None:
        self.retracted = True

    def retract(self, reason: str, actor: str) -> None:
        """Withdraw the occurrence; it stays in the ledger, marked retracted."""
        if self.retracted:
            raise RuleViolation(_("occurrence {id} is already retracted").format(id=self.id))
        self.trigger_event(OccurrenceRetracted, reason=reason, recorded_by=actor)


class Assessment(LedgerAggregate):
    """One assessment of an assessment item (later ones replace it in the score, not in the ledger)."""

    @classmethod
    def record(cls, *, unit: str, item: str, year: int, date: date, points: Decimal, evidence: str, actor: str,
               note: str = "", batch: str | None = None, source: str | None = None,
               id: UUID | None = None) -> Self:  # noqa: A002
        """Record an assessment (the use case has checked ``points`` against the item's maximum)."""
        _year_of(year, date)
        if not isinstance(points, Decimal) or not points.is_finite() or points < 0:
            raise RuleViolation(_("points must be a number of at least 0, not {points}").format(points=points))
        return cls._create(AssessmentRecorded, id=id or uuid4(), unit=_required(unit, N_("the unit is empty")),
                           item=_required(item, N_("the item is empty")), year=year, date=date, points=points,
                           evidence=_evidence(evidence), note=note, batch=batch, source=source, recorded_by=actor)


class EventsFile(LedgerAggregate):
    """A file of occurrences imported once (by content); repeats only with ``--again``."""

    @staticmethod
    def id_for(sha256: str, again: int) -> UUID:
        return ledger_id("events-file", sha256, again)

    @classmethod
    def record(cls, *, sha256: str, name: str, rows: int, again: int, actor: str,
               timestamp: datetime | None = None) -> Self:
        """Record that a file was imported: its ``again``-th repeat (0: the first import of its content)."""
        if rows < 0 or again < 0:
            raise RuleViolation(_("its digest, row count or repeat number is not one the ledger writes"))
        return cls._create(EventsFileImported, id=cls.id_for(sha256, again), timestamp=timestamp, sha256=sha256,
                           name=name, rows=rows, again=again, recorded_by=actor)


class Dispute(LedgerAggregate):
    """A unit's dispute of an occurrence, or request to screen a work order out of a rate."""

    @staticmethod
    def id_for(subject: str, target: str, rate: str | None, earlier: int) -> UUID:
        """The id of the next dispute of ``target`` (and ``rate``), which already has ``earlier`` disputes.

        Two writers opening a dispute of the same target at once compute the same id, so the store
        refuses the second: at most one dispute per target is opened on any one count of earlier ones.
        """
        return ledger_id("dispute", subject, target, rate or "", earlier)

    @classmethod
    def open(cls, *, id: UUID, subject: str, target: str, unit: str, item: str, reason: str,  # noqa: A002
             evidence: str, actor: str, rate: str | None = None, attachments: tuple[Attachment, ...] = (),
             filed_on: date | None = None) -> Self:
        """Open a dispute; ``id`` is ``id_for`` of the disputes the target already has (the use case counts them).

        A screening (subject ``workorder``) names the rate it asks to leave; a dispute of an occurrence names none.
        """
        if not reason or not reason.strip():
            raise RuleViolation(_("a dispute needs a reason"))
        if (subject == "workorder") != (rate is not None):
            raise RuleViolation(_("a screening names the rate it concerns, and a dispute of an occurrence none"))
        return cls._create(DisputeOpened, id=id, subject=subject, target=_required(target, N_("the target is empty")),
                           unit=unit, item=item, rate=rate, reason=reason.strip(), evidence=_evidence(evidence),
                           attachments=attachments, filed_on=filed_on, recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: DisputeOpened) -> None:
        self.subject, self.target, self.decision = e.subject, e.target, None

    @when.register
    def _(self, e: DisputeDecided) -> None:
        self.decision = e.decision

    def decide(self, decision: str, count: int | None, reason: str, actor: str) -> None:
        """Decide once: accept, reject, or (occurrences only) amend the count."""
        if self.decision is not None:
            raise Conflict(
                _("dispute {id} was already decided ({decision}); open a new dispute").format(
                    id=self.id, decision=self.decision)
            )
        if decision == "amend":
            if self.subject != "occurrence":
                raise RuleViolation(_("a screening is accepted or rejected; it cannot be amended"))
            if count is None or count < 1:
                raise RuleViolation(_("amend needs --count N with N a positive integer"))
            check_count(count)
        elif count is not None:
            raise RuleViolation(_("--count goes with --decision amend only"))
        self.trigger_event(DisputeDecided, decision=decision, count=count, reason=reason, recorded_by=actor)


class Notice(LedgerAggregate):
    """A first-supervision notice (its id is unique) and the unit's explanation."""

    @staticmethod
    def id_for(notice: str) -> UUID:
        return ledger_id("notice", notice)

    @classmethod
    def receive(cls, *, unit: str, notice: str, received: date, year: int, evidence: str, actor: str) -> Self:
        """Record a notice the unit received; its id derives from the notice's own id (unique)."""
        notice = _required(notice, N_("the notice id is empty"))
        _year_of(year, received)
        return cls._create(NoticeReceived, id=cls.id_for(notice), unit=_required(unit, N_("the unit is empty")),
                           notice=notice, received=received, year=year, evidence=_evidence(evidence), recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: NoticeReceived) -> None:
        self.unit, self.notice, self.received, self.explained = e.unit, e.notice, e.received, None

    @when.register
    def _(self, e: ExplanationSubmitted) -> None:
        self.explained = e.date

    def explain(self, on: date, evidence: str, actor: str) -> None:
        """Record the explanation, once: the first explanation decides the verdict."""
        if self.explained is not None:
            raise RuleViolation(_("notice {notice} already has an explanation dated {date}").format(
                notice=self.notice, date=self.explained))
        if on < self.received:
            raise RuleViolation(
                _("explanation for notice {notice} dated {date} is before the notice was received ({received})")
                .format(notice=self.notice, date=on, received=self.received))
        self.trigger_event(ExplanationSubmitted, date=on, evidence=evidence, recorded_by=actor)


class CalendarDay(LedgerAggregate):
    """The official ruling for one date (a later ruling replaces the earlier)."""

    @staticmethod
    def id_for(day: date) -> UUID:
        return ledger_id("calendar", day.isoformat())

    @classmethod
    def rule(cls, *, day: date, workday: bool, evidence: str, actor: str) -> Self:
        """The first ruling for ``day``: a working day (``workday``) or a holiday."""
        return cls._create(CalendarRuled, id=cls.id_for(day), date=day, workday=workday,
                           evidence=_evidence(evidence), recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: CalendarRuled) -> None:
        self.workday = e.workday

    @when.register
    def _(self, e: CalendarRulingChanged) -> None:
        self.workday = e.workday

    def change(self, workday: bool, evidence: str, actor: str) -> bool:
        """Change the ruling; the same ruling again changes nothing (returns False)."""
        if workday == self.workday:
            return False
        self.trigger_event(CalendarRulingChanged, workday=workday, evidence=evidence, recorded_by=actor)
        return True


class CalendarYear(LedgerAggregate):
    """A year whose rulings have all been entered."""

    @staticmethod
    def id_for(year: int) -> UUID:
        return ledger_id("calendar-year", year)

    @classmethod
    def complete(cls, *, year: int, evidence: str, actor: str) -> Self:
        """Declare every ruling of ``year`` entered: its other dates follow the weekday rule."""
        return cls._create(CalendarYearCompleted, id=cls.id_for(year), year=year, evidence=_evidence(evidence),
                           recorded_by=actor)


class WorkOrderBatch(LedgerAggregate):
    """One chunk of work-order facts from one export."""

    @staticmethod
    def id_for(batch: str, chunk: int) -> UUID:
        return ledger_id("workorders", batch, chunk)

    @classmethod
    def record(cls, *, batch: str, chunk: int, source: str, sha256: str, exported_at: str,
               rows: Sequence[Sequence[str | None]], actor: str, extra: Mapping[str, list[str | None]] | None = None,
               unit: str | None = None) -> Self:
        """Record chunk ``chunk`` of import ``batch``: its facts, each a ``FactRow`` or its fields in order
        (``extra`` aligned); ``unit``: the unit whose orders the chunk concerns (a row moving an order away states
        its new unit)."""
        if chunk < 0 or not rows:
            raise RuleViolation(_("a chunk of work-order facts has a position of 0 or more and at least one fact row"))
        # Checked at C speed (a million orders go through here); the loop only finds the row to name.
        facts = [_new_fact(FactRow, row) for row in rows]
        if set(map(len, facts)) != {len(FACT_FIELDS)} or not all(map(_ORDER_ID, facts)):
            n = next(n for n, f in enumerate(facts, start=1) if len(f) != len(FACT_FIELDS) or not f.order_id)
            raise RuleViolation(_("fact row {n} is not a work-order fact the ledger writes").format(n=n))
        return cls._create(WorkOrderFactsRecorded, id=cls.id_for(batch, chunk), batch=batch, chunk=chunk,
                           source=source, sha256=sha256, exported_at=exported_at, rows=facts,
                           extra=dict(extra or {}), unit=unit, recorded_by=actor)


#: A fact row from its fields without ``FactRow``'s own argument handling (its width is checked after, for all).
_new_fact = tuple.__new__
_ORDER_ID = attrgetter("order_id")


class ReportSubmission(LedgerAggregate):
    """One submission of a periodic report (the earliest per period decides its verdict)."""

    @classmethod
    def submit(cls, *, unit: str, kind: str, period: str, year: int, date: date, evidence: str,
               actor: str) -> Self:
        """Record a report submitted on ``date`` for ``period`` (``2025-09``, ``2025-Q3``) of ``year``."""
        if not period.startswith(f"{year}-"):
            raise RuleViolation(_("the period {period} is not in the year {year}").format(period=period, year=year))
        return cls._create(ReportSubmitted, id=uuid4(), unit=_required(unit, N_("the unit is empty")), kind=kind,
                           period=period, year=year, date=date, evidence=_evidence(evidence), recorded_by=actor)


class Seal(LedgerAggregate):
    """A published head of the tamper-evidence chain."""

    @classmethod
    def seal(cls, *, id: UUID, timestamp: datetime, notification_id: int, head: str, actor: str,  # noqa: A002
             note: str = "", signature: str = "", public_key: str = "", tree_size: int = 0,
             tree_root: str = "") -> Self:
        """Record the chain's ``head`` at ``notification_id``; ``id`` and ``timestamp`` are those the signature covers.

        Signed means both a signature and its key; a tree head is a size with its root, or neither (0, "").
        """
        if notification_id < 0 or tree_size < 0 or not head:
            raise RuleViolation(_("a seal names a chain head at a notification id of 0 or more"))
        if bool(signature) != bool(public_key):
            raise RuleViolation(_("a seal is signed with a signature and its public key, or is unsigned"))
        if bool(tree_size) != bool(tree_root):
            raise RuleViolation(_("a seal's tree head has both a size and a root, or neither"))
        return cls._create(LedgerSealed, id=id, timestamp=timestamp, notification_id=notification_id, head=head,
                           note=note, signature=signature, public_key=public_key, tree_size=tree_size,
                           tree_root=tree_root, recorded_by=actor)


class Account(LedgerAggregate):
    """A person's account: its role and unit, whether it may log in, and the public ids of its live API tokens.

    Its id derives from the login, so two writers opening the same login compute the same id and
    the store refuses the second. Its secrets are not here: see ``ledger/credentials.py``.
    """

    @staticmethod
    def id_for(login: str) -> UUID:
        return ledger_id("account", login)

    @classmethod
    def open(cls, *, login: str, role: str, actor: str, unit: str | None = None, name: str = "") -> Self:
        """Open an account (the login as stored: trimmed, lower case); a unit exactly when the role is ``unit``."""
        if not login or login != login.strip().lower():
            raise RuleViolation(_("its login {login} is not written as the ledger writes logins").format(
                login=repr(login[:80])))
        _check_role_unit(role, unit)
        return cls._create(AccountOpened, id=cls.id_for(login), login=login, role=role, unit=unit, name=name,
                           recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: AccountOpened) -> None:
        self.login, self.role, self.unit, self.name = e.login, e.role, e.unit, e.name
        self.enabled, self.password_set, self.tokens = True, False, ()

    @when.register
    def _(self, e: AccountRoleChanged) -> None:
        self.role, self.unit = e.role, e.unit

    @when.register
    def _(self, e: AccountDisabled) -> None:
        self.enabled = False

    @when.register
    def _(self, e: AccountEnabled) -> None:
        self.enabled = True

    @when.register
    def _(self, e: AccountPasswordSet) -> None:
        self.password_set = True

    @when.register
    def _(self, e: AccountTokenIssued) -> None:
        self.tokens = (*self.tokens, e.token_id)

    @when.register
    def _(self, e: AccountTokensRevoked) -> None:
        self.tokens = tuple(t for t in self.tokens if t not in e.token_ids)

    def change_role(self, role: str, unit: str | None, actor: str) -> None:
        """Give the account another role (the caller has validated the unit against the ruleset)."""
        _check_role_unit(role, unit)
        if (role, unit) == (self.role, self.unit):
            held = f"{role} of unit {unit}" if unit else role
            raise RuleViolation(f"account {self.login} already has the role {held}")
        self.trigger_event(AccountRoleChanged, role=role, unit=unit, recorded_by=actor)

    def disable(self, actor: str) -> None:
        """Refuse the account's password and tokens from now on."""
        if not self.enabled:
            raise RuleViolation(f"account {self.login} is already disabled")
        self.trigger_event(AccountDisabled, recorded_by=actor)

    def enable(self, actor: str) -> None:
        """Let a disabled account log in again (its password and unrevoked tokens work again)."""
        if self.enabled:
            raise RuleViolation(f"account {self.login} is already enabled")
        self.trigger_event(AccountEnabled, recorded_by=actor)

    def note_password_set(self, actor: str) -> None:
        """Record that the password was set (its hash goes to the credentials table, not here)."""
        self.trigger_event(AccountPasswordSet, recorded_by=actor)

    def issue_token(self, token_id: str, label: str, actor: str) -> None:
        """Record a new API token's public id."""
        self.trigger_event(AccountTokenIssued, token_id=token_id, label=label, recorded_by=actor)

    def revoke_tokens(self, actor: str) -> tuple[str, ...]:
        """Revoke every live token; returns their ids (none: nothing is recorded)."""
        revoked = self.tokens
        if revoked:
            self.trigger_event(AccountTokensRevoked, token_ids=revoked, recorded_by=actor)
        return revoked


def _check_role_unit(role: str, unit: str | None) -> None:
    """An account has a unit exactly when its role is ``unit``."""
    if (role == "unit") != (unit is not None):
        raise RuleViolation(_("the role {role} with the unit {unit} is not an account the ledger opens").format(
            role=role, unit=repr(unit)))


AGGREGATE_TYPES: tuple[type[LedgerAggregate], ...] = (
    RulesetBook, Occurrence, Assessment, EventsFile, Dispute, Notice, CalendarDay, CalendarYear,
    WorkOrderBatch, ReportSubmission, Seal, Account,
)
"""Every aggregate class a creation event may name as its ``originator_topic`` (and nothing else is built)."""
