"""Listing disputes and screenings with their state."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from projections.local_time import in_zone, zone_of


def list_disputes(db: sqlite3.Connection, unit: str | None = None, only_open: bool = False) -> list[dict[str, Any]]:
    """Every dispute (or the open ones), oldest first."""
    sql, params = "SELECT * FROM disputes WHERE 1=1", []
    if unit is not None:
        sql += " AND unit=?"
        params.append(unit)
    if only_open:
        sql += " AND decision IS NULL"
    zone = zone_of(db)
    return [
        {"id": r["id"], "subject": r["subject"], "target": r["target"], "unit": r["unit"], "item": r["item"],
         "rate": r["rate"], "reason": r["reason"], "evidence": r["evidence"],
         "attachments": json.loads(r["attachments"] or "[]"), "opened_at": in_zone(r["opened_at"], zone),
         "opened_by": r["opened_by"],
         "state": "open" if r["decision"] is None else "decided", "decision": r["decision"], "count": r["count"],
         "decision_reason": r["decision_reason"], "decided_at": in_zone(r["decided_at"], zone),
         "decided_by": r["decided_by"]}
        for r in db.execute(sql + " ORDER BY nid", params)
    ]
