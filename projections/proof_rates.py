"""A unit's rates counted straight from its orders' states: a second, plain implementation of the rate definitions.

The read model counts rates through resolved, compiled tests kept as daily tallies
(projections/rate_specs.py, order_tallies.py, order_rates.py). ``proof check`` must not need a
read model of a unit's quarter of a million orders, and a second implementation that must agree
with the first is what a check is for: here each definition of the ruleset
(ledger/rulesets/rates.py ``RateDefinition``) is read as written — a field, the values that match —
against each order's fields in words (RUBRIC.md §6):

- ``satisfaction``: the order's label, ``unrated_value`` when it has none; ``rated``: a label
  other than ``unrated_value``; ``satisfied``: one of ``satisfied_values``;
- ``reply_required``, ``replied``, ``completed``, ``on_time`` (completed no later than due): 是/否;
- any other field: the extra export column's value as last stated (never stated: matches nothing);
- a duration (``within``, ``denominator_within``): met when the order's end came no later than the
  limit after its start (projections/proof_durations.py, on the calendar with the file's rulings).

An order counts when 是否计入统计 is 是 and the rate's ``year_by`` time falls in the year up to
``as_of`` (by day; its month for monthly items); it is in the denominator when every field of
``denominator`` matches, and adds the weight of the first numerator condition it matches. An
accepted screening takes it out of the rate it names (of every rate, ``screening_leaves = "all"``).
A rate over extra columns (its durations' time columns included) that no counted order of the window
was exported with is pending. A rate naming a construct this module does not know (a field it cannot
read) is refused, never guessed; so is a duration whose limit the calendar cannot give.
Orders alike in what the rates read are counted once, in groups (a year has a few thousand kinds of order).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import itemgetter, le
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.durations import BUILTIN_TIMES, Within
from ledger.rulesets.rates import BUILTIN_FIELDS, RateDefinition
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _
from projections.explanations import missing_columns
from projections.proof_durations import RateNotCheckable, durations, judge, time_columns
from projections.proof_orders import (
    COMPLETED,
    COUNTED,
    DISPATCHED,
    DUE,
    REPLIED,
    REPLY_REQUIRED,
    SATISFACTION,
    UNIT,
    OrderBook,
)
from projections.unit_facts import RateCounts

_YES_NO = ("否", "是")


@dataclass
class ProvenRates:
    """One unit's figures from its orders: V, each rate's yearly counts, monthly counts, and pending rates."""

    volume: int = 0
    rates: dict[str, RateCounts] = field(default_factory=dict)
    monthly: dict[str, dict[str, RateCounts]] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Kind:
    """A group of orders alike in everything the rates read: whose, when (the month of each time, None outside
    the window) and their fields in words."""

    mine: bool
    dispatched: str | None
    due: str | None
    fields: tuple[tuple[str, str | None], ...]
    screened: frozenset[str]


#: What a rate definition and a numerator part may hold that this module evaluates; anything else set is refused.
_KNOWN_RATE = {"code", "name", "year_by", "denominator", "denominator_within", "numerator"}
_KNOWN_PART = {"where", "within", "weight"}


def unsupported(ruleset: Ruleset) -> str | None:
    """Why some rate of the ruleset cannot be counted here (a field or construct this module does not know), or
    None."""
    declared = {c.header for c in ruleset.workorders.columns}
    for d in ruleset.rates:
        unknown = sorted(d.fields() - set(BUILTIN_FIELDS) - declared)
        unknown += [k for k, v in d if k not in _KNOWN_RATE and v not in (None, {}, (), [])]
        unknown += [k for part in d.numerator for k, v in part if k not in _KNOWN_PART and v not in (None, {}, (), [])]
        if unknown:
            return _("rate {rate}: the proof checker cannot evaluate the field {field}").format(
                rate=d.code, field=", ".join(map(repr, dict.fromkeys(unknown))))
    return None


def _columns(ruleset: Ruleset) -> tuple[str, ...]:
    """The extra export columns the ruleset's rates read (a ruleset ``unsupported`` names is refused)."""
    because = unsupported(ruleset)
    if because is not None:
        raise RateNotCheckable(because)
    return tuple(sorted(set().union(*(d.fields() for d in ruleset.rates)) - set(BUILTIN_FIELDS)))


