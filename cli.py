"""``hotline-ledger``: the command line (CLI.md). It parses, calls one use case, and renders.

No rule, arithmetic or SQL lives here: recording goes to ``ledger``, reading to ``projections``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cached_property, wraps
from pathlib import Path
from typing import Any

import click

from cli_help import LocalizedGroup
from ledger.defaults import builtin_source, default_zone
from ledger.errors import ImportRejected, LedgerError, StoreUnavailable
from ledger.policy import ROLE_NAMES
from ledger.store import DEFAULT_STORE, parse_store
from ledger.translation import N_, ngettext
from ledger.translation import gettext as _


def console() -> Any:
    """A rich console for the tables people read (imported only by commands that print one).

    No emoji codes: stored text such as ``:warning:`` is shown as typed (see projections/reports/terminal_text.py).
    """
    from rich.console import Console

    return Console(emoji=False)


class IsoDate(click.ParamType):
    """``YYYY-MM-DD``; anything else is a usage error (exit 2)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        from ledger.dates import NotADate, parse_day

        try:
            return parse_day(value)  # the one parser the web service reads dates with too
        except NotADate as e:
            self.fail(str(e), param, ctx)


class Moment(click.ParamType):
    """An ISO 8601 timestamp (no offset: the built-in ruleset's zone, Asia/Shanghai) or a date (the end of that day)."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        text = str(value).strip()
        try:
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text), time(23, 59, 59, 999999))
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(_("{value} is not a timestamp (YYYY-MM-DDTHH:MM[:SS][+08:00] or YYYY-MM-DD)")
                      .format(value=repr(value)), param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=default_zone())


class KnownAt(click.ParamType):
    """``--known-at``: a date (the end of that day) or a time exactly as ``log`` prints it, offset included.

    A time means the whole of what it names, as a date means the whole day: ``10:00:00`` is the end of that
    second (an event ``log`` shows at 10:00:00 was recorded at 10:00:00.25, and is known then), ``10:00`` the
    end of that minute. Without an offset it is read in the year's ruleset time zone (projections/reading.py).
    """

    name = "TIMESTAMP"
    _SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?P<seconds>:\d{2}(?P<fraction>\.\d{1,6})?)?"
                        r"(?:Z|[+-]\d{2}:\d{2})?)?")

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        shape = self._SHAPE.fullmatch(text)
        try:
            if shape is None:
                raise ValueError(text)
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(23, 59, 59, 999999))
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(_("{value} is not a timestamp (YYYY-MM-DDTHH:MM[:SS][+08:00] or YYYY-MM-DD)")
                      .format(value=_shown(text)), param, ctx)
        if shape["fraction"] is None:
            moment = moment.replace(microsecond=999999, second=moment.second if shape["seconds"] else 59)
        return moment


class Points(click.ParamType):
    """A decimal number of points (never a float)."""

    name = "POINTS"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(_("{value} is not a number").format(value=repr(value)), param, ctx)
        if not d.is_finite():
            self.fail(_("{value} is not a finite number").format(value=repr(value)), param, ctx)
        return d


class Count(click.ParamType):
    """A whole number of occurrences; one longer than any count a record may carry is refused before it is
    converted (Python refuses to convert more than 4,300 digits, and nobody means a 20-digit count)."""

    name = "INTEGER"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        digits = text.removeprefix("-").removeprefix("+")
        if not digits.isascii() or not digits.isdigit():
            self.fail(_("{value} is not an integer").format(value=_shown(text)), param, ctx)
        if len(digits.lstrip("0")) > 18:
            from ledger.counts import MAX_COUNT

            # A domain refusal (exit 1) like any count above MAX_COUNT, only decided before int() would choke on it.
            raise click.ClickException(_("count {value} is larger than {most}, the most one record may carry")
                                       .format(value=_shown(text), most=MAX_COUNT))
        return int(text)


def _shown(text: str, limit: int = 24) -> str:
    """A value for a message, cut short: a 4,300-digit count is not worth repeating whole."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


DATE, MOMENT, KNOWN_AT, POINTS, COUNT = IsoDate(), Moment(), KnownAt(), Points(), Count()


class Session:
    """What every command shares: the store, the actor, and the application opened on demand.

    A new SQLite store that a refused command created holds nothing and is removed again (``discard_if_fresh``):
    a refusal in an empty folder leaves it empty.
    """

    def __init__(self, store: str, actor: str) -> None:
        self.store, self.actor = store, actor
        self.created: list[Path] = []

    @cached_property
    def location(self) -> Any:
        return parse_store(self.store)

    def _new_files(self) -> list[Path]:
        """The files an SQLite store at this location would create, if its database does not exist yet."""
        if self.location.kind != "sqlite":
            return []
        db = Path(self.location.env["SQLITE_DBNAME"])
        if db.exists():
            return []
        near = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")]
        views = self.location.views_path
        if views is not None:
            near += [views, Path(f"{views}-wal"), Path(f"{views}-shm"), Path(f"{views}-journal")]
        return [p for p in near if not p.exists()] + [p for p in [self.location.evidence_dir] if p and not p.exists()]

    @cached_property
    def app(self) -> Any:
        from ledger.application import Ledger

        self.created = self._new_files()
        try:
            return Ledger(self.location)  # it takes HOTLINE_LEDGER_CIPHER_KEY itself, and checks it
        except LedgerError:
            _remove(self.created)  # a store made by this failed opening holds nothing
            raise
        except Exception as e:  # connection refused, bad credentials, missing rights …
            from ledger.provisioning import first_line, mask

            _remove(self.created)
            raise StoreUnavailable(
                _("cannot open the store {store}: {problem}").format(
                    store=self.location.display, problem=mask(first_line(e), self.location))) from None

    def today(self) -> date:
        return datetime.now(default_zone()).date()

    def close(self) -> None:
        """Close the application if a command opened it (its pooled connections go back to the server now,
        not when the process or the garbage collector ends them — several commands may run in one process)."""
        app = self.__dict__.pop("app", None)
        if app is not None:
            app.close()

    def discard_if_fresh(self) -> None:
        """After a refusal: remove the store this command created, if it holds no event (nothing was recorded)."""
        if not self.created or "app" not in self.__dict__:
            return
        app = self.__dict__.pop("app")
        if app.recorder.max_notification_id():
            app.close()
            return
        app.close()
        _remove(self.created)


