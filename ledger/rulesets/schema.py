"""The ruleset schema: a city's rubric as data, validated by pydantic.

A ruleset file (TOML) names the units, the sections, the pools and every item with its rule
kind and parameters. Every interpretation decision of RUBRIC.md is a field here with its
default; the scoring code reads these fields and never tests an item code.

The item kinds live in ``ledger.rulesets.items`` and the whole-ruleset checks in
``ledger.rulesets.validation``; their names are re-exported here, so ``ledger.rulesets.schema``
remains the one place to import the ruleset's vocabulary from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from ledger.rulesets.expression import Expression
from ledger.rulesets.frozen import Frozen as _Frozen
from ledger.rulesets.grades import Grade, Veto, VetoItem
from ledger.rulesets.items import (
    DEDUCTION_KINDS,
    OCCURRENCE_KINDS,
    VOLUME_NAMES,
    AssessmentItem,
    BonusItem,
    DeadlineItem,
    Item,
    PerBlockItem,
    PerOccurrenceItem,
    RankItem,
    RateItem,
    VolumeItem,
)
from ledger.rulesets.rates import BUILTIN_FIELDS, RESERVED_CODES, ExtraColumn, RateDefinition, standard_rates
from ledger.rulesets.validation import CHECKS, PROBLEMS_SEPARATOR
from ledger.translation import _
from ledger.working_time import Spans, parse_spans

__all__ = [
    "BUILTIN_FIELDS", "DEDUCTION_KINDS", "OCCURRENCE_KINDS", "PROBLEMS_SEPARATOR", "RESERVED_CODES",
    "VOLUME_NAMES",
    "AssessmentItem", "BonusItem", "DateWindow", "DeadlineItem", "Disputes", "Expression", "ExtraColumn", "Grade",
    "Item", "Overrides", "PerBlockItem", "PerOccurrenceItem", "Points", "Pool", "RankItem", "RateDefinition",
    "RateItem", "Ruleset", "Scoring", "Section", "Unit", "UnitClass", "Veto", "VolumeItem", "WorkOrders",
    "WorkingTime",
]

Points = Annotated[Decimal, Field(ge=0)]


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
        cap: the most points the section scores, bonus included (本部分不超过N分; None: no cap).
        classes: the unit classes the section applies to (empty: every unit).
    """

    code: str
    name: str
    max: Points
    bonus_cap: Points | None = None
    cap: Points | None = None
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


class Scoring(_Frozen):
    """Ruleset-wide scoring parameters.

    Attributes:
        rounding: the quantum each item score is rounded to, half-up (0.01).
        bonus_cap: the most bonus points a unit may earn in a year (None: no cap).
        total_cap: the most points a unit's total reaches, bonuses included (总分不超过100分;
        None: no cap).
        timezone: the zone dates are calendar dates in.
    """

    rounding: Decimal = Decimal("0.01")
    bonus_cap: Points | None = None
    total_cap: Points | None = None
    timezone: str = "Asia/Shanghai"


class WorkOrders(_Frozen):
    """How the platform's work-order export is read.

    Attributes:
        satisfaction_scale: every label the platform uses. satisfied_values: labels that count as
        satisfied. unrated_value: the label of an order with no satisfaction result (excluded).
        columns: extra export columns the rates read.
        screening_leaves: what an accepted screening (甄别) takes an order out of: ``rate`` (the
        numerator and denominator of the one rate it names, RUBRIC.md §6) or ``all`` (every
        rate's at once, whichever rate it was filed for).
    """

    satisfaction_scale: tuple[str, ...] = ("满意", "基本满意", "不满意", "未评价")
    satisfied_values: tuple[str, ...] = ("满意", "基本满意")
    unrated_value: str = "未评价"
    columns: tuple[ExtraColumn, ...] = ()
    screening_leaves: Literal["rate", "all"] = "rate"

    @model_validator(mode="after")
    def _labels_on_the_scale(self) -> WorkOrders:
        scale = set(self.satisfaction_scale)
        stray = [v for v in (*self.satisfied_values, self.unrated_value) if v not in scale]
        if stray:
            raise ValueError(_("labels not on satisfaction_scale: {labels}").format(labels=", ".join(stray)))
        return self


