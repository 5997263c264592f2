"""``proof unit`` and ``proof consistency``: self-contained proof files a unit checks without the ledger.

A unit proof holds, for one unit and year at one signed tree head (a seal, ledger/usecases/sealing.py):

- ``seal``: the signed head — chain head, tree size and root, signature and public key;
- ``score``: the unit's score as published at that seal (``score`` known at the seal's time);
- ``events``: every event behind it, each with its plain JSON (``plain``), the salt of its leaf and
  an RFC 6962 inclusion proof in the signed tree: the unit's own occurrences, assessments, reports,
  notices and disputes (every version of each: retractions, decisions, explanations), the year's
  ruleset adoption and amendments, the calendar rulings its deadlines count with, and the unit's
  work-order chunks (each holds one unit's orders, ledger/usecases/imports/workorder_import.py), from which
  its rates are recomputed; a chunk's ``fields`` are left out (its ``plain`` JSON is them, and a
  unit's orders run to hundreds of thousands);
- ``work_orders``: whether the file holds every work-order fact of the unit (``complete``), or why
  its rates are stated only (chunks recorded before they were per unit hold several units' orders);
- ``stated``: what rests on other units' records — every unit's total and rank, the volume item
  against the largest volume, rank items — as the centre states them, not proven.

A consistency proof holds two seals and the RFC 6962 consistency proof between their tree heads.
Nothing here writes to the store, except that a store made before the tree gets its leaves first.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from events.deadlines import (
    CalendarRuled,
    CalendarRulingChanged,
    CalendarYearCompleted,
    ExplanationSubmitted,
    NoticeReceived,
    ReportSubmitted,
)
from events.disputes import DisputeDecided, DisputeOpened
from events.occurrences import AssessmentRecorded, OccurrenceRecorded, OccurrenceRetracted
from events.rulesets import RulesetAdopted, RulesetAmended
from events.workorders import WorkOrderFactsRecorded
from ledger.domain.defaults import default_zone
from ledger.domain.errors import RuleViolation
from ledger.storage.chain import canonical_originator_id
from ledger.storage.event_tree import ensure_tree
from ledger.storage.merkle import TreeReader
from ledger.storage.seal_audit import SealRecord, seal_records
from ledger.storage.signing import fingerprint

UNIT_FORMAT = "hotline-ledger unit proof v1"
CONSISTENCY_FORMAT = "hotline-ledger consistency proof v1"

#: Events that start an aggregate of one unit (their ``unit`` field names it).
_UNIT_CREATORS = {get_topic(c) for c in (OccurrenceRecorded, AssessmentRecorded, ReportSubmitted, NoticeReceived,
                                          DisputeOpened)}
#: Later events of those aggregates.
_UNIT_FOLLOWERS = {get_topic(c) for c in (OccurrenceRetracted, DisputeDecided, ExplanationSubmitted)}
_RULESETS = {get_topic(c) for c in (RulesetAdopted, RulesetAmended)}
_CALENDAR = {get_topic(c) for c in (CalendarRuled, CalendarRulingChanged, CalendarYearCompleted)}
_PAGE = 1000
#: The read model's ``log`` type of a work-order chunk (its ``unit`` column names a per-unit chunk's unit).
_FACTS = WorkOrderFactsRecorded.__name__
_FACTS_TOPIC = get_topic(WorkOrderFactsRecorded)


def seal_document(seal: SealRecord) -> dict[str, Any]:
    """A seal as a proof file carries it: everything its signature covers, the key and the signature."""
    return {"id": seal.id, "notification_id": seal.notification_id, "head": seal.head,
            "sealed_at": seal.sealed_at.isoformat(), "sealed_by": seal.sealed_by, "note": seal.note,
            "tree_size": seal.tree_size, "tree_root": seal.tree_root, "signature": seal.signature,
            "public_key": seal.public_key, "fingerprint": fingerprint(seal.public_key) if seal.public_key else None}


def _seal(app: Any, given: str | None) -> SealRecord:
    """The seal named by ``given`` (its id, or a prefix of it), else the latest one with a tree head."""
    seals = [s for s in seal_records(app) if s.tree_root]
    if given is None:
        if not seals:
            raise RuleViolation("no seal signs a tree head yet: record one with `seal` first")
        return seals[-1]
    found = [s for s in seal_records(app) if s.id == given.lower() or s.id.startswith(given.lower())]
    if len(found) != 1:
        raise RuleViolation(f"seal {given!r}: " + ("no such seal" if not found else "names several seals"))
    if not found[0].tree_root:
        raise RuleViolation(f"seal {found[0].id} was made before the Merkle tree and signs no tree head; "
                            "seal again and prove against the new seal")
    return found[0]


def _checked_reader(app: Any, seal: SealRecord) -> TreeReader:
    ensure_tree(app.recorder)
    reader = TreeReader(app.recorder.tree_node)
    if app.recorder.tree_size_at() < seal.tree_size or reader.root(seal.tree_size).hex() != seal.tree_root:
        raise RuleViolation(f"the stored Merkle tree no longer has the root seal {seal.id} signed; run `verify`")
    return reader


def _selected(app: Any, year: int, unit: str, upto: int) -> list[Any]:
    """The notifications behind a unit's score, up to notification ``upto``, in order."""
    topics = sorted(_UNIT_CREATORS | _UNIT_FOLLOWERS | _RULESETS | _CALENDAR)
    mine: set[str] = set()
    chosen = []
    start = None
    while True:
        page = app.recorder.select_notifications(start=start, limit=_PAGE, stop=upto, topics=topics,
                                                 inclusive_of_start=False)
        for n in page:
            oid = canonical_originator_id(n.originator_id)
            if n.topic in _CALENDAR:
                chosen.append(n)
                continue
            state = app.mapper.decode_state(n)
            if n.topic in _RULESETS:
                if state.get("year") == year:
                    chosen.append(n)
            elif n.topic in _UNIT_CREATORS:
                if state.get("unit") == unit and state.get("year", year) == year:
                    mine.add(oid)
                    chosen.append(n)
            elif oid in mine:
                chosen.append(n)
        if len(page) < _PAGE:
            return chosen
        start = page[-1].id


