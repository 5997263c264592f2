"""The dates a year's records may carry: a window the ruleset sets around its year (``[dates]``).

A date far from the year it is scored in (0001, 2099) is a typo or a forged file, never a fact:
one completion dated 2099 would make every later export of that order look stale. Recordings
and imports check their dates against the window of the ruleset adopted for the year concerned.

Every record is also dated one way (docs/dates.md): the day a thing happened — an occurrence, an
assessment, a report's submission, a notice's receipt, an explanation, a dispute's filing — is
never after the day it is recorded (today in the ruleset's time zone): a date still to come is a typo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ledger.domain.errors import RuleViolation
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _


class DateOutOfWindow(RuleViolation):
    """A date outside the window of the ruleset adopted for the year it is recorded for."""

    field = "date"


def window_message(what: str, given: object, year: int, first: date, last: date) -> str:
    """The refusal's text: what was given and the dates the year's ruleset allows."""
    return _("{what} {given} is outside the dates the {year} ruleset allows ({first} to {last}, [dates] in the "
             "ruleset)").format(what=_(what), given=given, year=year, first=first, last=last)


#: A clock: the time now in a zone. Use cases never read one themselves: the application is given one
#: (``LedgerCore(clock=...)``) and hands the day it reads to the checks below.
Clock = Callable[[ZoneInfo], datetime]

#: The machine's clock, read by ``system_clock`` (tests of a year still to come replace it; nothing else does).
CLOCK: Clock = datetime.now


def system_clock(zone: ZoneInfo) -> datetime:
    """The machine's clock (``CLOCK`` as it is when called): an application's clock unless it is given another."""
    return CLOCK(zone)


def today_in(ruleset: Ruleset, clock: Clock) -> date:
    """Today's date by ``clock`` in the ruleset's time zone."""
    return clock(ZoneInfo(ruleset.scoring.timezone)).date()


def check_recorded_date(ruleset: Ruleset, year: int, day: date, what: str, today: date) -> None:
    """Refuse ``day`` unless it lies in ``ruleset``'s window around ``year`` and is not after ``today``."""
    check_in_window(ruleset, year, day, what)
    if day > today:
        raise DateOutOfWindow(_("{what} {given} is still to come (today is {today}): a record is dated the day "
                                "it happened").format(what=_(what), given=day, today=today))


def check_in_window(ruleset: Ruleset, year: int, day: date, what: str) -> None:
    """Refuse ``day`` unless it lies in ``ruleset``'s window around ``year``."""
    first, last = ruleset.dates.bounds(year)
    if not first <= day <= last:
        raise DateOutOfWindow(window_message(what, day, year, first, last))
