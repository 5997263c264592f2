"""``per_occurrence``: a deduction per counted occurrence, ``max − Σ count × amount`` (or the same from a pool)."""

from __future__ import annotations

from typing import Any, Literal

from ledger.rulesets.kinds.base import Deduction, ItemBase, OccurrenceKind, Phrases, Points, n
from ledger.translation import N_
from projections.explanations import num
from projections.unit_facts import UnitFacts


class PerOccurrenceItem(ItemBase):
    """``max − Σ count × amount``, floored (or the same taken from the pool)."""

    kind: Literal["per_occurrence"]
    amount: Points
    max: Points | None = None


class PerOccurrence(OccurrenceKind):
    """Occurrences recorded with ``record``, each deducting ``amount``."""

    name = "per_occurrence"
    demo = "occurrences"
    model = PerOccurrenceItem
    label = N_("per occurrence")
    deducts = True

    def describe(self, ruleset: Any, item: PerOccurrenceItem, p: Phrases) -> str:
        return f"每发生1次扣{n(item.amount)}分{p.where}{p.cap}{p.held}"

    def deduction(self, item: PerOccurrenceItem, facts: UnitFacts) -> Deduction:
        count = facts.counts.get(item.code, 0)
        return Deduction(count * item.amount, count, f"{count} × {num(item.amount)}")


KIND = PerOccurrence()
