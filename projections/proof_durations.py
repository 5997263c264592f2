"""A rate's duration conditions (``within``, ``denominator_within``) judged on a proof file's orders.

``proof check`` counts a unit's rates from its orders' states (projections/proof_rates.py). A rate
may count only the orders whose ``end`` came within N working days (or hours) of their ``start``
(``ledger.rulesets.durations.Within``); the read model judges that in SQL
(``ledger.rulesets.kinds.per_order.late_orders``), this module order by order with the one
definition of the limit both name, ``ledger.rulesets.durations.limit_of`` (``ledger.domain.working_time``,
the calendar with the rulings the proof file carries): an order meets the condition when its start
is there and its end — or, not there by the as-of date's end, that moment — is no later than the
limit. A limit the calendar cannot give (a year it does not know) is refused (``RateNotCheckable``),
so that ``proof check`` counts such a ruleset through the read model rather than guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from events.workorders import FACT_FIELDS
from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.domain.errors import LedgerError
from ledger.rulesets.durations import BUILTIN_TIMES, Within, limit_of
from ledger.rulesets.schema import Ruleset
from projections.proof_orders import OrderBook

#: Where a built-in time sits in an order's state (laid out as a fact row: projections/proof_orders.py).
_AT = {name: FACT_FIELDS.index(column) for name, (column, _words) in BUILTIN_TIMES.items()}


class RateNotCheckable(LedgerError):
    """A rate definition names something this checker cannot evaluate."""


def durations(ruleset: Ruleset) -> tuple[Within, ...]:
    """Every distinct duration condition of the ruleset's rates, in order."""
    return tuple(dict.fromkeys(w for d in ruleset.rates for _, w in d.durations()))


def time_columns(ruleset: Ruleset) -> tuple[str, ...]:
    """The extra export columns the rates' durations measure from or to (not their conditions' fields)."""
    return tuple(sorted({t for w in durations(ruleset) for t in (w.start, w.end) if t not in BUILTIN_TIMES}))


def _times(book: OrderBook, ids: list[str], states: list[list[str | None]], name: str) -> Iterable[str | None]:
    """One time of every order: a built-in one from its state, a column's as last stated."""
    if name in _AT:
        return map(itemgetter(_AT[name]), states)
    return map(book.extra.get(name, {}).get, ids)


def judge(book: OrderBook, ids: list[str], states: list[list[str | None]], within: Within,
          wanted: Sequence[bool], calendar: WorkingCalendar, spans: Any, now: str) -> list[str]:
    """``是`` for each order meeting ``within`` (``否`` otherwise, and for every order not ``wanted``: those no rate
    of the window counts); ``now`` is the as-of date's end."""
    limits: dict[str, str] = {}
    days = within.working_days is not None
    out: list[str] = []
    for start, end, want in zip(_times(book, ids, states, within.start), _times(book, ids, states, within.end),
                                wanted, strict=True):
        if not want or not start:
            out.append("否")
            continue
        key = start[:10] + "T00:00:00" if days else start  # in working days the limit depends on the day alone
        limit = limits.get(key)
        if limit is None:
            try:
                limit = limits[key] = limit_of(key, within.working_days, within.working_hours, spans, calendar)
            except CalendarYearUnknown as e:
                raise RateNotCheckable(str(e)) from None
        out.append("否" if (end if end and end <= now else now) > limit else "是")
    return out
