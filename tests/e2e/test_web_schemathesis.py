"""schemathesis against /api/v1/openapi.json: no 5xx on generated input (bounded: a few examples per call).

Runs as a clerk (a Bearer token), who may reach every route, on a store with a ruleset and one
occurrence, so that generated ids, units and bodies meet real data as well as nonsense.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.e2e.web_support import Site, make_site


@pytest.fixture
def site(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    site = make_site(store_url, monkeypatch)
    site.occurrence()
    return site


def test_no_generated_request_gets_a_server_error(site: Site) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", site.client.app)
    headers = site.as_("clerk")
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.status_code,
                                                 response.text[:300])

        no_server_error()
    assert len(seen) == 18, seen  # 17 calls of CLI.md and the import status (GET /api/v1/imports/{job_id})
