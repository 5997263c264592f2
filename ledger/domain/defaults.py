"""What the ledger assumes where no adopted ruleset says otherwise, taken from the built-in ruleset's own text.

Nothing here is spelled in code: the zone is the built-in ruleset's ``[scoring] timezone`` and the source an
adoption of it records is ``built-in:`` and its ``id``. Read once per process, on first use (a command that
never needs them never parses the ruleset).
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo


@cache
def _builtin() -> dict[str, Any]:
    from ledger.rulesets.loading import builtin_text

    return tomllib.loads(builtin_text())


def default_zone_name() -> str:
    """The built-in ruleset's time zone (``Asia/Shanghai`` for Tai'an): dates and times are read in it while no
    ruleset is adopted, and wherever no year's ruleset applies (the default ``--year``, today's date)."""
    return str(_builtin()["scoring"]["timezone"])


@cache
def default_zone() -> ZoneInfo:
    """``default_zone_name()`` as a zone."""
    return ZoneInfo(default_zone_name())


def builtin_source() -> str:
    """The source an adoption of the built-in ruleset records (``built-in:taian``)."""
    return f"built-in:{_builtin()['id']}"
