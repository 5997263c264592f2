"""The facts that decide a unit's points in a year: counts, assessments, rate counts, deadline outcomes.

Gathered from the read model by ``projections.facts`` (and ``projections.order_rates``); the
scoring modules only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RateCounts:
    """A rate's exact counts: ``numerator / denominator`` (no rounding, ever; a weighted numerator is a Decimal)."""

    numerator: int | Decimal
    denominator: int


@dataclass(frozen=True)
class DeadlineOutcome:
    """How many periods or notices deduct, and why any are not computable yet."""

    deductions: int = 0
    pending: tuple[str, ...] = ()


@dataclass
class UnitFacts:
    """Everything that decides one unit's points in one year.

    Attributes:
        counts: item code → Σ effective count of its occurrences.
        assessments: item code → the latest awarded points.
        rates: rate code (a ``[[rates]]`` entry of the ruleset) → counts.
        monthly_rates: rate code → month (``YYYY-MM``) → counts, for items averaged over the months.
        rate_pending: rate code → why it cannot be computed (e.g. an export column not kept).
        volume: V, work orders dispatched to the unit (2.3.1).
        deadlines: item code → outcome.
        orders: item code → the orders meeting a per-order item's condition (``deductions``), and why some
        cannot be judged yet.
    """

    counts: dict[str, int] = field(default_factory=dict)
    assessments: dict[str, Decimal] = field(default_factory=dict)
    rates: dict[str, RateCounts] = field(default_factory=dict)
    volume: int = 0
    deadlines: dict[str, DeadlineOutcome] = field(default_factory=dict)
    monthly_rates: dict[str, dict[str, RateCounts]] = field(default_factory=dict)
    rate_pending: dict[str, str] = field(default_factory=dict)
    orders: dict[str, DeadlineOutcome] = field(default_factory=dict)
