"""账号: an admin opens accounts (a generated password shown once), changes roles, disables and enables them.

The forms call the same use cases as the ``users`` commands (``ledger/usecases/accounts.py``); who may post
them is ``web.access.RULES`` (the ``accounts`` action: admins), and every form carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from ledger.domain.errors import LedgerError
from ledger.domain.policy import ROLES
from ledger.usecases.reads import reading, today
from web.pages import Who, app_of, page_router, render

router = page_router()


def _accounts_view(request: Request, who: Who, status: int = 200, **extra: Any) -> HTMLResponse:
    """账号 with its forms; the units offered are those of this year's ruleset (what a unit account may name)."""
    app = app_of(request)
    try:
        units = reading(app, today().year).ruleset.units
    except LedgerError:  # no ruleset adopted this year: no unit account can be opened (the use case says so)
        units = []
    return render(request, who, "accounts.html", status=status, rows=app.accounts(), units=units,
                  roles=[(name, role.label) for name, role in ROLES.items()], typed=extra.pop("typed", {}), **extra)


def _account_refused(request: Request, who: Who, error: LedgerError, **extra: Any) -> HTMLResponse:
    from web.app_refusals import status_of

    return _accounts_view(request, who, status=status_of(error), error=str(error), **extra)


@router.get("/accounts", name="page_accounts")
async def accounts_page(request: Request, who: Who) -> HTMLResponse:
    """账号: every account, its role and state, and who last changed it (the replay of the account events)."""
    return _accounts_view(request, who)


@router.post("/accounts", name="page_account_add")
async def account_add(request: Request, who: Who, login: Annotated[str, Form(max_length=200)],
                      role: Annotated[str, Form(max_length=20)], unit: Annotated[str, Form(max_length=100)] = "",
                      name: Annotated[str, Form(max_length=200)] = "") -> HTMLResponse:
    """Open an account (as ``users add``) with a generated password, shown on this answer only."""
    from ledger.usecases.accounts import generated_password

    typed = {"login": login, "role": role, "unit": unit, "name": name}
    password = generated_password()
    try:
        account = app_of(request).add_account(login=login, role=role, unit=unit.strip() or None, name=name,
                                            password=password, actor=who.account.login)
    except LedgerError as e:
        return _account_refused(request, who, e, form="add", typed=typed)
    return _accounts_view(request, who, notice=f"已开设账号 {account.login}", opened=account.login,
                          password=password)


@router.post("/accounts/{login}/role", name="page_account_role")
async def account_role(request: Request, who: Who, login: str, role: Annotated[str, Form(max_length=20)],
                       unit: Annotated[str, Form(max_length=100)] = "") -> HTMLResponse:
    """Give the account another role (as ``users role``)."""
    try:
        account = app_of(request).change_role(login, role, who.account.login, unit.strip() or None)
    except LedgerError as e:
        return _account_refused(request, who, e, failed=login)
    return _accounts_view(request, who, notice=f"账号 {account.login} 的角色已改为 {ROLES[account.role].label}")


@router.post("/accounts/{login}/state", name="page_account_state")
async def account_state(request: Request, who: Who, login: str,
                        enabled: Annotated[str, Form(max_length=5)]) -> HTMLResponse:
    """Disable (``users disable``: refused from its next request on) or enable the account."""
    app = app_of(request)
    try:
        if enabled == "yes":
            account = app.enable_account(login, who.account.login)
        elif enabled == "no":
            account = app.disable_account(login, who.account.login)
        else:
            raise HTTPException(422, "enabled: yes or no")
    except LedgerError as e:
        return _account_refused(request, who, e, failed=login)
    return _accounts_view(request, who, notice=f"账号 {account.login} 已{'启用' if account.enabled else '停用'}")
