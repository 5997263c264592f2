"""The API's import routes: a work-order export or an events file, and a background import's status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile

from ledger.domain.defaults import default_zone
from web.api_files import MAX_IMPORT, saved_upload, upload_folder
from web.api_request import Who, ledger, moment

#: Included by ``web.api.router``, which puts every route behind the authorization layer (``web.access.caller``).
router = APIRouter()


@router.post("/imports/workorders", name="api_import_workorders")
async def import_workorders(request: Request, who: Who, file: UploadFile = File(...),  # noqa: B008
                            as_exported: datetime | None = None) -> dict[str, Any]:
    """``import workorders``: the platform's export (.csv or .xlsx); every bad row listed, nothing applied."""
    from ledger.usecases.imports.workorder_import import import_workorders as run

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
    from ledger.usecases.imports.events_file import import_events_file

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
