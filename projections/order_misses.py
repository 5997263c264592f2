"""The work orders that cost a unit points on a rate, kept per unit and rate for ``trace`` to list.

``trace`` lists, beside a rate item's arithmetic, every order behind the shortfall: unsatisfied,
unreplied, late, unresolved. Finding them among a year's million orders is a full scan of
``workorders`` on every trace; this table keeps them instead, one row per (unit, rate, order),
with what the listing shows, and is adjusted whenever an order's state changes (a fact recorded,
a screening accepted), as the daily tallies are (``projections.order_tallies``). A screened
order stays listed, flagged.

Membership, for a counted order (是否计入统计 ≠ 否) and a rate the read model keeps
(``projections.rate_specs.kept``; the ``rate`` column holds the spec's key): the order is in the
rate's denominator and counts less than fully in its numerator (``RateSpec.costs``). Adopting a
ruleset with a rate not kept before lists the orders it concerns (``refill``), so the table
depends only on the orders' states and the rulesets adopted, never on the order they came in: a
rebuild gives the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from projections import rate_specs, read_db
from projections.rate_specs import COLUMNS as ORDER_COLUMNS
from projections.rate_specs import RateSpec

TABLE = "workorder_misses"
DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (unit TEXT NOT NULL, rate TEXT NOT NULL, order_id TEXT NOT NULL, "
       "dispatched_at TEXT, due_at TEXT, completed_at TEXT, satisfaction TEXT, screened INTEGER NOT NULL, "
       "PRIMARY KEY (unit, rate, order_id)) WITHOUT ROWID")
COLUMNS = ("unit", "rate", "order_id", "dispatched_at", "due_at", "completed_at", "satisfaction", "screened")
_DELETE = f"DELETE FROM {TABLE} WHERE unit=? AND rate=? AND order_id=?"


def misses(order: Sequence[Any], specs: Sequence[RateSpec]) -> list[tuple[Any, ...]]:
    """The table's rows for one order (a ``rate_specs.COLUMNS`` row): one per rate of ``specs`` it costs points on
    (in the rate's denominator, counting less than the fullest weight of its numerator: ``RateSpec.costs``)."""
    return rate_specs.compiled(tuple(specs), True)(order)


def adjust(db: sqlite3.Connection, before: Iterable[Sequence[Any]], after: Iterable[Sequence[Any]],
           specs: Sequence[RateSpec] | None = None) -> None:
    """Move the rows from the orders' states ``before`` to their states ``after``, in key order (same transaction)."""
    miss = rate_specs.compiled(rate_specs.kept(db) if specs is None else specs, True)
    rows = sorted(r for o in after for r in miss(o))
    listed = {r[:3] for r in rows}
    gone = sorted({r[:3] for o in before for r in miss(o)} - listed)
    db.executemany(_DELETE, gone)
    read_db.upsert(db, TABLE, COLUMNS, COLUMNS[:3], rows)


def refill(db: sqlite3.Connection, specs: Sequence[RateSpec] | None = None) -> None:
    """List again, from ``workorders``, the orders costing points on the rates ``specs`` (default: every kept one)."""
    specs = rate_specs.kept(db) if specs is None else specs
    if not specs:
        return
    for s in specs:
        db.execute(f"DELETE FROM {TABLE} WHERE rate=?", (s.key,))
    cursor = db.cursor()
    cursor.row_factory = None
    rows: list[tuple[Any, ...]] = []
    miss = rate_specs.compiled(specs, True)
    for order in cursor.execute(f"SELECT {', '.join(ORDER_COLUMNS)} FROM workorders WHERE counted=1"):
        rows += miss(order)
        if len(rows) >= 50_000:
            read_db.upsert(db, TABLE, COLUMNS, COLUMNS[:3], sorted(rows))
            rows = []
    read_db.upsert(db, TABLE, COLUMNS, COLUMNS[:3], sorted(rows))


def ensure(db: sqlite3.Connection) -> None:
    """Create the table; in an SQLite read model made before it existed, list the orders it already holds."""
    exists = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"
    if db.execute(exists, (TABLE,)).fetchone():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if not db.execute(exists, (TABLE,)).fetchone():  # under the write lock: another process may have made it
            db.execute(DDL)
            if db.execute(exists, ("workorders",)).fetchone():
                refill(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def costly(db: sqlite3.Connection, unit: str, spec: RateSpec, start: str, end: str) -> list[Any]:
    """The unit's orders costing points on the rate ``spec`` (a kept one) placed in the window by its ``year_by``
    time, by order id: (order_id, dispatched_at, due_at, completed_at, satisfaction, screened) rows."""
    sql = (f"SELECT order_id, dispatched_at, due_at, completed_at, satisfaction, screened FROM {TABLE} "
           f"WHERE unit=? AND rate=? AND {spec.basis} BETWEEN ? AND ? ORDER BY order_id")
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: thousands of orders
    return cursor.execute(sql, (unit, spec.key, start, end)).fetchall()
