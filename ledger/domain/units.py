"""A unit as a person names it (its code or its Chinese name), found in a year's ruleset: one rule for the write
side (recording) and the read side (score, trace, log), so both accept and refuse the same names."""

from __future__ import annotations

from ledger.domain.errors import UnknownUnit
from ledger.rulesets.schema import Ruleset, Unit


def unit_in(ruleset: Ruleset, name_or_code: str, year: int) -> Unit:
    """The unit of ``year``'s ``ruleset`` named ``name_or_code``; ``UnknownUnit`` listing the year's units if none."""
    found = ruleset.resolve_unit(name_or_code)
    if found is None:
        raise UnknownUnit(name_or_code, year, [f"{u.code}/{u.name}" for u in ruleset.units])
    return found
