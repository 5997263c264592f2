"""The web service: one FastAPI app on one store — the JSON API under ``/api/v1`` and the pages.

Handlers are ``async`` and call the ledger's use cases directly, so one process runs them one at
a time on its event loop (the Ledger application and its SQLite read model are not shared between
threads); more throughput is more ``serve`` processes, which share everything through the store.
Every response carries the security headers; every refusal is JSON (API) or a page (pages) with
one message, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.accounts import NotAuthenticated
from ledger.errors import (
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
from ledger.store import StoreLocation, parse_store
from web.access import check_rules
from web.import_jobs import ImportJobs
from web.sessions import Sessions, Throttle

HERE = Path(__file__).parent
#: Content-Security-Policy of every response: only this origin's own files, no inline script, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass
class Service:
    """What a serve process holds: the Ledger application on its store, and the store-backed sessions."""

    location: StoreLocation

    @cached_property
    def app(self) -> Any:
        from ledger.application import Ledger

        return Ledger(self.location)

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(self.app.credentials)

    @cached_property
    def throttle(self) -> Throttle:
        return Throttle(self.app.credentials)

    @cached_property
    def imports(self) -> ImportJobs:
        return ImportJobs(self.app.credentials, self.location)


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


def route_names(app: Any) -> list[str]:
    """The names of the app's own routes (through included routers; not the OpenAPI document's)."""
    names = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            names += route_names(inner)
        elif getattr(route, "name", None) != "openapi":
            names.append(route.name)
    return names


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def create_app(store: str | StoreLocation, ledger: Any = None, year: int | None = None) -> FastAPI:
    """The service on ``store`` (a store URL or location); ``ledger``: an already open Ledger to use;
    ``year``: the year the pages show unless asked for another (default: this year)."""
    from web.api import router as api_router
    from web.pages import mount_pages

    location = parse_store(store) if isinstance(store, str) else store
    service = Service(location)
    if ledger is not None:
        service.__dict__["app"] = ledger
    app = FastAPI(title="hotline-ledger", version="1", openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.service = service
    app.state.year = year
    app.include_router(api_router)
    mount_pages(app)
    check_rules(route_names(app))

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") or request.url.path.startswith("/app"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LedgerError)
    async def refused(request: Request, error: LedgerError) -> Response:
        status = status_of(error)
        body: dict[str, Any] = {"error": str(error)}
        if isinstance(error, ImportRejected):
            body = {"error": "nothing was imported; fix these rows", "rows": [str(e) for e in error.errors]}
        if _wants_page(request):
            from web.pages import error_page

            return error_page(request, status, body["error"], body.get("rows", []))
        return JSONResponse(body, status_code=status)

    from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

    from ledger.chain import ChainBrokenError

    @app.exception_handler(ChainBrokenError)
    @app.exception_handler(PersistenceError)
    async def unavailable(request: Request, error: Exception) -> Response:
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

    @app.exception_handler(StarletteHTTPException)
    async def http_refused(request: Request, error: StarletteHTTPException) -> Response:
        if _wants_page(request) and error.status_code == 401:
            from fastapi.responses import RedirectResponse

            return RedirectResponse("/app/login", status_code=303)
        if _wants_page(request):
            from web.pages import error_page

            return error_page(request, error.status_code, str(error.detail), [])
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
                    for e in error.errors()]
        if _wants_page(request):
            from web.pages import error_page

            return error_page(request, 422, "; ".join(problems), [])
        return JSONResponse({"error": "; ".join(problems)}, status_code=422)

    return app
