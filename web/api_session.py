"""The API's session routes: log in (cookie and CSRF token), log out, and who is asking."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from ledger.usecases.accounts import NotAuthenticated
from web.access import COOKIE
from web.api_bodies import Login
from web.api_request import Who
from web.sessions import csrf_token

#: Included by ``web.api.router``, which puts every route behind the authorization layer (``web.access.caller``).
router = APIRouter()


@router.post("/session", name="api_login")
async def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
    """Log in: sets the HttpOnly, SameSite=Strict session cookie; returns the CSRF token for writes."""
    service = request.app.state.service
    account, cookie = open_session(service, body.login, body.password, request.client.host if request.client else "-")
    set_session_cookie(response, cookie, request)
    return {"csrf": csrf_token(cookie), "login": account.login, "role": account.role}


def open_session(service: Any, login: str, password: str, address: str) -> tuple[Any, str]:
    """Check throttling and the password, then open a session; 429 or 401 otherwise (pages use it too)."""
    keys = service.throttle.keys(login, address)
    if service.throttle.blocked(keys):
        raise HTTPException(429, "too many failed logins: wait 15 minutes and try again")
    try:
        account = service.app.authenticate_password(login, password)
    except NotAuthenticated as e:
        service.throttle.failed(keys)
        raise HTTPException(401, str(e)) from None
    service.throttle.succeeded(keys[0])
    return account, service.sessions.open(_account_id(account.login))


def _account_id(login: str) -> str:
    from ledger.aggregates import Account

    return Account.id_for(login).hex


def set_session_cookie(response: Response, cookie: str, request: Request) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure behind https."""
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")


@router.delete("/session", name="api_logout")
async def logout(request: Request, response: Response, who: Who) -> dict[str, Any]:
    """Log out: the session ends in the store (every process), the cookie is cleared."""
    if who.cookie:
        request.app.state.service.sessions.close(who.cookie)
    response.delete_cookie(COOKIE, path="/")
    return {"ok": True}


@router.get("/me", name="api_me")
async def me(who: Who) -> dict[str, Any]:
    """The account asking: login, name, role, unit."""
    a = who.account
    return {"login": a.login, "name": a.name, "role": a.role, "unit": a.unit}
