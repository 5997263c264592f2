"""``import workorders``: the platform's export becomes work-order facts, recorded in chunks.

Ordering of facts: every fact carries the export time it is as of — ``--as-exported`` if
given, else the file's own 导出时间 column, else the latest dispatch or completion time in
the file (an export cannot contain a time later than when it was made). A fact older than
what the ledger already holds for an order is stale and records nothing, so importing last
month's file after this month's never rolls an order back. Only what changed is recorded; an
identical re-import records nothing. The whole file is recorded in one transaction or not at all.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from events.workorders import WorkOrderFactsRecorded
from ledger.aggregates import WorkOrderBatch, ledger_id
from ledger.errors import NoRuleset, RuleViolation
from ledger.imports.tabular import ImportRejected
from ledger.imports.workorders import ABSENT, WorkOrderReader, WorkOrderRow

#: Facts per event: large enough to amortise the store's per-event cost, small enough to decode fast.
CHUNK = 5000
_STATE = ("unit", "dispatched_at", "due_at", "completed_at", "reply_required", "replied", "satisfaction",
          "counted", "observed_at")
_STATE_SQL = f"SELECT order_id, {', '.join(_STATE)} FROM workorders WHERE order_id IN "
_LOOKUP = 900  # ids per lookup: under SQLite's oldest default limit of 999 parameters


_FLAG = {True: "1", False: "0", ABSENT: None}


def _fact(row: WorkOrderRow, known: tuple[Any, ...] | None) -> list[str | None] | None:
    """The fact row for ``row`` given the order's known state (None: new); None when nothing changed."""
    completed, satisfaction = row.completed_at, row.satisfaction
    fields: list[Any] = [
        row.unit, row.dispatched_at, row.due_at,
        None if completed is ABSENT else (completed or ""),  # "": open (clears a completion time)
        _FLAG[row.reply_required], _FLAG[row.replied],
        None if satisfaction is ABSENT else satisfaction,
        _FLAG[row.counted],
    ]
    if known is None:
        if completed is None:
            fields[3] = None  # a new order: nothing to clear
        return [row.order_id, *fields]
    current = (known[0], known[1], known[2], known[3] or "", None if known[4] is None else str(known[4]),
               None if known[5] is None else str(known[5]), known[6], None if known[7] is None else str(known[7]))
    changed = [v if v is not None and v != c else None for v, c in zip(fields, current, strict=True)]
    if all(v is None for v in changed):
        return None
    return [row.order_id, *changed]


def _rulebook(app: Any) -> tuple[dict[str, str], list[str], str]:
    """Units (codes and names → code) and satisfaction labels (in the rulesets' order) of every adopted ruleset."""
    view = app.refresh()
    units: dict[str, str] = {}
    labels: dict[str, None] = {}  # ordered: error messages list the labels as the ruleset does
    unrated = ""
    rows = view.db.execute("SELECT year, MAX(nid) FROM rulesets GROUP BY year ORDER BY year").fetchall()
    if not rows:
        raise NoRuleset(0)
    from projections.reading import ruleset_in

    for year, _ in rows:
        ruleset, _sha = ruleset_in(view.db, year)
        for u in ruleset.units:
            units[u.code] = units[u.name] = u.code
        labels |= dict.fromkeys(ruleset.workorders.satisfaction_scale)
        unrated = ruleset.workorders.unrated_value
    return units, list(labels), unrated


def _known_states(db: Any, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """order id → its state in the read model (``_STATE`` order), for the orders of ``ids`` it has."""
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: a million orders are looked up on a re-import
    known: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(ids), _LOOKUP):
        part = ids[start:start + _LOOKUP]
        for r in cursor.execute(f"{_STATE_SQL}({','.join('?' * len(part))})", part):
            known[r[0]] = r[1:]
    return known


