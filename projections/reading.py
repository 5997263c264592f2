"""A consistent reading of the ledger: the read model at a moment, the ruleset then in force, and the dates.

``known_at`` (system time) builds a private in-memory read model from the events recorded by
that moment; without it the shared read model is caught up to the present.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ledger.domain.errors import NoRuleset, NotFound
from ledger.domain.units import unit_in
from ledger.rulesets.loading import parse_adopted
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _
from projections.facts import gather
from projections.scores import UnitScore, score_city
from projections.view import View


@dataclass(frozen=True)
class Reading:
    """What the ledger says for ``year`` as of ``as_of``, as known at ``known_at`` (None: now).

    Attributes:
        db: the read model's connection. ruleset / ruleset_sha: the rules in force as known then.
    """

    db: sqlite3.Connection
    year: int
    as_of: date
    known_at: datetime | None
    ruleset: Ruleset
    ruleset_sha: str

    def scores(self) -> list[UnitScore]:
        """Every unit scored and ranked."""
        return score_city(self.ruleset, gather(self.db, self.ruleset, self.year, self.as_of))

    def at(self, as_of: date) -> Reading:
        """The same read model and rules at another valid date (no second catch-up or replay)."""
        return replace(self, as_of=as_of)

    def unit_code(self, unit: str) -> str:
        """The code of a unit named by code or Chinese name in the ruleset of this reading."""
        return unit_in(self.ruleset, unit, self.year).code


def ruleset_in(db: sqlite3.Connection, year: int) -> tuple[Ruleset, str]:
    """The ruleset last adopted for ``year`` in this read model, with its digest."""
    row = db.execute("SELECT text, sha256 FROM rulesets WHERE year=? ORDER BY nid DESC LIMIT 1", (year,)).fetchone()
    if row is None:
        raise NoRuleset(year)
    text, sha = row
    return parse_adopted(text, sha), sha


def open_reading(app: Any, year: int, as_of: date, known_at: datetime | None = None,
                 progress: Any = None) -> Reading:
    """Catch the read model up (or build one as known at ``known_at``) and read ``year`` from it.

    A ``known_at`` without an offset is a time in the zone of ``year``'s ruleset (Asia/Shanghai while none is
    adopted): the zone people read the ledger's times in (projections/local_time.py).
    """
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=ZoneInfo(_zone_for(app.refresh().db, year)))
    if known_at is None:
        view = app.refresh(progress=progress)
    else:
        view = View(None)
        view.catch_up(app, known_at=known_at, progress=progress)
    try:
        ruleset, sha = ruleset_in(view.db, year)
    except NoRuleset:
        if known_at is None:
            raise
        raise NotFound(_("no ruleset for {year} had been adopted by {moment} (--known-at): the ledger could not "
                         "score that year then").format(year=year, moment=known_at.isoformat())) from None
    return Reading(view.db, year, as_of, known_at, ruleset, sha)


def _zone_for(db: sqlite3.Connection, year: int) -> str:
    from ledger.domain.defaults import default_zone_name

    try:
        return ruleset_in(db, year)[0].scoring.timezone
    except NoRuleset:
        return default_zone_name()


def unit_code(db: sqlite3.Connection, unit: str, year: int | None = None) -> str:
    """The code of a unit named by code or Chinese name in ``year``'s ruleset (or the latest adopted)."""
    if year is None:
        row = db.execute("SELECT year FROM rulesets ORDER BY nid DESC LIMIT 1").fetchone()
        if row is None:
            raise NoRuleset(datetime.now().year)
        year = row[0]
    return unit_in(ruleset_in(db, year)[0], unit, year).code
