"""What a long-running process keeps between readings: each reading's facts, scores and documents, by state.

A service reads the same ranking, unit pages and traces many times between two recordings. Each
reading (read model, year, as_of, ruleset) is kept with the read model's position and the chain's
hash there, so an entry is used only while the read model is exactly at that state: a later event
moves the position, and a read model rebuilt from another history has another hash; it is never
stale. When the position has moved on by a clerk's recordings only, the facts are brought
forward (``projections.fact_updates``) and only the units recorded for are scored again
(``projections.scores.score_city``'s sheets); anything else gathers every fact again.

The documents kept (``score --format json`` and ``trace --format json`` of a reading) are shared
by every request at that state: callers read them and never change them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Readings kept at once; the least recently computed go first. A service's pages read two per year (the
#: year's end and the last month's end) and the API a third (today); at 1M orders a reading whose traces
#: were all asked for holds ~250,000 costly orders (~150 MB), so a few only.
KEPT = 6


@dataclass
class Kept:
    """One reading's scores as this process last computed them, with the facts and the state behind them.

    Attributes:
        position / chain_hash: the read model's position and the chain's hash there (which history).
        event_id: the id of the event applied at ``position`` (to see that the log is still that history).
        facts / scores: every unit's facts and its scored, ranked sheet.
        sheets: the unit sheets ``score_city`` may reuse for the next state.
        documents: documents of this state already built, by what they are (kind, unit, item).
        orders: (unit, rate) → the work orders that cost the unit points on the rate (a trace lists them);
            recordings of occurrences leave them as they are.
    """

    position: int | None
    chain_hash: bytes | None
    event_id: str | None
    facts: dict[str, Any]
    scores: list[Any]
    sheets: dict[str, Any]
    documents: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    orders: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def document(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """The document ``key`` of this state, built by ``build`` the first time it is asked for."""
        found = self.documents.get(key)
        if found is None:
            found = self.documents[key] = build()
        return found

    def costly_orders(self, read: Any, unit: str, rate: str) -> list[Any]:
        """``projections.costly_orders.costly_orders`` of this state, listed once."""
        from projections.costly_orders import costly_orders

        found = self.orders.get((unit, rate))
        if found is None:
            found = self.orders[(unit, rate)] = costly_orders(read, unit, rate)
        return found


_KEPT: dict[tuple[Any, ...], Kept] = {}


def kept_reading(app: Any, read: Any) -> Kept:
    """The reading ``read`` (a ``projections.reading.Reading`` of ``app``'s shared read model, not a
    ``known_at`` one) scored at the read model's present state: kept, brought forward, or computed."""
    from projections.fact_updates import facts_brought_forward, log_id_at, units_touched
    from projections.facts import gather
    from projections.scores import score_city

    # The position first: whatever is read after it is at least as new, never older.
    position, chain_hash = app.view.checked(app.name)
    key = (id(read.db), read.year, read.as_of, read.ruleset_sha)
    kept = _KEPT.get(key)
    if kept is not None and (kept.position, kept.chain_hash) == (position, chain_hash):
        return kept
    event_id = log_id_at(read.db, position)
    touched = None
    if kept is not None and kept.position is not None and position is not None and kept.position < position:
        touched = units_touched(read.db, kept.position, kept.event_id)
    if kept is None or touched is None:
        facts = gather(read.db, read.ruleset, read.year, read.as_of)
    else:
        facts = facts_brought_forward(read.db, kept.facts, touched, read.year, read.as_of)
    sheets = kept.sheets if kept is not None else {}  # the same reading's: one ruleset, one as_of
    scores = score_city(read.ruleset, facts, sheets)
    documents = {} if kept is None or touched is None else _still_true(kept, touched, scores)
    orders = {} if kept is None or touched is None else kept.orders  # occurrences change no work order
    _KEPT.pop(key, None)
    while len(_KEPT) >= KEPT:
        _KEPT.pop(next(iter(_KEPT)))
    _KEPT[key] = fresh = Kept(position, chain_hash, event_id, facts, scores, sheets, documents, orders)
    return fresh


def _still_true(kept: Kept, touched: set[str], scores: list[Any]) -> dict[tuple[Any, ...], Any]:
    """The documents of one unit each (keyed (kind, unit, …)) that the recordings since ``kept`` leave as they
    were: a unit none of them was for, whose score (its rank included) is equal to what it was."""
    before = {s.unit: s for s in kept.scores}
    same = {s.unit for s in scores if s.unit not in touched and before.get(s.unit) == s}
    return {k: doc for k, doc in kept.documents.items() if len(k) > 1 and k[1] in same}


def kept_with(scores: list[Any]) -> Kept | None:
    """The kept reading whose scores are ``scores`` (the very list), if any."""
    return next((k for k in _KEPT.values() if k.scores is scores), None)
