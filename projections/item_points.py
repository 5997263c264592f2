"""The points (or deduction) of one item for one unit, with its arithmetic: its kind's rule.

Pure: an item of the ruleset and the unit's facts in, one ``ItemResult`` out. Each kind's rule is
its module in ``ledger.rulesets.kinds``; pools, sections, bonuses and ranking among units are
``projections.scores``; the words are ``projections.explanations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ledger.rulesets.kinds import kind_of
from ledger.rulesets.kinds.base import ScoreContext, floor_at, round_points
from ledger.rulesets.schema import Item
from projections.ranked_items import RankPlace
from projections.score_sheet import ItemResult
from projections.unit_facts import UnitFacts

__all__ = ["floor_at", "member_deduction", "round_points", "score_own"]


def score_own(item: Item, facts: UnitFacts, vmax: int, q: Decimal, place: RankPlace | None = None,
              names: Mapping[str, str] | None = None) -> ItemResult:
    """An item with points of its own (``names``: rate code → Chinese name, for the explanation)."""
    kind = kind_of(item)
    assert kind is not None, item  # the schema admits only the models of the registered kinds
    return kind.score(item, facts, ScoreContext(q, vmax, place, names or {}))


def member_deduction(item: Item, facts: UnitFacts, q: Decimal, into: str) -> ItemResult:
    """An item deducting from a pool (or its section) ``into``: its deduction, capped, not yet floored."""
    kind = kind_of(item)
    assert kind is not None, item
    return kind.member(item, facts, q, into)