def _work_order_chunks(app: Any, unit: str, upto: int) -> tuple[list[Any], int, str | None]:
    """The unit's work-order chunk events up to notification ``upto``, their fact rows, and None; or no events
    and the reason the unit's orders cannot be shown apart from other units' (chunks recorded before chunks
    were per unit). Found by the read model's log, which names each chunk's unit and counts its facts."""
    db = app.refresh().db
    older = db.execute("SELECT COUNT(*) FROM log WHERE type=? AND unit IS NULL AND nid<=?",
                       (_FACTS, upto)).fetchone()[0]
    if older:
        return [], 0, (f"{older} work-order events were recorded before work orders were recorded per unit, "
                       "and hold several units' orders: the rates are stated, not proven")
    found = [(r[0], json.loads(r[1])["facts"]) for r in db.execute(
        "SELECT nid, payload FROM log WHERE type=? AND unit=? AND nid<=? ORDER BY nid", (_FACTS, unit, upto))]
    chunks = []
    for nid, _facts in found:
        page = app.recorder.select_notifications(start=nid, limit=1, topics=[_FACTS_TOPIC])
        if not page or page[0].id != nid:  # pragma: no cover - the read model follows the store
            raise RuleViolation(f"work-order event #{nid} is in the read model but not in the store; run `verify`")
        chunks.append(page[0])
    return chunks, sum(facts for _nid, facts in found), None


def _published_as_of(seal: SealRecord, year: int) -> date:
    return min(seal.sealed_at.astimezone(default_zone()).date(), date(year, 12, 31))


