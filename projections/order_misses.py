"""The work orders that cost a unit points on a rate, kept per unit and rate for ``trace`` to list.

``trace`` lists, beside a rate item's arithmetic, every order behind the shortfall: unsatisfied,
unreplied, late. Finding them among a year's million orders is a full scan of ``workorders`` on
every trace; this table keeps them instead, one row per (unit, rate, order), with what the listing
shows, and is adjusted whenever an order's state changes (a fact recorded, a screening accepted),
as the daily tallies are (``projections.order_tallies``). A screened order stays listed, flagged.

Membership, for a counted order (是否计入统计 ≠ 否): ``reply`` when a reply was required and none
was given; ``ontime`` when not completed, or completed after its due time; ``satisfaction`` when
its label is not *settled* — satisfied or unrated under every ruleset the ledger has adopted.
Which labels are satisfied is ruleset data, so the reader still filters by the ruleset of the
year it reads; the table only leaves out the labels no adopted ruleset counts against anyone.
Adopting a ruleset that settles fewer labels lists the orders it newly concerns
(``after_ruleset``), so the table depends only on the orders' states and the rulesets adopted,
never on the order they came in: a rebuild gives the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ledger.errors import RulesetInvalid
from ledger.rulesets.loading import parse_adopted
from projections import read_db

TABLE = "workorder_misses"
DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (unit TEXT NOT NULL, rate TEXT NOT NULL, order_id TEXT NOT NULL, "
       "dispatched_at TEXT, due_at TEXT, completed_at TEXT, satisfaction TEXT, screened INTEGER NOT NULL, "
       "PRIMARY KEY (unit, rate, order_id)) WITHOUT ROWID")
RATES = ("satisfaction", "reply", "ontime")
COLUMNS = ("unit", "rate", "order_id", "dispatched_at", "due_at", "completed_at", "satisfaction", "screened")
_DELETE = f"DELETE FROM {TABLE} WHERE unit=? AND rate=? AND order_id=?"
#: Which orders miss each rate, in SQL over ``workorders`` (the same test as ``misses``, for a refill).
_MISSED_SQL = {"reply": "reply_required=1 AND replied=0",
               "ontime": "(completed_at IS NULL OR completed_at>due_at)"}


def settled_labels(db: sqlite3.Connection) -> frozenset[str] | None:
    """Satisfaction labels that cost nothing under every adopted ruleset (None: no ruleset adopted yet)."""
    settled: frozenset[str] | None = None
    for text, sha in db.execute("SELECT text, sha256 FROM rulesets ORDER BY nid").fetchall():
        try:
            wo = parse_adopted(text, sha).workorders  # parsed once per process and digest
        except RulesetInvalid:  # a text this version cannot read (reading it says so): list every label
            harmless: frozenset[str] = frozenset()
        else:
            harmless = frozenset((*wo.satisfied_values, wo.unrated_value))
        settled = harmless if settled is None else settled & harmless
    return settled


def misses(order: Sequence[Any], settled: frozenset[str] | None) -> list[tuple[Any, ...]]:
    """The table's rows for one order (an ``order_tallies.COLUMNS`` row): one per rate it costs points on."""
    (order_id, unit, dispatched, due, completed, reply_required, replied, satisfaction, counted, _,
     screened_satisfaction, screened_reply, screened_ontime) = order
    if not counted:
        return []
    out = []
    if satisfaction is not None and settled is not None and satisfaction not in settled:
        out.append((unit, "satisfaction", order_id, dispatched, due, completed, satisfaction, screened_satisfaction))
    if reply_required and not replied:
        out.append((unit, "reply", order_id, dispatched, due, completed, satisfaction, screened_reply))
    if completed is None or completed > due:
        out.append((unit, "ontime", order_id, dispatched, due, completed, satisfaction, screened_ontime))
    return out


def adjust(db: sqlite3.Connection, before: Iterable[Sequence[Any]], after: Iterable[Sequence[Any]],
           settled: frozenset[str] | None) -> None:
    """Move the rows from the orders' states ``before`` to their states ``after``, in key order (same transaction)."""
    rows = sorted(r for o in after for r in misses(o, settled))
    kept = {r[:3] for r in rows}
    gone = sorted({r[:3] for o in before for r in misses(o, settled)} - kept)
    db.executemany(_DELETE, gone)
    read_db.upsert(db, TABLE, COLUMNS, COLUMNS[:3], rows)


def screen(db: sqlite3.Connection, order_id: str, rate: str) -> None:
    """Flag an order's row of ``rate`` as screened out (a screening accepted), if the order misses it."""
    row = db.execute("SELECT unit FROM workorders WHERE order_id=?", (order_id,)).fetchone()
    if row is not None:
        db.execute(f"UPDATE {TABLE} SET screened=1 WHERE unit=? AND rate=? AND order_id=?", (row[0], rate, order_id))


def refill(db: sqlite3.Connection, rates: Sequence[str] = RATES) -> None:
    """List again, from ``workorders``, the orders missing ``rates`` (in SQL: a million orders stay in the database)."""
    settled = settled_labels(db)
    for rate in rates:
        db.execute(f"DELETE FROM {TABLE} WHERE rate=?", (rate,))
        if rate == "satisfaction":
            if settled is None:
                continue
            labels = sorted(settled)
            missed = "satisfaction IS NOT NULL" + (f" AND satisfaction NOT IN ({','.join('?' * len(labels))})"
                                                   if labels else "")
            params: list[Any] = labels
        else:
            missed, params = _MISSED_SQL[rate], []
        db.execute(f"INSERT INTO {TABLE} SELECT unit, ?, order_id, dispatched_at, due_at, completed_at, satisfaction, "
                   f"screened_{rate} FROM workorders WHERE counted=1 AND {missed}", (rate, *params))


def after_ruleset(db: sqlite3.Connection, settled_before: frozenset[str] | None) -> None:
    """After a ruleset is adopted: list the orders whose label it newly counts against, if any."""
    if settled_labels(db) != settled_before:
        refill(db, ("satisfaction",))


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


def costly(db: sqlite3.Connection, unit: str, rate: str, start: str, end: str,
           satisfied: Sequence[str], unrated: str) -> list[Any]:
    """The unit's orders costing points on ``rate`` in the window (by dispatch time; by due time for ``ontime``),
    by order id: (order_id, dispatched_at, due_at, completed_at, satisfaction, screened) rows."""
    column = "due_at" if rate == "ontime" else "dispatched_at"
    sql = (f"SELECT order_id, dispatched_at, due_at, completed_at, satisfaction, screened FROM {TABLE} "
           f"WHERE unit=? AND rate=? AND {column} BETWEEN ? AND ?")
    params: list[Any] = [unit, rate, start, end]
    if rate == "satisfaction":  # the reading year's ruleset decides which labels are satisfied
        sql += " AND satisfaction<>?" + (f" AND satisfaction NOT IN ({','.join('?' * len(satisfied))})"
                                         if satisfied else "")
        params += [unrated, *satisfied]
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: thousands of orders
    return cursor.execute(sql + " ORDER BY order_id", params).fetchall()
