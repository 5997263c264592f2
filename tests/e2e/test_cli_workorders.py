"""``import workorders``, screening (甄别) and ``trace --item 2.3.2`` through the command line, on both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of
from tests.integration.test_rates import HEADER, order, satisfaction_rows, write_export

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def cli_2025(cli: Any) -> Any:
    """The CLI on a store with the Tai'an ruleset adopted for 2025."""
    assert cli("init", "--year", 2025).exit_code == 0
    return cli


def rate_item(cli: Any, unit: str, code: str, *extra: Any) -> dict[str, Any]:
    """One unit's item in ``score --format json`` at the end of 2025."""
    doc = cli.json("score", "--year", 2025, "--as-of", "2025-12-31", *extra)
    return items_of(unit_of(doc, unit))[code]


def log_length(cli: Any) -> int:
    """How many events the ledger holds: unchanged means a refusal recorded nothing."""
    return len(cli.json("log"))


class TestImport:
    def test_an_import_prints_new_changed_and_unchanged_counts_as_json(self, cli_2025, tmp_path):
        counts = cli_2025.json("import", "workorders", DATA / "workorders_small.csv")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (6, 0, 0)

    def test_an_import_prints_its_counts_for_people_and_no_progress_bar_off_a_terminal(self, cli_2025):
        result = cli_2025("import", "workorders", DATA / "workorders_small.csv")

        assert result.exit_code == 0
        assert result.stdout.startswith("new: 6, changed: 0, unchanged: 0")
        assert result.stderr == ""

    def test_importing_the_same_file_again_records_nothing(self, cli_2025):
        cli_2025.json("import", "workorders", DATA / "workorders_small.csv")
        before = log_length(cli_2025)

        counts = cli_2025.json("import", "workorders", DATA / "workorders_small.csv")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 6)
        assert log_length(cli_2025) == before

    def test_as_exported_orders_an_older_file_behind_a_newer_one(self, cli_2025, tmp_path):
        newer = write_export(tmp_path / "may.csv", [order("TA1", "taishan", satisfaction="满意")])
        older = write_export(tmp_path / "april.csv", [order("TA1", "taishan", satisfaction="不满意")])
        cli_2025.json("import", "workorders", newer, "--as-exported", "2025-05-20")

        counts = cli_2025.json("import", "workorders", older, "--as-exported", "2025-04-20")

        assert (counts["new"], counts["changed"], counts["stale"]) == (0, 0, 1)
        # Still 1 satisfied of 1: 20.00.
        assert rate_item(cli_2025, "taishan", "2.3.2")["points"] == "20.00"

    def test_a_file_with_bad_rows_is_refused_naming_every_bad_row_and_records_nothing(self, cli_2025, tmp_path):
        cli_2025.json("import", "workorders", DATA / "workorders_small.csv")
        before, scored = log_length(cli_2025), cli_2025.json("score", "--year", 2025, "--as-of", "2025-12-31")
        path = write_export(tmp_path / "bad.csv", [
            order("TB1", "taishan"),
            order("TB2", "nowhere"),
            order("TB3", "taishan", dispatched="2025-04-10 09:00:00", due="2025-04-01 09:00:00"),
            order("TB4", "taishan", replied="maybe"),
        ])

        result = cli_2025("import", "workorders", path)

        assert result.exit_code == 1
        assert "nothing was imported" in result.stderr
        assert f"{path}:3:承办单位: unknown unit 'nowhere'" in result.stderr
        assert f"{path}:4:办结时限: the due time 2025-04-01T09:00:00 is before the dispatch time" in result.stderr
        assert f"{path}:5:是否已回复: 'maybe' is not 是 or 否" in result.stderr
        assert "Traceback" not in result.stderr
        assert log_length(cli_2025) == before
        assert cli_2025.json("score", "--year", 2025, "--as-of", "2025-12-31") == scored

    def test_a_file_missing_a_required_column_is_refused_naming_it(self, cli_2025, tmp_path):
        before = log_length(cli_2025)
        header = [c for c in HEADER if c != "办结时限"]
        path = write_export(tmp_path / "no_due.csv", [["TC1", "taishan", "2025-04-01", "", "是", "是", "满意", "是"]],
                            header)

        result = cli_2025("import", "workorders", path)

        assert result.exit_code == 1
        assert "办结时限" in result.stderr
        assert log_length(cli_2025) == before

    def test_the_libreoffice_xlsx_scores_the_same_as_the_csv(self, cli_2025, store_url, tmp_path):
        cli_2025.json("import", "workorders", DATA / "workorders_small.csv")
        from_csv = cli_2025.json("score", "--year", 2025, "--as-of", "2025-12-31")

        counts = cli_2025.json("import", "workorders", DATA / "workorders_small_libreoffice.xlsx")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 6)
        assert cli_2025.json("score", "--year", 2025, "--as-of", "2025-12-31") == from_csv


