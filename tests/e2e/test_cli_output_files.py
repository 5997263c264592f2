"""Output files never clobber the ledger and are never left half-written (issue 11).

`export FILE`, `score --output FILE` and every report refuse the store's own files — the SQLite
database and its side files, the read model, anything in the evidence store — however they are
spelled (symlinks, `x/../`, hard links): exit 1, one message, the ledger byte for byte as it was.
Writes go to a temporary file renamed into place, so a failure leaves the old file and no temp file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.e2e.test_cli_verify import RawStore

SCORE = ("score", "--year", "2025", "--as-of", "2025-12-31")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def recorded(cli: Cli, tmp_path: Path) -> Cli:
    """A ledger with a ruleset, one occurrence with an attachment, and a read model caught up."""
    assert cli("init", "--year", 2025).exit_code == 0
    photo = tmp_path / "photo.txt"
    photo.write_text("现场照片", encoding="utf-8")
    assert cli("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04",
               "--evidence", "工单TA1", "--attach", str(photo)).exit_code == 0
    assert cli.json(*SCORE)["units"]  # the read model exists now
    return cli


@pytest.fixture
def sqlite_store(store_url: str) -> None:
    """Skip before anything is recorded: these cases are about the store's own files on disk (SQLite)."""
    if not store_url.startswith("sqlite"):
        pytest.skip("the store's own files on disk: SQLite")


