"""The ledger application: one method per use case, in simple types, one ``save()`` each.

Every method validates against the ruleset adopted for the year concerned and then appends;
a refusal raises a ``LedgerError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from events.deadlines import CalendarRuled, CalendarYearCompleted, NoticeReceived, ReportSubmitted
from events.disputes import DisputeOpened
from events.occurrences import AssessmentRecorded, OccurrenceRecorded
from events.rulesets import RulesetAdopted
from events.seals import LedgerSealed
from ledger.aggregates import (
    Assessment,
    CalendarDay,
    CalendarYear,
    Dispute,
    Notice,
    Occurrence,
    ReportSubmission,
    RulesetBook,
    Seal,
)
from ledger.chain import chain_env
from ledger.errors import NoRuleset, NotFound, RuleViolation, UnknownItem, UnknownUnit
from ledger.evidence import EvidenceStore
from ledger.provisioning import ensure_tables, probe
from ledger.rulesets.loading import parse_ruleset, sha256_text
from ledger.rulesets.schema import OCCURRENCE_KINDS, Item, Ruleset
from ledger.store import OrjsonTranscoder, PydanticMapper, StoreLocation
from projections.view import View

#: Read-decide-save attempts before a command that keeps meeting concurrent changes gives up.
CONFLICT_RETRIES = 20

T = TypeVar("T")

RATE_ITEMS = {"satisfaction", "reply", "ontime"}


class Ledger(Application[UUID]):
    """The hotline ledger: rulesets, occurrences, assessments, disputes, deadlines, work orders."""

    name = "Ledger"
    env = {"TRANSCODER_TOPIC": get_topic(OrjsonTranscoder), "MAPPER_TOPIC": get_topic(PydanticMapper)}

    def __init__(self, location: StoreLocation, extra_env: dict[str, str] | None = None) -> None:
        self.location = location
        module = location.env["PERSISTENCE_MODULE"]
        probe(location)
        # Tables are created only when missing (see ledger/provisioning.py), never on every start.
        super().__init__(env={**location.env, **chain_env(module), **(extra_env or {}), "CREATE_TABLE": "n"})
        try:
            ensure_tables(self)
        except BaseException:
            self.close()
            raise
        self.evidence = EvidenceStore(location.evidence_dir)
        self._rulesets: dict[str, Ruleset] = {}

    @cached_property
    def view(self) -> View:
        """The read model, caught up on demand (SQLite cannot push notifications)."""
        return View(self.location.views_path)

    def refresh(self, progress: Any = None) -> View:
        """Bring the read model up to date with every recorded event and return it."""
        self.view.catch_up(self, progress=progress)
        return self.view

    # ── rulesets ────────────────────────────────────────────────────────────
    def adopt_ruleset(self, year: int, text: str, source: str, actor: str) -> tuple[str, bool]:
        """Adopt ``text`` for ``year``; returns (the book's id, whether anything was recorded)."""
        ruleset = parse_ruleset(text, source)
        sha = sha256_text(text)
        book_id = RulesetBook.id_for(year)

        def attempt() -> tuple[str, bool]:
            try:
                book = self.repository.get(book_id)
            except AggregateNotFoundError:
                book = RulesetBook.start(RulesetAdopted, id=book_id, year=year, ruleset_id=ruleset.id, text=text,
                                         sha256=sha, source=source, recorded_by=actor)
                self.save(book)
                return str(book_id), True
            changed = book.adopt(year=year, ruleset_id=ruleset.id, text=text, sha256=sha, source=source, actor=actor)
            if changed:
                self.save(book)
            return str(book_id), changed

        return self._retrying(attempt, f"the {year} ruleset kept changing meanwhile; run init again")

    @contextmanager
    def cached_rulesets(self) -> Iterator[None]:
        """Within this block, look each year's ruleset up once (a file import validates many rows)."""
        self._ruleset_cache: dict[int, Ruleset] | None = {}
        self._resolved: dict[tuple[int, str, str | None], tuple[Ruleset, str, Item | None]] | None = {}
        try:
            yield
        finally:
            self._ruleset_cache = self._resolved = None

    def ruleset(self, year: int) -> Ruleset:
        """The ruleset in force for ``year`` (as last adopted)."""
        cache = getattr(self, "_ruleset_cache", None)
        if cache is not None and year in cache:
            return cache[year]
        ruleset = self._load_ruleset(year)
        if cache is not None:
            cache[year] = ruleset
        return ruleset

    def _load_ruleset(self, year: int) -> Ruleset:
        try:
            book = self.repository.get(RulesetBook.id_for(year))
        except AggregateNotFoundError:
            raise NoRuleset(year) from None
        return self.parse_cached(book.text, book.sha256)

    def parse_cached(self, text: str, sha: str) -> Ruleset:
        """Parse a ruleset text once per process (they are immutable, keyed by digest)."""
        if sha not in self._rulesets:
            self._rulesets[sha] = parse_ruleset(text, f"ruleset {sha[:12]}")
        return self._rulesets[sha]

    # ── validation shared by the recording commands ─────────────────────────
    def resolve(self, year: int, unit: str, item: str | None = None) -> tuple[Ruleset, str, Item | None]:
        """The ruleset for ``year``, the unit's code and the item, or a refusal naming what is unknown."""
        memo = getattr(self, "_resolved", None)
        if memo is not None:  # inside cached_rulesets(): a file repeats the same few (unit, item) pairs
            key = (year, unit, item)
            if key not in memo:
                memo[key] = self._resolve(year, unit, item)
            return memo[key]
        return self._resolve(year, unit, item)

    def _resolve(self, year: int, unit: str, item: str | None) -> tuple[Ruleset, str, Item | None]:
        ruleset = self.ruleset(year)
        found = ruleset.resolve_unit(unit)
        if found is None:
            raise UnknownUnit(unit, year, [f"{u.code}/{u.name}" for u in ruleset.units])
        if item is None:
            return ruleset, found.code, None
        try:
            it = ruleset.item_for(found.code, item)
        except KeyError:
            raise UnknownItem(item, year) from None
        if not ruleset.applies(found.code, it.code):  # an item of another unit class (issue 8)
            raise RuleViolation(f"item {it.code} does not apply to {found.code} ({found.name}) "
                                f"in the {year} ruleset: it is scored for other unit classes only")
        return ruleset, found.code, it

    def item_kind(self, unit: str, item: str, on: date) -> str:
        """The kind of ``item`` in the ruleset for ``on``'s year (validating unit and item)."""
        _, _, it = self.resolve(on.year, unit, item)
        assert it is not None
        return it.kind

    def save_all(self, aggregates: Sequence[Any], conflict: str) -> None:
        """Save many new aggregates in one transaction (all or nothing)."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise RuleViolation(conflict) from None

    def append_events(self, events: Sequence[Any], conflict: str) -> list[int]:
        """Append new aggregates' events in one transaction, mapping each as it goes (bulk imports).

        Returns their notification ids, in the order of ``events``.
        """
        if not events:
            return []
        stored = [self.mapper.to_stored_event(e) for e in events]
        try:
            return list(self.recorder.insert_events(stored) or [])
        except IntegrityError:
            raise RuleViolation(conflict) from None

    @staticmethod
    def _require_evidence(evidence: str) -> str:
        if not evidence or not evidence.strip():
            raise RuleViolation("the evidence reference is empty: say what the record rests on (--evidence)")
        return evidence.strip()

    def _save_new(self, aggregate: Any, conflict: str) -> None:
        try:
            self.save(aggregate)
        except IntegrityError:
            raise RuleViolation(conflict) from None

    # ── occurrences and assessments ─────────────────────────────────────────
    def occurrence_fields(self, unit: str, item: str, on: date, count: int, evidence: str,
                          note: str = "") -> dict[str, Any]:
        """Validate one occurrence and return its event fields (shared by ``record`` and imports)."""
        ruleset, unit_code, it = self.resolve(on.year, unit, item)
        assert it is not None
        if it.kind not in OCCURRENCE_KINDS:
            raise RuleViolation(
                f"item {it.code} is of kind {it.kind}: "
                + ("use `assess`" if it.kind == "assessment" else "it is not recorded as occurrences")
            )
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise RuleViolation(f"count must be a positive integer, not {count!r}")
        return {"unit": unit_code, "item": it.code, "year": on.year, "date": on, "count": count,
                "evidence": self._require_evidence(evidence), "note": note or ""}

    def record_occurrence(self, *, unit: str, item: str, on: date, evidence: str, actor: str, count: int = 1,
                          note: str = "", attachments: Sequence[str] = ()) -> str:
        """Record a deduction or bonus occurrence; returns its id."""
        fields = self.occurrence_fields(unit, item, on, count, evidence, note)
        kept = tuple(self.evidence.add(a) for a in attachments)
        occ = Occurrence.start(OccurrenceRecorded, **fields, attachments=kept, recorded_by=actor)
        self.save(occ)
        return str(occ.id)

    def assessment_fields(self, unit: str, item: str, on: date, points: Decimal, evidence: str,
                          note: str = "") -> dict[str, Any]:
        """Validate one assessment and return its event fields."""
        ruleset, unit_code, it = self.resolve(on.year, unit, item)
        assert it is not None
        if it.kind != "assessment":
            raise RuleViolation(f"item {it.code} is of kind {it.kind}, not an assessment: use `record`")
        if not points.is_finite() or points < 0 or points > it.max:
            raise RuleViolation(f"points {points} are outside 0..{it.max} for item {it.code}")
        return {"unit": unit_code, "item": it.code, "year": on.year, "date": on, "points": points,
                "evidence": self._require_evidence(evidence), "note": note or ""}

    def assess(self, *, unit: str, item: str, points: Decimal, on: date, evidence: str, actor: str,
               note: str = "") -> str:
        """Record an assessment; the latest one recorded for the year counts."""
        fields = self.assessment_fields(unit, item, on, points, evidence, note)
        agg = Assessment.start(AssessmentRecorded, **fields, recorded_by=actor)
        self.save(agg)
        return str(agg.id)

    def find_id(self, table: str, given: str, what: str) -> str:
        """A full id from an id or a unique prefix of at least 8 characters."""
        key = given.strip().lower()
        if len(key) < 8:
            raise NotFound(f"{what} {given!r}: give the id (or at least its first 8 characters)")
        view = self.refresh()
        rows = view.db.execute(f"SELECT id FROM {table} WHERE id LIKE ? || '%' LIMIT 2", (key,)).fetchall()
        if not rows:
            raise NotFound(f"no {what} with id {given!r}")
        if len(rows) > 1:
            raise NotFound(f"{what} id {given!r} is ambiguous: give more characters")
        return str(rows[0][0])

    def retract(self, event_id: str, reason: str, actor: str) -> str:
        """Withdraw an occurrence (it stays in the ledger, marked retracted)."""
        if not reason.strip():
            raise RuleViolation("a retraction needs a reason (--reason)")
        occ_id = self.find_id("occurrences", event_id, "occurrence")

        def attempt() -> str:
            occ = self.repository.get(UUID(occ_id))
            occ.retract(reason.strip(), actor)  # re-read after a conflict: "already retracted" is then the answer
            self.save(occ)
            return occ_id

        return self._retrying(attempt, f"occurrence {occ_id} kept changing meanwhile; try again")

    def _retrying(self, attempt: Callable[[], T], conflict: str) -> T:
        """Run a read-decide-save command; when another writer saved the same aggregate first, read and decide again.

        Only for commands whose decision depends on nothing but the aggregate they save (the re-read
        decides afresh: "already decided" becomes a refusal, an identical ruling changes nothing).
        """
        for _ in range(CONFLICT_RETRIES):
            try:
                return attempt()
            except IntegrityError:
                continue
        raise RuleViolation(conflict)

    def _save_existing(self, aggregate: Any, conflict: str) -> None:
        try:
            self.save(aggregate)
        except IntegrityError:
            raise RuleViolation(conflict) from None

    # ── disputes and screenings ─────────────────────────────────────────────
    def open_dispute(self, *, event_id: str, reason: str, evidence: str, actor: str,
                     attachments: Sequence[str] = (), filed_on: date | None = None) -> str:
        """A unit disputes an occurrence; it keeps counting until the dispute is decided.

        ``filed_on`` (default: today) is checked against the ruleset's filing deadline, if any.
        """
        try:
            occ_id = self.find_id("occurrences", event_id, "occurrence")
        except NotFound:
            self._refuse_assessment_dispute(event_id)
            raise
        occ = self.repository.get(UUID(occ_id))
        if occ.retracted:
            raise RuleViolation(f"occurrence {occ_id} is retracted: there is nothing to dispute")
        open_ = self.view.db.execute(
            "SELECT id FROM disputes WHERE target=? AND decision IS NULL", (occ_id,)
        ).fetchone()
        if open_:
            raise RuleViolation(f"occurrence {occ_id} already has an open dispute {open_[0]}")
        occurred = self.view.db.execute("SELECT date FROM occurrences WHERE id=?", (occ_id,)).fetchone()
        self._check_filing(occ.year, date.fromisoformat(occurred[0]) if occurred else None, filed_on,
                           f"occurrence {occ_id}")
        return self._open(subject="occurrence", target=occ_id, unit=occ.unit, item=occ.item, rate=None,
                          reason=reason, evidence=evidence, actor=actor, attachments=attachments)

    def _refuse_assessment_dispute(self, event_id: str) -> None:
        """An assessment is not disputed (RUBRIC.md §9): say so instead of "no occurrence"."""
        try:
            found = self.find_id("assessments", event_id, "assessment")
        except NotFound:
            return
        raise RuleViolation(f"{found} is an assessment: assessments are not disputed; "
                            "ask for a re-assessment (record it with `assess`)")

    def open_screening(self, *, order_id: str, rate: str, reason: str, evidence: str, actor: str,
                       attachments: Sequence[str] = (), filed_on: date | None = None) -> str:
        """A unit asks that a work order be screened out (甄别) of one rate."""
        if rate not in RATE_ITEMS:
            raise RuleViolation(f"rate must be one of {', '.join(sorted(RATE_ITEMS))}, not {rate!r}")
        view = self.refresh()
        row = view.db.execute("SELECT unit, dispatched_at, due_at, completed_at FROM workorders WHERE order_id=?",
                              (order_id,)).fetchone()
        if row is None:
            raise NotFound(f"no work order {order_id!r} in the ledger (import the export that has it first)")
        year = int((row["due_at"] if rate == "ontime" else row["dispatched_at"])[:4])
        ruleset = self.ruleset(year)
        item = next((i.code for i in ruleset.items if getattr(i, "rate", None) == rate), None)
        if item is None:
            raise RuleViolation(f"the {year} ruleset scores no {rate} rate")
        pending = view.db.execute(
            "SELECT id FROM disputes WHERE target=? AND rate=? AND decision IS NULL", (order_id, rate)
        ).fetchone()
        if pending:
            raise RuleViolation(f"work order {order_id} already has an open screening {pending[0]} for {rate}")
        completed = row["completed_at"]
        self._check_filing(year, date.fromisoformat(completed[:10]) if completed else None, filed_on,
                           f"work order {order_id}")
        return self._open(subject="workorder", target=order_id, unit=row["unit"], item=item, rate=rate,
                          reason=reason, evidence=evidence, actor=actor, attachments=attachments)

    def _check_filing(self, year: int, evaluated_on: date | None, filed_on: date | None, what: str) -> None:
        """Refuse a dispute filed after the deadline of the ruleset for ``year`` (issue 8)."""
        ruleset = self.ruleset(year)
        if ruleset.disputes.working_days is None:
            return
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from ledger.dispute_window import check_filing
        from projections.facts import calendar_of

        today = filed_on or datetime.now(ZoneInfo(ruleset.scoring.timezone)).date()
        check_filing(ruleset, calendar_of(self.view.db), evaluated_on, today, what)

    def _open(self, *, attachments: Sequence[str], actor: str, reason: str, evidence: str, **fields: Any) -> str:
        if not reason.strip():
            raise RuleViolation("a dispute needs a reason (--reason)")
        kept = tuple(self.evidence.add(a) for a in attachments)
        dispute = Dispute.start(DisputeOpened, **fields, reason=reason.strip(),
                                evidence=self._require_evidence(evidence), attachments=kept, recorded_by=actor)
        self.save(dispute)
        return str(dispute.id)

    def decide_dispute(self, *, dispute_id: str, decision: str, reason: str, actor: str,
                       count: int | None = None) -> str:
        """Decide a dispute once: accept, reject or amend."""
        if not reason.strip():
            raise RuleViolation("a decision needs a reason (--reason)")
        did = self.find_id("disputes", dispute_id, "dispute")

        def attempt() -> str:
            dispute = self.repository.get(UUID(did))
            dispute.decide(decision, count, reason.strip(), actor)  # after a conflict: "already decided"
            self.save(dispute)
            return did

        return self._retrying(attempt, f"dispute {did} kept changing meanwhile; try again")

    # ── reports, notices and the calendar ───────────────────────────────────
    def submit_report(self, *, unit: str, kind: str, period: str, on: date, evidence: str, actor: str) -> str:
        """Record that a unit submitted its monthly or quarterly report for a period."""
        from projections.deadlines import parse_period

        try:
            parsed = parse_period(kind, period)
        except ValueError as e:
            raise RuleViolation(str(e)) from None
        ruleset, unit_code, _ = self.resolve(parsed.year, unit)
        self._require_deadline_schedule(ruleset, parsed.year, kind, f"{kind} reports")
        if on < parsed.end:
            # A report analyses its whole period: one dated before the period's last day is a typo
            # (a wrong --period or --date), and it would otherwise count as on time.
            raise RuleViolation(f"a {kind} report for {parsed} cannot be dated {on}: the period ends on "
                                f"{parsed.end} (check --period and --date)")
        agg = ReportSubmission.start(ReportSubmitted, unit=unit_code, kind=kind, period=str(parsed),
                                     year=parsed.year, date=on, evidence=self._require_evidence(evidence),
                                     recorded_by=actor)
        self.save(agg)
        return str(agg.id)

    def receive_notice(self, *, unit: str, notice: str, received: date, evidence: str, actor: str) -> str:
        """Record a first-supervision notice (its id must be new)."""
        if not notice.strip():
            raise RuleViolation("the notice id is empty (--notice)")
        ruleset, unit_code, _ = self.resolve(received.year, unit)
        self._require_deadline_schedule(ruleset, received.year, "notice", "explanations of notices")
        agg = Notice.start(NoticeReceived, id=Notice.id_for(notice.strip()), unit=unit_code, notice=notice.strip(),
                           received=received, year=received.year, evidence=self._require_evidence(evidence),
                           recorded_by=actor)
        self._save_new(agg, f"notice {notice!r} is already recorded: a notice id is unique")
        return str(agg.id)

    def explain(self, *, notice: str, on: date, evidence: str, actor: str) -> str:
        """Record the unit's explanation for a notice."""

        def attempt() -> str:
            try:
                agg = self.repository.get(Notice.id_for(notice.strip()))
            except AggregateNotFoundError:
                raise NotFound(f"no notice {notice!r} in the ledger (record it with `notice` first)") from None
            agg.explain(on, self._require_evidence(evidence), actor)
            self.save(agg)
            return str(agg.id)

        return self._retrying(attempt, f"notice {notice} kept changing meanwhile; try again")

    @staticmethod
    def _require_deadline_schedule(ruleset: Ruleset, year: int, schedule: str, what: str) -> None:
        # A submission no deadline item judges would sit in the ledger and never count.
        if not any(i.kind == "deadline" and i.schedule == schedule for i in ruleset.items):
            raise RuleViolation(f"the {year} ruleset has no deadline for {what} (see `rules show --year {year}`)")

    def rule_calendar(self, *, day: date, workday: bool, evidence: str, actor: str) -> tuple[str, bool]:
        """Record an official working-day/holiday ruling; returns (id, whether it changed anything)."""
        evidence = self._require_evidence(evidence)
        day_id = CalendarDay.id_for(day)

        def attempt() -> tuple[str, bool]:
            try:
                agg = self.repository.get(day_id)
            except AggregateNotFoundError:
                agg = CalendarDay.start(CalendarRuled, id=day_id, date=day, workday=workday, evidence=evidence,
                                        recorded_by=actor)
                self.save(agg)
                return str(day_id), True
            changed = agg.rule(workday, evidence, actor)
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
            agg = CalendarYear.start(CalendarYearCompleted, id=agg_id, year=year, evidence=evidence,
                                     recorded_by=actor)
            self.save(agg)
            return str(agg_id), True

        return self._retrying(attempt, f"{year} kept changing meanwhile; try again")

    # ── seals ────────────────────────────────────────────────────────────────
    def seal(self, *, notification_id: int, head: str, note: str, actor: str) -> str:
        """Record a published chain head."""
        agg = Seal.start(LedgerSealed, notification_id=notification_id, head=head, note=note, recorded_by=actor)
        self.save(agg)
        return str(agg.id)

