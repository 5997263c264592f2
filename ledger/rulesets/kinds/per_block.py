"""``per_block``: a deduction per full block of occurrences, ``max − ⌊Σ count / block⌋ × amount`` (每满20件扣0.1分)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ledger.rulesets.kinds.base import Deduction, ItemBase, OccurrenceKind, Phrases, Points, n
from ledger.translation import N_
from projections.explanations import num
from projections.unit_facts import UnitFacts


class PerBlockItem(ItemBase):
    """``max − floor(Σ count / block) × amount``: a deduction per full block of occurrences."""

    kind: Literal["per_block"]
    amount: Points
    block: int = Field(gt=0)
    max: Points | None = None


class PerBlock(OccurrenceKind):
    """Occurrences recorded with ``record`` (``--count N``), deducting ``amount`` per full ``block``."""

    name = "per_block"
    demo = "count"
    model = PerBlockItem
    label = N_("per block of orders")
    deducts = True

    def describe(self, ruleset: Any, item: PerBlockItem, p: Phrases) -> str:
        return f"全年每满{item.block}件扣{n(item.amount)}分{p.where}{p.cap}{p.held}"

    def deduction(self, item: PerBlockItem, facts: UnitFacts) -> Deduction:
        count = facts.counts.get(item.code, 0)
        blocks = count // item.block
        return Deduction(blocks * item.amount, count, f"⌊{count} / {item.block}⌋ × {num(item.amount)}")


KIND = PerBlock()
