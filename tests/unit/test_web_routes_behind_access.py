"""Every route of the service runs behind the one authorization layer (``web.access.caller``).

The API and the pages are split into routers by family (``web/api_*.py``, ``web/pages_*.py``); each
family's routes must still carry the ``caller`` dependency, through ``web.api.router`` or
``web.pages.page_router()``. Only the OpenAPI document, the bundled stylesheet and ``/`` (a redirect
to ``/app``) are outside it, and those are public.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from web.access import PUBLIC, RULES, caller

#: Routes outside the layer: the OpenAPI document, the static files, the redirect from ``/``.
OUTSIDE = {"openapi", "static", "page_root"}


def _leaves(routes: list[Any]) -> Iterator[Any]:
    """The app's routes, through included routers (FastAPI ≥ 0.160 keeps them nested)."""
    for route in routes:
        nested = getattr(route, "effective_candidates", None)
        if nested is not None:
            yield from _leaves(nested())
        else:
            yield route


def _guards(app: Any) -> dict[str, bool]:
    """Each route's name → whether ``caller`` is among its dependencies (its routers' included)."""
    return {route.name: any(d.dependency is caller for d in getattr(route, "dependencies", None) or [])
            for route in _leaves(app.routes)}


@pytest.fixture(scope="module")
def guards() -> dict[str, bool]:
    from web.app import create_app

    return _guards(create_app("memory:"))


def test_every_route_but_the_public_three_carries_the_caller_dependency(guards: dict[str, bool]) -> None:
    assert {name for name, guarded in guards.items() if not guarded} == OUTSIDE
    assert all(RULES[name] == PUBLIC for name in OUTSIDE - {"openapi"})


def test_every_ruled_route_exists_and_every_route_has_a_rule(guards: dict[str, bool]) -> None:
    assert set(guards) - {"openapi"} == set(RULES)


def test_a_router_included_without_the_layer_is_caught() -> None:
    from fastapi import APIRouter, Depends, FastAPI

    app = FastAPI()
    guarded, bare = APIRouter(), APIRouter()

    @guarded.get("/a", name="a")
    async def a() -> None: ...

    @bare.get("/b", name="b")
    async def b() -> None: ...

    outer = APIRouter(dependencies=[Depends(caller)])
    outer.include_router(guarded)
    app.include_router(outer)
    app.include_router(bare)
    assert {k: v for k, v in _guards(app).items() if k in ("a", "b")} == {"a": True, "b": False}
