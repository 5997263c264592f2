"""``demo``: a realistic sample year, recorded through the same use cases the staff use.

The year is generated from the ruleset it runs (``ledger.usecases.demo_plan``: its units, and its items
chosen by kind). Deterministic (seeded by the year), so two demos of the same year give the same ranking.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ledger.aggregates import Occurrence
from ledger.domain.calendar import CalendarYearUnknown
from ledger.domain.defaults import builtin_source
from ledger.domain.errors import RuleViolation
from ledger.rulesets.loading import builtin_text, parse_ruleset
from ledger.translation import gettext as _
from ledger.usecases.demo_orders import workorders_file
from ledger.usecases.demo_plan import DemoPlan, Profile, demo_plan, shortfall_points
from ledger.usecases.imports.workorder_import import import_workorders
from projections.deadlines import period_end, periods_of_year
from projections.facts import calendar_of


def _random_day(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _submit_reports(app: Any, rng: random.Random, year: int, plan: DemoPlan, unit: Profile, actor: str) -> int:
    """The unit's reports on every schedule the ruleset judges, most on time; the number submitted."""
    calendar = calendar_of(app.refresh().db)
    n = 0
    for kind in plan.schedules:
        for period in periods_of_year(kind, year):
            if rng.random() > 0.9 + 0.1 * unit.diligence:
                continue  # never submitted
            try:
                day = calendar.add_working_days(period_end(kind, period), rng.choice((2, 3, 4, 5, 5, 6 if
                                                                                      unit.diligence < 0.8 else 4)))
            except CalendarYearUnknown:
                continue
            app.submit_report(unit=unit.code, kind=kind, period=period, on=day, evidence=f"{kind}报告 {period}",
                              actor=actor)
            n += 1
    return n


def record_demo_year(app: Any, year: int, actor: str, text: str | None = None, source: str | None = None) -> str:
    """Record a sample year of the ruleset ``text`` (the built-in one by default, adopted from ``source``),
    unless the store already holds one; return a one-line summary."""
    demo_actor = f"{actor} (demo)"
    text, source = (text, source or "<ruleset>") if text is not None else (builtin_text(), builtin_source())
    view = app.refresh()
    shown = _demo_already_recorded(view, year)
    if shown is not None:
        return shown
    # All or nothing: what the demo needs is checked before its first event, so a refusal records nothing.
    _check_demo_year(app, view, year, parse_ruleset(text, source))
    rng = random.Random(year)  # one sequence for the whole year, drawn in this order: the same year every time
    app.adopt_ruleset(year, text, source, demo_actor)
    app.adopt_ruleset(year + 1, text, source, demo_actor)  # December's report is due then
    ruleset = app.ruleset(year)
    plan = demo_plan(ruleset, year)
    assessments = _assess_units(app, rng, year, plan, demo_actor)
    occurrences = _occurrences(app, rng, year, plan, demo_actor)
    if occurrences:
        app.save_new(*occurrences, conflict="the demo year was recorded meanwhile")
    reports = sum(_submit_reports(app, rng, year, plan, unit, demo_actor) for unit in plan.units)
    if plan.notices:
        _notices_and_explanations(app, rng, year, plan, demo_actor)
    with tempfile.TemporaryDirectory() as tmp:
        wo = import_workorders(app, str(workorders_file(rng, year, ruleset, plan, Path(tmp))), demo_actor)
    counts = {"year": year, "occurrences": len(occurrences), "assessments": assessments, "reports": reports,
              "orders": wo["new"]}
    if not occurrences:  # a ruleset without occurrence items: nothing to retract or dispute
        app.refresh()
        return _("recorded the {year} demo year: {occurrences} occurrences, {assessments} assessments, {reports} "
                 "reports, {orders} work orders").format(**counts)
    _corrections(app, [str(o.id) for o in occurrences[:3]], demo_actor)
    app.refresh()
    return _("recorded the {year} demo year: {occurrences} occurrences, {assessments} assessments, {reports} "
             "reports, {orders} work orders, 1 retraction, 2 disputes").format(**counts)


def _demo_already_recorded(view: Any, year: int) -> str | None:
    """What to say of a store already holding the demo year (None: it holds none); a refusal for a store holding
    other records, or a demo year cut short."""
    others = view.db.execute("SELECT COUNT(*) FROM log WHERE recorded_by NOT LIKE '%(demo)'").fetchone()[0]
    if others:
        raise RuleViolation(_("demo only records into a fresh store (or one it made): this store holds other "
                              "records; use e.g. --store sqlite:///hotline-ledger-demo.db"))
    occurrences = view.db.execute("SELECT COUNT(*) FROM occurrences WHERE year=?", (year,)).fetchone()[0]
    assessed = view.db.execute("SELECT COUNT(*) FROM assessments WHERE year=?", (year,)).fetchone()[0]
    if not occurrences and not assessed:
        return None
    # Its last step decides two disputes (its last step is the work-order import when the ruleset has no occurrence
    # items): a year without them was cut short (by a version that checked less).
    decided = view.db.execute("SELECT COUNT(*) FROM disputes d JOIN occurrences o ON o.id = d.target "
                              "WHERE o.year=? AND d.decision IS NOT NULL", (year,)).fetchone()[0]
    orders = view.db.execute("SELECT COUNT(*) FROM workorders").fetchone()[0]
    cut_short = decided < 2 if occurrences else orders == 0
    if cut_short:
        raise RuleViolation(_("this store holds a half-recorded {year} demo year (an earlier run stopped): "
                              "run the demo on a fresh store").format(year=year))
    return _("the store already holds the {year} demo year: showing it").format(year=year)


