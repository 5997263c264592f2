"""The item kinds of a ruleset: each item names its rule ``kind`` and carries that kind's parameters.

``Item`` is the union of the kinds' models (``ledger.rulesets.kinds``, one module per kind),
discriminated on ``kind``. Every interpretation decision of RUBRIC.md is a field of a kind's model
with its default; the scoring code reads these fields and never tests an item code.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from ledger.rulesets.kinds import MODELS, names_where
from ledger.rulesets.kinds.assessment import AssessmentItem
from ledger.rulesets.kinds.base import ItemBase as _Item
from ledger.rulesets.kinds.base import Points, _Frozen
from ledger.rulesets.kinds.bonus import BonusItem
from ledger.rulesets.kinds.deadline import DeadlineItem
from ledger.rulesets.kinds.formula_volume import VOLUME_NAMES, VolumeItem
from ledger.rulesets.kinds.per_block import PerBlockItem
from ledger.rulesets.kinds.per_occurrence import PerOccurrenceItem
from ledger.rulesets.kinds.per_order import PerOrderItem
from ledger.rulesets.kinds.rank import RankItem
from ledger.rulesets.kinds.rate_threshold import RateItem

__all__ = [
    "DEDUCTION_KINDS", "OCCURRENCE_KINDS", "VOLUME_NAMES", "AssessmentItem", "BonusItem", "DeadlineItem", "Item",
    "PerBlockItem", "PerOccurrenceItem", "PerOrderItem", "Points", "RankItem", "RateItem", "VolumeItem", "_Frozen",
    "_Item",
]

Item = Annotated[Union[MODELS], Field(discriminator="kind")]  # noqa: UP007 (a union built from the registry)

#: Kinds recorded with ``record`` (occurrences); ``assess`` records the assessment kind.
OCCURRENCE_KINDS = names_where(recorded="occurrence")
#: Kinds whose points come from deductions (so a ``cap`` means something).
DEDUCTION_KINDS = names_where(deducts=True)
