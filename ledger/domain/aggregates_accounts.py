"""Accounts: a login's role, unit, password and tokens."""

from __future__ import annotations

from typing import Self
from uuid import UUID

from events.accounts import (
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountPasswordSet,
    AccountRoleChanged,
    AccountTokenIssued,
    AccountTokensRevoked,
)
from ledger.domain.aggregates_base import TOPIC_MODULE, LedgerAggregate, handlers, ledger_id
from ledger.domain.errors import RuleViolation
from ledger.translation import gettext as _


class Account(LedgerAggregate):
    """A person's account: its role and unit, whether it may log in, and the public ids of its live API tokens.

    Its id derives from the login, so two writers opening the same login compute the same id and
    the store refuses the second. Its secrets are not here: see ``ledger/storage/credentials.py``.
    """

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(login: str) -> UUID:
        return ledger_id("account", login)

    @classmethod
    def open(cls, *, login: str, role: str, actor: str, unit: str | None = None, name: str = "") -> Self:
        """Open an account (the login as stored: trimmed, lower case); a unit exactly when the role is ``unit``."""
        if not login or login != login.strip().lower():
            raise RuleViolation(_("its login {login} is not written as the ledger writes logins").format(
                login=repr(login[:80])))
        _check_role_unit(role, unit)
        return cls._create(AccountOpened, id=cls.id_for(login), login=login, role=role, unit=unit, name=name,
                           recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: AccountOpened) -> None:
        self.login, self.role, self.unit, self.name = e.login, e.role, e.unit, e.name
        self.enabled, self.password_set, self.tokens = True, False, ()

    @when.register
    def _(self, e: AccountRoleChanged) -> None:
        self.role, self.unit = e.role, e.unit

    @when.register
    def _(self, e: AccountDisabled) -> None:
        self.enabled = False

    @when.register
    def _(self, e: AccountEnabled) -> None:
        self.enabled = True

    @when.register
    def _(self, e: AccountPasswordSet) -> None:
        self.password_set = True

    @when.register
    def _(self, e: AccountTokenIssued) -> None:
        self.tokens = (*self.tokens, e.token_id)

    @when.register
    def _(self, e: AccountTokensRevoked) -> None:
        self.tokens = tuple(t for t in self.tokens if t not in e.token_ids)

    def change_role(self, role: str, unit: str | None, actor: str) -> None:
        """Give the account another role (the caller has validated the unit against the ruleset)."""
        _check_role_unit(role, unit)
        if (role, unit) == (self.role, self.unit):
            held = f"{role} of unit {unit}" if unit else role
            raise RuleViolation(f"account {self.login} already has the role {held}")
        self.trigger_event(AccountRoleChanged, role=role, unit=unit, recorded_by=actor)

    def disable(self, actor: str) -> None:
        """Refuse the account's password and tokens from now on."""
        if not self.enabled:
            raise RuleViolation(f"account {self.login} is already disabled")
        self.trigger_event(AccountDisabled, recorded_by=actor)

    def enable(self, actor: str) -> None:
        """Let a disabled account log in again (its password and unrevoked tokens work again)."""
        if self.enabled:
            raise RuleViolation(f"account {self.login} is already enabled")
        self.trigger_event(AccountEnabled, recorded_by=actor)

    def note_password_set(self, actor: str) -> None:
        """Record that the password was set (its hash goes to the credentials table, not here)."""
        self.trigger_event(AccountPasswordSet, recorded_by=actor)

    def issue_token(self, token_id: str, label: str, actor: str) -> None:
        """Record a new API token's public id."""
        self.trigger_event(AccountTokenIssued, token_id=token_id, label=label, recorded_by=actor)

    def revoke_tokens(self, actor: str) -> tuple[str, ...]:
        """Revoke every live token; returns their ids (none: nothing is recorded)."""
        revoked = self.tokens
        if revoked:
            self.trigger_event(AccountTokensRevoked, token_ids=revoked, recorded_by=actor)
        return revoked


def _check_role_unit(role: str, unit: str | None) -> None:
    """An account has a unit exactly when its role is ``unit``."""
    if (role == "unit") != (unit is not None):
        raise RuleViolation(_("the role {role} with the unit {unit} is not an account the ledger opens").format(
            role=role, unit=repr(unit)))
