"""The proof checker's order book (projections/proof_orders.py): chunks taken whole, and merged row by row.

Hand-made chunks: a chunk of new orders is taken whole; an order repeated within a chunk, or stated
again by a later chunk, is merged field by field (a later fact's stated fields replace the earlier
ones); a fact exported before what is known of its order is stale, its extra columns too.
"""

from __future__ import annotations

from typing import Any

from projections.proof_orders import COMPLETED, SATISFACTION, OrderBook


def row(order_id: str, completed: str | None = None, label: str | None = None) -> list[str | None]:
    """A fact row of unit a stating ``completed`` and ``label`` (None: not stated)."""
    return [order_id, "a", "2025-04-01T09:00:00", "2025-04-08T09:00:00", completed, "1", "1", label, "1"]


def chunk(at: str, *rows: list[str | None], extra: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    return {"exported_at": at, "rows": list(rows), "extra": extra or {}}


def test_new_orders_are_taken_whole_and_restated_ones_merged() -> None:
    book = OrderBook()
    book.record(chunk("2025-05-01T00:00:00", row("A1"), row("A2", label="满意")))
    book.record(chunk("2025-06-01T00:00:00", row("A3", "2025-04-02T09:00:00"), row("A1", label="不满意")))
    assert list(book.orders) == ["A1", "A2", "A3"]
    assert book.orders["A1"][SATISFACTION] == "不满意" and book.orders["A1"][COMPLETED] is None
    assert book.orders["A2"][SATISFACTION] == "满意"
    assert (book.observed_at("A1"), book.observed_at("A2"), book.observed_at("A3")) == (
        "2025-06-01T00:00:00", "2025-05-01T00:00:00", "2025-06-01T00:00:00")
    # Exported before A2's state: stale, and so is its extra column's value; A4 is new.
    book.record(chunk("2025-04-15T00:00:00", row("A2", label="不满意"), row("A4"),
                      extra={"解决情况": ["解决", "未解决"]}))
    assert book.orders["A2"][SATISFACTION] == "满意" and book.extra == {"解决情况": {"A4": "未解决"}}


def test_an_order_repeated_within_a_new_chunk_is_merged_in_order() -> None:
    book = OrderBook()
    book.record(chunk("2025-05-01T00:00:00", row("B1", label="满意"), row("B2"), row("B1", "2025-04-03T09:00:00")))
    assert list(book.orders) == ["B1", "B2"]
    assert book.orders["B1"][SATISFACTION] == "满意" and book.orders["B1"][COMPLETED] == "2025-04-03T09:00:00"
    assert book.observed_at("B2") == "2025-05-01T00:00:00"
