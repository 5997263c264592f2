"""Logins, passwords and API tokens as values: what a login may hold, the password policy, generated passwords
and the hash kept of a token."""

from __future__ import annotations

import hashlib
import re
import secrets

from ledger.domain.errors import RuleViolation
from ledger.translation import gettext as _

#: The shortest password accepted (NIST SP 800-63B asks for at least 8; a shared service deserves more).
MIN_PASSWORD = 10
#: The longest: hashing a megabyte on every login attempt would be a cheap way to load the server.
MAX_PASSWORD = 1024
#: A login: lower case letters, digits, ``.``, ``_``, ``-`` and ``@``, starting with a letter or digit.
LOGIN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


def normal_login(login: str) -> str:
    """The login as stored (trimmed, lower case), or a refusal saying what a login may hold."""
    key = login.strip().lower()
    if not LOGIN.fullmatch(key):
        raise RuleViolation(_("login {login} is not valid: 1 to 64 characters of a-z, 0-9, '.', '_', '-' and '@', "
                              "starting with a letter or digit").format(login=repr(login)))
    return key


def check_password(password: str) -> None:
    """Refuse an empty, too short or too long password (the message never repeats it)."""
    if not password:
        raise RuleViolation(_("the password is empty"))
    if len(password) < MIN_PASSWORD:
        raise RuleViolation(_("the password is too short: it needs at least {n} characters").format(n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise RuleViolation(_("the password is too long: at most {n} characters").format(n=MAX_PASSWORD))


def generated_password() -> str:
    """A new random password (20 characters from ``secrets``) for an account opened without one being typed:
    the service shows it once, to the admin who opened the account, and keeps only its hash."""
    return secrets.token_urlsafe(15)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a whole API token: what the credentials table keeps."""
    return hashlib.sha256(token.encode()).hexdigest()
