"""Daily tallies of work orders: what the volume and the three rates count, per unit and day.

A year's export runs to a million orders; counting them again on every ``score`` costs a full
scan. The read model therefore keeps, beside each order's state, how many orders each unit has
per day on each measure of RUBRIC.md §6, and adjusts them whenever an order's state changes (a
fact recorded, a screening accepted). Summing a year's days, or the days up to ``--as-of``, then
gives exactly what counting the orders would: a day is the finest grain the window has.

Measures, by the day of the dispatch time: ``volume``; ``reply_den`` and ``reply_num`` (needing a
reply; and replied), unless screened out of the reply rate; ``satisfaction:<label>`` per label,
unless screened out of the satisfaction rate (which labels are rated or satisfied is ruleset
data, so it is decided when reading). By the day of the due time: ``ontime_den`` and
``ontime_num`` (completed no later than due), unless screened out of the on-time rate. An order
exported with 是否计入统计 = 否 counts nowhere.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from ledger.rulesets.schema import Ruleset

TABLE = "workorder_tallies"
DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (unit TEXT NOT NULL, day TEXT NOT NULL, measure TEXT NOT NULL, "
       "n INTEGER NOT NULL, PRIMARY KEY (unit, day, measure)) WITHOUT ROWID")
#: An order's state as the ``workorders`` table holds it, column by column.
COLUMNS = ("order_id", "unit", "dispatched_at", "due_at", "completed_at", "reply_required", "replied",
           "satisfaction", "counted", "observed_at", "screened_satisfaction", "screened_reply", "screened_ontime")
SATISFACTION = "satisfaction:"
_UPSERT = (f"INSERT INTO {TABLE} VALUES (?,?,?,?) "
           f"ON CONFLICT(unit, day, measure) DO UPDATE SET n = {TABLE}.n + excluded.n")
_DROP_ZERO = f"DELETE FROM {TABLE} WHERE unit=? AND day=? AND measure=? AND n=0"


def measures(order: Sequence[Any]) -> list[tuple[str, str, str]]:
    """The (unit, day, measure) tallies one order (a ``COLUMNS`` row) counts in."""
    (_, unit, dispatched, due, completed, reply_required, replied, satisfaction, counted, _,
     screened_satisfaction, screened_reply, screened_ontime) = order
    if not counted:
        return []
    day, due_day = dispatched[:10], due[:10]
    out = [(unit, day, "volume")]
    if satisfaction is not None and not screened_satisfaction:
        out.append((unit, day, SATISFACTION + satisfaction))
    if reply_required and not screened_reply:
        out.append((unit, day, "reply_den"))
        if replied:
            out.append((unit, day, "reply_num"))
    if not screened_ontime:
        out.append((unit, due_day, "ontime_den"))
        if completed is not None and completed <= due:
            out.append((unit, due_day, "ontime_num"))
    return out


def adjust(db: sqlite3.Connection, before: Iterable[Sequence[Any]], after: Iterable[Sequence[Any]]) -> None:
    """Move the tallies from the orders' states ``before`` to their states ``after`` (same transaction)."""
    delta = Counter(chain.from_iterable(map(measures, after)))
    delta.subtract(chain.from_iterable(map(measures, before)))
    add(db, delta)


def add(db: sqlite3.Connection, delta: Counter[tuple[str, str, str]]) -> None:
    """Add ``delta`` ((unit, day, measure) → change) to the tallies, in key order (same transaction).

    A tally that falls to 0 is removed: the table then depends only on the orders' states, not on how the
    changes were grouped (an import's chunks one by one, or a rebuild's run of them merged).
    """
    changes = [(*key, n) for key, n in sorted(delta.items()) if n]
    db.executemany(_UPSERT, changes)
    db.executemany(_DROP_ZERO, [c[:3] for c in changes if c[3] < 0])


def screen(db: sqlite3.Connection, order_id: str, column: str) -> None:
    """Screen an order out of one rate (``column``: its ``screened_*`` flag), tallies included."""
    row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM workorders WHERE order_id=?", (order_id,)).fetchone()
    if row is None or row[COLUMNS.index(column)]:
        return
    after = list(row)
    after[COLUMNS.index(column)] = 1
    db.execute(f"UPDATE workorders SET {column}=1 WHERE order_id=?", (order_id,))
    adjust(db, [tuple(row)], [after])


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


def tally_counts(db: sqlite3.Connection, ruleset: Ruleset, first_day: str, last_day: str) -> dict[str, dict[str, int]]:
    """unit → volume and the rates' numerators and denominators over ``first_day``..``last_day`` (ISO dates)."""
    wo = ruleset.workorders
    unrated = SATISFACTION + wo.unrated_value
    satisfied = {SATISFACTION + v for v in wo.satisfied_values}
    out: dict[str, dict[str, int]] = {}
    for unit, measure, n in db.execute(
        f"SELECT unit, measure, SUM(n) FROM {TABLE} WHERE day BETWEEN ? AND ? GROUP BY unit, measure",
        (first_day, last_day),
    ):
        counts = out.setdefault(unit, dict.fromkeys(
            ("volume", "sat_den", "sat_num", "reply_den", "reply_num", "ontime_den", "ontime_num"), 0))
        if measure.startswith(SATISFACTION):
            # Every label but the unrated one is a satisfaction result; the ruleset says which are satisfied.
            if measure != unrated:
                counts["sat_den"] += n
            if measure in satisfied:
                counts["sat_num"] += n
        else:
            counts[measure] += n
    return out
