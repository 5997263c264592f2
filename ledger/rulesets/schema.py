"""The ruleset schema: a city's rubric as data, validated by pydantic.

A ruleset file (TOML) names the units, the sections, the pools and every item with its rule
kind and parameters. Every interpretation decision of RUBRIC.md is a field here with its
default; the scoring code reads these fields and never tests an item code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledger.rulesets.expression import Expression
from ledger.rulesets.grades import Grade, Veto
from ledger.rulesets.rates import BUILTIN_FIELDS, BUILTIN_RATES, ExtraColumn, RateDefinition

Points = Annotated[Decimal, Field(ge=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Overrides = dict[str, dict[str, Decimal | int | str]]


class Unit(_Frozen):
    """A scored unit.

    Attributes:
        code: stable identifier used in events (``taishan``). name: its Chinese name (``泰山区``).
        unit_class: the code of its class (TOML key ``class``); None when the ruleset has no classes.
        overrides: per-item parameter overrides, e.g. ``{"2.3.2": {"threshold": 92}}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    unit_class: str | None = Field(default=None, alias="class")
    overrides: Overrides = {}


class UnitClass(_Frozen):
    """A class of units scored out of the same full marks and ranked among themselves (县 / 区).

    Attributes:
        full_marks: the base points (without bonus) of the class; checked against its sections.
        overrides: item parameters for every unit of the class (a unit's own overrides win).
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    full_marks: Points | None = None
    overrides: Overrides = {}


class Section(_Frozen):
    """A section of the rubric: its points are the sum of its items' (and pools') points.

    Attributes:
        bonus_cap: the most bonus points the section's bonus items add (None: no cap).
        classes: the unit classes the section applies to (empty: every unit).
    """

    code: str
    name: str
    max: Points
    bonus_cap: Points | None = None
    classes: tuple[str, ...] = ()


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
    columns: tuple[ExtraColumn, ...] = ()

    @model_validator(mode="after")
    def _labels_on_the_scale(self) -> WorkOrders:
        scale = set(self.satisfaction_scale)
        stray = [v for v in (*self.satisfied_values, self.unrated_value) if v not in scale]
        if stray:
            raise ValueError(f"labels not on satisfaction_scale: {', '.join(stray)}")
        return self


class Disputes(_Frozen):
    """Limits on disputes.

    Attributes:
        working_days: a dispute must be filed within N working days of the evaluation it
        contests (an occurrence's date; a work order's completion date for a screening);
        None: no limit.
    """

    working_days: int | None = Field(default=None, gt=0)


class Ruleset(_Frozen):
    """A whole rubric.

    Attributes:
        id: short identifier (``taian``). name: its title. units, sections, pools, items.
        classes: unit classes (empty: every unit in one class). rates: rates of its own.
        grades, vetoes: grade bands and the items that force a grade. disputes: filing limits.
    """

    id: str
    name: str
    scoring: Scoring = Scoring()
    workorders: WorkOrders = WorkOrders()
    disputes: Disputes = Disputes()
    classes: tuple[UnitClass, ...] = ()
    units: tuple[Unit, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    pools: tuple[Pool, ...] = ()
    rates: tuple[RateDefinition, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    grades: tuple[Grade, ...] = ()
    vetoes: tuple[Veto, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Ruleset:
        errors = [message for check in _CHECKS for message in check(self)]
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
        """The item as it applies to ``unit``: its parameters with its class's, then the unit's, overrides."""
        item = self.item(code)
        u = self.unit(unit)
        overrides = {**self._class_overrides(u).get(code, {}), **u.overrides.get(code, {})}
        if not overrides:
            return item
        return type(item).model_validate({**item.model_dump(), **overrides})

    def _class_overrides(self, unit: Unit) -> Overrides:
        for c in self.classes:
            if c.code == unit.unit_class:
                return c.overrides
        return {}

    def class_of(self, unit: str) -> str:
        """The code of the unit's class ("" when the ruleset has no classes)."""
        return self.unit(unit).unit_class or ""

    def class_name(self, code: str) -> str:
        """The Chinese name of a class ("" for the single implicit class)."""
        return next((c.name for c in self.classes if c.code == code), "")

    def applies(self, unit: str, code: str) -> bool:
        """Whether the item (or section) ``code`` is scored for ``unit`` (by the classes it names)."""
        cls = self.class_of(unit)
        item = next((i for i in self.items if i.code == code), None)
        section = next(s for s in self.sections if s.code == (item.section if item else code))
        return all(not x.classes or cls in x.classes for x in (section, item) if x is not None)

    def full_marks(self, unit_class: str) -> Decimal:
        """The base points of a class: the sum of its sections' maxima."""
        return sum((s.max for s in self.sections if not s.classes or unit_class in s.classes), Decimal(0))

    def rate_definition(self, code: str) -> RateDefinition | None:
        """The ``[[rates]]`` entry of that code (None for a built-in rate)."""
        return next((r for r in self.rates if r.code == code), None)

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


# ── validation: small functions, each returning its messages (all are reported at once) ──
def _check_codes(r: Ruleset) -> list[str]:
    errors = []
    for kind, codes in (("unit", [u.code for u in r.units]), ("item", [i.code for i in r.items]),
                        ("class", [c.code for c in r.classes]), ("rate", [x.code for x in r.rates]),
                        ("grade", [g.name for g in r.grades])):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            errors.append(f"duplicate {kind} code(s): {', '.join(dupes)}")
    clash = sorted({x.code for x in r.rates} & {*BUILTIN_RATES, "volume"})
    if clash:
        errors.append(f"rates: {', '.join(clash)} is a built-in name; choose another code")
    return errors


