"""``verify`` and ``seal`` through the CLI, against someone who edits the store behind the ledger's back.

Each test records a small ledger through the CLI, then tampers with the SQLite file or the
PostgreSQL schema directly (as anyone with write access could) or with the evidence files, and
checks that ``verify`` exits 1 naming the event or the file, with no traceback.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.storage.chain import chain_link, event_digest
from ledger.storage.store import parse_store


class RawStore:
    """SQL on the ledger's own tables, bypassing the ledger; ``{events}``, ``{chain}``, ``{id}`` and ``?``."""

    def __init__(self, url: str) -> None:
        from ledger.usecases.application import Ledger

        self.location = parse_store(url)
        app = Ledger(self.location)
        recorder: Any = app.recorder
        self.events_table, self.chain_table = recorder.events_table_name, recorder.chain_table_name
        self.leaves_table, self.tree_table = recorder.leaves_table_name, recorder.tree_table_name
        self.schema = getattr(recorder.datastore, "schema", None)
        app.close()

    def execute(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.location.kind == "sqlite":
            sql = sql.format(events=self.events_table, chain=self.chain_table, id="rowid", leaves=self.leaves_table,
                             tree=self.tree_table)
            with sqlite3.connect(self.location.env["SQLITE_DBNAME"]) as conn:
                return conn.execute(sql, params).fetchall()
        sql = sql.replace("?", "%s").format(events=f'"{self.schema}"."{self.events_table}"',
                                            chain=f'"{self.schema}"."{self.chain_table}"', id="notification_id",
                                            leaves=f'"{self.schema}"."{self.leaves_table}"',
                                            tree=f'"{self.schema}"."{self.tree_table}"',
                                            evidence=f'"{self.schema}"."{self.events_table}_evidence"',
                                            chunks=f'"{self.schema}"."{self.events_table}_evidence_chunks"')
        env = self.location.env
        with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                             dbname=env["POSTGRES_DBNAME"], autocommit=True) as conn:
            # Tampering as someone with every right: a superuser switches the history triggers off.
            conn.execute("SET session_replication_role = replica")
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def events(self) -> list[tuple[int, str, int, str, bytes]]:
        """(notification id, originator id hex, version, topic, state) in order."""
        oid = "originator_id" if self.location.kind == "sqlite" else "replace(originator_id::text, '-', '')"
        rows = self.execute(f"SELECT {{id}}, {oid}, originator_version, topic, state FROM {{events}} ORDER BY {{id}}")
        return [(n, o, v, t, bytes(s)) for n, o, v, t, s in rows]

    def position_of(self, event_id: str) -> int:
        """The notification id of the first event of an aggregate (its id as the CLI prints it)."""
        hexid = event_id.replace("-", "")
        return next(n for n, o, _, _, _ in self.events() if o == hexid)

    def set_state(self, nid: int, state: bytes) -> None:
        self.execute("UPDATE {events} SET state = ? WHERE {id} = ?", state, nid)

    def rechain(self) -> None:
        """Rewrite every chain row from the stored events: a whole-chain forgery."""
        previous = bytes(32)
        for nid, oid, version, topic, state in self.events():
            digest = event_digest(oid, version, topic, state)
            previous = chain_link(previous, nid, digest)
            self.execute("UPDATE {chain} SET digest = ?, hash = ? WHERE notification_id = ?", digest, previous, nid)
        self.retree()

    def retree(self) -> None:
        """Recompute the Merkle tree's leaves (keeping their salts) and nodes from the stored events, as a forger
        with the ledger's code would (the events are plain JSON here: no cipher key in these tests)."""
        from ledger.storage.event_tree import event_leaf
        from ledger.storage.merkle import grown

        salts = dict(self.execute("SELECT notification_id, salt FROM {leaves}"))
        leaves = [event_leaf(bytes(salts[nid]), oid, version, topic, state)
                  for nid, oid, version, topic, state in self.events() if nid in salts]
        stored: dict[tuple[int, int], bytes] = {}
        rows = grown(0, leaves, lambda level, index: stored[(level, index)])
        self.execute("DELETE FROM {tree}")
        for level, index, h in rows:
            stored[(level, index)] = h
            self.execute("INSERT INTO {tree} (level, idx, hash) VALUES (?, ?, ?)", level, index, h)

    def tree_head(self, notification_id: int) -> tuple[int, str]:
        """The (size, root hex) of the stored tree at an event, as a forger re-signing would read it."""
        from ledger.storage.event_tree import tree_head
        from ledger.usecases.application import Ledger

        app = Ledger(self.location)
        try:
            return tree_head(app.recorder, notification_id)
        finally:
            app.close()


