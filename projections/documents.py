"""The JSON-shaped documents of ``score`` and ``trace`` (CLI.md), also fed to the reports.

Points are strings with exactly two decimals; rates are percent strings with two decimals
(display only: thresholds were compared on exact fractions). The events a trace lists behind the points
are read by ``projections.documents_events``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.kinds import KINDS, kind_of
from ledger.rulesets.kinds.base import json_count as _count
from projections.costly_orders import costly_orders
from projections.documents_events import assessment_events, occurrence_events
from projections.facts import calendar_of
from projections.local_time import in_zone
from projections.reading import Reading
from projections.scores import ItemResult, UnitScore, fmt


def _item_json(i: ItemResult, events: list[str]) -> dict[str, Any]:
    if i.bonus is not None:
        return {"code": i.code, "name": i.name, "bonus": fmt(i.bonus), "count": i.count, "events": events}
    if i.pool is not None:
        out = {"code": i.code, "name": i.name, "pool": i.pool, "deducted": fmt(i.deducted or Decimal(0)),
               "count": i.count, "events": events}
        if i.reason:
            out.update(status="pending", reason=i.reason)
        return out
    out = {"code": i.code, "name": i.name, "max": fmt(i.max or Decimal(0)), "points": fmt(i.points or Decimal(0)),
           "status": i.status}
    kind = KINDS.get(i.kind)  # a pool's line has no kind of its own
    if kind is not None:
        out.update(kind.score_json(i, events))
    if i.absorbed:
        out["absorbed"] = fmt(i.absorbed)
    if i.reason:
        out["reason"] = i.reason
    return out


def counted_ids(reading: Reading, unit: str | None = None) -> dict[tuple[str, str], list[str]]:
    """(unit, item) → ids of the occurrences that count (dated by as_of, not retracted, not removed); of one
    unit only, if given."""
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    only = "" if unit is None else " AND unit=?"
    for code, item, oid in reading.db.execute(
        # Ordered as the covering index occurrences_counted is: by (unit, item), then date and nid within each.
        f"SELECT unit, item, id FROM occurrences WHERE year=?{only} AND date<=? AND retracted=0 "
        "AND effective_count>0 ORDER BY unit, item, date, nid",
        (reading.year, reading.as_of.isoformat()) if unit is None else (reading.year, unit, reading.as_of.isoformat()),
    ):
        ids[(code, item)].append(oid)
    return ids


def score_document(reading: Reading, scores: list[UnitScore], unit: str | None = None) -> dict[str, Any]:
    """``score --format json``: every unit (or one), ranked, section by section."""
    ids = counted_ids(reading, unit)
    units = []
    for s in scores:
        if unit is not None and s.unit != unit:
            continue
        units.append({
            "unit": s.unit, "name": s.name, "rank": s.rank, "total": fmt(s.total), "bonus": fmt(s.bonus),
            "base": fmt(s.base), **({"capped": fmt(s.capped)} if s.capped else {}),
            **({"class": s.unit_class, "class_name": reading.ruleset.class_name(s.unit_class)} if s.unit_class
               else {}),
            **({"grade": s.grade, "vetoed_by": s.vetoed_by} if reading.ruleset.grades else {}),
            "sections": [
                {"code": sec.code, "name": sec.name, "max": fmt(sec.max), "points": fmt(sec.points),
                 "status": sec.status, **({"reason": sec.reason} if sec.reason else {}),
                 **({"capped": fmt(sec.capped)} if sec.capped else {}),
                 "items": [_item_json(i, ids.get((s.unit, i.code), [])) for i in sec.items]}
                for sec in s.sections
            ],
        })
    return {
        "year": reading.year, "as_of": reading.as_of.isoformat(),
        "known_at": _known_at(reading),
        "ruleset": {"id": reading.ruleset.id, "sha256": reading.ruleset_sha, "name": reading.ruleset.name},
        "units": units,
    }


def with_previous(doc: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with each unit's ``previous`` standing (``score --compare-as-of``): as of, total and rank then."""
    then = {u["unit"]: u for u in earlier["units"]}
    units = [{**u, "previous": {"as_of": earlier["as_of"], "total": then[u["unit"]]["total"],
                                "rank": then[u["unit"]]["rank"]}} if u["unit"] in then else u
             for u in doc["units"]]
    return {**doc, "units": units}


