"""The events behind a trace's points (see ``projections.documents``): an item's occurrences and assessments with
their states and histories, and the work orders that cost a unit points on a rate, with their screenings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from projections.local_time import in_zone
from projections.reading import Reading
from projections.scores import fmt

STATE_OF_DECISION = {None: "disputed", "accept": "accepted", "reject": "rejected", "amend": "amended"}


def _history_line(r: Any, zone: str) -> dict[str, Any]:
    return {"type": r["type"], "at": in_zone(r["at"], zone), "by": r["by"], "authenticated_as": r["authenticated_as"],
            "reason": r["reason"], "decision": r["decision"], "count": r["count"], "dispute": r["dispute"]}


#: Who the store authenticated for a row of the read model: its event's log entry (the same notification).
_AUTHENTICATED = "(SELECT log.authenticated_as FROM log WHERE log.nid = {}.nid) AS authenticated_as"


def _state(retracted: bool, history: list[dict[str, Any]]) -> str:
    if retracted:
        return "retracted"
    disputes = [h for h in history if h["type"] in ("dispute_opened", "dispute_decided")]
    if not disputes:
        return "effective"
    last = disputes[-1]
    return "disputed" if last["type"] == "dispute_opened" else STATE_OF_DECISION[last["decision"]]


def occurrence_events(reading: Reading, unit: str, item: str, amount: Decimal | None) -> list[dict[str, Any]]:
    """Every occurrence of the item for the unit dated by as_of, with its state and history."""
    out = []
    where = "year=? AND unit=? AND item=? AND date<=?"
    params = (reading.year, unit, item, reading.as_of.isoformat())
    # Every history line of these occurrences in one query (one query per occurrence is slow for thousands).
    zone = reading.ruleset.scoring.timezone
    histories: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for h in reading.db.execute(
        f"SELECT *, {_AUTHENTICATED.format('history')} FROM history "
        f"WHERE target IN (SELECT id FROM occurrences WHERE {where}) ORDER BY nid", params,
    ):
        histories[h["target"]].append(_history_line(h, zone))
    shown = fmt(amount) if amount is not None else None
    cursor = reading.db.execute(
        "SELECT id, date, count, retracted, effective_count, evidence, note, attachments, source, recorded_by, "
        f"recorded_at, {_AUTHENTICATED.format('occurrences')} FROM occurrences WHERE {where} ORDER BY date, nid",
        params)
    cursor.row_factory = None  # plain tuples: a trace may list thousands of occurrences
    for oid, day, count, retracted, effective, evidence, note, attachments, source, by, at, who in cursor:
        history = histories.get(oid) or []
        out.append({
            "id": oid, "type": "occurrence", "date": day, "count": count,
            "effective_count": 0 if retracted else effective,
            "amount": shown, "evidence": evidence, "note": note,
            "attachments": json.loads(attachments) if attachments and attachments != "[]" else [],
            "source": source, "recorded_by": by, "authenticated_as": who, "recorded_at": in_zone(at, zone),
            "state": _state(bool(retracted), history), "history": history,
        })
    return out


def assessment_events(reading: Reading, unit: str, item: str) -> list[dict[str, Any]]:
    """Every assessment of the item; the latest recorded is effective, earlier ones superseded."""
    zone = reading.ruleset.scoring.timezone
    rows = list(reading.db.execute(
        f"SELECT *, {_AUTHENTICATED.format('assessments')} FROM assessments "
        "WHERE year=? AND unit=? AND item=? AND date<=? ORDER BY nid",
        (reading.year, unit, item, reading.as_of.isoformat()),
    ))
    return [
        {"id": r["id"], "type": "assessment", "date": r["date"], "points": fmt(Decimal(r["points"])),
         "evidence": r["evidence"], "note": r["note"], "attachments": [], "recorded_by": r["recorded_by"],
         "authenticated_as": r["authenticated_as"], "recorded_at": in_zone(r["recorded_at"], zone),
         "state": "effective" if n == len(rows) - 1 else "superseded", "history": []}
        for n, r in enumerate(rows)
    ]
