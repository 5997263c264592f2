"""Evidence in the store: on PostgreSQL attachments are rows of the store, seen alike by every machine.

Through the CLI on both backends where the case is not PostgreSQL's own: the size limit, export and
import, and (PostgreSQL) two clients with separate homes, the same transaction as the event, a
changed chunk.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.storage.store import parse_store
from tests.conftest import Cli, _pg_connect
from tests.e2e.test_cli_verify import RawStore

RECORD = ("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "WO-1")
TRACE = ("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1", "--as-of", "2025-12-31")


def _kept(store: str) -> list[tuple[str, bytes]]:
    """(digest, content) of every file the store keeps, through the ledger's own evidence store."""
    from ledger.usecases.application import Ledger

    app = Ledger(parse_store(store))
    try:
        return [(sha, b"".join(app.evidence.open(sha))) for sha, _ in app.evidence.iterate()]
    finally:
        app.close()


def _json(cli: Cli, *args: Any, env: dict[str, str | None]) -> Any:
    result = cli(*args, "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr or result.output
    return json.loads(result.stdout)


@pytest.fixture
def pg_only(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("evidence kept in a PostgreSQL store")


@pytest.fixture
def fresh_store(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same backend."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/target.db"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{store_url.split('?', 1)[0]}?schema={schema}"
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.usefixtures("pg_only")
def test_an_attachment_recorded_on_one_machine_verifies_on_another_and_neither_home_gets_a_file(
        cli: Cli, tmp_path: Path) -> None:
    homes = {m: tmp_path / f"home-{m}" for m in "ab"}
    env = {m: {"HOME": str(h), "XDG_CACHE_HOME": str(h / ".cache"), "HOTLINE_LEDGER_EVIDENCE": None,
               # The read model's place is another slice of the same issue: kept outside both homes here.
               "HOTLINE_LEDGER_VIEWS": str(tmp_path / f"views-{m}.db")} for m, h in homes.items()}
    for home in homes.values():
        home.mkdir()
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 photo of the notice board")
    _json(cli, "init", "--year", "2025", env=env["a"])
    _json(cli, *RECORD, "--attach", photo, env=env["a"])

    report = _json(cli, "verify", env=env["b"])
    (item,) = _json(cli, *TRACE, env=env["b"])["items"]

    assert report["ok"] and "evidence files checked: 1" in report["lines"]
    assert item["events"][0]["attachments"] == [{"name": "现场照片.jpg", "size": 28,
                                                 "sha256": hashlib.sha256(photo.read_bytes()).hexdigest()}]
    assert [p for h in homes.values() for p in h.rglob("*")] == []
    assert _kept(cli.store) == [(hashlib.sha256(photo.read_bytes()).hexdigest(), photo.read_bytes())]


@pytest.mark.usefixtures("pg_only")
def test_a_chunk_missing_from_a_large_attachment_is_named_by_verify(cli: Cli, tmp_path: Path) -> None:
    scan = tmp_path / "scan.bin"
    scan.write_bytes(os.urandom((5 << 19) + 7))  # 2.5 MiB and 7 bytes: three chunks of 1 MiB
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    cli.json("init", "--year", "2025")
    cli.json(*RECORD, "--attach", scan)
    assert cli.json("verify")["ok"]
    RawStore(cli.store).execute("DELETE FROM {chunks} WHERE sha256 = ? AND seq = 1", sha)

    result = cli("verify")

    assert result.exit_code == 1
    assert f"EVIDENCE: evidence file {sha} (scan.bin) was changed" in result.stderr


@pytest.mark.usefixtures("pg_only")
def test_an_event_that_fails_to_save_leaves_no_attachment_in_the_store(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.storage.chain_postgres import ChainedPostgresApplicationRecorder

    cli.json("init", "--year", "2025")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a photo")

    def broken(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the server went away after the evidence rows")

    monkeypatch.setattr(ChainedPostgresApplicationRecorder, "_insert_stored_events", broken)
    with pytest.raises(RuntimeError, match="went away"):
        cli(*RECORD, "--attach", photo)
    monkeypatch.undo()

    assert _kept(cli.store) == []
    assert [e["type"] for e in cli.json("log")] == ["RulesetAdopted"]


def test_an_attachment_above_the_size_limit_is_refused_and_nothing_is_stored(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.json("init", "--year", "2025")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x" * 11)
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE_MAX_BYTES", "10")

    result = cli(*RECORD, "--attach", scan)

    assert result.exit_code == 1
    assert (f"attachment '{scan}' is 11 bytes, more than the 10 bytes an attachment may have "
            "(HOTLINE_LEDGER_EVIDENCE_MAX_BYTES); nothing was recorded") in result.stderr
    assert "Traceback" not in result.output
    assert _kept(cli.store) == []
    assert [e["type"] for e in cli.json("log")] == ["RulesetAdopted"]


def test_an_attachment_of_exactly_the_size_limit_is_kept(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.json("init", "--year", "2025")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x" * 10)
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE_MAX_BYTES", "10")

    cli.json(*RECORD, "--attach", scan)

    assert _kept(cli.store) == [(hashlib.sha256(b"x" * 10).hexdigest(), b"x" * 10)]


def test_a_size_limit_that_is_not_a_number_is_refused(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.json("init", "--year", "2025")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"x")
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE_MAX_BYTES", "1GB")

    result = cli(*RECORD, "--attach", scan)

    assert result.exit_code == 1
    assert "HOTLINE_LEDGER_EVIDENCE_MAX_BYTES='1GB' is not a size: give a positive number of bytes" in result.stderr
    assert [e["type"] for e in cli.json("log")] == ["RulesetAdopted"]


def test_an_export_imported_into_a_fresh_store_carries_its_attachments_and_verifies(
        cli: Cli, fresh_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo, letter = tmp_path / "photo.jpg", tmp_path / "申诉函.pdf"
    photo.write_bytes(os.urandom((3 << 19) + 5))  # 1.5 MiB: two stored chunks, three export chunk lines
    letter.write_bytes(b"%PDF dispute letter")
    cli.json("init", "--year", "2025")
    occ = cli.json(*RECORD, "--attach", photo)["id"]
    cli.json("dispute", "open", occ, "--reason", "不服", "--evidence", "申诉函", "--attach", letter)
    exported = cli.json("export", tmp_path / "ledger.jsonl")
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target-views.db"))
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "target-evidence"))
    target = Cli(fresh_store)

    imported = target.json("import", "ledger", tmp_path / "ledger.jsonl")
    report = target.json("verify")

    assert exported["evidence"] == imported["evidence"] == 2
    assert report["ok"] and "evidence files checked: 2" in report["lines"]
    assert _kept(fresh_store) == sorted((hashlib.sha256(f.read_bytes()).hexdigest(), f.read_bytes())
                                        for f in (photo, letter))


@pytest.mark.usefixtures("pg_only")
def test_a_reader_recording_with_an_attachment_is_refused_and_stores_no_file(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.json("init", "--year", "2025")
    role = f"reader_{uuid.uuid4().hex[:10]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        cli.json("db", "grant", role, "--as", "reader")
        url = cli.store.replace("postgres@", f"{role}@", 1)
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(b"a photo")
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "reader-views.db"))

        result = Cli(url, actor=role)(*RECORD, "--attach", photo)

        assert result.exit_code == 1
        assert f"the role '{role}' may only read this ledger" in result.stderr
        assert "Traceback" not in result.output
        assert _kept(cli.store) == []
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')




@pytest.mark.usefixtures("pg_only")
def test_an_attachments_original_name_and_media_type_move_with_it_between_postgresql_stores(
        cli: Cli, fresh_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    letter = tmp_path / "申诉函.pdf"
    letter.write_bytes(b"%PDF dispute letter")
    cli.json("init", "--year", "2025")
    cli.json(*RECORD, "--attach", letter)
    cli.json("export", tmp_path / "ledger.jsonl")
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target-views.db"))

    Cli(fresh_store).json("import", "ledger", tmp_path / "ledger.jsonl")

    assert RawStore(fresh_store).execute("SELECT name, media_type, size FROM {evidence}") == [
        ("申诉函.pdf", "application/pdf", 19)]


@pytest.mark.usefixtures("pg_only")
def test_an_attachment_changed_between_its_hashing_and_the_save_is_refused_and_nothing_is_recorded(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.storage.evidence_postgres import PostgresEvidenceStore

    cli.json("init", "--year", "2025")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"the photo as hashed")
    original = PostgresEvidenceStore.write_pending

    def swapped(self: Any, cur: Any) -> None:
        photo.write_bytes(b"the photo as HASHED")  # same size, other bytes: only the digest tells
        original(self, cur)

    monkeypatch.setattr(PostgresEvidenceStore, "write_pending", swapped)
    result = cli(*RECORD, "--attach", photo)
    monkeypatch.undo()

    assert result.exit_code == 1
    assert f"attachment '{photo}' changed while it was being recorded; nothing was recorded" in result.stderr
    assert _kept(cli.store) == []
    assert [e["type"] for e in cli.json("log")] == ["RulesetAdopted"]