def _remove(created: list[Path]) -> None:
    """Remove the files (and empty folders) a store made that were not there before this command."""
    for path in created:
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.exists():
            path.unlink()


def refusals(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain refusals into exit status 1 with one clear message (never a traceback); a store that the
    refused command created is removed again (``Session.discard_if_fresh``)."""
    answered = _answered(f)

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return answered(*args, **kwargs)
        except BaseException:
            ctx = click.get_current_context(silent=True)
            session = ctx.find_object(Session) if ctx is not None else None
            if session is not None:
                session.discard_if_fresh()
            raise

    return wrapper


def _answered(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with the ledger's refusals and the store's failures turned into ClickExceptions (exit status 1)."""

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

        from ledger.chain import ChainBrokenError

        try:
            return f(*args, **kwargs)
        except ImportRejected as e:
            raise click.ClickException(_("nothing was imported; fix these rows:") + f"\n{e}") from None
        except LedgerError as e:
            raise click.ClickException(str(e)) from None
        except ChainBrokenError as e:
            raise click.ClickException(_("the ledger's tamper-evidence chain is broken: {problem}; run `verify`")
                                       .format(problem=e)) from None
        except MapperDeserialisationError:
            raise click.ClickException(
                _("cannot read the stored events: wrong or missing HOTLINE_LEDGER_CIPHER_KEY for this ledger")
            ) from None
        except PersistenceError as e:
            from ledger.provisioning import first_line

            raise click.ClickException(_("the store refused the operation: {problem}").format(problem=first_line(e))) \
                from None
        except OSError as e:
            # click.Path checks an --output/FILE only if it exists: a missing directory surfaces here.
            if e.filename is None:
                raise
            raise click.ClickException(f"{e.filename}: {e.strerror}") from None

    return wrapper


pass_session = click.make_pass_decorator(Session)
FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                      help='table for people, json for scripts (stdout holds nothing but the JSON).')


def emit_id(fmt: str, new_id: str, label: str, **extra: Any) -> None:
    """A recording command's output: the new id (``{"id": …}`` in JSON)."""
    if fmt == "json":
        click.echo(json.dumps({"id": new_id, **extra}, ensure_ascii=False))
    else:
        click.echo(f"{_(label)} {new_id}")


def emit_json(doc: Any, output: str | None = None, store: Any = None) -> None:
    """A reading command's JSON document on stdout, or in ``output`` when given (orjson: json.dumps with an indent
    is pure Python, and slow for a trace listing thousands of events). ``store``: the StoreLocation whose own
    files ``output`` may not be (ledger/output_file.py)."""
    import orjson

    data = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    if output is None:
        click.echo(data.decode())
        return
    emit_file(output, store, data + b"\n")


def emit_file(output: str, store: Any, data: bytes) -> None:
    """Write a finished report to ``output``: never one of the store's files, renamed into place when complete."""
    from ledger.output_file import write_output

    write_output(output, store, data)
    click.echo(_("wrote {file}").format(file=output), err=True)


