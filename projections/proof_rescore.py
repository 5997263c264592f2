"""A unit scored again from a proof file's events alone, for ``proof check`` (projections/proof_check.py).

Two parts, so that a unit's quarter of a million work orders never go through a read model:

- every event but the work-order chunks (occurrences, assessments, reports, notices, disputes,
  the ruleset, the calendar rulings: a few hundred) is replayed into an empty in-memory ledger,
  whose read model gathers the unit's facts as ``score`` does;
- the unit's rates and volume are counted straight from the chunks' fact rows and the accepted
  screenings among the events (projections/proof_orders.py, projections/proof_rates.py: a second
  implementation of the rate definitions) and put in place of what that read model, which holds
  no order, gathered. A ruleset with a rate that implementation cannot count (``unsupported``:
  a construct it does not know) has every event replayed, the orders through the read model, as
  before it existed: slower, and said so in the report, never a rate left unchecked.

The unit is then scored with the ruleset in the file by the same scoring code as ``score`` and
rendered as ``score --format json`` renders it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from events.workorders import WorkOrderFactsRecorded
from projections.proof_orders import order_book
from projections.proof_rates import proven_rates, unsupported

_FACTS_TOPIC = get_topic(WorkOrderFactsRecorded)


@contextmanager
def _empty_ledger() -> Iterator[Any]:
    """An empty in-memory ledger (no cipher key, evidence in a scratch folder), closed afterwards."""
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    with tempfile.TemporaryDirectory(prefix="hotline-proof-") as scratch:
        saved = {k: os.environ.pop(k, None) for k in ("HOTLINE_LEDGER_CIPHER_KEY", "HOTLINE_LEDGER_EVIDENCE")}
        os.environ["HOTLINE_LEDGER_EVIDENCE"] = scratch
        try:
            app = Ledger(parse_store("memory:"))
        finally:
            for k, v in saved.items():
                os.environ.pop(k, None)
                if v is not None:
                    os.environ[k] = v
        try:
            yield app
        finally:
            app.close()


@dataclass(frozen=True)
class Rescored:
    """The unit's entry of ``score --format json`` from the file alone, each item's kind for this unit (pools:
    ``pool``), and why its rates were counted by replaying its orders through the read model (None: from the fact
    rows, by the second implementation)."""

    entry: dict[str, Any]
    kinds: dict[str, str]
    replayed_because: str | None = None


def _replay(app: Any, events: list[dict[str, Any]]) -> None:
    """Record the proof file's ``events`` (their plain JSON) in an empty ledger, in order."""
    app.recorder.insert_events([
        StoredEvent(originator_id=UUID(e["originator_id"]), originator_version=int(e["originator_version"]),
                    topic=e["topic"], state=e["plain"].encode()) for e in events])


def _replayed_entry(doc: dict[str, Any], year: int, as_of: date) -> dict[str, Any]:
    """The unit's entry with every event replayed, its orders through the read model (a rate the second
    implementation cannot count)."""
    from ledger.usecases.reads import reading
    from projections.documents import score_document

    with _empty_ledger() as app:
        # Only reads: no order index for the work-order chunks (the import's, to decide what changed).
        app.recorder.order_facts = None
        _replay(app, doc["events"])
        read = reading(app, year, as_of)
        return score_document(read, read.scores(), doc["unit"])["units"][0]  # type: ignore[no-any-return]


def rescore(doc: dict[str, Any], chunks: dict[int, dict[str, Any]]) -> Rescored | None:
    """The unit scored again from the proof file ``doc`` (``chunks``: its work-order chunks parsed, notification
    id → plain JSON); None when the ruleset in the file has no such unit."""
    from ledger.usecases.reads import reading
    from projections.documents import score_document
    from projections.facts import gather
    from projections.scores import UnitFacts, score_city

    year, unit, as_of = int(doc["year"]), doc["unit"], date.fromisoformat(doc["as_of"])
    with _empty_ledger() as app:
        _replay(app, [e for e in doc["events"] if e["topic"] != _FACTS_TOPIC])
        read = reading(app, year, as_of)
        ruleset = read.ruleset
        if unit not in {u.code for u in ruleset.units}:
            return None
        # A class or unit override may change an item's kind for this unit.
        kinds = {**{i.code: ruleset.item_for(unit, i.code).kind for i in ruleset.items},
                 **{p.code: "pool" for p in ruleset.pools}}
        because = unsupported(ruleset)
        if because is None:
            facts = gather(read.db, ruleset, year, as_of)
            counted = proven_rates(ruleset, order_book(doc["events"], chunks), unit, year, as_of)
            mine = facts.setdefault(unit, UnitFacts())
            mine.volume, mine.rates, mine.monthly_rates, mine.rate_pending = (
                counted.volume, counted.rates, counted.monthly, counted.pending)
            return Rescored(score_document(read, score_city(ruleset, facts), unit)["units"][0], kinds)
    return Rescored(_replayed_entry(doc, year, as_of), kinds, because)
