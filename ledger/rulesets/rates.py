"""Rates a ruleset defines itself: a chosen numerator and denominator over work-order fields.

The three rates of RUBRIC.md §6 (``satisfaction``, ``reply``, ``ontime``) are built in. A city
whose rubric counts differently declares a rate of its own, e.g. 解决率 =
(解决 + 0.5 × 部分解决) / orders called back successfully::

    [[rates]]
    code = "resolution"
    name = "解决率"
    denominator = { 回访情况 = ["回访成功"] }
    numerator = [{ where = { 解决情况 = ["解决"] } },
                 { where = { 解决情况 = ["部分解决"] }, weight = 0.5 }]

A condition maps fields to the values that match (all fields must match). Fields are the
built-in ones below or extra export columns declared in ``[[workorders.columns]]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Built-in work-order fields a condition may name, with the values they take.
BUILTIN_FIELDS: dict[str, tuple[str, ...] | None] = {
    "satisfaction": None,  # a label of the ruleset's satisfaction scale
    "reply_required": ("是", "否"),
    "replied": ("是", "否"),
    "completed": ("是", "否"),
    "on_time": ("是", "否"),
}
BUILTIN_RATES = ("satisfaction", "reply", "ontime")

Condition = dict[str, tuple[str, ...]]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExtraColumn(_Frozen):
    """An extra column of the platform's export that a rate or a per-order rule reads (e.g. ``解决情况``, ``签收时间``).

    Attributes:
        header: the column's header as the export writes it. values: the values it may hold
        (empty: any); a condition naming a value not listed is an error in the ruleset.
        type: ``text``, or ``time`` (a time of the order, read as the export's other times are and
        kept as ``YYYY-MM-DDTHH:MM:SS``; a per-order rule may measure from or to it).
    """

    header: str = Field(min_length=1)
    values: tuple[str, ...] = ()
    type: Literal["text", "time"] = "text"


class WeightedCondition(_Frozen):
    """Orders matching ``where`` count ``weight`` times in the numerator (部分解决 counts 0.5)."""

    where: Condition
    weight: Annotated[Decimal, Field(gt=0)] = Decimal(1)


class RateDefinition(_Frozen):
    """A rate of the ruleset's own: Σ weight × matching orders / orders matching ``denominator``.

    Attributes:
        code: the name items use (``rate = "resolution"``). name: its Chinese name.
        year_by: which time places an order in a year (and a month): ``dispatched`` or ``due``.
        denominator: the orders counted (empty: every counted order of the year).
        numerator: weighted conditions; only orders already in the denominator count, each
        with the weight of the first condition it matches.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    year_by: Literal["dispatched", "due"] = "dispatched"
    denominator: Condition = {}
    numerator: tuple[WeightedCondition, ...] = Field(min_length=1)

    def fields(self) -> set[str]:
        """Every field the rate's conditions name."""
        return set(self.denominator).union(*(set(c.where) for c in self.numerator))


def matches(order: Mapping[str, str | None], condition: Condition) -> bool:
    """Whether an order's fields hold one of the listed values for every field of ``condition``."""
    return all(order.get(name) in values for name, values in condition.items())


def count_rate(definition: RateDefinition, orders: Iterable[Mapping[str, str | None]]) -> tuple[Decimal, int]:
    """(weighted numerator, denominator) of a defined rate over orders, exactly."""
    numerator, denominator = Decimal(0), 0
    for order in orders:
        if not matches(order, definition.denominator):
            continue
        denominator += 1
        for part in definition.numerator:
            if matches(order, part.where):
                numerator += part.weight
                break
    return numerator, denominator
