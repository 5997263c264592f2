"""The ranking every report shares: one row per unit, read from a `score --format json` dict.

The renderers (CSV, workbook, web page) differ only in format; what a row *says* is decided
here once, so the three agree cell for cell. Points arrive as two-decimal strings and stay
`Decimal` until a renderer formats them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from projections.numbers import two_places
from projections.reports.head_facts import tree_head_facts

#: An occurrence's state as the ledger names it → as a unit's staff read it.
STATE_LABELS: dict[str, str] = {
    "effective": "有效",
    "retracted": "已撤销",
    "disputed": "申诉中",
    "accepted": "申诉成立",
    "rejected": "申诉驳回",
    "amended": "已改定",
    "superseded": "已被替代",
}

#: A deadline period's verdict (`trace` JSON) in Chinese.
VERDICT_LABELS: dict[str, str] = {
    "on_time": "按期", "late": "逾期", "missing": "未报送", "not_yet_due": "未到期", "pending": "待定",
}

#: A screening (甄别) request's decision in Chinese; None is a request not yet decided.
SCREENING_LABELS: dict[str | None, str] = {
    None: "甄别申请中", "accept": "甄别成立（已剔除）", "reject": "甄别驳回", "amend": "甄别改定",
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


def capped_text(unit: Mapping[str, Any]) -> str:
    """What the caps took from a unit (its total's and its sections'), as `` − 封顶 1.50`` so that
    基础分 + 加分 − 封顶 adds up to the total; empty without a cap."""
    took = points(unit.get("capped")) + sum((points(s.get("capped")) for s in unit.get("sections", [])), Decimal(0))
    return f" − 封顶 {two_places(took)}" if took else ""


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

    `sections` holds each section's points as `score --format json` has them (section 5 with
    its bonus inside), aligned with `section_heads`, so that `sum(sections) == total` on every
    sheet and every format shows the JSON's numbers; `bonus` is shown beside as 其中加分 (of
    which bonus), never added again. `bases` are the same sections without their bonus items
    (the chart stacks them, then the bonus). None where a section does not apply to the unit's
    class. `previous_total`/`previous_rank` are the unit's standing at the compared date and
    `change` is `total` minus that total; None when there is no comparison or the unit was
    absent then. `unit_class`/`class_name` are "" and `grade` None
    when the ruleset declares no classes or grades (issue 8); ranks are per class.
    `pending` is true when the total includes an item not computable yet (counted as 0).
    """

    rank: int | None
    unit: str
    name: str
    sections: tuple[Decimal | None, ...]
    bonus: Decimal
    total: Decimal
    change: Decimal | None
    bases: tuple[Decimal | None, ...] = ()
    previous_total: Decimal | None = None
    previous_rank: int | None = None
    unit_class: str = ""
    class_name: str = ""
    grade: str | None = None
    vetoed_by: str | None = None
    pending: bool = False

    @property
    def grade_text(self) -> str:
        """The grade as a reader sees it: `不合格（一票否决：3.2.7）` when a veto forced it."""
        if not self.grade:
            return ""
        return f"{self.grade}（一票否决：{self.vetoed_by}）" if self.vetoed_by else self.grade


@dataclass(frozen=True)
class RankingColumns:
    """Which optional columns the ranking has: 类别 when units carry a class, 等次 when a grade."""

    has_class: bool
    has_grade: bool


def ranking_columns(scores: Mapping[str, Any]) -> RankingColumns:
    """The optional columns of `scores`' ranking (neither for Tai'an: its units carry no class or grade)."""
    units = scores.get("units") or []
    return RankingColumns(has_class=any(u.get("class") for u in units),
                          has_grade=any("grade" in u for u in units))


def ranked_units(scores: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The score dict's units class by class (first-seen order), by rank within each (unranked
    last), keeping the given order among equals. Without classes: simply by rank."""
    units = list(scores.get("units") or [])
    classes = list(dict.fromkeys(str(u.get("class") or "") for u in units))
    return sorted(units, key=lambda u: (classes.index(str(u.get("class") or "")),
                                        u.get("rank") is None, u.get("rank") or 0))


def unit_is_pending(unit: Mapping[str, Any]) -> bool:
    """True when any section (or item) of the unit is pending: its total counts that item as 0."""
    return any(sec.get("status") == "pending"
               or any(i.get("status") == "pending" for i in sec.get("items") or [])
               for sec in unit.get("sections") or [])


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
    earlier = {u.get("unit"): u for u in (compare or {}).get("units") or []}
    heads = section_heads(scores)
    rows = []
    for unit in ranked_units(scores):
        by_code = {str(s.get("code", "")): s for s in unit.get("sections") or []}
        sections = tuple(points(by_code[h.code].get("points")) if h.code in by_code else None for h in heads)
        bases = tuple(section_base_points(by_code[h.code]) if h.code in by_code else None for h in heads)
        total = points(unit.get("total"))
        then = earlier.get(unit.get("unit")) or {}
        before = decimal_or_none(then.get("total"))
        rows.append(RankingRow(
            rank=unit.get("rank"),
            unit=str(unit.get("unit") or ""),
            name=str(unit.get("name") or unit.get("unit") or ""),
            sections=sections,
            bonus=points(unit.get("bonus")),
            total=total,
            change=None if before is None else total - before,
            bases=bases,
            previous_total=before,
            previous_rank=then.get("rank"),
            unit_class=str(unit.get("class") or ""),
            class_name=str(unit.get("class_name") or unit.get("class") or ""),
            grade=unit.get("grade"),
            vetoed_by=unit.get("vetoed_by"),
            pending=unit_is_pending(unit),
        ))
    return rows


def pending_note(rows: Sequence[RankingRow]) -> str:
    """The footnote for totals that include pending items ("" when none does)."""
    names = "、".join(r.name for r in rows if r.pending)
    return f"待定：{names} 的总分含尚不能计算的项目（按 0 分计），结果可能变化。" if names else ""


def class_groups(rows: Sequence[RankingRow]) -> list[tuple[str, list[RankingRow]]]:
    """Rows grouped by class, `(class name, rows)` in order; one group named "" without classes."""
    groups: dict[str, list[RankingRow]] = {}
    for row in rows:
        groups.setdefault(row.class_name, []).append(row)
    return list(groups.items())


def heading_facts(scores: Mapping[str, Any], compare: Mapping[str, Any] | None = None) -> list[str]:
    """The facts every report states on top: period, knowledge time, ruleset and its hash, and the signed tree
    head the report was computed from when the document carries one (projections/reports/head_facts.py)."""
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
    return facts + tree_head_facts(scores)