class TestScreening:
    @pytest.fixture
    def taishan_at_80_percent(self, cli_2025, tmp_path):
        # 8 satisfied of 10 rated: 80 %, 10 points below 90 %: 20 − 10 × 0.2 = 18.00.
        rows = satisfaction_rows("TS", "泰山区", satisfied=8, unsatisfied=2)
        cli_2025.json("import", "workorders", write_export(tmp_path / "orders.csv", rows))
        assert rate_item(cli_2025, "taishan", "2.3.2")["points"] == "18.00"
        return cli_2025

    def screen(self, cli: Any, order_id: str, decision: str) -> str:
        opened = cli.json("dispute", "open", "--workorder", order_id, "--rate", "satisfaction",
                          "--reason", "恶意差评", "--evidence", "甄别申请表")
        cli.json("dispute", "decide", opened["id"], "--decision", decision, "--reason", "核实")
        return opened["id"]

    def test_an_accepted_screening_takes_the_order_out_of_the_satisfaction_rate(self, taishan_at_80_percent):
        cli = taishan_at_80_percent
        self.screen(cli, "TS00008", "accept")  # TS00008 and TS00009 are the unsatisfied ones

        item = rate_item(cli, "taishan", "2.3.2")

        # 8 / 9 = 88.888…%, 1.111… points below 90 %: 20 − 0.2222… = 19.78.
        assert (item["numerator"], item["denominator"], item["rate"], item["points"]) == (8, 9, "88.89", "19.78")

    def test_a_rejected_screening_leaves_the_rate_as_it_was(self, taishan_at_80_percent):
        cli = taishan_at_80_percent
        self.screen(cli, "TS00008", "reject")

        item = rate_item(cli, "taishan", "2.3.2")

        assert (item["numerator"], item["denominator"], item["points"]) == (8, 10, "18.00")

    def test_screening_an_order_the_ledger_does_not_have_is_refused_and_records_nothing(self, taishan_at_80_percent):
        cli = taishan_at_80_percent
        before = log_length(cli)

        result = cli("dispute", "open", "--workorder", "TS-NOPE", "--rate", "satisfaction", "--reason", "r",
                     "--evidence", "e")

        assert result.exit_code == 1
        assert "TS-NOPE" in result.stderr
        assert log_length(cli) == before

    def test_trace_lists_the_orders_that_cost_points_with_their_screenings(self, taishan_at_80_percent):
        cli = taishan_at_80_percent
        dispute = self.screen(cli, "TS00008", "accept")

        doc = cli.json("trace", "--year", 2025, "--unit", "taishan", "--item", "2.3.2", "--as-of", "2025-12-31")

        (item,) = doc["items"]
        assert (item["rate"], item["numerator"], item["denominator"], item["threshold"]) == ("88.89", 8, 9, "90.00")
        assert item["points"] == "19.78"
        assert item["explanation"].startswith("8/9 = 88.89% < 90%：20.00 − ")
        orders = {o["order_id"]: o for o in item["orders"]}
        assert set(orders) == {"TS00008", "TS00009"}
        assert orders["TS00008"]["screened_out"] is True
        assert [s["dispute"] for s in orders["TS00008"]["screenings"]] == [dispute]
        assert orders["TS00009"]["screened_out"] is False
        assert orders["TS00009"]["reason"] == "满意度: 不满意"

    def test_trace_for_people_shows_the_arithmetic_and_the_costly_order_ids(self, taishan_at_80_percent):
        cli = taishan_at_80_percent

        result = cli("trace", "--year", 2025, "--unit", "taishan", "--item", "2.3.2", "--as-of", "2025-12-31")

        assert result.exit_code == 0
        # 8 / 10 = 80 %, 10 points below 90 %: 20.00 − 10 × 0.20 = 18.00
        assert "8/10 = 80.00% < 90%：20.00 − 10 × 0.20 = 18.00" in result.stdout
        assert "TS00008" in result.stdout and "TS00009" in result.stdout


def test_score_json_carries_rate_numerator_and_denominator_as_numbers(cli_2025, tmp_path):
    rows = satisfaction_rows("GX", "泰安高新区", 91, 9)
    cli_2025.json("import", "workorders", write_export(tmp_path / "orders.csv", rows))

    item = rate_item(cli_2025, "gaoxin", "2.3.2")

    # 91 / 100 = 91 % against gaoxin's 92 %: 20 − 1 × 0.2 = 19.80.
    assert json.dumps([item["rate"], item["numerator"], item["denominator"], item["points"]]) == \
        '["91.00", 91, 100, "19.80"]'