@pytest.fixture
def raw(store_url: str) -> RawStore:
    return RawStore(store_url)


def _small_ledger(cli: Any) -> list[str]:
    cli.json("init", "--year", "2025")
    record = ["record", "--unit", "taishan", "--item", "2.1"]
    return [cli.json(*record, "--date", f"2025-03-0{n}", "--evidence", f"WO-{n}")["id"] for n in (1, 2, 3)]


def _verify(cli: Any, *args: str, **env: str) -> Any:
    result = cli("verify", *args, env=env or None)
    assert "Traceback" not in result.output
    return result


def test_an_untouched_ledger_verifies_and_prints_its_head(cli: Any) -> None:
    _small_ledger(cli)

    result = _verify(cli)
    report = cli.json("verify")

    assert result.exit_code == 0, result.stderr
    assert report["ok"] is True and report["problems"] == []
    assert report["count"] == len(cli.json("log"))  # 1 ruleset + 3 occurrences = 4 events
    assert report["count"] == 4
    assert len(report["head"]) == 64
    assert f"chain ok: 4 events, head {report['head']}" in result.stdout


def test_editing_one_events_bytes_is_named_by_verify(cli: Any, raw: RawStore) -> None:
    ids = _small_ledger(cli)
    nid = raw.position_of(ids[1])
    state = raw.events()[nid - 1][4]
    raw.set_state(nid, state.replace(b"WO-2", b"WO-9"))

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"event #{nid} ({ids[1].replace('-', '')} v1)" in result.stderr
    assert "edited" in result.stderr


