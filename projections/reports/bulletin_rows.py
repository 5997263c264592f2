"""The bulletin's rows, read once from its document for the page and the workbook alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projections.reports.head_facts import tree_head_facts
from projections.reports.ranking import decimal_or_none, points, ranked_units, section_heads


@dataclass(frozen=True)
class BulletinRow:
    """One unit's line: its standing at the month's end and since the previous month's end.

    `sections` are the sections' points as `score --format json` gives them (section 5 with its
    bonus), so `sum(sections) == total`; `bonus` is shown as 其中加分 (already inside). `change`,
    `rank_change` and `previous_*` are None in January. `trend` is the document's list as is. Ranks are
    per class when the ruleset declares classes (`class_name`).
    """

    rank: int
    unit: str
    name: str
    total: Decimal
    bonus: Decimal
    sections: tuple[Decimal | None, ...]
    change: Decimal | None
    rank_change: int | None
    previous_total: Decimal | None
    previous_rank: int | None
    trend: Sequence[Mapping[str, Any]]
    class_name: str = ""  # the unit's class (县 / 区) when the ruleset ranks classes apart; "" otherwise


def by_class(rows: Sequence[BulletinRow]) -> bool:
    """Whether the rows rank in classes of their own (each class from 1): a reader must then see each row's class."""
    return any(r.class_name for r in rows)


def bulletin_rows(doc: Mapping[str, Any]) -> list[BulletinRow]:
    """The units in ranking order."""
    heads = section_heads(doc)
    rows = []
    for unit in ranked_units(doc):
        by_code = {str(s.get("code", "")): s for s in unit.get("sections") or []}
        previous = unit.get("previous") or {}
        rows.append(BulletinRow(
            rank=unit.get("rank"), unit=str(unit.get("unit") or ""), name=str(unit.get("name") or unit.get("unit")),
            total=points(unit.get("total")), bonus=points(unit.get("bonus")),
            sections=tuple(points(by_code[h.code].get("points")) if h.code in by_code else None for h in heads),
            change=decimal_or_none(unit.get("change")), rank_change=unit.get("rank_change"),
            previous_total=decimal_or_none(previous.get("total")), previous_rank=previous.get("rank"),
            trend=list(unit.get("trend") or []), class_name=str(unit.get("class_name") or ""),
        ))
    return rows


def bulletin_title(doc: Mapping[str, Any]) -> str:
    """`2025年3月 12345热线办理工作月度通报`."""
    return f"{doc.get('year', '')}年{doc.get('month', '')}月 12345热线办理工作月度通报"


def bulletin_facts(doc: Mapping[str, Any]) -> list[str]:
    """The facts on top of both formats: the month's end, the compared month's end, knowledge, rules and the
    signed tree head the bulletin was computed from."""
    ruleset = doc.get("ruleset") or {}
    rules = " ".join(str(ruleset.get(k)) for k in ("name", "id") if ruleset.get(k))
    return [
        f"数据截至：{doc.get('as_of') or '—'}（本月末）",
        f"对比日期：{doc.get('previous_as_of') or '—（一月无上月可比）'}（上月末）",
        f"记录截至：{doc.get('known_at') or '最新（全部已记录数据，含此后的更正）'}",
        f"评价细则：{rules or '—'}",
        f"细则 SHA-256：{ruleset.get('sha256') or '—'}",
        *tree_head_facts(doc),
    ]
