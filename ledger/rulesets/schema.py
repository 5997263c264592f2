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

#: Separates the problems one validator finds (loading reports each on a line of its own).
PROBLEMS_SEPARATOR = "\n"

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
            raise ValueError(PROBLEMS_SEPARATOR.join(errors))
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


# ── validation: small functions, each returning "key.path: message" lines (all are reported at once) ──
def _at(kind: str, index: int, code: str) -> str:
    """The key path of an entry of a table array, as ``rules check`` prints it (items[3](2.2.1))."""
    return f"{kind}[{index}]({code})"


def _check_codes(r: Ruleset) -> list[str]:
    errors = []
    for kind, codes in (("units", [u.code for u in r.units]), ("items", [i.code for i in r.items]),
                        ("classes", [c.code for c in r.classes]), ("rates", [x.code for x in r.rates]),
                        ("grades", [g.name for g in r.grades])):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            errors.append(f"{kind}: duplicate code(s) {', '.join(dupes)}")
    for n, rate in enumerate(r.rates):
        if rate.code in {*BUILTIN_RATES, "volume"}:
            errors.append(f"{_at('rates', n, rate.code)}.code: {rate.code} is a built-in name; choose another")
    return errors


def _check_structure(r: Ruleset) -> list[str]:
    errors = []
    sections = {s.code for s in r.sections}
    pools = {p.code for p in r.pools}
    for n, p in enumerate(r.pools):
        if p.section not in sections:
            errors.append(f"{_at('pools', n, p.code)}.section: unknown section {p.section!r}")
        elif p.max > next(s.max for s in r.sections if s.code == p.section):
            errors.append(f"{_at('pools', n, p.code)}.max: {p.max} is above its section's maximum")
    for n, item in enumerate(r.items):
        at = _at("items", n, item.code)
        if item.section not in sections:
            errors.append(f"{at}.section: unknown section {item.section!r}")
        if item.pool is not None and item.pool not in pools | sections:
            errors.append(f"{at}.pool: {item.pool!r} is neither a pool nor a section")
        item_max = getattr(item, "max", None)
        if item.pool is None and item_max is None and item.kind != "bonus":
            errors.append(f"{at}: needs either max or pool")
        if item.pool is not None and item_max is not None:
            errors.append(f"{at}: has both max and pool (a pool member has no points of its own)")
        if item_max is not None and item.min_points > item_max:
            errors.append(f"{at}.min_points: {item.min_points} is above max {item_max}")
        if item.cap is not None and item.kind not in DEDUCTION_KINDS:
            errors.append(f"{at}.cap: cap limits deductions, and a {item.kind} item deducts nothing")
    return errors


def _check_overrides(r: Ruleset) -> list[str]:
    errors = []
    codes = {i.code for i in r.items}
    owners = [(_at("units", n, u.code), u.overrides) for n, u in enumerate(r.units)]
    owners += [(_at("classes", n, c.code), c.overrides) for n, c in enumerate(r.classes)]
    for owner, overrides in owners:
        for code, params in overrides.items():
            if code not in codes:
                errors.append(f"{owner}.overrides: unknown item {code!r}")
                continue
            stray = sorted(set(params) - set(type(r.item(code)).model_fields))
            if stray:
                errors.append(f"{owner}.overrides.{code}: item {code} has no parameter {', '.join(stray)}")
    return errors


def _check_classes(r: Ruleset) -> list[str]:
    errors = []
    known = {c.code for c in r.classes}
    for n, u in enumerate(r.units):
        if known and u.unit_class is None:
            errors.append(f"{_at('units', n, u.code)}.class: missing (one of {', '.join(sorted(known))})")
        elif u.unit_class is not None and u.unit_class not in known:
            hint = f"known: {', '.join(sorted(known))}" if known else "the ruleset declares no [[classes]]"
            errors.append(f"{_at('units', n, u.code)}.class: unknown class {u.unit_class!r} ({hint})")
    tables = [(_at("sections", n, s.code), s.classes) for n, s in enumerate(r.sections)]
    tables += [(_at("items", n, i.code), i.classes) for n, i in enumerate(r.items)]
    for at, classes in tables:
        stray = sorted(set(classes) - known)
        if stray:
            errors.append(f"{at}.classes: unknown class(es) {', '.join(stray)}")
    for n, c in enumerate(r.classes):
        marks = r.full_marks(c.code)
        if c.full_marks is not None and c.full_marks != marks:
            errors.append(f"{_at('classes', n, c.code)}.full_marks: {c.full_marks}, but the sections of the class "
                          f"add up to {marks}")
    return errors


def _check_rates(r: Ruleset) -> list[str]:
    errors = []
    columns = {c.header: c.values for c in r.workorders.columns}
    fields: dict[str, tuple[str, ...] | None] = {**BUILTIN_FIELDS, "satisfaction": r.workorders.satisfaction_scale,
                                                 **columns}
    for n, rate in enumerate(r.rates):
        at = _at("rates", n, rate.code)
        conditions = [("denominator", rate.denominator)]
        conditions += [(f"numerator[{k}].where", part.where) for k, part in enumerate(rate.numerator)]
        for where, condition in conditions:
            for name, values in condition.items():
                if name not in fields:
                    errors.append(f"{at}.{where}: unknown field {name!r} (built-in: {', '.join(BUILTIN_FIELDS)}; "
                                  f"declare an export column in [[workorders.columns]])")
                elif fields[name]:
                    stray = [v for v in values if v not in (fields[name] or ())]
                    if stray:
                        errors.append(f"{at}.{where}.{name}: no such value {', '.join(stray)} "
                                      f"(values: {', '.join(fields[name] or ())})")
    rates = {*BUILTIN_RATES, *(x.code for x in r.rates)}
    for n, item in enumerate(r.items):
        at = _at("items", n, item.code)
        if isinstance(item, RateItem) and item.rate not in rates:
            errors.append(f"{at}.rate: unknown rate {item.rate!r} (known: {', '.join(sorted(rates))})")
        if isinstance(item, RankItem) and item.by not in rates | {"volume"}:
            errors.append(f"{at}.by: cannot rank by {item.by!r} (volume or a rate: {', '.join(sorted(rates))})")
        if isinstance(item, VolumeItem) and item.formula is not None:
            errors.extend(f"{at}.formula: {m}" for m in item.formula.check(VOLUME_NAMES))
    return errors


def _check_grades(r: Ruleset) -> list[str]:
    errors = []
    names = {g.name for g in r.grades}
    codes = {i.code for i in r.items}
    for n, v in enumerate(r.vetoes):
        if v.item not in codes:
            errors.append(f"{_at('vetoes', n, v.item)}.item: unknown item {v.item!r}")
        if v.grade not in names:
            known = ", ".join(g.name for g in r.grades) or "none declared"
            errors.append(f"{_at('vetoes', n, v.item)}.grade: unknown grade {v.grade!r} (grades: {known})")
    return errors


_CHECKS = (_check_codes, _check_structure, _check_overrides, _check_classes, _check_rates, _check_grades)