def _in_words(ruleset: Ruleset, label: str | None, reply_required: str | None, replied: str | None,
              completed: bool, on_time: bool, extra: Iterable[tuple[str, str | None]]
              ) -> tuple[tuple[str, str | None], ...]:
    """An order's fields as a rate definition names them (its state's raw values: projections/proof_orders.py)."""
    wo = ruleset.workorders
    label = label if label is not None else wo.unrated_value
    return (("satisfaction", label), ("rated", _YES_NO[label != wo.unrated_value]),
            ("satisfied", _YES_NO[label in wo.satisfied_values]),
            ("reply_required", _YES_NO[reply_required != "0"]), ("replied", _YES_NO[replied == "1"]),
            ("completed", _YES_NO[completed]), ("on_time", _YES_NO[completed and on_time]), *extra)


def _column(states: list[list[str | None]], at: int, fill: bool) -> list[str]:
    """The orders' times at ``at`` in their states, ``""`` for a time never stated if ``fill``."""
    column = list(map(itemgetter(at), states))
    return ["" if v is None else v for v in column] if fill else column  # type: ignore[misc]


@dataclass(frozen=True)
class _Scope:
    """What is counted: the unit's orders in the window (its first month; the day after it; ``bounds``, the start
    of each of its months and that day; ``now``, the as-of date's end), with what the rates read besides the
    built-in fields: ``columns`` (their conditions' extra columns, by value), ``present`` (the columns their
    durations measure from or to, only whether stated) and ``timed`` (their durations, judged on ``calendar``)."""

    unit: str
    first: str
    next_day: str
    bounds: tuple[str, ...]
    now: str
    columns: tuple[str, ...]
    present: tuple[str, ...]
    timed: tuple[Within, ...]
    calendar: WorkingCalendar | None


def _verdicts(book: OrderBook, ruleset: Ruleset, scope: _Scope, ids: list[str], states: list[list[str | None]],
              dispatched: Iterable[str], due: list[str]) -> list[list[str]]:
    """Per duration of the rates, ``是``/``否`` for every order (judged only for the unit's counted orders placed in
    the window by either time: no other order is counted)."""
    if not scope.timed:
        return []
    if scope.calendar is None:
        raise RateNotCheckable(_("the rates' durations need the calendar"))
    first, after = scope.first, scope.next_day
    wanted = [s[UNIT] == scope.unit and s[COUNTED] != "0" and (first <= d < after or first <= u < after)
              for s, d, u in zip(states, dispatched, due, strict=True)]
    spans = ruleset.calendar.spans()
    return [judge(book, ids, states, w, wanted, scope.calendar, spans, scope.now) for w in scope.timed]


def _groups(book: OrderBook, ruleset: Ruleset, scope: _Scope) -> Counter[tuple[Any, ...]]:
    """Every order's state reduced to what the rates read, counted by distinct value: its unit, raw flags and
    label; the place of each time in the window; completed, on time, screened, extra values, whether each measured
    column is stated, each duration met.

    Column by column, in C (``zip``, ``map``): a quarter of a million orders fall into a few thousand groups."""
    ids, states = list(book.orders), list(book.orders.values())
    try:  # the usual case, both times stated: no pass over their columns to look for one that is not
        return _grouped(book, ruleset, scope, ids, states, False)
    except TypeError:  # a time never stated (None) compared with a text: counted again with it as ""
        return _grouped(book, ruleset, scope, ids, states, True)


def _grouped(book: OrderBook, ruleset: Ruleset, scope: _Scope, ids: list[str], states: list[list[str | None]],
             fill: bool) -> Counter[tuple[Any, ...]]:
    """``_groups``, the unstated dispatch and due times as ``""`` (``fill``) or as they are (``TypeError`` where one
    is None). A column is made a list only where it is read twice: a pass over the states costs less than a list.
    An open order's completion may be None (one in twenty): ``str`` makes it ``"None"``, which sorts after every
    time, so it is never on time — as it is never completed (``bool``) — with no pass in Python over the column."""
    due = _column(states, DUE, fill)
    dispatched = _column(states, DISPATCHED, fill) if fill or scope.timed else map(itemgetter(DISPATCHED), states)
    completed = partial(map, itemgetter(COMPLETED), states)
    # A time's place among the window's month starts and its end: 0 before the window, k its k-th month,
    # len(bounds) after it — small integers, cheaper to hash than a month's text.
    place = partial(bisect_right, scope.bounds)
    verdicts = _verdicts(book, ruleset, scope, ids, states, dispatched, due)
    none = repeat(frozenset(), len(ids))
    return Counter(zip(map(itemgetter(UNIT, SATISFACTION, REPLY_REQUIRED, REPLIED, COUNTED), states),
                       map(place, dispatched), map(place, due),
                       map(bool, completed()), map(le, map(str, completed()), due),
                       map(book.screened.get, ids, repeat(frozenset())) if book.screened else none,
                       *(map(book.extra.get(c, {}).get, ids) for c in scope.columns),
                       *(map(book.extra.get(c, {}).__contains__, ids) for c in scope.present), *verdicts, strict=True))


