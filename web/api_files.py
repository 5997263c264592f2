"""Files that come with a request or go out with a response: uploads, cited attachments, evidence downloads."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Response, UploadFile
from fastapi.responses import StreamingResponse

from ledger.domain.errors import RuleViolation
from web.api_bodies import AttachmentRef

#: The largest evidence file or import accepted (bytes).
MAX_UPLOAD = 20 * 1024 * 1024
#: An import may be larger: a year's work-order export.
MAX_IMPORT = 200 * 1024 * 1024
#: An evidence file's name in the store: its SHA-256 in lower-case hex.
SHA256 = re.compile(r"[0-9a-f]{64}")


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
            if not SHA256.fullmatch(sha) or not app.evidence.has(sha):
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


def evidence_file(app: Any, sha: str) -> Response:
    """A kept file as an attachment download, named by what the ledger recorded for it (streamed from the store)."""
    if not app.evidence.has(sha):
        raise HTTPException(404, "not found")
    from ledger.usecases.reads import evidence_name

    name = evidence_name(app, sha) or app.evidence.name_of(sha) or sha
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return StreamingResponse(app.evidence.open(sha), media_type="application/octet-stream",
                             headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"})


@contextmanager
def upload_folder() -> Iterator[str]:
    """A private folder for an uploaded file; refusals name the file as uploaded, never the folder."""
    from ledger.domain.errors import ImportRejected

    with tempfile.TemporaryDirectory(prefix="hl-import-") as folder:
        try:
            yield folder
        except ImportRejected as e:
            e.errors = [str(x).replace(folder + "/", "") for x in e.errors]
            raise
        except RuleViolation as e:
            raise RuleViolation(str(e).replace(folder + "/", "")) from None
