"""What an API route takes from its request: the caller, the Ledger application, a year, a day, a moment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from ledger.domain.dates import parse_day
from ledger.domain.defaults import default_zone
from web.access import Caller, caller

Who = Annotated[Caller, Depends(caller)]

#: A date as CLI.md writes it, ``YYYY-MM-DD`` only, read by the CLI's parser (``ledger.domain.dates``): not pydantic's
#: wider idea of a date (a Unix timestamp, ``20250304``); a refusal is a 422 with the CLI's message.
Day = Annotated[date, BeforeValidator(parse_day)]


def ledger(request: Request) -> Any:
    """The Ledger application of this process."""
    return request.app.state.service.app


def moment(value: datetime | None) -> datetime | None:
    """A ``known_at`` without an offset is read in the ledger's time zone."""
    return value.replace(tzinfo=default_zone()) if value is not None and value.tzinfo is None else value


#: The scoring year a reading route asks for.
Year = Annotated[int, Query(ge=2000, le=2100)]
