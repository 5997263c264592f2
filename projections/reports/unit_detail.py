"""One unit's drill-down (section → item → occurrences), joined from its score and its trace.

`score` gives the structure and the points; `trace` gives, per item code, the arithmetic and
the occurrences with their evidence and dispute history. Both renderers of a unit's detail
(the workbook sheet and the web page) read this join instead of the raw dicts, and are
defensive about optional keys: a missing trace only means no occurrences are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ledger.domain.defaults import default_zone_name
from projections.reports.ranking import (
    HISTORY_LABELS,
    SCREENING_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    VERDICT_LABELS,
    decimal_or_none,
    is_bonus_item,
    label,
    section_base_points,
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ItemDetail:
    """An item as a unit reads it.

    `kind` is `scored` (has max/points/status; pools such as 2.2 too), `pool_member`
    (`deducted` from `pool`) or `bonus` (`bonus` points added). `events`, `periods` and
    `orders` are the trace's rows for this item code, unchanged.
    """

    code: str
    name: str
    kind: str
    max: Decimal | None = None
    points: Decimal | None = None
    deducted: Decimal | None = None
    bonus: Decimal | None = None
    status: str = ""
    pool: str = ""
    explanation: str = ""
    rate: str = ""
    events: list[Row] = field(default_factory=list)
    periods: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        """The status column: 已计分 / 待定, 计入 <pool> for a pool member, 加分 for a bonus."""
        if self.kind == "pool_member":
            return f"计入 {self.pool}" if self.pool else "计入共用分"
        if self.kind == "bonus":
            return "加分"
        return label(STATUS_LABELS, self.status)


@dataclass(frozen=True)
class SectionDetail:
    """A section with its items; `base` is its points without bonus."""

    code: str
    name: str
    max: Decimal | None
    points: Decimal | None
    base: Decimal
    items: list[ItemDetail]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def rate_text(row: Row) -> str:
    """`88.57%（620/700）` from a row's rate, numerator and denominator; `""` without a rate."""
    rate = row.get("rate")
    if rate in (None, ""):
        return ""
    num, den = row.get("numerator"), row.get("denominator")
    counts = f"（{num}/{den}）" if num is not None and den is not None else ""
    return f"{rate}%{counts}"


def _item(score_item: Row, trace_item: Row | None) -> ItemDetail:
    trace_item = trace_item or {}
    if is_bonus_item(score_item):
        kind = "bonus"
    elif "pool" in score_item and "points" not in score_item:
        kind = "pool_member"
    else:
        kind = "scored"
    explanation = _text(trace_item.get("explanation") or score_item.get("reason"))
    return ItemDetail(
        code=_text(score_item.get("code")),
        name=_text(score_item.get("name") or trace_item.get("name")),
        kind=kind,
        max=decimal_or_none(score_item.get("max")),
        points=decimal_or_none(score_item.get("points")),
        deducted=decimal_or_none(score_item.get("deducted")),
        bonus=decimal_or_none(score_item.get("bonus")),
        status=_text(score_item.get("status")),
        pool=_text(score_item.get("pool")),
        explanation=explanation,
        rate=rate_text(score_item) or rate_text(trace_item),
        events=list(trace_item.get("events") or []),
        periods=list(trace_item.get("periods") or []),
        orders=list(trace_item.get("orders") or []),
    )


def unit_sections(unit: Row, trace: Row | None) -> list[SectionDetail]:
    """The unit's sections with each score item joined to the trace item of the same code."""
    traced = {_text(t.get("code")): t for t in (trace or {}).get("items") or []}
    sections = []
    for section in unit.get("sections") or []:
        items = [_item(i, traced.get(_text(i.get("code")))) for i in section.get("items") or []]
        sections.append(SectionDetail(
            code=_text(section.get("code")),
            name=_text(section.get("name")),
            max=decimal_or_none(section.get("max")),
            points=decimal_or_none(section.get("points")),
            base=section_base_points(section),
            items=items,
        ))
    return sections


