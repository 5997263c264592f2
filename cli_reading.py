"""Commands that read the ledger: ``score``, ``trace``, ``log`` and the monthly ``bulletin``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from cli_help import LocalizedCommand
from cli_output import FORMAT, console, emit_file, emit_json
from cli_params import DATE, KNOWN_AT
from cli_session import Session, pass_session, refusals
from ledger.translation import gettext as _


def open_year(s: Session, year: int, as_of: date | None, known_at: datetime | None) -> Any:
    """The year's reading as of ``as_of`` (default: today), as the ledger held it at ``known_at``."""
    from cli_progress import progress_bar
    from projections.reading import open_reading

    # Catching up (or, with --known-at, replaying the log up to that moment) can take a while.
    with progress_bar("读取台账") as tick:
        return open_reading(s.app, year, as_of or s.today(), known_at, progress=tick)


@click.command(cls=LocalizedCommand)
@click.option("--year", type=int, required=True, help='The scoring year.')
@click.option("--unit", default=None, help='Only this unit (code or Chinese name).')
@click.option("--as-of", "as_of", type=DATE, default=None, help="Valid time: what had happened by this date.")
@click.option("--known-at", "known_at", type=KNOWN_AT, default=None,
              help="System time: what the ledger held then (a date, or a time as log prints it).")
@click.option("--compare-as-of", "compare_as_of", type=DATE, default=None, help="Show the change since this date.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html"]), default="table",
              help='table for people; json, csv, xlsx or html for files and scripts.')
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help='Write to this file instead of the terminal (needed by xlsx and html).')
@pass_session
@refusals
def score(s: Session, year: int, unit: str | None, as_of: date | None, known_at: datetime | None,
          compare_as_of: date | None, fmt: str, output: str | None) -> None:
    """The scores of every unit (or one), ranked."""
    from ledger.usecases.reads import score_report

    if fmt in ("xlsx", "html") and not output:
        raise click.UsageError(_("--format {format} writes a file: give --output FILE").format(format=fmt))
    if fmt == "table" and output:
        raise click.UsageError(_("the table is for the terminal: give --format json|csv|xlsx|html with --output FILE"))
    if output:
        from ledger.storage.output_file import check_target

        check_target(output, s.location)  # refuse the store's own files before any reading
    result = score_report(s.app, open_year(s, year, as_of, known_at), unit, compare_as_of, fmt)
    if fmt == "json":
        emit_json(result, output, s.location)  # --output is named for every format: never ignore it
    elif fmt == "table":
        from cli_terminal import ranking_table

        console().print(ranking_table(result))
    elif output:
        emit_file(output, s.location, result)
    else:
        click.echo(result, nl=False)  # the very bytes --output writes (a CSV's BOM included)


@click.command(cls=LocalizedCommand)
@click.option("--year", type=int, required=True, help='The scoring year.')
@click.option("--unit", required=True, help='The unit, by code or Chinese name (taishan or 泰山区).')
@click.option("--item", default=None, help='Only this item (default: every item).')
@click.option("--as-of", "as_of", type=DATE, default=None, help='Valid time: what had happened by this date.')
@click.option("--known-at", "known_at", type=KNOWN_AT, default=None,
              help='System time: what the ledger held then (a date, or a time as log prints it).')
@FORMAT
@pass_session
@refusals
def trace(s: Session, year: int, unit: str, item: str | None, as_of: date | None, known_at: datetime | None,
          fmt: str) -> None:
    """How an item's (or every item's) points were computed, with every event behind them."""
    from ledger.usecases.reads import trace_of

    doc = trace_of(open_year(s, year, as_of, known_at), unit, item)
    if fmt == "json":
        emit_json(doc)
    else:
        from cli_terminal import print_trace

        print_trace(console(), doc)


@click.command(cls=LocalizedCommand)
@click.option("--unit", default=None, help="Only this unit's events (code or Chinese name).")
@click.option("--item", default=None, help="Only this item's events.")
@click.option("--since", type=DATE, default=None, help="Recorded on or after this date.")
@FORMAT
@pass_session
@refusals
def log(s: Session, unit: str | None, item: str | None, since: date | None, fmt: str) -> None:
    """The ledger's events in their recorded order."""
    from ledger.usecases.reads import log_doc

    entries = log_doc(s.app, unit, item, since)
    if fmt == "json":
        emit_json(entries)
        return
    from cli_terminal import log_table

    console().print(log_table(entries))


@click.command(cls=LocalizedCommand)
@click.option("--year", type=int, required=True, help='The scoring year.')
@click.option("--month", type=click.IntRange(1, 12), required=True,
              help="The month (1–12): the bulletin shows the ranking at its end.")
@click.option("--known-at", "known_at", type=KNOWN_AT, default=None,
              help="System time: what the ledger held then (a date, or a time as log prints it).")
@click.option("--format", "fmt", type=click.Choice(["html", "xlsx", "json"]), default="html", show_default=True,
              help="html or xlsx for the published bulletin; json for scripts.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help='Write to this file instead of the terminal (needed by xlsx and html).')
@pass_session
@refusals
def bulletin(s: Session, year: int, month: int, known_at: datetime | None, fmt: str, output: str | None) -> None:
    """The monthly bulletin: the ranking at the month's end, the change since the previous month, the trends."""
    from cli_progress import progress_bar
    from ledger.usecases.reads import bulletin_doc

    if fmt != "json" and not output:
        raise click.UsageError(f"--format {fmt} writes a file: give --output FILE")
    if output:
        from ledger.storage.output_file import check_target

        check_target(output, s.location)
    with progress_bar("读取台账") as tick:
        doc = bulletin_doc(s.app, year, month, known_at, progress=tick, today_is=s.today())
    if fmt == "json":
        emit_json(doc, output, s.location)
        return
    from projections.reports.publish import render_bulletin

    emit_file(output, s.location, render_bulletin(fmt, doc))
