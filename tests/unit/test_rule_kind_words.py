"""What each rule kind says and adds to the JSON (issue 15's mutation run, docs/mutation.md).

Every kind's module holds its words in ``rules check`` (``describe``), its checks' messages, and the fields it adds
to ``score``/``trace --format json``; these tests pin them kind by kind on one small ruleset, every expected text
written out from RUBRIC.md's way of saying it (满分, 扣完为止, 最低…分, 本项最多扣…分).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from ledger.domain.errors import RulesetInvalid
from ledger.rulesets.check import describe_item
from ledger.rulesets.kinds import KINDS, kind_of, names_where
from ledger.rulesets.kinds.base import json_count, n, percent
from ledger.rulesets.loading import parse_ruleset
from projections.score_sheet import ItemResult
from projections.scores import RateCounts, UnitFacts, score_city
from tests.ruleset_text import TWO_UNITS

TOP = 'id = "w"\nname = "措辞"\n'
HEAD = f'{TOP}{TWO_UNITS}\n[[sections]]\ncode = "1"\nname = "办理"\nmax = 100\n'


def item(code: str, kind: str, fields: str, name: str = "事项") -> str:
    return f'[[items]]\ncode = "{code}"\nname = "{name}"\nsection = "1"\nkind = "{kind}"\n{fields}\n'


WORDS = parse_ruleset(
    TOP + '[calendar]\nworking_hours = ["09:00-12:00", "13:30-17:30"]\n'
    '[[workorders.columns]]\nheader = "签收时间"\ntype = "time"\n' + HEAD.removeprefix(TOP)
    + '[[pools]]\ncode = "1.0"\nname = "共用"\nsection = "1"\nmax = 6\n'
    + item("1.1", "per_occurrence", "amount = 0.25\nmax = 3\ncap = 2")
    + item("1.2", "per_block", 'amount = 0.1\nblock = 20\npool = "1.0"')
    + item("1.3", "assessment", "max = 12.5")
    + item("1.4", "bonus", "amount = 0.5")
    + item("1.5", "deadline", 'schedule = "quarterly"\nworking_days = 5\namount = 0.5\npool = "1"')
    + item("1.6", "formula_volume", "max = 10")
    + item("1.7", "formula_volume", 'max = 10\nmin_points = 2\nformula = "max * (V / Vmax) ^ 0.5"')
    + item("1.8", "rank", 'by = "satisfaction"\nmax = 5\nstep = 0.5\nmin_points = 3')
    + item("1.9", "rank", 'by = "volume"\norder = "low_first"\nmax = 5\nstep = 1')
    + item("1.10", "rate_threshold", 'rate = "satisfaction"\nmax = 20\nthreshold = 90\nper_point = 0.2\n'
           'rate_rounding = "whole_points"\nperiod = "monthly_average"\nmin_points = 10')
    + item("1.11", "rate_threshold", 'rate = "ontime"\nmax = 10\nthreshold = 95.5\nper_point = 1\ncap = 4')
    + item("1.12", "per_order", 'start = "due"\nend = "completed"\nworking_days = 10\nyear_by = "due"\n'
           "amount = 0.2\nmax = 4")
    + item("1.13", "per_order", 'start = "dispatched"\nend = "签收时间"\nworking_hours = 2.5\namount = 0.1\n'
           'pool = "1.0"\ncap = 1'),
    "words.toml")

SAID = {
    "1.1": "每发生1次扣0.25分，满分3分，本项最多扣2分，扣完为止",
    "1.2": "全年每满20件扣0.1分，从1.0共用的6分中扣除",
    "1.3": "由考核组评定，0～12.5分；未评定前为“待定”（按0分计）",
    "1.4": "每次加0.5分（加分另计，可超过本部分满分）",
    "1.5": "季度报告须在下季度首月第5个工作日内报送，每逾期或未报1次扣0.5分，"
           "在本部分其他项目计分后从第1部分（办理）得分中扣除，本部分扣完为止",
    "1.6": "承办量得分 = (0.6 + 0.4 × V / Vmax) × 10，V为本单位全年承办量，Vmax为同类单位中最大的承办量",
    "1.7": "承办量得分 = max × (V / Vmax) ^ 0.5，V为本单位全年承办量，Vmax为同类单位中最大的承办量，结果在2～10分之间",
    "1.8": "按群众满意率由高到低在同类单位中排名：第1名得5分，每低一名少0.5分，并列取较好名次，最低3分",
    "1.9": "按承办量由低到高在同类单位中排名：第1名得5分，每低一名少1分，并列取较好名次",
    "1.10": "群众满意率达到90%得满分20分，每低1个百分点扣0.2分（只计整百分点），最低10分；"
            "按月计分，全年得分为有工单月份得分的平均值；无工单时为“待定”",
    "1.11": "按期办结率达到95.5%得满分10分，每低1个百分点扣1分（按比例计算），本项最多扣4分，扣完为止；"
            "无工单时为“待定”",
    "1.12": "办结时间晚于办结时限后10个工作日的工单，每件扣0.2分，满分4分，扣完为止"
            "（工单按办结时限归属年度；办结时间为空的工单，时限一过即计入）",
    "1.13": "签收时间晚于派单时间后2.5个工作小时的工单，每件扣0.1分，从1.0共用的6分中扣除，本项最多扣1分"
            "（工单按派单时间归属年度；签收时间为空的工单，时限一过即计入）",
}


@pytest.mark.parametrize("code", list(SAID))
def test_each_kind_says_what_its_item_scores(code: str) -> None:
    assert describe_item(WORDS, WORDS.item(code)) == SAID[code]


def test_a_kinds_checks_name_the_key_and_what_is_wrong() -> None:
    bad = (HEAD + item("1.1", "rank", 'by = "speed"\nmax = 5\nstep = 1')
           + item("1.2", "rate_threshold", 'rate = "speed"\nmax = 5\nthreshold = 90\nper_point = 1')
           + item("1.3", "per_order", 'start = "签收"\nend = "签收"\nworking_hours = 2\namount = 0.1\nmax = 1')
           + item("1.4", "formula_volume", 'max = 5\nformula = "max * W"'))
    with pytest.raises(RulesetInvalid) as refused:
        parse_ruleset(bad, "bad.toml")
    unknown_time = ("unknown time '签收' (dispatched, due, completed, or a column of [[workorders.columns]] with "
                    'type = "time")')
    assert refused.value.problems == [
        "items[0](1.1).by: cannot rank by 'speed' (volume or a rate: ontime, reply, satisfaction)",
        "items[1](1.2).rate: unknown rate 'speed' (known: ontime, reply, satisfaction)",
        f"items[2](1.3).start: {unknown_time}",
        f"items[2](1.3).end: {unknown_time}",
        "items[2](1.3).end: the same time as start",
        'items[2](1.3).working_hours: needs the working day\'s hours in [calendar] working_hours '
        '(e.g. ["09:00-12:00", "13:30-17:30"])',
        "items[3](1.4).formula: unknown name 'W'; known names: V, Vmax, max",
    ]


def test_the_kinds_are_found_by_what_they_are() -> None:
    assert names_where(recorded="occurrence") == {"per_occurrence", "per_block", "bonus"}
    assert names_where(deducts=True) == {"per_occurrence", "per_block", "rate_threshold", "deadline", "per_order"}
    assert names_where(own_orders=True) == {"rate_threshold"}
    # every attribute must hold: the deducting kinds resting on the unit's own events
    assert names_where(deducts=True, own_events=True) == {"per_occurrence", "per_block", "deadline"}
    assert names_where(recorded="nothing") == frozenset()


def test_numbers_are_written_as_a_person_writes_them() -> None:
    assert [n(Decimal(x)) for x in ("20", "0.50", "12.5", "100.00", "0")] == ["20", "0.5", "12.5", "100", "0"]
    assert n(3) == "3"
    # a rate as a percent, half-up: 2/3 = 66.666… → 66.67; 1/8 = 12.5 → 12.50; 1/800 = 0.125 → 0.13 (not 0.12)
    assert [percent(Fraction(2, 3)), percent(Fraction(1, 8)), percent(Fraction(1, 800)), percent(None)] == [
        "66.67", "12.50", "0.13", None]
    assert [json_count(x) for x in (None, 7, Decimal("3.00"), Decimal("448.5"))] == [None, 7, 3, 448.5]
    assert type(json_count(Decimal("3.00"))) is int


class Sources:
    """What a trace reads, each answer naming what it was asked (the kinds pass it on as it comes)."""

    def costly_orders(self, unit: str, rate: str) -> list[dict[str, Any]]:
        return [{"asked": ("costly", unit, rate)}]

    def occurrence_events(self, unit: str, code: str, amount: Decimal | None) -> list[dict[str, Any]]:
        return [{"asked": ("occurrences", unit, code, amount)}]

    def assessment_events(self, unit: str, code: str) -> list[dict[str, Any]]:
        return [{"asked": ("assessments", unit, code)}]


def _json(code: str, facts: dict[str, UnitFacts]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An item's ``score`` and ``trace`` JSON fields for unit a."""
    line = next(s for s in score_city(WORDS, facts) if s.unit == "a").item(code)
    kind = kind_of(WORDS.item(code))
    assert kind is not None
    return kind.score_json(line, ["e1", "e2"]), kind.trace_json(line, WORDS.item(code), "a", Sources())


