"""The hotline platform's work-order export format (CLI.md "Work-order export format"): its columns, what its
cells may say, and one valid row as ``ledger.usecases.imports.workorders.WorkOrderReader`` yields it.

Times are kept as `YYYY-MM-DDTHH:MM:SS` strings (naive local time) rather than datetimes, because a year's export
runs to a million rows: comparing two strings compares two times.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from functools import cache


class Absent(enum.Enum):
    """The type of `ABSENT`: a column the file does not have (absent is not empty)."""

    ABSENT = "ABSENT"

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent.ABSENT

# field → aliases as platform exports write them; the first alias names a missing column.
WORKORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "order_id": ("工单编号",),
    "unit": ("承办单位",),
    "dispatched_at": ("派单时间",),
    "due_at": ("办结时限",),
    "completed_at": ("办结时间",),
    "reply_required": ("是否需回复",),
    "replied": ("是否已回复",),
    "satisfaction": ("满意度",),
    "counted": ("是否计入统计",),
    "exported_at": ("导出时间",),
}
REQUIRED_COLUMNS = {"order_id", "unit", "dispatched_at", "due_at"}

# The values an empty 是/否 cell takes (CLI.md): reply needed, not replied, counted.
REPLY_REQUIRED_DEFAULT = True
REPLIED_DEFAULT = False
COUNTED_DEFAULT = True

START_OF_DAY = "00:00:00"
END_OF_DAY = "23:59:59"  # a deadline given as a date alone runs to the end of that day

BOOLEANS = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
             "true": True, "false": False, "1": True, "0": False}
BOOLEANS |= {k.upper(): v for k, v in BOOLEANS.items()} | {k.title(): v for k, v in BOOLEANS.items()}

_TIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")


@dataclass(frozen=True, slots=True)
class TimeBounds:
    """The times an export's rows may hold, as `YYYY-MM-DDTHH:MM:SS` strings (naive local time).

    `first`..`last`: the adopted rulesets' date window; `now`: the time of the import, and `latest`
    the last time a dispatch, completion or export may carry (`now` plus a small tolerance for clocks).
    """

    first: str
    last: str
    now: str
    latest: str


@dataclass(frozen=True, slots=True)
class WorkOrderRow:
    """One valid row of an export.

    `row` is the spreadsheet row number; `unit` the resolved unit code; times are
    `YYYY-MM-DDTHH:MM:SS` strings; `completed_at` is None while the order is open. A field
    whose column the file lacks is `ABSENT` (it must change nothing); an empty cell takes the
    default (是否需回复 是, 是否已回复 否, 是否计入统计 是, 满意度 the unrated label).
    `exported_at` is None when the file does not give it. `extra` holds the cells (stripped) of
    the extra columns a ruleset declares, in the reader's `extra_columns` order; an empty cell
    is `""` (known to be empty), a column the file lacks is simply not in `extra_columns`.
    """

    row: int
    order_id: str
    unit: str
    dispatched_at: str
    due_at: str
    completed_at: str | None | Absent
    reply_required: bool | Absent
    replied: bool | Absent
    satisfaction: str | Absent
    counted: bool | Absent
    exported_at: str | None
    extra: tuple[str, ...] = ()


@cache
def valid_dates() -> frozenset[str]:
    """Every `YYYY-MM-DD` of 2000–2099: the fast path's check is one set lookup."""
    return frozenset(
        f"{y:04d}-{m:02d}-{d:02d}"
        for y in range(2000, 2100)
        for m in range(1, 13)
        for d in range(1, calendar.monthrange(y, m)[1] + 1)
    )


@cache
def valid_clock_times() -> frozenset[str]:
    """Every `HH:MM:SS` and `HH:MM` of a day."""
    hm = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
    return frozenset(hm) | frozenset(f"{t}:{s:02d}" for t in hm for s in range(60))


def parse_time(text: str, date_alone: str = START_OF_DAY) -> str | None:
    """`text` as `YYYY-MM-DDTHH:MM:SS`, or None if it is not a time.

    Accepts `YYYY-MM-DD HH:MM[:SS]` and `YYYY-MM-DD`, `/` separators and single-digit
    month, day and hour too; a date alone gets the clock time `date_alone`.
    """
    dates, clock = valid_dates(), valid_clock_times()
    n = len(text)
    if n == 19 and text[10] == " " and text[:10] in dates and text[11:] in clock:
        return f"{text[:10]}T{text[11:]}"
    if n == 10 and text in dates:
        return f"{text}T{date_alone}"
    if n == 16 and text[10] == " " and text[:10] in dates and text[11:] in clock:
        return f"{text[:10]}T{text[11:]}:00"
    return _parse_time_slowly(text, date_alone)


def _parse_time_slowly(text: str, date_alone: str) -> str | None:
    m = _TIME.fullmatch(text.strip())
    if m is None:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if y < 1 or not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]):
        return None
    if m[4] is None:
        return f"{y:04d}-{mo:02d}-{d:02d}T{date_alone}"
    h, mi, s = int(m[4]), int(m[5]), int(m[6] or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}"
