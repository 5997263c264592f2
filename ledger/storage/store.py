"""Where the ledger lives: store URLs, eventsourcing persistence settings, and the event mapper.

``sqlite:///PATH`` (the embedded default) and ``postgresql://USER@HOST:PORT/DB`` both go through
eventsourcing's own persistence modules; choosing one is configuration, not code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic
from pydantic import BaseModel

from events.base import LedgerEvent
from events.registry import ForeignTopic, event_class
from ledger.aggregates import AGGREGATE_TYPES
from ledger.domain.errors import ForeignEvent, StoreUnavailable
from ledger.storage.identity import os_user, request_login
from ledger.translation import gettext as _

DEFAULT_STORE = "sqlite:///hotline-ledger.db"
#: The persistence factory of ``memory:`` stores (ledger/storage/chain_memory.py).
MEMORY_FACTORY = "ledger.storage.chain_memory:ChainedPOPOFactory"


class OrjsonTranscoder(Transcoder):
    """JSON bytes via orjson: pydantic has already reduced events to JSON types."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


_AGGREGATE_TOPICS = frozenset(get_topic(c) for c in AGGREGATE_TYPES)
_STORED_EXCLUDE = frozenset({"originator_id", "originator_version"})


class PydanticMapper(Mapper):
    """Maps pydantic events to stored events and back, validating what is read.

    Every event it stores is stamped with ``authenticated_as`` (ledger/storage/identity.py): the one place
    all writes pass, whatever the event type or use case, so no caller of a use case can choose it.
    """

    #: Asks the store who it authenticated (set by the application: ``recorder.authenticated_as``);
    #: asked once, on the first write. Without it, the OS account running the process.
    store_identity: Callable[[], str] | None = None
    _identity: str | None = None

    def authenticated_as(self) -> str:
        """Who is writing: the web request's authenticated login, else the store's authenticated identity."""
        login = request_login()
        if login is not None:
            return login
        if self._identity is None:
            self._identity = self.store_identity() if self.store_identity is not None else os_user()
        return self._identity

    def stamp(self, domain_event: Any) -> Any:
        """Set ``authenticated_as`` on an event about to be stored, and return it.

        In place, though events are frozen: the event object held by the aggregate (and applied to
        the read model straight after a bulk import) must be the fact as stored, not an unstamped copy.
        """
        if isinstance(domain_event, LedgerEvent):
            object.__setattr__(domain_event, "authenticated_as", self.authenticated_as())
        return domain_event

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        return self._stored(cast(BaseModel, self.stamp(domain_event)))

    def to_stored_events(self, domain_events: Sequence[Any]) -> list[StoredEvent]:
        """``to_stored_event`` of many events (a bulk import): who is writing is asked once for all of them."""
        who = self.authenticated_as()
        stored = []
        for e in domain_events:
            if isinstance(e, LedgerEvent):
                object.__setattr__(e, "authenticated_as", who)  # as ``stamp`` does
            stored.append(self._stored(e))
        return stored

    def _stored(self, model: BaseModel) -> StoredEvent:
        version = type(model).class_version  # type: ignore[attr-defined]
        if type(self.transcoder) is OrjsonTranscoder:
            # pydantic writes the same JSON bytes itself, without the intermediate dict (bulk imports).
            data = model.__pydantic_serializer__.to_json(model, exclude=_STORED_EXCLUDE)
            if version > 1:  # first: what follows is the fields in their declared order (projections/apply.py)
                data = b'{"class_version":%d,%s' % (version, data[1:])
        else:
            fields = model.model_dump(mode="json", exclude=_STORED_EXCLUDE)
            data = self.transcoder.encode({"class_version": version, **fields} if version > 1 else fields)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        domain_event: Any = model
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=data,
        )

    def plain_bytes(self, state: bytes) -> bytes:
        """An event's stored state decrypted and decompressed: the JSON the ledger wrote (what a leaf commits to)."""
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return bytes(state)

    def decode_state(self, stored_event: StoredEvent) -> dict[str, Any]:
        """The event's fields as a plain dict (decrypted, decompressed), without building a model."""
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            return cast(dict[str, Any], self.transcoder.decode(data))
        except ValueError as e:  # a wrong key, or encrypted data read without one: never a traceback
            msg = f"cannot decode event {stored_event.originator_id} v{stored_event.originator_version}: {e}"
            raise MapperDeserialisationError(msg) from None

    #: Finds a stored event's notification id for messages (set by the application; the mapper has no store).
    locate: Callable[[Any, int], int | None] | None = None

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        # The topic is looked up in the ledger's own table before anything is decrypted or built:
        # a stored row never chooses which code runs (events/registry.py).
        try:
            cls = event_class(stored_event.topic)
        except ForeignTopic as e:
            raise self._foreign(stored_event, str(e)) from None
        state = self.decode_state(stored_event)
        creator = state.get("originator_topic") if isinstance(state, dict) else None
        if creator is not None and creator not in _AGGREGATE_TOPICS:
            raise self._foreign(stored_event, f"it would create a {str(creator)[:120]!r}, which is not one of the "
                                              "ledger's aggregates; it was not decoded")
        upcast(cls, state)
        return cls(
            originator_id=stored_event.originator_id,
            originator_version=stored_event.originator_version,
            **state,
        )

    def _foreign(self, stored_event: StoredEvent, problem: str) -> ForeignEvent:
        """The refusal of a row the ledger did not write, naming it as precisely as this reader can."""
        oid, version = stored_event.originator_id, stored_event.originator_version
        nid = getattr(stored_event, "id", None)  # a Notification knows its id; a repository's StoredEvent does not
        if nid is None and self.locate is not None:
            try:
                nid = self.locate(oid, version)
            except Exception:  # noqa: BLE001 - the id only decorates the message; the refusal stands without it
                nid = None
        return ForeignEvent(nid, oid.hex if isinstance(oid, UUID) else str(oid), version, problem)


