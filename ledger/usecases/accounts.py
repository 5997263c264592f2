"""Account use cases: open and manage accounts, set passwords, issue and revoke API tokens, authenticate.

Who an account is and what it may do are events (``events/accounts.py``), decided on the Account
aggregate, whose id derives from the login (two writers opening one login: the store refuses the
second). Secrets are kept only as hashes in the credentials table (``ledger/storage/credentials.py``):
passwords as argon2id hashes, API tokens as the SHA-256 of the token, which is shown once.

A token reads ``TOKENID.SECRET``: ``TOKENID`` is public (it is in the ledger, so a token can be
named and revoked), ``SECRET`` is ``secrets.token_urlsafe(32)``. Authentication looks the hash up
by the public id and compares it in constant time, then asks the Account aggregate, which has the
last word: a disabled account, or a token it no longer lists, is refused whatever the table says.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError

from ledger.aggregates import Account
from ledger.domain.defaults import default_zone
from ledger.domain.errors import Conflict, LedgerError, NotFound, RuleViolation
from ledger.domain.policy import ROLE_NAMES
from ledger.storage.credentials import PASSWORD, TOKEN, Credentials, credentials_for
from ledger.translation import gettext as _
from ledger.usecases.accounts_secrets import (
    LOGIN,
    MAX_PASSWORD,
    check_password,
    generated_password,
    normal_login,
    token_hash,
)

# The account helpers the interfaces import from here (web/, cli.py) live in ledger/usecases/accounts_secrets.py.
__all__ = ["AccountInfo", "Accounts", "NotAuthenticated", "check_password", "generated_password", "normal_login",
           "token_hash"]

if TYPE_CHECKING:
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object

WRONG_PASSWORD = "wrong login or password"
WRONG_TOKEN = "unknown or revoked API token"

# argon2id (the library's default type) with RFC 9106's second recommended parameters (64 MiB, t=3, p=4).
_HASHER = PasswordHasher()


class NotAuthenticated(LedgerError):
    """Credentials that open no enabled account (the message never says which part was wrong)."""


@dataclass(frozen=True)
class AccountInfo:
    """An account as the service sees it after authentication.

    Attributes:
        login: its login. name: the person's display name (may be empty). role: admin, clerk, unit,
        auditor or viewer. unit: its unit's code (role ``unit`` only). enabled: whether it may log in.
    """

    login: str
    name: str
    role: str
    unit: str | None
    enabled: bool

    def as_dict(self) -> dict[str, Any]:
        """The account as JSON-ready fields."""
        return asdict(self)


@cache
def _decoy_hash() -> str:
    """A hash to verify against when the login has no password, so that an unknown login takes as long."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def _text(value: str, what: str, limit: int = 100) -> str:
    text = value.strip()
    if len(text) > limit or not text.isprintable():
        raise RuleViolation(f"the {what} must be one line of at most {limit} printable characters")
    return text


def _info(account: Account) -> AccountInfo:
    return AccountInfo(account.login, account.name, account.role, account.unit, account.enabled)


