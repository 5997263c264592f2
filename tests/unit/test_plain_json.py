"""An event's stored JSON written by orjson from its fields is byte for byte what pydantic's serializer writes.

The stored bytes are hashed into the chain and the Merkle tree, and a recorded occurrence's log entry is cut
from them (``projections.apply._log_payload``): a `rebuild`, which encodes the decoded event with pydantic,
must find the same text. So the fast path may only ever produce pydantic's bytes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from events.base import Attachment
from events.occurrences import AssessmentRecorded, EventsFileImported, OccurrenceRecorded
from ledger.store import _STORED_EXCLUDE, plain_json

_ID = UUID("6a1f0c52-6f64-4a55-9a3e-2f1c0b7d9e01")
_AT = datetime(2026, 12, 2, 6, 39, 44, 123456, tzinfo=UTC)


def _pydantic(e: object) -> bytes:
    return e.__pydantic_serializer__.to_json(e, exclude=_STORED_EXCLUDE)  # type: ignore[attr-defined]


def _occurrence(**changes: object) -> OccurrenceRecorded:
    fields: dict[str, object] = {
        "originator_id": _ID, "originator_version": 1, "timestamp": _AT,
        "originator_topic": "ledger.aggregates:Occurrence", "recorded_by": "clerk", "authenticated_as": "root",
        "unit": "taishan", "item": "2.2.1", "year": 2025,
        "date": date(2025, 3, 4), "count": 3, "evidence": "工单TA2025", "note": "", "batch": "b", "source": "e.csv:2"}
    return OccurrenceRecorded(**{**fields, **changes})


def test_an_imported_occurrence_is_written_as_pydantic_writes_it() -> None:
    e = _occurrence()
    assert plain_json(e) == _pydantic(e)
    assert plain_json(e).startswith(b'{"timestamp":"2026-12-02T06:39:44.123456Z","originator_topic":')


@pytest.mark.parametrize("moment", [_AT, _AT.replace(microsecond=0), _AT.replace(microsecond=5)])
def test_times_with_and_without_fractions_of_a_second_are_written_alike(moment: datetime) -> None:
    e = _occurrence(timestamp=moment)
    assert plain_json(e) == _pydantic(e)


def test_every_character_of_unicode_is_escaped_or_kept_as_pydantic_does() -> None:
    # Control characters, quotes, backslashes, U+2028, non-BMP characters: all of Unicode but the surrogates.
    for start in range(0, 0x110000, 8192):
        text = "".join(chr(c) for c in range(start, start + 8192) if not 0xD800 <= c <= 0xDFFF)
        e = _occurrence(evidence=text, note=text[::-1], source='"\\/' + text[:40])
        assert plain_json(e) == _pydantic(e), hex(start)


def test_dates_of_early_years_and_optional_fields_left_out_are_written_alike() -> None:
    for e in (_occurrence(date=date(7, 1, 2), year=7), _occurrence(batch=None, source=None, authenticated_as=None),
              EventsFileImported(originator_id=_ID, originator_version=1, timestamp=_AT, originator_topic="t",
                                 recorded_by="c", sha256="ab", name="e.csv", rows=100_000, again=0)):
        assert plain_json(e) == _pydantic(e)


@pytest.mark.parametrize("e", [
    # A Decimal (pydantic writes a string), attachments (nested models), an offset time, a 70-bit integer:
    AssessmentRecorded(originator_id=_ID, originator_version=1, timestamp=_AT, originator_topic="t", recorded_by="c",
                       unit="u", item="1.2.1", year=2025, date=date(2025, 1, 2), points=Decimal("0.75"), evidence="e"),
    _occurrence(attachments=(Attachment(name="a.pdf", sha256="0" * 64, size=3),)),
    _occurrence(timestamp=_AT.astimezone(timezone(timedelta(hours=8)))),
    _occurrence(count=2**70),
])
def test_any_other_value_is_left_to_pydantic(e: object) -> None:
    assert plain_json(e) == _pydantic(e)  # type: ignore[arg-type]