@click.group(cls=LocalizedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", envvar="HOTLINE_LEDGER_STORE", default=DEFAULT_STORE, show_default=True,
              help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
@click.option("--actor", envvar="HOTLINE_LEDGER_ACTOR", default=lambda: getpass.getuser(),
              help="Who records (stored on every event).")
@click.version_option(package_name="hotline-ledger")
@click.pass_context
def main(ctx: click.Context, store: str, actor: str) -> None:
    """The 12345 hotline scoring ledger: every deduction an immutable event, every score traceable."""
    ctx.obj = Session(store, actor)
    ctx.call_on_close(ctx.obj.close)


# ── set-up and rules ─────────────────────────────────────────────────────────
@main.command()
@click.option("--year", type=int, default=None, help="The scoring year (default: this year).")
@click.option("--ruleset", "ruleset_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A ruleset file to adopt instead of the built-in Tai'an one (docs/rulesets.md).")
@FORMAT
@pass_session
@refusals
def init(s: Session, year: int | None, ruleset_file: str | None, fmt: str) -> None:
    """Create the store and adopt a ruleset for a year (the built-in Tai'an one by default)."""
    from ledger.rulesets.loading import builtin_text

    year = s.today().year if year is None else year  # --year 0 is refused, not taken as "this year"
    if ruleset_file:
        from ledger.rulesets.loading import read_ruleset_file

        text, source = read_ruleset_file(ruleset_file), Path(ruleset_file).name
    else:
        text, source = builtin_text(), builtin_source()
    book, changed = s.app.adopt_ruleset(year, text, source, s.actor)
    if fmt == "json":
        emit_json({"id": book, "year": year, "changed": changed})
    elif changed:
        click.echo(_("adopted {source} for {year} in {store} (ruleset book {book})").format(
            source=source, year=year, store=s.location.display, book=book))
    else:
        click.echo(_("{year} already uses this ruleset: nothing changed").format(year=year))


@main.group()
def rules() -> None:
    """The adopted rulesets."""


@rules.command("show")
@click.option("--year", type=int, required=True, help='The scoring year.')
@FORMAT
@pass_session
@refusals
def rules_show(s: Session, year: int, fmt: str) -> None:
    """The ruleset in force for a year: units, sections, pools and items with their parameters."""
    ruleset = s.app.ruleset(year)
    if fmt == "json":
        click.echo(ruleset.model_dump_json(indent=1, by_alias=True))  # the file's keys: a unit's `class`
        return
    from projections.reports.rules import print_ruleset

    print_ruleset(console(), ruleset, year)


@rules.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@FORMAT
@refusals
def rules_check(file: str, fmt: str) -> None:
    """Validate a ruleset FILE and say, item by item, what it would score (exit 1 if invalid)."""
    from ledger.errors import RulesetInvalid
    from ledger.rulesets.check import check_text, describe, render_lines
    from ledger.rulesets.loading import read_ruleset_file

    try:
        doc = describe(check_text(read_ruleset_file(file), Path(file).name))
    except RulesetInvalid as e:
        if fmt == "json":
            emit_json({"valid": False, "errors": [f"{e.source}: {p}" for p in e.problems]})
        raise click.ClickException(_("invalid ruleset:") + f"\n{e}") from None
    if fmt == "json":
        emit_json(doc)
        return
    click.echo("\n".join(render_lines(doc)))
    for warning in doc["warnings"]:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)


