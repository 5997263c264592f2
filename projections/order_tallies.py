"""Daily tallies of work orders: what the volume and every rate count, per unit and day.

A year's export runs to a million orders; counting them again on every ``score`` costs a full
scan. The read model therefore keeps, beside each order's state, how many orders each unit has
per day on each measure, and adjusts them whenever an order's state changes (a fact recorded, a
screening accepted). Summing a year's days (or a month's, or the days up to ``--as-of``) then
gives exactly what counting the orders would: a day is the finest grain the window has.

Measures: ``volume``, by the day of the dispatch time; for each rate the read model keeps
(``projections.rate_specs.kept``: the rates of every adopted ruleset, by their spec's key), by
the day of the rate's ``year_by`` time, ``KEY:d`` (in the denominator) and ``KEY:nK`` (in the
denominator and counting in numerator part K), unless screened out of it. An order exported with
是否计入统计 = 否 counts nowhere. A ruleset adopted with a rate not kept before has it counted
over the orders already held (``after_ruleset``).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any

from projections import rate_specs
from projections.rate_specs import COLUMNS, RateSpec
from projections.unit_facts import RateCounts

__all__ = ["COLUMNS", "DDL", "TABLE", "Tallied", "add", "adjust", "after_ruleset", "ensure", "measures", "screen",
           "tally_counts"]

TABLE = "workorder_tallies"
DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (unit TEXT NOT NULL, day TEXT NOT NULL, measure TEXT NOT NULL, "
       "n INTEGER NOT NULL, PRIMARY KEY (unit, day, measure)) WITHOUT ROWID")
_UPSERT = (f"INSERT INTO {TABLE} VALUES (?,?,?,?) "
           f"ON CONFLICT(unit, day, measure) DO UPDATE SET n = {TABLE}.n + excluded.n")
_DROP_ZERO = f"DELETE FROM {TABLE} WHERE unit=? AND day=? AND measure=? AND n=0"


def measures(order: Sequence[Any], specs: Sequence[RateSpec]) -> list[tuple[str, str, str]]:
    """The (unit, day, measure) tallies one order (a ``COLUMNS`` row) counts in, for the rates ``specs``."""
    return rate_specs.compiled(tuple(specs), False)(order)


def adjust(db: sqlite3.Connection, before: Iterable[Sequence[Any]], after: Iterable[Sequence[Any]],
           specs: Sequence[RateSpec] | None = None) -> None:
    """Move the tallies from the orders' states ``before`` to their states ``after`` (same transaction)."""
    measure = rate_specs.compiled(rate_specs.kept(db) if specs is None else specs, False)
    delta = Counter(chain.from_iterable(map(measure, after)))
    delta.subtract(chain.from_iterable(map(measure, before)))
    add(db, delta)


def add(db: sqlite3.Connection, delta: Counter[tuple[str, str, str]]) -> None:
    """Add ``delta`` ((unit, day, measure) → change) to the tallies, in key order (same transaction).

    A tally that falls to 0 is removed: the table then depends only on the orders' states, not on how the
    changes were grouped (an import's chunks one by one, or a rebuild's run of them merged).
    """
    changes = [(*key, n) for key, n in sorted(delta.items()) if n]
    db.executemany(_UPSERT, changes)
    db.executemany(_DROP_ZERO, [c[:3] for c in changes if c[3] < 0])


def screen(db: sqlite3.Connection, order_id: str, rate: str) -> None:
    """Screen an order out of the rate ``rate`` (a code), tallies included (and the costly orders' flags)."""
    row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM workorders WHERE order_id=?", (order_id,)).fetchone()
    if row is None or rate in rate_specs.screened_codes(row[10]):
        return
    after = list(row)
    after[10] = rate_specs.with_screening(row[10], rate)
    db.execute("UPDATE workorders SET screened=? WHERE order_id=?", (after[10], order_id))
    adjust(db, [tuple(row)], [after])
    from projections import order_misses

    order_misses.adjust(db, [tuple(row)], [after])


def after_ruleset(db: sqlite3.Connection, before: Sequence[RateSpec]) -> None:
    """After a ruleset is adopted: count the orders already held for the rates it adds (none new: nothing)."""
    known = {s.key for s in before}
    new = [s for s in rate_specs.kept(db) if s.key not in known]
    if not new:
        return
    delta: Counter[tuple[str, str, str]] = Counter()
    cursor = db.cursor()
    cursor.row_factory = None
    measure = rate_specs.compiled(new, False)
    for order in cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM workorders"):
        delta.update(m for m in measure(order) if m[2] != "volume")
    add(db, delta)
    from projections import order_misses

    order_misses.refill(db, new)


def ensure(db: sqlite3.Connection) -> None:
    """Create the tallies table; in a read model made before it existed, count the orders it already holds."""
    exists = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"
    if db.execute(exists, (TABLE,)).fetchone():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Under the write lock, look again: another process may have counted them meanwhile.
        if not db.execute(exists, (TABLE,)).fetchone():
            db.execute(DDL)
            if db.execute(exists, ("workorders",)).fetchone():
                cursor = db.cursor()
                cursor.row_factory = None
                adjust(db, (), cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM workorders"))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@dataclass
class Tallied:
    """One unit's counts from the tallies: V, and each rate's yearly (and, if asked, monthly) counts."""

    volume: int = 0
    rates: dict[str, RateCounts] = field(default_factory=dict)
    monthly: dict[str, dict[str, RateCounts]] = field(default_factory=dict)


def _counts(spec: RateSpec, sums: dict[str, int]) -> RateCounts:
    numerator = sum((w * sums.get(f"{spec.key}:n{k}", 0) for k, (w, _) in enumerate(spec.parts)), Decimal(0))
    exact: int | Decimal = int(numerator) if numerator == numerator.to_integral_value() else numerator
    return RateCounts(exact, sums.get(spec.key + ":d", 0))


def tally_counts(db: sqlite3.Connection, specs: Sequence[RateSpec], first_day: str, last_day: str,
                 monthly: bool = False) -> dict[str, Tallied]:
    """unit → volume and the counts of the rates ``specs`` (kept ones) over ``first_day``..``last_day`` (ISO dates);
    with ``monthly``, each rate's counts month by month too (only months with orders in its denominator)."""
    sums: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    if monthly:
        sql = (f"SELECT unit, substr(day, 1, 7), measure, SUM(n) FROM {TABLE} WHERE day BETWEEN ? AND ? "
               "GROUP BY unit, substr(day, 1, 7), measure")
    else:
        sql = f"SELECT unit, '', measure, SUM(n) FROM {TABLE} WHERE day BETWEEN ? AND ? GROUP BY unit, measure"
    for unit, month, measure, n in db.execute(sql, (first_day, last_day)):
        sums[unit][month][measure] += int(n)
    out: dict[str, Tallied] = {}
    for unit, months in sums.items():
        year: dict[str, int] = defaultdict(int)
        for per_month in months.values():
            for measure, n in per_month.items():
                year[measure] += n
        t = out[unit] = Tallied(volume=year.get("volume", 0))
        for s in specs:
            t.rates[s.code] = _counts(s, year)
            if monthly:
                t.monthly[s.code] = {m: c for m, per_month in sorted(months.items())
                                     if (c := _counts(s, per_month)).denominator > 0}
    return out