def _known_at(reading: Reading) -> str | None:
    """``--known-at`` as people read it: in the ruleset's time zone, with its offset."""
    if reading.known_at is None:
        return None
    return in_zone(reading.known_at.isoformat(), reading.ruleset.scoring.timezone)


def _veto_lines(reading: Reading, score: UnitScore, item: str | None) -> list[dict[str, Any]]:
    """Each veto of the ruleset for the unit: its item, how many effective occurrences it takes and has, the
    grade it forces, whether it decided the unit's grade, and the occurrences behind it."""
    out = []
    for v in reading.ruleset.vetoes:
        if item is not None and v.item != item:
            continue
        events = occurrence_events(reading, score.unit, v.item, None)
        name = v.name or reading.ruleset.item(v.item).name
        out.append({"item": v.item, "name": name, "grade": v.grade, "count": v.count,
                    "effective_count": sum(e["effective_count"] for e in events),
                    "applied": score.vetoed_by == v.item, "events": events})
    return out


#: How a trace lists the work orders that cost a unit points on a rate (``costly_orders``'s signature).
CostlyOrders = Callable[[Reading, str, str], list[dict[str, Any]]]


class _Sources:
    """What an item's kind lists in a trace (``ledger.rulesets.kinds.base.TraceSources``), from one reading."""

    def __init__(self, reading: Reading, orders: CostlyOrders) -> None:
        self.reading, self._orders, self._calendar = reading, orders, None
        self.db, self.ruleset, self.year, self.as_of = reading.db, reading.ruleset, reading.year, reading.as_of

    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = calendar_of(self.db)
        return self._calendar

    def occurrence_events(self, unit: str, code: str, amount: Decimal | None) -> list[dict[str, Any]]:
        return occurrence_events(self.reading, unit, code, amount)

    def assessment_events(self, unit: str, code: str) -> list[dict[str, Any]]:
        return assessment_events(self.reading, unit, code)

    def costly_orders(self, unit: str, rate: str) -> list[dict[str, Any]]:
        return self._orders(self.reading, unit, rate)


def trace_document(reading: Reading, score: UnitScore, item: str | None = None,
                   orders: CostlyOrders | None = None) -> dict[str, Any]:
    """``trace --format json``: how each item's points were computed, with every event behind them.

    ``orders`` lists a rate's costly orders (default ``costly_orders``; a service passes the lists it keeps).
    """
    sources = _Sources(reading, orders or costly_orders)
    items = []
    for sec in score.sections:
        pools = {i.code: i for i in sec.items if i.kind == "pool"}
        for i in sec.items:
            if item is not None and i.code != item and i.pool != item:
                continue
            raw = reading.ruleset.item_for(score.unit, i.code) if i.kind != "pool" else None
            pool = pools.get(i.pool) if i.pool else None
            entry: dict[str, Any] = {
                "code": i.code, "name": i.name, "kind": i.kind, "section": sec.code,
                "max": fmt(pool.max if pool else (i.max if i.max is not None else sec.max)),
                "points": fmt(pool.points if pool else (i.points if i.points is not None else i.bonus or 0)),
                "explanation": i.explanation + (f"；{pool.code} 得分：{pool.explanation}" if pool else ""),
                "rate": None, "numerator": _count(i.numerator), "denominator": i.denominator, "status": i.status,
                "events": [],
            }
            if i.pool is not None:
                entry.update(pool=i.pool, deducted=fmt(i.deducted or 0), count=i.count)
            if i.bonus is not None:
                entry.update(bonus=fmt(i.bonus), count=i.count)
            if i.absorbed:
                entry["absorbed"] = fmt(i.absorbed)
            if i.reason:
                entry["reason"] = i.reason
            kind = kind_of(raw) if raw is not None else None
            if kind is not None:
                entry.update(kind.trace_json(i, raw, score.unit, sources))
            items.append(entry)
    return {"year": reading.year, "unit": score.unit, "name": score.name, "as_of": reading.as_of.isoformat(),
            "known_at": _known_at(reading),
            "ruleset": {"id": reading.ruleset.id, "sha256": reading.ruleset_sha},
            "total": fmt(score.total), "rank": score.rank, "total_explanation": score.explanation,
            "vetoes": _veto_lines(reading, score, item),
            "sections": [{"code": sec.code, "name": sec.name, "max": fmt(sec.max), "points": fmt(sec.points),
                          "explanation": sec.explanation, **({"capped": fmt(sec.capped)} if sec.capped else {})}
                         for sec in score.sections],
            "items": items}
