"""The ``users`` commands: the web service's accounts, their roles, passwords and API tokens."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from cli_help import LocalizedGroup
from cli_output import FORMAT, console, emit_json
from cli_session import Session, pass_session, refusals
from ledger.domain.policy import ROLE_NAMES
from ledger.translation import N_, ngettext
from ledger.translation import gettext as _

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


@click.group(cls=LocalizedGroup)
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
    from ledger.usecases.accounts import check_password

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
