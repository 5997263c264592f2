"""Numbers as the ledger prints them: one definition each, for every document and report."""

from __future__ import annotations

from decimal import Decimal

_CENT = Decimal("0.01")


def two_places(value: Decimal | int | None, signed: bool = False) -> str:
    """Points with two decimals: `Decimal` → `"19.71"` (or `"+1.20"` when `signed`); `""` for None."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(_CENT):f}"
    return f"+{text}" if signed and value > 0 else text


def plain(value: int | Decimal) -> str:
    """A number as a person writes it, without trailing zeros: 25, 0.5, 448.5."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
