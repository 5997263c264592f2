"""Stored text made literal for the terminal: what a clerk typed is shown, never obeyed.

rich reads ``[...]`` in a string as markup (``[/bold]`` with no opening tag makes it raise, so one
evidence string would break ``trace`` and ``log`` for the whole ledger; ``[link=…]`` makes a hidden
link), and a terminal obeys escape sequences (``ESC[31m`` recolours, ``ESC]8;;`` links, a carriage
return overwrites the line). Every string from the ledger goes through :func:`literal` before it
reaches rich; the console itself is made without emoji codes (cli.py), so ``:smile:`` stays as typed.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape

#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates
#: that reorder what is displayed (U+202A–U+202E, U+2066–U+2069).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: Any) -> str:
    """``value`` as text with its control characters shown as escapes (ESC → ``\\x1b``): for plain output."""
    return _UNSAFE.sub(_shown, "" if value is None else str(value))


def literal(value: Any) -> str:
    """``value`` as rich markup that prints exactly its text (control characters shown as escapes)."""
    return escape(visible(value))
