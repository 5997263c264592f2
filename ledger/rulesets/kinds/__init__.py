"""The rule kinds, one module each, listed here in one place.

Adding a kind is adding a module that defines its item model and a ``KIND`` (a
``ledger.rulesets.kinds.base.Kind``), and naming it in ``_MODULES``: the ruleset schema, ``rules
check``, recording, scoring, ``score``/``trace`` JSON and the proofs all ask the kind through
``kind_of`` and never test its name.
"""

from __future__ import annotations

from typing import Any

from ledger.rulesets.kinds import (
    assessment,
    bonus,
    deadline,
    formula_volume,
    per_block,
    per_occurrence,
    per_order,
    rank,
    rate_threshold,
)
from ledger.rulesets.kinds.base import Kind

_MODULES = (assessment, per_occurrence, per_block, formula_volume, rate_threshold, rank, deadline, bonus, per_order)

#: Every kind, by its ``kind`` value, in the order the schema lists them.
KINDS: dict[str, Kind] = {m.KIND.name: m.KIND for m in _MODULES}
_BY_MODEL: dict[type, Kind] = {k.model: k for k in KINDS.values()}

#: The item models, for the schema's union discriminated on ``kind``.
MODELS: tuple[type, ...] = tuple(k.model for k in KINDS.values())


def kind_of(item: Any) -> Kind | None:
    """The kind of an item of the ruleset (None for a model no module defines)."""
    return _BY_MODEL.get(type(item))


def names_where(**wanted: Any) -> frozenset[str]:
    """The names of the kinds whose attributes have these values (``names_where(recorded="occurrence")``)."""
    return frozenset(k.name for k in KINDS.values() if all(getattr(k, a) == v for a, v in wanted.items()))
