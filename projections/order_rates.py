"""Rate facts counted from the orders when read: the rates the read model keeps no tallies for.

Most rates are summed from the daily tallies (``projections.order_tallies``). A rate over an
extra export column (``[workorders] columns``: 解决情况 …) needs each order's extra fields, and a
rate of a ruleset never adopted in this ledger has no tallies: those are counted here, by the
same resolved tests (``projections.rate_specs``), over the orders placed in the window by the
rate's ``year_by`` time. An extra column is read from ``workorder_fields``; an order whose export
never stated it matches no value, and a rate over a column that no order of the year has is
pending rather than 0 %. A rate's duration conditions are judged by a ``Judge``
(``projections.order_durations``: the calendar with its rulings, as of the date read); an order whose
limit falls in a year the calendar does not know makes its unit's rate pending. The orders costing
points on such a rate are found the same way (``costly``), for ``trace``.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ledger.rulesets.schema import RateItem, Ruleset
from projections import rate_specs
from projections.explanations import missing_columns
from projections.order_durations import Judge
from projections.rate_specs import COLUMNS, RateSpec
from projections.unit_facts import RateCounts


@dataclass
class OrderRates:
    """One unit's rate facts: yearly counts, monthly counts, and rates that cannot be computed."""

    rates: dict[str, RateCounts] = field(default_factory=dict)
    monthly: dict[str, dict[str, RateCounts]] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


def monthly_codes(ruleset: Ruleset) -> set[str]:
    """The rates some item scores month by month (a class or unit override may switch an item to monthly)."""
    out = set()
    for unit in ruleset.units:
        for raw in ruleset.items:
            item = ruleset.item_for(unit.code, raw.code)
            if isinstance(item, RateItem) and item.period == "monthly_average":
                out.add(item.rate)
    return out


def _extra_fields(db: sqlite3.Connection, fields: set[str], unit: str | None = None) -> dict[str, dict[str, str]]:
    """order id → {extra column: value}, for the columns ``fields`` names (none: nothing is read)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    if fields:
        wanted = sorted(fields)
        sql = f"SELECT order_id, field, value FROM workorder_fields WHERE field IN ({','.join('?' * len(wanted))})"
        params: list[Any] = wanted
        if unit is not None:
            sql += " AND order_id IN (SELECT order_id FROM workorders WHERE unit=?)"
            params = [*wanted, unit]
        for order_id, name, value in db.execute(sql, params):
            out[order_id][name] = value
    return out


def _orders(db: sqlite3.Connection, column: str, start: str, end: str, unit: str | None = None,
            ordered: bool = True) -> Iterator[tuple[Any, ...]]:
    """The counted orders placed in ``start``..``end`` by ``column`` (of ``unit`` only, if given), as state rows (by
    order id if ``ordered``: counting them needs no order)."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM workorders WHERE counted=1 AND {column} BETWEEN ? AND ?"
    params: list[Any] = [start, end]
    if unit is not None:
        sql += " AND unit=?"
        params.append(unit)
    cursor = db.cursor()
    cursor.row_factory = None
    yield from (tuple(r) for r in cursor.execute(sql + (" ORDER BY order_id" if ordered else ""), params))


def _exact(numerator: Decimal) -> int | Decimal:
    return int(numerator) if numerator == numerator.to_integral_value() else numerator


def _missing(spec: RateSpec, orders: list[tuple[Any, ...]], extra: dict[str, dict[str, str]]) -> list[str]:
    """The extra columns of the rate that no order of the window was imported with (absent ≠ empty)."""
    return sorted(f for f in spec.extra if not any(f in extra.get(o[0], {}) for o in orders))


def order_rate_facts(db: sqlite3.Connection, ruleset: Ruleset, specs: Sequence[RateSpec], start: str,
                     end: str, judge: Judge | None = None) -> dict[str, OrderRates]:
    """unit → the counts of the rates ``specs`` over orders placed in ``start``..``end``, yearly and (for the rates
    some item scores monthly) month by month. ``judge`` judges the rates' duration conditions (needed if any)."""
    out: dict[str, OrderRates] = defaultdict(OrderRates)
    if not specs:
        return {}
    monthly = monthly_codes(ruleset)
    extra = _extra_fields(db, set().union(*(s.extra for s in specs)))
    by_time: dict[str, list[tuple[Any, ...]]] = {}
    for s in specs:
        if s.basis not in by_time:
            by_time[s.basis] = list(_orders(db, s.basis, start, end, ordered=False))
        orders = by_time[s.basis]
        missing = _missing(s, orders, extra)
        if missing:
            reason = missing_columns(s.name, missing)
            for u in ruleset.units:
                out[u.code].pending[s.code] = reason
            continue
        sums = _sums(s, orders, extra, judge)
        pending = judge.pending(s) if judge is not None and s.durations else {}
        for unit in {o[1] for o in orders}:
            if unit in pending:
                out[unit].pending[s.code] = pending[unit]
                continue
            months = sums.get(unit, {})
            out[unit].rates[s.code] = RateCounts(_exact(sum((c[0] for c in months.values()), Decimal(0))),
                                                 int(sum((c[1] for c in months.values()), Decimal(0))))
            if s.code in monthly:
                out[unit].monthly[s.code] = {m: RateCounts(_exact(c[0]), int(c[1]))
                                             for m, c in sorted(months.items()) if c[1] > 0}
    return dict(out)


def _sums(s: RateSpec, orders: list[tuple[Any, ...]], extra: dict[str, dict[str, str]],
          judge: Judge | None) -> dict[str, dict[str, list[Decimal]]]:
    """unit → month → [numerator, denominator] of the rate over ``orders``."""
    index = COLUMNS.index(s.basis)
    sums: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    place, none = rate_specs.placer(s), {}
    for o in orders:
        if o[10] and s.out(o[10]):
            continue
        part = place(o, _fields(s, o, extra.get(o[0], none), judge) if s.durations else extra.get(o[0], none))
        if part is None:
            continue
        counts = sums[o[1]][o[index][:7]]
        counts[1] += 1
        if part < len(s.parts):
            counts[0] += s.parts[part][0]
    return sums


def _fields(s: RateSpec, order: tuple[Any, ...], extra: dict[str, str], judge: Judge | None) -> dict[str, str]:
    """The order's extra fields, with the rate's durations judged."""
    if not s.durations:
        return extra
    if judge is None:
        raise ValueError(f"the rate {s.code} has duration conditions: it needs a judge")
    return judge.fields(s, order, extra)


def costly(db: sqlite3.Connection, unit: str, spec: RateSpec, start: str, end: str,
           judge: Judge | None = None) -> list[tuple[Any, ...]]:
    """The unit's orders costing points on ``spec`` in the window, counted from the orders (a rate without tallies),
    as ``order_misses.costly`` gives them (order_id, dispatched_at, due_at, completed_at, satisfaction, screened),
    then the order's extra fields, each duration's words under its field (``Judge.why``)."""
    extra = _extra_fields(db, set(spec.extra), unit)
    out = []
    for o in _orders(db, spec.basis, start, end, unit):
        fields = _fields(spec, o, extra.get(o[0], {}), judge)
        part = rate_specs.placer(spec)(o, fields)
        if part is not None and spec.costs(part):
            if judge is not None:
                fields.update({w.name(): judge.why(w, o, fields) for w in spec.durations})
            out.append((o[0], o[2], o[3], o[4], o[7], int(bool(o[10]) and spec.out(o[10])), fields))
    return out
