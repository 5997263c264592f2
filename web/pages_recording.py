"""录入: the record and assess forms offering the year's items; a refusal is shown in place, nothing recorded."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from ledger.dates import NotADate, parse_day
from ledger.errors import LedgerError
from ledger.reads import reading
from ledger.recording import recorded_as
from web.pages import Who, app_of, page_router, render, year_of

router = page_router()


def _record_view(request: Request, who: Who, status: int = 200, **extra: Any) -> HTMLResponse:
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


@router.post("/record", name="page_record_post")
async def record_post(request: Request, who: Who, unit: Annotated[str, Form(max_length=100)],
                      item: Annotated[str, Form(max_length=50)], on: Annotated[str, Form(max_length=20)],
                      evidence: Annotated[str, Form(max_length=2000)], count: Annotated[str, Form(max_length=12)] = "1",
                      note: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    """Record an occurrence; errors in place."""
    typed = {"unit": unit, "item": item, "on": on, "evidence": evidence, "count": count, "note": note}
    try:
        day = parse_day(on)
    except NotADate as e:
        return _record_view(request, who, status=422, error=f"日期：{e}", form="record", typed=typed)
    try:
        n = int(count)
    except ValueError:
        return _record_view(request, who, status=422, error="次数须为整数", form="record", typed=typed)
    try:
        new = app_of(request).record_occurrence(unit=unit, item=item, on=day, evidence=evidence, count=n, note=note,
                                              actor=who.account.login)
    except LedgerError as e:
        return _record_view(request, who, status=422, error=str(e), form="record", typed=typed)
    return _record_view(request, who, notice=f"已录入 {new}")


@router.post("/assess", name="page_assess_post")
async def assess_post(request: Request, who: Who, unit: Annotated[str, Form(max_length=100)],
                      item: Annotated[str, Form(max_length=50)], on: Annotated[str, Form(max_length=20)],
                      points: Annotated[str, Form(max_length=20)], evidence: Annotated[str, Form(max_length=2000)],
                      note: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    """Record an assessment; errors in place."""
    typed = {"unit": unit, "item": item, "on": on, "evidence": evidence, "points": points, "note": note}
    try:
        day = parse_day(on)
    except NotADate as e:
        return _record_view(request, who, status=422, error=f"日期：{e}", form="assess", typed=typed)
    try:
        value = Decimal(points)
        if not value.is_finite():
            raise InvalidOperation
    except (ValueError, InvalidOperation):
        return _record_view(request, who, status=422, error="分值须为数字", form="assess", typed=typed)
    try:
        new = app_of(request).assess(unit=unit, item=item, points=value, on=day, evidence=evidence, note=note,
                                   actor=who.account.login)
    except LedgerError as e:
        return _record_view(request, who, status=422, error=str(e), form="assess", typed=typed)
    return _record_view(request, who, notice=f"已录入评估 {new}")
