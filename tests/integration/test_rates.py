"""The four work-order items of RUBRIC.md §6 scored from imported exports, on both backends.

Every expectation is worked out by hand in a comment: the rates are exact fractions compared
with the threshold, and each item's points are rounded once, half-up, to 0.01.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from ledger.usecases.imports.workorder_import import import_workorders
from projections.reading import open_reading

HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
          "是否计入统计"]
YEAR_END = date(2025, 12, 31)


def order(order_id: str, unit: str, *, dispatched: str = "2025-04-01 09:00:00", due: str = "2025-04-08 09:00:00",
          completed: str = "2025-04-03 10:00:00", reply_required: str = "是", replied: str = "是",
          satisfaction: str = "满意", counted: str = "是") -> list[str]:
    """One export row; the defaults are a completed, replied, satisfied order of April 2025."""
    return [order_id, unit, dispatched, due, completed, reply_required, replied, satisfaction, counted]


def write_export(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> str:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return str(path)


def satisfaction_rows(prefix: str, unit: str, satisfied: int, unsatisfied: int, unrated: int = 0) -> list[list[str]]:
    """``satisfied`` 满意 orders, ``unsatisfied`` 不满意 ones and ``unrated`` 未评价 ones."""
    labels = ["满意"] * satisfied + ["不满意"] * unsatisfied + ["未评价"] * unrated
    return [order(f"{prefix}{n:05d}", unit, satisfaction=label) for n, label in enumerate(labels)]


@pytest.fixture
def app(ledger: Any) -> Any:
    """The ledger with the Tai'an ruleset adopted for 2025."""
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
    return ledger


def item(app: Any, unit: str, code: str, as_of: date = YEAR_END) -> Any:
    """One unit's result line for one item, read from the shared read model."""
    scores = open_reading(app, 2025, as_of).scores()
    return next(s for s in scores if s.unit == unit).item(code)


class TestSatisfaction:
    def test_177_satisfied_of_200_rated_is_88_5_percent_and_scores_19_70(self, app, tmp_path):
        # 10 unrated orders stay out of the denominator: 177 / 200 = 88.5 %, 1.5 points below 90 %,
        # 20 − 1.5 × 0.2 = 19.70.
        rows = satisfaction_rows("TS", "泰山区", satisfied=177, unsatisfied=23, unrated=10)
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        result = item(app, "taishan", "2.3.2")

        assert (result.numerator, result.denominator) == (177, 200)
        assert result.points == Decimal("19.70")
        assert result.status == "scored"

    def test_gaoxin_at_91_percent_loses_0_20_while_taishan_at_91_percent_loses_nothing(self, app, tmp_path):
        # 91 / 100 = 91 %: gaoxin's threshold is 92 % → 20 − 1 × 0.2 = 19.80; taishan's is 90 % → 20.00.
        rows = satisfaction_rows("GX", "泰安高新区", 91, 9) + satisfaction_rows("TS", "taishan", 91, 9)
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        assert item(app, "gaoxin", "2.3.2").points == Decimal("19.80")
        assert item(app, "taishan", "2.3.2").points == Decimal("20.00")

    def test_the_threshold_is_compared_on_the_exact_fraction_not_a_rounded_percent(self, app, tmp_path):
        # 899 / 1000 = 89.9 % is below 90 % even though it shows as 89.90: 20 − 0.1 × 0.2 = 19.98.
        rows = satisfaction_rows("TS", "taishan", 899, 101)
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        assert item(app, "taishan", "2.3.2").points == Decimal("19.98")

    def test_a_unit_whose_orders_are_all_unrated_is_pending_on_2_3_2(self, app, tmp_path):
        rows = satisfaction_rows("NY", "宁阳县", 0, 0, unrated=5)
        rows.append(order("NY-empty", "宁阳县", satisfaction=""))  # an empty cell is unrated too
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        result = item(app, "ningyang", "2.3.2")

        assert result.status == "pending"
        assert (result.numerator, result.denominator) == (0, 0)
        assert result.points == Decimal("0.00")
        # The same orders do count where they have a denominator: 6 replied of 6 → 10.00.
        assert item(app, "ningyang", "2.3.3").points == Decimal("10.00")

    def test_which_labels_count_as_satisfied_is_ruleset_data(self, ledger, tmp_path):
        # With only 满意 satisfied, 6 满意 + 4 基本满意 is 6 / 10 = 60 %: 20 − 30 × 0.2 = 14.00
        # (with the Tai'an default it would be 10 / 10 = 100 %).
        text = builtin_text().replace('satisfied_values = ["满意", "基本满意"]', 'satisfied_values = ["满意"]')
        assert text != builtin_text()
        ledger.adopt_ruleset(2025, text, "strict.toml", "tester")
        rows = [order(f"TS{n}", "taishan", satisfaction="满意" if n < 6 else "基本满意") for n in range(10)]
        import_workorders(ledger, write_export(tmp_path / "orders.csv", rows), "tester")

        assert item(ledger, "taishan", "2.3.2").points == Decimal("14.00")