# ── recording ───────────────────────────────────────────────────────────────
@main.command()
@click.option("--unit", required=True, help='The unit, by code or Chinese name (taishan or 泰山区).')
@click.option("--item", required=True, help="The item's code in the ruleset (e.g. 2.2.1).")
@click.option("--date", "on", type=DATE, required=True, help='The date it happened (YYYY-MM-DD).')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@click.option("--count", type=COUNT, default=1, show_default=True, help='How many occurrences this record counts.')
@click.option("--note", default="", help='A free-text note kept with the record.')
@click.option("--attach", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Repeatable.")
@FORMAT
@pass_session
@refusals
def record(s: Session, unit: str, item: str, on: date, evidence: str, count: int, note: str,
           attach: tuple[str, ...], fmt: str) -> None:
    """Record a deduction or bonus occurrence (the item's kind decides which)."""
    new = s.app.record_occurrence(unit=unit, item=item, on=on, evidence=evidence, count=count, note=note,
                                  attachments=attach, actor=s.actor)
    emit_id(fmt, new, N_("recorded occurrence"))


@main.command()
@click.option("--unit", required=True, help='The unit, by code or Chinese name (taishan or 泰山区).')
@click.option("--item", required=True, help="The assessment item's code (e.g. 1.1.1).")
@click.option("--points", type=POINTS, required=True, help='The points given, a decimal such as 0.5.')
@click.option("--date", "on", type=DATE, required=True, help='The date of the assessment (YYYY-MM-DD).')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@click.option("--note", default="", help='A free-text note kept with the record.')
@FORMAT
@pass_session
@refusals
def assess(s: Session, unit: str, item: str, points: Decimal, on: date, evidence: str, note: str, fmt: str) -> None:
    """Record an assessment of an assessment item (the latest recorded counts)."""
    new = s.app.assess(unit=unit, item=item, points=points, on=on, evidence=evidence, note=note, actor=s.actor)
    emit_id(fmt, new, N_("recorded assessment"))


@main.command()
@click.argument("event_id")
@click.option("--reason", required=True, help='Why it is withdrawn (kept in the ledger).')
@FORMAT
@pass_session
@refusals
def retract(s: Session, event_id: str, reason: str, fmt: str) -> None:
    """Withdraw a recorded occurrence (it stays in the ledger, marked retracted)."""
    emit_id(fmt, s.app.retract(event_id, reason, s.actor), N_("retracted occurrence"))


@main.command("submit-report")
@click.option("--unit", required=True, help='The unit, by code or Chinese name (taishan or 泰山区).')
@click.option("--kind", type=click.Choice(["monthly", "quarterly"]), required=True,
              help='Which report: monthly or quarterly.')
@click.option("--period", required=True, help="2025-09 (monthly) or 2025-Q3 (quarterly)")
@click.option("--date", "on", type=DATE, required=True, help='The date it was submitted (YYYY-MM-DD).')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@FORMAT
@pass_session
@refusals
def submit_report(s: Session, unit: str, kind: str, period: str, on: date, evidence: str, fmt: str) -> None:
    """Record that a unit submitted its monthly or quarterly report."""
    new = s.app.submit_report(unit=unit, kind=kind, period=period, on=on, evidence=evidence, actor=s.actor)
    emit_id(fmt, new, N_("recorded submission"))


@main.command()
@click.option("--unit", required=True, help='The unit, by code or Chinese name (taishan or 泰山区).')
@click.option("--notice", "notice_id", required=True, help="The notice's own number (e.g. DB-1).")
@click.option("--received", type=DATE, required=True, help='The date the unit received it (YYYY-MM-DD).')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@FORMAT
@pass_session
@refusals
def notice(s: Session, unit: str, notice_id: str, received: date, evidence: str, fmt: str) -> None:
    """Record a first-supervision notice received by a unit (starts the 3.2.1.3 clock)."""
    new = s.app.receive_notice(unit=unit, notice=notice_id, received=received, evidence=evidence, actor=s.actor)
    emit_id(fmt, new, N_("recorded notice"))


@main.command()
@click.option("--notice", "notice_id", required=True, help="The notice's own number (e.g. DB-1).")
@click.option("--date", "on", type=DATE, required=True, help='The date the explanation was submitted (YYYY-MM-DD).')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@FORMAT
@pass_session
@refusals
def explain(s: Session, notice_id: str, on: date, evidence: str, fmt: str) -> None:
    """Record the unit's explanation for a notice."""
    emit_id(fmt, s.app.explain(notice=notice_id, on=on, evidence=evidence, actor=s.actor), N_("recorded explanation"))


@main.group()
def calendar() -> None:
    """Official working-day rulings."""


@calendar.command("set")
@click.argument("day", type=DATE)
@click.option("--workday/--holiday", required=True, help='Whether DAY is officially a working day or a holiday.')
@click.option("--evidence", required=True, help="The official ruling it follows (e.g. the State Council's notice).")
@FORMAT
@pass_session
@refusals
def calendar_set(s: Session, day: date, workday: bool, evidence: str, fmt: str) -> None:
    """Record that DAY is officially a working day or a holiday."""
    new, changed = s.app.rule_calendar(day=day, workday=workday, evidence=evidence, actor=s.actor)
    emit_id(fmt, new, N_("recorded ruling") if changed else N_("unchanged ruling"), changed=changed)


@calendar.command("complete")
@click.argument("year", type=int)
@click.option("--evidence", required=True, help="The official ruling it follows (e.g. the State Council's notice).")
@FORMAT
@pass_session
@refusals
def calendar_complete(s: Session, year: int, evidence: str, fmt: str) -> None:
    """Declare that every ruling of YEAR has been entered."""
    new, changed = s.app.complete_calendar_year(year=year, evidence=evidence, actor=s.actor)
    done = _("{year} declared complete") if changed else _("{year} was already complete")
    emit_id(fmt, new, done.format(year=year), changed=changed)


# ── disputes ────────────────────────────────────────────────────────────────
@main.group()
def dispute() -> None:
    """Disputes of occurrences and screenings (甄别) of work orders."""


@dispute.command("open")
@click.argument("event_id", required=False)
@click.option("--workorder", "order_id", default=None, help="Screen this work order out of one rate.")
@click.option("--rate", default=None, metavar="CODE",
              help="The rate to screen the work order out of (with --workorder): a rate code of the year's ruleset "
                   "([[rates]], e.g. satisfaction).")
@click.option("--reason", required=True, help='Why the unit disputes it.')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@click.option("--attach", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help='A file of evidence to keep with the dispute (repeatable).')
@click.option("--date", "filed_on", type=DATE, default=None,
              help="The filing date (default: today), for a dispute filed on paper earlier.")
@FORMAT
@pass_session
@refusals
def dispute_open(s: Session, event_id: str | None, order_id: str | None, rate: str | None, reason: str,
                 evidence: str, attach: tuple[str, ...], filed_on: date | None, fmt: str) -> None:
    """Dispute an occurrence (EVENT_ID), or ask that a work order be screened out (--workorder, --rate)."""
    if (event_id is None) == (order_id is None):
        raise click.UsageError(_("give either EVENT_ID or --workorder ORDER_ID --rate RATE"))
    if order_id is not None:
        if rate is None:
            raise click.UsageError(_("--workorder needs --rate CODE (a rate code of the year's ruleset)"))
        new = s.app.open_screening(order_id=order_id.strip(), rate=rate.strip(), reason=reason, evidence=evidence,
                                   attachments=attach, actor=s.actor, filed_on=filed_on)
    else:
        new = s.app.open_dispute(event_id=event_id, reason=reason, evidence=evidence, attachments=attach,
                                 actor=s.actor, filed_on=filed_on)
    emit_id(fmt, new, N_("opened dispute"))


@dispute.command("decide")
@click.argument("dispute_id")
@click.option("--decision", type=click.Choice(["accept", "reject", "amend"]), required=True,
              help='accept removes the disputed record, reject keeps it, amend replaces its count.')
@click.option("--count", type=COUNT, default=None, help='The amended count (with --decision amend).')
@click.option("--reason", required=True, help='Why it was decided so (kept in the ledger).')
@FORMAT
@pass_session
@refusals
def dispute_decide(s: Session, dispute_id: str, decision: str, count: int | None, reason: str, fmt: str) -> None:
    """Decide a dispute: accept, reject, or amend the occurrence's count."""
    from projections import wording

    decided = s.app.decide_dispute(dispute_id=dispute_id, decision=decision, count=count, reason=reason, actor=s.actor)
    emit_id(fmt, decided, _("decided ({decision}) dispute").format(decision=wording.history_step(decision)))


@dispute.command("list")
@click.option("--unit", default=None, help="Only this unit's disputes (code or Chinese name).")
@click.option("--open", "only_open", is_flag=True, help='Only disputes not decided yet.')
@FORMAT
@pass_session
@refusals
def dispute_list(s: Session, unit: str | None, only_open: bool, fmt: str) -> None:
    """Disputes and their state."""
    from ledger.reads import dispute_rows

    rows = dispute_rows(s.app, unit, only_open)
    if fmt == "json":
        emit_json(rows)
        return
    from projections.reports.terminal import dispute_table

    console().print(dispute_table(rows))


def _unit_code(s: Session, unit: str | None) -> str | None:
    """Resolve a unit name or code through the latest adopted ruleset."""
    if unit is None:
        return None
    from projections.reading import unit_code

    return unit_code(s.app.refresh().db, unit)


# ── imports ─────────────────────────────────────────────────────────────────
@main.group("import")
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
    from ledger.imports.events_file import import_events_file
    from projections.reports.progress import progress_bar

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
    from ledger.imports.workorder_import import import_workorders as run
    from projections.reports.progress import progress_bar

    exported = as_exported.astimezone(default_zone()).strftime("%Y-%m-%dT%H:%M:%S") if as_exported else None
    with progress_bar("读取工单") as tick:
        counts = run(s.app, file, s.actor, exported_at=exported, progress=tick)
    _emit_counts(fmt, counts)
    if counts.get("stale") and counts.get("exported_at_from") != "--as-exported":
        # Stale rows record nothing; warn in case the export time was inferred wrongly (a partial export).
        click.echo(_("warning: {stale} row(s) were older than what the ledger already holds and changed nothing: "
                     "this export was taken as of {exported_at} ({exported_at_from}). If it is newer than that, "
                     "import it again with --as-exported 'YYYY-MM-DD HH:MM'.").format(**counts), err=True)


# ── reading ─────────────────────────────────────────────────────────────────
def _reading(s: Session, year: int, as_of: date | None, known_at: datetime | None) -> Any:
    from projections.reading import open_reading
    from projections.reports.progress import progress_bar

    # Catching up (or, with --known-at, replaying the log up to that moment) can take a while.
    with progress_bar("读取台账") as tick:
        return open_reading(s.app, year, as_of or s.today(), known_at, progress=tick)


@main.command()
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
    from projections.documents import score_document, with_previous

    if fmt in ("xlsx", "html") and not output:
        raise click.UsageError(_("--format {format} writes a file: give --output FILE").format(format=fmt))
    if fmt == "table" and output:
        raise click.UsageError(_("the table is for the terminal: give --format json|csv|xlsx|html with --output FILE"))
    if output:
        from ledger.output_file import check_target

        check_target(output, s.location)  # refuse the store's own files before any reading
    reading = _reading(s, year, as_of, known_at)
    code = reading.unit_code(unit) if unit is not None else None
    scores = reading.scores()
    doc = score_document(reading, scores, code)
    compare = None
    if compare_as_of is not None:
        earlier = reading.at(compare_as_of)
        compare = score_document(earlier, earlier.scores(), code)
        doc = with_previous(doc, compare)
    if fmt == "json":
        emit_json(doc, output, s.location)  # --output is named for every format: never ignore it
    elif fmt == "table":
        from projections.reports.terminal import ranking_table

        console().print(ranking_table(doc))
    else:
        from ledger.reads import report_doc
        from projections.reports.publish import render_report

        data = render_report(fmt, reading, scores, report_doc(s.app, reading, doc), compare)
        if output:
            emit_file(output, s.location, data)
        else:
            click.echo(data, nl=False)  # the very bytes --output writes (a CSV's BOM included)


@main.command()
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
    from ledger.reads import trace_of

    doc = trace_of(_reading(s, year, as_of, known_at), unit, item)
    if fmt == "json":
        emit_json(doc)
    else:
        from projections.reports.terminal import print_trace

        print_trace(console(), doc)


@main.command()
@click.option("--unit", default=None, help="Only this unit's events (code or Chinese name).")
@click.option("--item", default=None, help="Only this item's events.")
@click.option("--since", type=DATE, default=None, help="Recorded on or after this date.")
@FORMAT
@pass_session
@refusals
def log(s: Session, unit: str | None, item: str | None, since: date | None, fmt: str) -> None:
    """The ledger's events in their recorded order."""
    from ledger.reads import log_doc

    entries = log_doc(s.app, unit, item, since)
    if fmt == "json":
        emit_json(entries)
        return
    from projections.reports.terminal import log_table

    console().print(log_table(entries))


@main.command()
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
    from ledger.reads import bulletin_doc
    from projections.reports.progress import progress_bar

    if fmt != "json" and not output:
        raise click.UsageError(f"--format {fmt} writes a file: give --output FILE")
    if output:
        from ledger.output_file import check_target

        check_target(output, s.location)
    with progress_bar("读取台账") as tick:
        doc = bulletin_doc(s.app, year, month, known_at, progress=tick, today_is=s.today())
    if fmt == "json":
        emit_json(doc, output, s.location)
        return
    from projections.reports.publish import render_bulletin

    emit_file(output, s.location, render_bulletin(fmt, doc))


# ── integrity ───────────────────────────────────────────────────────────────
class PublicKey(click.ParamType):
    """A published seal public key, ``ed25519:<base64>``."""

    name = "PUBLIC"

    def split_envvar_value(self, rv: str) -> list[str]:
        from ledger.signing import split_publics

        return split_publics(rv)

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from ledger.signing import SealKeyError, parse_public

        try:
            return parse_public(str(value))
        except SealKeyError as e:
            self.fail(str(e), param, ctx)


@main.command()
@click.option("--seal", "sealed", multiple=True, metavar="ID:HASH",
              help="A published head to check against (repeatable), e.g. from a bulletin.")
@click.option("--key", "pinned", multiple=True, type=PublicKey(), envvar="HOTLINE_LEDGER_SEAL_PUBLIC",
              help="A published seal public key (repeatable; env HOTLINE_LEDGER_SEAL_PUBLIC): "
                   "every seal must be signed by one of them.")
@FORMAT
@pass_session
@refusals
def verify(s: Session, sealed: tuple[str, ...], pinned: tuple[str, ...], fmt: str) -> None:
    """Check the chain, the seals, the read model (against a replay) and the evidence; exit 1 naming a failure."""
    from projections.audit import audit

    report = audit(s.app, [_parse_seal(x) for x in sealed], pinned)
    if fmt == "json":
        emit_json(report)
    else:
        for line in report["lines"]:
            if line not in report["problems"]:
                click.echo(line)
    for line in report["problems"]:
        click.echo(line, err=True)
    if not report["ok"]:
        sys.exit(1)


def _parse_seal(text: str) -> tuple[int, str]:
    nid, _colon, digest = text.partition(":")
    if not nid.isdigit() or len(digest) != 64:
        raise click.BadParameter(_("{value}: expected NOTIFICATION_ID:HASH (64 hex digits)").format(value=repr(text)),
                                 param_hint="--seal")
    return int(nid), digest.lower()


@main.group(invoke_without_command=True)
@click.option("--note", default="", help="e.g. the bulletin the head is printed in")
@click.option("--unsigned", is_flag=True, help="Record the seal without a signature (no key at hand).")
@FORMAT
@click.pass_context
@refusals
def seal(ctx: click.Context, note: str, unsigned: bool, fmt: str) -> None:
    """Record the current chain head, signed with the key in HOTLINE_LEDGER_SEAL_KEY, so it can be published."""
    if ctx.invoked_subcommand is not None:
        return
    from ledger.signing import KEY_ENV, PUBLIC_ENV, SealKeyError, fingerprint, load_key, parse_public, split_publics
    from projections.audit import verified_head

    s = ctx.find_object(Session)
    path = os.environ.get(KEY_ENV)
    if not unsigned and not path:
        raise SealKeyError(_("nothing sealed: set {variable} to the seal's private key file (make one with "
                             "`seal keygen FILE`), or record an unsigned seal with --unsigned")
                           .format(variable=KEY_ENV))
    key = None if unsigned else load_key(path or "")
    trusted = [parse_public(k) for k in split_publics(os.environ.get(PUBLIC_ENV, ""))]
    nid, head, tree_size, tree_root = verified_head(s.app, None if key is None else key.public, trusted)
    new = s.app.seal(notification_id=nid, head=head, note=note, actor=s.actor, key=key, tree_size=tree_size,
                     tree_root=tree_root)
    signer = None if key is None else {"public_key": key.public, "fingerprint": fingerprint(key.public)}
    if fmt == "json":
        emit_json({"id": new, "notification_id": nid, "head": head, "tree_size": tree_size, "tree_root": tree_root,
                   "signed": key is not None, **(signer or {})})
        return
    click.echo(_("sealed #{id} {head}").format(id=nid, head=head))
    click.echo(_("tree head: {size} events, root {root}").format(size=tree_size, root=tree_root))
    click.echo(_("unsigned") if signer is None else _("signed by {fingerprint} ({public_key})").format(**signer))
    click.echo(_("publish this line; check later with: verify --seal {id}:{head}").format(id=nid, head=head))


@seal.command("keygen")
@click.argument("file", type=click.Path(dir_okay=False))
@FORMAT
@refusals
def seal_keygen(file: str, fmt: str) -> None:
    """Write a new Ed25519 seal key to FILE (mode 0600, never over an existing file) and print its public key."""
    from ledger.signing import KEY_ENV, fingerprint, generate_key

    public = generate_key(file)
    if fmt == "json":
        emit_json({"file": file, "public_key": public, "fingerprint": fingerprint(public)})
        return
    click.echo(_("public key: {public}\nfingerprint: {fingerprint}").format(public=public,
                                                                           fingerprint=fingerprint(public)))
    click.echo(_("publish the public key; sign with {variable}={file} (keep that file off the database server); "
                 "check with: verify --key {public}").format(variable=KEY_ENV, file=file, public=public))


@main.group()
def proof() -> None:
    """Proofs a unit checks without the ledger: its score's events in a signed Merkle tree head (RFC 6962)."""


@proof.command("unit")
@click.option("--year", type=int, required=True, help='The scoring year.')
@click.option("--unit", required=True, help='The unit (code or Chinese name).')
@click.option("--seal", "seal_id", default=None, help="The seal's id (default: the latest seal with a tree head).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The proof file to write (JSON).")
@pass_session
@refusals
def proof_unit(s: Session, year: int, unit: str, seal_id: str | None, output: str) -> None:
    """Write the unit's proof file: its published score at a seal, the events behind it and their inclusion proofs."""
    from projections.unit_proof import unit_proof

    doc = unit_proof(s.app, year, unit, seal_id)
    emit_json(doc, output, s.location)
    click.echo(_("{count} events proven in tree head {size} (seal {seal}); check with: "
                 "proof check {output} --key {key}").format(count=len(doc["events"]), size=doc["seal"]["tree_size"],
                                                            seal=doc["seal"]["id"], output=output,
                                                            key=doc["seal"]["public_key"]), err=True)


@proof.command("consistency")
@click.option("--from", "first", required=True, help="The earlier seal's id.")
@click.option("--to", "second", required=True, help="The later seal's id.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the proof to this file instead of the terminal.")
@pass_session
@refusals
def proof_consistency(s: Session, first: str, second: str, output: str | None) -> None:
    """The consistency proof between two seals' tree heads (JSON on stdout, or in FILE)."""
    from projections.unit_proof import consistency_proof

    emit_json(consistency_proof(s.app, first, second), output, s.location if output else None)


@proof.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "public_key", type=PublicKey(), required=True, help="The centre's published seal public key.")
@FORMAT
@refusals
def proof_check(file: str, public_key: str, fmt: str) -> None:
    """Check a proof file alone (no store needed); exit 1 naming the first thing that fails."""
    from projections.proof_check import check_proof_file

    lines = check_proof_file(file, public_key)
    if fmt == "json":
        emit_json({"ok": True, "lines": lines})
        return
    for line in lines:
        click.echo(line)
    click.echo(_("proof ok"))


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@FORMAT
@pass_session
@refusals
def export_(s: Session, file: str, fmt: str) -> None:
    """Write the whole ledger to FILE as JSON Lines (events, chain hashes, evidence): a backup or a move."""
    from ledger.output_file import check_target, output_file
    from projections.export import write_export

    check_target(file, s.location)  # before the store is even opened
    app = s.app  # opened (and its key checked) before FILE is created or replaced
    with output_file(file, s.location) as out:
        summary = write_export(app, out)
    if fmt == "json":
        emit_json({"file": file, "events": summary["events"], "evidence": summary["evidence"],
                   "head": summary["head"]})
    else:
        click.echo(_("exported {events} events and {evidence} evidence files to {file} (chain head {head})")
                   .format(file=file, **summary))


