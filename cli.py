"""``hotline-ledger``: the command line (CLI.md). It parses, calls one use case, and renders.

No rule, arithmetic or SQL lives here: recording goes to ``ledger``, reading to ``projections``. This module is
the entry point (``cli:main``): the root group and its options; the commands live beside it, one module per
family (``cli_setup``, ``cli_recording``, ``cli_disputes``, ``cli_imports``, ``cli_reading``, ``cli_integrity``,
``cli_proof``, ``cli_accounts``, ``cli_service``, ``cli_demo``), sharing ``cli_session`` (the store and how
refusals end a command), ``cli_params`` (the values they parse) and ``cli_output`` (how they render).
"""

from __future__ import annotations

import getpass

import click

from cli_accounts import users
from cli_demo import demo
from cli_disputes import dispute
from cli_help import LocalizedGroup
from cli_imports import import_
from cli_integrity import export_, seal, verify
from cli_proof import proof
from cli_reading import bulletin, log, score, trace
from cli_recording import assess, calendar, explain, notice, record, retract, submit_report
from cli_service import db_, rebuild, serve
from cli_session import Session
from cli_setup import init, rules
from ledger.storage.store import DEFAULT_STORE


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


for command in (init, rules, record, assess, retract, submit_report, notice, explain, calendar, dispute, import_,
                score, trace, log, bulletin, verify, seal, proof, export_, users, db_, rebuild, serve, demo):
    main.add_command(command)


if __name__ == "__main__":
    main()
