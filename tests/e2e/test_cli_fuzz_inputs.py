"""Property tests (issue 11): random bytes into every import format, random text into the recording commands'
text fields. Always a clear refusal (exit 1, or click's 2) or a correct record, never a traceback (the `cli`
fixture runs with ``catch_exceptions=False``, so any uncaught exception fails the test)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def cli_2025(cli: Any) -> Any:
    assert cli("init", "--year", 2025).exit_code == 0
    return cli


def _as_xlsx(payload: bytes) -> bytes:
    """A zip named like a workbook holding ``payload`` as its sheet: random bytes past the zip check."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", payload[:64])
        z.writestr("xl/worksheets/sheet1.xml", payload)
    return buffer.getvalue()


@pytest.mark.parametrize("what", ["events", "workorders"])
@pytest.mark.parametrize("shape", ["csv", "xlsx"])
@FUZZ
@given(payload=st.binary(max_size=2000))
def test_random_bytes_in_any_import_format_are_refused_or_recorded_never_a_traceback(cli_2025, tmp_path, what,
                                                                                      shape, payload):
    path = tmp_path / f"fuzz.{shape}"
    path.write_bytes(_as_xlsx(payload) if shape == "xlsx" else payload)

    result = cli_2025("import", what, path, *(["--again"] if what == "events" else []))

    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.stderr


_HEADERS = {"events": "unit,item,date,count,evidence,note\n",
            "workorders": "工单编号,承办单位,派单时间,办结时限,办结时间,满意度\n"}


@pytest.mark.parametrize("what", ["events", "workorders"])
@FUZZ
@given(body=st.text(max_size=300))
def test_random_text_under_a_real_header_is_refused_or_recorded_never_a_traceback(cli_2025, tmp_path, what, body):
    path = tmp_path / "fuzz.csv"
    path.write_text(_HEADERS[what] + body, encoding="utf-8")

    result = cli_2025("import", what, path, *(["--again"] if what == "events" else []))

    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.stderr


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@FUZZ
@given(evidence=_TEXT, note=_TEXT, unit=_TEXT, item=_TEXT, when=_TEXT)
def test_random_text_in_record_is_refused_or_recorded_as_given(cli_2025, evidence, note, unit, item, when):
    result = cli_2025("record", "--unit", unit, "--item", item, "--date", when, "--evidence", evidence,
                      "--note", note, "--format", "json")

    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 0:
        import json

        new = json.loads(result.stdout)["id"]
        entry = next(e for e in cli_2025.json("log") if e["id"] == new)
        assert (entry["evidence"], entry["note"]) == (evidence.strip(), note)


@FUZZ
@given(reason=_TEXT, evidence=_TEXT, notice=_TEXT, period=_TEXT, target=_TEXT)
def test_random_text_in_the_other_recording_commands_is_a_clear_answer(cli_2025, reason, evidence, notice, period,
                                                                       target):
    for args in (["assess", "--unit", "taishan", "--item", "1.1", "--points", "1", "--date", "2025-03-04",
                  "--evidence", evidence, "--note", reason],
                 ["submit-report", "--unit", "taishan", "--kind", "monthly", "--period", period, "--date",
                  "2025-10-05", "--evidence", evidence],
                 ["notice", "--unit", "taishan", "--notice", notice, "--received", "2025-03-04", "--evidence",
                  evidence],
                 ["explain", "--notice", notice, "--date", "2025-03-05", "--evidence", evidence],
                 ["retract", target or "x", "--reason", reason],
                 ["dispute", "open", target or "x", "--reason", reason, "--evidence", evidence]):
        result = cli_2025(*args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.stderr
