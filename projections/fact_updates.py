"""Bringing a year's facts forward over the events recorded since they were gathered, when that is cheap.

A service reads the ranking many times between two recordings, and most recordings are a clerk's
occurrences: they change one unit's counts and nothing else the scores read (the rates, the
deadlines, the assessments, the calendar stay as they were). Re-gathering every fact after each
of them re-counts a year of work orders and re-judges every deadline; this module instead looks
at the read model's log after the old position (every applied event has its log row, by its
notification id) and, when every new event is one of the kinds below, re-counts only the
occurrences of the units those events name. Any other event, a log that is not the one the
facts were gathered from, or a unit it cannot name, and the caller gathers everything again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from typing import Any

from projections.facts import occurrence_counts
from projections.unit_facts import UnitFacts

#: Events that change only the occurrences (and the log) of the unit their log row names.
OCCURRENCE_EVENTS = frozenset({"OccurrenceRecorded", "OccurrenceRetracted"})
#: Events that change nothing a score reads (accounts, seals, the record of an imported file; its occurrences
#: are events of their own).
NEUTRAL_EVENTS = frozenset({
    "AccountOpened", "AccountRoleChanged", "AccountDisabled", "AccountEnabled", "AccountPasswordSet",
    "AccountTokenIssued", "AccountTokensRevoked", "LedgerSealed", "EventsFileImported",
})


def log_id_at(db: sqlite3.Connection, position: int | None) -> str | None:
    """The id of the event the read model applied at notification ``position`` (None: none there)."""
    if position is None:
        return None
    row = db.execute("SELECT id FROM log WHERE nid=?", (position,)).fetchone()
    return None if row is None else str(row[0])


def units_touched(db: sqlite3.Connection, position: int, event_id: str | None) -> set[str] | None:
    """The units whose occurrences changed after ``position``, if that is all that changed; else None.

    ``event_id`` is the id of the event at ``position`` when the facts were gathered: if the log has
    another one there, the read model was rebuilt from another history meanwhile (None).
    """
    if event_id is None or log_id_at(db, position) != event_id:
        return None
    units: set[str] = set()
    for kind, unit in db.execute("SELECT type, unit FROM log WHERE nid>?", (position,)):
        if kind in NEUTRAL_EVENTS:
            continue
        if kind not in OCCURRENCE_EVENTS or unit is None:
            return None
        units.add(str(unit))
    return units


def facts_brought_forward(db: sqlite3.Connection, facts: dict[str, UnitFacts], units: set[str], year: int,
                          as_of: date) -> dict[str, UnitFacts]:
    """``facts`` with the occurrence counts of ``units`` counted again from the read model (new objects:
    the facts given are not changed)."""
    if not units:
        return facts
    counts: dict[str, dict[str, int]] = {u: {} for u in units}
    for (unit, item), n in occurrence_counts(db, year, as_of, units).items():
        counts[unit][item] = n
    out: dict[str, Any] = dict(facts)
    for unit in units:
        out[unit] = replace(facts.get(unit, UnitFacts()), counts=counts[unit])
    return out
