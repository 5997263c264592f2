"""The service's one authorization layer: who is asking, and whether the role may take the route's action.

Every route (API and page) is named in ``RULES`` with the policy actions (``ledger.domain.policy``) that
allow it; ``caller`` — a dependency of every router — authenticates the request (a Bearer token,
or the session cookie plus its CSRF token on every write), asks ``may`` and refuses with 401 or
403 before the route runs. A route missing from ``RULES`` is refused (``check_rules`` also says so
when the app is built). What belongs to a unit is then seen through the ``Caller``: ``see(unit)``
answers 404 for another unit's record, ``narrow(unit)`` turns a listing into the caller's own unit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import HTTPException, Request

from ledger.aggregates import Account
from ledger.domain.policy import (
    ACCOUNTS,
    DECIDE,
    DISPUTE,
    EVIDENCE,
    IMPORT,
    READ_ALL,
    READ_OWN_UNIT,
    READ_RANKING,
    READ_SCORES,
    RECORD,
    REPORTS,
    ROLES,
    VERIFY,
    may,
)
from ledger.storage.identity import authenticated
from ledger.usecases.accounts import AccountInfo, NotAuthenticated
from web.sessions import LOGIN_PURPOSE, csrf_ok

PUBLIC = ()
#: No account yet, but a write must carry the login form's token (bound to the pre-session cookie): login CSRF.
PRE_SESSION = ("pre-session",)
#: Any authenticated account (its own ``me``, logging out).
ANYONE = ("*",)
COOKIE = "hl_session"
#: The pre-session cookie of the login form (``web.sessions.pre_session``).
LOGIN_COOKIE = "hl_login"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: route name → the actions that allow it (any one of them; an own-unit action allows it for that unit only).
RULES: dict[str, tuple[str, ...]] = {
    # API
    "api_login": PUBLIC, "api_logout": ANYONE, "api_me": ANYONE,
    "api_score": (READ_RANKING,),
    "api_trace": (READ_SCORES, READ_OWN_UNIT),
    "api_log": (READ_ALL, READ_OWN_UNIT),
    "api_record": (RECORD,), "api_assess": (RECORD,), "api_retract": (RECORD,),
    "api_dispute_open": (DISPUTE,), "api_dispute_decide": (DECIDE,),
    "api_disputes": (READ_ALL, READ_OWN_UNIT),
    "api_evidence_upload": (RECORD, DISPUTE),
    "api_evidence": (EVIDENCE,),
    "api_import_workorders": (IMPORT,), "api_import_events": (IMPORT,), "api_import_status": (IMPORT,),
    "api_verify": (VERIFY,),
    # pages
    "page_login": PUBLIC, "page_login_post": PRE_SESSION, "page_logout": ANYONE, "page_home": ANYONE,
    "page_ranking": (READ_RANKING,),
    "page_unit": (READ_SCORES, READ_OWN_UNIT),
    "page_item": (READ_SCORES, READ_OWN_UNIT),
    "page_disputes": (READ_ALL, READ_OWN_UNIT), "page_dispute_post": (DISPUTE,),
    "page_queue": (DECIDE,), "page_decide_post": (DECIDE,),
    "page_record": (RECORD,), "page_record_post": (RECORD,), "page_assess_post": (RECORD,),
    "page_import": (IMPORT,), "page_import_post": (IMPORT,), "page_import_status": (IMPORT,),
    "page_log": (READ_ALL, READ_OWN_UNIT),
    "page_verify": (VERIFY,),
    "page_accounts": (ACCOUNTS,), "page_account_add": (ACCOUNTS,), "page_account_role": (ACCOUNTS,),
    "page_account_state": (ACCOUNTS,),
    "page_report": (REPORTS,),
    "page_evidence": (EVIDENCE,),
    "static": PUBLIC, "page_root": PUBLIC,
}


def check_rules(route_names: Iterable[str]) -> None:
    """Refuse to build an app with a route that has no rule (fail closed, and loudly)."""
    missing = sorted(set(route_names) - set(RULES))
    if missing:
        raise RuntimeError(f"routes without an authorization rule: {', '.join(missing)}")


def _holds(account: AccountInfo, action: str) -> bool:
    """Whether the role holds ``action`` anywhere or for its own unit (before any unit is known)."""
    role = ROLES.get(account.role)
    return bool(role and account.enabled and (action in role.anywhere or action in role.own_unit))


@dataclass(frozen=True)
class Caller:
    """An authenticated account and the actions of the route it called."""

    account: AccountInfo
    actions: tuple[str, ...]
    cookie: str | None = None

    @property
    def everywhere(self) -> bool:
        """Whether one of the route's actions is the role's for every unit."""
        return any(a == "*" or may(self.account, a) for a in self.actions)

    def sees(self, action: str) -> bool:
        """Whether the role holds ``action`` for every unit (to narrow a document that covers them all)."""
        return may(self.account, action)

    def see(self, unit: str | None) -> None:
        """404 unless the caller may see a record of ``unit`` (a unit account: its own only)."""
        if self.everywhere:
            return
        if unit is None or not any(may(self.account, a, unit) for a in self.actions if a != "*"):
            raise HTTPException(404, "not found")

    def narrow(self, unit: str | None) -> str | None:
        """The unit a listing covers: as asked for a role that sees everything; else the caller's own unit
        (another unit asked for: 404)."""
        if self.everywhere:
            return unit
        self.see(unit if unit is not None else self.account.unit)
        return self.account.unit


def _account_by_id(app: Any, account_id: str) -> AccountInfo | None:
    try:
        found = app.repository.get(UUID(account_id))
    except Exception:  # noqa: BLE001 - any failure to find it means: no such account
        return None
    if not isinstance(found, Account):
        return None
    return AccountInfo(found.login, found.name, found.role, found.unit, found.enabled)


def authenticate(request: Request) -> tuple[AccountInfo | None, str | None]:
    """The account behind the request's Bearer token or session cookie, and the cookie (None for a token).

    A token that fails, or a disabled account, is a 401; no credentials at all gives (None, None).
    """
    service = request.app.state.service
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "use Authorization: Bearer TOKEN")
        try:
            return service.app.authenticate_token(token), None
        except NotAuthenticated as e:
            raise HTTPException(401, str(e)) from None
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None, None
    account_id = service.sessions.account_of(cookie)
    account = _account_by_id(service.app, account_id) if account_id else None
    if account is None or not account.enabled:
        return None, cookie
    return account, cookie


async def caller(request: Request) -> AsyncIterator[Caller | None]:
    """The dependency every router carries: authenticate, check CSRF on session writes, apply the rule; then
    run the route with every event it writes stamped ``authenticated_as`` the account's login."""
    who = await _decide(request)
    if who is None:
        yield None
        return
    with authenticated(who.account.login):
        yield who


