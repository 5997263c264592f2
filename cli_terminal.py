"""Tables for people at a terminal (rich), in Chinese where users read them.

Every string from the ledger or its ruleset goes through `lit` (terminal_text.literal): shown, never
read as markup or obeyed as a control sequence.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from cli_terminal_text import literal as lit
from ledger.translation import gettext as _
from projections import wording
from projections.local_time import to_the_second
from projections.reports.unit_detail import recorder_text


def ranking_table(doc: dict[str, Any]) -> Table:
    """The ranking: one row per unit, the five sections (as the JSON has them: section 5 with its
    bonus), the total and 其中加分 (the part of the total that is bonus).

    With ``previous`` on the units (``--compare-as-of``), the previous total and rank and the
    change of total since then. A 类别 column when units carry a class (ranks are per class), an 等次 column when the
    ruleset declares grades, and a 待定 mark on a total that counts a pending item as 0,
    explained in the table's footnote.
    """
    from projections.reports.ranking import ranking_columns, section_heads, unit_is_pending

    known = f"，截至记录时间 {lit(doc['known_at'])}" if doc.get("known_at") else ""
    columns = ranking_columns(doc)
    table = Table(title=f"{lit(doc['year'])} 年度评价得分（截至 {lit(doc['as_of'])}{known}）", title_justify="left",
                  caption_justify="left")
    heads = section_heads(doc)
    compared = _add_ranking_columns(table, doc, columns, heads)
    pending = []
    capped = []
    for u in doc["units"]:
        mark = _cap_mark(u)
        if mark is not None:
            capped.append(mark)
        is_pending = unit_is_pending(u)
        if is_pending:
            pending.append(u["name"])
        table.add_row(*_unit_cells(u, columns, heads, compared, is_pending))
    notes = []
    if pending:
        names = "、".join(lit(p) for p in pending)
        notes.append(f"待定：{names} 的总分含尚不能计算的项目（按 0 分计），结果可能变化。")
    if capped:
        notes.append(f"封顶：{'、'.join(capped)} 的得分已按细则上限封顶。")
    if notes:
        table.caption = "\n".join(notes)
    return table


def _add_ranking_columns(table: Table, doc: dict[str, Any], columns: Any, heads: list[Any]) -> bool:
    """The ranking's columns; whether it compares with an earlier date (its two columns then added)."""
    if columns.has_class:
        table.add_column("类别")
    table.add_column("排名", justify="right")
    table.add_column("单位")
    for head in heads:
        table.add_column(f"{lit(head.name[:4])}\n({'' if head.max is None else f'{head.max:.2f}'})", justify="right")
    table.add_column("总分", justify="right", style="bold")
    table.add_column("其中加分", justify="right")
    if columns.has_grade:
        table.add_column("等次")
    compared = any("previous" in u for u in doc["units"])
    if compared:
        then = next((u["previous"]["as_of"] for u in doc["units"] if u.get("previous")), "")
        table.add_column(f"上期总分(排名)\n{lit(then)}", justify="right")
        table.add_column("较上期", justify="right")
    return compared


def _cap_mark(u: dict[str, Any]) -> str | None:
    """How the footnote names a unit whose total or a section is held at a cap (None: nothing capped)."""
    if u.get("capped") or any(s.get("capped") for s in u["sections"]):
        return f"{lit(u['name'])}（超出 {lit(u.get('capped') or '0.00')} 不计）" if u.get("capped") else lit(u["name"])
    return None


