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

from ledger.aggregates import WorkOrderBatch, ledger_id
from ledger.domain.date_window import Clock
from ledger.domain.defaults import default_zone_name
from ledger.domain.errors import NoRuleset, RuleViolation
from ledger.usecases.imports.tabular import ImportRejected
from ledger.usecases.imports.workorder_import_facts import CHUNK, PendingFacts, chunk_extra
from ledger.usecases.imports.workorders import WorkOrderReader
from ledger.usecases.imports.workorders_format import TimeBounds


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
    """``import_workorders``' steps: read and decide the file's facts, date them, record them as chunk events."""
    units, labels, unrated, extra_columns, window = _rulebook(app)
    bounds = _time_bounds(window, app.clock)
    _check_as_exported(exported_at, bounds)
    times = {c.header for y in app.adopted_years() for c in app.ruleset(y).workorders.columns if c.type == "time"}
    reader = WorkOrderReader(path, units, labels, unrated, progress=progress, extra_columns=extra_columns,
                             bounds=bounds, time_columns=times)
    # What is new or changed is decided from the store's order index (ledger/storage/order_index.py), never from the
    # read model; the batch is named after the store's last event, so two writers importing the same export
    # at once name the same batch and the store refuses the second.
    position = app.recorder.max_notification_id() or 0
    facts = PendingFacts(app, reader.extra_columns)
    column_time = facts.read(reader)
    if reader.errors:
        raise ImportRejected(reader.errors)
    as_of = exported_at or column_time or reader.max_time
    source = "--as-exported" if exported_at else "导出时间 column" if column_time else "latest time in the file"
    if as_of is None:
        raise RuleViolation(f"{path}: the file has a header but no work orders: nothing to import")
    by_unit = facts.by_unit(as_of)
    batch = str(ledger_id("workorders-import", reader.sha256, as_of, position))
    stored = _chunk_events(app, by_unit, reader.extra_columns, actor=actor, batch=batch, source=path,
                           sha256=reader.sha256, exported_at=as_of)
    app.append_stored(stored, f"{path}: the same export was imported meanwhile by another writer")
    n_events = len(stored)
    stored.clear()
    app.view.catch_up(app, progress=progress)
    return {**facts.counts, "rows": reader.rows_read, "exported_at": as_of, "exported_at_from": source,
            "events": n_events}


def _check_as_exported(exported_at: str | None, bounds: TimeBounds) -> None:
    """Refuse an ``--as-exported`` time still to come or outside the dates the adopted rulesets allow."""
    if exported_at is not None and exported_at > bounds.latest:
        raise RuleViolation(f"--as-exported {exported_at.replace('T', ' ')} is still to come "
                            f"(it is now {bounds.now.replace('T', ' ')}): an export cannot be newer than now")
    if exported_at is not None and not bounds.first <= exported_at <= bounds.last:
        raise RuleViolation(f"--as-exported {exported_at.replace('T', ' ')} is outside the dates the adopted rulesets "
                            f"allow ({bounds.first[:10]} to {bounds.last[:10]}, [dates])")


def _chunk_events(app: Any, by_unit: dict[str, list[bytes | None]], columns: tuple[str, ...], *, actor: str,
                  **fields: Any) -> list[Any]:
    """The import's chunk events as stored events: each unit's facts in chunks of ``CHUNK``, numbered across
    the units (``fields``: the batch, source, sha256 and exported_at every chunk records)."""
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
            extra = chunk_extra([p[1] for p in part], columns) if columns else {}
            agg = WorkOrderBatch.record(chunk=n, rows=[p[0] for p in part], actor=actor, extra=extra, unit=unit,
                                        **fields)
            # Kept only as stored bytes: the read model decodes them back one chunk at a time (peak memory).
            stored.extend(app.mapper.to_stored_event(e) for e in agg.collect_events())
            n += 1
    return stored
