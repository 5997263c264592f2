"""Grade bands (优秀 / 良好 / 合格 / 不合格) and vetoes (一票否决) of a ruleset.

A unit's grade is the first band, from the top, whose threshold its total reaches; a veto
(enough occurrences of a named item) forces its grade whatever the points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from ledger.rulesets.frozen import Frozen as _Frozen
from ledger.translation import _

Points = Annotated[Decimal, Field(ge=0)]


class Grade(_Frozen):
    """A grade band, reached at ``min_points`` points or at ``min_percent`` of the unit's full marks.

    Exactly one of the two is given; the lowest band usually has ``min_points = 0``.
    """

    name: str = Field(min_length=1)
    min_points: Points | None = None
    min_percent: Annotated[Decimal, Field(ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _one_threshold(self) -> Grade:
        if (self.min_points is None) == (self.min_percent is None):
            raise ValueError(_("give exactly one of min_points or min_percent"))
        return self

    def threshold(self, full_marks: Decimal) -> Decimal:
        """The points at which the band is reached for a unit of these full marks."""
        if self.min_points is not None:
            return self.min_points
        assert self.min_percent is not None
        return full_marks * self.min_percent / 100


class Veto(_Frozen):
    """``count`` or more effective occurrences of ``item`` in the year force ``grade``.

    Attributes:
        item: the code of a scored item (its occurrences both deduct and veto), or, with ``name``,
        the code of an item the veto declares itself: recorded with ``record --item`` like any
        occurrence, scoring no points and standing in no section (一票否决事项, no dummy item).
        name: the veto item's Chinese name (None: ``item`` names a scored item).
    """

    item: str = Field(min_length=1)
    grade: str
    count: int = Field(default=1, gt=0)
    name: str | None = Field(default=None, min_length=1)


class VetoItem(_Frozen):
    """A veto's own item as the recording side sees it: a code, a name and the kind ``veto``."""

    code: str
    name: str
    kind: str = "veto"


@dataclass(frozen=True)
class Verdict:
    """A unit's grade and, when a veto decided it, the item that did."""

    grade: str | None
    vetoed_by: str | None = None


def grade_of(total: Decimal, full_marks: Decimal, counts: Mapping[str, int], grades: Sequence[Grade],
             vetoes: Sequence[Veto]) -> Verdict:
    """The grade of a unit with ``total`` points (vetoes first, then the bands from the top)."""
    for veto in vetoes:
        if counts.get(veto.item, 0) >= veto.count:
            return Verdict(veto.grade, veto.item)
    for band in sorted(grades, key=lambda g: g.threshold(full_marks), reverse=True):
        if total >= band.threshold(full_marks):
            return Verdict(band.name)
    return Verdict(None)
