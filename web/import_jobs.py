"""Imports run as background jobs, so that a year's export does not hold the 导入 page (or the process) hostage.

The upload is saved, the job's status is written, and the page answers at once with a link to
the status; a worker thread runs the same use case as ``import workorders`` / ``import events``
on a Ledger application of its own (the service's is not shared between threads), telling the
status how many rows it has read and how many events the read model has taken in. A refused file
ends with every bad row (``file:row:column``) and nothing applied — the use case's own rule.

The status lives in the store's credentials table under the kind ``import`` (as sessions do), so
every ``serve`` process answers for every job: a refresh may reach another process. It holds counts
and messages, never a secret. A ``memory:`` store has no second application to run a job on: there
the import runs within the request and the job is finished when the page answers.
"""

from __future__ import annotations

import json
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger.domain.defaults import default_zone
from ledger.domain.errors import ImportRejected, LedgerError
from ledger.storage.credentials import Credentials
from ledger.storage.identity import authenticated
from ledger.storage.store import StoreLocation

JOB = "import"
#: The status is written back at most this often while a job runs (seconds): a row count, not a write per row.
WRITE_EVERY = 0.5
RUNNING, DONE, REFUSED, FAILED = "running", "done", "refused", "failed"


def _now() -> str:
    return datetime.now(default_zone()).isoformat(timespec="seconds")


def _valid_id(job_id: str) -> bool:
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)


@dataclass
class ImportJobs:
    """Start import jobs and read their status (the status kept in ``credentials``)."""

    credentials: Credentials
    location: StoreLocation
    clock: Callable[[], float] = field(default=time.monotonic)

    def status(self, job_id: str) -> dict[str, Any] | None:
        """The job's status (``state``, ``read``, ``applied``, ``total``, ``counts`` or ``error`` and ``rows``),
        or None for no such job."""
        if not _valid_id(job_id):
            return None
        row = self.credentials.get(JOB, job_id)
        return None if row is None else json.loads(row[1])

    def wait(self, job_id: str, timeout: float = 60.0) -> dict[str, Any] | None:
        """The job's status once it has ended (or as it is after ``timeout`` seconds): for scripts and tests."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if status is None or status["state"] != RUNNING or time.monotonic() > deadline:
                return status
            time.sleep(0.05)

    def _write(self, status: dict[str, Any], credentials: Credentials | None = None) -> None:
        """Keep the status (a worker writes through its own application's connection to the table)."""
        (credentials or self.credentials).put(JOB, status["id"], status["by"], json.dumps(status, ensure_ascii=False))

    def start(self, app: Any, kind: str, path: str, folder: str, name: str, login: str) -> str:
        """Start importing the file at ``path`` (kind ``workorders`` or ``events``) as ``login``; returns the job's
        id. ``folder`` (the upload's own) is removed when the job ends; ``name`` is the file as uploaded."""
        status = {"id": secrets.token_hex(16), "kind": kind, "file": name, "by": login, "state": RUNNING,
                  "read": 0, "applied": 0, "total": None, "counts": None, "error": None, "rows": [],
                  "started_at": _now(), "finished_at": None}
        self._write(status)
        if self.location.kind == "memory":
            self._run(app, status, path, folder, own_app=False)
        else:
            threading.Thread(target=self._run, args=(None, status, path, folder, True), daemon=True,
                             name=f"import-{status['id'][:8]}").start()
        return str(status["id"])

    def _run(self, app: Any, status: dict[str, Any], path: str, folder: str, own_app: bool) -> None:
        """Run the import and write how it ended; a failure that is not a refusal is a bug: said, then raised."""
        from ledger.usecases.application import Ledger

        last = [self.clock()]
        table = self.credentials

        def progress(done: int, total: int | None = None) -> None:
            # The readers tell rows read (one number); the read model's catch-up tells events applied of a total.
            if total is None:
                status["read"] = done
            else:
                status["applied"], status["total"] = done, total
            if self.clock() - last[0] >= WRITE_EVERY:
                last[0] = self.clock()
                self._write(status, table)

        try:
            if own_app:
                app = Ledger(self.location)
                table = app.credentials
            with authenticated(status["by"]):
                counts = _import(app, status["kind"], path, status["by"], progress)
            status.update(state=DONE, counts=counts, applied=counts.get("new", 0) + counts.get("changed", 0))
            status["read"] = max(status["read"], sum(counts.get(k, 0) for k in ("new", "changed", "unchanged")))
        except ImportRejected as e:
            status.update(state=REFUSED, error="未导入任何记录；请修正以下各行：",
                          rows=[str(x).replace(folder + "/", "") for x in e.errors])
        except LedgerError as e:
            status.update(state=REFUSED, error=str(e).replace(folder + "/", ""))
        except BaseException:
            status.update(state=FAILED, error="导入意外中止（服务的错误，已记入服务日志）")
            raise
        finally:
            status["finished_at"] = _now()
            self._write(status, table)
            shutil.rmtree(folder, ignore_errors=True)
            if own_app and app is not None:
                app.close()


def _import(app: Any, kind: str, path: str, login: str, progress: Callable[..., None]) -> dict[str, Any]:
    """The CLI's use case for ``kind``: its counts, or its refusal."""
    from ledger.usecases.imports.events_file import import_events_file
    from ledger.usecases.imports.workorder_import import import_workorders

    if kind == "events":
        counts = import_events_file(app, path, login, progress=progress)
        app.refresh()
        return counts
    return import_workorders(app, path, login, progress=progress)
