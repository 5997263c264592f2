"""What every rule kind shares: the item fields common to all kinds, and the ``Kind`` a kind's module defines.

A kind's module (``ledger.rulesets.kinds.<kind>``) holds everything about the kind in one place:
its schema (a pydantic model discriminated on ``kind``), what recording it takes, its checks, its
words in ``rules check``, its scorer with the arithmetic ``trace`` shows, and the extra JSON fields
of ``score`` and ``trace``. The scoring core (``projections.scores``) and the readers ask the kind
(``ledger.rulesets.kinds.kind_of``) and never test a kind's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol

from pydantic import Field

from ledger.rulesets.frozen import Frozen as _Frozen
from projections import explanations as say
from projections.score_sheet import ZERO, ItemResult

if TYPE_CHECKING:
    import sqlite3

    from ledger.domain.calendar import WorkingCalendar
    from ledger.rulesets.schema import Ruleset
    from projections.ranked_items import RankPlace
    from projections.unit_facts import UnitFacts

Points = Annotated[Decimal, Field(ge=0)]


class ItemBase(_Frozen):
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


def n(d: Decimal | int) -> str:
    """A number as a person writes it: 0.5, 25, 12.5 (no trailing zeros)."""
    text = f"{Decimal(d):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(rate: Fraction | None) -> str | None:
    """An exact rate as a percent with two decimals, for display."""
    if rate is None:
        return None
    value = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def json_count(n: int | Decimal | None) -> int | float | None:
    """A numerator in JSON: always a number — an integer count of orders, or a weighted count with its fraction
    (448.5). A number, not a string, whatever the rate: a reader never tests the type (docs/json.md)."""
    if n is None or isinstance(n, int):
        return n
    if n == n.to_integral_value():
        return int(n)
    return float(n)  # weights have a few decimals: the shortest repr JSON prints is the exact value


def round_points(value: Decimal | Fraction, quantum: Decimal) -> Decimal:
    """Points rounded once, half-up, to the ruleset's quantum."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def floor_at(value: Decimal, floor: Decimal) -> tuple[Decimal, Decimal]:
    """(value floored, the surplus absorbed by the floor)."""
    return (value, ZERO) if value >= floor else (floor, floor - value)


@dataclass(frozen=True)
class Deduction:
    """What a deducting item takes before its cap and floor: points, the things counted, the arithmetic.

    ``pending``: why some of them cannot be judged yet (the item is then pending).
    """

    points: Decimal
    count: int
    arithmetic: str
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phrases:
    """The words ``rules check`` puts around every deducting item's rule (computed once, for every kind).

    Attributes:
        where: ``，满分3分`` or where the deduction goes (a pool, the section). cap: ``，本项最多扣3分``.
        held: the floor (``，扣完为止`` / ``，最低12.5分``; empty for a pool member). names: rate code → name.
    """

    where: str
    cap: str
    held: str
    names: Mapping[str, str]


@dataclass(frozen=True)
class ScoreContext:
    """What an item's scorer may need beyond the unit's facts.

    Attributes:
        q: the rounding quantum. vmax: the largest volume among the unit's class. place: the unit's
        place for a kind ranked among units. names: rate code → Chinese name (for the arithmetic).
    """

    q: Decimal
    vmax: int = 0
    place: RankPlace | None = None
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GatherContext:
    """What a kind reads to gather its facts: the read model, the year as of a date, the calendar.

    ``calendar`` builds the working-day calendar (with the ledger's rulings) when first asked for.
    """

    db: sqlite3.Connection
    ruleset: Ruleset
    year: int
    as_of: date
    calendar: Callable[[], WorkingCalendar]


class TraceSources(Protocol):
    """What a kind's trace lines may read (given by ``projections.documents``): the reading and the events
    behind an item."""

    db: sqlite3.Connection
    ruleset: Ruleset
    year: int
    as_of: date

    def calendar(self) -> WorkingCalendar:
        """The working-day calendar with the ledger's rulings."""
        ...

    def occurrence_events(self, unit: str, code: str, amount: Decimal | None) -> list[dict[str, Any]]:
        """Every occurrence of the item for the unit dated by as_of, with its state and history."""
        ...

    def assessment_events(self, unit: str, code: str) -> list[dict[str, Any]]:
        """Every assessment of the item for the unit."""
        ...

    def costly_orders(self, unit: str, rate: str) -> list[dict[str, Any]]:
        """The work orders that cost the unit points on a built-in rate."""
        ...


