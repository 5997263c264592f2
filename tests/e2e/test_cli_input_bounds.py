"""Bounds on input (issue 11): dates in the ruleset's window, xlsx bombs, attachments, and the smaller findings.

Every case goes through the CLI on SQLite and PostgreSQL; every refusal also checks that nothing was recorded.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.test_rates import order, write_export

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cli_2025(cli: Any) -> Any:
    assert cli("init", "--year", 2025).exit_code == 0
    return cli


def log_length(cli: Any) -> int:
    return len(cli.json("log"))


def write_events(path: Path, rows: list[list[str]]) -> str:
    text = "unit,item,date,count,evidence,note\n" + "".join(",".join(r) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    return str(path)


# ── a minimal workbook, written with zipfile so that the bombs can be built the same way ──────────
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
         'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
                  'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                  'Target="worksheets/sheet1.xml"/>'
                  '<Relationship Id="rId2" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                  'Target="sharedStrings.xml"/></Relationships>')
_HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c><c r="B1" t="inlineStr"><is><t>item</t>'
               '</is></c><c r="C1" t="inlineStr"><is><t>date</t></is></c><c r="D1" t="inlineStr"><is><t>evidence</t>'
               '</is></c></row>')


def write_xlsx(path: Path, rows_xml: str = "", *, dimension: str = "", shared: bytes | None = None) -> str:
    """A workbook of one sheet (header unit,item,date,evidence, then ``rows_xml``) and an optional shared-strings part,
    built chunk by chunk so that a bomb never sits in the test's memory whole."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'{dimension}<sheetData>{_HEADER_ROW}{rows_xml}</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><sst '
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">')
            f.write(shared if shared is not None else b"<si><t>x</t></si>")
            f.write(b"</sst>")
    return str(path)


