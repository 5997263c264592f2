"""``import workorders``: the platform's export becomes work-order facts, recorded in chunks.

Ordering of facts: every fact carries the export time it is as of — ``--as-exported`` if
given, else the file's own 导出时间 column, else the latest dispatch or completion time in
the file (an export cannot contain a time later than when it was made). A fact older than
what the ledger already holds for an order is stale and records nothing, so importing last
month's file after this month's never rolls an order back. Only what changed is recorded; an
identical re-import records nothing. The whole file is recorded in one transaction or not at all.

Facts are recorded per unit: every chunk event holds one unit's orders (its ``unit``), so a unit's
proof (``proof unit``, docs/merkle.md) shows its own orders and nobody else's. An order moved to
another unit is a fact of the unit it leaves, and is stated whole again in the new unit's chunk.

Extra columns: the columns the adopted rulesets declare in ``[workorders] columns`` (解决情况,
回访情况 …) are kept too, in each fact's ``extra``, by the same rules: only a value that is new or
changed is recorded, an empty cell is recorded as empty, and a column the file lacks changes nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from events.workorders import FACT_FIELDS, FactRow
from ledger.aggregates import WorkOrderBatch, ledger_id
from ledger.date_window import Clock
from ledger.defaults import default_zone_name
from ledger.errors import NoRuleset, RuleViolation
from ledger.imports.tabular import ImportRejected
from ledger.imports.workorders import ABSENT, TimeBounds, WorkOrderReader, WorkOrderRow
from ledger.order_index import extra_digest, extra_of

#: Facts per event: large enough to amortise the store's per-event cost, small enough to decode fast.
CHUNK = 5000


_FLAG = {True: "1", False: "0", ABSENT: None}


def _fact(row: WorkOrderRow, known: tuple[Any, ...] | None) -> FactRow | None:
    """The fact for ``row`` given the order's known state (None: new); None when nothing changed."""
    completed, satisfaction = row.completed_at, row.satisfaction
    fact = FactRow(row.order_id, row.unit, row.dispatched_at, row.due_at,
                   None if completed is ABSENT else (completed or ""),  # "": open (clears a completion time)
                   _FLAG[row.reply_required], _FLAG[row.replied], None if satisfaction is ABSENT else satisfaction,
                   _FLAG[row.counted])
    if known is None:
        return fact._replace(completed_at=None) if completed is None else fact  # a new order: nothing to clear
    current = _known_fact(row.order_id, known)
    changed = [v if v is not None and v != c else None for v, c in zip(fact[1:], current[1:], strict=True)]
    if all(v is None for v in changed):
        return None
    return FactRow(row.order_id, *changed)


def _known_fact(order_id: str, state: tuple[Any, ...]) -> FactRow:
    """An order index state (``ledger.order_index.COLUMNS``) as the fact that states all of it."""
    def flag(known: Any) -> str | None:
        return None if known is None else str(int(known))

    unit, dispatched, due, completed, reply_required, replied, satisfaction, counted = state[:8]
    return FactRow(order_id, unit, dispatched, due, completed or "", flag(reply_required), flag(replied),
                   satisfaction, flag(counted))


def _restated(state: tuple[Any, ...], fact: FactRow) -> FactRow:
    """The whole of an order's state after ``fact`` (a fact changing the known ``state``, an order index
    state), as a fact: what a unit's own chunks must say of an order moved to it from another unit."""
    stated = {name: value for name, value in fact._asdict().items() if value is not None}
    return _known_fact(fact.order_id, state)._replace(**stated)


def _rulebook(app: Any) -> tuple[dict[str, str], list[str], str, dict[str, tuple[str, ...]], tuple[date, date, str]]:
    """Units (codes and names → code), satisfaction labels (in the rulesets' order), extra columns
    (header → the values it may hold, empty: any) of every adopted ruleset, and the dates they allow
    (the first and last date of their windows together, and the timezone of the latest one), from the event store."""
    units: dict[str, str] = {}
    labels: dict[str, None] = {}  # ordered: error messages list the labels as the ruleset does
    unrated = ""
    extra: dict[str, tuple[str, ...]] = {}
    first, last, timezone = date.max, date.min, default_zone_name()
    years = app.adopted_years()
    if not years:
        raise NoRuleset(0)
    for year in years:
        ruleset = app.ruleset(year)
        for u in ruleset.units:
            units[u.code] = units[u.name] = u.code
        labels |= dict.fromkeys(ruleset.workorders.satisfaction_scale)
        unrated = ruleset.workorders.unrated_value
        lo, hi = ruleset.dates.bounds(year)
        first, last, timezone = min(first, lo), max(last, hi), ruleset.scoring.timezone
        for column in ruleset.workorders.columns:
            # Two years may declare one column differently: accept what either accepts ("any" wins).
            known = extra.get(column.header)
            if known is None:
                extra[column.header] = column.values
            elif known and column.values:
                extra[column.header] = tuple(dict.fromkeys((*known, *column.values)))
            else:
                extra[column.header] = ()
    return units, list(labels), unrated, extra, (first, last, timezone)