def _unit_cells(u: dict[str, Any], columns: Any, heads: list[Any], compared: bool, pending: bool) -> list[str]:
    """One unit's row of the ranking."""
    # A cap's mark: the points shown are held at the cap (the JSON's ``capped`` says by how much).
    by_code = {s["code"]: s["points"] + (" 封顶" if s.get("capped") else "") for s in u["sections"]}
    total = u["total"] + (" 封顶" if u.get("capped") else "") + (" 待定" if pending else "")
    cells = [lit(u.get("class_name") or u.get("class") or "")] if columns.has_class else []
    cells += [str(u["rank"]), lit(u["name"]), *[by_code.get(h.code, "—") for h in heads], total, u["bonus"]]
    if columns.has_grade:
        veto = f"（一票否决：{lit(u['vetoed_by'])}）" if u.get("vetoed_by") else ""
        cells.append(f"{lit(u.get('grade') or '')}{veto}")
    if compared:
        cells += _previous_cells(u)
    return cells


def _previous_cells(unit: dict[str, Any]) -> list[str]:
    """The unit's previous total (rank) and its change since then; dashes for a unit absent then."""
    from decimal import Decimal

    from projections.reports.ranking import two_places

    before = unit.get("previous")
    if not before:
        return ["—", "—"]
    change = two_places(Decimal(unit["total"]) - Decimal(before["total"]), signed=True)
    return [f"{lit(before['total'])} ({lit(before['rank'])})", change]


def _events_table(entry: dict[str, Any]) -> Table | None:
    if entry.get("events"):
        t = Table(show_header=True, header_style="dim", box=None, padding=(0, 1))
        for col in (_("Date"), _("Count"), _("Points"), _("Evidence"), _("State"), _("Recorded by (authenticated)"),
                    _("Recorded at"), _("Id")):
            t.add_column(col)
        for e in entry["events"]:
            state = lit(wording.state(e["state"]))
            for h in e.get("history", []):
                what = wording.history_step(h["decision"] or h["type"])
                state += (f"\n  {lit(to_the_second(h['at']))} {lit(recorder_text(h, 'by'))}: {lit(what)} — "
                          f"{lit(h['reason'])}")
            # An assessment has points and no count: its points are not a number of occurrences.
            t.add_row(lit(e["date"]), lit(e.get("count", "")),
                      lit(e.get("amount") or e.get("points") or ""), lit(e["evidence"]), state,
                      lit(recorder_text(e)), lit(to_the_second(e["recorded_at"])), lit(e["id"][:8]))
        return t
    if entry.get("periods"):
        t = Table(show_header=True, header_style="dim", box=None, padding=(0, 1))
        # due_from is the day counting starts *after* (the period's last day, or the notice's receipt): named so.
        for col in (_("Period / notice"), _("Period end / received"), _("Deadline"), _("Submitted"), _("Verdict")):
            t.add_column(col)
        for p in entry["periods"]:
            deadline = p["deadline"] or _("pending: {reason}").format(reason=p["reason"])
            t.add_row(lit(p["period"]), lit(p["due_from"]), lit(deadline), lit(p["submitted"] or "—"),
                      lit(wording.verdict(p["verdict"])))
        return t
    if entry.get("orders"):
        t = Table(show_header=True, header_style="dim", box=None, padding=(0, 1))
        for col in ("工单编号", "派单时间", "办结时限", "原因", "甄别"):
            t.add_column(col)
        for o in entry["orders"][:50]:
            scr = "; ".join(f"{s['decision'] or '待决定'}" for s in o["screenings"]) or ""
            t.add_row(lit(o["order_id"]), lit(o["dispatched_at"]), lit(o["due_at"]), lit(o["reason"]), lit(scr))
        if len(entry["orders"]) > 50:
            t.add_row(f"… 另有 {len(entry['orders']) - 50} 件（--format json 列出全部）", "", "", "", "")
        return t
    return None