@import_.command("ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--seal", "sealed", multiple=True, metavar="ID:HASH",
              help="A published head the file's chain must reach (repeatable), e.g. from a bulletin.")
@FORMAT
@pass_session
@refusals
def import_ledger(s: Session, file: str, sealed: tuple[str, ...], fmt: str) -> None:
    """Restore an `export` FILE into this (empty) store, exactly: same events, same chain, each event re-checked."""
    from ledger.backup import import_ledger as restore

    summary = restore(s.app, file, [_parse_seal(x) for x in sealed])
    if fmt == "json":
        emit_json(summary)
    else:
        click.echo(_("imported {events} events and {evidence} evidence files into {store} (chain head {head}); "
                     "run `verify` to check").format(store=s.location.display, **summary))


# ── accounts ────────────────────────────────────────────────────────────────
ROLE = click.Choice(ROLE_NAMES)
PASSWORD_STDIN = click.option("--password-stdin", "from_stdin", is_flag=True,
                              help="Read the password from the first line of stdin instead of prompting.")


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice, hidden."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password")))


def _emit_account(fmt: str, account: Any, done: str) -> None:
    if fmt == "json":
        emit_json(account.as_dict())
    else:
        click.echo(f"{_(done)} {account.login}")


@main.group()
def users() -> None:
    """Accounts of the web service: roles, passwords and API tokens (账号)."""


