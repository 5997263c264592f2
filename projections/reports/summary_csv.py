"""`score --format csv`: the ranking as one CSV table, for spreadsheets and other tools."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from projections.reports.ranking import two_places
from projections.reports.summary_table import summary_headers, summary_lines

#: A text cell starting with one of these is read as a formula by spreadsheets (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell made inert: one starting like a formula gets a leading `'` (the OWASP rule).

    Only text goes through here: points are rendered from `Decimal`s and stay plain numbers (`-0.50`).
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_summary_csv(scores: Mapping[str, Any], compare: Mapping[str, Any] | None = None) -> str:
    """The summary table as CSV text (no BOM: the CLI adds one when writing for Excel).

    Header: [类别,]排名,单位代码,单位,<one column per section, "code name">,总分,其中加分[,等次] and,
    with `compare`, 上期总分,上期排名,较上期变化. Points are plain two-decimal numbers, the
    sections as `score --format json` has them (section 5 with its bonus, so the sections add up
    to 总分 and 其中加分 is the part of it that is bonus); a change is signed only by its minus,
    and the compared columns are empty for a unit absent at the compared date. Text cells pass
    through `csv_text`.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as Excel writes it
    writer.writerow([csv_text(h) for h in summary_headers(scores, compare)])
    for line in summary_lines(scores, compare):
        writer.writerow([two_places(v) if isinstance(v, Decimal) else "" if v is None
                         else csv_text(v) if isinstance(v, str) else v for v in line])
    return out.getvalue()
