"""``per_order``: a deduction per work order whose time came later than N working days (or hours) after another.

"Each order completed more than 10 working days after its due time deducts 0.2", "each order signed
later than 2 working hours after dispatch deducts 0.1": ``start`` and ``end`` name two times of an
order — ``dispatched``, ``due``, ``completed`` or an export column declared ``type = "time"`` (签收时间)
— and an order counts when its ``end`` is later than the limit ``working_days`` or ``working_hours``
after its ``start`` (``ledger.domain.working_time``: the official calendar with the ledger's rulings, and the
ruleset's ``[calendar] working_hours``). An order whose ``end`` is not there (still open, never signed)
counts once its limit has passed by the as-of date. Capped, floored and pooled like any deduction.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.working_time import Spans, day_table, within_day
from ledger.rulesets.durations import BUILTIN_TIMES, Within, check_times, limit_of, limit_words
from ledger.rulesets.durations import time_words as _time_words
from ledger.rulesets.kinds.base import Deduction, GatherContext, ItemBase, Kind, Phrases, Points, n
from ledger.translation import N_
from ledger.translation import gettext as _
from projections.explanations import missing_columns, num
from projections.local_time import with_offset
from projections.score_sheet import ItemResult
from projections.unit_facts import DeadlineOutcome, UnitFacts


class PerOrderItem(ItemBase):
    """``max − (orders whose end came later than N working days/hours after their start) × amount``.

    Attributes:
        start, end: the two times of an order (``dispatched``, ``due``, ``completed`` or a time column's header).
        working_days / working_hours: N, exactly one of them: the limit after ``start`` that ``end`` must not pass.
        year_by: which time places an order in the year (``dispatched``, ``due`` or ``completed``).
        amount: the deduction per order.
    """

    kind: Literal["per_order"]
    amount: Points
    max: Points | None = None
    start: str
    end: str
    working_days: int | None = Field(default=None, gt=0)
    working_hours: Decimal | None = Field(default=None, gt=0)
    year_by: Literal["dispatched", "due", "completed"] = "dispatched"

    @model_validator(mode="after")
    def _one_limit(self) -> PerOrderItem:
        if (self.working_days is None) == (self.working_hours is None):
            raise ValueError(_("give exactly one of working_days and working_hours"))
        return self

    def limit_words(self) -> str:
        """``10个工作日`` / ``2个工作小时``."""
        return limit_words(self.working_days, self.working_hours)


@dataclass
class _Tally:
    """One unit's orders meeting the condition: how many, why some cannot be judged, and (for a trace) which."""

    count: int = 0
    pending: set[str] = field(default_factory=set)
    orders: list[dict[str, Any]] = field(default_factory=list)


def _clock(column: str) -> str:
    """SQL: the seconds after midnight of a ``YYYY-MM-DDTHH:MM:SS`` column."""
    return (f"(CAST(substr({column}, 12, 2) AS INTEGER) * 3600 + CAST(substr({column}, 15, 2) AS INTEGER) * 60"
            f" + CAST(substr({column}, 18, 2) AS INTEGER))")


def _worked(day: str, column: str, spans: Spans) -> str:
    """SQL: the working seconds from the table's first day to the time in ``column`` (its day's row ``day``)."""
    s = _clock(column)
    within = " + ".join(f"(CASE WHEN {s} <= {b} THEN 0 WHEN {s} >= {e} THEN {e - b} ELSE {s} - {b} END)"
                        for b, e in spans) or "0"
    return f"({day}.f0 + {day}.wd * ({within}))"


def _sql_number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else f"{value:f}"


class _Query:
    """The orders of a per-order item, judged in SQL against a table of the days' working days and seconds.

    Times are measured from the table's first day: in working days, a start as the working days up to its day
    (included) and an end as those before its day; in working hours, both as the working seconds up to them.
    The limit ``T`` is the start's measure ``+ N − 1`` working days (the end must fall after the N-th working
    day after the start's day) or ``+ N × 3600`` working seconds, and an order is late when its end measures
    more than ``T`` — an end not there by the as-of date measured as the as-of date's end (``NOW``).
    """

    def __init__(self, db: sqlite3.Connection, ruleset: Any, item: PerOrderItem | Within, year_by: str, year: int,
                 as_of: date, calendar: WorkingCalendar) -> None:
        self.db = db
        spans = ruleset.calendar.spans()
        self.table = day_table(ruleset.dates.bounds(year)[0], as_of, calendar, spans)
        self.as_of_end = f"{as_of.isoformat()}T23:59:59"
        columns = []
        self.fields: list[str] = []
        for name in (item.start, item.end):
            if name in BUILTIN_TIMES:
                columns.append(f"w.{BUILTIN_TIMES[name][0]}")
            else:
                columns.append(f"NULLIF(f{len(self.fields)}.value, '')")
                self.fields.append(name)
        self.start, self.end = columns
        last = self.table.rows[-1] if self.table.rows else ("", 0, 0, 0)
        self.last_end = f"{last[0]}T23:59:59"  # an end after it is not known (yet) as of the as-of date
        if item.working_days is not None:
            # A start's limit depends on its day alone: the table carries it (column t).
            self.extra_days = item.working_days - 1
            limit, end = "da.t", "de.c0"
            # The working days before the as-of date (its own is not over); past the calendar, every one it knows.
            now = last[1] + last[2] if self.table.unknown else last[1]
        else:
            self.extra_days = None
            hours = _sql_number((item.working_hours or Decimal(0)) * 3600)
            limit = f"({_worked('da', self.start, spans)} + {hours})"
            end = _worked("de", self.end, spans)
            now = last[3] + last[2] * within_day(24 * 3600 if self.table.unknown else 86399, spans)
        # An end not there by the as-of date is measured as the as-of date: late once the limit has passed.
        self.late = f"(COALESCE({end}, {now}) > {limit})"
        if item.working_hours is not None:
            # Most orders are decided by their days alone (an end days after the start, or before the limit's
            # earliest day): the clock times are read only for the others.
            full = within_day(24 * 3600, spans)
            self.late = (f"(CASE WHEN da.day IS NULL THEN 0"
                         f" WHEN COALESCE(de.f0, {now}) > da.f0 + da.wd * {full} + {hours} THEN 1"
                         f" WHEN COALESCE(de.f0 + de.wd * {full}, {now}) <= da.f0 + {hours} THEN 0"
                         f" WHEN {self.late} THEN 1 ELSE 0 END = 1)")
        # Past the calendar's last known day, an order is judged only when the days it knows decide it.
        self.pending = ("(1 = 0)" if self.table.unknown is None else
                        f"(da.day IS NULL OR ({end} IS NULL AND NOT ({now} > {limit})))")
        self.year_column = f"w.{BUILTIN_TIMES[year_by][0]}"
        self.window = (f"{year}-01-01T00:00:00", f"{min(date(year, 12, 31), as_of).isoformat()}T23:59:59")

    def _query(self, select: str, units: list[str] | None, tail: str = "") -> tuple[str, list[Any]]:
        """``WITH days … SELECT … FROM … WHERE …`` and its parameters, in the order they appear."""
        more = self.extra_days or 0
        params: list[Any] = [x for row in self.table.rows for x in (*row, row[1] + row[2] + more)]
        values = ", ".join(["(?, ?, ?, ?, ?)"] * len(self.table.rows)) or "('', 0, 0, 0, 0)"
        joins = ""
        for k, name in enumerate(self.fields):
            joins += f" LEFT JOIN workorder_fields f{k} ON f{k}.order_id = w.order_id AND f{k}.field = ?"
            params.append(name)
        joins += (f" LEFT JOIN days da ON da.day = substr({self.start}, 1, 10)"
                  f" LEFT JOIN days de ON de.day = substr({self.end}, 1, 10) AND {self.end} <= ?")
        params.append(self.last_end)
        among = "" if units is None else f" AND w.unit IN ({', '.join('?' * len(units))})"
        params += [*self.window, *(units or ()), self.as_of_end]
        return (f"WITH days(day, c0, wd, f0, t) AS (VALUES {values}) SELECT {select} FROM workorders w{joins}"
                f" WHERE w.counted = 1 AND {self.year_column} BETWEEN ? AND ?{among}"
                f" AND {self.start} IS NOT NULL AND {self.start} <= ?{tail}"), params

    def tallies(self, units: list[str] | None) -> dict[str, _Tally]:
        """unit → how many of its orders are late, and why some cannot be judged yet."""
        out: dict[str, _Tally] = {}
        # Grouping only the orders the condition keeps: most of a year's orders are in time.
        sql, params = self._query("w.unit, COUNT(*)", units, f" AND {self.late} GROUP BY w.unit")
        for unit, late in self.db.execute(sql, params):
            out[unit] = _Tally(int(late))
        for unit, reason in self.pending_units(units).items():
            out.setdefault(unit, _Tally()).pending.add(reason)
        return out

    def pending_units(self, units: list[str] | None) -> dict[str, str]:
        """unit → why some of its orders cannot be judged (a year the calendar does not know)."""
        if self.table.unknown is None:
            return {}
        sql, params = self._query("DISTINCT w.unit", units, f" AND {self.pending}")
        return {unit: self.table.unknown for (unit,) in self.db.execute(sql, params)}

    def late_ids(self) -> frozenset[str]:
        """The ids of the late orders."""
        sql, params = self._query("w.order_id", None, f" AND {self.late}")
        return frozenset(r[0] for r in self.db.execute(sql, params))

    def listed(self, unit: str) -> list[dict[str, Any]]:
        """The unit's late orders, by order id."""
        sql, params = self._query(f"w.order_id, w.dispatched_at, w.due_at, w.completed_at, {self.start}, "
                                  f"{self.end}", [unit], f" AND {self.late} ORDER BY w.order_id")
        return [{"order_id": r[0], "dispatched_at": r[1], "due_at": r[2], "completed_at": r[3], "start": r[4],
                 "end": r[5] if r[5] is not None and r[5] <= self.as_of_end else None}
                for r in self.db.execute(sql, params)]


def orders_meeting(db: sqlite3.Connection, ruleset: Any, item: PerOrderItem, units: list[str] | None, year: int,
                   as_of: date, calendar: WorkingCalendar, listing: bool = False) -> dict[str, _Tally]:
    """unit → the counted orders of ``year`` (as of ``as_of``) whose ``end`` came later than the limit after their
    ``start``; of ``units`` only, if given. ``listing``: keep each such order (with its limit) for a trace."""
    missing = [name for name in (item.start, item.end) if name not in BUILTIN_TIMES
               and db.execute("SELECT 1 FROM workorder_fields WHERE field = ? LIMIT 1", (name,)).fetchone() is None]
    if missing:  # a column no order was imported with is unknown, not "no order is late"
        reason = missing_columns(item.name, missing)
        return {u: _Tally(pending={reason}) for u in (units or [u.code for u in ruleset.units])}
    query = _Query(db, ruleset, item, item.year_by, year, as_of, calendar)
    out = query.tallies(units)
    if listing:
        spans = ruleset.calendar.spans()
        for unit in units or ():
            orders = query.listed(unit)
            for o in orders:
                o["limit"] = limit_of(o["start"], item.working_days, item.working_hours, spans, calendar)
            out.setdefault(unit, _Tally()).orders = orders
    return out


def late_orders(db: sqlite3.Connection, ruleset: Any, within: Within, year_by: str, year: int, as_of: date,
                calendar: WorkingCalendar) -> tuple[frozenset[str], dict[str, str]]:
    """A rate's duration ``within`` judged as this kind judges its orders: the ids of the counted orders of ``year``
    (placed by ``year_by``, as of ``as_of``) whose end came later than its limit; and unit → why some of its orders
    cannot be judged. The times' columns must have been imported (the rate checks)."""
    query = _Query(db, ruleset, within, year_by, year, as_of, calendar)
    return query.late_ids(), query.pending_units(None)


class PerOrder(Kind):
    """Computed by the ledger from the work orders it keeps; ``cap`` limits its deduction."""

    name = "per_order"
    demo = "orders"
    model = PerOrderItem
    label = N_("per order meeting a condition")
    deducts = True

    def check(self, ruleset: Any, item: PerOrderItem, at: str) -> list[str]:
        return check_times(ruleset, item.start, item.end, item.working_hours is not None, at)

    def describe(self, ruleset: Any, item: PerOrderItem, p: Phrases) -> str:
        end, start = _time_words(item.end), _time_words(item.start)
        return (f"{end}晚于{start}后{item.limit_words()}的工单，每件扣{n(item.amount)}分{p.where}{p.cap}{p.held}"
                f"（工单按{_time_words(item.year_by)}归属年度；{end}为空的工单，时限一过即计入）")

    def gather(self, ctx: GatherContext, items: list[Any], facts: dict[str, UnitFacts]) -> None:
        r = ctx.ruleset
        for raw in items:
            groups: dict[PerOrderItem, list[str]] = defaultdict(list)  # units' overrides may differ
            for u in r.units:
                if r.applies(u.code, raw.code):
                    groups[r.item_for(u.code, raw.code)].append(u.code)
            for item, units in groups.items():
                every = len(units) == len(r.units)
                found = orders_meeting(ctx.db, r, item, None if every else units, ctx.year, ctx.as_of,
                                       ctx.calendar())
                for u in units:
                    tally = found.get(u, _Tally())
                    facts[u].orders[item.code] = DeadlineOutcome(tally.count, tuple(sorted(tally.pending)))

    def deduction(self, item: PerOrderItem, facts: UnitFacts) -> Deduction:
        outcome = facts.orders.get(item.code, DeadlineOutcome())
        return Deduction(outcome.deductions * item.amount, outcome.deductions,
                         f"{outcome.deductions} × {num(item.amount)}", outcome.pending)

    def score_json(self, result: ItemResult, events: list[str]) -> dict[str, Any]:
        return {"count": result.count}

    def trace_json(self, result: ItemResult, item: PerOrderItem, unit: str, sources: Any) -> dict[str, Any]:
        zone = sources.ruleset.scoring.timezone
        tally = orders_meeting(sources.db, sources.ruleset, item, [unit], sources.year, sources.as_of,
                               sources.calendar(), listing=True).get(unit, _Tally())
        end, start = _time_words(item.end), _time_words(item.start)
        for o in tally.orders:
            done = with_offset(o["end"], zone) if o["end"] else f"未{end}（截至 {sources.as_of.isoformat()}）"
            o["reason"] = (f"{end} {done} > 时限 {with_offset(o['limit'], zone)}"
                           f"（{start} {with_offset(o['start'], zone)} 后{item.limit_words()}）")
            # The shape of a rate's costly orders, so every reader of a trace's orders reads these too.
            o.update(screened_out=False, screenings=[])
        return {"orders": tally.orders}


KIND = PerOrder()
