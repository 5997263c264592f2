"""The occurrence counts the scores read, from the read model's ``occurrences`` table (``projections.facts``), and
brought forward for the units a recording touched (``projections.fact_updates``, the incremental read).

Rows written as the read model writes them (``projections.apply``): a retraction sets ``retracted``, an accepted
dispute sets ``effective_count`` to 0, an amended one to the amended count.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from projections.fact_updates import facts_brought_forward
from projections.facts import occurrence_counts
from projections.unit_facts import UnitFacts
from projections.view import SCHEMA

AS_OF = date(2025, 6, 30)
#: (unit, item, year, date, count, retracted, effective_count)
ROWS = [("a", "1.1", 2025, "2025-03-01", 2, 0, 2), ("a", "1.1", 2025, "2025-04-01", 3, 0, 1),  # amended to 1
        ("a", "1.1", 2025, "2025-05-01", 3, 1, 3),  # retracted
        ("a", "1.1", 2025, "2025-07-01", 7, 0, 7),  # after the as-of date
        ("a", "1.1", 2024, "2024-05-01", 9, 0, 9),  # another year
        ("a", "1.2", 2025, "2025-05-01", 1, 0, 0),  # a dispute accepted: counts 0
        ("b", "1.1", 2025, "2025-01-02", 4, 0, 4), ("c", "1.1", 2025, "2025-01-03", 5, 0, 5)]


def _db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO occurrences (id, nid, unit, item, year, date, count, retracted, effective_count) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(f"o{n}", n, *row) for n, row in enumerate(ROWS)])
    return db


def test_the_counts_are_the_effective_counts_dated_by_the_as_of_date_and_not_retracted() -> None:
    # a: 2 + 1 (amended) on 1.1, and 0 on 1.2 (the dispute accepted), not 1
    assert occurrence_counts(_db(), 2025, AS_OF) == {("a", "1.1"): 3, ("a", "1.2"): 0, ("b", "1.1"): 4,
                                                     ("c", "1.1"): 5}


def test_the_counts_of_the_units_asked_for_are_theirs_only() -> None:
    db = _db()
    assert occurrence_counts(db, 2025, AS_OF, {"c", "a"}) == {("a", "1.1"): 3, ("a", "1.2"): 0, ("c", "1.1"): 5}
    assert occurrence_counts(db, 2025, AS_OF, {"b"}) == {("b", "1.1"): 4}


def test_facts_brought_forward_recount_the_units_touched_and_keep_the_others() -> None:
    facts = {"a": UnitFacts(volume=3, counts={"1.1": 1}), "b": UnitFacts(counts={"1.1": 1}),
             "c": UnitFacts(counts={"1.1": 1})}
    forward = facts_brought_forward(_db(), facts, {"a", "b"}, 2025, AS_OF)
    assert {u: f.counts for u, f in forward.items()} == {"a": {"1.1": 3, "1.2": 0}, "b": {"1.1": 4}, "c": {"1.1": 1}}
    assert forward["a"].volume == 3 and forward["c"] is facts["c"]
    assert facts["a"].counts == {"1.1": 1}  # the facts given are not changed
    assert facts_brought_forward(_db(), facts, set(), 2025, AS_OF) is facts
