"""The monthly bulletin (月度通报) as a document: the ranking at a month's end, the change since the
previous month's end, and each unit's month-by-month trend (CLI.md, "Publishing").

Which scores a bulletin shows: every month is read *as of its last day* (valid time) with what the
ledger knows at the reading's ``known_at`` (system time; None is everything recorded so far). So a
bulletin printed today shows what each month-end should have said knowing what we know now
(corrections included); ``--known-at`` the moment a bulletin was published reproduces it. The
previous month and every trend point are read with the same knowledge as the month itself, so a
change never mixes two states of the ledger. January has no previous month in the scoring year:
its change is empty.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from projections.documents import score_document
from projections.reading import Reading
from projections.scores import UnitScore, fmt


def month_end(year: int, month: int) -> date:
    """The last day of ``month`` in ``year``."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _standing(scores: list[UnitScore]) -> dict[str, UnitScore]:
    return {s.unit: s for s in scores}


def change_since(unit: dict[str, Any], before: dict[str, Any] | None, before_as_of: str) -> dict[str, Any]:
    """``unit`` (a ``score --format json`` unit) with its standing at ``before_as_of``: ``previous``
    (``{as_of, total, rank}``, None when the unit was not ranked then), ``change`` (total − previous total)
    and ``rank_change`` (previous rank − rank: positive = moved up). ``before`` is the unit then, or None."""
    if before is None:
        return {**unit, "previous": None, "change": None, "rank_change": None}
    return {**unit, "previous": {"as_of": before_as_of, "total": before["total"], "rank": before["rank"]},
            "change": fmt(Decimal(unit["total"]) - Decimal(before["total"])),
            "rank_change": before["rank"] - unit["rank"]}


def ranking_with_change(doc: dict[str, Any], earlier: dict[str, Any] | None) -> dict[str, Any]:
    """A ``score --format json`` document with each unit's change since ``earlier`` (the same document at
    an earlier date, as the bulletin compares a month with the previous one; None: no comparison)."""
    then = {u["unit"]: u for u in earlier["units"]} if earlier is not None else {}
    since = earlier["as_of"] if earlier is not None else None
    units = [change_since(u, then.get(u["unit"]), since or "") for u in doc["units"]]
    return {**doc, "previous_as_of": since, "units": units}


def bulletin_document(reading: Reading, month: int) -> dict[str, Any]:
    """The bulletin for ``month`` of ``reading.year`` (``reading.as_of`` is ignored: each month is read
    as of its own end).

    Units in ranking order, each with the sections of ``score --format json`` (bonus inside section
    5), ``previous`` (``{as_of, total, rank}`` at the previous month's end, None in January),
    ``change`` (total − previous total), ``rank_change`` (previous rank − rank: positive = moved
    up) and ``trend``: one ``{month, as_of, total, rank}`` per month from January to ``month``.
    """
    ends = [month_end(reading.year, m) for m in range(1, month + 1)]
    monthly = [_standing(reading.at(end).scores()) for end in ends[:-1]]
    now = reading.at(ends[-1])
    scores = now.scores()
    monthly.append(_standing(scores))
    doc = score_document(now, scores)
    previous = monthly[-2] if month > 1 else None
    units = []
    for unit in doc["units"]:
        code = unit["unit"]
        trend = [{"month": f"{end:%Y-%m}", "as_of": end.isoformat(), "total": fmt(m[code].total),
                  "rank": m[code].rank} for end, m in zip(ends, monthly, strict=True) if code in m]
        before = previous.get(code) if previous is not None else None
        then = None if before is None else {"total": fmt(before.total), "rank": before.rank}
        units.append({**change_since(unit, then, ends[-2].isoformat() if month > 1 else ""), "trend": trend})
    return {
        "year": reading.year, "month": month, "as_of": ends[-1].isoformat(),
        "previous_as_of": ends[-2].isoformat() if month > 1 else None,
        "known_at": doc["known_at"], "ruleset": doc["ruleset"], "units": units,
    }
