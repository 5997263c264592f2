"""The order index's merge of a chunk of facts (``ledger.storage.order_index.merge``): the read model's rules, by
hand."""

from __future__ import annotations

import hashlib

from ledger.storage.order_index import extra_of, merge

APRIL = "2025-04-20T00:00:00"
MAY = "2025-05-20T00:00:00"
TA1_APRIL = ("taishan", "2025-04-01T09:00:00", "2025-04-08T09:00:00", None, 1, 0, "未评价", 1, APRIL, None)


def test_a_new_order_takes_every_stated_field_and_the_defaults_for_the_rest() -> None:
    rows = [["TA1", "taishan", "2025-04-01T09:00:00", "2025-04-08T09:00:00", None, None, None, "未评价", None]]

    assert merge({}, (rows, APRIL, {})) == [("TA1", TA1_APRIL)]  # reply required 1, replied 0, counted 1


def test_a_later_fact_changes_only_what_it_states() -> None:
    rows = [["TA1", None, None, None, "2025-04-18T16:00:00", None, "1", "满意", None]]

    [(order_id, state)] = merge({"TA1": TA1_APRIL}, (rows, MAY, {}))

    assert order_id == "TA1"
    assert state == ("taishan", "2025-04-01T09:00:00", "2025-04-08T09:00:00", "2025-04-18T16:00:00", 1, 1, "满意",
                     1, MAY, None)


def test_an_empty_completion_time_reopens_the_order() -> None:
    done = (*TA1_APRIL[:3], "2025-04-03T10:00:00", *TA1_APRIL[4:])

    [(_, state)] = merge({"TA1": done}, ([["TA1", None, None, None, "", None, None, None, None]], MAY, {}))

    assert state[3] is None


def test_a_fact_older_than_the_order_changes_nothing() -> None:
    newer = (*TA1_APRIL[:8], MAY, None)

    assert merge({"TA1": newer}, ([["TA1", "daiyue", None, None, None, None, None, None, None]], APRIL, {})) == []


def test_extra_columns_keep_a_digest_of_each_value_stated() -> None:
    rows = [["TA1", "taishan", "2025-04-01T09:00:00", "2025-04-08T09:00:00", None, None, None, None, None],
            ["TA2", "taishan", "2025-04-02T09:00:00", "2025-04-09T09:00:00", None, None, None, None, None]]

    merged = dict(merge({}, (rows, APRIL, {"解决情况": ["已解决", None]})))

    assert extra_of(merged["TA1"]) == {"解决情况": hashlib.sha256("已解决".encode()).hexdigest()[:16]}
    assert extra_of(merged["TA2"]) == {}


def test_an_order_twice_in_a_chunk_gives_one_state_the_second_merged_on_the_first() -> None:
    rows = [["TA1", "taishan", "2025-04-01T09:00:00", "2025-04-08T09:00:00", None, None, None, "未评价", None],
            ["TA1", None, None, None, None, None, None, "满意", None]]

    [(_, state)] = merge({}, (rows, APRIL, {}))

    assert state[6] == "满意" and state[0] == "taishan"
