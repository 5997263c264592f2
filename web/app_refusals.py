"""How the service answers a refusal: one message, as JSON for the API or as a page, never a traceback.

Domain refusals (``LedgerError``) take their status from ``status_of`` (CLI.md's status codes); a store that
cannot be read safely is a 503; HTTP errors and invalid requests keep their status (a page's 401 sends the
browser to the login form).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import MapperDeserialisationError, PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.domain.errors import (
    Conflict,
    ImportRejected,
    LedgerError,
    NoRuleset,
    NotFound,
    NotPermitted,
    StoreUnavailable,
    UnknownItem,
    UnknownUnit,
)
from ledger.storage.chain import ChainBrokenError
from ledger.usecases.accounts import NotAuthenticated


def status_of(error: LedgerError) -> int:
    """The HTTP status of a domain refusal (CLI.md's status codes)."""
    if isinstance(error, NotAuthenticated):
        return 401
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, NotFound | UnknownUnit | UnknownItem | NoRuleset):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, StoreUnavailable):
        return 503
    return 422


def _wants_page(request: Request) -> bool:
    """Whether the refusal is answered as a page (anything outside the API)."""
    return not request.url.path.startswith("/api/")


def answer_refusals(app: FastAPI) -> None:
    """Register the refusal handlers on ``app``."""
    app.add_exception_handler(LedgerError, refused)
    app.add_exception_handler(ChainBrokenError, unavailable)
    app.add_exception_handler(PersistenceError, unavailable)
    app.add_exception_handler(StarletteHTTPException, http_refused)
    app.add_exception_handler(RequestValidationError, invalid)


async def refused(request: Request, error: LedgerError) -> Response:
    """A domain refusal: its message (and, for an import, every bad row) with its status."""
    status = status_of(error)
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, ImportRejected):
        body = {"error": "nothing was imported; fix these rows", "rows": [str(e) for e in error.errors]}
    if _wants_page(request):
        from web.pages import error_page

        return error_page(request, status, body["error"], body.get("rows", []))
    return JSONResponse(body, status_code=status)


async def unavailable(request: Request, error: Exception) -> Response:
    """A store that cannot be read safely now (a broken chain, a wrong cipher key, a refusing server): 503."""
    # As the CLI's refusals say it: the store cannot be read safely now; never a traceback.
    if isinstance(error, ChainBrokenError):
        message = f"the ledger's tamper-evidence chain is broken: {error}; run `verify`"
    elif isinstance(error, MapperDeserialisationError):
        message = "cannot read the stored events: wrong or missing HOTLINE_LEDGER_CIPHER_KEY for this ledger"
    else:
        message = "the store refused the operation"
    if _wants_page(request):
        from web.pages import error_page

        return error_page(request, 503, message, [])
    return JSONResponse({"error": message}, status_code=503)


async def http_refused(request: Request, error: StarletteHTTPException) -> Response:
    """An HTTP error (401, 403, 404, 413, 429 …) with its message; a page's 401 goes to the login form."""
    if _wants_page(request) and error.status_code == 401:
        from fastapi.responses import RedirectResponse

        return RedirectResponse("/app/login", status_code=303)
    if _wants_page(request):
        from web.pages import error_page

        return error_page(request, error.status_code, str(error.detail), [])
    return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)


async def invalid(request: Request, error: RequestValidationError) -> Response:
    """A request that does not parse: 422 naming each field and what is wrong with it."""
    problems = [f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
                for e in error.errors()]
    if _wants_page(request):
        from web.pages import error_page

        return error_page(request, 422, "; ".join(problems), [])
    return JSONResponse({"error": "; ".join(problems)}, status_code=422)

