"""The ledger application: one method per use case, in simple types, one ``save()`` each.

Every method validates against the ruleset adopted for the year concerned and then appends;
a refusal raises a ``LedgerError`` and writes nothing. ``LedgerCore`` holds what the use cases
share (the store, the read model, saving; the rulesets through ``ledger.usecases.application_rulesets``); the use cases
live in modules named for them and are composed into ``Ledger``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, MapperDeserialisationError
from eventsourcing.utils import get_topic

from events.registry import OLDER_TOPICS
from events.rulesets import RulesetAdopted
from events.workorders import FACT_FIELDS, as_fact_row
from ledger.domain.date_window import Clock, system_clock
from ledger.domain.errors import Conflict, NotFound, RuleViolation, StoreUnavailable
from ledger.storage.chain import chain_env
from ledger.storage.encryption import KEY_ENV, check_store_key, cipher_env
from ledger.storage.evidence import evidence_store_for
from ledger.storage.order_index import FactChunk, OrderState
from ledger.storage.provisioning import ensure_tables, probe
from ledger.storage.read_only import sqlite_read_only_name, writable
from ledger.storage.store import OrjsonTranscoder, PydanticMapper, StoreLocation
from ledger.translation import N_
from ledger.translation import gettext as _
from ledger.usecases.accounts import Accounts
from ledger.usecases.application_rulesets import RulesetLookup
from ledger.usecases.calendar_rulings import CalendarRulings
from ledger.usecases.deadline_records import DeadlineRecords
from ledger.usecases.disputing import Disputing
from ledger.usecases.recording import Recording
from ledger.usecases.sealing import Sealing
from projections.view import View

#: What find_id and aggregate call a record in a message (their ``what``), translated where shown.
RECORD_KINDS = (N_("occurrence"), N_("assessment"), N_("dispute"))

__all__ = ["CONFLICT_RETRIES", "Ledger", "LedgerCore"]

#: Read-decide-save attempts before a command that keeps meeting concurrent changes gives up.
CONFLICT_RETRIES = 20

T = TypeVar("T")
A = TypeVar("A")

#: Events per page when events are read by type.
_PAGE = 500

#: An id or a prefix of one, as printed: hex digits and the dashes of the printed form.
_ID_TEXT = re.compile(r"[0-9a-f]{8}(?:-?[0-9a-f])*-?")


class LedgerCore(RulesetLookup, Application[UUID]):
    """What every use case shares: the store, the read model, the rulesets and the validation and saving helpers."""

    env = {"TRANSCODER_TOPIC": get_topic(OrjsonTranscoder), "MAPPER_TOPIC": get_topic(PydanticMapper)}

    #: The clock the use cases take today from (date_window.py); the machine's unless another is passed in.
    clock: Clock = staticmethod(system_clock)

    def __init__(self, location: StoreLocation, extra_env: dict[str, str] | None = None,
                 clock: Clock | None = None) -> None:
        self.location = location
        if clock is not None:
            self.clock = clock
        module = location.env["PERSISTENCE_MODULE"]
        #: The probe's connection to a PostgreSQL store, kept for the read model (``view``) until it is opened.
        self._probed = probe(location)
        key = cipher_env(os.environ.get(KEY_ENV))
        store_env = dict(location.env)
        if location.kind == "sqlite" and (uri := sqlite_read_only_name(Path(store_env["SQLITE_DBNAME"]))):
            store_env["SQLITE_DBNAME"] = uri  # a store this process may only read: reads and verify still work
        # Tables are created only when missing (see ledger/storage/provisioning.py), never on every start.
        # No snapshots, whatever the environment says: a snapshot row would name a class to build
        # (eventsourcing's Snapshot.mutate resolves its stored topic); every aggregate is read from its events.
        # (The library reads LEDGER_X before X, so both are set.)
        no_snapshots = {"IS_SNAPSHOTTING_ENABLED": "n", f"{self.name.upper()}_IS_SNAPSHOTTING_ENABLED": "n"}
        super().__init__(env={**store_env, **chain_env(module), **key, **(extra_env or {}), "CREATE_TABLE": "n",
                              **no_snapshots})
        # A refusal of a row the ledger did not write names its notification id (the mapper has no store).
        self.mapper.locate = self.recorder.notification_id_of  # type: ignore[attr-defined]
        # Who the store authenticated, stamped on every event written (asked on the first write only).
        self.mapper.store_identity = self.recorder.authenticated_as  # type: ignore[attr-defined]
        # The Merkle tree's leaves commit to each event's plain bytes, whatever the store keeps
        # (ledger/storage/event_tree.py).
        self.recorder.plain_state = self.mapper.plain_bytes  # type: ignore[attr-defined]
        # The recorder keeps the order index in each append's transaction; it reads the facts through this mapper.
        self.recorder.order_facts = self._order_facts  # type: ignore[attr-defined]
        try:
            ensure_tables(self)
            if not self.recorder.order_index_exists():  # type: ignore[attr-defined]
                # An older store opened by a role that may not create it: whoever creates it fills it from every
                # event, so nothing is lost meanwhile; decisions that need it are refused (``order_states``).
                self.recorder.order_facts = None  # type: ignore[attr-defined]
            # Every command opens the store here, so none reads or writes with a key that does not fit.
            self._key_settled = check_store_key(self.recorder, self.mapper)
        except BaseException:
            self.close()
            raise
        self.evidence = evidence_store_for(self)

    def _order_facts(self, stored: Any) -> FactChunk:
        """A stored chunk of work-order facts, decoded for the order index (no model built: a chunk is large)."""
        fields = self.mapper.decode_state(stored)  # type: ignore[attr-defined]
        rows = fields["rows"]
        if rows and set(map(len, rows)) != {len(FACT_FIELDS)}:
            # As the mapper refuses a stored state it cannot decode (ledger/storage/store.py): the ledger never wrote
            # this.
            raise MapperDeserialisationError(
                f"cannot decode event {stored.originator_id} v{stored.originator_version}: a fact row of a wrong width")
        return list(map(as_fact_row, rows)), fields["exported_at"], fields.get("extra") or {}

    def order_states(self, ids: list[str]) -> dict[str, OrderState]:
        """order id → its state as the recorded facts leave it (``ledger/storage/order_index.py``), for the orders of
        ``ids`` the ledger has: decided from the store, never from the read model."""
        if self.recorder.order_facts is None:  # type: ignore[attr-defined]
            raise StoreUnavailable(f"the store {self.location.display} has no order index yet: open it once as its "
                                   "owner (e.g. `hotline-ledger init`), which builds it from the events")
        return self.recorder.order_states(ids)  # type: ignore[attr-defined,no-any-return]

    def recorded(self, *types: type) -> Iterator[Any]:
        """Every stored event of ``types``, decoded, in the order recorded: read from the event store by topic (the
        stored topic is plain text even in an encrypted store), for decisions that must not rest on the read model."""
        topics = [t for cls in types for t in (get_topic(cls), *(k for k, v in OLDER_TOPICS.items() if v is cls))]
        start = 1
        while True:
            page = self.recorder.select_notifications(start, _PAGE, topics=topics)
            yield from (self.mapper.to_domain_event(n) for n in page)
            if len(page) < _PAGE:
                return
            start = page[-1].id + 1

    def adopted_years(self) -> list[int]:
        """The years a ruleset has been adopted for, from the event store."""
        return sorted({e.year for e in self.recorded(RulesetAdopted)})

    @cached_property
    def view(self) -> View:
        """The read model, caught up on demand (SQLite cannot push notifications): in the database for a
        PostgreSQL store; in memory when its file cannot be written (a read-only store) or for a memory: store."""
        if self.location.views_schema is not None:  # a PostgreSQL store: the read model is in the database
            from projections.view_postgres import PostgresView

            conn, self._probed = self._probed, None
            catalog = getattr(self.recorder, "catalog", None)
            return PostgresView(self.location.env, self.location.views_schema, conn=conn,
                                present=catalog.views if catalog is not None else frozenset())
        path = self.location.views_path
        return View(path if path is not None and writable(path) else None)

    def close(self) -> None:
        """Close the read model's connection (if it was opened), then the store's."""
        if "view" in self.__dict__:
            self.__dict__.pop("view").close()
        if getattr(self, "_probed", None) is not None:
            self._probed.close()
            self._probed = None
        super().close()

    def refresh(self, progress: Any = None) -> View:
        """Bring the read model up to date with every recorded event and return it."""
        self.view.catch_up(self, progress=progress)
        return self.view

    def _settle_key(self) -> None:
        """Before writing into a store that was empty when opened: check the key against what came first."""
        if not self._key_settled:
            self._key_settled = check_store_key(self.recorder, self.mapper)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save as the library does, once the store's key mode is known to fit."""
        self._settle_key()
        try:
            return super().save(*objs, **kwargs)
        finally:
            self.evidence.settle()  # files held for this save were written with it, or not at all

    # ── saving: one transaction per command; a conflict becomes a refusal or a fresh decision ──
    def save_new(self, *aggregates: Any, conflict: str) -> None:
        """Save new aggregates in one transaction (all or nothing): an id already taken (a concurrent writer, a
        repeat) refuses the lot with ``Conflict(conflict)``."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise Conflict(conflict) from None

    def append_events(self, events: Sequence[Any], conflict: str) -> list[int]:
        """Append new aggregates' events in one transaction, mapping each as it goes (bulk imports).

        Returns their notification ids, in the order of ``events``.
        """
        return self.append_stored(self.mapper.to_stored_events(events), conflict)  # type: ignore[attr-defined]

    def append_stored(self, stored: list[Any], conflict: str) -> list[int]:
        """Append events already mapped (``mapper.to_stored_event``) in one transaction; their notification ids.

        A bulk import maps each chunk as it makes it and keeps only the stored bytes (peak memory).
        """
        if not stored:
            return []
        self._settle_key()
        try:
            return list(self.recorder.insert_events(stored) or [])
        except IntegrityError:
            raise RuleViolation(conflict) from None

    @staticmethod
    def _require_evidence(evidence: str) -> str:
        if not evidence or not evidence.strip():
            raise RuleViolation("the evidence reference is empty: say what the record rests on (--evidence)",
                                field="evidence")
        return evidence.strip()

    # ── ids as the user gives them ──────────────────────────────────────────
    def find_id(self, table: str, given: str, what: str) -> str:
        """A full id from an id or a unique prefix of at least 8 hex characters.

        A whole id is taken as it is (the aggregate that the use case loads decides whether it exists);
        only a prefix is looked up, in the read model, which is an index of ids and nothing more.
        """
        key = given.strip().lower()
        try:
            return str(UUID(key))
        except ValueError:
            pass
        if len(key) < 8:
            raise NotFound(_("{what} {given}: give the id (or at least its first 8 characters)").format(
                what=_(what), given=repr(given)))
        # Only an id's own characters: '%' or '_' would be wildcards of the LIKE (a prefix is looked up as a key range).
        if len(key) > 36 or not _ID_TEXT.fullmatch(key):
            raise NotFound(_("{what} {given} is not an id: ids are hexadecimal UUIDs (e.g. 3f2a9c1e-…)").format(
                what=_(what), given=repr(given)))
        view = self.refresh()
        # A range on the primary key ('~' sorts after every hex digit and the dash): no wildcard, an index seek.
        rows = view.db.execute(f"SELECT id FROM {table} WHERE id >= ? AND id < ? LIMIT 2",
                               (key, key + "~")).fetchall()
        if not rows:
            raise NotFound(_("no {what} with id {given}").format(what=_(what), given=repr(given)))
        if len(rows) > 1:
            raise NotFound(_("{what} id {given} is ambiguous: give more characters").format(what=_(what),
                                                                                           given=repr(given)))
        return str(rows[0][0])

    def aggregate(self, id_: str, kind: type[A], what: str) -> A:
        """The aggregate ``id_`` from the event store, if it is a ``kind``; else a refusal naming ``what``."""
        try:
            found = self.repository.get(UUID(id_))
        except AggregateNotFoundError:
            raise NotFound(_("no {what} with id {given}").format(what=_(what), given=repr(id_))) from None
        if not isinstance(found, kind):
            raise NotFound(_("no {what} with id {given} (it names a record of another kind)").format(
                what=_(what), given=repr(id_)))
        return found

    # ── conflicts ───────────────────────────────────────────────────────────
    def _retrying(self, attempt: Callable[[], T], conflict: str) -> T:
        """Run a read-decide-save command; when another writer saved the same aggregate first, read and decide again.

        Only for commands whose decision depends on nothing but the aggregate they save (the re-read
        decides afresh: "already decided" becomes a refusal, an identical ruling changes nothing).
        """
        for _attempt in range(CONFLICT_RETRIES):
            try:
                return attempt()
            except IntegrityError:
                continue
        raise Conflict(conflict)


class Ledger(Recording, Disputing, DeadlineRecords, CalendarRulings, Sealing, Accounts, LedgerCore):
    """The hotline ledger: rulesets, occurrences, assessments, disputes, deadlines, calendar rulings, seals, accounts.

    Work orders and files of events are imported by ``ledger/usecases/imports`` through this application.
    """

    name = "Ledger"  # names the application in the store's environment: never change it
