"""Commands that run the store and its web service: ``db grant``, ``rebuild`` and ``serve``."""

from __future__ import annotations

import click

from cli_help import LocalizedCommand, LocalizedGroup
from cli_output import FORMAT, emit_json
from cli_session import Session, pass_session, refusals
from ledger.domain.errors import LedgerError
from ledger.translation import gettext as _


@click.group("db", cls=LocalizedGroup)
def db_() -> None:
    """The shared store's roles (PostgreSQL)."""


@db_.command("grant")
@click.argument("role")
@click.option("--as", "access", type=click.Choice(["writer", "reader"]), required=True,
              help="writer: append and read; reader: read only. Neither may rewrite the ledger's history.")
@FORMAT
@pass_session
@refusals
def db_grant(s: Session, role: str, access: str, fmt: str) -> None:
    """Give an existing PostgreSQL ROLE the least privileges it needs on this store (run by its owner)."""
    from ledger.storage.grants import grant

    done = grant(s.app, role, access)
    if fmt == "json":
        emit_json({"role": role, "as": access, "granted": done})
    else:
        may = _("{role} may now append to and read {store}") if access == "writer" else _("{role} may now read {store}")
        click.echo(may.format(role=role, store=s.location.display) + ": " + "; ".join(done))


@click.command(cls=LocalizedCommand)
@pass_session
@refusals
def rebuild(s: Session) -> None:
    """Rebuild the read model from the first event (gives the same results as before)."""
    from cli_progress import progress_bar
    from ledger.usecases.reads import rebuild as rebuild_read_model

    with progress_bar("重建读模型") as tick:
        n = rebuild_read_model(s.app, progress=lambda done, total: tick(done, total))
    click.echo(_("rebuilt the read model from {n} events").format(n=n))


@click.command(cls=LocalizedCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help='The port to listen on.')
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes answering on this port (each opens the store; not for a memory: store).")
@pass_session
@refusals
def serve(s: Session, host: str, port: int, workers: int) -> None:
    """The web application and the JSON API (/api/v1) on this store; several may share a PostgreSQL store."""
    from web.serve import run

    if workers > 1 and s.location.kind == "memory":
        raise LedgerError("a memory: store lives in one process: serve it with --workers 1")
    run(s.app, host, port, workers=workers)