@users.command("add")
@click.argument("login")
@click.option("--role", type=ROLE, required=True, help="The account's role: what it may do.")
@click.option("--unit", default=None, help="The unit of a unit account (its code or name).")
@click.option("--name", default="", help="The person's display name (显示名).")
@PASSWORD_STDIN
@FORMAT
@pass_session
@refusals
def users_add(s: Session, login: str, role: str, unit: str | None, name: str, from_stdin: bool, fmt: str) -> None:
    """Open an account (a unit account needs --unit) and set its password."""
    from ledger.accounts import check_password

    s.app.check_new_account(login=login, role=role, unit=unit, name=name)  # refusals come before the password
    password = _password(from_stdin)
    check_password(password)
    _emit_account(fmt, s.app.add_account(login=login, role=role, unit=unit, name=name, password=password,
                                         actor=s.actor), N_("opened account"))


@users.command("list")
@FORMAT
@pass_session
@refusals
def users_list(s: Session, fmt: str) -> None:
    """Every account, its role, unit and state."""
    rows = s.app.accounts()
    if fmt == "json":
        emit_json(rows)
        return
    from projections.accounts import accounts_table

    console().print(accounts_table(rows))


@users.command("disable")
@click.argument("login")
@FORMAT
@pass_session
@refusals
def users_disable(s: Session, login: str, fmt: str) -> None:
    """Refuse the account's password and tokens from its next request on."""
    _emit_account(fmt, s.app.disable_account(login, actor=s.actor), N_("disabled account"))


