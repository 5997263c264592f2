"""The values commands parse: dates, timestamps, points, counts, seal public keys and published heads.

A malformed value is a usage error (exit 2) before any use case runs.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from ledger.domain.defaults import default_zone
from ledger.translation import gettext as _


class IsoDate(click.ParamType):
    """``YYYY-MM-DD``; anything else is a usage error (exit 2)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        from ledger.domain.dates import NotADate, parse_day

        try:
            return parse_day(value)  # the one parser the web service reads dates with too
        except NotADate as e:
            self.fail(str(e), param, ctx)


class Moment(click.ParamType):
    """An ISO 8601 timestamp (no offset: the built-in ruleset's zone, Asia/Shanghai) or a date (the end of that day)."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        text = str(value).strip()
        try:
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text), time(23, 59, 59, 999999))
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(_("{value} is not a timestamp (YYYY-MM-DDTHH:MM[:SS][+08:00] or YYYY-MM-DD)")
                      .format(value=repr(value)), param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=default_zone())


class KnownAt(click.ParamType):
    """``--known-at``: a date (the end of that day) or a time exactly as ``log`` prints it, offset included.

    A time means the whole of what it names, as a date means the whole day: ``10:00:00`` is the end of that
    second (an event ``log`` shows at 10:00:00 was recorded at 10:00:00.25, and is known then), ``10:00`` the
    end of that minute. Without an offset it is read in the year's ruleset time zone (projections/reading.py).
    """

    name = "TIMESTAMP"
    _SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?P<seconds>:\d{2}(?P<fraction>\.\d{1,6})?)?"
                        r"(?:Z|[+-]\d{2}:\d{2})?)?")

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        shape = self._SHAPE.fullmatch(text)
        try:
            if shape is None:
                raise ValueError(text)
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(23, 59, 59, 999999))
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(_("{value} is not a timestamp (YYYY-MM-DDTHH:MM[:SS][+08:00] or YYYY-MM-DD)")
                      .format(value=_shown(text)), param, ctx)
        if shape["fraction"] is None:
            moment = moment.replace(microsecond=999999, second=moment.second if shape["seconds"] else 59)
        return moment


class Points(click.ParamType):
    """A decimal number of points (never a float)."""

    name = "POINTS"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(_("{value} is not a number").format(value=repr(value)), param, ctx)
        if not d.is_finite():
            self.fail(_("{value} is not a finite number").format(value=repr(value)), param, ctx)
        return d


class Count(click.ParamType):
    """A whole number of occurrences; one longer than any count a record may carry is refused before it is
    converted (Python refuses to convert more than 4,300 digits, and nobody means a 20-digit count)."""

    name = "INTEGER"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        digits = text.removeprefix("-").removeprefix("+")
        if not digits.isascii() or not digits.isdigit():
            self.fail(_("{value} is not an integer").format(value=_shown(text)), param, ctx)
        if len(digits.lstrip("0")) > 18:
            from ledger.domain.counts import MAX_COUNT

            # A domain refusal (exit 1) like any count above MAX_COUNT, only decided before int() would choke on it.
            raise click.ClickException(_("count {value} is larger than {most}, the most one record may carry")
                                       .format(value=_shown(text), most=MAX_COUNT))
        return int(text)


def _shown(text: str, limit: int = 24) -> str:
    """A value for a message, cut short: a 4,300-digit count is not worth repeating whole."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


DATE, MOMENT, KNOWN_AT, POINTS, COUNT = IsoDate(), Moment(), KnownAt(), Points(), Count()


class PublicKey(click.ParamType):
    """A published seal public key, ``ed25519:<base64>``."""

    name = "PUBLIC"

    def split_envvar_value(self, rv: str) -> list[str]:
        from ledger.storage.signing import split_publics

        return split_publics(rv)

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from ledger.storage.signing import SealKeyError, parse_public

        try:
            return parse_public(str(value))
        except SealKeyError as e:
            self.fail(str(e), param, ctx)


def parse_seal(text: str) -> tuple[int, str]:
    """A published head ``ID:HASH`` given with ``--seal``: its notification id and its hash in lower case."""
    nid, _colon, digest = text.partition(":")
    if not nid.isdigit() or len(digest) != 64:
        raise click.BadParameter(_("{value}: expected NOTIFICATION_ID:HASH (64 hex digits)").format(value=repr(text)),
                                 param_hint="--seal")
    return int(nid), digest.lower()