class Disputes(_Frozen):
    """Limits on disputes.

    Attributes:
        working_days: a dispute must be filed within N working days of the evaluation it
        contests (an occurrence's date; for a screening, the order's date ``screening_from``
        names); None: no limit.
        screening_from: which date of a work order a screening's window counts from:
        ``completed`` (its completion, the default: an open order has no window yet),
        ``dispatched`` or ``due``.
    """

    working_days: int | None = Field(default=None, gt=0)
    screening_from: Literal["completed", "dispatched", "due"] = "completed"


class WorkingTime(_Frozen):
    """The centre's working hours, for time limits in working hours (``[calendar]``).

    Attributes:
        working_hours: the spans of a working day (``["09:00-12:00", "13:30-17:30"]``), in order; empty: the
        ruleset counts no working hours (a rule that needs them is refused).
    """

    working_hours: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _spans(self) -> WorkingTime:
        try:
            parse_spans(self.working_hours)
        except ValueError as e:
            raise ValueError(_("working_hours: {problem}").format(problem=e)) from None
        return self

    def spans(self) -> Spans:
        """The working hours as (start, end) seconds since midnight."""
        return parse_spans(self.working_hours)


class DateWindow(_Frozen):
    """The dates a year's records may carry: from 1 January ``years_before`` years before the
    ruleset's year to 31 December ``years_after`` years after it.

    Attributes:
        years_before, years_after: whole years either side (a year's last reports and the
        explanations of its December notices fall in the next year; an order dispatched in
        December of the year before may be completed in this one).
    """

    years_before: int = Field(default=1, ge=0, le=10)
    years_after: int = Field(default=1, ge=0, le=10)

    def bounds(self, year: int) -> tuple[date, date]:
        """The first and last date allowed for the records of ``year`` (clamped to the calendar)."""
        return (date(max(1, year - self.years_before), 1, 1), date(min(9999, year + self.years_after), 12, 31))


class Ruleset(_Frozen):
    """A whole rubric.

    Attributes:
        id: short identifier (``taian``). name: its title. units, sections, pools, items.
        classes: unit classes (empty: every unit in one class). rates: rates of its own.
        grades, vetoes: grade bands and the items that force a grade. disputes: filing limits.
        dates: the window around the year that every date recorded for it must fall in.
        calendar: the working hours a time limit in working hours counts.
    """

    id: str
    name: str
    scoring: Scoring = Scoring()
    workorders: WorkOrders = WorkOrders()
    disputes: Disputes = Disputes()
    dates: DateWindow = DateWindow()
    calendar: WorkingTime = WorkingTime()
    classes: tuple[UnitClass, ...] = ()
    units: tuple[Unit, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    pools: tuple[Pool, ...] = ()
    rates: tuple[RateDefinition, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    grades: tuple[Grade, ...] = ()
    vetoes: tuple[Veto, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _standard_rates(cls, data: Any) -> Any:
        """Add the rates of ``standard_rates.toml`` that an item names (``rate``, ``by``, in an override too) and the
        text does not declare: a text adopted before rates were data declares none of them."""
        if not isinstance(data, dict) or not isinstance(data.get("rates", []), list | tuple):
            return data
        declared = list(data.get("rates", []))
        codes = {str(r.get("code") if isinstance(r, dict) else getattr(r, "code", None)) for r in declared}
        def listed(key: str) -> list[Any]:
            value = data.get(key, ())
            return list(value) if isinstance(value, list | tuple) else []

        tables = listed("items")
        for owner in (*listed("units"), *listed("classes")):
            overrides = owner.get("overrides") if isinstance(owner, dict) else None
            tables += list(overrides.values()) if isinstance(overrides, dict) else []
        named = {str(t.get(k)) for t in tables if isinstance(t, dict) for k in ("rate", "by")}
        added = [r for r in standard_rates() if r["code"] in named - codes]
        return {**data, "rates": declared + added} if added else data

    @model_validator(mode="after")
    def _references_resolve(self) -> Ruleset:
        errors = [message for check in CHECKS for message in check(self)]
        if errors:
            raise ValueError(PROBLEMS_SEPARATOR.join(errors))
        return self

    def item(self, code: str) -> Item:
        """The item with this code (KeyError if none)."""
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def veto_item(self, code: str) -> VetoItem | None:
        """The item a veto declares itself under ``code`` (recorded, never scored), or None."""
        for v in self.vetoes:
            if v.name is not None and v.item == code:
                return VetoItem(code=v.item, name=v.name)
        return None

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
        """The ``[[rates]]`` entry of that code (a standard rate the text did not declare included), or None."""
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