def _diff(rows: list[WorkOrderRow], known: dict[str, tuple[Any, ...]], counts: dict[str, int],
          pending: list[tuple[list[Any], str | None]]) -> None:
    """Count the unchanged rows; queue the others' facts with the order's observed_at (None: new)."""
    unchanged = 0
    flag = _FLAG
    for r in rows:
        state = known.get(r.order_id)
        if state is None:  # a new order: every field it has, inline (a first import is a million of these)
            completed, satisfaction = r.completed_at, r.satisfaction
            pending.append(([r.order_id, r.unit, r.dispatched_at, r.due_at, None if completed is ABSENT else completed,
                             flag[r.reply_required], flag[r.replied], None if satisfaction is ABSENT else satisfaction,
                             flag[r.counted]], None))
            continue
        # Fast path: every column present and equal (a flag True/False equals the stored 1/0).
        if (r.unit, r.dispatched_at, r.due_at, r.completed_at, r.reply_required, r.replied, r.satisfaction,
                r.counted) == state[:8]:
            unchanged += 1
            continue
        fact = _fact(r, state)
        if fact is None:
            unchanged += 1
        else:
            pending.append((fact, state[8]))
    counts["unchanged"] += unchanged


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: an import makes millions of small acyclic objects, and each of the
    collector's full passes walks all of them again (measured: 2.2 s of CPU → 0.4 s for a million orders' facts)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_workorders(app: Any, path: str, actor: str, exported_at: str | None = None,
                      progress: Callable[..., None] | None = None) -> dict[str, Any]:
    """Import an export; returns counts (new, changed, unchanged, stale) and what the facts are as of."""
    with _cycle_collector_paused():
        return _import(app, path, actor, exported_at, progress)


def _import(app: Any, path: str, actor: str, exported_at: str | None,
            progress: Callable[..., None] | None) -> dict[str, Any]:
    units, labels, unrated = _rulebook(app)
    reader = WorkOrderReader(path, units, labels, unrated, progress=progress)
    db = app.view.db
    position = app.view.position(app.name)
    pending: list[tuple[list[Any], str | None]] = []  # (fact, the order's observed_at if known)
    counts = {"new": 0, "changed": 0, "unchanged": 0, "stale": 0}
    column_time = ""
    buffer: list[WorkOrderRow] = []
    for row in reader:
        if row.exported_at and row.exported_at > column_time:
            column_time = row.exported_at
        buffer.append(row)
        if len(buffer) >= CHUNK:
            _diff(buffer, _known_states(db, [r.order_id for r in buffer]), counts, pending)
            buffer = []
    _diff(buffer, _known_states(db, [r.order_id for r in buffer]), counts, pending)
    if reader.errors:
        raise ImportRejected(reader.errors)
    as_of = exported_at or column_time or reader.max_time
    if as_of is None:
        raise RuleViolation(f"{path}: the file has a header but no work orders: nothing to import")
    facts: list[list[Any]] = []
    for fact, observed in pending:
        if observed is not None and observed > as_of:
            counts["stale"] += 1
        else:
            counts["new" if observed is None else "changed"] += 1
            facts.append(fact)
    pending.clear()
    batch = str(ledger_id("workorders-import", reader.sha256, as_of, position))
    chunks: list[list[list[Any]] | None] = [facts[start:start + CHUNK] for start in range(0, len(facts), CHUNK)]
    facts.clear()
    events = []
    for n, rows in enumerate(chunks):
        agg = WorkOrderBatch.start(WorkOrderFactsRecorded, id=WorkOrderBatch.id_for(batch, n), batch=batch,
                                   chunk=n, source=path, sha256=reader.sha256, exported_at=as_of,
                                   rows=rows, recorded_by=actor)
        events.extend(agg.collect_events())
        chunks[n] = None  # the event holds its own validated copy: free ours as we go (peak memory)
    ids = app.append_events(events, f"{path}: the same export was imported meanwhile by another writer")
    # The read model applies the chunks just recorded from memory instead of decoding them back.
    app.view.catch_up(app, progress=progress, recorded=dict(zip(ids, events, strict=True)))
    return {**counts, "rows": reader.rows_read, "exported_at": as_of, "events": len(events)}
