"""The dates a year's records may carry: a window the ruleset sets around its year (``[dates]``).

A date far from the year it is scored in (0001, 2099) is a typo or a forged file, never a fact:
one completion dated 2099 would make every later export of that order look stale. Recordings
and imports check their dates against the window of the ruleset adopted for the year concerned.
"""

from __future__ import annotations

from datetime import date

from ledger.errors import RuleViolation
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _


class DateOutOfWindow(RuleViolation):
    """A date outside the window of the ruleset adopted for the year it is recorded for."""


def window_message(what: str, given: object, year: int, first: date, last: date) -> str:
    """The refusal's text: what was given and the dates the year's ruleset allows."""
    return _("{what} {given} is outside the dates the {year} ruleset allows ({first} to {last}, [dates] in the "
             "ruleset)").format(what=what, given=given, year=year, first=first, last=last)


def check_in_window(ruleset: Ruleset, year: int, day: date, what: str) -> None:
    """Refuse ``day`` unless it lies in ``ruleset``'s window around ``year``."""
    first, last = ruleset.dates.bounds(year)
    if not first <= day <= last:
        raise DateOutOfWindow(window_message(what, day, year, first, last))
