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
- any other field: the extra export column's value as last stated (never stated: matches nothing).

An order counts when 是否计入统计 is 是 and the rate's ``year_by`` time falls in the year up to
``as_of`` (by day; its month for monthly items); it is in the denominator when every field of
``denominator`` matches, and adds the weight of the first numerator condition it matches. An
accepted screening takes it out of the rate it names (of every rate, ``screening_leaves = "all"``).
A rate over extra columns that no counted order of the window was exported with is pending. A rate
naming a construct this module does not know (a field it cannot read) is refused, never guessed.
Orders alike in what the rates read are counted once, in groups (a year has a few thousand kinds of order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import repeat
from operator import ge, itemgetter, le
from typing import Any

from ledger.domain.errors import LedgerError
from ledger.rulesets.rates import BUILTIN_FIELDS, RateDefinition
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _
from projections.explanations import missing_columns
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


class RateNotCheckable(LedgerError):
    """A rate definition names something this checker cannot evaluate."""


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
_KNOWN_RATE = {"code", "name", "year_by", "denominator", "numerator"}
_KNOWN_PART = {"where", "weight"}


def unsupported(ruleset: Ruleset) -> str | None:
    """Why some rate of the ruleset cannot be counted here (a field or construct this module does not know, e.g. a
    duration condition), or None."""
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


def _filled(values: Iterable[str | None]) -> list[str]:
    """A column of times, ``""`` for a time never stated."""
    column = list(values)
    return ["" if v is None else v for v in column] if None in column else column  # type: ignore[misc]


def _groups(book: OrderBook, columns: tuple[str, ...], next_day: str) -> Counter[tuple[Any, ...]]:
    """Every order's state reduced to what the rates read, counted by distinct value: its unit, raw flags and
    label; the month of each time and whether it is after the window; completed, on time, screened, extra values.

    Column by column, in C (``zip``, ``map``): a quarter of a million orders fall into a few thousand groups."""
    ids, states = list(book.orders), list(book.orders.values())
    dispatched, due, completed = (_filled(map(itemgetter(i), states)) for i in (DISPATCHED, DUE, COMPLETED))
    month, after = itemgetter(slice(0, 7)), repeat(next_day)
    return Counter(zip(map(itemgetter(UNIT, SATISFACTION, REPLY_REQUIRED, REPLIED, COUNTED), states),
                       map(month, dispatched), map(ge, dispatched, after), map(month, due), map(ge, due, after),
                       map(bool, completed), map(le, completed, due), map(book.screened.get, ids, repeat(frozenset())),
                       *(map(book.extra.get(c, {}).get, ids) for c in columns), strict=True))


def _kinds(book: OrderBook, ruleset: Ruleset, unit: str, year: int, last: str) -> dict[_Kind, int]:
    """The book's counted orders grouped by kind (an order of another unit is kept for the pending rule)."""
    columns = _columns(ruleset)
    first = f"{year}-01"
    next_day = (date.fromisoformat(last) + timedelta(days=1)).isoformat()
    kinds: dict[_Kind, int] = {}
    for key, n in _groups(book, columns, next_day).items():
        (whose, label, reply_required, replied, counted), d_month, d_after, due_month, due_after = key[:5]
        if counted == "0":
            continue
        completed, on_time, screened, stated = key[5], key[6], key[7], key[8:]
        words = _in_words(ruleset, label, reply_required, replied, completed, on_time,
                          zip(columns, stated, strict=True))
        kind = _Kind(whose == unit, d_month if first <= d_month and not d_after else None,
                     due_month if first <= due_month and not due_after else None, words, screened)
        kinds[kind] = kinds.get(kind, 0) + n
    return kinds


def _matches(fields: dict[str, str | None], condition: dict[str, tuple[str, ...]]) -> bool:
    return all(fields[name] in values for name, values in condition.items())


def _exact(numerator: Decimal) -> int | Decimal:
    return int(numerator) if numerator == numerator.to_integral_value() else numerator


def _count(definition: RateDefinition, kinds: dict[_Kind, int], leaves_all: bool, out: ProvenRates) -> None:
    """Count one rate over the unit's kinds of order into ``out`` (yearly and month by month)."""
    months: dict[str, list[Decimal]] = {}
    stated: set[str] = set()  # the extra columns some counted order of the window was exported with
    extra = definition.fields() - set(BUILTIN_FIELDS)
    for kind, n in kinds.items():
        month = kind.dispatched if definition.year_by == "dispatched" else kind.due
        if month is None:
            continue
        fields = dict(kind.fields)
        stated.update(c for c in extra if fields[c] is not None)
        screened = bool(kind.screened) if leaves_all else definition.code in kind.screened
        if not kind.mine or screened or not _matches(fields, definition.denominator):
            continue
        counts = months.setdefault(month, [Decimal(0), Decimal(0)])
        counts[1] += n
        weight = next((c.weight for c in definition.numerator if _matches(fields, c.where)), None)
        if weight is not None:
            counts[0] += weight * n
    missing = sorted(extra - stated)
    if missing:
        out.pending[definition.code] = missing_columns(definition.name, missing)
        return
    out.rates[definition.code] = RateCounts(_exact(sum((c[0] for c in months.values()), Decimal(0))),
                                            int(sum(c[1] for c in months.values())))
    out.monthly[definition.code] = {m: RateCounts(_exact(c[0]), int(c[1])) for m, c in sorted(months.items())}


def proven_rates(ruleset: Ruleset, book: OrderBook, unit: str, year: int, as_of: date) -> ProvenRates:
    """``unit``'s volume and every rate of ``ruleset`` for ``year`` as of ``as_of``, counted from ``book``."""
    kinds = _kinds(book, ruleset, unit, year, min(date(year, 12, 31), as_of).isoformat())
    out = ProvenRates(volume=sum(n for k, n in kinds.items() if k.mine and k.dispatched is not None))
    leaves_all = ruleset.workorders.screening_leaves == "all"
    for definition in ruleset.rates:
        _count(definition, kinds, leaves_all, out)
    return out
