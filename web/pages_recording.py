"""录入: the record and assess forms offering the year's items; a refusal is shown in place, nothing recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from ledger.domain.dates import NotADate, parse_day
from ledger.domain.errors import LedgerError
from ledger.usecases.reads import reading
from ledger.usecases.recording import recorded_as
from web.pages import Who, app_of, page_router, render, year_of

router = page_router()


def _record_view(request: Request, who: Who, status: int = 200, **extra: Any) -> HTMLResponse:
    """录入 with the year's units and items (``typed``: what the refused form held)."""
    y = year_of(None, request)
    read = reading(app_of(request), y)
    items = read.ruleset.items
    return render(request, who, "record.html", status=status, year=y, units=read.ruleset.units,
                  occurrence_items=[i for i in items if recorded_as(i) == "occurrence"],
                  assessment_items=[i for i in items if recorded_as(i) == "assessment"], typed=extra.pop("typed", {}),
                  **extra)


@router.get("/record", name="page_record")
async def record_page(request: Request, who: Who) -> HTMLResponse:
    """录入: record and assess forms offering the year's items."""
    return _record_view(request, who)


class _Unreadable(ValueError):
    """A form field that does not read as what it must be; its message is shown on the form."""


def _day(on: str) -> date:
    try:
        return parse_day(on)
    except NotADate as e:
        raise _Unreadable(f"日期：{e}") from None


def _count(count: str) -> int:
    try:
        return int(count)
    except ValueError:
        raise _Unreadable("次数须为整数") from None


def _points(points: str) -> Decimal:
    try:
        value = Decimal(points)
        if not value.is_finite():
            raise InvalidOperation
    except (ValueError, InvalidOperation):
        raise _Unreadable("分值须为数字") from None
    return value


def _recorded(request: Request, who: Who, form: str, typed: dict[str, str], done: str,
              record: Callable[[], str]) -> HTMLResponse:
    """The form again: with ``done`` and the new id, or with the refusal in place (422) and what was typed."""
    try:
        new = record()
    except (_Unreadable, LedgerError) as e:
        return _record_view(request, who, status=422, error=str(e), form=form, typed=typed)
    return _record_view(request, who, notice=f"{done} {new}")


@router.post("/record", name="page_record_post")
async def record_post(request: Request, who: Who, unit: Annotated[str, Form(max_length=100)],
                      item: Annotated[str, Form(max_length=50)], on: Annotated[str, Form(max_length=20)],
                      evidence: Annotated[str, Form(max_length=2000)], count: Annotated[str, Form(max_length=12)] = "1",
                      note: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    """Record an occurrence; errors in place."""
    typed = {"unit": unit, "item": item, "on": on, "evidence": evidence, "count": count, "note": note}
    return _recorded(request, who, "record", typed, "已录入", lambda: app_of(request).record_occurrence(
        unit=unit, item=item, on=_day(on), count=_count(count), evidence=evidence, note=note,
        actor=who.account.login))


@router.post("/assess", name="page_assess_post")
async def assess_post(request: Request, who: Who, unit: Annotated[str, Form(max_length=100)],
                      item: Annotated[str, Form(max_length=50)], on: Annotated[str, Form(max_length=20)],
                      points: Annotated[str, Form(max_length=20)], evidence: Annotated[str, Form(max_length=2000)],
                      note: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    """Record an assessment; errors in place."""
    typed = {"unit": unit, "item": item, "on": on, "evidence": evidence, "points": points, "note": note}
    return _recorded(request, who, "assess", typed, "已录入评估", lambda: app_of(request).assess(
        unit=unit, item=item, on=_day(on), points=_points(points), evidence=evidence, note=note,
        actor=who.account.login))