def refused(cli: Cli, target: Path | str, *command: Any) -> Any:
    result = cli(*command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{target}: that is " in result.stderr and "nothing was written" in result.stderr
    return result


def assert_ledger_intact(cli: Cli, tmp_path: Path, before: dict[str, str]) -> None:
    assert {name: digest(tmp_path / name) for name in before} == before
    assert not list(tmp_path.glob(".*.tmp"))
    assert cli.json(*SCORE)["units"][0]["unit"]  # still readable
    assert [e["type"] for e in cli.json("log")][-1] == "OccurrenceRecorded"


def files_of(tmp_path: Path, *names: str) -> dict[str, str]:
    return {name: digest(tmp_path / name) for name in names}


class TestTheLedgerIsNeverAnOutput:
    @pytest.mark.usefixtures("sqlite_store")
    @pytest.mark.parametrize("spelling", ["plain", "dotdot", "symlink", "hardlink"])
    def test_export_onto_the_database_is_refused_however_it_is_spelled(self, recorded, tmp_path, spelling):
        db = tmp_path / "ledger.db"
        (tmp_path / "x").mkdir()
        target = {"plain": db, "dotdot": tmp_path / "x" / ".." / "ledger.db",
                  "symlink": tmp_path / "backup.jsonl", "hardlink": tmp_path / "x" / "same.db"}[spelling]
        if spelling == "symlink":
            target.symlink_to(db)
        elif spelling == "hardlink":
            os.link(db, target)
        before = files_of(tmp_path, "ledger.db", "views.db")
        refused(recorded, target, "export", target)
        assert_ledger_intact(recorded, tmp_path, before)

    @pytest.mark.usefixtures("sqlite_store")
    def test_score_html_onto_the_database_is_refused(self, recorded, tmp_path):
        before = files_of(tmp_path, "ledger.db", "views.db")
        db = tmp_path / "ledger.db"
        result = refused(recorded, db, *SCORE, "--format", "html", "--output", db)
        assert "SQLite database" in result.stderr
        assert_ledger_intact(recorded, tmp_path, before)

    @pytest.mark.usefixtures("sqlite_store")
    @pytest.mark.parametrize("side", ["-wal", "-shm", "-journal"])
    def test_score_output_onto_the_databases_side_files_is_refused_and_creates_nothing(self, recorded, tmp_path,
                                                                                       side):
        target = tmp_path / f"ledger.db{side}"
        existed = target.exists()
        before = files_of(tmp_path, "ledger.db", "views.db")
        refused(recorded, target, *SCORE, "--format", "json", "--output", target)
        assert target.exists() == existed
        assert_ledger_intact(recorded, tmp_path, before)

    @pytest.mark.usefixtures("sqlite_store")  # a PostgreSQL store's read model is in the database: no file
    @pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html"])
    def test_score_output_onto_the_read_model_is_refused(self, recorded, tmp_path, fmt):
        views = tmp_path / "views.db"
        before = files_of(tmp_path, "views.db")
        result = refused(recorded, views, *SCORE, "--format", fmt, "--output", views)
        assert "read model" in result.stderr
        assert files_of(tmp_path, "views.db") == before
        assert recorded.json(*SCORE)["units"]

    @pytest.mark.usefixtures("sqlite_store")
    def test_export_onto_the_read_model_is_refused(self, recorded, tmp_path):
        views = tmp_path / "views.db"
        before = files_of(tmp_path, "views.db")
        refused(recorded, views, "export", views)
        assert files_of(tmp_path, "views.db") == before

    @pytest.mark.usefixtures("sqlite_store")
    def test_export_onto_a_file_in_the_evidence_store_is_refused(self, recorded, tmp_path):
        kept = next(p for p in (tmp_path / "ledger.db.evidence").rglob("*") if p.is_file())
        before = digest(kept)
        result = recorded("export", kept)
        assert result.exit_code == 1
        assert f"{kept}: that is inside the ledger's evidence store" in result.stderr
        assert digest(kept) == before
        assert recorded("verify").exit_code == 0

    @pytest.mark.usefixtures("sqlite_store")
    def test_score_output_into_the_evidence_directory_is_refused_and_writes_nothing_there(self, recorded, tmp_path):
        evidence = tmp_path / "ledger.db.evidence"
        listing = sorted(evidence.rglob("*"))
        result = recorded(*SCORE, "--format", "csv", "--output", evidence / "report.csv")
        assert result.exit_code == 1
        assert "inside the ledger's evidence store" in result.stderr
        assert sorted(evidence.rglob("*")) == listing


class TestWritesAreAtomic:
    def test_an_export_that_finds_a_broken_chain_half_way_leaves_the_old_backup_and_no_temp_file(
            self, recorded, tmp_path, store_url):
        backup = tmp_path / "backup.jsonl"
        assert recorded("export", backup).exit_code == 0
        good = digest(backup)
        assert recorded("record", "--unit", "daiyue", "--item", "2.2.1", "--date", "2025-03-05",
                        "--evidence", "工单DY1").exit_code == 0
        raw = RawStore(store_url)
        last = raw.events()[-1]
        raw.set_state(last[0], last[4].replace("工单DY1".encode(), "工单DY9".encode()))
        result = recorded("export", backup)
        assert result.exit_code == 1
        assert "chain is broken" in result.stderr and "Traceback" not in result.output
        assert digest(backup) == good  # the earlier backup is as it was
        assert not list(tmp_path.glob(".backup.jsonl.*"))

    def test_a_report_replaces_an_existing_file_only_when_complete_and_keeps_its_permissions(self, recorded,
                                                                                            tmp_path):
        report = tmp_path / "score.json"
        report.write_text("old", encoding="utf-8")
        report.chmod(0o640)
        assert recorded(*SCORE, "--format", "json", "--output", report).exit_code == 0
        assert report.read_text(encoding="utf-8").startswith("{")
        assert report.stat().st_mode & 0o777 == 0o640
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".score")] == []

    def test_a_symlinked_output_is_written_where_it_points_and_stays_a_symlink(self, recorded, tmp_path):
        real = tmp_path / "reports" / "score.csv"
        real.parent.mkdir()
        link = tmp_path / "latest.csv"
        link.symlink_to(real)
        assert recorded(*SCORE, "--format", "csv", "--output", link).exit_code == 0
        assert link.is_symlink()
        assert real.read_bytes().startswith("\ufeff排名".encode())

    @pytest.mark.parametrize("command", [("export", "/dev/full"),
                                         (*SCORE, "--format", "json", "--output", "/dev/full"),
                                         (*SCORE, "--format", "xlsx", "--output", "/dev/full")])
    def test_a_full_device_is_one_clear_message_and_exit_1(self, recorded, command):
        if not Path("/dev/full").exists():
            pytest.skip("no /dev/full on this system")
        result = recorded(*command)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            "Error: /dev/full: cannot write: No space left on device; nothing was written"]

    def test_a_device_such_as_dev_stdout_is_written_directly(self, recorded, capfd):
        result = recorded(*SCORE, "--format", "csv", "--output", "/dev/stdout")
        assert result.exit_code == 0, result.stderr
        assert "排名,单位代码,单位" in capfd.readouterr().out
