"""The work orders that cost a unit points on a rate, for ``trace``: each with why, and its screenings.

A rate kept in the daily tallies lists them from the orders kept per unit and rate
(``projections.order_misses``); a rate counted from the orders (over an extra export column, or
with a duration) finds them among the unit's orders (``projections.order_rates.costly``), its
durations judged on the calendar as it is now (``projections.order_durations``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from projections import order_misses, order_rates, rate_specs
from projections.facts import calendar_of, year_window
from projections.local_time import with_offset
from projections.order_durations import Judge
from projections.rate_specs import RateSpec
from projections.reading import Reading


def _miss_reason(spec: RateSpec, order: Sequence[Any], zone: str) -> str:
    """Why an order costs points on a rate, from the fields its numerator reads (满意度: 不满意; 未回复; late)."""
    _, _, due, completed, satisfaction, _, *extra = order
    values = extra[0] if extra else {}
    fields = dict.fromkeys(t.field for _, tests in spec.parts for t in tests)
    durations = {w.name() for w in spec.durations}
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
        elif f in durations:  # its words: the end against the limit (order_rates.costly)
            words.append(values.get(f, "—"))
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
    else:  # counted from the orders: its duration conditions judged on the calendar as it is now
        judge = Judge(reading.db, reading.ruleset, reading.year, reading.as_of,
                      calendar_of(reading.db)) if spec.durations else None
        rows = order_rates.costly(reading.db, unit, spec, start, end, judge)
    out = []
    for row in rows:
        order_id, dispatched, due, completed, _, screened = row[:6]
        out.append({"order_id": order_id, "dispatched_at": dispatched, "due_at": due,
                    "completed_at": completed, "reason": _miss_reason(spec, row, zone), "screened_out": bool(screened),
                    "screenings": screenings.get(order_id, [])})
    return out