class TestVolume:
    def test_2_3_1_is_0_6_plus_0_4_v_over_vmax_times_5(self, app, tmp_path):
        # V: taishan 4, daiyue 2 (its 2024 order and its uncounted order are not in 2025's V), Vmax 4.
        # taishan (0.6 + 0.4 × 4/4) × 5 = 5.00; daiyue (0.6 + 0.4 × 2/4) × 5 = 4.00;
        # xintai, with no order, (0.6 + 0.4 × 0/4) × 5 = 3.00.
        rows = [order(f"TS{n}", "taishan") for n in range(4)]
        rows += [order("DY1", "daiyue"), order("DY2", "daiyue"),
                 order("DY-2024", "daiyue", dispatched="2024-12-31 23:59:59", due="2025-01-06 00:00:00"),
                 order("DY-uncounted", "daiyue", counted="否")]
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        assert item(app, "taishan", "2.3.1").points == Decimal("5.00")
        assert item(app, "daiyue", "2.3.1").points == Decimal("4.00")
        assert (item(app, "daiyue", "2.3.1").numerator, item(app, "daiyue", "2.3.1").denominator) == (2, 4)
        assert item(app, "xintai", "2.3.1").points == Decimal("3.00")

    def test_2_3_1_is_pending_when_no_unit_has_a_work_order(self, app):
        assert item(app, "taishan", "2.3.1").status == "pending"


class TestReply:
    def test_19_replied_of_20_requiring_a_reply_scores_9_50(self, app, tmp_path):
        # The order needing no reply is left out: 19 / 20 = 95 %, 5 points below 100 %, 10 − 5 × 0.1 = 9.50.
        rows = [order(f"DP{n}", "东平县", replied="否" if n == 0 else "是") for n in range(20)]
        rows.append(order("DP-no-reply", "东平县", reply_required="否", replied="否"))
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        result = item(app, "dongping", "2.3.3")

        assert (result.numerator, result.denominator) == (19, 20)
        assert result.points == Decimal("9.50")


class TestOnTime:
    def rows(self) -> list[list[str]]:
        feicheng = "肥城市"
        return [
            *(order(f"FC{n}", feicheng, due="2025-05-10 18:00:00", completed="2025-05-09 12:00:00") for n in range(7)),
            # completed exactly at its due time: on time
            order("FC-at-due", feicheng, due="2025-05-10 18:00:00", completed="2025-05-10 18:00:00"),
            order("FC-late", feicheng, due="2025-05-10 18:00:00", completed="2025-05-11 09:00:00"),
            # still open and past its due time: late
            order("FC-open-overdue", feicheng, due="2025-05-10 18:00:00", completed=""),
            # dispatched in 2024, due in 2025: counts in 2025 by its due time
            order("FC-from-2024", feicheng, dispatched="2024-12-30 09:00:00", due="2025-01-03 18:00:00",
                  completed="2025-01-02 10:00:00"),
            # due in July and still open: not due by 30 June
            order("FC-due-july", feicheng, due="2025-07-15 18:00:00", completed=""),
        ]

    def test_an_open_order_past_its_due_time_counts_as_late(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "orders.csv", self.rows()), "tester")

        # Due in 2025: 7 + at-due + late + open-overdue + from-2024 + due-july = 12, on time 7 + 1 + 1 = 9.
        # 9 / 12 = 75 %, 25 points below 100 %: 10 − 25 × 0.1 = 7.50.
        result = item(app, "feicheng", "2.3.4")
        assert (result.numerator, result.denominator) == (9, 12)
        assert result.points == Decimal("7.50")

    def test_as_of_counts_only_the_orders_due_by_that_date(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "orders.csv", self.rows()), "tester")

        # By 30 June the July order is not due yet: 9 / 11 = 81.8181…%, 18.1818… points below 100 %,
        # 10 − 1.81818… = 8.1818… → 8.18.
        result = item(app, "feicheng", "2.3.4", as_of=date(2025, 6, 30))
        assert (result.numerator, result.denominator) == (9, 11)
        assert result.points == Decimal("8.18")


