"""Properties of scoring over random rulesets and random ledgers (issue 15), checked with hypothesis.

- every sheet adds up: items → pools → sections → total, each figure two-decimal;
- floors and caps hold: items, pools, sections and the total never leave their bounds;
- ties share ranks: a unit's rank is 1 + the number of units of its class strictly ahead of it;
- an incremental read equals a rebuild: the read model caught up step by step, and the scores kept between
  calls, give what a view built afresh from the events gives.

The random rulesets and facts are drawn by ``tests/random_cities.py``.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.rulesets.loading import builtin_text
from ledger.rulesets.schema import Ruleset
from ledger.storage.store import parse_store
from ledger.usecases.application import Ledger
from projections.reading import open_reading
from projections.scores import UnitScore, score_city
from tests.random_cities import UNITS, cities, city_facts

D = Decimal
CENT = D("0.01")


def _examples(n: int) -> int:
    """``n`` examples, or a tenth of them (at least 2) in a mutation run (scripts/mutation.sh), which runs each
    test once per mutant: there a test needs to fail fast on a broken rule, not to search wide."""
    return max(2, n // 10) if os.environ.get("HOTLINE_LEDGER_MUTATION") else n


def two_decimal(value: Decimal | None) -> bool:
    """Whether a figure is shown exactly with two decimals."""
    return value is not None and value == value.quantize(CENT)


def _check_pool(line: Any, pool: Any, members: list[Any]) -> None:
    """A pool is its max less its members' (rounded) deductions, held at its floor."""
    assert all(two_decimal(m.deducted) for m in members), members
    expected = max(pool.max - sum((m.deducted for m in members), D(0)), pool.min_points)
    assert line.points == expected.quantize(CENT), line
    assert line.points >= pool.min_points


def _check_member(line: Any, info: dict[str, Any]) -> None:
    """A member deducts a two-decimal amount, never more than its cap."""
    assert two_decimal(line.deducted), line
    if "cap" in info:
        assert line.deducted <= info["cap"], line


def _check_own(line: Any, info: dict[str, Any]) -> None:
    """An item with points of its own: never above max; when scored, never below its floor nor below max − cap."""
    assert two_decimal(line.points), line
    assert line.points <= info["max"], line
    if line.status == "scored":
        assert line.points >= info.get("min_points", D(0)), line
        if "cap" in info:  # a capped deduction: never below max − cap (unless the floor is higher)
            assert line.points >= min(info["max"] - info["cap"], info["max"]), line


def _check_section(ruleset: Ruleset, items: dict[str, dict[str, Any]], section: Any) -> None:
    """The section adds up from its lines: own points less what comes out of the section, floored at 0, plus the
    bonus lines, held at the section's cap."""
    pools = {p.code: p for p in ruleset.pools}
    own = taken = bonus = D(0)
    for line in section.items:
        info = items.get(line.code, {})
        if line.kind == "pool":
            _check_pool(line, pools[line.code], [m for m in section.items if m.pool == line.code])
            own += line.points
        elif line.kind == "bonus":
            assert two_decimal(line.bonus), line
            bonus += line.bonus
        elif line.pool is not None:
            _check_member(line, info)
            taken += line.deducted if line.pool == section.code else D(0)
        else:
            _check_own(line, info)
            own += line.points
    assert {line.code for line in section.items} >= {c for c, i in items.items() if i["section"] == section.code}
    expected = max(own - taken, D(0)) + bonus
    cap = next(s for s in ruleset.sections if s.code == section.code).cap
    assert section.points == (expected if cap is None else min(expected, cap)), (section, expected)
    assert section.capped == (D(0) if cap is None or expected <= cap else expected - cap)
    assert two_decimal(section.points)


def check_sheet(ruleset: Ruleset, items: dict[str, dict[str, Any]], sheet: UnitScore) -> None:
    """Everything that must hold of one unit's sheet: each section, the total and the bonus."""
    for section in sheet.sections:
        _check_section(ruleset, items, section)
    total = sum((s.points for s in sheet.sections), D(0))
    cap = ruleset.scoring.total_cap
    assert sheet.total == (total if cap is None else min(total, cap))
    assert two_decimal(sheet.total)
    bonus_total = sum((line.bonus for s in sheet.sections for line in s.items if line.bonus is not None), D(0))
    assert sheet.bonus == bonus_total
    if ruleset.scoring.bonus_cap is not None:
        assert sheet.bonus <= ruleset.scoring.bonus_cap


