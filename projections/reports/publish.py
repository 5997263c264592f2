"""Rendering the published reports (csv, xlsx, html) from one reading, as the bytes of the file.

Reports only format: the CLI writes the bytes (ledger/storage/output_file.py decides where, and never over
the ledger's own files).
"""

from __future__ import annotations

import io
from typing import Any

from projections.documents import trace_document
from projections.reading import Reading
from projections.scores import UnitScore


def render_report(fmt: str, reading: Reading, scores: list[UnitScore], doc: dict[str, Any],
                  compare: dict[str, Any] | None) -> bytes:
    """The ``fmt`` report of ``doc`` (with every unit's trace for the drill-downs).

    A CSV starts with a UTF-8 BOM so that Excel reads it as UTF-8, on stdout as in ``--output``: the same
    bytes either way (``score --format csv > f.csv`` is ``--output f.csv``).
    """
    if fmt == "csv":
        from projections.reports.summary_csv import render_summary_csv

        return ("\ufeff" + render_summary_csv(doc, compare)).encode("utf-8")
    wanted = {u["unit"] for u in doc["units"]}
    traces = {s.unit: trace_document(reading, s) for s in scores if s.unit in wanted}
    if fmt == "xlsx":
        from projections.reports.workbook import write_workbook

        buffer = io.BytesIO()
        write_workbook(doc, traces, buffer, compare)
        return buffer.getvalue()
    from projections.reports.webpage import render_page

    return render_page(doc, traces, compare).encode("utf-8")


def render_bulletin(fmt: str, doc: dict[str, Any]) -> bytes:
    """The monthly bulletin ``doc`` (projections/bulletin.py) as an ``html`` page or an ``xlsx`` workbook."""
    if fmt == "xlsx":
        from projections.reports.bulletin_workbook import write_bulletin_workbook

        buffer = io.BytesIO()
        write_bulletin_workbook(doc, buffer)
        return buffer.getvalue()
    from projections.reports.bulletin_page import render_bulletin_page

    return render_bulletin_page(doc).encode("utf-8")
