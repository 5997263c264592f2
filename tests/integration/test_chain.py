"""The hash chain detects tampering with the stored events, on SQLite and on PostgreSQL.

Each test records a few tickets through a tiny application, then tampers with the store directly,
as someone with write access to the SQLite file or the database could, and checks that
``verify_chain`` names the first event that fails.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.storage.chain import (
    EDITED,
    GENESIS,
    NO_CHAIN,
    ORPHAN,
    REORDERED,
    UNLINKED,
    ChainBrokenError,
    chain_env,
    chain_link,
    event_digest,
    head,
    iter_chain,
    verify_chain,
)

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}


class Ticket(Aggregate):
    """A toy aggregate with a single event."""

    @event("Created")
    def __init__(self, note: str) -> None:
        self.note = note


class Tickets(Application[UUID]):
    """A toy application whose events are chained."""

    def open(self, note: str) -> UUID:
        ticket = Ticket(note=note)
        self.save(ticket)
        return ticket.id


@functools.cache
def _postgres_unreachable() -> str | None:
    try:
        psycopg.connect(**PG, connect_timeout=2).close()
    except psycopg.OperationalError as e:
        return f"PostgreSQL is not reachable on {PG['host']}:{PG['port']}: {e}"
    return None


class Store:
    """One backend's env, plus raw SQL access that bypasses the ledger.

    Raw SQL is written with ``{events}``, ``{chain}`` and ``{id}`` (the notification id column)
    and ``?`` placeholders; it is adapted to the backend.
    """

    def __init__(self, backend: str, env: dict[str, str]) -> None:
        self.backend = backend
        self.env = env
        self.apps: list[Tickets] = []

    def app(self) -> Tickets:
        app = Tickets(env=self.env)
        self.apps.append(app)
        return app

    def _sql(self, sql: str) -> str:
        recorder: Any = self.apps[0].recorder
        if self.backend == "sqlite":
            return sql.format(events=recorder.events_table_name, chain=recorder.chain_table_name, id="rowid")
        schema = recorder.datastore.schema
        return sql.replace("?", "%s").format(
            events=f'"{schema}"."{recorder.events_table_name}"',
            chain=f'"{schema}"."{recorder.chain_table_name}"',
            id="notification_id",
        )

    def execute(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            import sqlite3

            with sqlite3.connect(self.env["SQLITE_DBNAME"]) as conn:
                return conn.execute(self._sql(sql), params).fetchall()
        with psycopg.connect(**PG, autocommit=True) as conn:
            # Tampering as someone with every right: a superuser switches the history triggers off.
            conn.execute("SET session_replication_role = replica")
            cur = conn.execute(self._sql(sql), params)
            return cur.fetchall() if cur.description else []

    def swap_ids(self, a: int, b: int) -> None:
        """Swap the notification ids of two events, i.e. reorder them."""
        self.execute("UPDATE {events} SET {id} = -1 WHERE {id} = ?", a)
        self.execute("UPDATE {events} SET {id} = ? WHERE {id} = ?", a, b)
        self.execute("UPDATE {events} SET {id} = ? WHERE {id} = -1", b)

    def close(self) -> None:
        for app in self.apps:
            app.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "tickets.db"),
            # Concurrent writers must wait for the lock, not fail.
            "SQLITE_LOCK_TIMEOUT": "60",
            **chain_env("eventsourcing.sqlite"),
        }
        s = Store("sqlite", env)
        yield s
        s.close()
        return
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    schema = f"chain_{uuid4().hex[:12]}"
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": str(PG["port"]),
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "2",
        **chain_env("eventsourcing.postgres"),
    }
    s = Store("postgres", env)
    try:
        yield s
    finally:
        s.close()
        with psycopg.connect(**PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _ledger_of_five(store: Store) -> tuple[Tickets, list[UUID]]:
    app = store.app()
    return app, [app.open(f"note {i}") for i in range(1, 6)]


def test_an_untouched_ledger_verifies_and_reports_its_stored_head(store: Store) -> None:
    app, _ = _ledger_of_five(store)

    report = verify_chain(app.recorder)

    assert report.ok and report.failure is None
    assert report.count == 5
    assert head(app.recorder) == (5, report.head)
    assert [e.notification_id for e in iter_chain(app.recorder)] == [1, 2, 3, 4, 5]


def test_an_empty_ledger_verifies_with_the_genesis_head(store: Store) -> None:
    app = store.app()

    assert verify_chain(app.recorder) == (True, 0, GENESIS, None)
    assert head(app.recorder) is None


def test_editing_one_events_bytes_names_that_event(store: Store) -> None:
    app, ids = _ledger_of_five(store)
    (state,), = store.execute("SELECT state FROM {events} WHERE {id} = ?", 3)
    store.execute("UPDATE {events} SET state = ? WHERE {id} = ?", bytes(state).replace(b"3", b"9"), 3)

    failure = verify_chain(app.recorder).failure

    assert failure == (3, ids[2].hex, 1, EDITED)


def test_deleting_an_event_but_not_its_chain_entry_names_the_orphan_entry(store: Store) -> None:
    app, _ = _ledger_of_five(store)
    store.execute("DELETE FROM {events} WHERE {id} = ?", 3)

    report = verify_chain(app.recorder)

    assert report.failure == (3, None, None, ORPHAN)
    assert report.count == 2


def test_after_the_last_event_is_deleted_the_deletion_stays_detected_and_sqlite_refuses_saves(
    store: Store,
) -> None:
    app, _ = _ledger_of_five(store)
    store.execute("DELETE FROM {events} WHERE {id} = ?", 5)

    if store.backend == "sqlite":
        # SQLite would reuse rowid 5 for the next event, which cannot follow chain head #5.
        with pytest.raises(ChainBrokenError, match="chain head #5"):
            app.open("after the deletion")
        assert store.execute("SELECT COUNT(*) FROM {events}") == [(4,)]  # nothing written
    else:
        app.open("after the deletion")  # Postgres never reuses an id: #6

    assert verify_chain(app.recorder).failure == (5, None, None, ORPHAN)


def test_deleting_an_event_with_its_chain_entry_names_the_event_after_the_gap(store: Store) -> None:
    app, ids = _ledger_of_five(store)
    store.execute("DELETE FROM {events} WHERE {id} = ?", 3)
    store.execute("DELETE FROM {chain} WHERE notification_id = ?", 3)

    assert verify_chain(app.recorder).failure == (4, ids[3].hex, 1, UNLINKED)


def test_swapping_two_events_states_names_the_first_of_them(store: Store) -> None:
    app, ids = _ledger_of_five(store)
    (s2,), = store.execute("SELECT state FROM {events} WHERE {id} = ?", 2)
    (s4,), = store.execute("SELECT state FROM {events} WHERE {id} = ?", 4)
    store.execute("UPDATE {events} SET state = ? WHERE {id} = ?", s4, 2)
    store.execute("UPDATE {events} SET state = ? WHERE {id} = ?", s2, 4)

    assert verify_chain(app.recorder).failure == (2, ids[1].hex, 1, EDITED)


def test_swapping_two_whole_events_is_reported_as_a_reordering_of_the_first(store: Store) -> None:
    app, ids = _ledger_of_five(store)
    store.swap_ids(2, 4)

    # Position 2 now holds the fourth ticket's event.
    assert verify_chain(app.recorder).failure == (2, ids[3].hex, 1, REORDERED)


def test_an_event_inserted_directly_is_named_even_after_later_saves(store: Store) -> None:
    app, _ = _ledger_of_five(store)
    (topic, state), = store.execute("SELECT topic, state FROM {events} WHERE {id} = ?", 1)
    intruder = uuid4()
    store.execute(
        "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
        intruder.hex, 1, topic, state,
    )
    app.open("a later, honest ticket")

    report = verify_chain(app.recorder)

    assert report.failure == (6, intruder.hex, 1, NO_CHAIN)
    assert head(app.recorder) == (7, next(iter_chain(app.recorder, start=7)).hash)


def test_a_rewrite_of_the_whole_chain_is_caught_only_by_the_sealed_head(store: Store) -> None:
    app, _ = _ledger_of_five(store)
    seal = head(app.recorder)
    assert seal is not None
    # The attacker edits event 2, then recomputes every chain entry, as the algorithm is public.
    (state,), = store.execute("SELECT state FROM {events} WHERE {id} = ?", 2)
    store.execute("UPDATE {events} SET state = ? WHERE {id} = ?", bytes(state).replace(b"2", b"7"), 2)
    previous = bytes(32)
    rows = store.execute(
        "SELECT {id}, originator_id, originator_version, topic, state FROM {events} ORDER BY {id}"
    )
    for notification_id, originator_id, version, topic, state in rows:
        oid = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        digest = event_digest(oid, version, topic, bytes(state))
        previous = chain_link(previous, notification_id, digest)
        store.execute("UPDATE {chain} SET digest = ?, hash = ? WHERE notification_id = ?",
                      digest, previous, notification_id)

    assert verify_chain(app.recorder).ok  # self-consistent again...
    report = verify_chain(app.recorder, expected=[seal])  # ...but not against the published head

    assert report.failure is not None
    assert report.failure.notification_id == 5
    assert report.failure.reason == "differs from the sealed head published for #5"


def test_a_sealed_head_that_has_been_deleted_fails_verification(store: Store) -> None:
    app, _ = _ledger_of_five(store)
    seal = head(app.recorder)
    store.execute("DELETE FROM {events} WHERE {id} = ?", 5)
    store.execute("DELETE FROM {chain} WHERE notification_id = ?", 5)

    assert verify_chain(app.recorder).ok  # truncating the tail is invisible without a seal
    failure = verify_chain(app.recorder, expected=[seal]).failure

    assert failure is not None and failure.notification_id == 5


def test_a_rejected_insert_leaves_the_chain_valid_even_across_an_id_gap(store: Store) -> None:
    app, ids = _ledger_of_five(store)
    (topic, state), = store.execute("SELECT topic, state FROM {events} WHERE {id} = ?", 1)
    with pytest.raises(IntegrityError):  # the same (originator, version) again: refused
        app.recorder.insert_events([StoredEvent(ids[0], 1, topic, bytes(state))])
    app.open("after the refusal")

    report = verify_chain(app.recorder)

    assert report.ok and report.count == 6
    # Postgres burns the refused id (6); SQLite reuses it.
    expected_last = 7 if store.backend == "postgres" else 6
    assert head(app.recorder) == (expected_last, report.head)


def test_an_encrypted_ledger_verifies_without_its_key(store: Store) -> None:
    from eventsourcing.cipher import AESCipher

    store.env["CIPHER_KEY"] = AESCipher.create_key(32)
    app, _ = _ledger_of_five(store)
    store.env.pop("CIPHER_KEY")

    assert verify_chain(store.app().recorder).count == 5


def _open_tickets(env: dict[str, str], count: int, start: Any, results: Any) -> None:
    """Worker: open ``count`` tickets, one save each, once every worker is ready; report their ids."""
    app = Tickets(env={**env, "CREATE_TABLE": "n"})  # the parent created them, see below
    try:
        start.wait(timeout=60)  # so that the saves really overlap
        results.put([app.open(f"ticket {i}").hex for i in range(count)])
    finally:
        app.close()


def test_four_processes_saving_at_once_build_one_chain_with_every_event_once(store: Store) -> None:
    # Create the tables (and SQLite's WAL) before the writers race: concurrent CREATE OR REPLACE
    # FUNCTION on Postgres can fail with "tuple concurrently updated".
    app = store.app()
    context = multiprocessing.get_context("spawn")  # forking would copy open connection pools
    start, results = context.Barrier(4), context.Queue()
    workers = [context.Process(target=_open_tickets, args=(store.env, 200, start, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    written = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    report = verify_chain(app.recorder)
    assert report.ok, report.failure
    assert report.count == 800
    recorded = [(e.originator_id, e.originator_version) for e in iter_chain(app.recorder)]
    assert len(recorded) == len(set(recorded)) == 800
    assert set(recorded) == {(oid, 1) for ids in written for oid in ids}