def test_bytes_edited_into_invalid_json_fail_verify_cleanly_even_with_a_fresh_read_model(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    ids = _small_ledger(cli)
    nid = raw.position_of(ids[2])
    raw.set_state(nid, b'{"timestamp": "2025-')

    # A read model that has never seen the ledger would have to decode every event to catch up.
    result = _verify(cli, HOTLINE_LEDGER_VIEWS=str(tmp_path / "fresh.views"))

    assert result.exit_code == 1
    assert f"CHAIN BROKEN at event #{nid} ({ids[2].replace('-', '')} v1)" in result.stderr
    assert "not brought up to date" in result.stdout


def test_reading_commands_on_undecodable_bytes_refuse_naming_the_event(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    ids = _small_ledger(cli)
    nid = raw.position_of(ids[2])
    raw.set_state(nid, b"not json at all")

    result = cli("score", "--year", "2025", env={"HOTLINE_LEDGER_VIEWS": str(tmp_path / "fresh.views")})

    assert result.exit_code == 1
    # The read checks the chain link before decoding: the edit is named as such, not as a decoding error.
    assert f"event #{nid} ({ids[2].replace('-', '')} v1) fails the tamper-evidence chain" in result.stderr
    assert "edited" in result.stderr and "verify" in result.stderr


def test_verify_with_a_wrong_key_is_refused_before_it_checks_anything(cli: Any, tmp_path: Path) -> None:
    """One key per ledger: verify decodes seals and replays the read model, so it needs the key like every command."""
    from eventsourcing.cipher import AESCipher

    key, other = AESCipher.create_key(32), AESCipher.create_key(32)
    cli("init", "--year", "2025", env={"HOTLINE_LEDGER_CIPHER_KEY": key})
    fresh = str(tmp_path / "fresh.views")

    result = _verify(cli, HOTLINE_LEDGER_CIPHER_KEY=other, HOTLINE_LEDGER_VIEWS=fresh)

    assert result.exit_code == 1 and result.stdout == ""
    assert "HOTLINE_LEDGER_CIPHER_KEY is not the key of this ledger" in result.stderr
    assert _verify(cli, HOTLINE_LEDGER_CIPHER_KEY=key, HOTLINE_LEDGER_VIEWS=fresh).exit_code == 0


def test_deleting_one_event_is_named_by_verify(cli: Any, raw: RawStore) -> None:
    ids = _small_ledger(cli)
    nid = raw.position_of(ids[0])
    raw.execute("DELETE FROM {events} WHERE {id} = ?", nid)

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"event #{nid}" in result.stderr and "deleted" in result.stderr


def test_swapping_two_events_is_named_by_verify(cli: Any, raw: RawStore) -> None:
    ids = _small_ledger(cli)
    a, b = raw.position_of(ids[0]), raw.position_of(ids[1])
    raw.execute("UPDATE {events} SET {id} = -1 WHERE {id} = ?", a)
    raw.execute("UPDATE {events} SET {id} = ? WHERE {id} = ?", a, b)
    raw.execute("UPDATE {events} SET {id} = ? WHERE {id} = -1", b)

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"event #{a} ({ids[1].replace('-', '')} v1)" in result.stderr
    assert "reordered" in result.stderr


def test_a_rewritten_chain_passes_alone_but_fails_against_the_ledgers_own_seal(cli: Any, raw: RawStore) -> None:
    ids = _small_ledger(cli)
    sealed = cli.json("seal", "--unsigned", "--note", "2025年第1期通报")
    nid = raw.position_of(ids[1])
    raw.set_state(nid, raw.events()[nid - 1][4].replace(b"WO-2", b"WO-9"))
    raw.rechain()

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"sealed head published for #{sealed['notification_id']}" in result.stderr


def test_a_rewritten_chain_fails_against_a_published_head_given_on_the_command_line(
    cli: Any, raw: RawStore
) -> None:
    ids = _small_ledger(cli)
    published = cli.json("verify")
    line = f"{published['count']}:{published['head']}"
    assert _verify(cli, "--seal", line).exit_code == 0
    nid = raw.position_of(ids[0])
    raw.set_state(nid, raw.events()[nid - 1][4].replace(b"WO-1", b"WO-7"))
    raw.rechain()
    assert _verify(cli).exit_code == 0  # a consistent forgery: only a published head can tell

    result = _verify(cli, "--seal", line)

    assert result.exit_code == 1
    assert f"sealed head published for #{published['count']}" in result.stderr


def test_seal_refuses_to_vouch_for_a_broken_chain_and_records_nothing(cli: Any, raw: RawStore) -> None:
    ids = _small_ledger(cli)
    nid = raw.position_of(ids[0])
    raw.set_state(nid, raw.events()[nid - 1][4].replace(b"WO-1", b"WO-7"))
    before = len(raw.events())

    result = cli("seal", "--unsigned")

    assert result.exit_code == 1
    assert "nothing sealed" in result.stderr and f"event #{nid}" in result.stderr
    assert len(raw.events()) == before


class KeptFile:
    """One kept attachment, changed behind the ledger's back: a file beside SQLite, rows in PostgreSQL."""

    def __init__(self, cli: Any, sha256: str) -> None:
        self.cli, self.sha256 = cli, sha256
        evidence = parse_store(cli.store).evidence_dir
        self.path = None if evidence is None else evidence / sha256[:2] / sha256

    def write(self, content: bytes) -> None:
        if self.path is not None:
            os.chmod(self.path, stat.S_IRUSR | stat.S_IWUSR)
            self.path.write_bytes(content)
        else:
            RawStore(self.cli.store).execute("UPDATE {chunks} SET bytes = ? WHERE sha256 = ?", content, self.sha256)

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink()
        else:
            raw = RawStore(self.cli.store)
            raw.execute("DELETE FROM {chunks} WHERE sha256 = ?", self.sha256)
            raw.execute("DELETE FROM {evidence} WHERE sha256 = ?", self.sha256)


def _attached(cli: Any, tmp_path: Path) -> tuple[str, KeptFile]:
    """A ledger with one occurrence carrying one attachment; (its id, the kept file)."""
    cli.json("init", "--year", "2025")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 photo of the notice board")
    occ = cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "WO-1",
                   "--attach", photo)["id"]
    (item,) = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1", "--as-of",
                       "2025-12-31")["items"]
    (attachment,) = item["events"][0]["attachments"]
    assert (attachment["name"], attachment["size"]) == ("现场照片.jpg", 28)  # 2 + len(" photo of the notice board") 26
    return occ, KeptFile(cli, attachment["sha256"])


