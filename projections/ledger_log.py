"""The ledger's events in recorded order, for ``log``."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any


def log_entries(db: sqlite3.Connection, unit: str | None = None, item: str | None = None,
                since: datetime | None = None) -> list[dict[str, Any]]:
    """Events with id, type, recorded_at, recorded_by and their own fields, oldest first."""
    sql, params = "SELECT * FROM log WHERE 1=1", []
    if unit is not None:
        sql += " AND unit=?"
        params.append(unit)
    if item is not None:
        sql += " AND item=?"
        params.append(item)
    rows = db.execute(sql + " ORDER BY nid", params)
    out = []
    for r in rows:
        if since is not None and datetime.fromisoformat(r["recorded_at"]) < since:
            continue
        out.append({"id": r["id"], "notification_id": r["nid"], "version": r["version"], "type": r["type"],
                    "unit": r["unit"], "item": r["item"], "recorded_at": r["recorded_at"],
                    "recorded_by": r["recorded_by"], **json.loads(r["payload"])})
    return out