def test_a_rate_item_gives_its_percent_counts_threshold_and_costly_orders() -> None:
    # on time 191 of 200 = 95.5 %: exactly at the threshold (shown with two decimals: 95.50)
    score, trace = _json("1.11", {"a": UnitFacts(rates={"ontime": RateCounts(191, 200)})})
    assert score == {"rate": "95.50", "numerator": 191, "denominator": 200}
    assert trace == {"rate": "95.50", "threshold": "95.50", "orders": [{"asked": ("costly", "a", "ontime")}]}


def test_a_rank_item_gives_its_rank_and_a_rate_or_a_volume() -> None:
    facts = {"a": UnitFacts(volume=4, rates={"satisfaction": RateCounts(3, 4)}),
             "b": UnitFacts(volume=9, rates={"satisfaction": RateCounts(4, 4)})}
    # by satisfaction, high first: b (100 %) 1st, a (75 %) 2nd; by volume, low first: a (4) 1st
    assert _json("1.8", facts)[0] == {"rank": 2, "rate": "75.00"}
    assert _json("1.9", facts)[0] == {"rank": 1, "volume": 4}


def test_recorded_kinds_list_their_events_and_a_per_order_item_its_count() -> None:
    facts = {"a": UnitFacts(counts={"1.1": 3})}
    assert _json("1.1", facts) == ({"events": ["e1", "e2"]},
                                   {"events": [{"asked": ("occurrences", "a", "1.1", Decimal("0.25"))}]})
    assert _json("1.3", facts) == ({}, {"events": [{"asked": ("assessments", "a", "1.3")}]})
    result = ItemResult(code="1.12", name="超期", kind="per_order", count=4)
    assert KINDS["per_order"].score_json(result, ["e1"]) == {"count": 4}
