"""``per_order``: a deduction per work order whose time came later than N working days (or hours) after another.

"Each order completed more than 10 working days after its due time deducts 0.2", "each order signed
later than 2 working hours after dispatch deducts 0.1": ``start`` and ``end`` name two times of an
order — ``dispatched``, ``due``, ``completed`` or an export column declared ``type = "time"`` (签收时间)
— and an order counts when its ``end`` is later than the limit ``working_days`` or ``working_hours``
after its ``start`` (``ledger.working_time``: the official calendar with the ledger's rulings, and the
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

from ledger.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.rulesets.kinds.base import Deduction, GatherContext, ItemBase, Kind, Phrases, Points, n
from ledger.translation import N_
from ledger.translation import gettext as _
from ledger.working_time import days_limit, hours_limit
from projections.explanations import missing_columns, num
from projections.local_time import with_offset
from projections.score_sheet import ItemResult
from projections.unit_facts import DeadlineOutcome, UnitFacts

#: The order's own times a rule may name, with their column in the read model and their words.
BUILTIN_TIMES = {"dispatched": ("dispatched_at", "派单时间"), "due": ("due_at", "办结时限"),
                 "completed": ("completed_at", "办结时间")}


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
        return f"{self.working_days}个工作日" if self.working_days is not None else f"{n(self.working_hours)}个工作小时"


def _time_words(name: str) -> str:
    return BUILTIN_TIMES[name][1] if name in BUILTIN_TIMES else name


@dataclass
class _Tally:
    """One unit's orders meeting the condition: how many, why some cannot be judged, and (for a trace) which."""

    count: int = 0
    pending: set[str] = field(default_factory=set)
    orders: list[dict[str, Any]] = field(default_factory=list)


def _normal(value: str | None) -> str | None:
    """A kept time as ``YYYY-MM-DDTHH:MM:SS`` (a column kept before it was declared a time may read otherwise)."""
    if not value:
        return None
    if len(value) == 19 and value[10] == "T":
        return value
    from ledger.imports.workorders import parse_time  # the export's reader: needed only for such a value

    return parse_time(value.strip())


def orders_meeting(db: sqlite3.Connection, ruleset: Any, item: PerOrderItem, units: list[str] | None, year: int,
                   as_of: date, calendar: WorkingCalendar, listing: bool = False) -> dict[str, _Tally]:
    """unit → the counted orders of ``year`` (as of ``as_of``) whose ``end`` came later than the limit after their
    ``start``; of ``units`` only, if given. ``listing``: keep each such order for a trace."""
    window_end = f"{min(date(year, 12, 31), as_of).isoformat()}T23:59:59"
    now = f"{as_of.isoformat()}T23:59:59"
    params: list[Any] = []
    joins = ""
    selected = []
    extra: list[str] = []
    for name in (item.start, item.end):
        if name in BUILTIN_TIMES:
            selected.append(f"w.{BUILTIN_TIMES[name][0]}")
        else:
            alias = f"f{len(extra)}"
            joins += f" LEFT JOIN workorder_fields {alias} ON {alias}.order_id = w.order_id AND {alias}.field = ?"
            params.append(name)
            selected.append(f"{alias}.value")
            extra.append(name)
    among = "" if units is None else f" AND w.unit IN ({', '.join('?' * len(units))})"
    shown = ", w.order_id, w.dispatched_at, w.due_at, w.completed_at" if listing else ""
    sql = (f"SELECT w.unit, {selected[0]}, {selected[1]}{shown} FROM workorders w{joins} "
           f"WHERE w.counted = 1 AND w.{BUILTIN_TIMES[item.year_by][0]} BETWEEN ? AND ?{among}")
    params += [f"{year}-01-01T00:00:00", window_end, *(units or ())]
    if listing:
        sql += " ORDER BY w.order_id"
    spans = ruleset.calendar.spans()
    limits: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    seen = {name: False for name in extra}
    normal_start, normal_end = item.start not in BUILTIN_TIMES, item.end not in BUILTIN_TIMES
    out: dict[str, _Tally] = defaultdict(_Tally)
    cursor = db.execute(sql, params)
    cursor.row_factory = None
    for row in cursor:
        unit, start, end = row[0], row[1], row[2]
        if normal_start:
            seen[item.start] = seen[item.start] or start is not None
            start = _normal(start)
        if normal_end:
            seen[item.end] = seen[item.end] or end is not None
            end = _normal(end)
        if not start:
            continue  # no time to count from
        key = start[:10] if item.working_days is not None else start
        if key in limits:
            limit = limits[key]
        else:
            try:
                limit = (days_limit(start, item.working_days, calendar) if item.working_days is not None
                         else hours_limit(start, item.working_hours or Decimal(0), spans, calendar))
            except CalendarYearUnknown as e:
                limit, reasons[key] = None, str(e)
            limits[key] = limit
        if limit is None:
            out[unit].pending.add(reasons[key])
            continue
        if limit >= now or (end is not None and end <= limit):
            continue  # the limit has not passed yet, or the end came in time
        tally = out[unit]
        tally.count += 1
        if listing:
            tally.orders.append({"order_id": row[3], "dispatched_at": row[4], "due_at": row[5],
                                 "completed_at": row[6], "start": start, "end": end, "limit": limit})
    missing = [name for name, found in seen.items() if not found]
    if missing:  # a column no order of the year was imported with is unknown, not "no order is late"
        reason = missing_columns(item.name, missing)
        return {u: _Tally(pending={reason}) for u in (units or [u.code for u in ruleset.units])}
    return out


class PerOrder(Kind):
    """Computed by the ledger from the work orders it keeps; ``cap`` limits its deduction."""

    name = "per_order"
    model = PerOrderItem
    label = N_("per order meeting a condition")
    deducts = True

    def check(self, ruleset: Any, item: PerOrderItem, at: str) -> list[str]:
        errors = []
        times = {c.header for c in ruleset.workorders.columns if c.type == "time"}
        for key, name in (("start", item.start), ("end", item.end)):
            if name not in BUILTIN_TIMES and name not in times:
                errors.append(f"{at}.{key}: " + _(
                    "unknown time {name} (dispatched, due, completed, or a column of [[workorders.columns]] with "
                    "type = \"time\")").format(name=repr(name)))
        if item.start == item.end:
            errors.append(f"{at}.end: " + _("the same time as start"))
        if item.working_hours is not None and not ruleset.calendar.working_hours:
            errors.append(f"{at}.working_hours: " + _("needs the working day's hours in [calendar] working_hours "
                                                       "(e.g. [\"09:00-12:00\", \"13:30-17:30\"])"))
        return errors

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
