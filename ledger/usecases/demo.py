"""``demo``: a realistic sample year, recorded through the same use cases the staff use.

Deterministic (seeded by the year), so two demos of the same year give the same ranking.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.aggregates import Occurrence
from ledger.domain.calendar import CalendarYearUnknown
from ledger.domain.defaults import builtin_source, default_zone
from ledger.domain.errors import RuleViolation
from ledger.rulesets.loading import builtin_text
from ledger.translation import gettext as _
from ledger.usecases.imports.workorder_import import import_workorders
from ledger.usecases.recording import recorded_as
from projections.deadlines import period_end, periods_of_year
from projections.facts import calendar_of

#: Per unit: (work orders per year, satisfaction share, diligence 0..1) — a city with a spread.
PROFILES = {
    "taishan": (2400, 0.93, 0.9), "daiyue": (2100, 0.91, 0.8), "xintai": (1900, 0.90, 0.7),
    "feicheng": (1700, 0.92, 0.85), "ningyang": (1300, 0.885, 0.6), "dongping": (1200, 0.905, 0.75),
    "gaoxin": (800, 0.925, 0.8), "jingqu": (600, 0.91, 0.65),
}
#: Deduction items with how often a unit of diligence 0 commits them in a year.
DEDUCTIONS = {"2.1": 8, "2.2.1": 12, "2.2.2": 2, "2.2.3": 3, "2.4": 2, "2.5": 1, "3.2.1.2": 4, "3.2.2.1": 5,
              "3.2.2.2": 2, "3.2.2.3": 1, "3.2.3.1": 1, "3.2.6": 1, "3.2.8": 2, "4.1": 1, "5.2": 1}


def _random_day(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _workorders_file(rng: random.Random, year: int, units: dict[str, str], folder: Path) -> Path:
    path = folder / f"demo-workorders-{year}.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
                    "是否计入统计", "诉求内容"])
        n = 0
        for code, (volume, satisfied, diligence) in PROFILES.items():
            for _n in range(volume):
                n += 1
                dispatched = datetime(year, 1, 1, 8) + timedelta(minutes=rng.randrange(365 * 24 * 60 - 60 * 24 * 20))
                due = dispatched + timedelta(days=rng.choice((5, 7, 10, 15)))
                late = rng.random() > 0.97 + 0.03 * diligence
                done = due + timedelta(hours=rng.randrange(1, 72)) if late else \
                    dispatched + (due - dispatched) * rng.uniform(0.2, 0.95)
                rated = rng.random() < 0.8
                mood = ("满意" if rng.random() < 0.8 else "基本满意") if rng.random() < satisfied else "不满意"
                w.writerow([f"TA{year}{n:06d}", units[code], f"{dispatched:%Y-%m-%d %H:%M:%S}",
                            f"{due:%Y-%m-%d %H:%M:%S}", f"{done:%Y-%m-%d %H:%M:%S}", "是",
                            "是" if rng.random() < 0.985 + 0.015 * diligence else "否", mood if rated else "未评价",
                            "否" if rng.random() < 0.01 else "是", "群众诉求（示例）"])
    return path


def _submit_reports(app: Any, rng: random.Random, year: int, unit: str, diligence: float, actor: str) -> int:
    calendar = calendar_of(app.refresh().db)
    n = 0
    for kind in ("monthly", "quarterly"):
        for period in periods_of_year(kind, year):
            if rng.random() > 0.9 + 0.1 * diligence:
                continue  # never submitted
            try:
                day = calendar.add_working_days(period_end(kind, period), rng.choice((2, 3, 4, 5, 5, 6 if
                                                                                      diligence < 0.8 else 4)))
            except CalendarYearUnknown:
                continue
            app.submit_report(unit=unit, kind=kind, period=period, on=day, evidence=f"{kind}报告 {period}", actor=actor)
            n += 1
    return n


def record_demo_year(app: Any, year: int, actor: str) -> str:
    """Record a sample year (unless the store already holds one); return a one-line summary."""
    demo_actor = f"{actor} (demo)"
    view = app.refresh()
    shown = _demo_already_recorded(view, year)
    if shown is not None:
        return shown
    # All or nothing: what the demo needs is checked before its first event, so a refusal records nothing.
    _check_demo_year(app, view, year)
    rng = random.Random(year)  # one sequence for the whole year, drawn in this order: the same year every time
    app.adopt_ruleset(year, builtin_text(), builtin_source(), demo_actor)
    app.adopt_ruleset(year + 1, builtin_text(), builtin_source(), demo_actor)  # December's report is due then
    ruleset = app.ruleset(year)
    assessments = _assess_units(app, rng, year, ruleset, demo_actor)
    occurrences = _occurrences(app, rng, year, demo_actor)
    app.save_new(*occurrences, conflict="the demo year was recorded meanwhile")
    reports = sum(_submit_reports(app, rng, year, code, p[2], demo_actor) for code, p in PROFILES.items())
    _notices_and_explanations(app, rng, year, demo_actor)
    with tempfile.TemporaryDirectory() as tmp:
        units = {u.code: u.name for u in ruleset.units}
        wo = import_workorders(app, str(_workorders_file(rng, year, units, Path(tmp))), demo_actor)
    _corrections(app, [str(o.id) for o in occurrences[:3]], demo_actor)
    app.refresh()
    return _("recorded the {year} demo year: {occurrences} occurrences, {assessments} assessments, {reports} "
             "reports, {orders} work orders, 1 retraction, 2 disputes").format(
        year=year, occurrences=len(occurrences), assessments=assessments, reports=reports, orders=wo["new"])


def _demo_already_recorded(view: Any, year: int) -> str | None:
    """What to say of a store already holding the demo year (None: it holds none); a refusal for a store holding
    other records, or a demo year cut short."""
    others = view.db.execute("SELECT COUNT(*) FROM log WHERE recorded_by NOT LIKE '%(demo)'").fetchone()[0]
    if others:
        raise RuleViolation(_("demo only records into a fresh store (or one it made): this store holds other "
                              "records; use e.g. --store sqlite:///hotline-ledger-demo.db"))
    if not view.db.execute("SELECT COUNT(*) FROM occurrences WHERE year=?", (year,)).fetchone()[0]:
        return None
    # Its last step decides two disputes: a year without them was cut short (by a version that checked less).
    decided = view.db.execute("SELECT COUNT(*) FROM disputes d JOIN occurrences o ON o.id = d.target "
                              "WHERE o.year=? AND d.decision IS NOT NULL", (year,)).fetchone()[0]
    if decided < 2:
        raise RuleViolation(_("this store holds a half-recorded {year} demo year (an earlier run stopped): "
                              "run the demo on a fresh store").format(year=year))
    return _("the store already holds the {year} demo year: showing it").format(year=year)


def _check_demo_year(app: Any, view: Any, year: int) -> None:
    """Refuse a year not over yet, or one the working-day calendar does not know."""
    today = app.clock(default_zone()).date()  # the zone of the ruleset the demo adopts
    if date(year, 12, 31) >= today:
        raise RuleViolation(_("no demo for {year}: a demo records a whole year, and {year} is not over yet (records "
                              "are never dated after today, {today})").format(year=year, today=today))
    calendar = calendar_of(view.db)
    if year not in calendar.known_years():
        known = sorted(calendar.known_years())
        raise RuleViolation(_("no demo for {year}: the working-day calendar does not know {year} yet (it knows "
                              "{first}–{last}); choose one of those years, or enter {year}'s rulings with `calendar "
                              "set` and `calendar complete {year}` first").format(year=year, first=known[0],
                                                                                   last=known[-1]))


def _assess_units(app: Any, rng: random.Random, year: int, ruleset: Any, actor: str) -> int:
    """Assess every unit on every assessment item, a little short of the maximum; the number of assessments."""
    assessed = [i for i in ruleset.items if recorded_as(i) == "assessment"]
    for code, (_name, _volume, diligence) in PROFILES.items():
        for item in assessed:
            shortfall = Decimal(rng.choice((0, 0, 0, 1, 2) if diligence > 0.7 else (0, 1, 2, 3))) / 10
            points = max(Decimal(0), item.max - shortfall * item.max)
            app.assess(unit=code, item=item.code, points=points.quantize(Decimal("0.01")), on=date(year, 12, 20),
                       evidence=f"{year}年度考核检查记录", actor=actor)
    return len(PROFILES) * len(assessed)


def _occurrences(app: Any, rng: random.Random, year: int, actor: str) -> list[Any]:
    """Each unit's deductions (more for a less diligent one), its supervised orders and a few commendations:
    the occurrences to record, not yet saved."""
    occurrences = []
    for code, (_name, _volume, diligence) in PROFILES.items():
        for item, rate in DEDUCTIONS.items():
            for _n in range(rng.randrange(0, int(rate * (1.6 - diligence)) + 1)):
                day = _random_day(rng, year)
                fields = app.occurrence_fields(code, item, day, 1, f"督办单 {year}-{rng.randrange(1000, 9999)}")
                occurrences.append(Occurrence.record(**fields, actor=actor))
        supervised = rng.randrange(15, 70)
        fields = app.occurrence_fields(code, "3.2.1.1", date(year, 12, 28), supervised, f"首次督办汇总表 {year}")
        occurrences.append(Occurrence.record(**fields, actor=actor))
        for _n in range(rng.choice((0, 0, 1, 1, 2))):
            fields = app.occurrence_fields(code, "5.1", _random_day(rng, year), 1, "市领导批示（表扬）")
            occurrences.append(Occurrence.record(**fields, actor=actor))
    return occurrences


def _notices_and_explanations(app: Any, rng: random.Random, year: int, actor: str) -> None:
    """A few first-supervision notices per unit, each explained (late now and then)."""
    for code, (_name, _volume, diligence) in PROFILES.items():
        calendar = calendar_of(app.refresh().db)
        for k in range(rng.randrange(1, 4)):
            received = _random_day(rng, year)
            if received.month == 12:
                continue
            notice_id = f"SC-{year}-{code}-{k + 1}"
            app.receive_notice(unit=code, notice=notice_id, received=received, evidence=f"首次督办通知 {notice_id}",
                               actor=actor)
            late_by = 0 if rng.random() < 0.6 + 0.4 * diligence else rng.randrange(1, 4)
            app.explain(notice=notice_id, on=calendar.add_working_days(received, 5 + late_by),
                        evidence=f"情况说明 {notice_id}", actor=actor)


def _corrections(app: Any, ids: list[str], actor: str) -> None:
    """The centre corrects itself and settles disputes: one retraction, one accepted, one rejected."""
    app.retract(ids[0], "录入错误：重复登记", actor)
    accepted = app.open_dispute(event_id=ids[1], reason="已按要求答复，附回访录音", evidence="回访录音 2-17",
                                actor=actor)
    app.decide_dispute(dispute_id=accepted, decision="accept", reason="核实录音，答复详细", actor=actor)
    rejected = app.open_dispute(event_id=ids[2], reason="信息已上传", evidence="截图", actor=actor)
    app.decide_dispute(dispute_id=rejected, decision="reject", reason="上传时间晚于政策发布三天", actor=actor)


#: The demo's accounts: one per role (login → role, unit).
DEMO_ACCOUNTS = {"admin": ("admin", None), "clerk": ("clerk", None), "taishan": ("unit", "taishan"),
                 "auditor": ("auditor", None), "viewer": ("viewer", None)}


def demo_accounts(app: Any, actor: str) -> dict[str, str]:
    """One account per role with a fresh random password each (returned once, to be printed once).

    A unit account belongs to a unit of the current year's ruleset: the built-in one is adopted for
    this year if none is. Run again, the accounts keep their roles and get new passwords.
    """
    import secrets

    from ledger.domain.errors import NoRuleset

    this_year = app.clock(default_zone()).year
    try:
        app.ruleset(this_year)
    except NoRuleset:
        app.adopt_ruleset(this_year, builtin_text(), builtin_source(), actor)
    passwords = {}
    for login, (role, unit) in DEMO_ACCOUNTS.items():
        password = secrets.token_urlsafe(12)
        if _exists(app, login):
            app.set_password(login, password, actor)
        else:
            app.add_account(login=login, role=role, unit=unit, name=f"示例{role}", actor=actor, password=password)
        passwords[login] = password
    return passwords


def _exists(app: Any, login: str) -> bool:
    from ledger.domain.errors import NotFound

    try:
        app.account(login)
    except NotFound:
        return False
    return True
