"""The proof checker's rates (projections/proof_rates.py) over times a fact row leaves unstated, by hand.

A fact states only what is new (None: not stated); an order first seen without a time has none.
Such a time counts as empty: an unstated completion is an open order, an unstated dispatch or due
time places the order outside the year by that time.
"""

from __future__ import annotations

from datetime import date

from ledger.rulesets.loading import parse_ruleset
from projections.proof_orders import OrderBook
from projections.proof_rates import proven_rates
from projections.unit_facts import RateCounts
from tests.integration.test_proof_rates import TINY


def test_times_never_stated_count_as_empty_by_hand() -> None:
    """A fact row may leave a time unstated (None): it counts as empty — not completed, outside the window."""
    book = OrderBook()
    book.record({"exported_at": "2025-12-01T00:00:00", "extra": {}, "rows": [
        ["A1", "a", "2025-04-01T09:00:00", "2025-04-08T09:00:00", "2025-04-03T09:00:00", "1", "1", "满意", "1"],
        ["A4", "a", "2025-05-01T09:00:00", "2025-05-08T09:00:00", None, "1", "0", "满意", "1"],  # completion unstated
        ["A2", "a", "2025-04-02T09:00:00", None, "2025-04-03T09:00:00", "1", "1", "不满意", "1"],  # due unstated
        ["A5", "a", None, "2025-04-09T09:00:00", "2025-04-08T09:00:00", "1", "1", "满意", "1"]]})  # dispatch unstated
    a = proven_rates(parse_ruleset(TINY), book, "a", 2025, date(2025, 12, 31))
    # Completed: A1 (满意) and A2 (不满意); A4 is open; A5, dispatched at no stated time, is not in the year by
    # dispatch. Due in the window: A1 and A5, both completed on time (A2's due time is not stated).
    assert a.rates == {"completed_satisfaction": RateCounts(1, 2), "due_ontime": RateCounts(2, 2)}
    assert a.monthly["completed_satisfaction"] == {"2025-04": RateCounts(1, 2)} and a.volume == 3
    assert set(a.pending) == {"resolution"}
