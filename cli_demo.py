"""The ``demo`` command: a realistic sample year recorded into the store, ranked and traced (or served)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from cli_help import LocalizedCommand
from cli_output import console
from cli_reading import open_year
from cli_session import Session, pass_session, refusals
from ledger.translation import gettext as _


@click.command(cls=LocalizedCommand)
@click.option("--year", type=int, default=None, help="The sample year (default: last year).")
@click.option("--ruleset", "ruleset_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A ruleset file to run the sample year on instead of the built-in Tai'an one (docs/rulesets.md).")
@click.option("--serve", "and_serve", is_flag=True,
              help="Then open one account per role (passwords printed once) and serve the web app on 127.0.0.1.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="With --serve.")
@pass_session
@refusals
def demo(s: Session, year: int | None, ruleset_file: str | None, and_serve: bool, port: int) -> None:
    """Record a realistic sample year into the store, then print the ranking and one trace (or serve it)."""
    from cli_terminal import print_trace, ranking_table
    from cli_terminal_text import literal
    from ledger.usecases.demo import record_demo_year
    from ledger.usecases.reads import demo_ranking

    year = year or s.today().year - 1
    chosen: tuple[str, str] | tuple[()] = ()  # (text, source) of --ruleset; none: the built-in one
    if ruleset_file:
        from ledger.rulesets.loading import read_ruleset_file

        chosen = (read_ruleset_file(ruleset_file), Path(ruleset_file).name)
    summary = record_demo_year(s.app, year, s.actor, *chosen)
    click.echo(summary, err=True)
    reading = open_year(s, year, date(year, 12, 31) if year < s.today().year else None, None)
    ranking, loss = demo_ranking(reading)  # one scoring for the table and the trace
    out = console()
    out.print(ranking_table(ranking))
    if loss is not None:
        item, trace = loss
        out.print("\n" + _("Why is {name} ranked {rank}? It lost most on {code} {item}:").format(
            name=literal(trace["name"]), rank=trace["rank"], code=literal(item["code"]), item=literal(item["name"])))
        print_trace(out, trace)
    last = ranking["units"][-1]["unit"]
    shown = s.location.display  # never the password
    click.echo("\n" + _("store: {store}  —  try: hotline-ledger --store {store} trace --year {year} --unit {unit}")
               .format(store=shown, year=year, unit=last), err=True)
    if and_serve:
        from ledger.usecases.demo import demo_accounts
        from web.serve import run

        click.echo("\n" + _("Web: http://127.0.0.1:{port}/app  (the accounts' passwords are shown only this once)")
                   .format(port=port))
        for login, password in demo_accounts(s.app, s.actor, *chosen).items():
            click.echo(f"  {login:<8} {password}")
        run(s.app, "127.0.0.1", port, year=year)