class Accounts(_Core):
    """Accounts, their passwords and API tokens, and authentication."""

    @property
    def credentials(self) -> Credentials:
        """The store's credentials table (hashes only)."""
        return credentials_for(self.recorder)

    # ── reading ─────────────────────────────────────────────────────────────
    def account(self, login: str) -> AccountInfo:
        """The account ``login`` as the event store has it now."""
        return _info(self._account(normal_login(login)))

    def accounts(self) -> list[dict[str, Any]]:
        """Every account, from the read model (``projections/accounts.py``), ordered by login."""
        from projections.accounts import account_rows

        return account_rows(self.refresh().db)

    def _account(self, key: str) -> Account:
        try:
            found = self.repository.get(Account.id_for(key))
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, Account):
            raise NotFound(_("no account with login {login} (see `users list`)").format(login=repr(key)))
        return found

    # ── managing ────────────────────────────────────────────────────────────
    def check_new_account(self, *, login: str, role: str, unit: str | None = None, name: str = "") -> None:
        """Refuse what ``add_account`` would refuse before a password is asked for (a taken login, a bad unit …)."""
        self._new_account(login, role, unit, name)

    def _new_account(self, login: str, role: str, unit: str | None, name: str) -> tuple[str, str | None, str]:
        """The login, unit code and display name of a new account, or the refusal."""
        key = normal_login(login)
        unit_code = self._role_unit(role, unit)
        display = _text(name, "display name")
        if Account.id_for(key) in self.repository:  # the common case; the store decides a race (add_account)
            raise Conflict(_("an account with login {login} already exists").format(login=repr(key)))
        return key, unit_code, display

    def add_account(self, *, login: str, role: str, actor: str, unit: str | None = None, name: str = "",
                    password: str | None = None) -> AccountInfo:
        """Open an account; with ``password``, set it. A login already taken is refused, even by a concurrent add."""
        key, unit_code, display = self._new_account(login, role, unit, name)
        if password is not None:
            check_password(password)
        taken = f"an account with login {key!r} already exists"
        hashed = None if password is None else _HASHER.hash(password)  # before saving: a failure leaves nothing
        account = Account.open(login=key, role=role, unit=unit_code, name=display, actor=actor)
        if hashed is not None:
            account.note_password_set(actor)
        self.save_new(account, conflict=taken)
        if hashed is not None:
            self.credentials.put(PASSWORD, account.id.hex, account.id.hex, hashed)
        return _info(account)

    def _role_unit(self, role: str, unit: str | None) -> str | None:
        """The unit's code for a ``unit`` account (of the current year's ruleset); None for the other roles."""
        if role not in ROLE_NAMES:
            raise RuleViolation(_("unknown role {role}: give one of {roles}").format(role=repr(role),
                                                                                     roles=", ".join(ROLE_NAMES)))
        given = (unit or "").strip()
        if role != "unit":
            if given:
                raise RuleViolation(_("--unit goes with --role unit only: a {role} account belongs to no one unit")
                                    .format(role=role))
            return None
        if not given:
            raise RuleViolation(_("a unit account needs its unit: give --unit U"))
        _ruleset, code, _item = self.resolve(self.clock(default_zone()).year, given)
        return code

    def disable_account(self, login: str, actor: str) -> AccountInfo:
        """Refuse the account's password and tokens from its next request on."""
        return self._change(login, lambda a: a.disable(actor))

    def enable_account(self, login: str, actor: str) -> AccountInfo:
        """Let a disabled account log in again."""
        return self._change(login, lambda a: a.enable(actor))

    def change_role(self, login: str, role: str, actor: str, unit: str | None = None) -> AccountInfo:
        """Give the account another role (a ``unit`` role needs a unit of the current year's ruleset)."""
        key = normal_login(login)
        unit_code = self._role_unit(role, unit)
        return self._change(key, lambda a: a.change_role(role, unit_code, actor))

    def _change(self, login: str, decide: Any) -> AccountInfo:
        key = normal_login(login)

        def attempt() -> AccountInfo:
            account = self._account(key)
            decide(account)
            self.save(account)
            return _info(account)

        return self._retrying(attempt, f"account {key} kept changing meanwhile; try again")

    def set_password(self, login: str, password: str, actor: str) -> None:
        """Set or replace the account's password: the old one stops working."""
        key = normal_login(login)
        check_password(password)
        hashed = _HASHER.hash(password)

        def attempt() -> Account:
            account = self._account(key)
            account.note_password_set(actor)
            self.save(account)
            return account

        account = self._retrying(attempt, f"account {key} kept changing meanwhile; try again")
        self.credentials.put(PASSWORD, account.id.hex, account.id.hex, hashed)

    def issue_token(self, login: str, actor: str, label: str = "") -> str:
        """A new API token for the account, returned this once (only its hash is kept)."""
        key = normal_login(login)
        text = _text(label, "token label")
        token_id = secrets.token_hex(8)
        token = f"{token_id}.{secrets.token_urlsafe(32)}"

        def attempt() -> Account:
            account = self._account(key)
            account.issue_token(token_id, text, actor)
            self.save(account)
            return account

        account = self._retrying(attempt, f"account {key} kept changing meanwhile; try again")
        self.credentials.put(TOKEN, token_id, account.id.hex, token_hash(token))
        return token

    def revoke_tokens(self, login: str, actor: str) -> int:
        """Revoke every API token of the account; returns how many (0: there were none, nothing recorded)."""
        key = normal_login(login)

        def attempt() -> tuple[str, ...]:
            account = self._account(key)
            revoked = account.revoke_tokens(actor)
            if revoked:
                self.save(account)
            return revoked

        revoked = self._retrying(attempt, f"account {key} kept changing meanwhile; try again")
        self.credentials.remove(TOKEN, revoked)
        return len(revoked)

    # ── authenticating ──────────────────────────────────────────────────────
    def authenticate_password(self, login: str, password: str) -> AccountInfo:
        """The account whose login and password these are, if it is enabled; else ``NotAuthenticated``."""
        key = login.strip().lower()
        account = None
        stored = None
        if LOGIN.fullmatch(key) and len(password) <= MAX_PASSWORD:
            try:
                account = self.repository.get(Account.id_for(key))
            except AggregateNotFoundError:
                account = None
            if account is not None:
                stored = self.credentials.get(PASSWORD, account.id.hex)
        hashed = stored[1] if stored else _decoy_hash()
        try:
            _HASHER.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            raise NotAuthenticated(WRONG_PASSWORD) from None
        if account is None or stored is None:  # pragma: no cover - the decoy's password is never guessed
            raise NotAuthenticated(WRONG_PASSWORD)
        if not account.enabled:
            raise NotAuthenticated(f"account {key} is disabled")
        if _HASHER.check_needs_rehash(hashed):  # the hasher's parameters were raised since: rehash now we can
            self.credentials.put(PASSWORD, account.id.hex, account.id.hex, _HASHER.hash(password))
        return _info(account)

    def authenticate_session(self, login: str) -> AccountInfo:
        """The account a session was opened for, read afresh on every request: refused once it is disabled."""
        try:
            account = self._account(normal_login(login))
        except LedgerError:
            raise NotAuthenticated(WRONG_PASSWORD) from None
        if not account.enabled:
            raise NotAuthenticated(f"account {account.login} is disabled")
        return _info(account)

    def authenticate_token(self, token: str) -> AccountInfo:
        """The account an API token was issued to, if the token is live and the account enabled."""
        token = token.strip()
        token_id, dot, secret = token.partition(".")
        stored = self.credentials.get(TOKEN, token_id) if dot and token_id and secret and len(token) < 200 else None
        given = token_hash(token)
        if stored is None or not hmac.compare_digest(stored[1], given):
            raise NotAuthenticated(WRONG_TOKEN)
        try:
            account = self.repository.get(UUID(stored[0]))
        except AggregateNotFoundError:
            raise NotAuthenticated(WRONG_TOKEN) from None
        if not isinstance(account, Account) or token_id not in account.tokens:
            raise NotAuthenticated(WRONG_TOKEN)  # revoked: the aggregate has the last word
        if not account.enabled:
            raise NotAuthenticated(f"account {account.login} is disabled")
        return _info(account)
