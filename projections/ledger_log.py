"""The ledger's events in recorded order, for ``log``."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from decimal import Decimal
from typing import Any

from projections.local_time import in_zone, zone_of

# Event fields that hold points: CLI.md wants them as strings with exactly two decimals in every reading.
_POINTS_FIELDS = ("points",)
_CENT = Decimal("0.01")


def _two_decimals(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its points written with two decimals ("0.5" → "0.50"); a finer value stays as recorded."""
    for key in _POINTS_FIELDS:
        value = payload.get(key)
        if isinstance(value, str):
            exact = Decimal(value)
            if exact == exact.quantize(_CENT):  # never round what the ledger holds: only pad it
                payload[key] = str(exact.quantize(_CENT))
    return payload


def known_item(db: sqlite3.Connection, item: str | None) -> str | None:
    """``item`` if some adopted ruleset has it (as an item or a pool); refused as unknown otherwise.

    The log spans years, so any adopted year's ruleset vouches for a code; a typo must not read as "no events".
    """
    if item is None:
        return None
    from ledger.domain.errors import NoRuleset, UnknownItem
    from projections.reading import ruleset_in

    years = [row[0] for row in db.execute("SELECT DISTINCT year FROM rulesets ORDER BY year")]
    if not years:
        raise NoRuleset(datetime.now().year)
    for year in years:
        ruleset, _ = ruleset_in(db, year)
        if item in {i.code for i in ruleset.items} | {p.code for p in ruleset.pools}:
            return item
    raise UnknownItem(item, years[-1])


def log_entries(db: sqlite3.Connection, unit: str | None = None, item: str | None = None,
                since: datetime | None = None) -> list[dict[str, Any]]:
    """Events with id, type, recorded_at, recorded_by, authenticated_as and their own fields, oldest first.

    ``recorded_by`` is the declared actor; ``authenticated_as`` who the store authenticated (null for
    events recorded before the ledger kept it).
    """
    sql, params = "SELECT * FROM log WHERE 1=1", []
    if unit is not None:
        sql += " AND unit=?"
        params.append(unit)
    if item is not None:
        sql += " AND item=?"
        params.append(item)
    rows = db.execute(sql + " ORDER BY nid", params)
    zone = zone_of(db)
    out = []
    for r in rows:
        if since is not None and datetime.fromisoformat(r["recorded_at"]) < since:
            continue
        out.append({"id": r["id"], "notification_id": r["nid"], "version": r["version"], "type": r["type"],
                    "unit": r["unit"], "item": r["item"], "recorded_at": in_zone(r["recorded_at"], zone),
                    "recorded_by": r["recorded_by"], "authenticated_as": r["authenticated_as"],
                    **_two_decimals(json.loads(r["payload"]))})
    return out
