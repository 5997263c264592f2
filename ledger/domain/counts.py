"""The largest count one occurrence (or an amended dispute) may carry.

Not a rubric rule but a storage bound: counts are summed as 64-bit integers by the stores and
the read model, and decoded by orjson, which cannot read an integer past 64 bits back. A count
beyond any real number of work orders is refused when recorded, so no event can make the ledger
unreadable or a sum overflow.
"""

from __future__ import annotations

from ledger.domain.errors import RuleViolation
from ledger.translation import gettext as _

#: A billion per occurrence: far beyond a year's work orders, and 9 billion of them still sum in 64 bits.
MAX_COUNT = 10**9


def check_count(count: int) -> None:
    """Refuse a count above ``MAX_COUNT`` (positivity is checked by the caller, with its own message)."""
    if count > MAX_COUNT:
        shown = count if count < 10**24 else f"of {len(str(count))} digits"
        raise RuleViolation(_("count {value} is larger than {most}, the most one record may carry").format(
            value=shown, most=MAX_COUNT), field="count")