@users.command("enable")
@click.argument("login")
@FORMAT
@pass_session
@refusals
def users_enable(s: Session, login: str, fmt: str) -> None:
    """Let a disabled account log in again."""
    _emit_account(fmt, s.app.enable_account(login, actor=s.actor), N_("enabled account"))


@users.command("role")
@click.argument("login")
@click.option("--role", type=ROLE, required=True, help="The account's new role.")
@click.option("--unit", default=None, help="The unit of a unit account (its code or name).")
@FORMAT
@pass_session
@refusals
def users_role(s: Session, login: str, role: str, unit: str | None, fmt: str) -> None:
    """Give the account another role."""
    account = s.app.change_role(login, role, unit=unit, actor=s.actor)
    _emit_account(fmt, account, _("role {role} given to").format(role=role))


@users.command("password")
@click.argument("login")
@PASSWORD_STDIN
@FORMAT
@pass_session
@refusals
def users_password(s: Session, login: str, from_stdin: bool, fmt: str) -> None:
    """Set a new password for the account (the old one stops working)."""
    account = s.app.account(login)  # an unknown login is refused before a password is asked for
    s.app.set_password(login, _password(from_stdin), actor=s.actor)
    _emit_account(fmt, account, N_("password set for"))


@users.command("token")
@click.argument("login")
@click.option("--label", default="", help="What the token is for.")
@FORMAT
@pass_session
@refusals
def users_token(s: Session, login: str, label: str, fmt: str) -> None:
    """Issue an API token for the account and print it, this once (only its hash is kept)."""
    token = s.app.issue_token(login, label=label, actor=s.actor)
    if fmt == "json":
        click.echo(json.dumps({"token": token}))
    else:
        click.echo(token)
        click.echo(_("This token is shown only this once: keep it safe."), err=True)