#: How far ahead of the ledger's clock an export's times may be (clocks of two machines differ a little).
CLOCK_TOLERANCE = timedelta(minutes=15)


def _time_bounds(window: tuple[date, date, str], clock: Clock) -> TimeBounds:
    """The bounds an export's times must keep: the rulesets' window, and no event time still to come (by ``clock``)."""
    first, last, timezone = window
    now = clock(ZoneInfo(timezone)).replace(tzinfo=None)
    return TimeBounds(first=f"{first.isoformat()}T00:00:00", last=f"{last.isoformat()}T23:59:59",
                      now=now.strftime("%Y-%m-%dT%H:%M:%S"),
                      latest=(now + CLOCK_TOLERANCE).strftime("%Y-%m-%dT%H:%M:%S"))


def _extra_changes(row: WorkOrderRow, known: dict[str, str] | None,
                   columns: tuple[str, ...]) -> list[str | None] | None:
    """The row's extra values that are new or changed (None in the other positions); None if none is.

    ``known`` holds the order index's digests of the values recorded (``ledger.order_index.extra_digest``).
    """
    if known is None:
        return list(row.extra)
    changed = [v if v is not None and known.get(c) != extra_digest(v) else None
               for c, v in zip(columns, row.extra, strict=True)]
    return None if all(v is None for v in changed) else changed


_NOTHING_STATED = (None,) * (len(FACT_FIELDS) - 1)  # a fact changing only extra columns states none of the others


def _diff(rows: list[WorkOrderRow], known: dict[str, tuple[Any, ...]], counts: dict[str, int],
          pending: list[tuple[FactRow, list[str | None] | None, str | None]],
          extra_known: dict[str, dict[str, str]] | None = None, columns: tuple[str, ...] = ()) -> None:
    """Count the unchanged rows; queue the others' facts (with their extra values, None: no extra column
    changed) and the order's observed_at (None: new)."""
    if columns:
        _diff_with_extra(rows, known, counts, pending, extra_known or {}, columns)
        return
    unchanged = 0
    flag = _FLAG
    for r in rows:
        state = known.get(r.order_id)
        if state is None:  # a new order: every field it has, inline (a first import is a million of these)
            completed, satisfaction = r.completed_at, r.satisfaction
            pending.append((FactRow(r.order_id, r.unit, r.dispatched_at, r.due_at,
                                    None if completed is ABSENT else completed, flag[r.reply_required],
                                    flag[r.replied], None if satisfaction is ABSENT else satisfaction,
                                    flag[r.counted]), None, None))
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
            pending.append((fact, None, state[8]))
    counts["unchanged"] += unchanged


def _diff_with_extra(rows: list[WorkOrderRow], known: dict[str, tuple[Any, ...]], counts: dict[str, int],
                     pending: list[tuple[FactRow, list[str | None] | None, str | None]],
                     extra_known: dict[str, dict[str, str]], columns: tuple[str, ...]) -> None:
    """`_diff` for a file with extra columns: a row is unchanged only when its extra values are too."""
    for r in rows:
        state = known.get(r.order_id)
        extra = _extra_changes(r, extra_known.get(r.order_id), columns)
        fact = _fact(r, state)
        if fact is None and extra is None:
            counts["unchanged"] += 1
            continue
        pending.append((fact or FactRow(r.order_id, *_NOTHING_STATED), extra, None if state is None else state[8]))


def _chunk_extra(extras: list[list[str | None] | None], columns: tuple[str, ...]) -> dict[str, list[str | None]]:
    """A chunk's ``extra``: column → one value per fact (None: not stated), for the columns some fact states."""
    out: dict[str, list[str | None]] = {}
    for j, column in enumerate(columns):
        values = [None if e is None else e[j] for e in extras]
        if any(v is not None for v in values):
            out[column] = values
    return out


