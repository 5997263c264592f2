"""Gathering a year's facts from the read model: counts, assessments, rates, deadline verdicts.

Queries only; the rules are applied by ``projections.scores``.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.kinds import kind_of
from ledger.rulesets.kinds.base import GatherContext, Kind
from ledger.rulesets.kinds.deadline import deadline_verdicts
from ledger.rulesets.schema import Ruleset
from projections import order_rates, rate_specs
from projections.order_durations import Judge
from projections.order_rates import OrderRates
from projections.order_tallies import Tallied, tally_counts
from projections.scores import UnitFacts

__all__ = ["calendar_of", "deadline_verdicts", "gather", "latest_assessments", "occurrence_counts", "rate_counts",
           "year_window"]


def _day_end(d: date) -> str:
    return f"{d.isoformat()}T23:59:59"


def year_window(year: int, as_of: date) -> tuple[str, str]:
    """The span of local times that count for ``year`` as of ``as_of`` (inclusive, ISO text)."""
    end = min(date(year, 12, 31), as_of)
    return f"{year}-01-01T00:00:00", _day_end(end)


def calendar_of(db: sqlite3.Connection) -> WorkingCalendar:
    """The working-day calendar: the bundled one with the ledger's rulings on top."""
    rulings = {date.fromisoformat(r[0]): bool(r[1]) for r in db.execute("SELECT date, workday FROM calendar_rulings")}
    years = [r[0] for r in db.execute("SELECT year FROM calendar_years")]
    return WorkingCalendar(rulings, years)


def occurrence_counts(db: sqlite3.Connection, year: int, as_of: date,
                      units: Collection[str] | None = None) -> dict[tuple[str, str], int]:
    """(unit, item) → Σ effective count of occurrences dated by ``as_of`` and not retracted (of ``units`` only,
    if given)."""
    among = "" if units is None else f" AND unit IN ({', '.join('?' * len(units))})"
    rows = db.execute(
        "SELECT unit, item, SUM(effective_count) FROM occurrences "
        f"WHERE year=? AND date<=? AND retracted=0{among} GROUP BY unit, item",
        (year, as_of.isoformat(), *sorted(units or ())),
    )
    return {(u, i): int(n or 0) for u, i, n in rows}


def latest_assessments(db: sqlite3.Connection, year: int, as_of: date) -> dict[tuple[str, str], Decimal]:
    """(unit, item) → points of the latest assessment recorded (dated by ``as_of``)."""
    rows = db.execute(  # in recording order: the last one of each (unit, item) stays
        "SELECT unit, item, points FROM assessments WHERE year=? AND date<=? ORDER BY nid",
        (year, as_of.isoformat()),
    )
    return {(u, i): Decimal(p) for u, i, p in rows}


def rate_counts(db: sqlite3.Connection, ruleset: Ruleset, year: int, as_of: date) -> tuple[dict[str, Tallied],
                                                                                         dict[str, OrderRates]]:
    """unit → V and the counts of every rate of the ruleset (RUBRIC.md §6), yearly and, for the rates an item scores
    month by month, monthly: from the tallies, and from the orders for the rates without tallies.

    Summed from the read model's daily tallies (``projections.order_tallies``) rather than by
    counting a year's orders again: the year's window starts and ends on whole days. A rate the
    tallies do not keep (over an extra export column, or of a ruleset not adopted) is counted from
    the orders (``projections.order_rates``).
    """
    start, end = year_window(year, as_of)
    kept = {s.key for s in rate_specs.kept(db)}
    specs = list(rate_specs.specs(ruleset).values())
    tallied = [s for s in specs if s.key in kept]
    monthly = order_rates.monthly_codes(ruleset)
    tallies = tally_counts(db, tallied, start[:10], end[:10], monthly=any(s.code in monthly for s in tallied))
    for t in tallies.values():
        t.monthly = {code: months for code, months in t.monthly.items() if code in monthly}
    counted = [s for s in specs if s.key not in kept]
    judge = (Judge(db, ruleset, year, as_of, calendar_of(db))
             if any(s.durations for s in counted) else None)  # a rate's duration conditions: on today's calendar
    return tallies, order_rates.order_rate_facts(db, ruleset, counted, start, end, judge)


def gather(db: sqlite3.Connection, ruleset: Ruleset, year: int, as_of: date) -> dict[str, UnitFacts]:
    """Every unit's facts for ``year`` as of ``as_of``."""
    facts: dict[str, UnitFacts] = defaultdict(UnitFacts)
    for (unit, item), n in occurrence_counts(db, year, as_of).items():
        facts[unit].counts[item] = n
    for (unit, item), pts in latest_assessments(db, year, as_of).items():
        facts[unit].assessments[item] = pts
    tallied, counted = rate_counts(db, ruleset, year, as_of)
    for unit, t in tallied.items():
        f = facts[unit]
        f.volume = t.volume
        f.rates.update(t.rates)
        f.monthly_rates.update(t.monthly)
    for unit, extra in counted.items():
        facts[unit].rates.update(extra.rates)
        facts[unit].monthly_rates.update(extra.monthly)
        facts[unit].rate_pending.update(extra.pending)
    # What some kinds read beyond counts and assessments (deadline verdicts, orders meeting a condition).
    by_kind: dict[Kind, list[Any]] = defaultdict(list)
    for item in ruleset.items:
        by_kind[kind_of(item)].append(item)  # type: ignore[index]
    ctx = GatherContext(db, ruleset, year, as_of, cache(lambda: calendar_of(db)))
    for kind, items in by_kind.items():
        kind.gather(ctx, items, facts)
    return dict(facts)
