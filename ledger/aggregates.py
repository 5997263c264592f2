"""Small aggregates: each decides in a public command method, then triggers a past-tense event.

The ``when`` handlers only assign: they re-run on every replay, so they never read a clock,
make an id, consult a ruleset or raise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import singledispatchmethod
from typing import Any
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
from events.deadlines import (
    CalendarRuled,
    CalendarRulingChanged,
    ExplanationSubmitted,
    NoticeReceived,
)
from events.disputes import DisputeDecided, DisputeOpened
from events.occurrences import OccurrenceRecorded, OccurrenceRetracted
from events.rulesets import RulesetAdopted, RulesetAmended
from ledger.counts import check_count
from ledger.errors import Conflict, RuleViolation
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


class LedgerAggregate(BaseAggregate[UUID]):
    """Common dispatch: each event calls the handler registered for its type."""

    @classmethod
    def start(cls, event_class: type, id: UUID | None = None, **fields: Any) -> Any:  # noqa: A002
        """Create the aggregate with its first event."""
        return cls._create(event_class, id=id or uuid4(), **fields)

    @singledispatchmethod
    def when(self, event: object) -> None:
        """Events with no state to keep change nothing but the version."""


class RulesetBook(LedgerAggregate):
    """The rulesets adopted for one year, in order; the last one is in force."""

    @staticmethod
    def id_for(year: int) -> UUID:
        return ledger_id("ruleset", year)

    def adopt(self, *, year: int, ruleset_id: str, text: str, sha256: str, source: str, actor: str) -> bool:
        """Record a different ruleset; identical text changes nothing (returns False)."""
        if sha256 == self.sha256:
            return False
        self.trigger_event(RulesetAmended, year=year, ruleset_id=ruleset_id, text=text, sha256=sha256,
                           source=source, recorded_by=actor)
        return True

    @singledispatchmethod
    def when(self, event: object) -> None:
        pass

    @when.register
    def _(self, e: RulesetAdopted) -> None:
        self.year, self.text, self.sha256 = e.year, e.text, e.sha256

    @when.register
    def _(self, e: RulesetAmended) -> None:
        self.text, self.sha256 = e.text, e.sha256


class Occurrence(LedgerAggregate):
    """A deduction or bonus occurrence; it may be retracted once."""

    @singledispatchmethod
    def when(self, event: object) -> None:
        pass

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


class EventsFile(LedgerAggregate):
    """A file of occurrences imported once (by content); repeats only with ``--again``."""

    @staticmethod
    def id_for(sha256: str, again: int) -> UUID:
        return ledger_id("events-file", sha256, again)


class Dispute(LedgerAggregate):
    """A unit's dispute of an occurrence, or request to screen a work order out of a rate."""

    @staticmethod
    def id_for(subject: str, target: str, rate: str | None, earlier: int) -> UUID:
        """The id of the next dispute of ``target`` (and ``rate``), which already has ``earlier`` disputes.

        Two writers opening a dispute of the same target at once compute the same id, so the store
        refuses the second: at most one dispute per target is opened on any one count of earlier ones.
        """
        return ledger_id("dispute", subject, target, rate or "", earlier)

    @singledispatchmethod
    def when(self, event: object) -> None:
        pass

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

    @singledispatchmethod
    def when(self, event: object) -> None:
        pass

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

    @singledispatchmethod
    def when(self, event: object) -> None:
        pass

    @when.register
    def _(self, e: CalendarRuled) -> None:
        self.workday = e.workday

    @when.register
    def _(self, e: CalendarRulingChanged) -> None:
        self.workday = e.workday

    def rule(self, workday: bool, evidence: str, actor: str) -> bool:
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


class WorkOrderBatch(LedgerAggregate):
    """One chunk of work-order facts from one export."""

    @staticmethod
    def id_for(batch: str, chunk: int) -> UUID:
        return ledger_id("workorders", batch, chunk)


class ReportSubmission(LedgerAggregate):
    """One submission of a periodic report (the earliest per period decides its verdict)."""


class Seal(LedgerAggregate):
    """A published head of the tamper-evidence chain."""


class Account(LedgerAggregate):
    """A person's account: its role and unit, whether it may log in, and the public ids of its live API tokens.

    Its id derives from the login, so two writers opening the same login compute the same id and
    the store refuses the second. Its secrets are not here: see ``ledger/credentials.py``.
    """

    @staticmethod
    def id_for(login: str) -> UUID:
        return ledger_id("account", login)

    @singledispatchmethod
    def when(self, event: object) -> None:
        pass

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
        """Give the account another role (the caller has validated the unit)."""
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


AGGREGATE_TYPES: tuple[type[LedgerAggregate], ...] = (
    RulesetBook, Occurrence, Assessment, EventsFile, Dispute, Notice, CalendarDay, CalendarYear,
    WorkOrderBatch, ReportSubmission, Seal, Account,
)
"""Every aggregate class a creation event may name as its ``originator_topic`` (and nothing else is built)."""
