"""Rates as data: a chosen numerator and denominator over work-order fields.

Every rate a ruleset scores is declared in ``[[rates]]``, the three of RUBRIC.md §6 included
(``taian.toml`` declares its 满意率, 回复率 and 按期办结率 so). A ruleset text adopted before rates
were data declared none of them: it is read with the rates of ``standard_rates.toml`` (the same
three, as data) under every code it does not declare itself. A city whose rubric counts
differently declares a rate of its own, e.g. 解决率 = (解决 + 0.5 × 部分解决) / orders called back
successfully::

    [[rates]]
    code = "resolution"
    name = "解决率"
    denominator = { 回访情况 = ["回访成功"] }
    numerator = [{ where = { 解决情况 = ["解决"] } },
                 { where = { 解决情况 = ["部分解决"] }, weight = 0.5 }]

A condition maps fields to the values that match (all fields must match). Fields are the
built-in ones below or extra export columns declared in ``[[workorders.columns]]``. A numerator
part may also ask a duration (``within``: signed within 2 working hours of dispatch, completed
within 5 working days), and so may the denominator (``denominator_within``)::

    numerator = [{ within = { start = "dispatched", end = "签收时间", working_hours = 2 } }]
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from ledger.rulesets.durations import Within
from ledger.rulesets.frozen import Frozen as _Frozen

#: Built-in work-order fields a condition may name, with the values they take. ``rated`` and
#: ``satisfied`` read the satisfaction label through ``[workorders]`` (not ``unrated_value``; one
#: of ``satisfied_values``); ``on_time`` is completed no later than the due time (RUBRIC.md §6).
BUILTIN_FIELDS: dict[str, tuple[str, ...] | None] = {
    "satisfaction": None,  # a label of the ruleset's satisfaction scale
    "rated": ("是", "否"),
    "satisfied": ("是", "否"),
    "reply_required": ("是", "否"),
    "replied": ("是", "否"),
    "completed": ("是", "否"),
    "on_time": ("是", "否"),
}
#: Names that are not rate codes: ``rank`` items rank by ``volume`` (V, RUBRIC.md §6).
RESERVED_CODES = ("volume",)

Condition = dict[str, tuple[str, ...]]


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
    """Orders matching ``where`` (and ``within``, if given) count ``weight`` times in the numerator (部分解决 counts
    0.5; 签收及时率 counts the orders signed within 2 working hours of dispatch)."""

    where: Condition = {}
    within: Within | None = None
    weight: Annotated[Decimal, Field(gt=0)] = Decimal(1)


class RateDefinition(_Frozen):
    """A rate of the ruleset's own: Σ weight × matching orders / orders matching ``denominator``.

    Attributes:
        code: the name items use (``rate = "resolution"``). name: its Chinese name.
        year_by: which time places an order in a year (and a month): ``dispatched`` or ``due``.
        denominator: the orders counted (empty: every counted order of the year).
        denominator_within: a duration the orders counted also meet (``ledger.rulesets.durations.Within``).
        numerator: weighted conditions; only orders already in the denominator count, each
        with the weight of the first condition it matches.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    year_by: Literal["dispatched", "due"] = "dispatched"
    denominator: Condition = {}
    denominator_within: Within | None = None
    numerator: tuple[WeightedCondition, ...] = Field(min_length=1)

    def fields(self) -> set[str]:
        """Every field the rate's conditions name (the times of its durations not included: ``durations``)."""
        return set(self.denominator).union(*(set(c.where) for c in self.numerator))

    def durations(self) -> list[tuple[str, Within]]:
        """Each duration condition with its key path: ``denominator_within``, ``numerator[K].within``."""
        out = [("denominator_within", self.denominator_within)] if self.denominator_within else []
        return out + [(f"numerator[{k}].within", c.within) for k, c in enumerate(self.numerator) if c.within]


@cache
def standard_rates() -> tuple[dict[str, Any], ...]:
    """The rates of ``standard_rates.toml``, as TOML data, for a ruleset text that does not declare them."""
    text = (Path(__file__).with_name("standard_rates.toml")).read_text(encoding="utf-8")
    return tuple(tomllib.loads(text, parse_float=Decimal)["rates"])


def matches(order: Mapping[str, str | None], condition: Condition, within: Within | None = None) -> bool:
    """Whether an order's fields hold one of the listed values for every field of ``condition`` (and it meets
    ``within``: the order holds ``"是"`` under ``within.name()``, judged by the caller on the calendar)."""
    if within is not None and order.get(within.name()) != "是":
        return False
    return all(order.get(name) in values for name, values in condition.items())


def count_rate(definition: RateDefinition, orders: Iterable[Mapping[str, str | None]]) -> tuple[Decimal, int]:
    """(weighted numerator, denominator) of a defined rate over orders, exactly."""
    numerator, denominator = Decimal(0), 0
    for order in orders:
        if not matches(order, definition.denominator, definition.denominator_within):
            continue
        denominator += 1
        for part in definition.numerator:
            if matches(order, part.where, part.within):
                numerator += part.weight
                break
    return numerator, denominator
