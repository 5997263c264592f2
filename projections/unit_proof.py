"""``proof unit`` and ``proof consistency``: self-contained proof files a unit checks without the ledger.

A unit proof holds, for one unit and year at one signed tree head (a seal, ledger/sealing.py):

- ``seal``: the signed head — chain head, tree size and root, signature and public key;
- ``score``: the unit's score as published at that seal (``score`` known at the seal's time);
- ``events``: every event behind it, each with its plain JSON (``plain``), the salt of its leaf and
  an RFC 6962 inclusion proof in the signed tree: the unit's own occurrences, assessments, reports,
  notices and disputes (every version of each: retractions, decisions, explanations), the year's
  ruleset adoption and amendments, and the calendar rulings its deadlines count with;
- ``stated``: what rests on other units' records — every unit's total and rank, and the unit's
  work-order rates and volume — as the centre states them, not proven (a work-order chunk holds
  several units' orders: see docs/merkle.md).

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
from ledger.chain import canonical_originator_id
from ledger.defaults import default_zone
from ledger.errors import RuleViolation
from ledger.event_tree import ensure_tree
from ledger.merkle import TreeReader
from ledger.signing import fingerprint
from projections.seal_audit import SealRecord, seal_records

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


def _published_as_of(seal: SealRecord, year: int) -> date:
    return min(seal.sealed_at.astimezone(default_zone()).date(), date(year, 12, 31))


def unit_proof(app: Any, year: int, unit: str, seal_id: str | None = None) -> dict[str, Any]:
    """The proof file of ``unit``'s score for ``year`` at a seal (see the module docstring)."""
    from ledger.reads import score_doc, unit_code

    code = unit_code(app, unit)
    seal = _seal(app, seal_id)
    reader = _checked_reader(app, seal)
    as_of = _published_as_of(seal, year)
    published = score_doc(app, year, None, as_of, seal.sealed_at)
    entry = next((u for u in published["units"] if u["unit"] == code), None)
    if entry is None:
        raise RuleViolation(f"unit {unit!r} has no score for {year} at seal {seal.id}")
    events = []
    for n in _selected(app, year, entry["unit"], seal.notification_id):
        leaf = app.recorder.leaf_of(n.id)
        if leaf is None:  # pragma: no cover - ensure_tree gave every event up to the head its leaf
            raise RuleViolation(f"event #{n.id} has no leaf in the Merkle tree; run `verify`")
        index, salt = leaf
        plain = app.mapper.plain_bytes(n.state).decode()
        events.append({"notification_id": n.id, "index": index, "originator_id": str(UUID(str(n.originator_id))),
                       "originator_version": n.originator_version, "topic": n.topic, "salt": salt.hex(),
                       "plain": plain, "fields": json.loads(plain),
                       "proof": [h.hex() for h in reader.inclusion(index, seal.tree_size)]})
    stated_units = [{"unit": u["unit"], "name": u.get("name"), "total": u["total"], "rank": u["rank"]}
                    for u in published["units"]]
    return {"format": UNIT_FORMAT, "year": year, "unit": entry["unit"], "as_of": as_of.isoformat(),
            "known_at": seal.sealed_at.isoformat(), "seal": seal_document(seal),
            "ruleset": published.get("ruleset"), "score": entry, "events": events,
            "stated": {"note": "as the centre states them, not proven by this file: other units' totals and ranks, "
                               "and the items that rest on work orders or on other units' figures",
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
