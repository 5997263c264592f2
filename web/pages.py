"""The pages (placeholder until the page module lands)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse


def mount_pages(app: FastAPI) -> None:
    """Add the pages to the app."""


def error_page(request: Request, status: int, message: str, rows: list[Any]) -> HTMLResponse:
    """A refusal as a page."""
    from html import escape

    return HTMLResponse(f"<p>{escape(message)}</p>", status_code=status)
