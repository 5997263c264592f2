"""The events behind a trace's points (see ``projections.documents``): an item's occurrences and assessments with
their states and histories, and the work orders that cost a unit points on a rate, with their screenings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from projections import order_misses, order_rates, rate_specs
from projections.facts import year_window
from projections.local_time import in_zone, with_offset
from projections.rate_specs import RateSpec
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


def _miss_reason(spec: RateSpec, order: Sequence[Any], zone: str) -> str:
    """Why an order costs points on a rate, from the fields its numerator reads (满意度: 不满意; 未回复; late)."""
    _, _, due, completed, satisfaction, _, *extra = order
    values = extra[0] if extra else {}
    fields = dict.fromkeys(t.field for _, tests in spec.parts for t in tests)
    words = []
    for f in fields:
        if f == "satisfaction":
            words.append(f"满意度: {satisfaction}")
        elif f == "replied":
            words.append("未回复")
        elif f == "on_time":
            words.append(f"办结 {with_offset(completed, zone) or '未办结'} > 时限 {with_offset(due, zone)}")
        elif f == "completed":
            words.append("未办结")
        elif f == "reply_required":
            words.append("需回复")
        else:  # an extra export column: the value the order holds
            words.append(f"{f}: {values.get(f, '—')}")
    return "；".join(words)


def costly_orders(reading: Reading, unit: str, rate: str) -> list[dict[str, Any]]:
    """The work orders that cost points on a rate (unsatisfied, unreplied, late, …), with screenings.

    Read from the orders kept per unit and rate (``projections.order_misses``), not a scan of the year's orders;
    a rate the read model keeps no tallies for (over an extra export column) is found among the unit's orders."""
    start, end = year_window(reading.year, reading.as_of)
    zone = reading.ruleset.scoring.timezone
    spec = rate_specs.specs(reading.ruleset).get(rate)
    if spec is None:
        return []
    screenings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    # With screening_leaves = "all", a screening filed for any rate takes the order out of this one too.
    sql = "SELECT * FROM disputes WHERE subject='workorder' AND unit=?" + ("" if spec.leaves_all else " AND rate=?")
    for d in reading.db.execute(sql, (unit,) if spec.leaves_all else (unit, rate)):
        screenings[d["target"]].append({"dispute": d["id"], "decision": d["decision"], "reason": d["reason"],
                                        "evidence": d["evidence"], "opened_by": d["opened_by"],
                                        "decided_by": d["decided_by"], "decision_reason": d["decision_reason"],
                                        "rate": d["rate"]})
    if any(s.key == spec.key for s in rate_specs.kept(reading.db)):
        rows: list[Any] = order_misses.costly(reading.db, unit, spec, start, end)
    else:
        rows = order_rates.costly(reading.db, unit, spec, start, end)
    out = []
    for row in rows:
        order_id, dispatched, due, completed, _, screened = row[:6]
        out.append({"order_id": order_id, "dispatched_at": dispatched, "due_at": due,
                    "completed_at": completed, "reason": _miss_reason(spec, row, zone), "screened_out": bool(screened),
                    "screenings": screenings.get(order_id, [])})
    return out
