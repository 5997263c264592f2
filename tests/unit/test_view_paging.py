"""The read model pulls notifications in pages bounded by their stored bytes, not only by their number."""

from __future__ import annotations

from types import SimpleNamespace

from projections.view import PAGE, PAGE_BYTES, page_limit


def _page(n: int, size: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(state=b"x" * size) for _ in range(n)]


def test_small_events_are_pulled_a_full_page_at_a_time() -> None:
    assert page_limit(_page(16, 900)) == PAGE


def test_work_order_chunks_are_pulled_a_few_at_a_time_to_stay_near_the_byte_budget() -> None:
    chunk = 650_000  # a chunk of 5,000 facts, as stored
    limit = page_limit(_page(16, chunk))
    assert limit == PAGE_BYTES // chunk == 12
    assert limit * chunk <= PAGE_BYTES


def test_one_event_larger_than_the_budget_is_still_pulled_one_at_a_time() -> None:
    assert page_limit(_page(1, 3 * PAGE_BYTES)) == 1