def upcast(cls: type, state: dict[str, Any]) -> None:
    """Bring a stored event's state from the version it was written in to ``cls``'s, in place (events/base.py)."""
    latest: int = cls.class_version  # type: ignore[attr-defined]
    version = state.pop("class_version", 1)
    if type(version) is not int or not 1 <= version <= latest:
        # A newer ledger's event (or a damaged one): refused by name, never half-read.
        raise MapperDeserialisationError(_("its class_version {version} is not one this ledger reads for {type} "
                                           "(1 to {latest}): a newer ledger wrote it, or it was altered").format(
            version=repr(version)[:40], type=cls.__name__, latest=latest))
    while version < latest:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1


@dataclass(frozen=True)
class StoreLocation:
    """A parsed ``--store`` URL.

    Attributes:
        url: as given (never printed with a password). kind: ``sqlite``, ``postgresql`` or ``memory``.
        env: eventsourcing persistence settings. views_path: the projection's SQLite file (None: in memory,
        or in the database). evidence_dir: the content-addressed evidence directory (None for PostgreSQL:
        evidence is kept in the store). views_schema: the PostgreSQL schema of the read model of a
        PostgreSQL store (None: another kind of store).
    """

    url: str
    kind: str
    env: dict[str, str]
    views_path: Path | None
    evidence_dir: Path | None
    views_schema: str | None = None

    @property
    def display(self) -> str:
        """The URL without any password."""
        return masked(self.url)


def views_schema(store_schema: str | None) -> str:
    """A PostgreSQL store's read-model schema: the store's schema name (default ``public``) and ``_views``."""
    return f"{store_schema or 'public'}_views"


def masked(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages: a password is never printed)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url.split("@", 1)[-1] if "@" in url else url
    return url.replace(f":{password}@", ":***@", 1) if password else url


def parse_store(url: str) -> StoreLocation:
    """Turn a store URL into persistence settings; refuse anything else with a clear message."""
    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise StoreUnavailable(_("store URL {url} is malformed: {problem}").format(url=repr(masked(url)),
                                                                                    problem=e)) from None
    if parts.scheme == "memory":
        return _memory_location(url)
    if parts.scheme == "sqlite":
        return _sqlite_location(url)
    if parts.scheme in ("postgresql", "postgres"):
        return _postgres_location(url, parts)
    raise StoreUnavailable(
        f"store URL {masked(url)!r} is not supported: use sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
    )


def _memory_location(url: str) -> StoreLocation:
    """``memory:``: nothing survives the process (for tests of aggregates and use cases, and for trying things out)."""
    import tempfile

    env = {"PERSISTENCE_MODULE": MEMORY_FACTORY}
    evidence = Path(os.environ.get("HOTLINE_LEDGER_EVIDENCE") or tempfile.mkdtemp(prefix="hotline-evidence-"))
    return StoreLocation(url, "memory", env, None, evidence)


def _sqlite_location(url: str) -> StoreLocation:
    """``sqlite:///PATH``: the events in that file, the read model and evidence beside it."""
    raw = unquote(url[len("sqlite://"):])
    path = raw[1:] if raw.startswith("/") else raw
    if not path:
        raise StoreUnavailable(_("store URL {url} names no file: use sqlite:///PATH").format(url=repr(url)))
    db = Path(path).expanduser().resolve()
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db), "SQLITE_LOCK_TIMEOUT": "60"}
    views = Path(os.environ.get("HOTLINE_LEDGER_VIEWS") or f"{db}.views")
    return StoreLocation(url, "sqlite", env, views, db.parent / f"{db.name}.evidence")


def _postgres_location(url: str, parts: SplitResult) -> StoreLocation:
    """``postgresql://USER@HOST:PORT/DB[?schema=S]``: the events, evidence and read model in the database."""
    if not parts.path.strip("/"):
        raise StoreUnavailable(
            f"store URL {masked(url)!r} names no database: use postgresql://USER@HOST:PORT/DB")
    try:
        port = parts.port or 5432
    except ValueError:
        raise StoreUnavailable(
            f"store URL {masked(url)!r} has no valid port: use postgresql://USER@HOST:PORT/DB") from None
    query = parse_qs(parts.query)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
        "POSTGRES_HOST": parts.hostname or "localhost",
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or os.environ.get("PGUSER") or os.environ.get("USER", "postgres")),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "30",
    }
    # The library's pool opens 5 connections at once (a server process each) where a command uses one: open one
    # and as many more as are needed, up to the same 15 (unless the environment says otherwise).
    for key, value in (("POSTGRES_POOL_SIZE", "1"), ("POSTGRES_MAX_OVERFLOW", "14")):
        if key not in os.environ and f"LEDGER_{key}" not in os.environ:
            env[key] = value
    # An empty password lets libpq look in PGPASSWORD and ~/.pgpass, its own conventions;
    # the password is never stored in the ledger nor printed.
    env["POSTGRES_PASSWORD"] = unquote(parts.password) if parts.password else ""
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    # Evidence (ledger/storage/evidence_postgres.py) and the read model (projections/view_postgres.py) live in the
    # database beside the events, never on this machine's disk: HOTLINE_LEDGER_VIEWS and
    # HOTLINE_LEDGER_EVIDENCE, an SQLite store's settings, do not apply.
    return StoreLocation(url, "postgresql", env, None, None, views_schema(env.get("POSTGRES_SCHEMA")))
