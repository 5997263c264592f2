"""The API's evidence routes: keep an uploaded attachment, download a kept one."""

from __future__ import annotations

import tempfile
from typing import Any

from fastapi import APIRouter, File, HTTPException, Request, Response, UploadFile

from ledger.usecases.reads import units_of_evidence
from web.api_files import MAX_UPLOAD, SHA256, evidence_file, saved_upload
from web.api_request import Who, ledger

#: Included by ``web.api.router``, which puts every route behind the authorization layer (``web.access.caller``).
router = APIRouter()


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
    if not SHA256.fullmatch(sha):
        raise HTTPException(404, "not found")
    if not who.everywhere and who.account.unit not in units_of_evidence(app, sha):
        raise HTTPException(404, "not found")
    return evidence_file(app, sha)