class Kind:
    """A rule kind. Subclasses set the class attributes and override what their kind does.

    Attributes:
        name: the ``kind`` value in the ruleset. model: its pydantic schema. label: its name for
        people (a gettext msgid). recorded: ``occurrence`` (``record``), ``assessment`` (``assess``) or
        None (the ledger computes it). deducts: its points come from deductions (a ``cap`` means
        something, and it may deduct from a pool). bonus: it adds points on top of its section
        (it needs neither max nor pool). own_events: its points rest on the unit's own events
        alone (a proof recomputes them). own_orders: its points rest on the unit's own work orders
        (a proof that holds all of them recomputes them). demo: how the demo year records the kind's items
        (``ledger.usecases.demo_plan``): ``occurrences`` one by one, ``count`` once with a count of orders,
        ``bonus``, ``assessment``, ``reports`` (reports and explanations of notices), ``orders`` (work orders).
    """

    name: ClassVar[str]
    model: ClassVar[type[ItemBase]]
    label: ClassVar[str]
    recorded: ClassVar[str | None] = None
    demo: ClassVar[str] = "orders"
    deducts: ClassVar[bool] = False
    bonus: ClassVar[bool] = False
    own_events: ClassVar[bool] = False
    own_orders: ClassVar[bool] = False

    def check(self, ruleset: Ruleset, item: Any, at: str) -> list[str]:
        """Problems with the item's parameters in this ruleset, as ``key.path: message`` lines."""
        return []

    def describe(self, ruleset: Ruleset, item: Any, p: Phrases) -> str:
        """What the item scores, in plain Chinese words (``rules check``)."""
        raise NotImplementedError

    def gather(self, ctx: GatherContext, items: list[Any], facts: dict[str, UnitFacts]) -> None:
        """Add to every unit's facts what this kind's ``items`` need beyond counts and assessments."""

    def deduction(self, item: Any, facts: UnitFacts) -> Deduction:
        """A deducting item's deduction, before its cap (deducting kinds only)."""
        raise NotImplementedError

    def score(self, item: Any, facts: UnitFacts, ctx: ScoreContext) -> ItemResult:
        """An item with points of its own: ``max − deduction``, capped and floored (deducting kinds)."""
        d = self.deduction(item, facts)
        deduction, arithmetic = capped(item, d.points, d.arithmetic)
        value, absorbed = floor_at(item.max - deduction, item.min_points)
        text = f"{say.shown(item.max)} − {arithmetic} = {say.shown(item.max - deduction)}"
        if absorbed:
            text += say.floored(item.min_points, absorbed)
        return ItemResult(code=item.code, name=item.name, kind=item.kind, max=item.max,
                          points=round_points(value, ctx.q), status="pending" if d.pending else "scored",
                          absorbed=absorbed, explanation=text, count=d.count, reason="；".join(d.pending) or None)

    def member(self, item: Any, facts: UnitFacts, q: Decimal, into: str) -> ItemResult:
        """An item deducting from a pool (or its section) ``into``: its deduction, capped, not yet floored."""
        d = self.deduction(item, facts)
        deduction, arithmetic = capped(item, d.points, d.arithmetic)
        deducted = round_points(deduction, q)
        return ItemResult(code=item.code, name=item.name, kind=item.kind, pool=into, deducted=deducted,
                          explanation=f"{arithmetic} = {say.shown(deducted)}{say.deducted_from(into)}",
                          count=d.count, reason="；".join(d.pending) or None,
                          status="pending" if d.pending else None)

    def places(self, ruleset: Ruleset, item: Any, members: list[str],
               facts: Mapping[str, UnitFacts]) -> dict[str, RankPlace] | None:
        """Unit → its place among ``members`` for a kind scored by comparing units (None: not such a kind)."""
        return None

    def score_json(self, result: ItemResult, events: list[str]) -> dict[str, Any]:
        """The fields ``score --format json`` adds for an item of this kind with points of its own."""
        return {}

    def trace_json(self, result: ItemResult, item: Any, unit: str, sources: TraceSources) -> dict[str, Any]:
        """The fields ``trace --format json`` adds (or replaces) for an item of this kind."""
        return {}


class OccurrenceKind(Kind):
    """A kind whose points come from occurrences recorded with ``record``: they are its own events, listed by id
    in ``score`` and with their details in ``trace``."""

    recorded = "occurrence"
    own_events = True

    def score_json(self, result: ItemResult, events: list[str]) -> dict[str, Any]:
        return {"events": events}

    def trace_json(self, result: ItemResult, item: Any, unit: str, sources: TraceSources) -> dict[str, Any]:
        return {"events": sources.occurrence_events(unit, item.code, item.amount)}


def capped(item: ItemBase, deduction: Decimal, arithmetic: str) -> tuple[Decimal, str]:
    """A deduction limited by the item's cap ("deducts at most 3 points")."""
    if item.cap is not None and deduction > item.cap:
        return item.cap, f"min({arithmetic}, {say.at_most(item.cap)})"
    return deduction, arithmetic
