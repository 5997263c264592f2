"""The JSON API under ``/api/v1`` (CLI.md, "Accounts, the web service and its API").

Each route parses, lets the authorization layer (``web.access``) decide, calls the same use case
or document builder as the CLI, and answers with the same JSON document. ``recorded_by`` is the
authenticated account's login: no request body may name it (unknown fields are refused).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ledger.accounts import NotAuthenticated
from ledger.dates import parse_day
from ledger.defaults import default_zone
from ledger.errors import RuleViolation
from ledger.policy import READ_SCORES
from ledger.reads import (
    dispute_rows,
    log_doc,
    score_doc,
    trace_doc,
    unit_code,
    unit_of_record,
    unit_of_workorder,
    units_of_evidence,
)
from web.access import COOKIE, Caller, caller
from web.sessions import csrf_token

router = APIRouter(prefix="/api/v1", dependencies=[Depends(caller)])
Who = Annotated[Caller, Depends(caller)]

#: The largest evidence file or import accepted (bytes).
MAX_UPLOAD = 20 * 1024 * 1024
#: An import may be larger: a year's work-order export.
MAX_IMPORT = 200 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")


#: A date as CLI.md writes it, ``YYYY-MM-DD`` only, read by the CLI's parser (``ledger.dates``): not pydantic's
#: wider idea of a date (a Unix timestamp, ``20250304``); a refusal is a 422 with the CLI's message.
Day = Annotated[date, BeforeValidator(parse_day)]


def ledger(request: Request) -> Any:
    """The Ledger application of this process."""
    return request.app.state.service.app


def moment(value: datetime | None) -> datetime | None:
    """A ``known_at`` without an offset is read in the ledger's time zone."""
    return value.replace(tzinfo=default_zone()) if value is not None and value.tzinfo is None else value


class Body(BaseModel):
    """A request body: unknown fields (``recorded_by`` among them) are refused."""

    model_config = ConfigDict(extra="forbid")


class Login(Body):
    login: str = Field(max_length=200)
    password: str = Field(max_length=2048)


class AttachmentRef(Body):
    sha256: str
    name: str | None = Field(default=None, max_length=200)


Attachments = list[str | AttachmentRef]


class OccurrenceIn(Body):
    unit: str = Field(max_length=100)
    item: str = Field(max_length=50)
    date: Day
    count: int = Field(default=1, ge=-(2**31), le=2**31)
    evidence: str = Field(max_length=2000)
    note: str = Field(default="", max_length=2000)
    attachments: Attachments = Field(default_factory=list, max_length=20)


class AssessmentIn(Body):
    unit: str = Field(max_length=100)
    item: str = Field(max_length=50)
    points: Decimal = Field(allow_inf_nan=False, max_digits=12)
    date: Day
    evidence: str = Field(max_length=2000)
    note: str = Field(default="", max_length=2000)


class RetractionIn(Body):
    id: str = Field(max_length=64)
    reason: str = Field(max_length=2000)


class DisputeIn(Body):
    target: str | None = Field(default=None, max_length=64)
    workorder: str | None = Field(default=None, max_length=100)
    rate: str | None = Field(default=None, max_length=64)  # a rate code of the year's ruleset
    reason: str = Field(max_length=2000)
    evidence: str = Field(max_length=2000)
    attachments: Attachments = Field(default_factory=list, max_length=20)


class DecisionIn(Body):
    decision: Literal["accept", "reject", "amend"]
    count: int | None = Field(default=None, ge=0, le=2**31)
    reason: str = Field(max_length=2000)


