"""Rate facts that need each order's fields: a ruleset's own rates, and rates counted month by month.

The built-in yearly rates are counted in SQL by ``projections.facts``; this module is used only
when the ruleset defines rates of its own (``[[rates]]``) or averages a rate over the months.
Each order is seen as a mapping of field → value (``是``/``否`` for flags), as the rate
conditions name them. A built-in rate is the same machinery with a fixed definition, and a
screening (甄别) accepted for it takes the order out. An extra export column (``[workorders]
columns``) is read from ``workorder_fields``; an order whose export never stated it matches no
value, and a rate over a column that no order of the year has is pending rather than 0 %.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.rulesets.rates import BUILTIN_FIELDS, RateDefinition, WeightedCondition, count_rate
from ledger.rulesets.schema import RateItem, Ruleset
from projections.explanations import missing_columns
from projections.unit_facts import RateCounts

_YES_NO = {True: "是", False: "否"}


@dataclass
class OrderRates:
    """One unit's rate facts: yearly counts, monthly counts, and rates that cannot be computed."""

    rates: dict[str, RateCounts] = field(default_factory=dict)
    monthly: dict[str, dict[str, RateCounts]] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


def builtin_definition(ruleset: Ruleset, rate: str) -> RateDefinition:
    """satisfaction / reply / ontime (RUBRIC.md §6) written as rate definitions."""
    wo = ruleset.workorders
    rated = tuple(v for v in wo.satisfaction_scale if v != wo.unrated_value)
    shapes: dict[str, tuple[str, dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]] = {
        "satisfaction": ("dispatched", {"satisfaction": rated}, {"satisfaction": wo.satisfied_values}),
        "reply": ("dispatched", {"reply_required": ("是",)}, {"replied": ("是",)}),
        "ontime": ("due", {}, {"on_time": ("是",)}),
    }
    year_by, denominator, numerator = shapes[rate]
    return RateDefinition(code=rate, name=rate, year_by=year_by, denominator=denominator,
                          numerator=(WeightedCondition(where=numerator),))


def needed(ruleset: Ruleset) -> dict[str, bool]:
    """Rate code → whether it is needed month by month, for every rate this module must count."""
    out: dict[str, bool] = {r.code: False for r in ruleset.rates}
    for unit in ruleset.units:  # a class or unit override may switch an item to monthly
        for raw in ruleset.items:
            item = ruleset.item_for(unit.code, raw.code)
            if isinstance(item, RateItem) and item.period == "monthly_average":
                out[item.rate] = True
    return out


def _extra_fields(db: sqlite3.Connection, fields: set[str]) -> dict[str, dict[str, str]]:
    """order id → {extra column: value}, for the columns ``fields`` names (none: nothing is read)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    if fields:
        wanted = sorted(fields)
        sql = f"SELECT order_id, field, value FROM workorder_fields WHERE field IN ({','.join('?' * len(wanted))})"
        for order_id, name, value in db.execute(sql, wanted):
            out[order_id][name] = value
    return out


def _orders(db: sqlite3.Connection, ruleset: Ruleset, column: str, start: str, end: str,
            extra: dict[str, dict[str, str]]) -> Iterator[dict[str, Any]]:
    unrated = ruleset.workorders.unrated_value
    for r in db.execute(f"SELECT * FROM workorders WHERE counted=1 AND {column} BETWEEN ? AND ?", (start, end)):
        completed = r["completed_at"]
        yield extra.get(r["order_id"], {}) | {
            "unit": r["unit"], "month": r[column][:7],
            "screened": {"satisfaction": r["screened_satisfaction"], "reply": r["screened_reply"],
                         "ontime": r["screened_ontime"]},
            "satisfaction": r["satisfaction"] or unrated,
            "reply_required": _YES_NO[bool(r["reply_required"])], "replied": _YES_NO[bool(r["replied"])],
            "completed": _YES_NO[completed is not None],
            "on_time": _YES_NO[completed is not None and completed <= r["due_at"]],
        }


def _counts(definition: RateDefinition, orders: list[dict[str, Any]]) -> RateCounts:
    numerator, denominator = count_rate(definition, orders)
    return RateCounts(int(numerator) if numerator == numerator.to_integral_value() else numerator, denominator)


def order_rate_facts(db: sqlite3.Connection, ruleset: Ruleset, start: str, end: str) -> dict[str, OrderRates]:
    """unit → the rates the ruleset needs from order fields, over orders placed in ``start``..``end``."""
    out: dict[str, OrderRates] = defaultdict(OrderRates)
    wanted = needed(ruleset)
    if not wanted:
        return {}
    definitions = {code: ruleset.rate_definition(code) or builtin_definition(ruleset, code) for code in wanted}
    extra = _extra_fields(db, set().union(*(d.fields() for d in definitions.values())) - set(BUILTIN_FIELDS))
    by_time: dict[str, list[dict[str, Any]]] = {}
    for code, monthly in wanted.items():
        definition = definitions[code]
        column = "dispatched_at" if definition.year_by == "dispatched" else "due_at"
        if column not in by_time:
            by_time[column] = list(_orders(db, ruleset, column, start, end, extra))
        # A column no order of the year was imported with is unknown, not "matches nothing" (absent ≠ empty).
        missing = sorted(f for f in definition.fields() - set(BUILTIN_FIELDS)
                         if not any(f in o for o in by_time[column]))
        if missing:
            reason = missing_columns(definition.name, missing)
            for u in ruleset.units:
                out[u.code].pending[code] = reason
            continue
        orders = [o for o in by_time[column] if not o["screened"].get(code)]
        per_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in orders:
            per_unit[o["unit"]].append(o)
        for unit, own in per_unit.items():
            if ruleset.rate_definition(code) is not None:
                out[unit].rates[code] = _counts(definition, own)
            if monthly:
                months: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for o in own:
                    months[o["month"]].append(o)
                out[unit].monthly[code] = {m: _counts(definition, os) for m, os in months.items()}
    return dict(out)

