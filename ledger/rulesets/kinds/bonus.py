"""``bonus``: points added per occurrence, ``+ Σ count × amount``, on top of the section's points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from ledger.rulesets.kinds.base import ItemBase, OccurrenceKind, Phrases, Points, n, round_points
from ledger.translation import N_
from projections import explanations as say
from projections.score_sheet import ItemResult
from projections.unit_facts import UnitFacts


class BonusItem(ItemBase):
    """Points added per occurrence, on top of the section's points."""

    kind: Literal["bonus"]
    amount: Points


class Bonus(OccurrenceKind):
    """Occurrences recorded with ``record``, each adding ``amount`` (limited by the bonus caps)."""

    name = "bonus"
    demo = "bonus"
    model = BonusItem
    label = N_("bonus")
    bonus = True

    def describe(self, ruleset: Any, item: BonusItem, p: Phrases) -> str:
        return f"每次加{n(item.amount)}分（加分另计，可超过本部分满分）"

    def add(self, item: BonusItem, facts: UnitFacts, q: Decimal, left: Decimal | None) -> tuple[ItemResult, Decimal]:
        """The bonus line and its points (rounded as shown), held at what is ``left`` of its caps (None: no cap)."""
        count = facts.counts.get(item.code, 0)
        # Rounded once, as the line shows it: the section adds the lines up (0.13 + 0.13, not 0.25).
        earned = round_points(count * item.amount, q)
        text = f"+ {count} × {say.num(item.amount)}"
        if left is not None and earned > left:
            text += f" = {say.shown(earned)}{say.bonus_capped(left)}"
            earned = left
        else:
            text += f" = {say.shown(earned)}"
        return ItemResult(code=item.code, name=item.name, kind=item.kind, bonus=round_points(earned, q),
                          count=count, explanation=text), earned


KIND = Bonus()
