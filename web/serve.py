"""Run the service under uvicorn (``hotline-ledger serve``): one process, or ``--workers`` processes on one port.

A serve process answers one request at a time (its handlers run on its event loop), so more throughput
is more processes. ``--workers N`` starts N of them behind one listening socket (uvicorn's own
supervisor): each opens the store itself, they share everything through it (the events, the
sessions, the read model), and none keeps anything another needs.
"""

from __future__ import annotations

import os
from typing import Any

#: How the supervisor tells its workers which store to open and which year to show (their environment).
STORE_ENV = "HOTLINE_LEDGER_STORE"
YEAR_ENV = "HOTLINE_LEDGER_SERVE_YEAR"


def run(ledger: Any, host: str = "127.0.0.1", port: int = 8000, year: int | None = None, workers: int = 1) -> None:
    """Serve the already opened Ledger ``ledger`` on ``host``:``port`` until interrupted (pages show ``year``
    unless asked for another; default: this year); with ``workers`` > 1, that many worker processes, each
    opening the same store (this process only supervises them, and closes ``ledger``)."""
    import uvicorn

    from web.app import create_app

    # proxy_headers: behind a reverse proxy that speaks https, the Secure cookie flag follows X-Forwarded-Proto
    # from 127.0.0.1 only (uvicorn's default forwarded_allow_ips).
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "proxy_headers": True,
                               "server_header": False}
    if workers <= 1:
        uvicorn.run(create_app(ledger.location, ledger=ledger, year=year), **options)
        return
    os.environ[STORE_ENV] = ledger.location.url
    if year is not None:
        os.environ[YEAR_ENV] = str(year)
    ledger.close()  # opened to check the store and its key; each worker opens its own
    uvicorn.run("web.serve:worker_app", factory=True, workers=workers, **options)


def worker_app() -> Any:
    """The application of one worker process: the store and year its supervisor put in the environment."""
    from web.app import create_app

    year = os.environ.get(YEAR_ENV)
    return create_app(os.environ[STORE_ENV], year=int(year) if year else None)
