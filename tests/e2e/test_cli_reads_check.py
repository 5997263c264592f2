"""Reads that check what they read (issue 11): hostile rows, edited bytes and an edited read model.

Each test records a small ledger through the CLI, then works on the store or the read model
behind the ledger's back (as anyone with write access could), and runs the reading commands as
a user would: a refusal is exit 1 with one message naming the event, never a traceback and
never a score.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from ledger.storage.chain import chain_link, event_digest
from projections.view import View
from tests.conftest import read_model
from tests.e2e.test_cli_verify import RawStore

FORGED_TOPIC = "logging:basicConfig"
READS = (("score", "--year", "2025"), ("trace", "--year", "2025", "--unit", "taishan"), ("log",),
         ("verify",), ("rebuild",))


@pytest.fixture
def raw(store_url: str) -> RawStore:
    return RawStore(store_url)


def _small_ledger(cli: Any) -> list[str]:
    cli.json("init", "--year", "2025")
    record = ["record", "--unit", "taishan", "--item", "2.1"]
    return [cli.json(*record, "--date", f"2025-03-0{n}", "--evidence", f"WO-{n}")["id"] for n in (1, 2, 3)]


def _insert(raw: RawStore, originator: str, version: int, topic: str, state: bytes) -> int:
    """Insert one row straight into the events table; its notification id."""
    oid = "?" if raw.location.kind == "sqlite" else "?::uuid"
    raw.execute(f"INSERT INTO {{events}} (originator_id, originator_version, topic, state) VALUES ({oid}, ?, ?, ?)",
                originator, version, topic, state)
    return max(n for n, *_ in raw.events())


def _append_chain_row(raw: RawStore, nid: int) -> None:
    """Chain the last event as the ledger would have: the chain itself stays intact."""
    previous = bytes(raw.execute("SELECT hash FROM {chain} ORDER BY notification_id DESC LIMIT 1")[0][0])
    _, oid, version, topic, state = next(e for e in raw.events() if e[0] == nid)
    digest = event_digest(oid, version, topic, state)
    raw.execute("INSERT INTO {chain} (notification_id, digest, hash) VALUES (?, ?, ?)",
                nid, digest, chain_link(previous, nid, digest))


def _forge(raw: RawStore, victim: Path, originator: str | None = None, version: int = 1) -> tuple[int, str]:
    """The hostile row of issue 11: ``logging:basicConfig`` truncating ``victim``; (notification id, originator hex)."""
    oid = originator or uuid4().hex
    state = json.dumps({"filename": str(victim), "filemode": "w"}).encode()
    return _insert(raw, oid, version, FORGED_TOPIC, state), oid


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    return victim


def _refused(result: Any, *names: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for name in names:
        assert name in result.stderr, result.stderr


def _count_of(raw: RawStore, nid: int, count: int) -> None:
    """Set an occurrence's stored count (its bytes only, not the chain)."""
    state = next(e for e in raw.events() if e[0] == nid)[4]
    assert b'"count":1' in state
    raw.set_state(nid, state.replace(b'"count":1', f'"count":{count}'.encode()))