def _check_structure(r: Ruleset) -> list[str]:
    errors = []
    sections = {s.code for s in r.sections}
    pools = {p.code for p in r.pools}
    for p in r.pools:
        if p.section not in sections:
            errors.append(f"pool {p.code}: unknown section {p.section!r}")
    for item in r.items:
        if item.section not in sections:
            errors.append(f"item {item.code}: unknown section {item.section!r}")
        if item.pool is not None and item.pool not in pools | sections:
            errors.append(f"item {item.code}: pool {item.pool!r} is neither a pool nor a section")
        item_max = getattr(item, "max", None)
        if item.pool is None and item_max is None and item.kind != "bonus":
            errors.append(f"item {item.code}: needs either max or pool")
        if item.pool is not None and item_max is not None:
            errors.append(f"item {item.code}: has both max and pool (a pool member has no points of its own)")
        if item_max is not None and item.min_points > item_max:
            errors.append(f"item {item.code}: min_points {item.min_points} is above max {item_max}")
        if item.cap is not None and item.kind not in DEDUCTION_KINDS:
            errors.append(f"item {item.code}: cap limits deductions; a {item.kind} item deducts nothing")
    return errors


def _check_overrides(r: Ruleset) -> list[str]:
    errors = []
    codes = {i.code for i in r.items}
    owners = [(f"unit {u.code}", u.overrides) for u in r.units] + [(f"class {c.code}", c.overrides) for c in r.classes]
    for owner, overrides in owners:
        for code, params in overrides.items():
            if code not in codes:
                errors.append(f"{owner}: override for unknown item {code!r}")
                continue
            item = r.item(code)
            stray = sorted(set(params) - set(type(item).model_fields))
            if stray:
                errors.append(f"{owner}: item {code} has no parameter {', '.join(stray)}")
    return errors


def _check_classes(r: Ruleset) -> list[str]:
    errors = []
    known = {c.code for c in r.classes}
    for u in r.units:
        if known and u.unit_class is None:
            errors.append(f"unit {u.code}: needs a class (one of {', '.join(sorted(known))})")
        elif u.unit_class is not None and u.unit_class not in known:
            errors.append(f"unit {u.code}: unknown class {u.unit_class!r}"
                          + (f" (known: {', '.join(sorted(known))})" if known else " (the ruleset declares no classes)"))
    for what, code, classes in [("section", s.code, s.classes) for s in r.sections] + [
            ("item", i.code, i.classes) for i in r.items]:
        stray = sorted(set(classes) - known)
        if stray:
            errors.append(f"{what} {code}: unknown class(es) {', '.join(stray)}")
    for c in r.classes:
        marks = r.full_marks(c.code)
        if c.full_marks is not None and c.full_marks != marks:
            errors.append(f"class {c.code}: full_marks {c.full_marks} but its sections add up to {marks}")
    return errors


def _check_rates(r: Ruleset) -> list[str]:
    errors = []
    columns = {c.header: c.values for c in r.workorders.columns}
    scale = r.workorders.satisfaction_scale
    fields: dict[str, tuple[str, ...] | None] = {**BUILTIN_FIELDS, "satisfaction": scale, **columns}
    for rate in r.rates:
        for name, values in [(k, v) for k, v in rate.denominator.items()] + [
                (k, v) for part in rate.numerator for k, v in part.where.items()]:
            if name not in fields:
                errors.append(f"rate {rate.code}: unknown field {name!r} (built-in: {', '.join(BUILTIN_FIELDS)}; "
                              f"declare an export column in [[workorders.columns]])")
            elif fields[name]:
                stray = [v for v in values if v not in (fields[name] or ())]
                if stray:
                    errors.append(f"rate {rate.code}: {name} has no value {', '.join(stray)}")
    rates = {*BUILTIN_RATES, *(x.code for x in r.rates)}
    for item in r.items:
        if isinstance(item, RateItem) and item.rate not in rates:
            errors.append(f"item {item.code}: unknown rate {item.rate!r} (known: {', '.join(sorted(rates))})")
        if isinstance(item, RankItem) and item.by not in rates | {"volume"}:
            errors.append(f"item {item.code}: cannot rank by {item.by!r} (volume or a rate: {', '.join(sorted(rates))})")
        if isinstance(item, VolumeItem) and item.formula is not None:
            errors.extend(f"item {item.code}: formula: {m}" for m in item.formula.check(VOLUME_NAMES))
    return errors


def _check_grades(r: Ruleset) -> list[str]:
    errors = []
    names = {g.name for g in r.grades}
    codes = {i.code for i in r.items}
    for v in r.vetoes:
        if v.item not in codes:
            errors.append(f"veto: unknown item {v.item!r}")
        if v.grade not in names:
            errors.append(f"veto of {v.item}: unknown grade {v.grade!r} (grades: {', '.join(names) or 'none declared'})")
    for s in r.sections:
        for p in r.pools:
            if p.section == s.code and p.max > s.max:
                errors.append(f"pool {p.code}: max {p.max} is above its section's {s.max}")
    return errors


_CHECKS = (_check_codes, _check_structure, _check_overrides, _check_classes, _check_rates, _check_grades)
