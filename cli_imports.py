"""The ``import`` commands: events files, the platform's work-order exports, and a whole exported ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli_help import LocalizedGroup
from cli_output import FORMAT, emit_json
from cli_params import MOMENT, parse_seal
from cli_session import Session, pass_session, refusals
from ledger.domain.defaults import default_zone
from ledger.translation import gettext as _


@click.group("import", cls=LocalizedGroup)
def import_() -> None:
    """Import files: events, work orders, or a whole ledger."""


@import_.command("events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--again", is_flag=True, help="Import a file whose identical content was imported before.")
@FORMAT
@pass_session
@refusals
def import_events(s: Session, file: str, again: bool, fmt: str) -> None:
    """Occurrences and assessments (unit,item,date,count,evidence,note; 单位,项目,日期,次数,证据,备注)."""
    from cli_progress import progress_bar
    from ledger.usecases.imports.events_file import import_events_file

    with progress_bar("读取记录") as tick:
        counts = import_events_file(s.app, file, s.actor, again=again, progress=tick)
    s.app.refresh()
    _emit_counts(fmt, counts)


def _emit_counts(fmt: str, counts: dict[str, Any]) -> None:
    if fmt == "json":
        emit_json(counts)
    else:
        extra = "".join(f", {k}: {v}" for k, v in counts.items() if k not in ("new", "changed", "unchanged"))
        click.echo(_("new: {new}, changed: {changed}, unchanged: {unchanged}").format(**counts) + extra)


@import_.command("workorders")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as-exported", "as_exported", type=MOMENT, default=None,
              help="When the platform exported the file (default: its 导出时间 column, else its latest time).")
@FORMAT
@pass_session
@refusals
def import_workorders(s: Session, file: str, as_exported: datetime | None, fmt: str) -> None:
    """Work orders from the hotline platform's export (.csv or .xlsx)."""
    from cli_progress import progress_bar
    from ledger.usecases.imports.workorder_import import import_workorders as run

    exported = as_exported.astimezone(default_zone()).strftime("%Y-%m-%dT%H:%M:%S") if as_exported else None
    with progress_bar("读取工单") as tick:
        counts = run(s.app, file, s.actor, exported_at=exported, progress=tick)
    _emit_counts(fmt, counts)
    if counts.get("stale") and counts.get("exported_at_from") != "--as-exported":
        # Stale rows record nothing; warn in case the export time was inferred wrongly (a partial export).
        click.echo(_("warning: {stale} row(s) were older than what the ledger already holds and changed nothing: "
                     "this export was taken as of {exported_at} ({exported_at_from}). If it is newer than that, "
                     "import it again with --as-exported 'YYYY-MM-DD HH:MM'.").format(**counts), err=True)



@import_.command("ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--seal", "sealed", multiple=True, metavar="ID:HASH",
              help="A published head the file's chain must reach (repeatable), e.g. from a bulletin.")
@FORMAT
@pass_session
@refusals
def import_ledger(s: Session, file: str, sealed: tuple[str, ...], fmt: str) -> None:
    """Restore an `export` FILE into this (empty) store, exactly: same events, same chain, each event re-checked."""
    from ledger.storage.backup import import_ledger as restore

    summary = restore(s.app, file, [parse_seal(x) for x in sealed])
    if fmt == "json":
        emit_json(summary)
    else:
        click.echo(_("imported {events} events and {evidence} evidence files into {store} (chain head {head}); "
                     "run `verify` to check").format(store=s.location.display, **summary))
