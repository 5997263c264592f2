"""Commands that set a store up: ``init`` and the adopted rulesets (``rules show``, ``rules check``)."""

from __future__ import annotations

from pathlib import Path

import click

from cli_help import LocalizedCommand, LocalizedGroup
from cli_output import FORMAT, console, emit_json
from cli_session import Session, pass_session, refusals
from ledger.domain.defaults import builtin_source
from ledger.translation import gettext as _


@click.command(cls=LocalizedCommand)
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


@click.group(cls=LocalizedGroup)
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
    from cli_rules_table import print_ruleset

    print_ruleset(console(), ruleset, year)


@rules.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@FORMAT
@refusals
def rules_check(file: str, fmt: str) -> None:
    """Validate a ruleset FILE and say, item by item, what it would score (exit 1 if invalid)."""
    from ledger.domain.errors import RulesetInvalid
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

