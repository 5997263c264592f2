"""The ``dispute`` commands: disputes of occurrences and screenings of work orders, opened, decided, listed."""

from __future__ import annotations

from datetime import date

import click

from cli_help import LocalizedGroup
from cli_output import FORMAT, console, emit_id, emit_json
from cli_params import COUNT, DATE
from cli_session import Session, pass_session, refusals
from ledger.translation import N_
from ledger.translation import gettext as _


@click.group(cls=LocalizedGroup)
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
    from ledger.usecases.reads import dispute_rows

    rows = dispute_rows(s.app, unit, only_open)
    if fmt == "json":
        emit_json(rows)
        return
    from cli_terminal import dispute_table

    console().print(dispute_table(rows))

