"""登录 and 退出: the login form (its token bound to a pre-session cookie), logging in and out, the start page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.access import COOKIE, LOGIN_COOKIE
from web.pages import Who, page_router, render
from web.sessions import LOGIN_PURPOSE, csrf_token, pre_session

router = page_router()


def _login_form(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    """The login form with its token, bound to the browser's pre-session cookie (set here if it has none)."""
    pre = pre_session(request.cookies.get(LOGIN_COOKIE))
    response = render(request, None, "login.html", status=status, csrf=csrf_token(pre, LOGIN_PURPOSE), **context)
    response.set_cookie(LOGIN_COOKIE, pre, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/app/login")
    return response


@router.get("/login", name="page_login")
async def login_page(request: Request) -> HTMLResponse:
    """登录."""
    return _login_form(request)


@router.post("/login", name="page_login_post")
async def login_post(request: Request, login: Annotated[str, Form(max_length=200)],
                     password: Annotated[str, Form(max_length=2048)]) -> Response:
    """Log in from the form (its CSRF token was checked by ``web.access``); a refusal is shown on the form
    (401, or 429 when throttled)."""
    from web.api_session import open_session, set_session_cookie

    try:
        _, cookie = open_session(request.app.state.service, login, password,
                                 request.client.host if request.client else "-")
    except HTTPException as e:
        message = "登录名或密码错误" if e.status_code == 401 else "登录失败次数过多，请 15 分钟后再试"
        return _login_form(request, status=e.status_code, error=message, login=login)
    response = RedirectResponse("/app", status_code=303)
    set_session_cookie(response, cookie, request)
    response.delete_cookie(LOGIN_COOKIE, path="/app/login")
    return response


@router.post("/logout", name="page_logout")
async def logout(request: Request, who: Who) -> Response:
    """退出: the session ends in the store."""
    if who.cookie:
        request.app.state.service.sessions.close(who.cookie)
    response = RedirectResponse("/app/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("", name="page_home")
async def home(who: Who) -> Response:
    """The start page: a unit's own page, else the ranking."""
    if who.account.role == "unit":
        return RedirectResponse(f"/app/unit/{who.account.unit}", status_code=303)
    return RedirectResponse("/app/ranking", status_code=303)