def unit_events(trace: Row | None) -> list[tuple[str, Row]]:
    """Every occurrence in the trace as `(item code, event)`, each event once.

    An event listed under a pool and under its member item is kept under the more specific
    (longer) code, so the workbook does not count it twice.
    """
    chosen: dict[str, tuple[str, Row]] = {}
    order: list[str] = []
    for item in (trace or {}).get("items") or []:
        code = _text(item.get("code"))
        for event in item.get("events") or []:
            key = _text(event.get("id")) or f"{code}#{len(order)}"
            if key not in chosen:
                order.append(key)
                chosen[key] = (code, event)
            elif len(code) > len(chosen[key][0]):
                chosen[key] = (code, event)
    return [chosen[k] for k in order]


def state_text(event: Row) -> str:
    """The event's state in Chinese (有效, 申诉中, …)."""
    return label(STATE_LABELS, event.get("state") or "effective")


def event_points(event: Row) -> Decimal | None:
    """What one event is worth: an occurrence's amount per count, an assessment's awarded points."""
    return decimal_or_none(event.get("amount")) if event.get("amount") not in (None, "") else (
        decimal_or_none(event.get("points")))


def verdict_text(period: Row) -> str:
    """A deadline period's verdict in Chinese (按期, 逾期, 未报送, …)."""
    return label(VERDICT_LABELS, period.get("verdict"))


def screening_text(order: Row) -> str:
    """A work order's screening (甄别) requests and their decisions, e.g. `甄别成立（已剔除）`."""
    requests = order.get("screenings")
    if isinstance(requests, list):
        return "；".join(SCREENING_LABELS.get(r.get("decision"), str(r.get("decision"))) for r in requests)
    return _text(order.get("screening"))


def attachment_lines(event: Row) -> list[str]:
    """Each attachment's name, then its SHA-256 on a line of its own (so a print can be checked)."""
    lines = []
    for att in event.get("attachments") or []:
        name, digest = _text(att.get("name")), _text(att.get("sha256"))
        lines.extend(t for t in (name, digest) if t)
    return lines


def local_time(stamp: Any, zone: str | None = None) -> str:
    """A recorded instant (ISO 8601, UTC) as printed for people: `2025-03-04 17:20:05 +08:00`,
    Beijing time by default, with its offset; a value that is not a timestamp is shown as written."""
    text = _text(stamp)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    shown = moment.astimezone(ZoneInfo(zone or default_zone_name())).strftime("%Y-%m-%d %H:%M:%S %z")
    return f"{shown[:-2]}:{shown[-2:]}"


def recorder_text(entry: Row, by: str = "recorded_by") -> str:
    """Who recorded an event: the declared recorder, then who the store authenticated in brackets.

    `张三（clerk07）`; only the name when both are the same, or when the event predates authenticated identity.
    """
    declared, proven = _text(entry.get(by)), _text(entry.get("authenticated_as"))
    return f"{declared}（{proven}）" if proven and proven != declared else declared


def history_line(entry: Row) -> str:
    """One dispute/correction entry: `2025-04-02 提出申诉 5f3a9c1e（张三，认证：clerk07）：理由 → 成立`,
    the dispute named by the first 8 characters of its id."""
    when = _text(entry.get("at"))[:10]
    what = label(HISTORY_LABELS, entry.get("type"))
    proven = _text(entry.get("authenticated_as"))
    vouched = f"，认证：{proven}" if proven and proven != _text(entry.get("by")) else ""
    who = f"（{entry['by']}{vouched}）" if entry.get("by") else ""
    reason = f"：{entry['reason']}" if entry.get("reason") else ""
    decision = f" → {label(HISTORY_LABELS, entry['decision'])}" if entry.get("decision") else ""
    dispute = f" {_text(entry['dispute'])[:8]}" if entry.get("dispute") else ""
    return f"{when} {what}{dispute}{who}{reason}{decision}".strip()
