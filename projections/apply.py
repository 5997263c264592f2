"""How each event changes the read model's tables: one small function per event type.

These functions only write to the *view* (the projection's own database), never to the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, MutableMapping
from functools import singledispatch
from typing import Any

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
from projections import order_facts, order_tallies, rate_specs, read_db


def _iso(ts: Any) -> str:
    return ts.isoformat()


def _log(db: sqlite3.Connection, e: Any, nid: int, unit: str | None = None, item: str | None = None,
         payload: dict[str, Any] | None = None) -> None:
    # pydantic's own JSON encoder: the same JSON as model_dump + json.dumps, several times faster.
    text = e.model_dump_json(exclude=_LOG_EXCLUDE) if payload is None else json.dumps(payload, ensure_ascii=False)
    db.execute(
        "INSERT INTO log VALUES (?,?,?,?,?,?,?,?,?,?)",
        (nid, str(e.originator_id), e.originator_version, type(e).__name__, unit, item,
         _iso(e.timestamp), e.recorded_by, text, e.authenticated_as),
    )


_LOG_EXCLUDE = frozenset({"originator_id", "originator_version", "timestamp", "recorded_by", "originator_topic",
                          "authenticated_as"})


@singledispatch
def apply(e: Any, db: sqlite3.Connection, nid: int) -> None:  # pragma: no cover - every type is registered
    raise TypeError(f"no projection for {type(e).__name__}")


def apply_events(db: sqlite3.Connection, pairs: Iterable[tuple[Any, int]],
                 stored_json: MutableMapping[int, bytes] | None = None) -> None:
    """Apply ``(event, nid)`` pairs in order; a run of recorded occurrences is written in one go, and so is a
    run of work-order chunks (each order once, in key order; the tallies once for the run).

    ``stored_json``: the JSON the store holds for some of the occurrences, by nid, encoded from those very
    event objects (a bulk import's, checked against the chain): their log entries are cut from it rather than
    encoded a second time (``_log_payload``). Taken out as they are used.
    """
    run: list[tuple[OccurrenceRecorded, int]] = []
    merge: order_facts.FactMerge | None = None
    for e, nid in pairs:
        if type(e) is WorkOrderFactsRecorded:
            if run:
                _occurrences(db, run, stored_json)
                run = []
            merge = merge or order_facts.FactMerge(db)
            merge.add(e, nid, order_facts.log_row(e, nid))
            continue
        if merge is not None:  # what follows may read the orders (a screening): they must be written first
            merge.finish()
            merge = None
        if type(e) is OccurrenceRecorded:
            run.append((e, nid))
            continue
        if run:
            _occurrences(db, run, stored_json)
            run = []
        apply(e, db, nid)
    if run:
        _occurrences(db, run, stored_json)
    if merge is not None:
        merge.finish()


@apply.register
def _(e: RulesetAdopted | RulesetAmended, db: sqlite3.Connection, nid: int) -> None:
    kept = rate_specs.kept(db)
    db.execute("INSERT INTO rulesets VALUES (?,?,?,?,?,?,?,?)",
               (nid, e.year, e.ruleset_id, e.sha256, e.text, e.source, _iso(e.timestamp), e.recorded_by))
    _log(db, e, nid, payload={"year": e.year, "ruleset_id": e.ruleset_id, "sha256": e.sha256, "source": e.source})
    order_tallies.after_ruleset(db, kept)  # its rates may count orders as no earlier ruleset's did


@apply.register
def _(e: OccurrenceRecorded, db: sqlite3.Connection, nid: int) -> None:
    _occurrences(db, [(e, nid)])


def _occurrences(db: sqlite3.Connection, pairs: list[tuple[OccurrenceRecorded, int]],
                 stored_json: MutableMapping[int, bytes] | None = None) -> None:
    """Recorded occurrences: their rows and log entries, two ``executemany`` for the lot (bulk imports)."""
    rows, logs = [], []
    for e, nid in pairs:
        stored = stored_json.pop(nid, None) if stored_json else None
        payload = _log_payload(stored) if stored is not None else None
        oid, at = str(e.originator_id), _iso(e.timestamp)
        attachments = json.dumps([a.model_dump() for a in e.attachments], ensure_ascii=False) if e.attachments else "[]"
        rows.append((oid, nid, e.unit, e.item, e.year, e.date.isoformat(), e.count, e.evidence, e.note, attachments,
                     e.batch, e.source, at, e.recorded_by, 0, e.count))  # 0: not retracted
        logs.append((nid, oid, e.originator_version, "OccurrenceRecorded", e.unit, e.item, at, e.recorded_by,
                     payload if payload is not None else e.model_dump_json(exclude=_LOG_EXCLUDE), e.authenticated_as))
    read_db.insert(db, "occurrences", rows)  # COPY on PostgreSQL: an import of occurrences is 100,000 of them
    read_db.insert(db, "log", logs)


def _log_payload(stored: bytes) -> str | None:
    """An occurrence's log entry cut from its stored JSON (None if it is not of the expected shape).

    The stored JSON is the event's class version and then its fields in their declared order less the id and
    version, and the log entry the same less the five that come first (class version, timestamp, topic,
    recorder, authenticated identity; scalars all):
    what follows ``,"unit":``, the first field of an occurrence's own, is the entry as ``model_dump_json`` writes
    it. Those bytes cannot occur earlier: inside a JSON string a quote is always escaped.
    """
    cut = stored.find(b',"unit":')
    return "{" + stored[cut + 1:].decode() if cut > 0 and stored.endswith(b"}") else None


@apply.register
def _(e: OccurrenceRetracted, db: sqlite3.Connection, nid: int) -> None:
    target = str(e.originator_id)
    db.execute("UPDATE occurrences SET retracted=1 WHERE id=?", (target,))
    db.execute("INSERT INTO history VALUES (?,?,?,?,?,?,?,?,?)",
               (nid, target, "retracted", _iso(e.timestamp), e.recorded_by, e.reason, None, None, None))
    unit, item = db.execute("SELECT unit, item FROM occurrences WHERE id=?", (target,)).fetchone() or (None, None)
    _log(db, e, nid, unit, item)


@apply.register
def _(e: AssessmentRecorded, db: sqlite3.Connection, nid: int) -> None:
    db.execute(
        "INSERT INTO assessments VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (str(e.originator_id), nid, e.unit, e.item, e.year, e.date.isoformat(), str(e.points), e.evidence,
         e.note, e.source, _iso(e.timestamp), e.recorded_by),
    )
    _log(db, e, nid, e.unit, e.item)


@apply.register
def _(e: EventsFileImported, db: sqlite3.Connection, nid: int) -> None:
    _log(db, e, nid)


@apply.register
def _(e: DisputeOpened, db: sqlite3.Connection, nid: int) -> None:
    did = str(e.originator_id)
    db.execute(
        "INSERT INTO disputes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,NULL,NULL,NULL,NULL,NULL)",
        (did, nid, e.subject, e.target, e.unit, e.item, e.rate, e.reason, e.evidence,
         json.dumps([a.model_dump() for a in e.attachments], ensure_ascii=False), _iso(e.timestamp), e.recorded_by),
    )
    db.execute("INSERT INTO history VALUES (?,?,?,?,?,?,?,?,?)",
               (nid, e.target, "dispute_opened", _iso(e.timestamp), e.recorded_by, e.reason, None, None, did))
    _log(db, e, nid, e.unit, e.item)


@apply.register
def _(e: DisputeDecided, db: sqlite3.Connection, nid: int) -> None:
    did = str(e.originator_id)
    db.execute(
        "UPDATE disputes SET decision=?, count=?, decision_reason=?, decided_at=?, decided_by=? WHERE id=?",
        (e.decision, e.count, e.reason, _iso(e.timestamp), e.recorded_by, did),
    )
    subject, target, unit, item, rate = db.execute(
        "SELECT subject, target, unit, item, rate FROM disputes WHERE id=?", (did,)
    ).fetchone()
    db.execute("INSERT INTO history VALUES (?,?,?,?,?,?,?,?,?)",
               (nid, target, "dispute_decided", _iso(e.timestamp), e.recorded_by, e.reason, e.decision, e.count, did))
    # A decision is a correction: it sets the occurrence's effective count whatever the date.
    if subject == "occurrence":
        if e.decision == "accept":
            db.execute("UPDATE occurrences SET effective_count=0 WHERE id=?", (target,))
        elif e.decision == "amend":
            db.execute("UPDATE occurrences SET effective_count=? WHERE id=?", (e.count, target))
    elif e.decision == "accept":
        order_tallies.screen(db, target, rate)  # the costly orders' flags too
    _log(db, e, nid, unit, item)


@apply.register
def _(e: ReportSubmitted, db: sqlite3.Connection, nid: int) -> None:
    db.execute("INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?)",
               (str(e.originator_id), nid, e.unit, e.kind, e.period, e.year, e.date.isoformat(), e.evidence,
                _iso(e.timestamp), e.recorded_by))
    _log(db, e, nid, e.unit)


@apply.register
def _(e: NoticeReceived, db: sqlite3.Connection, nid: int) -> None:
    db.execute("INSERT INTO notices VALUES (?,?,?,?,?,?,?,?,?,NULL,NULL,NULL,NULL)",
               (e.notice, str(e.originator_id), nid, e.unit, e.received.isoformat(), e.year, e.evidence,
                _iso(e.timestamp), e.recorded_by))
    _log(db, e, nid, e.unit)


@apply.register
def _(e: ExplanationSubmitted, db: sqlite3.Connection, nid: int) -> None:
    db.execute("UPDATE notices SET explained=?, explanation_evidence=?, explained_at=?, explained_by=? WHERE id=?",
               (e.date.isoformat(), e.evidence, _iso(e.timestamp), e.recorded_by, str(e.originator_id)))
    row = db.execute("SELECT unit, notice FROM notices WHERE id=?", (str(e.originator_id),)).fetchone()
    _log(db, e, nid, row[0] if row else None, payload={"notice": row[1] if row else None,
                                                       "date": e.date.isoformat(), "evidence": e.evidence})


@apply.register
def _(e: CalendarRuled | CalendarRulingChanged, db: sqlite3.Connection, nid: int) -> None:
    day = e.date.isoformat() if isinstance(e, CalendarRuled) else db.execute(
        "SELECT date FROM calendar_rulings WHERE nid IN (SELECT nid FROM log WHERE id=?)", (str(e.originator_id),)
    ).fetchone()[0]
    db.execute("INSERT INTO calendar_rulings VALUES (?,?,?,?) ON CONFLICT(date) DO UPDATE SET "
               "workday=excluded.workday, evidence=excluded.evidence, nid=excluded.nid",
               (day, int(e.workday), e.evidence, nid))
    _log(db, e, nid, payload={"date": day, "workday": e.workday, "evidence": e.evidence})


@apply.register
def _(e: CalendarYearCompleted, db: sqlite3.Connection, nid: int) -> None:
    db.execute("INSERT INTO calendar_years VALUES (?,?,?) ON CONFLICT(year) DO UPDATE SET "
               "evidence=excluded.evidence, nid=excluded.nid", (e.year, e.evidence, nid))
    _log(db, e, nid)


@apply.register
def _(e: LedgerSealed, db: sqlite3.Connection, nid: int) -> None:
    db.execute("INSERT INTO seals VALUES (?,?,?,?,?,?,?)",
               (nid, str(e.originator_id), e.notification_id, e.head, e.note, _iso(e.timestamp), e.recorded_by))
    _log(db, e, nid)


@apply.register
def _(e: AccountOpened, db: sqlite3.Connection, nid: int) -> None:
    at = _iso(e.timestamp)
    db.execute("INSERT INTO accounts VALUES (?,?,?,?,?,1,0,0,?,?,?,?)",
               (str(e.originator_id), e.login, e.name, e.role, e.unit, at, e.recorded_by, at, e.recorded_by))
    _log(db, e, nid)  # no unit: an account's events are the centre's, never in a unit's own log


@apply.register
def _(e: AccountRoleChanged | AccountDisabled | AccountEnabled | AccountPasswordSet | AccountTokenIssued
      | AccountTokensRevoked, db: sqlite3.Connection, nid: int) -> None:
    if isinstance(e, AccountRoleChanged):
        change, values = "role=?, unit=?", (e.role, e.unit)
    elif isinstance(e, AccountTokensRevoked):
        change, values = "tokens=tokens-?", (len(e.token_ids),)
    else:
        change, values = _ACCOUNT_FLAGS[type(e)], ()
    db.execute(f"UPDATE accounts SET {change}, changed_at=?, changed_by=? WHERE id=?",
               (*values, _iso(e.timestamp), e.recorded_by, str(e.originator_id)))
    _log(db, e, nid)


_ACCOUNT_FLAGS = {AccountDisabled: "enabled=0", AccountEnabled: "enabled=1", AccountPasswordSet: "password_set=1",
                  AccountTokenIssued: "tokens=tokens+1"}


@apply.register
def _(e: WorkOrderFactsRecorded, db: sqlite3.Connection, nid: int) -> None:
    merge = order_facts.FactMerge(db)
    merge.add(e, nid, order_facts.log_row(e, nid))
    merge.finish()
