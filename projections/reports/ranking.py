"""The ranking every report shares: one row per unit, read from a `score --format json` dict.

The renderers (CSV, workbook, web page) differ only in format; what a row *says* is decided
here once, so the three agree cell for cell. Points arrive as two-decimal strings and stay
`Decimal` until a renderer formats them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

#: An occurrence's state as the ledger names it → as a unit's staff read it.
STATE_LABELS: dict[str, str] = {
    "effective": "有效",
    "retracted": "已撤销",
    "disputed": "申诉中",
    "accepted": "申诉成立",
    "rejected": "申诉驳回",
    "amended": "已改定",
}

#: An item's scoring status (`score` JSON) in Chinese.
STATUS_LABELS: dict[str, str] = {"scored": "已计分", "pending": "待定"}

#: History entry types and dispute decisions in Chinese; unknown values are shown as written.
HISTORY_LABELS: dict[str, str] = {
    "recorded": "记录",
    "retracted": "撤销",
    "dispute_opened": "提出申诉",
    "dispute_decided": "申诉裁定",
    "amended": "改定",
    "accept": "成立",
    "reject": "驳回",
    "amend": "改定次数",
}


def label(table: Mapping[str, str], value: Any) -> str:
    """`value` translated through `table`, or as written when the table does not know it."""
    text = "" if value is None else str(value)
    return table.get(text, text)


def decimal_or_none(value: Any) -> Decimal | None:
    """A JSON points string (`"19.71"`) as a Decimal; None for a missing or malformed value."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def points(value: Any) -> Decimal:
    """Like `decimal_or_none`, but a missing value counts as zero (as pending items do)."""
    return decimal_or_none(value) or Decimal("0")


def two_places(value: Decimal | None, signed: bool = False) -> str:
    """`Decimal` → `"19.71"` (or `"+1.20"` when `signed`); `""` for None."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return f"+{text}" if signed and value > 0 else text


@dataclass(frozen=True)
class SectionHead:
    """One of the rubric's sections as a column: `code` ("2"), `name` (办理质量), `max` points."""

    code: str
    name: str
    max: Decimal | None

    @property
    def title(self) -> str:
        """The column header: code and name, e.g. `2 办理质量`."""
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True)
class RankingRow:
    """One unit's line of the ranking.

    `sections` holds each section's points *without* bonus, aligned with `section_heads`, so
    that `sum(sections) + bonus == total` reads true on every sheet (RUBRIC.md: reports show
    base and bonus separately). `change` is `total` minus the unit's total at the compared
    date; None when there is no comparison or the unit was absent then.
    """

    rank: int | None
    unit: str
    name: str
    sections: tuple[Decimal, ...]
    bonus: Decimal
    total: Decimal
    change: Decimal | None


def ranked_units(scores: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The score dict's units by rank (unranked last), keeping the given order among equals."""
    units = list(scores.get("units") or [])
    return sorted(units, key=lambda u: (u.get("rank") is None, u.get("rank") or 0))


def section_heads(scores: Mapping[str, Any]) -> list[SectionHead]:
    """Every section that occurs in any unit, in first-seen order."""
    heads: dict[str, SectionHead] = {}
    for unit in scores.get("units") or []:
        for section in unit.get("sections") or []:
            code = str(section.get("code", ""))
            if code not in heads:
                heads[code] = SectionHead(code, str(section.get("name") or ""),
                                          decimal_or_none(section.get("max")))
    return list(heads.values())


def is_bonus_item(item: Mapping[str, Any]) -> bool:
    """A bonus item carries `bonus` instead of `points` (the core's shape; no code is compared)."""
    return "bonus" in item and "points" not in item


def section_base_points(section: Mapping[str, Any]) -> Decimal:
    """A section's points without the bonus items inside it (section 5 may exceed its max)."""
    bonus = sum((points(i.get("bonus")) for i in section.get("items") or [] if is_bonus_item(i)),
                Decimal("0"))
    return points(section.get("points")) - bonus


def ranking_rows(scores: Mapping[str, Any], compare: Mapping[str, Any] | None = None) -> list[RankingRow]:
    """The ranking of `scores`, with each unit's change of total since `compare` when given."""
    earlier = {u.get("unit"): decimal_or_none(u.get("total")) for u in (compare or {}).get("units") or []}
    heads = section_heads(scores)
    rows = []
    for unit in ranked_units(scores):
        by_code = {str(s.get("code", "")): s for s in unit.get("sections") or []}
        sections = tuple(section_base_points(by_code[h.code]) if h.code in by_code else Decimal("0")
                         for h in heads)
        total = points(unit.get("total"))
        before = earlier.get(unit.get("unit")) if compare is not None else None
        rows.append(RankingRow(
            rank=unit.get("rank"),
            unit=str(unit.get("unit") or ""),
            name=str(unit.get("name") or unit.get("unit") or ""),
            sections=sections,
            bonus=points(unit.get("bonus")),
            total=total,
            change=None if before is None else total - before,
        ))
    return rows


def heading_facts(scores: Mapping[str, Any], compare: Mapping[str, Any] | None = None) -> list[str]:
    """The facts every report states on top: period, knowledge time, ruleset and its hash."""
    ruleset = scores.get("ruleset") or {}
    rules = " ".join(str(ruleset.get(k)) for k in ("name", "id") if ruleset.get(k))
    facts = [
        f"评价年度：{scores.get('year', '')}",
        f"数据截至：{scores.get('as_of') or '—'}",
        f"记录截至：{scores.get('known_at') or '最新（全部已记录数据）'}",
        f"评价细则：{rules or '—'}",
        f"细则 SHA-256：{ruleset.get('sha256') or '—'}",
    ]
    if compare is not None:
        facts.append(f"对比日期：{compare.get('as_of') or '—'}（变化 = 总分 − 对比日期总分）")
    return facts
