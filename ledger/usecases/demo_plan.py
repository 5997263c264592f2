"""What the demo year records for a ruleset: its units' profiles and the items it records, chosen by kind.

Every figure comes from the ruleset the year runs: its units, and its items chosen through the kinds
registry (each kind's ``demo`` says how the demo records it). A ruleset may ship hand-tuned figures beside
it (``ledger/rulesets/<id>_demo.toml``, Tai'an's keeps its demo year as the tests and the README know it);
otherwise volumes, satisfaction, diligence and frequencies are derived from the year and each unit's (and
item's) position, so two demos of one year record the same.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from ledger.rulesets.kinds import kind_of


@dataclass(frozen=True)
class Profile:
    """A unit in the demo: its code, work orders in the year, satisfied share of rated orders, diligence 0..1."""

    code: str
    orders: int
    satisfied: float
    diligence: float


@dataclass(frozen=True)
class DemoPlan:
    """The demo year of one ruleset.

    Attributes:
        units: every unit's profile, in the ruleset's order (or the demo file's).
        occurrences: (item code, yearly frequency at diligence 0) of the items recorded one by one.
        counted: the items recorded once a year with a count of orders. bonuses: the bonus items.
        assessed: the assessment items (with their maximum). schedules: the report schedules due.
        notices: whether an item judges explanations of notices. order_prefix: the work orders' number prefix.
        ruleset: the ruleset itself (``applies``: an item of some classes is recorded for their units only).
        every_item: whether each occurrence item is recorded at least once (a derived plan: the demo then shows
        every item at work; a shipped one records exactly what its figures draw).
    """

    units: tuple[Profile, ...]
    occurrences: tuple[tuple[str, int], ...]
    counted: tuple[str, ...]
    bonuses: tuple[str, ...]
    assessed: tuple[Any, ...]
    schedules: tuple[str, ...]
    notices: bool
    order_prefix: str
    ruleset: Any
    every_item: bool = False

    def applies(self, unit: str, item: str) -> bool:
        """Whether the ruleset scores ``item`` for ``unit``."""
        return bool(self.ruleset.applies(unit, item))


def _by_demo(ruleset: Any, how: str) -> list[Any]:
    """The ruleset's items whose kind the demo records ``how``, in the ruleset's order."""
    return [i for i in ruleset.items if (k := kind_of(i)) is not None and k.demo == how]


def _shipped(ruleset: Any) -> dict[str, Any] | None:
    """The hand-tuned figures shipped for this ruleset (None: none, or naming a unit or item it lacks)."""
    found = resources.files("ledger.rulesets").joinpath(f"{ruleset.id}_demo.toml")
    if not found.is_file():
        return None
    data = tomllib.loads(found.read_text(encoding="utf-8"))
    units = {u.code for u in ruleset.units}
    items = {i.code for i in ruleset.items}
    if set(data["units"]) - units or set(data["items"]) - items:
        return None
    return data


def _derived_profile(year: int, position: int, code: str) -> Profile:
    """A unit's profile from the year and its position: a city with a spread."""
    rng = random.Random(year * 1000 + position)
    return Profile(code, rng.randrange(200, 1000, 50), round(0.86 + 0.08 * rng.random(), 3),
                   round(0.5 + 0.45 * rng.random(), 2))


def _derived_frequency(year: int, position: int) -> int:
    """How often a unit of diligence 0 commits the item at ``position`` in a year."""
    return random.Random(year * 1000 + 500 + position).randrange(1, 7)


def demo_plan(ruleset: Any, year: int) -> DemoPlan:
    """The demo year of ``ruleset`` for ``year``: shipped figures where the ruleset has them, else derived."""
    shipped = _shipped(ruleset)
    if shipped is not None:
        units = tuple(Profile(code, p["orders"], p["satisfied"], p["diligence"])
                      for code, p in shipped["units"].items())
        chosen: dict[str, int] = shipped["items"]
    else:
        units = tuple(_derived_profile(year, k, u.code) for k, u in enumerate(ruleset.units))
        chosen = {i.code: _derived_frequency(year, k) for k, i in enumerate(ruleset.items)}
    schedules = {i.schedule for i in _by_demo(ruleset, "reports")}
    return DemoPlan(
        units=units,
        occurrences=tuple((i.code, chosen[i.code]) for i in _in_order(_by_demo(ruleset, "occurrences"), chosen)),
        counted=tuple(i.code for i in _in_order(_by_demo(ruleset, "count"), chosen)),
        bonuses=tuple(i.code for i in _in_order(_by_demo(ruleset, "bonus"), chosen)),
        assessed=tuple(_by_demo(ruleset, "assessment")),
        schedules=tuple(s for s in ("monthly", "quarterly") if s in schedules),
        notices="notice" in schedules,
        order_prefix=shipped["order_prefix"] if shipped else ruleset.id[:2].upper(), ruleset=ruleset,
        every_item=shipped is None)


def _in_order(items: list[Any], chosen: dict[str, int]) -> list[Any]:
    """The items among ``chosen``, in the order ``chosen`` lists them (a shipped file's order is its draw order)."""
    position = {code: k for k, code in enumerate(chosen)}
    return sorted((i for i in items if i.code in position), key=lambda i: position[i.code])


def shortfall_points(item: Any, rng: random.Random, diligence: float) -> Decimal:
    """An assessment a little short of the item's maximum (more so for a less diligent unit)."""
    shortfall = Decimal(rng.choice((0, 0, 0, 1, 2) if diligence > 0.7 else (0, 1, 2, 3))) / 10
    return max(Decimal(0), item.max - shortfall * item.max).quantize(Decimal("0.01"))
