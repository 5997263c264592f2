"""The Merkle tree over every stored event, kept by each append on SQLite, PostgreSQL and in memory.

Each test records through the CLI, then reads the store directly: the leaves must commit to the
events' plain JSON with their salts (recomputed here byte by byte, not with the ledger's own
helper), the tree must verify, an edit must be named, and a store made before the tree must get
one for the events it already holds.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from eventsourcing.cipher import AESCipher

from ledger.storage.merkle import TreeReader, memory_lookup
from ledger.storage.store import parse_store
from ledger.storage.tree_check import verify_tree
from ledger.usecases.application import Ledger
from tests.conftest import Cli


def _record(cli: Cli, n: int) -> list[str]:
    assert cli("init", "--year", 2025).exit_code == 0
    return [cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", f"2025-03-{d:02d}",
                     "--evidence", f"工单TA{d}")["id"] for d in range(1, n + 1)]


def _entry(salt: bytes, oid: str, version: int, topic: str, plain: bytes) -> bytes:
    # The leaf entry as docs/merkle.md writes it, built here independently.
    fields = [salt, oid.encode(), str(version).encode(), topic.encode(), plain]
    return b"hotline-ledger leaf v1\x00" + b"".join(len(f).to_bytes(8, "big") + f for f in fields)


def _rebuilt(app: Ledger) -> tuple[list[bytes], int]:
    """Every leaf recomputed from the stored events (decrypted) and the stored salts; the number of events."""
    rows = app.recorder.event_rows(0, 2**62, 10**6)
    leaves = []
    for (nid, oid, version, topic, state), (index, leaf_nid, salt, stored) in zip(
            rows, app.recorder.leaf_page(-1, 10**6), strict=True):
        assert (leaf_nid, len(salt)) == (nid, 16)
        plain = app.mapper.plain_bytes(state)
        json.loads(plain)  # the plain bytes are the event's JSON
        leaf = hashlib.sha256(b"\x00" + _entry(salt, oid, version, topic, plain)).digest()
        assert leaf == stored, f"leaf {index}"
        leaves.append(leaf)
    return leaves, len(rows)


def test_every_append_extends_the_tree_over_the_plain_events(cli: Cli) -> None:
    _record(cli, 5)
    app = Ledger(parse_store(cli.store))
    try:
        leaves, events = _rebuilt(app)
        # init adopts a ruleset (one event) and 5 occurrences were recorded, at least.
        assert events >= 6 and len(leaves) == events == app.recorder.tree_size_at()
        root = TreeReader(app.recorder.tree_node).root(events)
        assert root == TreeReader(memory_lookup(leaves)).root(events)
        report = verify_tree(app.recorder)
        assert report.ok, report.failure
        assert (report.size, report.events) == (events, events)
    finally:
        app.close()


def test_with_encryption_at_rest_leaves_commit_to_the_plain_json(store_url: str, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", AESCipher.create_key(32))
    cli = Cli(store_url)
    _record(cli, 2)
    app = Ledger(parse_store(store_url))
    try:
        nid, _oid, _v, _topic, state = app.recorder.event_rows(0, 2**62, 10**6)[-1]
        assert b"TA2" not in bytes(state)  # cipher text at rest
        assert "工单TA2" in app.mapper.plain_bytes(state).decode()
        _rebuilt(app)
        assert verify_tree(app.recorder).ok
    finally:
        app.close()


def test_an_edited_salt_is_named_by_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    store = f"sqlite:///{tmp_path}/l.db"
    _record(Cli(store), 3)
    with sqlite3.connect(tmp_path / "l.db") as db:
        db.execute("UPDATE stored_events_leaves SET salt = zeroblob(16) WHERE idx = 2")
        (nid,) = db.execute("SELECT notification_id FROM stored_events_leaves WHERE idx = 2").fetchone()
    app = Ledger(parse_store(store))
    try:
        report = verify_tree(app.recorder)
        assert not report.ok
        assert report.failure is not None and report.failure.startswith(f"event #{nid} ")
    finally:
        app.close()


def test_an_altered_inner_node_is_named_by_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    store = f"sqlite:///{tmp_path}/l.db"
    _record(Cli(store), 4)
    with sqlite3.connect(tmp_path / "l.db") as db:
        db.execute("UPDATE stored_events_tree SET hash = zeroblob(32) WHERE level = 1 AND idx = 1")
    app = Ledger(parse_store(store))
    try:
        report = verify_tree(app.recorder)
        assert report.failure == "the Merkle tree's node at level 1, index 1 differs from its events (altered?)"
    finally:
        app.close()


def test_a_store_made_before_the_tree_gets_one_at_its_next_append(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    store = f"sqlite:///{tmp_path}/l.db"
    cli = Cli(store)
    _record(cli, 3)
    with sqlite3.connect(tmp_path / "l.db") as db:  # as an older version left it: no tree tables
        db.execute("DROP TABLE stored_events_leaves")
        db.execute("DROP TABLE stored_events_tree")
        (events,) = db.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    assert cli("verify").exit_code == 0  # reads and verifies as before
    assert cli("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-04-01",
               "--evidence", "later").exit_code == 0
    app = Ledger(parse_store(store))
    try:
        leaves, total = _rebuilt(app)
        assert total >= events + 1 and len(leaves) == total
        assert verify_tree(app.recorder).ok
    finally:
        app.close()


def test_a_store_made_before_the_tree_opened_read_only_still_reads_and_verifies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ledger.usecases.application

    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    store = f"sqlite:///{tmp_path}/l.db"
    cli = Cli(store)
    _record(cli, 2)
    with sqlite3.connect(tmp_path / "l.db") as db:
        db.execute("DROP TABLE stored_events_leaves")
        db.execute("DROP TABLE stored_events_tree")
    # As for a file this process may not write (the tests run as root, to whom every file is writable).
    monkeypatch.setattr(ledger.usecases.application, "sqlite_read_only_name", lambda db: f"file:{db.resolve()}?mode=ro")
    monkeypatch.setattr(ledger.usecases.application, "writable", lambda path: False)
    result = cli("verify")
    assert result.exit_code == 0, result.stderr
    assert "merkle tree: none in this store yet" in result.stdout
    assert cli("score", "--year", "2025").exit_code == 0
    with sqlite3.connect(tmp_path / "l.db") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name LIKE '%_tree'").fetchall() == []
