"""导入: upload a work-order export or a file of events; the import runs in the background (``web.import_jobs``)
and its page shows rows read and applied, then the counts or every bad row (file:row:column, nothing applied).
"""

from __future__ import annotations

import tempfile
from typing import Annotated

from fastapi import File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.pages import Who, app_of, page_router, render

router = page_router()


@router.get("/import", name="page_import")
async def import_page(request: Request, who: Who) -> HTMLResponse:
    """导入: upload a work-order export or a file of events."""
    return render(request, who, "import.html")


@router.post("/import", name="page_import_post")
async def import_post(request: Request, who: Who, kind: Annotated[str, Form(max_length=20)],
                      file: UploadFile = File(...)) -> Response:  # noqa: B008
    """Start the import in the background and answer with its status page at once (303)."""
    import shutil

    from web.api_files import MAX_IMPORT, safe_name, saved_upload

    if kind not in ("workorders", "events"):
        return render(request, who, "import.html", status=422, error="类型须为工单导出或扣分/评估记录")
    folder = tempfile.mkdtemp(prefix="hl-import-")  # the job removes it when it ends
    try:
        path = str(await saved_upload(file, folder, MAX_IMPORT))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    jobs = request.app.state.service.imports
    job = jobs.start(app_of(request), kind, path, folder, safe_name(file.filename, "upload"), who.account.login)
    return RedirectResponse(f"/app/import/{job}", status_code=303)


@router.get("/import/{job_id}", name="page_import_status")
async def import_status(request: Request, who: Who, job_id: str) -> HTMLResponse:
    """导入 progress: rows read and applied while it runs (the page polls, or the 刷新 link reloads it); then its
    counts, or every bad row as file:row:column with nothing applied (422)."""
    job = request.app.state.service.imports.status(job_id)
    if job is None:
        raise HTTPException(404, "no such import")
    status = 422 if job["state"] == "refused" else 200
    counts = job["counts"] if job["state"] == "done" else None
    return render(request, who, "import.html", status=status, job=job, counts=counts)