def safe_name(name: str | None, default: str) -> str:
    """A file's base name without any path, control character or leading dot (for the evidence record)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")[:120]
    return base or default


@contextmanager
def attachment_files(app: Any, refs: Sequence[str | AttachmentRef]) -> Iterator[list[str]]:
    """Uploaded evidence (by SHA-256) as files under their names, for the use cases that copy them in."""
    with tempfile.TemporaryDirectory(prefix="hl-attach-") as folder:
        paths = []
        for n, ref in enumerate(refs):
            sha, name = (ref, None) if isinstance(ref, str) else (ref.sha256, ref.name)
            sha = sha.strip().lower()
            if not _SHA.fullmatch(sha) or not app.evidence.has(sha):
                raise RuleViolation(f"no uploaded evidence file {sha!r}: upload it first (POST /api/v1/evidence)")
            target = Path(folder) / str(n)
            target.mkdir()
            path = target / safe_name(name, sha[:12])
            with open(path, "wb") as out:  # streamed from the store (files or rows), never whole in memory
                for block in app.evidence.open(sha):
                    out.write(block)
            paths.append(str(path))
        yield paths


async def saved_upload(upload: UploadFile, folder: str, limit: int) -> Path:
    """The uploaded file written under its own base name in ``folder``; over ``limit`` bytes: 413."""
    path = Path(folder) / safe_name(upload.filename, "upload")
    size = 0
    with open(path, "wb") as out:
        while block := await upload.read(1 << 20):
            size += len(block)
            if size > limit:
                raise HTTPException(413, f"the file is larger than {limit // (1024 * 1024)} MiB")
            out.write(block)
    return path


# ── session ──────────────────────────────────────────────────────────────────
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


# ── reading ──────────────────────────────────────────────────────────────────
Year = Annotated[int, Query(ge=2000, le=2100)]


@router.get("/score", name="api_score")
async def score(request: Request, who: Who, year: Year, unit: str | None = None, as_of: Day | None = None,
                known_at: datetime | None = None) -> dict[str, Any]:
    """``score --format json``: the ranking (every unit's totals and sections), or one unit.

    A role that reads only the ranking (a unit's liaison) gets another unit's items without the ids
    of the events behind them: those are that unit's records.
    """
    doc = score_doc(ledger(request), year, unit, as_of, moment(known_at))
    if who.sees(READ_SCORES):
        return doc
    # The document is shared by every reader of this state: the narrowed one is a copy.
    return {**doc, "units": [entry if entry["unit"] == who.account.unit else _without_events(entry)
                             for entry in doc["units"]]}


def _without_events(entry: dict[str, Any]) -> dict[str, Any]:
    """A unit's score entry without the ids of the events behind its items."""
    return {**entry, "sections": [{**section, "items": [{k: v for k, v in item.items() if k != "events"}
                                                        for item in section["items"]]}
                                  for section in entry["sections"]]}


@router.get("/trace", name="api_trace")
async def trace(request: Request, who: Who, year: Year, unit: str, item: str | None = None,
                as_of: Day | None = None, known_at: datetime | None = None) -> dict[str, Any]:
    """``trace --format json``: one unit's items with the events behind them (a unit account: its own)."""
    app = ledger(request)
    who.see(unit_code(app, unit))
    return trace_doc(app, year, unit, item, as_of, moment(known_at))


@router.get("/log", name="api_log")
async def log(request: Request, who: Who, unit: str | None = None, item: str | None = None,
              since: Day | None = None) -> list[dict[str, Any]]:
    """``log --format json`` (a unit account: its own unit's events only)."""
    app = ledger(request)
    return log_doc(app, who.narrow(unit_code(app, unit)), item, since)


@router.get("/disputes", name="api_disputes")
async def disputes(request: Request, who: Who, unit: str | None = None, open: bool = False) -> list[dict[str, Any]]:  # noqa: A002
    """``dispute list --format json`` (a unit account: its own unit's)."""
    app = ledger(request)
    return dispute_rows(app, who.narrow(unit_code(app, unit)), open)


# ── recording ────────────────────────────────────────────────────────────────
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


# ── evidence ─────────────────────────────────────────────────────────────────
@router.post("/evidence", name="api_evidence_upload", status_code=201)
async def evidence_upload(request: Request, who: Who, file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
    """Keep an attachment in the evidence store (at most 20 MiB); cite it by ``sha256`` when recording."""
    app = ledger(request)
    with tempfile.TemporaryDirectory(prefix="hl-upload-") as folder:
        path = await saved_upload(file, folder, MAX_UPLOAD)
        kept = app.evidence.keep(path)  # stored now: the citing request may reach another process
    return {"sha256": kept.sha256, "size": kept.size, "name": kept.name}


@router.get("/evidence/{sha256}", name="api_evidence")
async def evidence(sha256: str, request: Request, who: Who) -> Response:
    """The file, as a download only (another unit's evidence: 404)."""
    app = ledger(request)
    sha = sha256.lower()
    if not _SHA.fullmatch(sha):
        raise HTTPException(404, "not found")
    if not who.everywhere and who.account.unit not in units_of_evidence(app, sha):
        raise HTTPException(404, "not found")
    return evidence_file(app, sha)


def evidence_file(app: Any, sha: str) -> Response:
    """A kept file as an attachment download, named by what the ledger recorded for it (streamed from the store)."""
    if not app.evidence.has(sha):
        raise HTTPException(404, "not found")
    name = _recorded_name(app, sha) or app.evidence.name_of(sha) or sha
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return StreamingResponse(app.evidence.open(sha), media_type="application/octet-stream",
                             headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"})


def _recorded_name(app: Any, sha: str) -> str | None:
    import json

    db = app.refresh().db
    for table in ("occurrences", "disputes"):
        row = db.execute(f"SELECT attachments FROM {table} WHERE attachments LIKE ? LIMIT 1",
                         (f'%"{sha}"%',)).fetchone()
        if row:
            for a in json.loads(row[0] or "[]"):
                if a.get("sha256") == sha:
                    return str(a.get("name") or sha)
    return None


# ── imports and verification ─────────────────────────────────────────────────
@contextmanager
def upload_folder() -> Iterator[str]:
    """A private folder for an uploaded file; refusals name the file as uploaded, never the folder."""
    from ledger.errors import ImportRejected

    with tempfile.TemporaryDirectory(prefix="hl-import-") as folder:
        try:
            yield folder
        except ImportRejected as e:
            e.errors = [str(x).replace(folder + "/", "") for x in e.errors]
            raise
        except RuleViolation as e:
            raise RuleViolation(str(e).replace(folder + "/", "")) from None


@router.post("/imports/workorders", name="api_import_workorders")
async def import_workorders(request: Request, who: Who, file: UploadFile = File(...),  # noqa: B008
                            as_exported: datetime | None = None) -> dict[str, Any]:
    """``import workorders``: the platform's export (.csv or .xlsx); every bad row listed, nothing applied."""
    from ledger.imports.workorder_import import import_workorders as run

    app = ledger(request)
    exported = moment(as_exported)
    with upload_folder() as folder:
        path = await saved_upload(file, folder, MAX_IMPORT)
        return run(app, str(path), who.account.login,
                   exported_at=exported.astimezone(default_zone()).strftime("%Y-%m-%dT%H:%M:%S") if exported else None)


@router.post("/imports/events", name="api_import_events")
async def import_events(request: Request, who: Who, file: UploadFile = File(...),  # noqa: B008
                        again: bool = False) -> dict[str, Any]:
    """``import events``: occurrences and assessments from a CSV/XLSX; every bad row listed, nothing applied."""
    from ledger.imports.events_file import import_events_file

    app = ledger(request)
    with upload_folder() as folder:
        path = await saved_upload(file, folder, MAX_IMPORT)
        counts = import_events_file(app, str(path), who.account.login, again=again)
    app.refresh()
    return counts


@router.get("/imports/{job_id}", name="api_import_status")
async def import_status(job_id: str, request: Request) -> dict[str, Any]:
    """A background import started on the 导入 page: ``state`` (running, done, refused, failed), rows ``read``,
    events ``applied`` of ``total``, then its ``counts``, or ``error`` and every bad row in ``rows``."""
    job = request.app.state.service.imports.status(job_id)
    if job is None:
        raise HTTPException(404, "not found")
    return job


@router.get("/verify", name="api_verify")
async def verify(request: Request) -> dict[str, Any]:
    """``verify``: the chain, the seals, the read model against a replay, the evidence."""
    from projections.audit import audit

    return audit(ledger(request))