def test_a_changed_attachment_file_is_named_by_verify(cli: Any, tmp_path: Path) -> None:
    _, kept = _attached(cli, tmp_path)
    assert _verify(cli).exit_code == 0
    kept.write(b"\xff\xd8 a different photo")

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"evidence file {kept.sha256} (现场照片.jpg) was changed" in result.stderr


def test_a_missing_attachment_file_is_named_by_verify(cli: Any, tmp_path: Path) -> None:
    _, kept = _attached(cli, tmp_path)
    kept.remove()

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"evidence file {kept.sha256} (现场照片.jpg) is missing" in result.stderr


def test_an_attachment_named_like_a_path_traversal_is_kept_by_its_hash(cli: Any, tmp_path: Path) -> None:
    cli.json("init", "--year", "2025")
    (tmp_path / "in" / "a" / "b").mkdir(parents=True)
    (tmp_path / "in" / "etc").mkdir()
    (tmp_path / "in" / "etc" / "passwd").write_bytes(b"root:x:0:0")
    sneaky = str(tmp_path / "in" / "a" / "b") + "/../../etc/passwd"

    occ = cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "WO-1",
                   "--attach", sneaky)["id"]

    (item,) = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1", "--as-of",
                       "2025-12-31")["items"]
    (event,) = item["events"]
    assert event["id"] == occ
    (attachment,) = event["attachments"]
    assert (attachment["name"], attachment["size"]) == ("passwd", 10)  # the base name only; 10 bytes
    evidence = parse_store(cli.store).evidence_dir
    if evidence is None:  # PostgreSQL: a row under its digest, with the base name as its original name
        rows = RawStore(cli.store).execute("SELECT e.sha256, e.name, c.bytes FROM {evidence} e JOIN {chunks} c "
                                           "USING (sha256)")
        assert [(sha, name, bytes(data)) for sha, name, data in rows] == [
            (attachment["sha256"], "passwd", b"root:x:0:0")]
    else:
        kept = [p for p in evidence.rglob("*") if p.is_file()]
        assert kept == [evidence / attachment["sha256"][:2] / attachment["sha256"]]
        assert kept[0].read_bytes() == b"root:x:0:0"
        assert not (evidence.parent / "etc").exists()
    assert _verify(cli).exit_code == 0


def test_attachments_on_a_dispute_are_kept_and_checked_too(cli: Any, tmp_path: Path) -> None:
    occ, _ = _attached(cli, tmp_path)
    letter = tmp_path / "申诉函.pdf"
    letter.write_bytes(b"%PDF dispute letter")
    cli.json("dispute", "open", occ, "--reason", "不服", "--evidence", "申诉函", "--attach", letter)

    report = cli.json("verify")

    assert "evidence files checked: 2" in report["lines"]  # the photo and the letter