def print_trace(console: Console, doc: dict[str, Any]) -> None:
    """Each item: its rule and arithmetic, then the events, periods or orders behind it."""
    console.print(f"[bold]{lit(doc['name'])} ({lit(doc['unit'])})[/bold] {lit(doc['year'])} 年 截至 "
                  f"{lit(doc['as_of'])} 总分 {lit(doc['total'])} 排名 {lit(doc['rank'])}  "
                  f"规则 {lit(doc['ruleset']['id'])} {lit(doc['ruleset']['sha256'][:12])}")
    for entry in doc["items"]:
        head = f"[bold]{lit(entry['code'])}[/bold] {lit(entry['name'])} [dim]({lit(wording.kind(entry['kind']))})[/dim]"
        if entry.get("pool"):
            head += f"  扣 {lit(entry['deducted'])}"
        elif entry.get("bonus") is not None:
            head += f"  加 {lit(entry['bonus'])}"
        else:
            head += f"  {lit(entry['points'])} / {lit(entry['max'])}"
        # A pool member is pending too when its deduction still waits on a deadline.
        if entry.get("status") == "pending":
            head += " [yellow]待定[/yellow]"
        console.print(head)
        console.print(f"    {lit(entry['explanation'])}")
        if entry.get("reason"):
            console.print(f"    [yellow]{lit(entry['reason'])}[/yellow]")
        table = _events_table(entry)
        if table is not None:
            console.print(table)
    for sec in doc.get("sections", []):
        console.print(f"[bold]第 {lit(sec['code'])} 部分[/bold] {lit(sec['name'])}  "
                      f"{lit(sec['points'])} / {lit(sec['max'])}")
        console.print(f"    {lit(sec['explanation'])}")
    for veto in doc.get("vetoes", []):
        verdict = f"[red]已否决，等次 {lit(veto['grade'])}[/red]" if veto["applied"] else "未否决"
        console.print(f"[bold]一票否决 {lit(veto['item'])}[/bold] {lit(veto['name'])}  发生 "
                      f"{lit(veto['effective_count'])} 次（{lit(veto['count'])} 次及以上定为{lit(veto['grade'])}）"
                      f"  {verdict}")
        table = _events_table(veto)
        if table is not None:
            console.print(table)
    if doc.get("total_explanation"):
        console.print(f"[bold]总分[/bold] {lit(doc['total_explanation'])}")


def dispute_table(rows: list[dict[str, Any]]) -> Table:
    """Disputes with their state and decision."""
    t = Table(title=_("Disputes and screenings"), title_justify="left")
    for col in (_("Id"), _("Unit"), _("Item"), _("Disputed"), _("Reason"), _("Opened"), _("State"), _("Decision")):
        t.add_column(col)
    for r in rows:
        target = r["target"][:8] if r["subject"] == "occurrence" else \
            _("work order {order} ({rate})").format(order=r["target"], rate=r["rate"])
        decided = (f"{wording.history_step(r['decision'])} — {r['decision_reason']} ({r['decided_by']}, "
                   f"{to_the_second(r['decided_at'])})") if r["decision"] else ""
        t.add_row(lit(r["id"][:8]), lit(r["unit"]), lit(r["item"]), lit(target), lit(r["reason"]),
                  lit(f"{r['opened_by']} {to_the_second(r['opened_at'])}"), lit(wording.state(r["state"])),
                  lit(decided))
    return t


def log_table(entries: list[dict[str, Any]]) -> Table:
    """The log: one row per event."""
    t = Table(title=_("Ledger log"), title_justify="left")
    for col in ("#", _("Recorded at"), _("Recorded by (authenticated)"), _("Type"), _("Unit"), _("Item"), _("Id"),
                _("Content")):
        # A time is shown whole (it is what --known-at takes back), never cut short by a narrow terminal.
        t.add_column(col, no_wrap=col == _("Recorded at"))
    skip = {"id", "notification_id", "version", "type", "unit", "item", "recorded_at", "recorded_by",
            "authenticated_as"}
    for e in entries:
        detail = ", ".join(f"{k}={v}" for k, v in e.items() if k not in skip and v not in (None, "", []))
        t.add_row(str(e["notification_id"]), lit(to_the_second(e["recorded_at"])), lit(recorder_text(e)),
                  lit(wording.event_type(e["type"])),
                  lit(e["unit"] or ""), lit(e["item"] or ""), lit(e["id"][:8]), lit(detail[:120]))
    return t
