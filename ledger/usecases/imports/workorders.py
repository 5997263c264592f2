"""Reading the hotline platform's work-order export (its format: ``ledger.usecases.imports.workorders_format``).

`WorkOrderReader` streams a CSV or XLSX export and yields one `WorkOrderRow` per valid row, collecting every bad
row in `errors` as it goes; the caller applies nothing when any error was found. Times are normalised to
`YYYY-MM-DDTHH:MM:SS` strings (naive local time): a year's export runs to a million rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from ledger.translation import gettext as _
from ledger.usecases.imports.tabular import ImportRejected, RowError, map_columns, open_table
from ledger.usecases.imports.workorders_format import (
    ABSENT,
    BOOLEANS,
    COUNTED_DEFAULT,
    END_OF_DAY,
    REPLIED_DEFAULT,
    REPLY_REQUIRED_DEFAULT,
    REQUIRED_COLUMNS,
    START_OF_DAY,
    WORKORDER_COLUMNS,
    Absent,
    TimeBounds,
    WorkOrderRow,
    parse_time,
    valid_clock_times,
    valid_dates,
)

_PROGRESS_EVERY = 10_000
_HASH_BITS = 40  # the duplicate check keeps (row << 40 | 40-bit hash) per order id
_HASH_MASK = (1 << _HASH_BITS) - 1


class WorkOrderReader:
    """Streams the valid rows of one export and collects the errors of the bad ones.

    Opening checks the header and raises `ImportRejected` naming every missing required
    column (or an unreadable file). Iterating (once) yields each valid `WorkOrderRow`; an
    identical repeated row is skipped. Afterwards `errors` lists every bad row: when it is
    non-empty the caller must apply nothing. `sha256` is the file's hash, `rows_read` the
    number of non-empty data rows read, `max_time` the latest dispatch or completion time
    seen (the export time when the file gives none; due times are deadlines, not events, so
    they do not count). `progress`, if given, is called with `rows_read` every 10,000 rows
    and at the end. `extra_columns` maps the headers of the extra columns the adopted rulesets
    declare (``[workorders] columns``) to the values each may hold (empty: any); those the file
    has are read into each row's `extra`, and named in `extra_columns` (the declared header).
    `bounds`, if given, refuses times outside the rulesets' date window and times still to come.
    `time_columns` names the extra columns declared ``type = "time"``: their cells are read as times
    (kept as `YYYY-MM-DDTHH:MM:SS`, a date alone as the start of that day), and a cell that is not one is an error.
    """

    def __init__(
        self,
        path: str | Path,
        units: Mapping[str, str],
        satisfaction_labels: Collection[str],
        unrated_label: str,
        progress: Callable[[int], None] | None = None,
        extra_columns: Mapping[str, Collection[str]] | None = None,
        bounds: TimeBounds | None = None,
        time_columns: Collection[str] = (),
    ) -> None:
        self._table = open_table(path)
        self._columns, errors = map_columns(self._table, WORKORDER_COLUMNS, REQUIRED_COLUMNS)
        # Mapped apart from the built-in fields: a declared header is a field name of its own.
        extra_spec = {header: (header,) for header in extra_columns or {}}
        extra_found, extra_errors = map_columns(self._table, extra_spec, set())
        errors += extra_errors
        if errors:
            self._table.close()
            raise ImportRejected(errors)
        self._units = units
        self._labels = tuple(satisfaction_labels)  # in the ruleset's order, for messages
        self._unrated = unrated_label
        self._progress = progress
        self._bounds = bounds
        self.file = self._table.file
        self.sha256 = self._table.sha256
        self.errors: list[RowError] = []
        self.rows_read = 0
        self.max_time: str | None = None
        found = sorted(extra_found.items(), key=lambda kv: kv[1])  # in the file's order
        #: The declared headers of the extra columns this file has, in the order of `WorkOrderRow.extra`.
        self.extra_columns: tuple[str, ...] = tuple(header for header, _index in found)
        self._extra_indexes = tuple(index for _header, index in found)
        self._extra_values = tuple(tuple((extra_columns or {})[h]) for h in self.extra_columns)
        self._extra_times = tuple(j for j, h in enumerate(self.extra_columns) if h in time_columns)
        cols = self._columns
        self._id_at, self._unit_at, self._dispatched_at, self._due_at = (
            cols[f] for f in ("order_id", "unit", "dispatched_at", "due_at"))
        self._completed_at, self._exported_at = cols.get("completed_at"), cols.get("exported_at")
        # (field, column, lookup) of the 是/否 and satisfaction columns the file has; a lookup answers the
        # common cells in one dict probe, the empty one (the default) too.
        known: dict[str, Mapping[str, object]] = {
            "reply_required": BOOLEANS | {"": REPLY_REQUIRED_DEFAULT}, "replied": BOOLEANS | {"": REPLIED_DEFAULT},
            "counted": BOOLEANS | {"": COUNTED_DEFAULT},
            "satisfaction": {label: label for label in self._labels} | {"": self._unrated}}
        self._cells = {field: (cols[field], lookup) for field, lookup in known.items() if field in cols}
        self._dates, self._clock = valid_dates(), valid_clock_times()
        self._seen: dict[str, int] = {}  # order id → its first row << _HASH_BITS | its values' hash
        self._refused: dict[str, int] = {}  # order id → the first row it had errors in (a repeat is a duplicate too)

    def __iter__(self) -> Iterator[WorkOrderRow]:
        latest = ""
        for row, cells in self._table.rows:
            self.rows_read += 1
            if self._progress is not None and self.rows_read % _PROGRESS_EVERY == 0:
                self._progress(self.rows_read)
            errors_before = len(self.errors)
            order = self._read(row, cells)
            if not self._first_valid(order, errors_before):
                continue
            completed = order.completed_at
            latest = max(latest, order.dispatched_at, completed if isinstance(completed, str) else "")
            yield order
        self.max_time = latest or None
        if self._progress is not None:
            self._progress(self.rows_read)

    def _read(self, row: int, cells: list[str]) -> WorkOrderRow:
        """The row's fields, each refused one recorded in ``errors`` (the row is then never yielded)."""
        order_id = cells[self._id_at].strip()
        if not order_id:
            self._error(row, self._id_at, _("the order id is empty"))
        text = cells[self._unit_at]
        unit = self._units.get(text) or self._slow_cell(row, "unit", text, self._units)
        dispatched = self._time(row, self._dispatched_at, cells, START_OF_DAY)
        due = self._time(row, self._due_at, cells, END_OF_DAY)
        if dispatched and due and due < dispatched:
            self._error(row, self._due_at, _("the due time {due} is before the dispatch time {dispatched}").format(
                due=due, dispatched=dispatched))
        completed = self._completed(row, cells, dispatched)
        reply_required = self._cell(row, "reply_required", cells)
        replied = self._cell(row, "replied", cells)
        counted = self._cell(row, "counted", cells)
        satisfaction = self._cell(row, "satisfaction", cells)
        exported = None
        if self._exported_at is not None:
            exported = self._slow_time(row, self._exported_at, cells[self._exported_at], START_OF_DAY, optional=True)
        order = WorkOrderRow(row, order_id, unit, dispatched, due, completed, reply_required, replied,  # type: ignore[arg-type]
                             satisfaction, counted, exported, self._extra(row, cells))
        if self._bounds is not None:
            self._within_bounds(order, self._bounds)
        return order

    def _time(self, row: int, index: int, cells: list[str], date_alone: str, optional: bool = False) -> str | None:
        """A time cell: the export's usual `YYYY-MM-DD HH:MM:SS` by two set probes, any other form the slow way."""
        text = cells[index]
        if len(text) == 19 and text[10] == " " and text[:10] in self._dates and text[11:] in self._clock:
            return text.replace(" ", "T")
        return self._slow_time(row, index, text, date_alone, optional=optional)

    def _completed(self, row: int, cells: list[str], dispatched: str | None) -> str | None | Absent:
        """The completion time (None while open; ABSENT without the column); not before the dispatch."""
        index = self._completed_at
        if index is None:
            return ABSENT
        completed = self._time(row, index, cells, START_OF_DAY, optional=True)
        if dispatched and completed and completed < dispatched:
            self._error(row, index, _("the completion time {completed} is before the dispatch time "
                                      "{dispatched}").format(completed=completed, dispatched=dispatched))
        return completed

    def _cell(self, row: int, field: str, cells: list[str]) -> object:
        """A 是/否 or satisfaction cell as its value (an empty one: the default); ABSENT without the column."""
        if field not in self._cells:
            return ABSENT
        index, known = self._cells[field]
        value = known.get(cells[index])
        return value if value is not None else self._slow_cell(row, field, cells[index], known)

    def _extra(self, row: int, cells: list[str]) -> tuple[str, ...]:
        """The extra columns' cells (stripped), each checked against the values its ruleset allows."""
        if not self._extra_indexes:  # only for a ruleset with extra columns: Tai'an's export skips this
            return ()
        extra = tuple(cells[i].strip() for i in self._extra_indexes)
        for i, allowed, value in zip(self._extra_indexes, self._extra_values, extra, strict=True):
            if value and allowed and value not in allowed:
                self._error(row, i, _("{value} is not a value of {column} ({allowed})").format(
                    value=repr(value), column=self._table.header[i], allowed=", ".join(allowed)))
        return self._times(row, extra) if self._extra_times else extra

    def _times(self, row: int, extra: tuple[str, ...]) -> tuple[str, ...]:
        """The row's extra cells with those of time columns read as times (an error for one that is not)."""
        cells = list(extra)
        for j in self._extra_times:
            if cells[j]:
                cells[j] = self._slow_time(row, self._extra_indexes[j], cells[j], START_OF_DAY) or cells[j]
        return tuple(cells)

    def _within_bounds(self, order: WorkOrderRow, bounds: TimeBounds) -> None:
        """One chain of string comparisons on the common path; the messages only for a row out of bounds."""
        lo, hi, hi_event = bounds.first, bounds.last, min(bounds.last, bounds.latest)
        completed = order.completed_at
        if not (lo <= (order.dispatched_at or lo) <= hi_event and lo <= (order.due_at or lo) <= hi
                and (not isinstance(completed, str) or lo <= (completed or lo) <= hi_event)
                and lo <= (order.exported_at or lo) <= hi_event):
            self._check_bounds(order.row, bounds, order.dispatched_at, order.due_at, completed, order.exported_at)

    def _first_valid(self, order: WorkOrderRow, errors_before: int) -> bool:
        """Whether the row is valid and its order not seen before; a repeat with other values is an error."""
        order_id, row, index = order.order_id, order.row, self._id_at
        if order_id in self._refused:
            self._error(row, index, _("order {order} also appears at row {row}").format(
                order=repr(order_id), row=self._refused[order_id]))
        if len(self.errors) > errors_before:
            if order_id and order_id not in self._seen:
                self._refused.setdefault(order_id, row)
            return False
        fingerprint = hash((order.unit, order.dispatched_at, order.due_at, order.completed_at, order.reply_required,
                            order.replied, order.satisfaction, order.counted, order.exported_at,
                            order.extra)) & _HASH_MASK
        previous = self._seen.get(order_id)
        if previous is None:
            self._seen[order_id] = row << _HASH_BITS | fingerprint
            return True
        if previous & _HASH_MASK != fingerprint:
            self._error(row, index, _("order {order} also appears at row {row} with different values").format(
                order=repr(order_id), row=previous >> _HASH_BITS))
        return False  # an identical repeat adds nothing

    def _check_bounds(self, row: int, bounds: TimeBounds, dispatched: str | None, due: str | None,
                      completed: str | None | Absent, exported: str | None) -> None:
        """Errors for the row's times outside the window, and for the times of events still to come (only a
        deadline may lie ahead: an export cannot hold a dispatch, completion or export time after it was made)."""
        cols = self._columns
        for field, value, what in (("dispatched_at", dispatched, _("the dispatch time")),
                                   ("due_at", due, _("the due time")),
                                   ("completed_at", completed, _("the completion time")),
                                   ("exported_at", exported, _("the export time"))):
            if not isinstance(value, str) or not value:
                continue
            if not bounds.first <= value <= bounds.last:
                self._error(row, cols[field], _("{what} {value} is outside the dates the adopted rulesets allow "
                                                "({first} to {last}, [dates])").format(
                    what=what, value=value.replace("T", " "), first=bounds.first[:10], last=bounds.last[:10]))
            elif field != "due_at" and value > bounds.latest:
                self._error(row, cols[field], _("{what} {value} is still to come (it is now {now})").format(
                    what=what, value=value.replace("T", " "), now=bounds.now.replace("T", " ")))

    def _error(self, row: int, index: int, message: str) -> None:
        self.errors.append(RowError(self.file, row, self._table.header[index], message))

    def _slow_time(
        self, row: int, index: int, text: str, date_alone: str, *, optional: bool = False
    ) -> str | None:
        """Any other accepted time form; None (and an error unless optional and empty) if none."""
        stripped = text.strip()
        if not stripped:
            if not optional:
                self._error(row, index, _("a time is required"))
            return None
        value = parse_time(stripped, date_alone)
        if value is None:
            self._error(row, index, _("not a time: {text} (expected YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)").format(
                text=repr(text)))
        return value

    def _slow_cell(self, row: int, field: str, text: str, known: Mapping[str, _T]) -> _T | None:
        """A cell the fast lookup missed: retry stripped (and lower-cased), else record an error."""
        stripped = text.strip()
        value = known.get(stripped)
        if value is None:
            value = known.get(stripped.lower())
        if value is None:
            self._error(row, self._columns[field], _CELL_MESSAGES[field](stripped, known))
        return value


_T = TypeVar("_T")
_CELL_MESSAGES: dict[str, Callable[[str, Mapping], str]] = {
    "unit": lambda text, _known: _("unknown unit {unit}").format(unit=repr(text)) if text else _("the unit is empty"),
    "satisfaction": lambda text, known: _("{value} is not a satisfaction label of the ruleset ({labels})").format(
        value=repr(text), labels=", ".join(k for k in known if k)),
    **dict.fromkeys(("reply_required", "replied", "counted"),
                    lambda text, _known: _("{value} is not 是 or 否").format(value=repr(text))),
}


def read_workorders(
    path: str | Path,
    units: Mapping[str, str],
    satisfaction_labels: Collection[str],
    unrated_label: str,
    progress: Callable[[int], None] | None = None,
) -> Iterator[WorkOrderRow]:
    """Yield the valid rows of an export, then raise `ImportRejected` if any row was bad.

    A convenience over `WorkOrderReader` for callers that need neither the hash nor the
    counts; as with the reader, nothing may be applied before the iterator is exhausted.
    """
    reader = WorkOrderReader(path, units, satisfaction_labels, unrated_label, progress)
    yield from reader
    if reader.errors:
        raise ImportRejected(reader.errors)