def _published(app: Any, year: int, as_of: date, seal: SealRecord) -> dict[str, Any]:
    """``score`` as published at ``seal``: known at the seal's time. When nothing a score may depend on was
    recorded after the sealed position, that is what the read model holds now (kept, no replay of the ledger)."""
    from ledger.usecases.reads import score_doc
    from projections.tree_head import UNSCORED

    db = app.refresh().db
    marks = ",".join("?" * len(UNSCORED))
    row = db.execute(f"SELECT nid FROM log WHERE type NOT IN ({marks}) ORDER BY nid DESC LIMIT 1", UNSCORED).fetchone()
    if (row[0] if row else 0) <= seal.notification_id:
        return score_doc(app, year, None, as_of)
    return score_doc(app, year, None, as_of, seal.sealed_at)


def _proven_event(app: Any, reader: TreeReader, seal: SealRecord, n: Any, with_fields: bool = True) -> dict[str, Any]:
    """One event as a proof file shows it: its plain JSON, leaf salt and index, inclusion proof in the signed tree."""
    leaf = app.recorder.leaf_of(n.id)
    if leaf is None:  # pragma: no cover - ensure_tree gave every event up to the head its leaf
        raise RuleViolation(f"event #{n.id} has no leaf in the Merkle tree; run `verify`")
    index, salt = leaf
    plain = app.mapper.plain_bytes(n.state).decode()
    event = {"notification_id": n.id, "index": index, "originator_id": str(UUID(str(n.originator_id))),
             "originator_version": n.originator_version, "topic": n.topic, "salt": salt.hex(), "plain": plain}
    if with_fields:
        event["fields"] = json.loads(plain)
    event["proof"] = [h.hex() for h in reader.inclusion(index, seal.tree_size)]
    return event


def unit_proof(app: Any, year: int, unit: str, seal_id: str | None = None) -> dict[str, Any]:
    """The proof file of ``unit``'s score for ``year`` at a seal (see the module docstring)."""
    from ledger.usecases.reads import unit_code

    code = unit_code(app, unit)
    seal = _seal(app, seal_id)
    reader = _checked_reader(app, seal)
    as_of = _published_as_of(seal, year)
    published = _published(app, year, as_of, seal)
    entry = next((u for u in published["units"] if u["unit"] == code), None)
    if entry is None:
        raise RuleViolation(f"unit {unit!r} has no score for {year} at seal {seal.id}")
    chunks, facts, not_shown = _work_order_chunks(app, entry["unit"], seal.notification_id)
    selected = sorted([*_selected(app, year, entry["unit"], seal.notification_id), *chunks], key=lambda n: n.id)
    events = [_proven_event(app, reader, seal, n, with_fields=n.topic != _FACTS_TOPIC) for n in selected]
    stated_units = [{"unit": u["unit"], "name": u.get("name"), "total": u["total"], "rank": u["rank"]}
                    for u in published["units"]]
    return {"format": UNIT_FORMAT, "year": year, "unit": entry["unit"], "as_of": as_of.isoformat(),
            "known_at": seal.sealed_at.isoformat(), "seal": seal_document(seal),
            "ruleset": published.get("ruleset"), "score": entry, "events": events,
            "work_orders": {"complete": not_shown is None, "chunks": len(chunks),
                            "facts": facts,
                            **({"stated_because": not_shown} if not_shown else {})},
            "stated": {"note": "as the centre states them, not proven by this file: other units' totals and ranks, "
                               "and the items that rest on other units' figures (volume against the largest, ranks)"
                               + ("" if not_shown is None else ", and the rates"),
                       "units": stated_units}}


def consistency_proof(app: Any, first: str, second: str) -> dict[str, Any]:
    """The consistency proof between the tree heads of two seals (the earlier first)."""
    a, b = _seal(app, first), _seal(app, second)
    if a.tree_size > b.tree_size:
        raise RuleViolation(f"seal {a.id} (tree head {a.tree_size}) is later than seal {b.id} "
                            f"(tree head {b.tree_size}): give the earlier one as --from")
    reader = _checked_reader(app, b)
    proof = reader.consistency(a.tree_size, b.tree_size) if a.tree_size else []
    return {"format": CONSISTENCY_FORMAT, "from": seal_document(a), "to": seal_document(b),
            "proof": [h.hex() for h in proof]}


def sealed_time(text: str) -> datetime:
    """A proof file's ISO timestamp back as a datetime."""
    return datetime.fromisoformat(text)
