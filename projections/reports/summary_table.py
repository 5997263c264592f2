"""The summary table (汇总) the CSV and the workbook share: its columns and each unit's cells.

The section columns are the JSON's section points (section 5 with its bonus), so they add up
to 总分; 其中加分 follows 总分 as the part of it that is bonus. Optional columns appear only when
the ruleset has them: 类别 first when units carry a class (ranks are per class, so the class
comes before the rank), 等次 when the ruleset declares grades, and with a comparison 上期总分,
上期排名 and 较上期变化 last (the JSON's ``previous`` and the change).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from projections.reports.ranking import RankingColumns, RankingRow, ranking_columns, ranking_rows, section_heads

COMPARE_HEADERS = ("上期总分", "上期排名", "较上期变化")


def summary_headers(scores: Mapping[str, Any], compare: Mapping[str, Any] | None) -> list[str]:
    """[类别,] 排名, 单位代码, 单位, one column per section ("code name"), 总分, 其中加分[, 等次]
    [, 上期总分, 上期排名, 较上期变化]."""
    columns = ranking_columns(scores)
    headers = ["类别"] if columns.has_class else []
    headers += ["排名", "单位代码", "单位", *(h.title for h in section_heads(scores)), "总分", "其中加分"]
    headers += ["等次"] if columns.has_grade else []
    return [*headers, *COMPARE_HEADERS] if compare is not None else headers


def summary_values(row: RankingRow, columns: RankingColumns, compare: bool) -> list[Decimal | int | str | None]:
    """One unit's cells, aligned with `summary_headers`: points stay `Decimal` (None where a
    section does not apply to the unit's class, or a unit absent at the compared date)."""
    values: list[Decimal | int | str | None] = [row.class_name] if columns.has_class else []
    values += [row.rank, row.unit, row.name, *row.sections, row.total, row.bonus]
    values += [row.grade_text] if columns.has_grade else []
    return [*values, row.previous_total, row.previous_rank, row.change] if compare else values


def summary_lines(scores: Mapping[str, Any], compare: Mapping[str, Any] | None
                  ) -> list[list[Decimal | int | str | None]]:
    """Every unit's cells, class by class and by rank within each class."""
    columns = ranking_columns(scores)
    return [summary_values(row, columns, compare is not None) for row in ranking_rows(scores, compare)]