def shared_strings_bomb(path: Path, entries: int) -> str:
    """A workbook whose shared-strings table declares one entry and holds ``entries`` empty ones."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)):
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                               f'2006/main"><sheetData>{_HEADER_ROW}</sheetData></worksheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1">')
            block = b"<si><t/></si>" * 100_000
            for _ in range(entries // 100_000):
                f.write(block)
            f.write(b"</sst>")
    return str(path)


class TestDatesInTheRulesetsWindow:
    def test_a_work_order_completed_in_2099_is_a_row_error_and_nothing_is_imported(self, cli_2025, tmp_path):
        before = log_length(cli_2025)
        path = write_export(tmp_path / "o.csv", [order("TA1", "taishan", completed="2099-01-01 10:00:00")])

        result = cli_2025("import", "workorders", path)

        assert result.exit_code == 1
        assert f"{path}:2:办结时间: the completion time 2099-01-01 10:00:00 is outside the dates" in result.stderr
        assert "2024-01-01 to 2026-12-31" in result.stderr
        assert log_length(cli_2025) == before

    def test_a_work_order_dispatched_in_year_0001_is_a_row_error(self, cli_2025, tmp_path):
        path = write_export(tmp_path / "o.csv", [order("TA1", "taishan", dispatched="0001-04-01 09:00:00")])

        result = cli_2025("import", "workorders", path)

        assert result.exit_code == 1
        assert f"{path}:2:派单时间: the dispatch time 0001-04-01 09:00:00 is outside the dates" in result.stderr

    def test_a_completion_time_still_to_come_is_refused(self, cli, tmp_path):
        now = datetime.now(TZ).replace(tzinfo=None, microsecond=0)
        assert cli("init", "--year", now.year).exit_code == 0
        soon = now + timedelta(days=2)  # inside the window (it runs to the end of next year), but ahead of now
        path = write_export(tmp_path / "o.csv", [order("TA1", "taishan", dispatched=f"{now - timedelta(days=1)}",
                                                       due=f"{now + timedelta(days=5)}", completed=f"{soon}")])

        result = cli("import", "workorders", path)

        assert result.exit_code == 1
        assert f"{path}:2:办结时间: the completion time {soon} is still to come" in result.stderr

    def test_as_exported_in_the_future_is_refused(self, cli, tmp_path):
        now = datetime.now(TZ)
        assert cli("init", "--year", now.year).exit_code == 0
        path = write_export(tmp_path / "o.csv", [order("TA1", "taishan", dispatched=f"{now.year}-01-02 09:00:00",
                                                       due=f"{now.year}-01-09 09:00:00", completed="")])
        tomorrow = (now + timedelta(days=1)).date().isoformat()

        result = cli("import", "workorders", path, "--as-exported", tomorrow)

        assert result.exit_code == 1
        assert "is still to come" in result.stderr and "--as-exported" in result.stderr
        assert cli.json("log") == [e for e in cli.json("log") if e["type"] != "WorkOrderFactsRecorded"]

    def test_as_exported_in_2099_cannot_freeze_an_order(self, cli_2025, tmp_path):
        path = write_export(tmp_path / "o.csv", [order("TA1", "taishan")])

        result = cli_2025("import", "workorders", path, "--as-exported", "2099-01-01")

        assert result.exit_code == 1
        assert "--as-exported 2099-01-01 23:59:59 is still to come" in result.stderr

    def test_a_monthly_report_submitted_in_2099_is_refused(self, cli_2025):
        before = log_length(cli_2025)

        result = cli_2025("submit-report", "--unit", "taishan", "--kind", "monthly", "--period", "2025-09",
                          "--date", "2099-01-01", "--evidence", "r")

        assert result.exit_code == 1
        assert "2099-01-01 is outside the dates the 2025 ruleset allows (2024-01-01 to 2026-12-31" in result.stderr
        assert log_length(cli_2025) == before

    def test_a_ruleset_sets_its_own_window_and_a_bad_one_is_invalid(self, cli, tmp_path):
        from ledger.rulesets.loading import builtin_text

        text = builtin_text()
        own = tmp_path / "narrow.toml"
        own.write_text(text.replace("[scoring]", "[dates]\nyears_after = 0\n\n[scoring]", 1), encoding="utf-8")
        bad = tmp_path / "bad.toml"
        bad.write_text(text.replace("[scoring]", "[dates]\nyears_before = -1\n\n[scoring]", 1), encoding="utf-8")

        assert cli("rules", "check", bad).exit_code == 1
        assert cli("init", "--year", 2025, "--ruleset", own).exit_code == 0
        result = cli("submit-report", "--unit", "taishan", "--kind", "monthly", "--period", "2025-12",
                     "--date", "2026-01-05", "--evidence", "r")
        assert result.exit_code == 1
        assert "(2024-01-01 to 2025-12-31" in result.stderr


class TestXlsxBombs:
    def test_a_shared_strings_bomb_is_refused_within_seconds(self, cli_2025, tmp_path):
        path = shared_strings_bomb(tmp_path / "bomb.xlsx", 6_000_000)  # 78 MB unpacked, well under 1 MB packed
        assert os.path.getsize(path) < 1_000_000
        started = time.monotonic()

        result = cli_2025("import", "events", path)

        elapsed = time.monotonic() - started
        assert result.exit_code == 1
        assert "shared-strings table holds 5,000,001 entries or more" in result.stderr or \
            "shared-strings table holds" in result.stderr
        assert "HOTLINE_LEDGER_XLSX_MAX_SHARED_STRINGS" in result.stderr
        assert elapsed < 30, elapsed  # ~1 s on an idle 2-core machine; parsing it took minutes and gigabytes

    def test_a_sheet_declaring_three_million_rows_is_refused_before_reading_them(self, cli_2025, tmp_path):
        path = write_xlsx(tmp_path / "tall.xlsx", dimension='<dimension ref="A1:D3000000"/>')

        result = cli_2025("import", "workorders", path)

        assert result.exit_code == 1
        assert "declares 3,000,000 rows" in result.stderr and "HOTLINE_LEDGER_XLSX_MAX_ROWS" in result.stderr

    def test_rows_beyond_the_limit_are_counted_while_streaming_even_undeclared(self, cli_2025, tmp_path):
        path = write_xlsx(tmp_path / "gap.xlsx", '<row r="50"><c r="A50" t="inlineStr"><is><t>x</t></is></c></row>')

        result = cli_2025("import", "events", path, env={"HOTLINE_LEDGER_XLSX_MAX_ROWS": "10"})

        assert result.exit_code == 1
        assert f"{path}:12: the workbook is too large to import: the sheet has more than 10 rows" in result.stderr

    def test_a_row_thousands_of_columns_wide_is_refused(self, cli_2025, tmp_path):
        path = write_xlsx(tmp_path / "wide.xlsx", '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>')

        result = cli_2025("import", "events", path)

        assert result.exit_code == 1
        assert "row 2 has 16,384 columns" in result.stderr and "HOTLINE_LEDGER_XLSX_MAX_COLUMNS" in result.stderr

    def test_a_part_unpacking_beyond_its_configured_limit_is_refused_naming_the_setting(self, cli_2025, tmp_path):
        path = write_xlsx(tmp_path / "big.xlsx", shared=b"<si><t>" + b"a" * 2_000_000 + b"</t></si>")

        result = cli_2025("import", "events", path, env={"HOTLINE_LEDGER_XLSX_MAX_PART_BYTES": "1000000"})

        assert result.exit_code == 1
        assert "xl/sharedStrings.xml unpacks to 2,000," in result.stderr
        assert "HOTLINE_LEDGER_XLSX_MAX_PART_BYTES" in result.stderr

    def test_a_limit_that_is_not_a_number_is_a_clear_refusal(self, cli_2025, tmp_path):
        path = write_xlsx(tmp_path / "ok.xlsx")

        result = cli_2025("import", "events", path, env={"HOTLINE_LEDGER_XLSX_MAX_ROWS": "lots"})

        assert result.exit_code == 1
        assert "HOTLINE_LEDGER_XLSX_MAX_ROWS must be a positive integer, not 'lots'" in result.stderr


class TestAttachments:
    def test_a_full_disk_refuses_the_record_and_leaves_no_temporary_file(self, cli_2025, tmp_path, monkeypatch):
        if not cli_2025.store.startswith("sqlite"):
            pytest.skip("evidence files on disk: SQLite (PostgreSQL keeps evidence in the store)")
        attachment = tmp_path / "scan.pdf"
        attachment.write_bytes(b"%PDF-1.4 " * 1000)
        before = log_length(cli_2025)

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr("ledger.storage.evidence.os.fsync", full)
        result = cli_2025("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "e",
                          "--attach", attachment)

        assert result.exit_code == 1
        assert "could not be stored in the evidence store" in result.stderr
        assert "No space left on device" in result.stderr
        assert not [p for p in tmp_path.rglob(".incoming-*")]
        monkeypatch.undo()
        assert log_length(cli_2025) == before


class TestSmallerFindings:
    def test_a_4300_digit_count_is_refused_without_a_traceback(self, cli_2025):
        before = log_length(cli_2025)

        result = cli_2025("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "e",
                          "--count", "1" * 4300)

        assert result.exit_code == 1
        assert "is larger than 1000000000, the most one record may carry" in result.stderr
        assert len(result.stderr) < 500
        assert log_length(cli_2025) == before

    def test_a_4300_digit_count_in_an_events_file_is_a_row_error(self, cli_2025, tmp_path):
        path = write_events(tmp_path / "e.csv", [["taishan", "2.2.1", "2025-03-04", "1" * 4300, "e", ""]])

        result = cli_2025("import", "events", path)

        assert result.exit_code == 1
        assert f"{path}:2:count: count '111111111111111111111111'… (4300 characters) is larger than" in result.stderr

    def test_an_unterminated_csv_quote_is_refused_at_its_row_and_column(self, cli_2025, tmp_path):
        path = tmp_path / "e.csv"
        path.write_text('unit,item,date,count,evidence,note\ntaishan,2.2.1,2025-03-04,1,e1,"never closed\n'
                        "taishan,2.2.1,2025-03-05,1,e2,\ntaishan,2.2.1,2025-03-06,1,e3,\n", encoding="utf-8")
        before = log_length(cli_2025)

        result = cli_2025("import", "events", path)

        assert result.exit_code == 1
        assert f"{path}:2:note: a quoted cell is never closed" in result.stderr
        assert log_length(cli_2025) == before

    def test_a_date_followed_by_garbage_is_not_a_date(self, cli_2025, tmp_path):
        path = write_events(tmp_path / "e.csv", [["taishan", "2.2.1", "2025-03-04 garbage", "1", "e", ""]])

        result = cli_2025("import", "events", path)

        assert result.exit_code == 1
        assert f"{path}:2:date: '2025-03-04 garbage' is not a date" in result.stderr

    def test_a_spreadsheet_date_time_is_still_a_date(self, cli_2025, tmp_path):
        path = write_events(tmp_path / "e.csv", [["taishan", "2.2.1", "2025-03-04 00:00:00", "1", "e", ""]])

        assert cli_2025.json("import", "events", path)["new"] == 1

    def test_a_wildcard_id_retracts_nothing(self, cli_2025):
        cli_2025.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "e")

        result = cli_2025("retract", "%%%%%%%%", "--reason", "wildcard")

        assert result.exit_code == 1
        assert "'%%%%%%%%' is not an id" in result.stderr
        assert [e["type"] for e in cli_2025.json("log")].count("OccurrenceRetracted") == 0


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to act as another user")
def test_a_read_only_sqlite_store_can_be_verified_and_read():
    """The store belongs to root with mode 0444 in a read-only folder; `nobody` verifies and scores it."""
    folder = Path(tempfile.mkdtemp(prefix="ro-store-"))
    try:
        env = {**os.environ, "HOTLINE_LEDGER_STORE": f"sqlite:///{folder}/ledger.db", "HOTLINE_LEDGER_ACTOR": "t"}
        env.pop("HOTLINE_LEDGER_VIEWS", None)
        env.pop("HOTLINE_LEDGER_EVIDENCE", None)
        run = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'hotline-ledger'; cli.main()"]
        cwd = Path(__file__).parent.parent.parent
        for args in (["init", "--year", "2025"], ["record", "--unit", "taishan", "--item", "2.2.1", "--date",
                                                   "2025-03-04", "--evidence", "e"]):
            assert subprocess.run([*run, *args], env=env, cwd=cwd, capture_output=True).returncode == 0
        for p in folder.rglob("*"):
            p.chmod(0o555 if p.is_dir() else 0o444)
        folder.chmod(0o555)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

        verify = subprocess.run([*as_nobody, *run, "verify"], env=env, cwd=cwd, capture_output=True, text=True)
        score = subprocess.run([*as_nobody, *run, "score", "--year", "2025", "--format", "json"], env=env, cwd=cwd,
                               capture_output=True, text=True)
        record = subprocess.run([*as_nobody, *run, "record", "--unit", "taishan", "--item", "2.2.1", "--date",
                                 "2025-03-05", "--evidence", "e"], env=env, cwd=cwd, capture_output=True, text=True)

        assert verify.returncode == 0, verify.stderr
        assert "chain ok: 2 events" in verify.stdout
        assert score.returncode == 0, score.stderr
        assert record.returncode == 1 and "Traceback" not in record.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
