"""`score --format csv`: the ranking as one CSV table, for spreadsheets and other tools."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from projections.reports.ranking import ranking_rows, section_heads, two_places


def render_summary_csv(scores: Mapping[str, Any], compare: Mapping[str, Any] | None = None) -> str:
    """The summary table as CSV text (no BOM: the CLI adds one when writing for Excel).

    Header: 排名,单位代码,单位,<one column per section, "code name">,加分,总分 and, with
    `compare`, 较上期变化. Points are plain two-decimal numbers (a section column excludes
    bonus, so the sections plus 加分 add up to 总分); a change is signed only by its minus, and
    empty for a unit absent at the compared date.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as Excel writes it
    header = ["排名", "单位代码", "单位", *(h.title for h in section_heads(scores)), "加分", "总分"]
    if compare is not None:
        header.append("较上期变化")
    writer.writerow(header)
    for row in ranking_rows(scores, compare):
        line = ["" if row.rank is None else row.rank, row.unit, row.name,
                *(two_places(p) for p in row.sections), two_places(row.bonus), two_places(row.total)]
        if compare is not None:
            line.append(two_places(row.change))
        writer.writerow(line)
    return out.getvalue()
