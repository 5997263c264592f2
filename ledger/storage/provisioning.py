"""Opening a store: reach the server, create the ledger's tables once, and say plainly what failed.

The library's own way (``CREATE_TABLE=y``) runs its DDL on every start. On PostgreSQL that needs
the CREATE right even when the tables exist (so a role that may only read and append could not
open the ledger), and several processes starting at once can fail with "tuple concurrently
updated". So the application is built with ``CREATE_TABLE=n`` and ``ensure_tables`` creates the
schema and tables only when they are missing, retrying when another process is creating them at
the same moment.
"""

from __future__ import annotations

import time
from typing import Any

from ledger.domain.errors import StoreUnavailable
from ledger.storage.store import StoreLocation
from ledger.translation import N_, _

#: Attempts at creating the tables while other processes may be doing the same.
CREATE_ATTEMPTS = 8


def mask(text: str, location: StoreLocation) -> str:
    """``text`` with the URL's password (if any) replaced by ``***``."""
    password = location.env.get("POSTGRES_PASSWORD") or ""
    return text.replace(password, "***") if password else text


def first_line(e: BaseException) -> str:
    """The first line of an exception's message (libpq's messages run over several lines)."""
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0]


def probe(location: StoreLocation) -> Any:
    """Connect once, directly, so a wrong host, port, role, password or database is named at once.

    (The library's connection pool would wait out its timeout and then say only that it got no
    connection.) Returns that connection (autocommit), for the read model to use rather than open one
    more; None for a store that needs no probe (SQLite, memory).
    """
    if location.kind != "postgresql":
        return None
    import psycopg

    env = location.env
    try:
        return psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                               user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"],
                               connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]), autocommit=True)
    except psycopg.Error as e:
        raise StoreUnavailable(_("cannot connect to the store {store}: {error}").format(
            store=location.display, error=mask(first_line(e), location))) from None


def ensure_tables(app: Any) -> None:
    """Create the schema and the ledger's tables if they are missing (and only then)."""
    recorder = app.recorder
    if hasattr(recorder, "read_catalog"):  # PostgreSQL: every check below answered by one query, the read model's too
        from projections.view_postgres import CATALOG_NAMES

        recorder.read_catalog(app.location.views_schema, CATALOG_NAMES)
    created = _create_once(app, recorder.tables_exist, recorder.create_tables, N_("the ledger's tables"),
                           N_(" (the role needs the CREATE right there once, for `init`)"))
    # The write side's order index (ledger/storage/order_index.py): a store made before it has it built from its events.
    _create_once(app, recorder.order_index_exists, recorder.create_order_index, N_("the order index"), "",
                 tolerate_refusal=True)
    if not created:
        recorder.protect_history()
    ensure_credentials(app)


def ensure_credentials(app: Any) -> None:
    """Create the credentials table (password and token hashes, ``ledger/storage/credentials.py``) if it is missing.

    A role without the CREATE right opens the ledger as it is: only the accounts commands then
    need the owner to have opened the store once.
    """
    from ledger.storage.credentials import credentials_for

    credentials = credentials_for(app.recorder)
    _create_once(app, credentials.exists, credentials.create, N_("the credentials table"), "",
                 tolerate_refusal=True)


def _create_once(app: Any, exists: Any, create: Any, what: str, hint: str, *, tolerate_refusal: bool = False
                 ) -> bool:
    """Create what ``exists`` says is missing, retrying while other processes create it too.

    Returns whether this call created it. ``tolerate_refusal``: a role without the right opens the
    store as it is (nothing created); otherwise a refusal is one clear message.
    """
    for attempt in range(CREATE_ATTEMPTS):
        if exists():
            return False
        try:
            create()
            return True
        except Exception as e:
            if _created_concurrently(e) and attempt + 1 < CREATE_ATTEMPTS:
                time.sleep(0.05 * (attempt + 1))
                continue
            if tolerate_refusal and _not_permitted(e):
                return False
            raise StoreUnavailable(_("cannot create {what} in the store {store}: {error}").format(
                what=_(what), store=app.location.display, error=mask(first_line(e), app.location))
                + (_(hint) if hint else "")) from None
    return False


def _not_permitted(e: BaseException) -> bool:
    """Whether ``e`` is PostgreSQL refusing a right the role lacks."""
    cause = e.__cause__ or e
    # An SQLite file this process may only read refuses any write the same way.
    return type(cause).__name__ == "InsufficientPrivilege" or "readonly database" in str(cause)


def _created_concurrently(e: BaseException) -> bool:
    """Whether ``e`` comes from another process creating the same objects at the same moment."""
    import psycopg.errors as pe

    cause = e.__cause__ or e
    # A deadlock between two creators (one locking the events table for its triggers while the other
    # creates beside it) aborts one of them: it retries and finds the tables there.
    if isinstance(cause, pe.UniqueViolation | pe.DuplicateTable | pe.DuplicateObject | pe.DuplicateSchema
                  | pe.DeadlockDetected):
        return True
    text = str(cause)
    return "concurrently" in text or "database is locked" in text

