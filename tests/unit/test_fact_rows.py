"""Work-order facts as typed rows: a ``FactRow`` names its fields, is stored as the JSON array of those fields in
order (the bytes of the positional rows recorded before rows were typed), and reads back as a ``FactRow``."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import orjson
import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from pydantic import ValidationError

from events.workorders import FACT_FIELDS, FactRow, WorkOrderFactsRecorded
from ledger.aggregates import WorkOrderBatch
from ledger.storage.store import OrjsonTranscoder, PydanticMapper
from ledger.usecases.imports.workorder_import_facts import restated

SHAPES = Path(__file__).parent.parent / "data" / "event_shapes"
OPEN = FactRow("WO-1", "taishan", "2025-03-01T09:00:00", "2025-03-03T18:00:00", None, "1", None, None, "1")
REOPENED = FactRow("WO-2", None, None, None, "", None, None, "满意", None)


def mapper() -> PydanticMapper:
    return PydanticMapper(transcoder=OrjsonTranscoder())


def test_a_fact_row_names_the_fields_it_is_stored_as_in_order() -> None:
    assert FACT_FIELDS == ("order_id", "unit", "dispatched_at", "due_at", "completed_at", "reply_required",
                           "replied", "satisfaction", "counted")
    assert (OPEN.order_id, OPEN.due_at, OPEN.completed_at, REOPENED.completed_at, REOPENED.satisfaction) == (
        "WO-1", "2025-03-03T18:00:00", None, "", "满意")


def test_typed_rows_are_stored_as_the_positional_arrays_and_read_back_typed() -> None:
    batch = WorkOrderBatch.record(batch="b1", chunk=0, source="x.csv", sha256="0" * 64,
                                  exported_at="2025-03-31T00:00:00", rows=[OPEN, list(REOPENED)], actor="a")
    stored = mapper().to_stored_event(batch.collect_events()[0])
    assert orjson.loads(stored.state)["rows"] == [
        ["WO-1", "taishan", "2025-03-01T09:00:00", "2025-03-03T18:00:00", None, "1", None, None, "1"],
        ["WO-2", None, None, None, "", None, None, "满意", None]]
    event = mapper().to_domain_event(stored)
    assert event.rows == [OPEN, REOPENED] and type(event.rows[1]) is FactRow
    assert mapper().to_stored_event(event).state == stored.state


@pytest.mark.parametrize("name", ["WorkOrderFactsRecorded.v1", "WorkOrderFactsRecorded.v2",
                                  "WorkOrderFactsRecorded.v3"])
def test_rows_of_every_earlier_shape_read_as_fact_rows_and_write_the_same_arrays(name: str) -> None:
    shape = json.loads((SHAPES / f"{name}.json").read_text(encoding="utf-8"))
    event = mapper().to_domain_event(StoredEvent(uuid4(), 1, shape["topic"], orjson.dumps(shape["state"])))
    assert all(type(r) is FactRow for r in event.rows)
    assert [list(r) for r in event.rows] == shape["state"]["rows"]
    assert orjson.loads(mapper().to_stored_event(event).state)["rows"] == shape["state"]["rows"]


def test_the_v3_shape_reads_by_name() -> None:
    shape = json.loads((SHAPES / "WorkOrderFactsRecorded.v3.json").read_text(encoding="utf-8"))
    event = mapper().to_domain_event(StoredEvent(uuid4(), 1, shape["topic"], orjson.dumps(shape["state"])))
    first, second = event.rows
    assert (first.completed_at, first.satisfaction, second.order_id, second.completed_at) == (
        "2025-10-07T10:00:00", "满意", "DY1", None)


@pytest.mark.parametrize("row", [["WO-1", "taishan"], [*OPEN, None], ["WO-1", 7, None, None, None, None, None, None,
                                                                       None]])
def test_a_stored_row_that_is_not_a_fact_row_is_refused(row: list[object]) -> None:
    with pytest.raises(ValidationError):
        WorkOrderFactsRecorded.model_validate_json(orjson.dumps({
            "originator_id": str(uuid4()), "originator_version": 1, "timestamp": "2025-03-31T00:00:00Z",
            "originator_topic": "ledger.aggregates:WorkOrderBatch", "recorded_by": "a", "batch": "b", "chunk": 0,
            "source": "x.csv", "sha256": "0" * 64, "exported_at": "2025-03-31T00:00:00", "rows": [row]}))


def test_an_order_moved_to_another_unit_is_restated_whole_from_its_known_state() -> None:
    # The order index state (unit, dispatched, due, completed, reply_required, replied, satisfaction, counted,
    # observed_at, extra) and a fact moving the order to daiyue and rating it; the rest comes from the state.
    state = ("taishan", "2025-03-01T09:00:00", "2025-03-03T18:00:00", None, 1, 0, "满意", 1, "2025-03-31T00:00:00",
             None)
    fact = FactRow("WO-1", "daiyue", None, None, None, None, "1", "不满意", None)
    assert restated(state, fact) == FactRow("WO-1", "daiyue", "2025-03-01T09:00:00", "2025-03-03T18:00:00", "",
                                             "1", "1", "不满意", "1")
    closed = state[:3] + ("2025-03-02T10:00:00",) + state[4:]
    assert restated(closed, fact._replace(completed_at="")).completed_at == ""
    assert restated(closed, fact).completed_at == "2025-03-02T10:00:00"


def test_the_order_index_reads_stored_rows_as_fact_rows_and_refuses_a_row_of_another_width(memory_ledger) -> None:
    batch = WorkOrderBatch.record(batch="b1", chunk=0, source="x.csv", sha256="0" * 64,
                                  exported_at="2025-03-31T00:00:00", rows=[OPEN, REOPENED], actor="a")
    stored = mapper().to_stored_event(batch.collect_events()[0])
    rows, at, extra = memory_ledger._order_facts(stored)
    assert (rows, at, extra) == ([OPEN, REOPENED], "2025-03-31T00:00:00", {}) and type(rows[0]) is FactRow
    state = orjson.loads(stored.state)
    state["rows"][1] = state["rows"][1][:8]
    with pytest.raises(MapperDeserialisationError, match="a fact row of a wrong width"):
        memory_ledger._order_facts(StoredEvent(stored.originator_id, 1, stored.topic, orjson.dumps(state)))
