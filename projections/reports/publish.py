"""Writing the published reports (csv, xlsx, html) from one reading."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from projections.documents import trace_document
from projections.reading import Reading
from projections.scores import UnitScore


def publish(fmt: str, reading: Reading, scores: list[UnitScore], doc: dict[str, Any],
            compare: dict[str, Any] | None, output: str | None) -> None:
    """Write the ``fmt`` report of ``doc`` (with every unit's trace for the drill-downs) to ``output``."""
    if fmt == "csv":
        from projections.reports.summary_csv import render_summary_csv

        text = render_summary_csv(doc, compare)
        if output:
            Path(output).write_text("\ufeff" + text, encoding="utf-8", newline="")
        else:
            sys.stdout.write(text)
        return
    assert output is not None
    wanted = {u["unit"] for u in doc["units"]}
    traces = {s.unit: trace_document(reading, s) for s in scores if s.unit in wanted}
    if fmt == "xlsx":
        from projections.reports.workbook import write_workbook

        write_workbook(doc, traces, output, compare)
    else:
        from projections.reports.webpage import render_page

        Path(output).write_text(render_page(doc, traces, compare), encoding="utf-8")
