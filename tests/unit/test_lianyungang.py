"""The shipped Lianyungang ruleset reproduces the results of the centre's published monthly bulletins.

Published: 按期办结率 25 points, 1 off per point below 100 %; 群众满意率 25 points, full at 98 %,
0.5 off per point below, never below 12.5; counties out of 150 and districts out of 100, ranked
separately. Each expectation is worked out by hand in its comment.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.rulesets.loading import builtin_text, parse_ruleset
from ledger.rulesets.schema import Ruleset
from projections.scores import RateCounts, UnitFacts, UnitScore, score_city


@pytest.fixture(scope="module")
def lianyungang() -> Ruleset:
    return parse_ruleset(builtin_text("lianyungang"), "lianyungang.toml")


def month(rate: str, numerator: int, denominator: int, when: str = "2025-01") -> UnitFacts:
    """One unit's facts: one month of one rate."""
    return UnitFacts(monthly_rates={rate: {when: RateCounts(numerator, denominator)}})


def sheet(ruleset: Ruleset, unit: str, facts: UnitFacts) -> UnitScore:
    return next(s for s in score_city(ruleset, {unit: facts}) if s.unit == unit)


class TestPublishedResults:
    def test_89_82_percent_on_time_scores_14_82(self, lianyungang: Ruleset) -> None:
        # 4491 / 5000 = 89.82 %, 10.18 points below 100 %: 25 − 10.18 × 1 = 14.82
        line = sheet(lianyungang, "donghai", month("ontime", 4491, 5000)).item("1.1")
        assert line.points == Decimal("14.82")

    @pytest.mark.parametrize(("numerator", "denominator", "points"), [
        (7, 8, "19.75"),   # 87.5 %: 10.5 below 98 %: 25 − 10.5 × 0.5 = 19.75
        (5, 6, "17.67"),   # 83.333… %: 14.666… below: 25 − 7.333… = 17.666… → 17.67
        (3, 4, "13.50"),   # 75 %: 23 below: 25 − 11.5 = 13.50
        (1, 2, "12.50"),   # 50 %: 48 below: 25 − 24 = 1.00, held at 12.50
    ])
    def test_satisfaction_scores_as_published(self, lianyungang: Ruleset, numerator: int, denominator: int,
                                              points: str) -> None:
        line = sheet(lianyungang, "haizhou", month("satisfaction", numerator, denominator)).item("1.2")
        assert line.points == Decimal(points)

    def test_satisfaction_held_at_12_50_reports_what_the_floor_absorbed(self, lianyungang: Ruleset) -> None:
        line = sheet(lianyungang, "haizhou", month("satisfaction", 1, 2)).item("1.2")
        assert line.absorbed == Decimal("11.50")  # 12.50 − 1.00
        assert "→ 保底 12.50（超出的 11.50 不再扣）" in line.explanation

    def test_98_percent_satisfaction_is_full_marks(self, lianyungang: Ruleset) -> None:
        assert sheet(lianyungang, "haizhou", month("satisfaction", 49, 50)).item("1.2").points == Decimal("25.00")

    def test_the_year_is_the_average_of_the_monthly_bulletins(self, lianyungang: Ruleset) -> None:
        facts = UnitFacts(monthly_rates={"ontime": {"2025-01": RateCounts(4491, 5000), "2025-02": RateCounts(10, 10)}})
        # January 14.82, February 25.00: (14.82 + 25.00) / 2 = 19.91
        assert sheet(lianyungang, "donghai", facts).item("1.1").points == Decimal("19.91")


class TestClasses:
    def test_counties_are_out_of_150_and_districts_out_of_100(self, lianyungang: Ruleset) -> None:
        counties = {u.name for u in lianyungang.units if u.unit_class == "county"}
        assert counties == {"东海县", "灌云县", "灌南县"}
        assert lianyungang.full_marks("county") == 150  # 50 + 100
        assert lianyungang.full_marks("district") == 100  # 50 + 50
        assert {u.name for u in lianyungang.units if u.unit_class == "district"} >= {"海州区", "连云区", "赣榆区",
                                                                                      "徐圩新区"}

    def test_counties_and_districts_are_ranked_separately(self, lianyungang: Ruleset) -> None:
        facts = {
            "donghai": UnitFacts(assessments={"2.1": Decimal(90)}),   # 90.00 of 150
            "guanyun": UnitFacts(assessments={"2.1": Decimal(95)}),   # 95.00 of 150
            "haizhou": UnitFacts(assessments={"3.1": Decimal(40)}),   # 40.00 of 100
            "lianyun": UnitFacts(assessments={"3.1": Decimal(45)}),   # 45.00 of 100
        }
        ranks = {s.unit: (s.unit_class, s.rank) for s in score_city(lianyungang, facts)}
        assert ranks["guanyun"] == ("county", 1) and ranks["donghai"] == ("county", 2)
        # haizhou's 40 is below both counties' totals, yet it is second among the districts
        assert ranks["lianyun"] == ("district", 1) and ranks["haizhou"] == ("district", 2)

    def test_a_county_is_not_scored_on_the_district_section(self, lianyungang: Ruleset) -> None:
        codes = [s.code for s in sheet(lianyungang, "donghai", UnitFacts()).sections]
        assert codes == ["1", "2"]
