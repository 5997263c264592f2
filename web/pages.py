"""The pages under ``/app``: server-rendered Jinja2 in Chinese, usable without JavaScript, no outside asset.

Every page route carries the same authorization dependency as the API (``web.access.caller``;
its rules are in ``web.access.RULES``) and calls the same use cases and documents (``ledger.reads``,
the Ledger application, ``web.api_recording.open_dispute``). Forms carry the session's CSRF token in a hidden
field; a refusal is shown in place, on the form that caused it, with nothing recorded. Templates
autoescape every value: stored text is never markup.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ledger.dates import NotADate, parse_day
from ledger.errors import LedgerError
from ledger.policy import (
    ACCOUNTS,
    DECIDE,
    DISPUTE,
    EVIDENCE,
    IMPORT,
    READ_ALL,
    READ_OWN_UNIT,
    READ_SCORES,
    RECORD,
    REPORTS,
    ROLES,
    VERIFY,
    may,
)
from ledger.reads import (
    dispute_rows,
    log_doc,
    ranking_doc,
    reading,
    report_doc,
    score_doc,
    scores_of,
    today,
    trace_of,
    unit_code,
    units_of_evidence,
)
from ledger.recording import recorded_as
from web.access import COOKIE, CSRF_FIELD, LOGIN_COOKIE, Caller, caller
from web.sessions import LOGIN_PURPOSE, csrf_token, pre_session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/app", dependencies=[Depends(caller)], include_in_schema=False)
Who = Annotated[Caller, Depends(caller)]

STATE_LABELS = {"effective": "有效", "retracted": "已撤销", "disputed": "申诉中", "accepted": "申诉成立",
                "rejected": "申诉驳回", "amended": "已改判", "superseded": "已被替代", "open": "待处理",
                "decided": "已处理"}
DECISION_LABELS = {"accept": "成立", "reject": "驳回", "amend": "改判", None: "—"}


def mount_pages(app: FastAPI) -> None:
    """Add the pages and their bundled stylesheet to the app."""
    from web.account_pages import router as accounts_router
    from web.import_pages import router as imports_router

    app.include_router(router)
    app.include_router(accounts_router)
    app.include_router(imports_router)
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


def _year(year: int | None, request: Request) -> int:
    return year or request.app.state.year or today().year


def _app(request: Request) -> Any:
    return request.app.state.service.app


# ── logging in and out ──────────────────────────────────────────────────────
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


# ── reading ─────────────────────────────────────────────────────────────────
@router.get("/ranking", name="page_ranking")
async def ranking(request: Request, who: Who, year: int | None = None) -> HTMLResponse:
    """排名: the ranking with sections, classes and the change since the end of last month."""
    app, y = _app(request), _year(year, request)
    doc = ranking_doc(app, y, min(today(), date(y, 12, 31)))
    openable = {u["unit"]: may(who.account, READ_SCORES) or may(who.account, READ_OWN_UNIT, u["unit"])
                for u in doc["units"]}
    sections = [(s["code"], s["name"]) for s in doc["units"][0]["sections"]] if doc["units"] else []
    return render(request, who, "ranking.html", doc=doc, openable=openable, sections=sections, year=y,
                  reports=may(who.account, REPORTS))


@router.get("/unit/{unit}", name="page_unit")
async def unit_page(request: Request, who: Who, unit: str, year: int | None = None) -> HTMLResponse:
    """单位: sections → items → the events behind them, with evidence, attachments, ids and dispute states."""
    app, y = _app(request), _year(year, request)
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
    app, y = _app(request), _year(year, request)
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
    app = _app(request)
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
    from projections.audit import audit

    return render(request, who, "verify.html", report=audit(_app(request)))


@router.get("/report.{fmt}", name="page_report")
async def report(request: Request, who: Who, fmt: str, year: int | None = None) -> Response:
    """The xlsx, html or csv report of the ranking, as a download."""
    from projections.documents import score_document
    from projections.reports.publish import render_report

    if fmt not in ("xlsx", "html", "csv"):
        raise HTTPException(404, "not found")
    y = _year(year, request)
    read = reading(_app(request), y, min(today(), date(y, 12, 31)))
    scores = read.scores()
    data = render_report(fmt, read, scores, report_doc(_app(request), read, score_document(read, scores)), None)
    kinds = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "html": "application/octet-stream", "csv": "text/csv; charset=utf-8"}
    return Response(data, media_type=kinds[fmt], headers={
        "Content-Disposition": f'attachment; filename="score-{y}.{fmt}"', "X-Content-Type-Options": "nosniff"})


@router.get("/evidence/{sha256}", name="page_evidence")
async def evidence(request: Request, who: Who, sha256: str) -> Response:
    """An attachment, as a download only (another unit's: 404)."""
    from web.api_files import SHA256, evidence_file

    app, sha = _app(request), sha256.lower()
    if not SHA256.fullmatch(sha) or (not who.everywhere and who.account.unit not in units_of_evidence(app, sha)):
        raise HTTPException(404, "not found")
    return evidence_file(app, sha)


# ── disputes ────────────────────────────────────────────────────────────────
def _disputes_view(request: Request, who: Who, status: int = 200, **extra: Any) -> HTMLResponse:
    app = _app(request)
    rows = dispute_rows(app, who.narrow(None) if not may(who.account, READ_ALL) else None)
    try:  # the rates an order may be screened out of: the current year's ruleset's
        rates = [(r.code, r.name) for r in app.ruleset(_year(None, request)).rates]
    except LedgerError:
        rates = []
    return render(request, who, "disputes.html", status=status, rows=list(reversed(rows)), rates=rates,
                  can_file=may(who.account, DISPUTE) or may(who.account, DISPUTE, who.account.unit),
                  target=request.query_params.get("target", ""), **extra)


@router.get("/disputes", name="page_disputes")
async def disputes(request: Request, who: Who) -> HTMLResponse:
    """申诉: file a dispute or a screening with uploaded evidence, and follow one's own."""
    return _disputes_view(request, who)


@router.post("/disputes", name="page_dispute_post")
async def dispute_post(request: Request, who: Who, reason: Annotated[str, Form(max_length=2000)],
                       evidence: Annotated[str, Form(max_length=2000)],
                       target: Annotated[str, Form(max_length=64)] = "",
                       workorder: Annotated[str, Form(max_length=100)] = "",
                       rate: Annotated[str, Form(max_length=20)] = "",
                       file: UploadFile | None = File(None)) -> Response:  # noqa: B008
    """File it; a refusal is shown on the form, with what was typed."""
    from web.api_bodies import AttachmentRef
    from web.api_files import MAX_UPLOAD, saved_upload
    from web.api_recording import open_dispute

    app = _app(request)
    typed = {"target": target, "workorder": workorder, "rate": rate, "reason": reason, "evidence": evidence}
    try:
        refs = []
        if file is not None and file.filename:
            with tempfile.TemporaryDirectory(prefix="hl-upload-") as folder:
                kept = app.evidence.keep(await saved_upload(file, folder, MAX_UPLOAD))
            refs.append(AttachmentRef(sha256=kept.sha256, name=kept.name))
        new = open_dispute(app, who, target.strip() or None, workorder.strip() or None, rate or None, reason,
                           evidence, refs)
    except LedgerError as e:
        return _disputes_view(request, who, status=409 if "already" in str(e) else 422, error=str(e), typed=typed)
    except HTTPException as e:
        if e.status_code != 404:
            raise
        return _disputes_view(request, who, status=404, error=f"没有可申诉的记录 {target or workorder}", typed=typed)
    return _disputes_view(request, who, notice=f"已提交申诉 {new}")


@router.get("/queue", name="page_queue")
async def queue(request: Request, who: Who) -> HTMLResponse:
    """待处理: the open disputes, oldest first, each with a decision form."""
    return render(request, who, "queue.html", rows=dispute_rows(_app(request), None, True))


@router.post("/disputes/{dispute_id}/decide", name="page_decide_post")
async def decide_post(request: Request, who: Who, dispute_id: str,
                      decision: Annotated[str, Form(max_length=10)], reason: Annotated[str, Form(max_length=2000)],
                      count: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Decide with a reason; a refusal is shown on the queue."""
    app = _app(request)
    try:
        n = int(count) if count.strip() else None
        app.decide_dispute(dispute_id=dispute_id, decision=decision, count=n, reason=reason,
                           actor=who.account.login)
    except (LedgerError, ValueError) as e:
        return render(request, who, "queue.html", status=422, rows=dispute_rows(app, None, True),
                      error=str(e), failed=dispute_id)
    return render(request, who, "queue.html", rows=dispute_rows(app, None, True), notice=f"已处理 {dispute_id}")


# ── recording and importing ─────────────────────────────────────────────────
def _record_view(request: Request, who: Who, status: int = 200, **extra: Any) -> HTMLResponse:
    y = _year(None, request)
    read = reading(_app(request), y)
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
        new = _app(request).record_occurrence(unit=unit, item=item, on=day, evidence=evidence, count=n, note=note,
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
        new = _app(request).assess(unit=unit, item=item, points=value, on=day, evidence=evidence, note=note,
                                   actor=who.account.login)
    except LedgerError as e:
        return _record_view(request, who, status=422, error=str(e), form="assess", typed=typed)
    return _record_view(request, who, notice=f"已录入评估 {new}")
