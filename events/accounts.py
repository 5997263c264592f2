"""Accounts: who may use the ledger's service, in which role, and who decided so.

These events carry facts only. A password or an API token is never in them: the hashes live in
the store's credentials table (``ledger/storage/credentials.py``), and an event says only that a password
was set or that a token with this public id was issued.
"""

from __future__ import annotations

from typing import Literal

from events.base import LedgerCreated, LedgerEvent

#: The roles of CLI.md's table ("Accounts, the web service and its API").
Role = Literal["admin", "clerk", "unit", "auditor", "viewer"]


class AccountOpened(LedgerCreated):
    """An account was opened.

    Attributes:
        login: the name it logs in with (lower case, unique: the account's id derives from it).
        role: what it may do (``ledger/domain/policy.py``). unit: its unit's code (role ``unit`` only).
        name: the person's display name (may be empty).
    """

    login: str
    role: Role
    unit: str | None = None
    name: str = ""


class AccountRoleChanged(LedgerEvent):
    """The account was given another role (and, for role ``unit``, its unit)."""

    role: Role
    unit: str | None = None


class AccountDisabled(LedgerEvent):
    """The account may no longer log in; its password and tokens are refused until it is enabled."""


class AccountEnabled(LedgerEvent):
    """A disabled account may log in again."""


class AccountPasswordSet(LedgerEvent):
    """The account's password was set or replaced (the fact only: the hash is not in the ledger)."""


class AccountTokenIssued(LedgerEvent):
    """An API token was issued to the account.

    Attributes:
        token_id: the token's public id (the part before the dot); the token itself is never stored.
        label: what the token is for, as its holder said.
    """

    token_id: str
    label: str = ""


class AccountTokensRevoked(LedgerEvent):
    """Every API token the account held was revoked.

    Attributes:
        token_ids: the public ids of the tokens revoked.
    """

    token_ids: tuple[str, ...]
