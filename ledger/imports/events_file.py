"""``import events``: a file of occurrences and assessments, applied all together or not at all."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from events.occurrences import AssessmentRecorded, EventsFileImported, OccurrenceRecorded
from ledger.aggregates import Assessment, EventsFile, Occurrence, ledger_id
from ledger.errors import LedgerError, RuleViolation
from ledger.imports.tabular import ImportRejected, RowError, map_columns, open_table

COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位",), "item": ("项目",), "date": ("日期",), "count": ("次数",),
    "evidence": ("证据",), "note": ("备注",),
}
REQUIRED = {"unit", "item", "date", "evidence"}
_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")


def parse_date(text: str) -> date:
    """``2025-03-04`` (also ``2025/3/4``, ``2025年3月4日``, or a spreadsheet date-time)."""
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def import_events_file(app: Any, path: str, actor: str, again: bool = False) -> dict[str, Any]:
    """Validate every row, then record them all in one transaction; refuse the file on any bad row."""
    table = open_table(path)
    cols, errors = map_columns(table, COLUMNS, REQUIRED)
    if errors:
        raise ImportRejected(errors)
    n = 0
    existing = app.repository.get(EventsFile.id_for(table.sha256, 0)) if EventsFile.id_for(
        table.sha256, 0) in app.repository else None
    if existing is not None:
        if not again:
            raise RuleViolation(
                f"{path}: a file with identical content was already imported "
                f"(sha256 {table.sha256[:12]}…, recorded {existing.created_on:%Y-%m-%d %H:%M} UTC): importing it "
                "again would count every occurrence twice; use --again if that is really meant"
            )
        n = 1
        while EventsFile.id_for(table.sha256, n) in app.repository:
            n += 1
    batch_id = EventsFile.id_for(table.sha256, n)
    header = table.header
    aggregates: list[Any] = []
    with app.cached_rulesets():
        for row_no, cells in table.rows:
            def cell(field: str, cells: list[str] = cells) -> str:
                return cells[cols[field]].strip() if field in cols else ""

            try:
                day = parse_date(cell("date"))
            except ValueError as e:
                errors.append(RowError(table.file, row_no, header[cols["date"]], str(e)))
                continue
            common = {"batch": str(batch_id), "source": f"{table.file}:{row_no}", "recorded_by": actor}
            agg_id = ledger_id(batch_id, row_no)
            try:
                kind = app.item_kind(cell("unit"), cell("item"), day)
                count_text = cell("count") or "1"
                if kind == "assessment":
                    try:
                        points = Decimal(count_text)
                    except InvalidOperation:
                        raise _CellError("count", f"points {count_text!r} are not a number") from None
                    fields = app.assessment_fields(cell("unit"), cell("item"), day, points, cell("evidence"),
                                                   cell("note"))
                    aggregates.append(Assessment.start(AssessmentRecorded, id=agg_id, **fields, **common))
                else:
                    if not re.fullmatch(r"\d+", count_text):
                        raise _CellError("count", f"count {count_text!r} is not a positive integer")
                    fields = app.occurrence_fields(cell("unit"), cell("item"), day, int(count_text),
                                                   cell("evidence"), cell("note"))
                    aggregates.append(Occurrence.start(OccurrenceRecorded, id=agg_id, **fields, **common))
            except _CellError as e:
                errors.append(RowError(table.file, row_no, _label(header, cols, e.field), e.message))
            except LedgerError as e:
                errors.append(RowError(table.file, row_no, _label(header, cols, _column_of(e)), str(e)))
    if errors:
        raise ImportRejected(errors)
    if not aggregates:
        raise RuleViolation(f"{path}: the file has a header but no data rows: nothing to import")
    record = EventsFile.start(EventsFileImported, id=batch_id, sha256=table.sha256, name=path,
                              rows=len(aggregates), again=n, recorded_by=actor)
    app.save_all([*aggregates, record], f"{path}: this file was imported meanwhile by another writer")
    return {"new": len(aggregates), "changed": 0, "unchanged": 0, "batch": str(batch_id), "sha256": table.sha256}


class _CellError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _label(header: list[str], cols: dict[str, int], field: str) -> str:
    """The column's header as written in the file (the field's name if the column is absent)."""
    return header[cols[field]] if field in cols else field


def _column_of(error: LedgerError) -> str:
    """Which column a validation refusal is about (unit, item, count or evidence)."""
    name = type(error).__name__
    if name == "UnknownUnit":
        return "unit"
    if name == "UnknownItem":
        return "item"
    text = str(error)
    if "evidence" in text:
        return "evidence"
    if "count" in text or "points" in text or "kind" in text:
        return "count" if "kind" not in text else "item"
    return "date"
