"""A unit's score sheet: one result line per item (or pool), its sections, and the unit's year.

Plain values produced by ``projections.scores``; ``projections.documents`` turns them into the
JSON of ``score`` and ``trace``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

ZERO = Decimal(0)


@dataclass(frozen=True)
class ItemResult:
    """One line of a unit's sheet.

    Attributes:
        code, name, kind: the item (or pool: kind ``pool``).
        max, points, status: for an item with points of its own (or a pool); status is
            ``scored`` or ``pending``.
        pool, deducted: for an item deducting from a pool (or a section).
        bonus: for a bonus item.
        absorbed: deductions beyond the floor, reported rather than silently dropped.
        explanation: the arithmetic, as text (Chinese). reason: why pending (Chinese).
        rate, numerator, denominator: for a rate item (``rate`` exact).
    """

    code: str
    name: str
    kind: str
    max: Decimal | None = None
    points: Decimal | None = None
    status: str | None = None
    pool: str | None = None
    deducted: Decimal | None = None
    bonus: Decimal | None = None
    absorbed: Decimal = ZERO
    explanation: str = ""
    reason: str | None = None
    rate: Fraction | None = None
    numerator: int | Decimal | None = None
    denominator: int | None = None
    count: int = 0
    rank: int | None = None


@dataclass(frozen=True)
class SectionResult:
    """A section: its items (pools reported as items), points and any absorbed surplus.

    ``status`` is ``pending`` while any of its items is, and ``reason`` then says which and why.
    """

    code: str
    name: str
    max: Decimal
    points: Decimal
    items: tuple[ItemResult, ...]
    explanation: str
    absorbed: Decimal = ZERO
    status: str = "scored"
    reason: str | None = None
    capped: Decimal = ZERO


@dataclass(frozen=True)
class UnitScore:
    """A unit's year: total = Σ sections (bonus inside its section), base = total − bonus.

    Attributes:
        rank: among the units of its class. unit_class: the class code ("" with no classes).
        full_marks: the class's base points. grade, vetoed_by: the grade band reached, or forced
        by a veto item (None when the ruleset declares no grades). explanation: the total's
        arithmetic (Σ sections, and the total cap when it applied). capped: the points the total
        cap took off (0 when it did not apply).
    """

    unit: str
    name: str
    total: Decimal
    bonus: Decimal
    sections: tuple[SectionResult, ...]
    rank: int = 0
    unit_class: str = ""
    full_marks: Decimal | None = None
    grade: str | None = None
    vetoed_by: str | None = None
    explanation: str = ""
    capped: Decimal = ZERO

    @property
    def base(self) -> Decimal:
        """The points before bonus and caps: base + bonus − what the caps took = total."""
        return self.total + self.capped + sum((s.capped for s in self.sections), ZERO) - self.bonus

    def item(self, code: str) -> ItemResult:
        """The result line for an item or pool code."""
        for s in self.sections:
            for i in s.items:
                if i.code == code:
                    return i
        raise KeyError(code)

    def largest_loss(self) -> str | None:
        """The scored item (or pool) that cost the unit most points: where an explanation starts."""
        lost = [(i.max - i.points, i.code) for s in self.sections for i in s.items
                if i.max is not None and i.points is not None and i.status == "scored"]
        return max(lost)[1] if lost and max(lost)[0] > 0 else None


def pending_summary(lines: list[ItemResult]) -> str | None:
    """Why some of ``lines`` are pending: each reason once, after the codes it holds up.

    Two deadline items waiting for the same calendar year give one
    ``"3.2.5.1、3.2.5.2：<reason>"``, not the same sentence twice.
    """
    codes: dict[str, list[str]] = {}
    for line in lines:
        if line.status == "pending" and line.reason:
            codes.setdefault(line.reason, []).append(line.code)
    return "；".join(f"{'、'.join(c)}：{reason}" for reason, c in codes.items()) or None