def check_ranks(scores: list[UnitScore]) -> None:
    """Ties share ranks: each unit's rank is 1 + the units strictly ahead of it."""
    for s in scores:
        assert s.rank == 1 + sum(other.total > s.total for other in scores), [(o.unit, o.total, o.rank) for o in scores]


def check_rank_items(ruleset: Ruleset, scores: list[UnitScore]) -> None:
    """Ties share ranks on a rank item too: 1 + the units strictly better (units with no value take none)."""
    for item in ruleset.items:
        if item.kind != "rank":
            continue
        placed = [s.item(item.code) for s in scores if s.item(item.code).rank is not None]
        for line in placed:
            value = line.rate if line.rate is not None else line.numerator
            values = [p.rate if p.rate is not None else p.numerator for p in placed]
            ahead = sum((v > value) if item.order == "high_first" else (v < value) for v in values)
            assert line.rank == 1 + ahead, [(p.rank, p.rate, p.numerator) for p in placed]


@settings(max_examples=_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_every_sheet_adds_up_and_keeps_its_floors_and_caps(city) -> None:
    ruleset, items, facts = city
    scores = score_city(ruleset, facts)
    assert sorted(s.unit for s in scores) == list(UNITS)
    for sheet in scores:
        check_sheet(ruleset, items, sheet)


@settings(max_examples=_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_ties_share_ranks_among_units_and_on_rank_items(city) -> None:
    ruleset, items, facts = city
    scores = score_city(ruleset, facts)
    check_ranks(scores)
    check_rank_items(ruleset, scores)


@settings(max_examples=_examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_scores_kept_between_calls_equal_scores_computed_afresh(data) -> None:
    ruleset, items, facts = data.draw(cities())
    kept: dict[str, Any] = {}
    assert score_city(ruleset, facts, kept) == score_city(ruleset, facts)
    # one unit's facts change (a recording): the kept sheets of the others are reused, and all still agree
    changed = dict(facts)
    changed[data.draw(st.sampled_from(UNITS))] = data.draw(city_facts(items))["a"]
    assert score_city(ruleset, changed, kept) == score_city(ruleset, changed)


OCCURRENCE_ITEMS = ("2.1", "2.2.1", "2.2.2", "2.4", "3.2.1.1", "3.2.2.1", "4.1", "5.1", "5.2")
TAIAN_UNITS = ("taishan", "daiyue", "gaoxin")
steps = st.lists(st.one_of(
    st.tuples(st.just("record"), st.sampled_from(TAIAN_UNITS), st.sampled_from(OCCURRENCE_ITEMS),
              st.integers(1, 12), st.integers(1, 5)),
    st.tuples(st.just("retract"), st.integers(0, 50)),
    st.tuples(st.just("read"), st.integers(1, 12)),
), min_size=1, max_size=14)


def _sheets(app: Any, as_of: date, known_at: datetime | None = None) -> list[UnitScore]:
    """Every unit's sheet: from the ledger's read model caught up, or from a view built afresh (``known_at``)."""
    return open_reading(app, 2025, as_of, known_at).scores()


@settings(max_examples=_examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(plan=steps)
# a read between two recordings takes the incremental path (only the recorded unit's facts are gathered again)
@example(plan=[("record", "taishan", "2.1", 3, 2), ("read", 12), ("record", "daiyue", "4.1", 5, 1), ("read", 12),
               ("retract", 0), ("read", 6), ("record", "gaoxin", "5.1", 7, 1)])
def test_an_incremental_read_equals_a_rebuild(monkeypatch, tmp_path, plan) -> None:
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    app = Ledger(parse_store("memory:"))  # a fresh ledger for each example
    try:
        app.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        recorded: list[str] = []
        for n, step in enumerate(plan):
            if step[0] == "record":
                _, unit, item, month, count = step
                recorded.append(app.record_occurrence(unit=unit, item=item, on=date(2025, month, 10), count=count,
                                                      evidence=f"工单{n}", actor="tester"))
            elif step[0] == "retract" and recorded:
                app.retract(recorded.pop(step[1] % len(recorded)), f"录入错误{n}", "tester")
            elif step[0] == "read":  # a read in between: the view catches up piecemeal
                _sheets(app, date(2025, step[1], 28))
        for as_of in (date(2025, 6, 30), date(2025, 12, 31)):
            rebuilt = _sheets(app, as_of, known_at=datetime.now(UTC) + timedelta(minutes=1))
            assert _sheets(app, as_of) == rebuilt
    finally:
        app.close()
