"""Versioned events: a state stored in any earlier shape decodes to today's event, the stored bytes untouched;
today's events carry their version (first in the stored JSON) and read back as written; a version this ledger
does not know is refused by name. The earlier shapes are kept in tests/data/event_shapes (README there)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import uuid4

import orjson
import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from events.registry import EVENT_TYPES
from ledger.storage.store import OrjsonTranscoder, PydanticMapper

SHAPES = Path(__file__).parent.parent / "data" / "event_shapes"


def decode(name: str) -> tuple[object, StoredEvent]:
    shape = json.loads((SHAPES / f"{name}.json").read_text(encoding="utf-8"))
    stored = StoredEvent(uuid4(), 1, shape["topic"], orjson.dumps(shape["state"]))
    return PydanticMapper(transcoder=OrjsonTranscoder()).to_domain_event(stored), stored


def test_every_shape_kept_is_a_shape_of_a_ledger_event_type() -> None:
    names = {f"{cls.__name__}" for cls in EVENT_TYPES}
    kept = sorted(SHAPES.glob("*.json"))
    assert len(kept) == 10
    assert {p.name.split(".")[0] for p in kept} <= names


def test_a_ledger_event_from_before_authenticated_identity_reads_with_nobody_authenticated() -> None:
    event, _ = decode("OccurrenceRecorded.v1")
    assert (event.recorded_by, event.authenticated_as, event.count) == ("张三", None, 1)
    account, _ = decode("AccountOpened.v1")
    assert (account.login, account.role, account.authenticated_as) == ("zhang", "clerk", None)


def test_a_dispute_from_before_filing_dates_reads_with_none_filed_and_nobody_authenticated() -> None:
    event, _ = decode("DisputeOpened.v1")
    assert (event.filed_on, event.authenticated_as, event.reason) == (None, None, "重复")


def test_a_dispute_with_a_filing_date_from_before_authenticated_identity_keeps_its_date() -> None:
    event, _ = decode("DisputeOpened.v2")
    assert (event.filed_on, event.authenticated_as) == (date(2025, 3, 7), None)


def test_work_order_facts_from_before_extra_columns_read_with_none_stated() -> None:
    event, _ = decode("WorkOrderFactsRecorded.v1")
    assert (event.extra, event.authenticated_as, len(event.rows)) == ({}, None, 1)
    event, _ = decode("WorkOrderFactsRecorded.v2")
    assert (event.extra, event.authenticated_as) == ({"解决情况": ["解决"]}, None)


def test_work_order_facts_from_before_chunks_per_unit_read_as_naming_no_unit() -> None:
    event, _ = decode("WorkOrderFactsRecorded.v3")
    assert (event.unit, event.authenticated_as, [r[1] for r in event.rows]) == (None, "postgres", ["taishan", "daiyue"])


def test_seals_of_each_earlier_shape_read_unsigned_or_signed_without_a_tree_head_as_they_were() -> None:
    v1, _ = decode("LedgerSealed.v1")
    assert (v1.signature, v1.public_key, v1.authenticated_as, v1.tree_size, v1.tree_root) == ("", "", None, 0, "")
    v2, _ = decode("LedgerSealed.v2")
    assert (v2.signature, v2.public_key, v2.authenticated_as, v2.tree_size) == ("c2lnbmF0dXJl", "ed25519:a2V5", None, 0)
    v3, _ = decode("LedgerSealed.v3")
    assert (v3.signature, v3.authenticated_as, v3.tree_size, v3.tree_root) == ("c2lnbmF0dXJl", "postgres", 0, "")


def test_decoding_an_earlier_shape_leaves_its_stored_bytes_as_they_were() -> None:
    shape = json.loads((SHAPES / "LedgerSealed.v1.json").read_text(encoding="utf-8"))
    _, stored = decode("LedgerSealed.v1")
    assert stored.state == orjson.dumps(shape["state"])


def test_an_event_is_stored_with_its_version_first_and_reads_back_as_written() -> None:
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    mapper.store_identity = lambda: "tester"
    old, _ = decode("DisputeOpened.v2")
    stored = mapper.to_stored_event(old)
    assert stored.state.startswith(b'{"class_version":3,"timestamp":')
    again = mapper.to_domain_event(stored)
    assert again == old.model_copy(update={"authenticated_as": "tester"})
    assert again.filed_on == date(2025, 3, 7)


def test_a_version_this_ledger_does_not_know_is_refused_naming_it() -> None:
    shape = json.loads((SHAPES / "DisputeOpened.v2.json").read_text(encoding="utf-8"))
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    for version in (4, 0, "3"):
        stored = StoredEvent(uuid4(), 1, shape["topic"], orjson.dumps({"class_version": version, **shape["state"]}))
        with pytest.raises(MapperDeserialisationError, match=f"class_version {version!r} .*DisputeOpened"):
            mapper.to_domain_event(stored)


@pytest.mark.parametrize("path", sorted(SHAPES.glob("*.json")), ids=lambda p: p.stem)
def test_upcasting_an_earlier_shape_states_every_field_of_today_s_shape(path: Path) -> None:
    """The upcasters, not the fields' defaults, bring an old state to today's shape: nothing is left to chance."""
    from events.registry import event_class
    from ledger.storage.store import upcast

    shape = json.loads(path.read_text(encoding="utf-8"))
    cls = event_class(shape["topic"])
    state = dict(shape["state"])
    missing_before = set(cls.model_fields) - {"originator_id", "originator_version"} - set(state)
    assert missing_before, "an earlier shape lacks a field today's has"
    upcast(cls, state)
    assert set(state) == set(cls.model_fields) - {"originator_id", "originator_version"}
