"""The demo year's plan (ledger/usecases/demo_plan.py): the items chosen by kind, Tai'an's figures as data, every
other ruleset's derived from the year and the positions — the same plan every time."""

from __future__ import annotations

from pathlib import Path

from ledger.rulesets.loading import builtin_text, parse_ruleset
from ledger.usecases.demo_plan import demo_plan

SMALL = Path(__file__).resolve().parents[1] / "data" / "demo_small_ruleset.toml"


def _small():
    return parse_ruleset(SMALL.read_text(encoding="utf-8"), "demo_small_ruleset.toml")


def test_taians_plan_is_its_shipped_figures() -> None:
    plan = demo_plan(parse_ruleset(builtin_text()), 2025)
    assert [(u.code, u.orders) for u in plan.units][:2] == [("taishan", 2400), ("daiyue", 2100)]
    assert sum(u.orders for u in plan.units) == 12000
    assert plan.occurrences[0] == ("2.1", 8) and len(plan.occurrences) == 15
    assert (plan.counted, plan.bonuses, plan.schedules, plan.notices) == (("3.2.1.1",), ("5.1",),
                                                                            ("monthly", "quarterly"), True)
    assert plan.order_prefix == "TA" and not plan.every_item


def test_a_taian_ruleset_renaming_a_unit_gets_a_derived_plan() -> None:
    text = builtin_text().replace('code = "jingqu"', 'code = "scenic"')
    plan = demo_plan(parse_ruleset(text), 2025)
    assert [u.code for u in plan.units][-1] == "scenic"
    assert plan.every_item and plan.units[0].orders != 2400


def test_another_rulesets_plan_is_chosen_by_kind_and_derived_deterministically() -> None:
    plan = demo_plan(_small(), 2025)
    assert [code for code, _rate in plan.occurrences] == ["2.1"]
    assert (plan.counted, plan.bonuses, plan.schedules, plan.notices) == (("2.2",), ("2.5",), ("monthly",), True)
    assert [i.code for i in plan.assessed] == ["3.1"]
    assert [u.code for u in plan.units] == ["east", "west", "north"]
    assert plan.order_prefix == "XI"
    assert demo_plan(_small(), 2025) == plan  # the same year: the same plan
    assert demo_plan(_small(), 2024).units != plan.units  # another year: other figures
    assert all(200 <= u.orders < 1000 and 0.5 <= u.diligence <= 0.95 for u in plan.units)
    assert not plan.applies("north", "3.1") and plan.applies("east", "3.1")