def _kinds(book: OrderBook, ruleset: Ruleset, scope: _Scope) -> dict[_Kind, int]:
    """The book's counted orders grouped by kind (an order of another unit is kept for the pending rule)."""
    width, present = len(scope.columns), len(scope.present)
    judged = tuple(w.name() for w in scope.timed)
    months = dict(enumerate(scope.bounds[:-1], 1))  # a place in the window → its month
    kinds: dict[_Kind, int] = {}
    for key, n in _groups(book, ruleset, scope).items():
        (whose, label, reply_required, replied, counted), d_place, due_place = key[:3]
        if counted == "0":
            continue
        completed, on_time, screened, rest = key[3], key[4], key[5], key[6:]
        extra = (*zip(scope.columns, rest[:width], strict=True),
                 *((c, "" if p else None) for c, p in zip(scope.present, rest[width:width + present], strict=True)),
                 *zip(judged, rest[width + present:], strict=True))
        words = _in_words(ruleset, label, reply_required, replied, completed, on_time, extra)
        kind = _Kind(whose == scope.unit, months.get(d_place), months.get(due_place), words, screened)
        kinds[kind] = kinds.get(kind, 0) + n
    return kinds


def _matches(fields: dict[str, str | None], condition: dict[str, tuple[str, ...]], within: Within | None) -> bool:
    """Whether the order's fields match every field of ``condition``, and it meets ``within`` (judged: ``是``)."""
    if within is not None and fields[within.name()] != "是":
        return False
    return all(fields[name] in values for name, values in condition.items())


def _exact(numerator: Decimal) -> int | Decimal:
    return int(numerator) if numerator == numerator.to_integral_value() else numerator


def _count(definition: RateDefinition, kinds: dict[_Kind, int], leaves_all: bool, out: ProvenRates) -> None:
    """Count one rate over the unit's kinds of order into ``out`` (yearly and month by month)."""
    months: dict[str, list[Decimal]] = {}
    stated: set[str] = set()  # the extra columns some counted order of the window was exported with
    extra = (definition.fields() - set(BUILTIN_FIELDS)).union(
        t for _, w in definition.durations() for t in (w.start, w.end) if t not in BUILTIN_TIMES)
    for kind, n in kinds.items():
        month = kind.dispatched if definition.year_by == "dispatched" else kind.due
        if month is None:
            continue
        fields = dict(kind.fields)
        stated.update(c for c in extra if fields[c] is not None)
        screened = bool(kind.screened) if leaves_all else definition.code in kind.screened
        if not kind.mine or screened or not _matches(fields, definition.denominator, definition.denominator_within):
            continue
        counts = months.setdefault(month, [Decimal(0), Decimal(0)])
        counts[1] += n
        weight = next((c.weight for c in definition.numerator if _matches(fields, c.where, c.within)), None)
        if weight is not None:
            counts[0] += weight * n
    missing = sorted(extra - stated)
    if missing:
        out.pending[definition.code] = missing_columns(definition.name, missing)
        return
    out.rates[definition.code] = RateCounts(_exact(sum((c[0] for c in months.values()), Decimal(0))),
                                            int(sum(c[1] for c in months.values())))
    out.monthly[definition.code] = {m: RateCounts(_exact(c[0]), int(c[1])) for m, c in sorted(months.items())}


def proven_rates(ruleset: Ruleset, book: OrderBook, unit: str, year: int, as_of: date,
                 calendar: WorkingCalendar | None = None) -> ProvenRates:
    """``unit``'s volume and every rate of ``ruleset`` for ``year`` as of ``as_of``, counted from ``book``;
    ``calendar`` (with the rulings) measures the rates' durations, if any (``RateNotCheckable`` if it cannot)."""
    columns = _columns(ruleset)
    last = min(date(year, 12, 31), as_of)
    next_day = (last + timedelta(days=1)).isoformat()
    months = tuple(f"{year}-{m:02d}" for m in range(1, last.month + 1)) if last.year == year else ()
    scope = _Scope(unit, f"{year}-01", next_day, (*months, next_day), f"{as_of.isoformat()}T23:59:59",
                   columns, tuple(c for c in time_columns(ruleset) if c not in columns), durations(ruleset), calendar)
    kinds = _kinds(book, ruleset, scope)
    out = ProvenRates(volume=sum(n for k, n in kinds.items() if k.mine and k.dispatched is not None))
    leaves_all = ruleset.workorders.screening_leaves == "all"
    for definition in ruleset.rates:
        _count(definition, kinds, leaves_all, out)
    return out
