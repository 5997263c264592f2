"""The reading pages: 排名, 单位, 明细, 日志, 核验, the report downloads and evidence downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ledger.domain.dates import NotADate, parse_day
from ledger.domain.policy import DISPUTE, EVIDENCE, READ_OWN_UNIT, READ_SCORES, REPORTS, may
from ledger.usecases.reads import (
    log_doc,
    ranking_doc,
    reading,
    score_doc,
    scores_of,
    today,
    trace_of,
    unit_code,
    units_of_evidence,
)
from web.pages import Who, app_of, page_router, render, year_of

router = page_router()


@router.get("/ranking", name="page_ranking")
async def ranking(request: Request, who: Who, year: int | None = None) -> HTMLResponse:
    """排名: the ranking with sections, classes and the change since the end of last month."""
    app, y = app_of(request), year_of(year, request)
    doc = ranking_doc(app, y, min(today(), date(y, 12, 31)))
    openable = {u["unit"]: may(who.account, READ_SCORES) or may(who.account, READ_OWN_UNIT, u["unit"])
                for u in doc["units"]}
    sections = [(s["code"], s["name"]) for s in doc["units"][0]["sections"]] if doc["units"] else []
    return render(request, who, "ranking.html", doc=doc, openable=openable, sections=sections, year=y,
                  reports=may(who.account, REPORTS))


@router.get("/unit/{unit}", name="page_unit")
async def unit_page(request: Request, who: Who, unit: str, year: int | None = None) -> HTMLResponse:
    """单位: sections → items → the events behind them, with evidence, attachments, ids and dispute states."""
    app, y = app_of(request), year_of(year, request)
    code = unit_code(app, unit)
    who.see(code)
    read = reading(app, y, min(today(), date(y, 12, 31)))
    trace = trace_of(read, code, scores=scores_of(app, read))
    sections = []
    for s in score_doc(app, y, code, as_of=read.as_of)["units"][0]["sections"]:
        items = [i for i in trace["items"] if i["section"] == s["code"]]
        sections.append({**s, "trace": items})
    can_dispute = may(who.account, DISPUTE, code)
    return render(request, who, "unit.html", trace=trace, sections=sections, year=y, can_dispute=can_dispute,
                  refusals=_dispute_refusals(app, trace, can_dispute), can_evidence=may(who.account, EVIDENCE, code))


@router.get("/unit/{unit}/item/{item}", name="page_item")
async def item_page(request: Request, who: Who, unit: str, item: str, year: int | None = None) -> HTMLResponse:
    """明细: one item's trace — the rule, the arithmetic, the orders behind a rate."""
    app, y = app_of(request), year_of(year, request)
    code = unit_code(app, unit)
    who.see(code)
    read = reading(app, y, min(today(), date(y, 12, 31)))
    trace = trace_of(read, code, item, scores_of(app, read))
    can_dispute = may(who.account, DISPUTE, code)
    return render(request, who, "item.html", trace=trace, year=y, can_dispute=can_dispute,
                  refusals=_dispute_refusals(app, trace, can_dispute), can_evidence=may(who.account, EVIDENCE, code))


def _dispute_refusals(app: Any, trace: dict[str, Any], can_dispute: bool) -> dict[str, str | None]:
    """Each occurrence on the page → why the dispute use case would refuse one today (None: it would take one).

    The page offers 申诉 only where the use case says yes: it asks, it does not re-decide."""
    if not can_dispute:
        return {}
    ids = [e["id"] for i in trace["items"] for e in i.get("events", []) if e.get("type") == "occurrence"]
    return app.dispute_refusals(ids)


@router.get("/log", name="page_log")
async def log_page(request: Request, who: Who, unit: str | None = None, item: str | None = None,
                   since: Annotated[str | None, Query(max_length=40)] = None) -> HTMLResponse:
    """日志: the log, filtered by unit, item and date (a date that is not one: said on the page, nothing listed)."""
    app = app_of(request)
    unit = unit or None
    try:
        day = parse_day(since) if since else None
    except NotADate as e:
        return render(request, who, "log.html", status=422, error=f"日期：{e}", entries=[], total=0,
                      unit=unit or "", item=item or "", since=since or "")
    entries = log_doc(app, who.narrow(unit_code(app, unit)), item or None, day)
    return render(request, who, "log.html", entries=entries[-500:], total=len(entries), unit=unit or "",
                  item=item or "", since=since or "")


@router.get("/verify", name="page_verify")
async def verify_page(request: Request, who: Who) -> HTMLResponse:
    """核验: the chain, the seals, the head to publish."""
    from ledger.storage.audit import audit

    return render(request, who, "verify.html", report=audit(app_of(request)))


@router.get("/report.{fmt}", name="page_report")
async def report(request: Request, who: Who, fmt: str, year: int | None = None) -> Response:
    """The xlsx, html or csv report of the ranking, as a download."""
    from ledger.usecases.reads import score_report

    if fmt not in ("xlsx", "html", "csv"):
        raise HTTPException(404, "not found")
    y = year_of(year, request)
    read = reading(app_of(request), y, min(today(), date(y, 12, 31)))
    data = score_report(app_of(request), read, fmt=fmt)
    kinds = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "html": "application/octet-stream", "csv": "text/csv; charset=utf-8"}
    return Response(data, media_type=kinds[fmt], headers={
        "Content-Disposition": f'attachment; filename="score-{y}.{fmt}"', "X-Content-Type-Options": "nosniff"})


@router.get("/evidence/{sha256}", name="page_evidence")
async def evidence(request: Request, who: Who, sha256: str) -> Response:
    """An attachment, as a download only (another unit's: 404)."""
    from web.api_files import SHA256, evidence_file

    app, sha = app_of(request), sha256.lower()
    if not SHA256.fullmatch(sha) or (not who.everywhere and who.account.unit not in units_of_evidence(app, sha)):
        raise HTTPException(404, "not found")
    return evidence_file(app, sha)
