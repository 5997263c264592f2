"""How scoring writes its arithmetic for people: numbers, and the Chinese words around them.

Staff and units read these lines in ``trace`` and in the reports, so every phrase of an
``explanation`` or ``reason`` is written here, once: the arithmetic stays as computed
(``3.00 − 35 × 0.10 = −0.50``), the words around it are Chinese. A negative number is written
with the typographic minus, like the operators.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from projections.numbers import two_places

if TYPE_CHECKING:  # the rule kinds' modules use these words, and the ruleset's schema is built from those
    from ledger.rulesets.schema import Ruleset

MINUS = "−"


#: Points as printed everywhere: two decimals (the value is already rounded).
fmt = two_places


def shown(d: Decimal) -> str:
    """Points inside an explanation: two decimals, a negative one with the typographic minus (−0.50)."""
    return fmt(d).replace("-", MINUS)


def num(d: Decimal) -> str:
    """An amount or parameter as written (0.1 → 0.10, 92 → 92)."""
    return fmt(d) if d != d.to_integral_value() or d < 10 else f"{d:f}"


def rate_names(ruleset: Ruleset) -> dict[str, str]:
    """Rate (or ``volume``) code → its Chinese name, as the ruleset's ``[[rates]]`` name them."""
    return {"volume": "承办量", **{r.code: r.name for r in ruleset.rates}}


def name_of(names: Mapping[str, str], code: str) -> str:
    """A rate's Chinese name, or its code when the ruleset gives none."""
    return names.get(code, code)


def pending_as_zero(why: str) -> str:
    """The explanation of an item that cannot be computed yet: ``<why>：待定（按 0.00 计）``."""
    return f"{why}：待定（按 0.00 计）"


def floored(floor: Decimal, absorbed: Decimal) -> str:
    """What a floor did: ``→ 扣完为止，计 0.00（超出的 0.50 不再扣）``, or ``→ 保底 12.50（…）`` above zero."""
    held = "扣完为止，计 0.00" if floor == 0 else f"保底 {shown(floor)}"
    return f" → {held}（超出的 {shown(absorbed)} 不再扣）"


def held_at(value: Decimal, exact: Decimal) -> str:
    """A result held inside its bounds: ``→ 保底 12.50`` when raised, ``→ 封顶 10.00`` when lowered."""
    return f" → {'保底' if value > exact else '封顶'} {shown(value)}"


def at_most(cap: Decimal) -> str:
    """A deduction's cap: ``最多扣 3.00``."""
    return f"最多扣 {shown(cap)}"


def deducted_from(target: str) -> str:
    """Where a member's deduction goes: ``，从 2.2 中扣除``."""
    return f"，从 {target} 中扣除"


def assessed(points: Decimal, full: Decimal) -> str:
    """An assessed item: ``评定 0.50（满分 0.50）``."""
    return f"评定 {shown(points)}（满分 {shown(full)}）"


NOT_ASSESSED = "尚未评估"
NOT_ASSESSED_EXPLAINED = pending_as_zero("未评估")
NO_VOLUME = "无派发工单（Vmax = 0）"
NO_VOLUME_EXPLAINED = pending_as_zero("Vmax = 0，暂无法计算")


def no_orders_for(rate: str) -> str:
    """Why a rate item is pending: ``无计入群众满意率的工单``."""
    return f"无计入{rate}的工单"


def not_ranked(by: str) -> str:
    """Why a rank item is pending: ``无群众满意率数值，无法排名``."""
    return f"无{by}数值，无法排名"


def ranked(by: str, rank: int, of: int) -> str:
    """The head of a rank item's arithmetic: ``群众满意率第 2 名（共 4 个单位）：``."""
    return f"{by}第 {rank} 名（共 {of} 个单位）："


def bonus_capped(cap_left: Decimal) -> str:
    """A bonus cut to what is left of its cap: ``→ 加分已达上限，计 0.50``."""
    return f" → 加分已达上限，计 {shown(cap_left)}"


def capped(cap: Decimal, over: Decimal) -> str:
    """A section's or a total's points held at its cap (加分后仍不超过上限)."""
    return f" → 封顶 {shown(cap)}（不超过 {shown(cap)} 分，超出的 {shown(over)} 不计）"


def plus_bonus(bonus: Decimal) -> str:
    """A section's bonus after its base points: `` + 加分 1.00``."""
    return f" + 加分 {shown(bonus)}"


def missing_columns(rate: str, columns: list[str]) -> str:
    """Why a defined rate cannot be counted: the ledger does not keep the export columns it needs."""
    return f"账本尚未保存{rate}所需的导出列：{'、'.join(columns)}"