async def _csrf_given(request: Request) -> str | None:
    """The CSRF token a write carries: the ``X-CSRF-Token`` header, or a form's hidden field."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        given = (await request.form()).get(CSRF_FIELD)
    return given if isinstance(given, str) else None


async def _decide(request: Request) -> Caller | None:
    route = request.scope.get("route")
    actions = RULES.get(getattr(route, "name", ""))
    if actions is None:
        raise HTTPException(403, "this route has no authorization rule")
    if actions == PUBLIC:
        return None
    if actions == PRE_SESSION:
        if request.method not in SAFE_METHODS and not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""),
                                                               await _csrf_given(request), LOGIN_PURPOSE):
            raise HTTPException(403, "登录表单已过期或来自别处（缺少 CSRF 令牌）：请重新打开登录页再登录")
        return None
    account, cookie = authenticate(request)
    if account is None:
        raise HTTPException(401, "log in first (session expired, logged out, or account disabled)"
                            if cookie else "no credentials: log in or give Authorization: Bearer TOKEN")
    if cookie is not None and request.method not in SAFE_METHODS:
        if not csrf_ok(cookie, await _csrf_given(request)):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    if actions != ANYONE and not any(_holds(account, a) for a in actions):
        raise HTTPException(403, f"a {account.role} account may not do this")
    return Caller(account, actions, cookie)
