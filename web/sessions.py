"""Browser sessions and login throttling, kept in the store so that every ``serve`` process sees the same.

Both live in the store's credentials table (``ledger/storage/credentials.py``), the one mutable table
beside the ledger, under kinds of their own; nothing of them is an event, and nothing is kept
in a process's memory:

- ``session``: key = the session's public id, account = the account's id, hash = the SHA-256 of
  the whole cookie value and the time of its last use. The cookie reads ``ID.SECRET``
  (``secrets.token_urlsafe``); a stolen table gives no cookie. Idle longer than ``idle``
  seconds, the session is gone; logging out removes it.
- ``throttle``: key = ``login:NAME`` or ``addr:IP``, hash = the failed attempts and when the
  window opened. Past the limit within the window, logins are refused (429) before any password
  is checked.

The CSRF token of a session is an HMAC of its cookie (a synchronizer token no one can compute
without the HttpOnly cookie): forms carry it in a hidden field, scripts in ``X-CSRF-Token``.
The login form, posted before there is a session, carries the HMAC of a pre-session cookie
(``hl_login``, random, HttpOnly, SameSite=Strict, sent to the login page only) under a purpose of
its own, so another site cannot log a browser into an account of its choosing (login CSRF).
Nothing of it is kept on the server: any ``serve`` process checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ledger.storage.credentials import Credentials

SESSION, THROTTLE = "session", "throttle"
#: Seconds a session may sit unused before it ends.
IDLE_SECONDS = 30 * 60
#: A session's last use is written back at most this often (a write per request would be waste).
TOUCH_SECONDS = 60
#: Failed logins allowed per account, and per address, within the window.
LOGIN_LIMIT, ADDRESS_LIMIT, WINDOW_SECONDS = 5, 20, 15 * 60


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


#: What a CSRF token is for: the forms of a session, or the login form before one.
SESSION_PURPOSE, LOGIN_PURPOSE = b"hotline-ledger csrf", b"hotline-ledger login csrf"


def csrf_token(cookie: str, purpose: bytes = SESSION_PURPOSE) -> str:
    """The CSRF token that goes with a session cookie (or, with ``LOGIN_PURPOSE``, a pre-session cookie)."""
    return hmac.new(cookie.encode(), purpose, hashlib.sha256).hexdigest()


def csrf_ok(cookie: str, given: str | None, purpose: bytes = SESSION_PURPOSE) -> bool:
    """Whether ``given`` is the cookie's CSRF token for ``purpose`` (compared in constant time)."""
    return bool(cookie) and bool(given) and hmac.compare_digest(csrf_token(cookie, purpose), str(given))


def pre_session(cookie: str | None) -> str:
    """The login form's pre-session cookie value: the browser's own if it has a well-formed one, else a new one."""
    if cookie and 32 <= len(cookie) <= 64 and all(c.isalnum() or c in "-_" for c in cookie):
        return cookie
    return secrets.token_urlsafe(32)


@dataclass
class Sessions:
    """Open, find and end sessions in the store."""

    credentials: Credentials
    idle: int = IDLE_SECONDS
    clock: Callable[[], float] = field(default=time.time)

    def open(self, account_id: str) -> str:
        """A new session for the account; returns the cookie value (shown to the browser only)."""
        sid = secrets.token_hex(8)
        cookie = f"{sid}.{secrets.token_urlsafe(32)}"
        self.credentials.put(SESSION, sid, account_id, f"{_digest(cookie)} {int(self.clock())}")
        return cookie

    def account_of(self, cookie: str) -> str | None:
        """The account id of a live session, or None (unknown, forged or idle too long: then it is removed)."""
        sid, dot, secret = cookie.partition(".")
        if not (dot and sid and secret) or len(cookie) > 200:
            return None
        row = self.credentials.get(SESSION, sid)
        if row is None:
            return None
        account, kept = row
        digest, _, seen = kept.partition(" ")
        if not hmac.compare_digest(digest, _digest(cookie)):
            return None
        now = int(self.clock())
        if not seen.isdigit() or now - int(seen) > self.idle:
            self.credentials.remove(SESSION, [sid])
            return None
        if now - int(seen) >= TOUCH_SECONDS:
            self.credentials.put(SESSION, sid, account, f"{digest} {now}")
        return account

    def close(self, cookie: str) -> None:
        """End the session (logout)."""
        sid = cookie.partition(".")[0]
        if sid:
            self.credentials.remove(SESSION, [sid])


@dataclass
class Throttle:
    """Failed logins counted per account and per address, in the store."""

    credentials: Credentials
    login_limit: int = LOGIN_LIMIT
    address_limit: int = ADDRESS_LIMIT
    window: int = WINDOW_SECONDS
    clock: Callable[[], float] = field(default=time.time)

    @staticmethod
    def keys(login: str, address: str) -> tuple[str, str]:
        """The throttle keys of an attempt."""
        # PostgreSQL text holds no NUL: a login typed with one is counted under its escaped spelling.
        return f"login:{login.strip().lower()[:100]}".replace("\x00", "\\x00"), f"addr:{address}"

    def _count(self, key: str) -> tuple[int, int]:
        row = self.credentials.get(THROTTLE, key)
        if row is None:
            return 0, 0
        count, _, start = row[1].partition(" ")
        if not (count.isdigit() and start.isdigit()) or self.clock() - int(start) > self.window:
            return 0, 0
        return int(count), int(start)

    def _limit(self, key: str) -> int:
        return self.login_limit if key.startswith("login:") else self.address_limit

    def blocked(self, keys: Iterable[str]) -> bool:
        """Whether any key has used up its failed attempts in the window."""
        return any(self._count(k)[0] >= self._limit(k) for k in keys)

    def failed(self, keys: Iterable[str]) -> None:
        """Count one failed attempt against every key."""
        now = int(self.clock())
        for key in keys:
            count, start = self._count(key)
            self.credentials.put(THROTTLE, key, "-", f"{count + 1} {start or now}")

    def succeeded(self, login_key: str) -> None:
        """A right password clears the account's count (the address's stays)."""
        self.credentials.remove(THROTTLE, [login_key])
