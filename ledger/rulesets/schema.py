"""The ruleset schema: a city's rubric as data, validated by pydantic.

A ruleset file (TOML) names the units, the sections, the pools and every item with its rule
kind and parameters. Every interpretation decision of RUBRIC.md is a field here with its
default; the scoring code reads these fields and never tests an item code.

The item kinds live in ``ledger.rulesets.items``, the settings (scoring, work orders, disputes, working
time, dates) in ``ledger.rulesets.schema_settings`` and the whole-ruleset checks in
``ledger.rulesets.validation``; their names are re-exported here, so ``ledger.rulesets.schema``
remains the one place to import the ruleset's vocabulary from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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
from ledger.rulesets.schema_settings import DateWindow, Disputes, Points, Scoring, WorkingTime, WorkOrders
from ledger.rulesets.validation import CHECKS, PROBLEMS_SEPARATOR

__all__ = [
    "BUILTIN_FIELDS", "DEDUCTION_KINDS", "OCCURRENCE_KINDS", "PROBLEMS_SEPARATOR", "RESERVED_CODES",
    "VOLUME_NAMES",
    "AssessmentItem", "BonusItem", "DateWindow", "DeadlineItem", "Disputes", "Expression", "ExtraColumn", "Grade",
    "Item", "Overrides", "PerBlockItem", "PerOccurrenceItem", "Points", "Pool", "RankItem", "RateDefinition",
    "RateItem", "Ruleset", "Scoring", "Section", "Unit", "UnitClass", "Veto", "VolumeItem", "WorkOrders",
    "WorkingTime",
]



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
