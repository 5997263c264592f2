"""``ledger.domain.dates.parse_day``: the one date parser of the CLI and the web service (CLI.md: dates are
``YYYY-MM-DD``)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.dates import NotADate, parse_day


@pytest.fixture(autouse=True)
def chinese_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The messages as a Chinese reader sees them (the suite's default locale is English)."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")


def test_a_date_written_yyyy_mm_dd_is_that_day() -> None:
    assert parse_day("2025-03-04") == date(2025, 3, 4)
    assert parse_day(" 2024-02-29 ") == date(2024, 2, 29)  # blanks around it, as a form field may carry


@pytest.mark.parametrize("text", [
    "20250304",        # date.fromisoformat takes it (basic ISO format)
    "2025-W10-2",      # an ISO week date: fromisoformat takes it too
    "2025-063",        # an ordinal date
    "2025-3-4",        # no zero padding
    "2025/03/04",
    "2025-02-30",      # the right shape, no such day
    "2025-03-04T00:00",
    "１９９９-０１-０１",  # full-width digits
    "",
])
def test_anything_else_is_not_a_date_and_the_message_says_what_to_write(text: str) -> None:
    with pytest.raises(NotADate) as refused:
        parse_day(text)
    assert str(refused.value) == f"{text.strip()!r} 不是日期：请写成 YYYY-MM-DD（如 2025-03-04）"


def test_a_very_long_value_is_cut_short_in_the_message() -> None:
    with pytest.raises(NotADate) as refused:
        parse_day("9" * 5000)
    assert str(refused.value) == f"{'9' * 24!r}… (共 5000 个字符) 不是日期：请写成 YYYY-MM-DD（如 2025-03-04）"
