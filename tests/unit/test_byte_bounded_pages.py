"""Pages and slices bounded by stored bytes, not only by count: the read model's catch-up, PostgreSQL appends."""

from __future__ import annotations

from types import SimpleNamespace

from projections.view_pages import PAGE, PAGE_BYTES, page_limit


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


def test_an_append_is_cut_into_slices_of_a_thousand_small_events_or_about_8_mib() -> None:
    from ledger.storage.chain_postgres import _SLICE_BYTES, slices

    small = [SimpleNamespace(state=b"x" * 900) for _ in range(2500)]
    assert [len(s) for s in slices(small)] == [1000, 1000, 500]
    chunks = [SimpleNamespace(state=b"x" * 650_000) for _ in range(30)]
    cut = list(slices(chunks))
    assert [len(s) for s in cut] == [12, 12, 6]
    assert all(sum(len(e.state) for e in s) <= _SLICE_BYTES for s in cut)
    huge = [SimpleNamespace(state=b"x" * (2 * _SLICE_BYTES)), SimpleNamespace(state=b"y")]
    assert [len(s) for s in slices(huge)] == [1, 1]
    assert [e for s in slices(small) for e in s] == small  # every event once, in order
