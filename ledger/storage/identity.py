"""Who the store authenticated: the ``authenticated_as`` stamped on every event as it is written.

``recorded_by`` is what the person declared (``--actor``); ``authenticated_as`` is what the
ledger knows for itself, so no caller of a use case chooses it. The mapper asks, once per event
it writes (``ledger/storage/store.py``):

1. the login of the web request being served, if any (``authenticated()``: the service sets it
   around each request; a context variable, so concurrent requests never see each other's);
2. otherwise the store's own answer, asked once per application: PostgreSQL's ``session_user``
   (the role the server authenticated) or, for a file store, the operating-system account running
   the process (``os_user``).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request_login: ContextVar[str | None] = ContextVar("hotline_ledger_authenticated_login", default=None)


@contextmanager
def authenticated(login: str) -> Iterator[None]:
    """Within this block (in this thread or task only), events written are stamped with ``login``.

    For the web service: the account it authenticated for the request, whatever the store's role is.
    """
    if not login or not login.strip():
        raise ValueError("an authenticated login is never empty")
    token = _request_login.set(login)
    try:
        yield
    finally:
        _request_login.reset(token)


def request_login() -> str | None:
    """The login set by ``authenticated()`` around the current request, or None outside one."""
    return _request_login.get()


def os_user() -> str:
    """The account the operating system runs this process as.

    From the password database by the real uid, not from ``USER``/``LOGNAME`` (which anyone may set
    for one command, as ``getpass.getuser`` would believe); those only where there is no such
    database (Windows) or no entry for the uid (a bare container), and the uid itself as a last resort.
    """
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        pass
    try:
        return getpass.getuser()
    except OSError:  # no name anywhere: the number is still who it is
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
