"""Commands that record what happened: occurrences, assessments, retractions, reports, notices, calendar rulings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from cli_help import LocalizedCommand, LocalizedGroup
from cli_output import FORMAT, emit_id
from cli_params import COUNT, DATE, POINTS
from cli_session import Session, pass_session, refusals
from ledger.translation import N_
from ledger.translation import gettext as _


@click.command(cls=LocalizedCommand)
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


@click.command(cls=LocalizedCommand)
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


@click.command(cls=LocalizedCommand)
@click.argument("event_id")
@click.option("--reason", required=True, help='Why it is withdrawn (kept in the ledger).')
@FORMAT
@pass_session
@refusals
def retract(s: Session, event_id: str, reason: str, fmt: str) -> None:
    """Withdraw a recorded occurrence (it stays in the ledger, marked retracted)."""
    emit_id(fmt, s.app.retract(event_id, reason, s.actor), N_("retracted occurrence"))


@click.command("submit-report", cls=LocalizedCommand)
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


@click.command(cls=LocalizedCommand)
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


@click.command(cls=LocalizedCommand)
@click.option("--notice", "notice_id", required=True, help="The notice's own number (e.g. DB-1).")
@click.option("--date", "on", type=DATE, required=True, help='The date the explanation was submitted (YYYY-MM-DD).')
@click.option("--evidence", required=True, help="What proves it: a work-order number, a document's name.")
@FORMAT
@pass_session
@refusals
def explain(s: Session, notice_id: str, on: date, evidence: str, fmt: str) -> None:
    """Record the unit's explanation for a notice."""
    emit_id(fmt, s.app.explain(notice=notice_id, on=on, evidence=evidence, actor=s.actor), N_("recorded explanation"))


@click.group(cls=LocalizedGroup)
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