def _packed(value: Any) -> bytes:
    """``value`` as JSON bytes of their own size: orjson's own bytes keep its 4 KiB buffer (measured: 200,000
    facts took 800 MiB instead of 45). A ``FactRow`` is written as the array of its fields, as the event stores it."""
    return memoryview(orjson.dumps(value, default=tuple)).tobytes()


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
    units, labels, unrated, extra_columns, window = _rulebook(app)
    bounds = _time_bounds(window, app.clock)
    if exported_at is not None and exported_at > bounds.latest:
        raise RuleViolation(f"--as-exported {exported_at.replace('T', ' ')} is still to come "
                            f"(it is now {bounds.now.replace('T', ' ')}): an export cannot be newer than now")
    if exported_at is not None and not bounds.first <= exported_at <= bounds.last:
        raise RuleViolation(f"--as-exported {exported_at.replace('T', ' ')} is outside the dates the adopted rulesets "
                            f"allow ({bounds.first[:10]} to {bounds.last[:10]}, [dates])")
    times = {c.header for y in app.adopted_years() for c in app.ruleset(y).workorders.columns if c.type == "time"}
    reader = WorkOrderReader(path, units, labels, unrated, progress=progress, extra_columns=extra_columns,
                             bounds=bounds, time_columns=times)
    columns = reader.extra_columns
    # What is new or changed is decided from the store's order index (ledger/order_index.py), never from the
    # read model; the batch is named after the store's last event, so two writers importing the same export
    # at once name the same batch and the store refuses the second.
    position = app.recorder.max_notification_id() or 0
    # A million orders' facts are held until the file's end decides what they are as of: each as compact JSON
    # bytes of [fact, extra values or None] (a few times smaller than the lists), the changed ones with the
    # order's observed_at (stale if later than the export).
    # Each fact is filed under the unit whose chunk records it (work-order events are per unit, docs/merkle.md).
    new: dict[str, list[bytes | None]] = {}
    changed: list[tuple[str, bytes, str, bool]] = []  # (unit, fact, observed_at, counts as a changed order)
    pending: list[tuple[FactRow, list[str | None] | None, str | None]] = []
    counts = {"new": 0, "changed": 0, "unchanged": 0, "stale": 0}
    column_time = ""
    buffer: list[WorkOrderRow] = []

    def diff(rows: list[WorkOrderRow]) -> None:
        known = app.order_states([r.order_id for r in rows])
        extra_known = {order_id: extra_of(state) for order_id, state in known.items()} if columns else None
        _diff(rows, known, counts, pending, extra_known, columns)
        moved: dict[str, WorkOrderRow] | None = None
        for fact, extra, observed in pending:
            if observed is None:
                new.setdefault(fact.unit, []).append(_packed([fact, extra]))
                continue
            state = known[fact.order_id]
            changed.append((state[0], _packed([fact, extra]), observed, True))
            if fact.unit is not None and fact.unit != state[0]:
                # Moved to another unit: the move is the old unit's fact (its orders left it), and the new unit's
                # chunk states the whole order, so that each unit's chunks alone give its orders' states.
                moved = moved if moved is not None else {r.order_id: r for r in rows}
                row = moved[fact.order_id]
                changed.append((fact.unit, _packed([_restated(state, fact), list(row.extra) if columns else None]),
                                observed, False))
        pending.clear()

    for row in reader:
        if row.exported_at and row.exported_at > column_time:
            column_time = row.exported_at
        buffer.append(row)
        if len(buffer) >= CHUNK:
            diff(buffer)
            buffer = []
    diff(buffer)
    if reader.errors:
        raise ImportRejected(reader.errors)
    as_of = exported_at or column_time or reader.max_time
    source = "--as-exported" if exported_at else "导出时间 column" if column_time else "latest time in the file"
    if as_of is None:
        raise RuleViolation(f"{path}: the file has a header but no work orders: nothing to import")
    counts["new"] = sum(map(len, new.values()))
    by_unit = new  # per unit: the new orders' facts, then the changed ones that are not stale
    for unit, packed, observed, counted in changed:
        if observed > as_of:
            counts["stale"] += int(counted)
        else:
            counts["changed"] += int(counted)
            by_unit.setdefault(unit, []).append(packed)
    changed.clear()
    batch = str(ledger_id("workorders-import", reader.sha256, as_of, position))
    stored = []
    n = 0  # the chunk's position in the import, across the units
    for unit in sorted(by_unit):
        # One unit's chunks, in key order whatever the file's row order (the bytes start with the order id):
        # each chunk then covers one range of ids, and the read model writes its orders into neighbouring pages.
        facts = by_unit.pop(unit)
        facts.sort()
        for start in range(0, len(facts), CHUNK):
            part = [orjson.loads(packed) for packed in facts[start:start + CHUNK]]
            facts[start:start + CHUNK] = [None] * len(part)  # free the bytes as we go (peak memory)
            # Only a file with extra columns gives an event ``extra``: Tai'an's events stay as they were.
            extra = _chunk_extra([p[1] for p in part], columns) if columns else {}
            agg = WorkOrderBatch.record(batch=batch,
                                        chunk=n, source=path, sha256=reader.sha256, exported_at=as_of,
                                        rows=[p[0] for p in part], actor=actor, extra=extra, unit=unit)
            # Kept only as stored bytes: the read model decodes them back one chunk at a time (peak memory).
            stored.extend(app.mapper.to_stored_event(e) for e in agg.collect_events())
            n += 1
    app.append_stored(stored, f"{path}: the same export was imported meanwhile by another writer")
    n_events = len(stored)
    stored.clear()
    app.view.catch_up(app, progress=progress)
    return {**counts, "rows": reader.rows_read, "exported_at": as_of, "exported_at_from": source,
            "events": n_events}
