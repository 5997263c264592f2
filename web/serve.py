"""Run the service under uvicorn (``hotline-ledger serve``)."""

from __future__ import annotations

from typing import Any


def run(ledger: Any, host: str = "127.0.0.1", port: int = 8000, year: int | None = None) -> None:
    """Serve the already opened Ledger ``ledger`` on ``host``:``port`` until interrupted (pages show ``year``
    unless asked for another; default: this year)."""
    import uvicorn

    from web.app import create_app

    app = create_app(ledger.location, ledger=ledger, year=year)
    # proxy_headers: behind a reverse proxy that speaks https, the Secure cookie flag follows X-Forwarded-Proto
    # from 127.0.0.1 only (uvicorn's default forwarded_allow_ips).
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, server_header=False)
