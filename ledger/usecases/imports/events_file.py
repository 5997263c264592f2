"""``import events``: a file of occurrences and assessments, applied all together or not at all.

Every row is parsed and validated first (the date, the count's shape and the evidence here, the
unit, item, kind and range by the ledger's own ``occurrence_fields``/``assessment_fields``);
each problem becomes a ``RowError`` at its cell. Any error refuses the whole file. Otherwise the
rows' events and the file's ``EventsFileImported`` record are appended in one transaction, then
handed to the read model as they are (not decoded back from the store).

The events are built directly, exactly as ``Occurrence.start``/``Assessment.start`` would create
them (version 1, the aggregate's topic), without instantiating an aggregate per row: a file of
100,000 rows would otherwise spend most of its time building aggregates nobody reads.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from eventsourcing.domain import datetime_now_with_tzinfo
from eventsourcing.utils import get_topic

from events.occurrences import AssessmentRecorded, OccurrenceRecorded
from ledger.aggregates import Assessment, EventsFile, Occurrence, ledger_ids
from ledger.domain.counts import MAX_COUNT
from ledger.domain.errors import LedgerError, RuleViolation
from ledger.translation import gettext as _
from ledger.usecases.imports.tabular import ImportRejected, RowError, Table, map_columns, open_table

COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位",), "item": ("项目",), "date": ("日期",), "count": ("次数",),
    "evidence": ("证据",), "note": ("备注",),
}
REQUIRED = {"unit", "item", "date", "evidence"}
# A spreadsheet date-time may follow the date; nothing else may (``2025-03-04 garbage`` is not a date).
_DATE = re.compile(r"\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*")
_COUNT = re.compile(r"[0-9]+")


def parse_date(text: str) -> date:
    """``2025-03-04`` (also ``2025/3/4``, ``2025年3月4日``, or a spreadsheet date-time)."""
    m = _DATE.fullmatch(text)
    if not m:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def import_events_file(app: Any, path: str, actor: str, again: bool = False,
                       progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Validate every row, then record them all in one transaction; refuse the file on any bad row.

    Returns the counts CLI.md prints (``new``, ``changed``, ``unchanged``) with the batch id and
    the file's SHA-256. Raises ``ImportRejected`` listing every bad cell, or ``RuleViolation``
    for a file already imported (without ``again``) or with no data rows. ``progress`` is told the
    number of rows read every 10,000 rows.
    """
    with no_cycle_collection():
        return _import(app, path, actor, again, progress)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection within the block (as it was afterwards).

    A file's events are all held until the read model has them: each of the collector's full passes, which come as
    the heap grows by a quarter, would walk every one of them again (a ninth of a 100,000-row import's time).
    Whatever cycles the block leaves are collected after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(app: Any, path: str, actor: str, again: bool, progress: Callable[[int], None] | None) -> dict[str, Any]:
    table = open_table(path)
    try:
        cols, errors = map_columns(table, COLUMNS, REQUIRED)
        if errors:
            raise ImportRejected(errors)
        repeat = _repeat_number(app, table, path, again)
        batch_id = EventsFile.id_for(table.sha256, repeat)
        # One moment for the whole file: its rows are recorded together, in one transaction.
        now = datetime_now_with_tzinfo()
        row_id = ledger_ids(batch_id)  # ledger_id(batch_id, row_no), the batch's part hashed once
        events: list[Any] = []
        known = _KnownParts(cols, {"originator_version": 1, "timestamp": now, "batch": str(batch_id),
                                   "recorded_by": actor, "originator_topic": _OCCURRENCE_TOPIC}, row_id, table.file)
        with app.cached_rulesets():
            for n, (row_no, cells) in enumerate(table.rows, start=1):
                if progress is not None and n % 10_000 == 0:
                    progress(n)
                event = known.occurrence(row_no, cells)
                if event is None:  # a part not seen yet, or a row that is not a plain occurrence: checked in full
                    event, row_errors = _row_event(app, table, cols, row_no, cells, batch_id, row_id, actor, now)
                    if row_errors:
                        errors.extend(row_errors)
                        continue
                    known.learn(cells, event)
                if not errors:  # once a row is bad nothing is recorded: keep only the errors
                    events.append(event)
    finally:
        table.close()
    if errors:
        raise ImportRejected(errors)
    if not events:
        raise RuleViolation(_("{file}: the file has a header but no data rows: nothing to import").format(file=path))
    rows = len(events)
    events.extend(EventsFile.record(sha256=table.sha256, name=path, rows=rows, again=repeat, actor=actor,
                                    timestamp=now).collect_events())
    ids = app.append_events(events, f"{path}: this file was imported meanwhile by another writer")
    # The read model takes the events as they are instead of decoding them back from the store.
    app.view.catch_up(app, recorded=dict(zip(ids, events, strict=True)))
    return {"new": rows, "changed": 0, "unchanged": 0, "batch": str(batch_id), "sha256": table.sha256}


def _repeat_number(app: Any, table: Table, path: str, again: bool) -> int:
    """0 for content never imported; with ``again``, the next free repeat number; else a refusal."""
    if EventsFile.id_for(table.sha256, 0) not in app.repository:
        return 0
    if not again:
        first = app.repository.get(EventsFile.id_for(table.sha256, 0))
        raise RuleViolation(
            f"{path}: a file with identical content was already imported "
            f"(sha256 {table.sha256[:12]}…, recorded {first.created_on:%Y-%m-%d %H:%M} UTC): importing it "
            "again would count every occurrence twice; use --again if that is really meant"
        )
    n = 1
    while EventsFile.id_for(table.sha256, n) in app.repository:
        n += 1
    return n


def _row_event(app: Any, table: Table, cols: dict[str, int], row_no: int, cells: list[str], batch_id: UUID,
               row_id: Callable[[int], UUID], actor: str, now: datetime) -> tuple[Any, list[RowError]]:
    """One row's event, or the errors of its cells (the event is then None).

    The row is validated once: its cells here, its unit, item, kind, count or points and date by the
    ledger's ``occurrence_fields``/``assessment_fields`` (the unit and item resolved once per pair, memoised
    in ``cached_rulesets``); the event model then checks the types of what it is given, as every event's
    does. (``model_construct`` would skip that check, but is pure Python: slower than pydantic's validator,
    13 against 24 µs per event here.)
    """
    row = _Row(table, cols, row_no, cells)
    errors: list[RowError] = []
    if not row.cell("evidence"):
        errors.append(row.error("evidence", "the evidence reference is empty: say what the record rests on"))
    try:
        day = parse_date(row.cell("date"))
    except ValueError as e:
        # Without a date there is no year, hence no ruleset to check the unit and item against.
        return None, [*errors, row.error("date", str(e))]
    try:
        recorded = app.item_recorded_as(row.cell("unit"), row.cell("item"), day)
    except LedgerError as e:
        return None, [*errors, row.error(_column_of(e), str(e))]
    common = {"originator_id": row_id(row_no), "originator_version": 1, "timestamp": now,
              "batch": str(batch_id), "source": f"{table.file}:{row_no}", "recorded_by": actor}
    build = (_assessment if recorded == "assessment" else _occurrence)(app, row, day, common)
    if isinstance(build, RowError):
        return None, [*errors, build]
    try:
        event = build()
    except LedgerError as e:
        column = _column_of(e)
        if column != "evidence" or not errors:  # the empty evidence is reported once
            errors.append(row.error(column, str(e)))
        return None, errors
    return (None, errors) if errors else (event, [])


class _Row:
    """One row of the file as ``_row_event`` reads it: its cells by field, and an error named by its column."""

    def __init__(self, table: Table, cols: dict[str, int], row_no: int, cells: list[str]) -> None:
        self.table, self.cols, self.row_no, self.cells = table, cols, row_no, cells

    def cell(self, field: str) -> str:
        """The field's cell stripped ("" for a column the file lacks)."""
        return self.cells[self.cols[field]].strip() if field in self.cols else ""

    def error(self, field: str, message: str) -> RowError:
        """An error of the field's cell, named by the column as the file heads it."""
        return RowError(self.table.file, self.row_no, _label(self.table.header, self.cols, field), message)


def _assessment(app: Any, row: _Row, day: date, common: dict[str, Any]) -> Callable[[], Any] | RowError:
    """How to build the row's assessment (its points in the count column), or the error of its points."""
    points_text = row.cell("count")
    if not points_text:
        return row.error("count", "an assessment needs its points in this column")
    try:
        points = Decimal(points_text)
    except InvalidOperation:
        return row.error("count", f"points {_shown(points_text)} are not a number")

    def build() -> Any:
        fields = app.assessment_fields(row.cell("unit"), row.cell("item"), day, points, row.cell("evidence"),
                                       row.cell("note"))
        return AssessmentRecorded(originator_topic=_ASSESSMENT_TOPIC, **fields, **common)
    return build


def _occurrence(app: Any, row: _Row, day: date, common: dict[str, Any]) -> Callable[[], Any] | RowError:
    """How to build the row's occurrence (count 1 when the cell is empty), or the error of its count."""
    count_text = row.cell("count") or "1"
    if not _COUNT.fullmatch(count_text):
        return row.error("count", f"count {_shown(count_text)} is not a positive integer")
    if len(count_text.lstrip("0")) > len(str(MAX_COUNT)):  # before int(): 4,300 digits and more raise
        return row.error("count", f"count {_shown(count_text)} is larger than {MAX_COUNT}, "
                                  "the most one record may carry")

    def build() -> Any:
        fields = app.occurrence_fields(row.cell("unit"), row.cell("item"), day, int(count_text),
                                       row.cell("evidence"), row.cell("note"))
        return OccurrenceRecorded(originator_topic=_OCCURRENCE_TOPIC, **fields, **common)
    return build


_OCCURRENCE_TOPIC = get_topic(Occurrence)
_ASSESSMENT_TOPIC = get_topic(Assessment)


class _KnownParts:
    """The parts of rows that the full check (``_row_event``) has accepted in an occurrence: dates, units and items
    of a year, counts. Each check depends on its part alone (a date's window on its year's ruleset, an item on its
    unit and year), so a row made only of accepted parts, with its evidence, is an occurrence: its event is built
    (and validated by its model, as every event is) without the ledger's checks running again for each of a
    file's 100,000 rows. Any other row (a new part, an assessment, an error) goes through the full check.
    """

    def __init__(self, cols: dict[str, int], common: dict[str, Any], row_id: Callable[[int], UUID],
                 file: str) -> None:
        self.days: dict[str, date] = {}
        self.items: dict[tuple[str, str, int], tuple[str, str]] = {}  # (unit, item as written, year) → codes
        self.counts: dict[str, int] = {}
        self.at = [cols.get(f) for f in ("unit", "item", "date", "count", "evidence", "note")]
        self.common, self.row_id, self.file = common, row_id, file
        self.validate = OccurrenceRecorded.model_validate

    def _cells(self, cells: list[str]) -> list[str]:
        return [cells[i].strip() if i is not None else "" for i in self.at]

    def learn(self, cells: list[str], event: Any) -> None:
        """Remember the parts of a row the full check made ``event`` of (only an occurrence's)."""
        if type(event) is not OccurrenceRecorded:
            return
        unit, item, day, count, _evidence, _note = self._cells(cells)
        self.days[day] = event.date
        self.items[(unit, item, event.year)] = (event.unit, event.item)
        self.counts[count] = event.count

    def occurrence(self, row_no: int, cells: list[str]) -> Any:
        """The row's event if every part of it was accepted before and its evidence is given; else None."""
        unit, item, day_text, count, evidence, note = self._cells(cells)
        day = self.days.get(day_text)
        n = self.counts.get(count)
        if day is None or n is None or not evidence:
            return None
        codes = self.items.get((unit, item, day.year))
        if codes is None:
            return None
        return self.validate({
            "originator_id": self.row_id(row_no), **self.common, "unit": codes[0], "item": codes[1],
            "year": day.year, "date": day, "count": n, "evidence": evidence, "note": note,
            "source": f"{self.file}:{row_no}"})


def _shown(text: str, limit: int = 24) -> str:
    """A cell's text for a message, cut short: a 4,300-digit count is not worth repeating whole."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


def _label(header: list[str], cols: dict[str, int], field: str) -> str:
    """The column's header as written in the file (the field's name if the column is absent)."""
    return header[cols[field]] if field in cols else field


#: The column of each input a ledger refusal can be about (``LedgerError.field``): a year is its date's, and an
#: assessment's points are in the count column.
_COLUMN_OF_FIELD = {"unit": "unit", "item": "item", "year": "date", "date": "date", "count": "count",
                    "points": "count", "evidence": "evidence"}


def _column_of(error: LedgerError) -> str:
    """The column a ledger refusal is about, from the input it names (``field``); none: the row as a whole."""
    return _COLUMN_OF_FIELD.get(error.field or "", "")
