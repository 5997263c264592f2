"""Tables for people at a terminal (rich), in Chinese where users read them.

Every string from the ledger or its ruleset goes through `lit` (terminal_text.literal): shown, never
read as markup or obeyed as a control sequence.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from projections.reports.terminal_text import literal as lit
from projections.reports.unit_detail import recorder_text

STATE_LABELS = {
    "effective": "有效", "retracted": "已撤销", "disputed": "申诉中", "accepted": "申诉成立",
    "rejected": "申诉驳回", "amended": "已改定", "superseded": "已被替代",
}
VERDICT_LABELS = {"on_time": "按期", "late": "逾期", "missing": "未报送", "not_yet_due": "未到期", "pending": "待定"}


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
    if columns.has_class:
        table.add_column("类别")
    table.add_column("排名", justify="right")
    table.add_column("单位")
    heads = section_heads(doc)
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
    pending = []
    for u in doc["units"]:
        by_code = {s["code"]: s["points"] for s in u["sections"]}
        total = u["total"]
        if unit_is_pending(u):
            pending.append(u["name"])
            total += " 待定"
        cells = [lit(u.get("class_name") or u.get("class") or "")] if columns.has_class else []
        cells += [str(u["rank"]), lit(u["name"]), *[by_code.get(h.code, "—") for h in heads], total, u["bonus"]]
        if columns.has_grade:
            veto = f"（一票否决：{lit(u['vetoed_by'])}）" if u.get("vetoed_by") else ""
            cells.append(f"{lit(u.get('grade') or '')}{veto}")
        if compared:
            cells += _previous_cells(u)
        table.add_row(*cells)
    if pending:
        names = "、".join(lit(p) for p in pending)
        table.caption = f"待定：{names} 的总分含尚不能计算的项目（按 0 分计），结果可能变化。"
    return table


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
        for col in ("日期", "次数", "分值", "证据", "状态", "记录人（认证身份）", "记录时间", "编号"):
            t.add_column(col)
        for e in entry["events"]:
            state = STATE_LABELS.get(e["state"], e["state"])
            for h in e.get("history", []):
                what = h["decision"] or h["type"]
                state += f"\n  {lit(h['at'][:19])} {lit(recorder_text(h, 'by'))}: {lit(what)} — {lit(h['reason'])}"
            t.add_row(lit(e["date"]), lit(e.get("count", e.get("points", ""))),
                      lit(e.get("amount") or e.get("points") or ""), lit(e["evidence"]), state,
                      lit(recorder_text(e)), lit(e["recorded_at"][:19]), lit(e["id"][:8]))
        return t
    if entry.get("periods"):
        t = Table(show_header=True, header_style="dim", box=None, padding=(0, 1))
        for col in ("期间/通知", "起算日", "截止日", "报送日", "结论"):
            t.add_column(col)
        for p in entry["periods"]:
            t.add_row(lit(p["period"]), lit(p["due_from"]), lit(p["deadline"] or f"待定: {p['reason']}"),
                      lit(p["submitted"] or "—"), lit(VERDICT_LABELS.get(p["verdict"], p["verdict"])))
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
        head = f"[bold]{lit(entry['code'])}[/bold] {lit(entry['name'])} [dim]({lit(entry['kind'])})[/dim]"
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


def dispute_table(rows: list[dict[str, Any]]) -> Table:
    """Disputes with their state and decision."""
    t = Table(title="申诉与甄别", title_justify="left")
    for col in ("编号", "单位", "项目", "对象", "理由", "提出", "状态", "决定"):
        t.add_column(col)
    for r in rows:
        target = r["target"][:8] if r["subject"] == "occurrence" else f"工单 {r['target']} ({r['rate']})"
        decided = f"{r['decision']} — {r['decision_reason']} ({r['decided_by']})" if r["decision"] else ""
        t.add_row(lit(r["id"][:8]), lit(r["unit"]), lit(r["item"]), lit(target), lit(r["reason"]),
                  lit(f"{r['opened_by']} {r['opened_at'][:10]}"), "待决定" if r["state"] == "open" else "已决定",
                  lit(decided))
    return t


def log_table(entries: list[dict[str, Any]]) -> Table:
    """The log: one row per event."""
    t = Table(title="台账记录", title_justify="left")
    for col in ("#", "记录时间", "记录人（认证身份）", "类型", "单位", "项目", "编号", "内容"):
        t.add_column(col)
    skip = {"id", "notification_id", "version", "type", "unit", "item", "recorded_at", "recorded_by",
            "authenticated_as"}
    for e in entries:
        detail = ", ".join(f"{k}={v}" for k, v in e.items() if k not in skip and v not in (None, "", []))
        t.add_row(str(e["notification_id"]), lit(e["recorded_at"][:19]), lit(recorder_text(e)), lit(e["type"]),
                  lit(e["unit"] or ""), lit(e["item"] or ""), lit(e["id"][:8]), lit(detail[:120]))
    return t
