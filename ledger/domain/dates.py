"""The one way a person types a date: ``YYYY-MM-DD`` (CLI.md), read alike by the CLI and the web service.

``date.fromisoformat`` alone also takes ``20250304`` and ``2025-W10-2`` (and a pydantic date takes
a Unix timestamp): none of those is a date here, whatever front it came through, and every front
refuses them with the same message, in the reader's language (ledger/translation.py).
"""

from __future__ import annotations

import re
from datetime import date

from ledger.translation import gettext as _

#: Exactly ``YYYY-MM-DD`` in ASCII digits (``\d`` would take other scripts' digits too).
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class NotADate(ValueError):
    """Text that is not a ``YYYY-MM-DD`` date (a shape error: the CLI's usage error, the web's 422)."""


def shown(text: str, limit: int = 24) -> str:
    """A value for a message, cut short: a 4,300-character value is not worth repeating whole."""
    if len(text) <= limit:
        return repr(text)
    return _("{start}… ({count} characters)").format(start=repr(text[:limit]), count=len(text))


def not_a_date(text: str) -> str:
    """The refusal of ``text`` as a date, as every front words it."""
    return _("{value} is not a date: write it as YYYY-MM-DD (e.g. 2025-03-04)").format(value=shown(text))


def parse_day(text: str | date) -> date:
    """``text`` (``YYYY-MM-DD``, surrounding blanks ignored) as a date; ``NotADate`` for anything else."""
    if isinstance(text, date):
        return text
    value = str(text).strip()
    if not _DAY.fullmatch(value):
        raise NotADate(not_a_date(value))
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2025-02-30: the right shape, no such day
        raise NotADate(not_a_date(value)) from None
