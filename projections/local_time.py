"""Times as people read them: in the ruleset's time zone (Beijing time for Tai'an), always with their offset.

The ledger stores when each event was recorded as an ISO timestamp in UTC; every document (``log``,
``trace``, ``dispute list``, in JSON and in tables) shows it in the zone of the ruleset
(``[scoring] timezone``), so ``2025-11-05T02:00:00+00:00`` reads ``2025-11-05T10:00:00+08:00`` — the same
moment, which ``--known-at`` accepts exactly as printed (cli.py ``Moment``).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from ledger.domain.defaults import default_zone_name


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def in_zone(moment: str | None, zone: str | None = None) -> str | None:
    """An ISO timestamp rewritten in ``zone`` (default: the built-in ruleset's) with its offset (a stored one
    without an offset is UTC)."""
    if not moment:
        return moment
    at = datetime.fromisoformat(moment)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_zone(zone or default_zone_name())).isoformat()


def with_offset(wall_time: str | None, zone: str | None = None) -> str | None:
    """A work order's clock time (kept as the hotline's sheet gives it: a wall time in ``zone``, no offset) with
    ``zone``'s offset added, the moment unchanged: ``2025-03-30T05:04:00`` reads ``2025-03-30T05:04:00+08:00``."""
    if not wall_time:
        return wall_time
    at = datetime.fromisoformat(wall_time)
    return (at if at.tzinfo else at.replace(tzinfo=_zone(zone or default_zone_name()))).isoformat()


def to_the_second(moment: str | None) -> str:
    """A timestamp for a table: to the second, with its offset (``2025-11-05T10:00:00+08:00``), as typed back."""
    if not moment:
        return ""
    return datetime.fromisoformat(moment).replace(microsecond=0).isoformat()


def zone_of(db: sqlite3.Connection) -> str:
    """The time zone of the latest year's adopted ruleset (the built-in ruleset's while none is adopted)."""
    from projections.reading import ruleset_in

    row = db.execute("SELECT MAX(year) FROM rulesets").fetchone()
    if row is None or row[0] is None:
        return default_zone_name()
    ruleset, _ = ruleset_in(db, row[0])
    return ruleset.scoring.timezone
