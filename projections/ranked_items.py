"""Items scored by rank among the units of the same class (rank 1 full, each lower rank a step less).

Ranks are competition ranks: equal values share the better rank and the next rank skips
(1, 1, 3). A unit with no value (no order in the rate's denominator) takes no rank: pending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class RankPlace:
    """A unit's place on one ranked item.

    Attributes:
        rank: 1 for the best; None when the unit has no value. of: how many units were ranked.
        value: the exact value ranked (a rate as a fraction, or the volume V).
    """

    rank: int | None
    of: int
    value: Fraction | None


def competition_ranks(values: Mapping[str, Fraction | None], high_first: bool = True) -> dict[str, RankPlace]:
    """Every unit's place: units with a value ranked by it; ties share the better rank."""
    ranked = sorted(((v, u) for u, v in values.items() if v is not None), key=lambda p: -p[0] if high_first else p[0])
    places: dict[str, RankPlace] = {}
    previous: tuple[Fraction, int] | None = None
    for position, (value, unit) in enumerate(ranked, start=1):
        rank = previous[1] if previous is not None and previous[0] == value else position
        places[unit] = RankPlace(rank, len(ranked), value)
        previous = (value, rank)
    for unit, value in values.items():
        if value is None:
            places[unit] = RankPlace(None, len(ranked), None)
    return places
