"""The materialised read model: a SQLite database kept up to date from the notification log.

SQLite stores cannot be subscribed to, so the view catches up on read: it pulls every
notification after its tracked position, applies it, and records the new position in the same
transaction. Dropping the file (``rebuild``) and catching up again gives the same tables: the
view is a deterministic function of the log. A view limited to what was recorded by a moment
(``--known-at``) is the same code over an in-memory database. Its tables are ``projections.view_schema``;
the checks each page of events passes before it is applied, ``projections.view_pages``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from eventsourcing.application import Application

from events.occurrences import OccurrenceRecorded
from projections import apply as appliers
from projections import order_misses, order_tallies
from projections.view_pages import StoredRow, chain_hash_at, checked_page, decode, page_limit
from projections.view_schema import SCHEMA

FIRST_PAGE = 16
#: Notifications applied per transaction (in pages of PAGE): a commit writes out every page the transaction
#: touched, and the read model's ids are random, so each commit rewrote most index pages again (measured on
#: 100,000 occurrences: 1.8 s of CPU at 5,000 a transaction, 1.35 s at 50,000).
COMMIT_EVERY = 50_000
#: A catch-up of at least this many notifications writes with a page cache of BULK_CACHE_KIB (``View._bulk_writes``).
BULK = 10_000
BULK_CACHE_KIB = 128 * 1024


class View:
    """The read model in one SQLite file (or in memory), with its notification-log position and chain hash.

    The file and its ``-wal``/``-shm`` companions are private to their owner (0600): they hold the
    ledger's facts decrypted.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = str(path) if path is not None else ":memory:"
        if path is not None:
            _private_file(Path(self.path))
        self.db = sqlite3.connect(self.path, timeout=120, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if path is not None:
            self.db.execute("PRAGMA journal_mode=WAL")
            _tighten(Path(self.path))
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        if "chain_hash" not in {r[1] for r in self.db.execute("PRAGMA table_info(tracking)")}:
            self.db.execute("ALTER TABLE tracking ADD COLUMN chain_hash BLOB")  # a file from before the column
        if "authenticated_as" not in {r[1] for r in self.db.execute("PRAGMA table_info(log)")}:
            # A file from before the column: add it and rebuild rather than guess who wrote what it holds.
            self.db.execute("ALTER TABLE log ADD COLUMN authenticated_as TEXT")
            self.reset()
        if "screened" not in {r[1] for r in self.db.execute("PRAGMA table_info(workorders)")}:
            # A file from before rates were data (a flag per built-in rate): the screenings, the tallies and the
            # costly orders are now kept per rate code, so count them again from the first event.
            # Its table is made again (the old flags' columns would differ from a replay's, which `verify` compares).
            self.db.execute("DROP TABLE workorders")
            self.db.executescript(SCHEMA)
            self.reset()
        order_tallies.ensure(self.db)
        order_misses.ensure(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE so two processes catching up take turns."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def position(self, app_name: str) -> int | None:
        """The last notification id applied (None: nothing yet)."""
        return self.checked(app_name)[0]

    def checked(self, app_name: str) -> tuple[int | None, bytes | None]:
        """The last notification id applied and its chain hash, as checked when it was applied."""
        row = self.db.execute(
            "SELECT notification_id, chain_hash FROM tracking WHERE application_name=?", (app_name,)
        ).fetchone()
        return (row[0], None if row[1] is None else bytes(row[1])) if row else (None, None)

    def catch_up(
        self,
        app: Application[Any],
        *,
        known_at: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
        recorded: MutableMapping[int, Any] | None = None,
        upto: int | None = None,
    ) -> int:
        """Apply every notification after the tracked position; return how many were applied.

        Each one is first checked against the tamper-evidence chain, linking on from the hash kept
        with the position (``ledger.storage.chain.linked``), and its type against the ledger's own; the
        first that fails stops the read (``BrokenLink``, ``ForeignEvent``) and nothing of its page
        is applied. With ``known_at``, events recorded after that moment are passed over (the view
        then shows what the ledger contained at that moment). ``recorded`` maps notification ids to
        the domain events the caller has just recorded: those are applied as they are, rather than
        decoded back from the store (a bulk import's chunks are large to decode), and taken out of it
        once applied, so that the caller's memory shrinks as the catch-up goes; their stored bytes
        are still checked. ``upto`` stops at that notification id (a replay to compare with).
        """
        recorded = recorded or {}
        # The stored JSON of the recorded occurrences, when the store keeps it in plain text: their log entries
        # are cut from it (``apply.apply_events``), not encoded again.
        plain = not getattr(app.mapper, "cipher", None) and not getattr(app.mapper, "compressor", None)
        stored_json: dict[int, bytes] = {}
        seen, seen_hash = self.checked(app.name)  # read before the store's end: both only grow
        last = app.recorder.max_notification_id() or 0
        forgotten = self._forget_other_history(app, seen, seen_hash, last)
        if upto is not None:
            last = min(last, upto)
        if not forgotten and (seen or 0) >= last:
            return 0  # nothing new: no write transaction (and on PostgreSQL no catch-up lock) for a reader
        with self._bulk_writes(last - (0 if forgotten else seen or 0)):
            return self._apply_pages(app, last, known_at, progress, recorded, stored_json, plain)

    def _apply_pages(self, app: Application[Any], last: int, known_at: datetime | None,
                     progress: Callable[[int, int], None] | None, recorded: MutableMapping[int, Any],
                     stored_json: dict[int, bytes], plain: bool) -> int:
        """The catch-up's transactions, from the tracked position up to ``last``; how many were applied."""
        applied = 0
        while True:
            # Pages of PAGE notifications, up to COMMIT_EVERY of them per transaction: each commit
            # rewrites the B-tree pages the batch touched, so fewer, larger commits apply faster.
            pulled = 0
            with self.transaction() as db:
                start, hash_ = self.checked(app.name)

                def pages() -> Iterator[tuple[Any, int]]:
                    nonlocal start, hash_, pulled
                    limit = FIRST_PAGE  # until the events' size is known
                    while pulled < COMMIT_EVERY and (start or 0) < last:
                        # The stored rows as plain tuples: a notification object (and a UUID) is made only for
                        # an event that has to be decoded, not for the ones a bulk import hands over.
                        page = [StoredRow._make(r) for r in
                                app.recorder.event_rows(start or 0, last, limit)]  # type: ignore[attr-defined]
                        if not page:
                            break
                        limit = page_limit(page)
                        hash_ = checked_page(app, start, hash_, page)  # the whole page, before any of it applies
                        for n in page:
                            e = recorded.pop(n.id, None)
                            if e is None:
                                e = decode(app, n)
                            elif plain and type(e) is OccurrenceRecorded:
                                stored_json[n.id] = bytes(n.state)
                            if known_at is None or e.timestamp <= known_at:
                                yield e, n.id
                        start = page[-1].id
                        pulled += len(page)
                        if progress:
                            progress(start, last)

                # One stream for the whole transaction: runs of work-order chunks are merged across pages.
                appliers.apply_events(db, pages(), stored_json)
                if pulled:
                    db.execute(
                        "INSERT INTO tracking VALUES (?, ?, ?) ON CONFLICT(application_name) "
                        "DO UPDATE SET notification_id=excluded.notification_id, chain_hash=excluded.chain_hash",
                        (app.name, start, hash_),
                    )
            applied += pulled
            if pulled < COMMIT_EVERY:
                return applied

    @contextmanager
    def _bulk_writes(self, coming: int) -> Iterator[None]:
        """Before many notifications (a bulk import, a rebuild): a page cache that holds the indexes the rows go
        into (the read model's ids are random: with SQLite's default 2 MB, each commit wrote and read most index
        pages again), and no checkpoint until the end, where one copies every changed page back once. As it was
        afterwards. Only for BULK notifications or more: a work-order import's few large events are left alone
        (its peak memory is bounded)."""
        if coming < BULK or not isinstance(self.db, sqlite3.Connection):
            yield
            return
        (cache,) = self.db.execute("PRAGMA cache_size").fetchone()
        (checkpoint,) = self.db.execute("PRAGMA wal_autocheckpoint").fetchone()
        self.db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        self.db.execute("PRAGMA wal_autocheckpoint=0")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size={int(cache)}")  # also gives the extra pages back
            self.db.execute(f"PRAGMA wal_autocheckpoint={int(checkpoint)}")
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _forget_other_history(self, app: Application[Any], seen: int | None, hash_: bytes | None, last: int) -> bool:
        """Empty a view built from another history than the store's: it is rebuilt rather than trusted.

        That is a view that has seen more events than the store holds (the store was replaced), or
        whose hash at its position is not the chain's there (the store was replaced by another
        ledger, or its history rewritten together with its chain: that is for signed seals to
        catch; the view simply follows the store). A view from before hashes were kept takes the
        chain's hash at its position. True if the view was emptied.
        """
        if not seen:
            return False
        stored = None if seen > last else chain_hash_at(app, seen)
        if stored is None or (hash_ is not None and hash_ != stored):
            self.reset()
            return True
        if hash_ is None:
            with self.transaction() as db:
                db.execute("UPDATE tracking SET chain_hash=? WHERE application_name=?", (stored, app.name))
        return False

    def reset(self) -> None:
        """Empty every table and the position: the next catch-up rebuilds from the first event."""
        tables = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        with self.transaction() as db:
            for t in tables:
                db.execute(f"DELETE FROM {t}")


def _private_file(path: Path) -> None:
    """Create the read model's file mode 0600 (before SQLite does, with the umask's mode), or tighten it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder (the PostgreSQL cache) is private too
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    _tighten(path)


def _tighten(path: Path) -> None:
    """Make the database and its -wal/-shm files private to their owner (SQLite gives those the database's mode)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.stat().st_mode & 0o077:
                p.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError:  # another user's file, readable by us: say nothing, change nothing
            continue
