"""The API's recording routes: occurrences, assessments, retractions, disputes and their decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request

from ledger.domain.errors import RuleViolation
from ledger.usecases.reads import unit_of_record, unit_of_workorder
from web.access import Caller
from web.api_bodies import AssessmentIn, AttachmentRef, DecisionIn, DisputeIn, OccurrenceIn, RetractionIn
from web.api_files import attachment_files
from web.api_request import Who, ledger

#: Included by ``web.api.router``, which puts every route behind the authorization layer (``web.access.caller``).
router = APIRouter()


@router.post("/occurrences", name="api_record", status_code=201)
async def record(body: OccurrenceIn, request: Request, who: Who) -> dict[str, Any]:
    """``record``: an occurrence, recorded by the account."""
    app = ledger(request)
    with attachment_files(app, body.attachments) as files:
        new = app.record_occurrence(unit=body.unit, item=body.item, on=body.date, evidence=body.evidence,
                                    count=body.count, note=body.note, attachments=files, actor=who.account.login)
    return {"id": new}


@router.post("/assessments", name="api_assess", status_code=201)
async def assess(body: AssessmentIn, request: Request, who: Who) -> dict[str, Any]:
    """``assess``: an assessment, recorded by the account."""
    new = ledger(request).assess(unit=body.unit, item=body.item, points=body.points, on=body.date,
                                 evidence=body.evidence, note=body.note, actor=who.account.login)
    return {"id": new}


@router.post("/retractions", name="api_retract", status_code=201)
async def retract(body: RetractionIn, request: Request, who: Who) -> dict[str, Any]:
    """``retract``: withdraw an occurrence."""
    return {"id": ledger(request).retract(body.id, body.reason, who.account.login)}


@router.post("/disputes", name="api_dispute_open", status_code=201)
async def dispute_open(body: DisputeIn, request: Request, who: Who) -> dict[str, Any]:
    """``dispute open``: an occurrence (``target``) or a work order's screening (``workorder`` and ``rate``)."""
    app = ledger(request)
    return {"id": open_dispute(app, who, body.target, body.workorder, body.rate, body.reason, body.evidence,
                               body.attachments)}


def open_dispute(app: Any, who: Caller, target: str | None, workorder: str | None, rate: str | None, reason: str,
                 evidence: str, attachments: Sequence[str | AttachmentRef]) -> str:
    """Open a dispute as ``who`` (another unit's record: 404); shared by the API and the 申诉 page."""
    if (target is None) == (workorder is None):
        raise RuleViolation("give either target (an occurrence id) or workorder with rate")
    if workorder is not None:
        if rate is None:
            raise RuleViolation("workorder needs rate: a rate code of the year's ruleset")
        who.see(unit_of_workorder(app, workorder))
    else:
        who.see(unit_of_record(app, target or "", "occurrences"))
    with attachment_files(app, attachments) as files:
        if workorder is not None:
            return app.open_screening(order_id=workorder.strip(), rate=rate, reason=reason, evidence=evidence,
                                      attachments=files, actor=who.account.login)
        return app.open_dispute(event_id=target, reason=reason, evidence=evidence, attachments=files,
                                actor=who.account.login)


@router.post("/disputes/{dispute_id}/decision", name="api_dispute_decide", status_code=201)
async def dispute_decide(dispute_id: str, body: DecisionIn, request: Request, who: Who) -> dict[str, Any]:
    """``dispute decide``: accept, reject or amend (409 when decided already)."""
    new = ledger(request).decide_dispute(dispute_id=dispute_id, decision=body.decision, count=body.count,
                                         reason=body.reason, actor=who.account.login)
    return {"id": new, "decision": body.decision}
