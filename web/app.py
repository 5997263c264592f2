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
from fastapi.responses import Response

from ledger.storage.store import StoreLocation, parse_store
from web.access import check_rules
from web.app_refusals import answer_refusals
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
        from ledger.usecases.application import Ledger

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


async def security_headers(request: Request, call_next: Any) -> Response:
    """Every response's security headers; the API's and the pages' answers are never cached."""
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.path.startswith("/api/") or request.url.path.startswith("/app"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


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
    app.middleware("http")(security_headers)
    answer_refusals(app)
    return app
