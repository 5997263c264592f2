"""The pages under ``/app``: server-rendered Jinja2 in Chinese, usable without JavaScript, no outside asset.

Every page route carries the same authorization dependency as the API (``web.access.caller``;
its rules are in ``web.access.RULES``) and calls the same use cases and documents (``ledger.usecases.reads``,
the Ledger application, ``web.api_recording.open_dispute``). Forms carry the session's CSRF token in a hidden
field; a refusal is shown in place, on the form that caused it, with nothing recorded. Templates
autoescape every value: stored text is never markup.

This module is the pages' frame (the layout, the menu, the error page, ``page_router``); the routes live
beside it by family (``pages_session``, ``pages_reading``, ``pages_disputes``, ``pages_recording``,
``account_pages``, ``import_pages``), each on a ``page_router()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ledger.domain.policy import ACCOUNTS, DECIDE, IMPORT, READ_ALL, READ_OWN_UNIT, RECORD, ROLES, VERIFY, may
from ledger.usecases.reads import today
from web.access import COOKIE, CSRF_FIELD, Caller, caller
from web.sessions import csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def page_router() -> APIRouter:
    """A router for pages under ``/app``: every route behind the authorization layer (``web.access.caller``)."""
    return APIRouter(prefix="/app", dependencies=[Depends(caller)], include_in_schema=False)


Who = Annotated[Caller, Depends(caller)]

STATE_LABELS = {"effective": "有效", "retracted": "已撤销", "disputed": "申诉中", "accepted": "申诉成立",
                "rejected": "申诉驳回", "amended": "已改判", "superseded": "已被替代", "open": "待处理",
                "decided": "已处理"}
DECISION_LABELS = {"accept": "成立", "reject": "驳回", "amend": "改判", None: "—"}


def mount_pages(app: FastAPI) -> None:
    """Add the pages and their bundled stylesheet to the app."""
    from web import account_pages, import_pages, pages_disputes, pages_reading, pages_recording, pages_session

    for family in (pages_session, pages_reading, pages_disputes, pages_recording, account_pages, import_pages):
        app.include_router(family.router)
    app.mount("/app/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/", include_in_schema=False, name="page_root")
    async def root() -> Response:
        return RedirectResponse("/app", status_code=303)


def _menu(who: Caller | None) -> list[tuple[str, str]]:
    """The navigation a role may use (only links to what it may open)."""
    if who is None:
        return []
    a = who.account
    own = a.unit if a.role == "unit" else None
    links = [("/app/ranking", "排名")]
    if own:
        links.append((f"/app/unit/{own}", "单位"))
    if may(a, READ_ALL) or (own and may(a, READ_OWN_UNIT, own)):
        links.append(("/app/disputes", "申诉"))
    if may(a, DECIDE):
        links.append(("/app/queue", "待处理"))
    if may(a, RECORD):
        links.append(("/app/record", "录入"))
    if may(a, IMPORT):
        links.append(("/app/import", "导入"))
    if may(a, READ_ALL) or (own and may(a, READ_OWN_UNIT, own)):
        links.append(("/app/log", "日志"))
    if may(a, VERIFY):
        links.append(("/app/verify", "核验"))
    if may(a, ACCOUNTS):
        links.append(("/app/accounts", "账号"))
    return links


def render(request: Request, who: Caller | None, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with the layout's menu, the account and its CSRF token."""
    cookie = who.cookie if who else request.cookies.get(COOKIE)
    return templates.TemplateResponse(request, template, {
        "who": who.account if who else None, "role_label": ROLES[who.account.role].label if who else "",
        "menu": _menu(who), "csrf": csrf_token(cookie) if cookie else "", "csrf_field": CSRF_FIELD,
        "states": STATE_LABELS, "decisions": DECISION_LABELS, **context}, status_code=status)


def error_page(request: Request, status: int, message: str, rows: list[Any]) -> HTMLResponse:
    """A refusal as a page (the message as the CLI says it)."""
    return templates.TemplateResponse(request, "error.html", {
        "who": None, "menu": [], "status": status, "message": message, "rows": rows, "csrf": ""},
        status_code=status)


def year_of(year: int | None, request: Request) -> int:
    """The year a page shows: as asked, else the one the service was started for, else this year."""
    return year or request.app.state.year or today().year


def app_of(request: Request) -> Any:
    """The Ledger application of this process."""
    return request.app.state.service.app

