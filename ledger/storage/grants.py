"""Least privilege on a shared store: what a writer and a reader role may do, granted by the owner.

A writer may read and append; a reader may read. Neither may UPDATE, DELETE or TRUNCATE the
ledger's history (and the tables refuse that even to their owner: see the triggers in
``ledger/storage/chain_postgres.py``). Appends are serialised by an advisory lock, which needs no right.
The credentials table (``ledger/storage/credentials.py``) is not history: a writer may change it, a reader
may not even read it.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.errors import RuleViolation
from ledger.storage.credentials import TABLE as CREDENTIALS_TABLE
from ledger.translation import _

ACCESS = ("writer", "reader")


def grant(app: Any, role: str, access: str) -> list[str]:
    """Give ``role`` exactly ``access`` on the store's schema; returns what was done, one line each."""
    if access not in ACCESS:
        raise RuleViolation(_("unknown access {access}: give writer or reader").format(access=repr(access)))
    recorder = app.recorder
    if app.location.kind != "postgresql":
        raise RuleViolation(_("an SQLite store is one file: who may use it is decided by the file's permissions, "
                              "not by roles (db grant is for PostgreSQL stores)"))
    from psycopg.sql import SQL, Identifier

    schema = recorder.datastore.schema
    tables = recorder.protected_tables()
    with recorder.datastore.transaction(commit=True) as curs:
        if curs.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
            raise RuleViolation(_("no PostgreSQL role {role}: create it first (CREATE ROLE … LOGIN)").format(
                role=repr(role)))
        sequence = curs.execute("SELECT pg_get_serial_sequence(%s, 'notification_id') AS seq",
                                (f'"{schema}"."{tables[0]}"',)).fetchone()["seq"]
        who = Identifier(role)
        curs.execute(SQL("GRANT USAGE ON SCHEMA {} TO {}").format(Identifier(schema), who))
        done = [f"USAGE on schema {schema}"]
        for table in tables:
            t = Identifier(schema, table)
            curs.execute(SQL("REVOKE UPDATE, DELETE, TRUNCATE, INSERT ON {} FROM {}").format(t, who))
            rights = "SELECT, INSERT" if access == "writer" else "SELECT"
            curs.execute(SQL("GRANT " + rights + " ON {} TO {}").format(t, who))
            done.append(f"{rights} on {table}")
        # The credentials table (password and token hashes) is meant to change: a writer (the web service)
        # sets passwords, issues and revokes tokens and rehashes at login; a reader may not even read it.
        credentials = Identifier(schema, CREDENTIALS_TABLE)
        curs.execute(SQL("REVOKE ALL ON {} FROM {}").format(credentials, who))
        if access == "writer":
            curs.execute(SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(credentials, who))
            done.append(f"SELECT, INSERT, UPDATE, DELETE on {CREDENTIALS_TABLE}")
        if sequence:
            if access == "writer":
                curs.execute(SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(SQL(sequence), who))
                done.append(f"USAGE on sequence {sequence}")
            else:
                curs.execute(SQL("REVOKE USAGE ON SEQUENCE {} FROM {}").format(SQL(sequence), who))
    done += _read_model(app, role)
    return done


def _read_model(app: Any, role: str) -> list[str]:
    """Let ``role`` keep the read model current: reading it, and writing its rows (never its tables' shape).

    The read model is derived from the events, so whoever reads the ledger catches it up; its rows hold the
    ledger's facts decrypted, readable by every role granted here (the cipher key protects the events and
    their exports, not the read model: see docs/deployment.md).
    """
    from psycopg.sql import SQL, Identifier

    schema = app.location.views_schema
    app.view  # noqa: B018 - opened as the owner: its schema and tables exist before they are granted
    rights = "SELECT, INSERT, UPDATE, DELETE"
    with app.recorder.datastore.transaction(commit=True) as curs:
        who = Identifier(role)
        curs.execute(SQL("GRANT USAGE ON SCHEMA {} TO {}").format(Identifier(schema), who))
        curs.execute(SQL("GRANT " + rights + " ON ALL TABLES IN SCHEMA {} TO {}").format(Identifier(schema), who))
        # Tables a later version adds (created by the owner) are granted as they appear.
        curs.execute(SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT " + rights + " ON TABLES TO {}")
                     .format(Identifier(schema), who))
    return [f"USAGE on schema {schema}", f"{rights} on its tables (the read model)"]
