"""The item kinds of a ruleset: each item names its rule ``kind`` and carries that kind's parameters.

``Item`` is the union of the kinds, discriminated on ``kind``. Every interpretation decision of
RUBRIC.md is a field here with its default; the scoring code reads these fields and never tests
an item code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from ledger.rulesets.expression import Expression
from ledger.rulesets.frozen import Frozen as _Frozen

Points = Annotated[Decimal, Field(ge=0)]


class _Item(_Frozen):
    """What every item has.

    Attributes:
        code, name: as in RUBRIC.md. section: the section code.
        pool: a pool code, or a section code (the item deducts from the section as a whole, after
        the section's other items are scored); None for an item with points of its own.
        min_points: the item's floor (扣完为止: 0 by default; above 0 for "never below half").
        cap: the most points the item deducts (None: up to the floor). classes: the unit
        classes the item applies to (empty: every unit its section applies to).
    """

    code: str
    name: str
    section: str
    pool: str | None = None
    min_points: Points = Decimal(0)
    cap: Points | None = None
    classes: tuple[str, ...] = ()


class AssessmentItem(_Item):
    """Points awarded by the assessors; the latest assessment recorded for the year counts."""

    kind: Literal["assessment"]
    max: Points


class PerOccurrenceItem(_Item):
    """``max − Σ count × amount``, floored (or the same taken from the pool)."""

    kind: Literal["per_occurrence"]
    amount: Points
    max: Points | None = None


class PerBlockItem(_Item):
    """``max − floor(Σ count / block) × amount``: a deduction per full block of occurrences."""

    kind: Literal["per_block"]
    amount: Points
    block: int = Field(gt=0)
    max: Points | None = None


class VolumeItem(_Item):
    """Relative volume: ``(base + weight × V / Vmax) × max`` over the units of the same class.

    Attributes:
        formula: instead of base and weight, a formula of ``V``, ``Vmax`` and ``max``
        (``10 × (V / Vmax) ^ 0.5``); its result is held between min_points and max.
    """

    kind: Literal["formula_volume"]
    max: Points
    base: Decimal = Decimal("0.6")
    weight: Decimal = Decimal("0.4")
    formula: Expression | None = None


#: The names a volume formula may use.
VOLUME_NAMES = ("V", "Vmax", "max")


class RateItem(_Item):
    """A work-order rate against a threshold (percent).

    Attributes:
        rate: ``satisfaction``, ``reply`` or ``ontime`` (RUBRIC.md §6), or the code of a rate
        defined in ``[[rates]]``.
        threshold: percent at or above which the item scores ``max``.
        per_point: points deducted per percentage point below the threshold.
        rate_rounding: ``proportional`` (88.5% against 90% is 1.5 points below) or
        ``whole_points`` (only whole points below count).
        period: ``year`` (one rate over the year's pooled counts) or ``monthly_average`` (each
        month scored on its own rate, the item's points the average of the months with orders).
    """

    kind: Literal["rate_threshold"]
    max: Points
    rate: str
    threshold: Decimal = Field(gt=0, le=100)
    per_point: Points
    rate_rounding: Literal["proportional", "whole_points"] = "proportional"
    period: Literal["year", "monthly_average"] = "year"


class RankItem(_Item):
    """Points by rank among the units of the same class: rank 1 scores ``max``, each lower rank ``step`` less.

    Attributes:
        by: ``volume`` or a rate (built-in or defined). order: ``high_first`` (the highest rate
        ranks 1) or ``low_first``. Ties share the better rank (1, 1, 3); a unit with no value is
        pending and takes no rank.
    """

    kind: Literal["rank"]
    max: Points
    by: str
    step: Points
    order: Literal["high_first", "low_first"] = "high_first"


class DeadlineItem(_Item):
    """A report or explanation due N working days after a period ends (or a notice arrives).

    Attributes:
        schedule: ``monthly`` / ``quarterly`` reports, or ``notice`` explanations.
        working_days: N. amount: the deduction per late or missing report.
    """

    kind: Literal["deadline"]
    schedule: Literal["monthly", "quarterly", "notice"]
    working_days: int = Field(gt=0)
    amount: Points
    max: Points | None = None


class BonusItem(_Item):
    """Points added per occurrence, on top of the section's points."""

    kind: Literal["bonus"]
    amount: Points


Item = Annotated[
    AssessmentItem | PerOccurrenceItem | PerBlockItem | VolumeItem | RateItem | RankItem | DeadlineItem | BonusItem,
    Field(discriminator="kind"),
]

#: Kinds recorded with ``record`` (occurrences); ``assess`` records the assessment kind.
OCCURRENCE_KINDS = frozenset({"per_occurrence", "per_block", "bonus"})
#: Kinds whose points come from deductions (so a ``cap`` means something).
DEDUCTION_KINDS = frozenset({"per_occurrence", "per_block", "deadline", "rate_threshold"})