def _check_demo_year(app: Any, view: Any, year: int, ruleset: Any) -> None:
    """Refuse a year not over yet, or one the working-day calendar does not know."""
    today = app.clock(ZoneInfo(ruleset.scoring.timezone)).date()  # the zone of the ruleset the demo adopts
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


def _assess_units(app: Any, rng: random.Random, year: int, plan: DemoPlan, actor: str) -> int:
    """Assess every unit on every assessment item, a little short of the maximum; the number of assessments."""
    n = 0
    for unit in plan.units:
        for item in (i for i in plan.assessed if plan.applies(unit.code, i.code)):
            n += 1
            app.assess(unit=unit.code, item=item.code, points=shortfall_points(item, rng, unit.diligence),
                       on=date(year, 12, 20), evidence=f"{year}年度考核检查记录", actor=actor)
    return n


def _occurrences(app: Any, rng: random.Random, year: int, plan: DemoPlan, actor: str) -> list[Any]:
    """Each unit's deductions (more for a less diligent one), its counted orders and a few commendations:
    the occurrences to record, not yet saved."""
    occurrences = []
    recorded: set[str] = set()

    def record(unit: str, item: str, day: date, count: int, evidence: str) -> None:
        fields = app.occurrence_fields(unit, item, day, count, evidence)
        occurrences.append(Occurrence.record(**fields, actor=actor))
        recorded.add(item)

    for unit in plan.units:
        for item, rate in ((i, r) for i, r in plan.occurrences if plan.applies(unit.code, i)):
            for _n in range(rng.randrange(0, int(rate * (1.6 - unit.diligence)) + 1)):
                day = _random_day(rng, year)
                record(unit.code, item, day, 1, f"督办单 {year}-{rng.randrange(1000, 9999)}")
        for item in (i for i in plan.counted if plan.applies(unit.code, i)):
            record(unit.code, item, date(year, 12, 28), rng.randrange(15, 70), f"首次督办汇总表 {year}")
        for item in (i for i in plan.bonuses if plan.applies(unit.code, i)):
            for _n in range(rng.choice((0, 0, 1, 1, 2))):
                record(unit.code, item, _random_day(rng, year), 1, "市领导批示（表扬）")
    if plan.every_item:  # an item no unit happened to commit: once, by the first unit it applies to
        for item in (*(i for i, _rate in plan.occurrences), *plan.counted, *plan.bonuses):
            unit = next((u.code for u in plan.units if plan.applies(u.code, item)), None)
            if item not in recorded and unit is not None:
                record(unit, item, _random_day(rng, year), 1, f"督办单 {year}-{rng.randrange(1000, 9999)}")
        while 0 < len(occurrences) < 3:  # the corrections retract one and dispute two
            record(occurrences[0].unit, occurrences[0].item, _random_day(rng, year), 1, f"督办单 {year}-补录")
    return occurrences


def _notices_and_explanations(app: Any, rng: random.Random, year: int, plan: DemoPlan, actor: str) -> None:
    """A few first-supervision notices per unit, each explained (late now and then)."""
    for unit in plan.units:
        code, diligence = unit.code, unit.diligence
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


#: The demo's accounts: one per role (login, role); the unit account's login is its unit's code.
DEMO_ROLES = (("admin", "admin"), ("clerk", "clerk"), (None, "unit"), ("auditor", "auditor"), ("viewer", "viewer"))


def demo_account_roles(ruleset: Any) -> dict[str, tuple[str, str | None]]:
    """The demo's accounts under ``ruleset`` (login → role, unit): the unit account is its first unit's."""
    first = ruleset.units[0].code
    return {login or first: (role, first if login is None else None) for login, role in DEMO_ROLES}


#: The demo's accounts under the built-in ruleset (login → role, unit).
DEMO_ACCOUNTS = demo_account_roles(parse_ruleset(builtin_text(), builtin_source()))


def demo_accounts(app: Any, actor: str, text: str | None = None, source: str | None = None) -> dict[str, str]:
    """One account per role with a fresh random password each (returned once, to be printed once).

    A unit account belongs to a unit of the current year's ruleset: the ruleset ``text`` (the built-in
    one by default) is adopted for this year if none is. Run again, the accounts keep their roles and
    get new passwords.
    """
    import secrets

    from ledger.domain.errors import NoRuleset

    text, source = (text, source or "<ruleset>") if text is not None else (builtin_text(), builtin_source())
    this_year = app.clock(ZoneInfo(parse_ruleset(text, source).scoring.timezone)).year
    try:
        ruleset = app.ruleset(this_year)
    except NoRuleset:
        app.adopt_ruleset(this_year, text, source, actor)
        ruleset = app.ruleset(this_year)
    passwords = {}
    for login, (role, unit) in demo_account_roles(ruleset).items():
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