# ── forged topics ───────────────────────────────────────────────────────────
def test_a_row_of_a_foreign_type_is_refused_by_every_read_naming_it_and_runs_nothing(
        cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _small_ledger(cli)
    victim = _victim(tmp_path)
    nid, oid = _forge(raw, victim)

    for args in READS:
        result = cli(*args)
        _refused(result, f"event #{nid} ({oid} v1)")
        assert "not one of the ledger's event types" in result.stderr, (args, result.stderr)
        assert FORGED_TOPIC in result.stderr
        assert "CIPHER_KEY" not in result.stderr
    assert victim.read_text() == "precious\n"


def test_a_row_of_a_foreign_type_with_a_forged_chain_row_is_refused_by_every_read_naming_it(
        cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _small_ledger(cli)
    victim = _victim(tmp_path)
    nid, oid = _forge(raw, victim)
    _append_chain_row(raw, nid)

    for args in READS:
        result = cli(*args)
        _refused(result, f"event #{nid} ({oid} v1)")
        assert "not one of the ledger's event types" in result.stderr, (args, result.stderr)
        assert FORGED_TOPIC in result.stderr
        assert "CIPHER_KEY" not in result.stderr
    assert victim.read_text() == "precious\n"


def test_a_foreign_row_is_refused_by_a_known_at_replay(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _small_ledger(cli)
    victim = _victim(tmp_path)
    nid, oid = _forge(raw, victim)
    _append_chain_row(raw, nid)

    result = cli("score", "--year", "2025", "--known-at", "2099-01-01")

    _refused(result, f"event #{nid} ({oid} v1)", "not a ledger event")
    assert victim.read_text() == "precious\n"


def test_a_foreign_row_in_an_aggregates_own_history_is_refused_when_the_write_side_reads_it(
        cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _small_ledger(cli)
    victim = _victim(tmp_path)
    book = raw.events()[0][1]  # the 2025 ruleset book, read by every recording of 2025
    nid, _ = _forge(raw, victim, originator=book, version=2)
    _append_chain_row(raw, nid)

    result = cli("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-04-01", "--evidence", "WO-4")
    again = cli("init", "--year", "2025")

    _refused(result, f"event #{nid} ({book} v2)", "not a ledger event")
    _refused(again, f"event #{nid} ({book} v2)", "not a ledger event")
    assert victim.read_text() == "precious\n"
    assert len(raw.events()) == 5  # nothing recorded


# ── catch-up checks each new event's chain link ─────────────────────────────
def test_an_event_whose_bytes_were_edited_stops_every_read_naming_it(
        cli: Any, raw: RawStore, tmp_path: Path) -> None:
    ids = _small_ledger(cli)
    cli.json("log")  # the read model has caught up with the three occurrences
    extra = cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-09", "--evidence", "WO-9")
    nid = raw.position_of(extra["id"])
    _count_of(raw, nid, 9)  # before any read has applied it
    who = f"event #{nid} ({extra['id'].replace('-', '')} v1)"

    for args in (("score", "--year", "2025", "--format", "json"), ("score", "--year", "2025", "--format", "csv"),
                 ("score", "--year", "2025", "--format", "html", "--output", str(tmp_path / "r.html")),
                 ("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1"), ("log",)):
        result = cli(*args)
        _refused(result, who, "fails the tamper-evidence chain", "edited")
        assert result.stdout == ""
    assert ids and not (tmp_path / "r.html").exists()


def test_an_event_edited_with_its_chain_recomputed_reads_as_stored_for_signed_seals_to_catch(
        cli: Any, raw: RawStore) -> None:
    ids = _small_ledger(cli)
    before = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1")
    nid = raw.position_of(ids[0])
    _count_of(raw, nid, 9)
    raw.rechain()

    after = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1")

    # The view's kept hash no longer matches the chain: it is rebuilt from the (rewritten) store.
    assert [e["count"] for e in before["items"][0]["events"]] == [1, 1, 1]
    assert sorted(e["count"] for e in after["items"][0]["events"]) == [1, 1, 9]


# ── verify compares the read model with a replay ────────────────────────────
def test_an_edited_read_model_fails_verify_and_rebuild_repairs_it(cli: Any, tmp_path: Path) -> None:
    ids = _small_ledger(cli)
    assert cli("verify").exit_code == 0
    with read_model(cli.store) as views:
        views.execute("UPDATE occurrences SET count = 0, effective_count = 0 WHERE id = ?", (ids[1],))

    edited = cli("verify")
    cli("rebuild")
    repaired = cli("verify")

    _refused(edited, "READ MODEL: table occurrences", "differs from a replay of the events", "rebuild")
    assert repaired.exit_code == 0, repaired.stderr
    assert "read model ok" in repaired.stdout


def test_a_row_deleted_from_the_read_model_fails_verify(cli: Any) -> None:
    ids = _small_ledger(cli)
    cli.json("log")
    with read_model(cli.store) as views:
        views.execute("DELETE FROM occurrences WHERE id = ?", (ids[2],))

    result = cli("verify")

    _refused(result, "READ MODEL: table occurrences lacks a row the events give", ids[2])


# ── the read model's files are private ──────────────────────────────────────
def _sqlite_only(cli: Any) -> None:
    if not cli.store.startswith("sqlite"):
        pytest.skip("a PostgreSQL store's read model is in the database: no file")


def _modes(views: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode)
            for p in (views, Path(f"{views}-wal"), Path(f"{views}-shm")) if p.exists()}


def test_the_read_model_files_are_created_private_to_their_owner(cli: Any) -> None:
    _sqlite_only(cli)
    views = Path(os.environ["HOTLINE_LEDGER_VIEWS"])
    old = os.umask(0o022)
    try:
        _small_ledger(cli)
        # A command closes the read model when it ends, and the last connection's close removes the WAL file:
        # the ledger's own View holds one open (as a long-running `serve` does) while the files are looked at.
        held = View(views)
        cli.json("log")
        modes = _modes(views)
        held.close()
    finally:
        os.umask(old)

    assert views.name in modes and f"{views.name}-wal" in modes
    assert set(modes.values()) == {0o600}, modes


def test_existing_world_readable_read_model_files_are_tightened(cli: Any) -> None:
    _sqlite_only(cli)
    _small_ledger(cli)
    cli.json("log")
    views = Path(os.environ["HOTLINE_LEDGER_VIEWS"])
    for name in _modes(views):
        (views.parent / name).chmod(0o644)

    cli.json("log")

    assert set(_modes(views).values()) == {0o600}, _modes(views)


def test_snapshots_stay_off_whatever_the_environment_says(cli: Any) -> None:
    # A snapshot row would name the class to rebuild an aggregate from; the ledger reads events only.
    _small_ledger(cli)
    on = {"IS_SNAPSHOTTING_ENABLED": "y", "LEDGER_IS_SNAPSHOTTING_ENABLED": "y"}

    result = cli("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-04-01", "--evidence", "WO-4", env=on)

    assert result.exit_code == 0, result.output
    assert len(cli.json("log")) == 5
