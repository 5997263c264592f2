"""The bulk paths of an import make exactly what the one-at-a-time paths make: ids, digests, leaves, log entries.

Each fast path (``ledger_ids``, ``event_digests``, the tree's inlined leaf hashing, the log entry cut from the
stored JSON) is checked against the plain function it stands in for, on inputs that stress the encodings
(non-ASCII text, quotes and backslashes, empty and long states).
"""

from __future__ import annotations

import os
import uuid
from datetime import date

from eventsourcing.domain import datetime_now_with_tzinfo

from events.occurrences import OccurrenceRecorded
from ledger.aggregates import ledger_id, ledger_ids
from ledger.storage.chain import event_digest, event_digests
from ledger.storage.event_tree import SALT_SIZE, _add, event_leaf
from projections.apply import _LOG_EXCLUDE, _log_payload

_STORED_EXCLUDE = {"originator_id", "originator_version"}


def test_row_ids_are_the_ids_ledger_id_gives() -> None:
    batch = uuid.UUID("b74052ff-3481-5417-8f3a-6626c96ca99d")
    row_id = ledger_ids(batch)
    assert [row_id(n) for n in range(2, 500)] == [ledger_id(batch, n) for n in range(2, 500)]
    assert ledger_ids("年度", 2025)("泰山区") == ledger_id("年度", 2025, "泰山区")
    assert row_id(2).version == 5


def _events(n: int) -> list[tuple[str, int, str, bytes]]:
    topics = ["events.occurrences:OccurrenceRecorded", "事件:主题", ""]
    return [(uuid.uuid4().hex, 1 + i * 7919 % 1000, topics[i % 3], os.urandom(i % 600)) for i in range(n)]


def test_digests_in_one_loop_are_each_events_digest() -> None:
    events = _events(300)
    assert event_digests(events) == [event_digest(*e) for e in events]
    assert event_digests([]) == []


class _Tree:
    """Keeps what ``_add`` writes; a store with no earlier nodes."""

    def add(self, leaves: list, nodes: list) -> None:
        self.leaves, self.nodes = leaves, nodes

    def node(self, level: int, index: int) -> bytes:
        raise LookupError((level, index))


def test_leaves_hashed_in_one_loop_are_each_events_leaf_with_its_own_salt() -> None:
    events = [(n, *e) for n, e in enumerate(_events(64), start=1)]
    kept = {3: b"s" * SALT_SIZE, 5: b"short"}  # a restored ledger's salts, whatever their length
    tree = _Tree()
    assert _add(tree, 0, events, bytes, kept) == 64
    salts = [salt for _nid, _idx, salt in tree.leaves]
    assert salts[2] == b"s" * SALT_SIZE and salts[4] == b"short"
    assert len(set(salts)) == 64 and all(len(s) == SALT_SIZE for i, s in enumerate(salts) if i != 4)
    leaves = [h for level, _idx, h in tree.nodes if level == 0]
    assert leaves == [event_leaf(salt, *e[1:]) for salt, e in zip(salts, events, strict=True)]
    # 64 leaves complete 32 + 16 + 8 + 4 + 2 + 1 = 63 subtrees above them
    assert len(tree.nodes) == 64 + 63


def _stored(e: object) -> bytes:
    return e.__pydantic_serializer__.to_json(e, exclude=_STORED_EXCLUDE)  # type: ignore[attr-defined]


def test_a_log_entry_cut_from_the_stored_json_is_the_one_model_dump_json_writes() -> None:
    common = {"originator_id": uuid.uuid4(), "originator_version": 1, "timestamp": datetime_now_with_tzinfo(),
              "recorded_by": '张三 ,"unit":"x" \\', "originator_topic": "ledger.aggregates:Occurrence",
              "batch": "b", "source": "导入.csv:2"}
    for note in ("", '备注 "引号" \\ ,"unit":', "\n\t\u2028"):
        e = OccurrenceRecorded(unit="taishan", item="2.2.1", year=2025, date=date(2025, 3, 4), count=3,
                               evidence='工单"TA"', note=note, **common)
        object.__setattr__(e, "authenticated_as", 'root ,"unit":')
        assert _log_payload(_stored(e)) == e.model_dump_json(exclude=_LOG_EXCLUDE)


def test_a_stored_json_of_another_shape_gives_no_cut() -> None:
    assert _log_payload(b'{"timestamp":"2025-01-01T00:00:00Z","recorded_by":"x"}') is None
    assert _log_payload(b'{"timestamp":"2025-01-01T00:00:00Z","unit":"x"') is None  # cut short