class TestUncounted:
    def test_an_order_exported_with_counted_no_leaves_every_rate_and_the_volume(self, app, tmp_path):
        # Two counted orders, fully satisfactory; the uncounted one is unsatisfied, unreplied and late.
        rows = [order("XT1", "新泰市"), order("XT2", "新泰市"),
                order("XT-out", "新泰市", satisfaction="不满意", replied="否", completed="", counted="否")]
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

        # 2 / 2 on every rate; V = 2 = Vmax → 5.00.
        for code, counts, points in (("2.3.1", (2, 2), "5.00"), ("2.3.2", (2, 2), "20.00"),
                                     ("2.3.3", (2, 2), "10.00"), ("2.3.4", (2, 2), "10.00")):
            result = item(app, "xintai", code)
            assert ((result.numerator, result.denominator), result.points) == (counts, Decimal(points)), code


class TestScreening:
    def setup_orders(self, app: Any, tmp_path: Path) -> None:
        # taishan: 8 satisfied of 10 → 80 %: 20 − 10 × 0.2 = 18.00. TS-bad-1 is also unreplied.
        rows = [order(f"TS{n}", "taishan") for n in range(8)]
        rows += [order("TS-bad-1", "taishan", satisfaction="不满意", replied="否"),
                 order("TS-bad-2", "taishan", satisfaction="不满意")]
        import_workorders(app, write_export(tmp_path / "orders.csv", rows), "tester")

    def test_an_accepted_screening_takes_the_order_out_of_that_rate_only(self, app, tmp_path):
        self.setup_orders(app, tmp_path)
        assert item(app, "taishan", "2.3.2").points == Decimal("18.00")

        dispute = app.open_screening(order_id="TS-bad-1", rate="satisfaction", reason="恶意差评",
                                     evidence="甄别申请2025-07", actor="taishan-office")
        # An open screening changes nothing yet.
        assert item(app, "taishan", "2.3.2").points == Decimal("18.00")
        app.decide_dispute(dispute_id=dispute, decision="accept", reason="核实为恶意差评", actor="centre")

        # 8 / 9 = 88.888…%, 1.111… points below 90 %: 20 − 0.2222… = 19.777… → 19.78.
        sat = item(app, "taishan", "2.3.2")
        assert (sat.numerator, sat.denominator) == (8, 9)
        assert sat.points == Decimal("19.78")
        # The reply rate still counts TS-bad-1: 9 / 10 = 90 %, 10 − 10 × 0.1 = 9.00.
        reply = item(app, "taishan", "2.3.3")
        assert (reply.numerator, reply.denominator) == (9, 10)
        assert reply.points == Decimal("9.00")

    def test_a_rejected_screening_changes_nothing(self, app, tmp_path):
        self.setup_orders(app, tmp_path)
        dispute = app.open_screening(order_id="TS-bad-2", rate="satisfaction", reason="来电人误解",
                                     evidence="甄别申请2025-08", actor="taishan-office")
        app.decide_dispute(dispute_id=dispute, decision="reject", reason="理由不充分", actor="centre")

        sat = item(app, "taishan", "2.3.2")
        assert (sat.numerator, sat.denominator) == (8, 10)
        assert sat.points == Decimal("18.00")

    def test_a_screening_survives_a_later_export_of_the_same_order(self, app, tmp_path):
        self.setup_orders(app, tmp_path)
        dispute = app.open_screening(order_id="TS-bad-1", rate="satisfaction", reason="恶意差评",
                                     evidence="甄别申请2025-07", actor="taishan-office")
        app.decide_dispute(dispute_id=dispute, decision="accept", reason="核实", actor="centre")
        # A later export in which TS-bad-1 has been replied to.
        later = [order("TS-bad-1", "taishan", satisfaction="不满意", replied="是")]
        counts = import_workorders(app, write_export(tmp_path / "later.csv", later), "tester",
                                   exported_at="2025-08-01T00:00:00")

        assert counts["changed"] == 1
        # Still screened out of the satisfaction rate: 8 / 9 → 19.78; replies now 10 / 10 → 10.00.
        assert item(app, "taishan", "2.3.2").points == Decimal("19.78")
        assert item(app, "taishan", "2.3.3").points == Decimal("10.00")
