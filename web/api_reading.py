"""The API's reading routes: the same score, trace, log and dispute documents as the CLI's ``--format json``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from ledger.domain.policy import READ_SCORES
from ledger.usecases.reads import dispute_rows, log_doc, score_doc, trace_doc, unit_code
from web.api_request import Day, Who, Year, ledger, moment

#: Included by ``web.api.router``, which puts every route behind the authorization layer (``web.access.caller``).
router = APIRouter()


@router.get("/score", name="api_score")
async def score(request: Request, who: Who, year: Year, unit: str | None = None, as_of: Day | None = None,
                known_at: datetime | None = None) -> dict[str, Any]:
    """``score --format json``: the ranking (every unit's totals and sections), or one unit.

    A role that reads only the ranking (a unit's liaison) gets another unit's items without the ids
    of the events behind them: those are that unit's records.
    """
    doc = score_doc(ledger(request), year, unit, as_of, moment(known_at))
    if who.sees(READ_SCORES):
        return doc
    # The document is shared by every reader of this state: the narrowed one is a copy.
    return {**doc, "units": [entry if entry["unit"] == who.account.unit else _without_events(entry)
                             for entry in doc["units"]]}


def _without_events(entry: dict[str, Any]) -> dict[str, Any]:
    """A unit's score entry without the ids of the events behind its items."""
    return {**entry, "sections": [{**section, "items": [{k: v for k, v in item.items() if k != "events"}
                                                        for item in section["items"]]}
                                  for section in entry["sections"]]}


@router.get("/trace", name="api_trace")
async def trace(request: Request, who: Who, year: Year, unit: str, item: str | None = None,
                as_of: Day | None = None, known_at: datetime | None = None) -> dict[str, Any]:
    """``trace --format json``: one unit's items with the events behind them (a unit account: its own)."""
    app = ledger(request)
    who.see(unit_code(app, unit))
    return trace_doc(app, year, unit, item, as_of, moment(known_at))


@router.get("/log", name="api_log")
async def log(request: Request, who: Who, unit: str | None = None, item: str | None = None,
              since: Day | None = None) -> list[dict[str, Any]]:
    """``log --format json`` (a unit account: its own unit's events only)."""
    app = ledger(request)
    return log_doc(app, who.narrow(unit_code(app, unit)), item, since)


@router.get("/disputes", name="api_disputes")
async def disputes(request: Request, who: Who, unit: str | None = None, open: bool = False) -> list[dict[str, Any]]:  # noqa: A002
    """``dispute list --format json`` (a unit account: its own unit's)."""
    app = ledger(request)
    return dispute_rows(app, who.narrow(unit_code(app, unit)), open)
