"""The JSON API under ``/api/v1`` (CLI.md, "Accounts, the web service and its API").

Each route parses, lets the authorization layer (``web.access``) decide, calls the same use case
or document builder as the CLI, and answers with the same JSON document. ``recorded_by`` is the
authenticated account's login: no request body may name it (unknown fields are refused).

``router`` carries the authorization dependency once for every route; the routes live beside it by
family (``api_session``, ``api_reading``, ``api_recording``, ``api_evidence``, ``api_imports``), included
in this order (the OpenAPI document's), with what they share in ``api_request``, ``api_bodies`` and
``api_files``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from web import api_evidence, api_imports, api_reading, api_recording, api_session
from web.access import caller
from web.api_request import ledger

router = APIRouter(prefix="/api/v1", dependencies=[Depends(caller)])
for family in (api_session, api_reading, api_recording, api_evidence, api_imports):
    router.include_router(family.router)


@router.get("/verify", name="api_verify")
async def verify(request: Request) -> dict[str, Any]:
    """``verify``: the chain, the seals, the read model against a replay, the evidence."""
    from ledger.storage.audit import audit

    return audit(ledger(request))
