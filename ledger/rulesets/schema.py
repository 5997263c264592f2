"""The ruleset schema: a city's rubric as data, validated by pydantic.

A ruleset file (TOML) names the units, the sections, the pools and every item with its rule
kind and parameters. Every interpretation decision of RUBRIC.md is a field here with its
default; the scoring code reads these fields and never tests an item code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Points = Annotated[Decimal, Field(ge=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(_Frozen):
    """A scored unit.

    Attributes:
        code: stable identifier used in events (``taishan``). name: its Chinese name (``泰山区``).
        overrides: per-item parameter overrides, e.g. ``{"2.3.2": {"threshold": 92}}``.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    overrides: dict[str, dict[str, Decimal | int | str]] = {}


class Section(_Frozen):
    """A section of the rubric: its points are the sum of its items' (and pools') points."""

    code: str
    name: str
    max: Points


class Pool(_Frozen):
    """Points shared by several deduction items (2.2.1–2.2.3 share the 7 points of 2.2).

    Attributes:
        code: the pool's code, reported as an item of its section. min_points: the floor.
    """

    code: str
    name: str
    section: str
    max: Points
    min_points: Points = Decimal(0)


class _Item(_Frozen):
    """What every item has.

    Attributes:
        code, name: as in RUBRIC.md. section: the section code.
        pool: a pool code, or a section code (the item deducts from the section as a whole, after
        the section's other items are scored); None for an item with points of its own.
        min_points: the item's floor (扣完为止: 0 by default).
    """

    code: str
    name: str
    section: str
    pool: str | None = None
    min_points: Points = Decimal(0)


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
    """Relative volume: ``(base + weight × V / Vmax) × max`` over the city's units."""

    kind: Literal["formula_volume"]
    max: Points
    base: Decimal = Decimal("0.6")
    weight: Decimal = Decimal("0.4")


class RateItem(_Item):
    """A work-order rate against a threshold (percent).

    Attributes:
        rate: ``satisfaction``, ``reply`` or ``ontime`` (RUBRIC.md §6).
        threshold: percent at or above which the item scores ``max``.
        per_point: points deducted per percentage point below the threshold.
        rate_rounding: ``proportional`` (88.5% against 90% is 1.5 points below) or
        ``whole_points`` (only whole points below count).
    """

    kind: Literal["rate_threshold"]
    max: Points
    rate: Literal["satisfaction", "reply", "ontime"]
    threshold: Decimal = Field(gt=0, le=100)
    per_point: Points
    rate_rounding: Literal["proportional", "whole_points"] = "proportional"


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
    AssessmentItem | PerOccurrenceItem | PerBlockItem | VolumeItem | RateItem | DeadlineItem | BonusItem,
    Field(discriminator="kind"),
]

#: Kinds recorded with ``record`` (occurrences); ``assess`` records the assessment kind.
OCCURRENCE_KINDS = frozenset({"per_occurrence", "per_block", "bonus"})


class Scoring(_Frozen):
    """Ruleset-wide scoring parameters.

    Attributes:
        rounding: the quantum each item score is rounded to, half-up (0.01).
        bonus_cap: the most bonus points a unit may earn in a year (None: no cap).
        timezone: the zone dates are calendar dates in.
    """

    rounding: Decimal = Decimal("0.01")
    bonus_cap: Points | None = None
    timezone: str = "Asia/Shanghai"


class WorkOrders(_Frozen):
    """How the platform's work-order export is read.

    Attributes:
        satisfaction_scale: every label the platform uses. satisfied_values: labels that count as
        satisfied. unrated_value: the label of an order with no satisfaction result (excluded).
    """

    satisfaction_scale: tuple[str, ...] = ("满意", "基本满意", "不满意", "未评价")
    satisfied_values: tuple[str, ...] = ("满意", "基本满意")
    unrated_value: str = "未评价"

    @model_validator(mode="after")
    def _labels_on_the_scale(self) -> WorkOrders:
        scale = set(self.satisfaction_scale)
        stray = [v for v in (*self.satisfied_values, self.unrated_value) if v not in scale]
        if stray:
            raise ValueError(f"labels not on satisfaction_scale: {', '.join(stray)}")
        return self


class Ruleset(_Frozen):
    """A whole rubric.

    Attributes:
        id: short identifier (``taian``). name: its title. units, sections, pools, items.
    """

    id: str
    name: str
    scoring: Scoring = Scoring()
    workorders: WorkOrders = WorkOrders()
    units: tuple[Unit, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    pools: tuple[Pool, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Ruleset:
        errors: list[str] = []
        sections = {s.code for s in self.sections}
        pools = {p.code for p in self.pools}
        seen: set[str] = set()
        for kind, codes in (("unit", [u.code for u in self.units]), ("item", [i.code for i in self.items])):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                errors.append(f"duplicate {kind} code(s): {', '.join(dupes)}")
        for p in self.pools:
            if p.section not in sections:
                errors.append(f"pool {p.code}: unknown section {p.section!r}")
        for item in self.items:
            seen.add(item.code)
            if item.section not in sections:
                errors.append(f"item {item.code}: unknown section {item.section!r}")
            if item.pool is not None and item.pool not in pools | sections:
                errors.append(f"item {item.code}: pool {item.pool!r} is neither a pool nor a section")
            has_max = getattr(item, "max", None) is not None
            if item.pool is None and not has_max and item.kind != "bonus":
                errors.append(f"item {item.code}: needs either max or pool")
            if item.pool is not None and has_max:
                errors.append(f"item {item.code}: has both max and pool (a pool member has no points of its own)")
        for u in self.units:
            for code, params in u.overrides.items():
                if code not in seen:
                    errors.append(f"unit {u.code}: override for unknown item {code!r}")
                    continue
                item = self.item(code)
                stray = sorted(set(params) - set(type(item).model_fields))
                if stray:
                    errors.append(f"unit {u.code}: item {code} has no parameter {', '.join(stray)}")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def item(self, code: str) -> Item:
        """The item with this code (KeyError if none)."""
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def item_for(self, unit: str, code: str) -> Item:
        """The item as it applies to ``unit``: its parameters with the unit's overrides."""
        item = self.item(code)
        overrides = self.unit(unit).overrides.get(code)
        if not overrides:
            return item
        return type(item).model_validate({**item.model_dump(), **overrides})

    def unit(self, code: str) -> Unit:
        """The unit with this code (KeyError if none)."""
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    def resolve_unit(self, name_or_code: str) -> Unit | None:
        """The unit named by code or Chinese name, or None."""
        key = name_or_code.strip()
        for u in self.units:
            if key in (u.code, u.name):
                return u
        return None