@users.command("revoke-token")
@click.argument("login")
@FORMAT
@pass_session
@refusals
def users_revoke_token(s: Session, login: str, fmt: str) -> None:
    """Revoke every API token of the account."""
    n = s.app.revoke_tokens(login, actor=s.actor)
    if fmt == "json":
        emit_json({"login": s.app.account(login).login, "revoked": n})
    else:
        click.echo(ngettext("revoked {n} API token of {login}", "revoked {n} API tokens of {login}", n)
                   .format(n=n, login=login.strip().lower()))


@main.group("db")
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
    from ledger.grants import grant

    done = grant(s.app, role, access)
    if fmt == "json":
        emit_json({"role": role, "as": access, "granted": done})
    else:
        may = _("{role} may now append to and read {store}") if access == "writer" else _("{role} may now read {store}")
        click.echo(may.format(role=role, store=s.location.display) + ": " + "; ".join(done))


@main.command()
@pass_session
@refusals
def rebuild(s: Session) -> None:
    """Rebuild the read model from the first event (gives the same results as before)."""
    from projections.reports.progress import progress_bar

    view = s.app.view
    view.reset()
    with progress_bar("重建读模型") as tick:
        n = view.catch_up(s.app, progress=lambda done, total: tick(done, total))
    click.echo(_("rebuilt the read model from {n} events").format(n=n))


@main.command()
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


@main.command()
@click.option("--year", type=int, default=None, help="The sample year (default: last year).")
@click.option("--serve", "and_serve", is_flag=True,
              help="Then open one account per role (passwords printed once) and serve the web app on 127.0.0.1.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="With --serve.")
@pass_session
@refusals
def demo(s: Session, year: int | None, and_serve: bool, port: int) -> None:
    """Record a realistic sample year into the store, then print the ranking and one trace (or serve it)."""
    from ledger.demo import record_demo_year
    from projections.documents import score_document, trace_document
    from projections.reports.terminal import print_trace, ranking_table

    year = year or s.today().year - 1
    summary = record_demo_year(s.app, year, s.actor)
    click.echo(summary, err=True)
    reading = _reading(s, year, date(year, 12, 31) if year < s.today().year else None, None)
    scores = reading.scores()
    out = console()
    out.print(ranking_table(score_document(reading, scores)))
    last = scores[-1]
    code = last.largest_loss()
    if code is not None:
        from projections.reports.terminal_text import literal

        out.print(f"\n为什么 {literal(last.name)} 排名第 {last.rank}？ 失分最多的是 {literal(code)} "
                  f"{literal(last.item(code).name)}：")
        print_trace(out, trace_document(reading, last, code))
    shown = s.location.display  # never the password
    click.echo("\n" + _("store: {store}  —  try: hotline-ledger --store {store} trace --year {year} --unit {unit}")
               .format(store=shown, year=year, unit=last.unit), err=True)
    if and_serve:
        from ledger.demo import demo_accounts
        from web.serve import run

        click.echo("\n" + _("Web: http://127.0.0.1:{port}/app  (the accounts' passwords are shown only this once)")
                   .format(port=port))
        for login, password in demo_accounts(s.app, s.actor).items():
            click.echo(f"  {login:<8} {password}")
        run(s.app, "127.0.0.1", port, year=year)


if __name__ == "__main__":
    main()
