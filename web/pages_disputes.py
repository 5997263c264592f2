"""申诉 and 待处理: filing a dispute or a screening with uploaded evidence, and deciding the open ones."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any

from fastapi import File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ledger.domain.errors import LedgerError
from ledger.domain.policy import DISPUTE, READ_ALL, may
from ledger.usecases.reads import dispute_rows
from web.pages import Who, app_of, page_router, render, year_of

router = page_router()


def _disputes_view(request: Request, who: Who, status: int = 200, **extra: Any) -> HTMLResponse:
    app = app_of(request)
    rows = dispute_rows(app, who.narrow(None) if not may(who.account, READ_ALL) else None)
    try:  # the rates an order may be screened out of: the current year's ruleset's
        rates = [(r.code, r.name) for r in app.ruleset(year_of(None, request)).rates]
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

    app = app_of(request)
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
    return render(request, who, "queue.html", rows=dispute_rows(app_of(request), None, True))


@router.post("/disputes/{dispute_id}/decide", name="page_decide_post")
async def decide_post(request: Request, who: Who, dispute_id: str,
                      decision: Annotated[str, Form(max_length=10)], reason: Annotated[str, Form(max_length=2000)],
                      count: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Decide with a reason; a refusal is shown on the queue."""
    app = app_of(request)
    try:
        n = int(count) if count.strip() else None
        app.decide_dispute(dispute_id=dispute_id, decision=decision, count=n, reason=reason,
                           actor=who.account.login)
    except (LedgerError, ValueError) as e:
        return render(request, who, "queue.html", status=422, rows=dispute_rows(app, None, True),
                      error=str(e), failed=dispute_id)
    return render(request, who, "queue.html", rows=dispute_rows(app, None, True), notice=f"已处理 {dispute_id}")
