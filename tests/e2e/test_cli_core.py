"""The ledger core through the command line: recording, refusals, imports, score, trace and log.

Every figure is worked out by hand from RUBRIC.md in the comment beside it. Each refusal checks
the exit status, the message on stderr, and that the ledger did not change.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of


@pytest.fixture
def year(cli: Any) -> int:
    assert cli("init", "--year", 2025).exit_code == 0
    return 2025


def log_length(cli: Any) -> int:
    return len(cli.json("log"))


def record(cli: Any, item: str, day: str = "2025-03-04", count: int = 1, unit: str = "taishan") -> str:
    return cli.json("record", "--unit", unit, "--item", item, "--date", day, "--evidence", "工单TA1",
                    "--count", count)["id"]


def taishan(cli: Any, *extra: Any) -> dict[str, Any]:
    return items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-12-31", *extra), "taishan"))


def write_csv(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestRecording:
    def test_three_deductions_of_0_10_show_as_exactly_0_30(self, cli, year):
        ids = [record(cli, "2.2.1") for _ in range(3)]
        items = taishan(cli)
        # pool 2.2: 7.00 − 3 × 0.10 = 6.70; 2.2.1 deducted "0.30" (a string, two decimals)
        assert items["2.2.1"]["deducted"] == "0.30"
        assert items["2.2"]["points"] == "6.70"
        assert items["2.2.1"]["events"] == ids

    def test_35_lags_floor_2_1_at_zero_and_trace_shows_0_50_absorbed(self, cli, year):
        record(cli, "2.1", count=35)
        assert taishan(cli)["2.1"]["points"] == "0.00"
        doc = cli.json("trace", "--year", 2025, "--unit", "taishan", "--item", "2.1", "--as-of", "2025-12-31")
        entry = doc["items"][0]
        # 3.00 − 35 × 0.10 = −0.50 → 0.00 with 0.50 absorbed
        assert entry["absorbed"] == "0.50"
        assert entry["explanation"] == "3.00 − 35 × 0.10 = −0.50 → 扣完为止，计 0.00（超出的 0.50 不再扣）"

    def test_a_praise_adds_1_above_section_5(self, cli, year):
        record(cli, "5.1", unit="泰山区")
        unit = unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-12-31"), "taishan")
        sec5 = next(s for s in unit["sections"] if s["code"] == "5")
        # 4.00 (5.2 untouched) + 1 × 1.00 = 5.00 > max 4.00
        assert (sec5["points"], sec5["max"], unit["bonus"]) == ("5.00", "4.00", "1.00")
        assert items_of(unit)["5.1"]["bonus"] == "1.00"

    def test_the_latest_assessment_replaces_an_earlier_one(self, cli, year):
        for points in ("0.8", "0.5"):
            cli.json("assess", "--unit", "taishan", "--item", "1.2.1", "--points", points, "--date", "2025-06-01",
                     "--evidence", "检查表")
        item = taishan(cli)["1.2.1"]
        assert (item["points"], item["status"]) == ("0.50", "scored")
        trace = cli.json("trace", "--year", 2025, "--unit", "taishan", "--item", "1.2.1", "--as-of", "2025-12-31")
        assert [e["state"] for e in trace["items"][0]["events"]] == ["superseded", "effective"]

    def test_an_unassessed_item_is_pending(self, cli, year):
        item = taishan(cli)["1.1.1"]
        assert (item["points"], item["status"]) == ("0.00", "pending")

    def test_a_retracted_occurrence_no_longer_counts_but_stays_in_trace_and_log(self, cli, year):
        keep, gone = record(cli, "2.1"), record(cli, "2.1")
        assert cli("retract", gone, "--reason", "录入错误").exit_code == 0
        item = taishan(cli)["2.1"]
        # 3.00 − 1 × 0.10 = 2.90: only the kept one counts
        assert item["points"] == "2.90"
        assert item["events"] == [keep]
        trace = cli.json("trace", "--year", 2025, "--unit", "taishan", "--item", "2.1", "--as-of", "2025-12-31")
        states = {e["id"]: e["state"] for e in trace["items"][0]["events"]}
        assert states == {keep: "effective", gone: "retracted"}
        types = [e["type"] for e in cli.json("log", "--item", "2.1")]
        assert types == ["OccurrenceRecorded", "OccurrenceRecorded", "OccurrenceRetracted"]

    def test_as_of_mid_year_counts_only_what_had_happened_by_then(self, cli, year):
        record(cli, "2.1", day="2025-03-04")
        record(cli, "2.1", day="2025-09-30")
        mid = items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-06-30"), "taishan"))
        # by 30 June only March's lag: 3.00 − 0.10 = 2.90; by year end 3.00 − 0.20 = 2.80
        assert mid["2.1"]["points"] == "2.90"
        assert taishan(cli)["2.1"]["points"] == "2.80"

    def test_equal_totals_share_a_rank_and_the_next_skips(self, cli, year):
        record(cli, "2.1", unit="taishan")
        record(cli, "2.1", unit="daiyue")
        record(cli, "2.1", unit="xintai", count=2)
        ranks = {u["unit"]: u["rank"] for u in cli.json("score", "--year", 2025, "--as-of", "2025-12-31")["units"]}
        # five units untouched share 1; taishan and daiyue (−0.10) share 6; xintai (−0.20) is 8
        assert ranks["taishan"] == ranks["daiyue"] == 6
        assert ranks["xintai"] == 8


class TestRefusals:
    @pytest.mark.parametrize(("args", "message"), [
        (("--unit", "nowhere", "--item", "2.1"), "unknown unit 'nowhere'"),
        (("--unit", "taishan", "--item", "9.9"), "unknown item '9.9'"),
        (("--unit", "taishan", "--item", "1.1.1"), "kind assessment"),
        (("--unit", "taishan", "--item", "2.1", "--count", "0"), "positive integer"),
        (("--unit", "taishan", "--item", "2.1", "--evidence", " "), "evidence"),
    ])
    def test_a_bad_record_exits_1_naming_what_is_wrong_and_records_nothing(self, cli, year, args, message):
        before = log_length(cli)
        argv = ["record", "--date", "2025-03-04", *args]
        if "--evidence" not in args:
            argv += ["--evidence", "工单TA1"]
        result = cli(*argv)
        assert result.exit_code == 1
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert log_length(cli) == before

    def test_a_date_that_is_not_a_date_is_a_usage_error_and_records_nothing(self, cli, year):
        before = log_length(cli)
        result = cli("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-02-30", "--evidence", "x")
        assert result.exit_code == 2
        assert "is not a date: write it as YYYY-MM-DD" in result.stderr
        assert log_length(cli) == before

    @pytest.mark.parametrize(("item", "points", "message"), [
        ("1.2.1", "1.5", "outside 0..1"),
        ("1.2.1", "-0.1", "outside 0..1"),
        ("2.1", "1", "not an assessment"),
    ])
    def test_a_bad_assessment_exits_1_and_records_nothing(self, cli, year, item, points, message):
        before = log_length(cli)
        result = cli("assess", "--unit", "taishan", "--item", item, "--points", points, "--date", "2025-06-01",
                     "--evidence", "检查表")
        assert result.exit_code == 1
        assert message in result.stderr
        assert log_length(cli) == before

    def test_retracting_twice_or_an_unknown_id_is_refused(self, cli, year):
        oid = record(cli, "2.1")
        assert cli("retract", oid, "--reason", "错").exit_code == 0
        before = log_length(cli)
        again = cli("retract", oid, "--reason", "又错")
        assert again.exit_code == 1
        assert "already retracted" in again.stderr
        unknown = cli("retract", "0123456789abcdef", "--reason", "无")
        assert unknown.exit_code == 1
        assert "no occurrence" in unknown.stderr
        assert log_length(cli) == before


class TestImportEvents:
    def test_a_csv_with_chinese_headers_records_occurrences_and_assessments(self, cli, year, tmp_path):
        path = write_csv(tmp_path / "e.csv", "单位,项目,日期,次数,证据,备注\n"
                                             "泰山区,2.2.1,2025-03-04,3,工单1,\n"
                                             "taishan,1.2.1,2025-06-01,0.75,检查表,复核\n")
        assert cli.json("import", "events", path)["new"] == 2
        items = taishan(cli)
        # 2.2: 7.00 − 3 × 0.10 = 6.70; 1.2.1 assessed 0.75
        assert items["2.2"]["points"] == "6.70"
        assert items["1.2.1"]["points"] == "0.75"

    def test_an_xlsx_file_is_read_like_a_csv(self, cli, year, tmp_path):
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["unit", "item", "date", "count", "evidence", "note"])
        ws.append(["taishan", "3.2.1.1", "2025-05-31", 45, "首次督办汇总", None])
        path = tmp_path / "e.xlsx"
        wb.save(path)
        before = taishan(cli)["3.2"]["points"]  # the missed reports of the year already cost pool 3.2 points
        assert cli.json("import", "events", str(path))["new"] == 1
        # ⌊45 / 20⌋ × 0.10 = 2 × 0.10 = 0.20 more off pool 3.2
        after = taishan(cli)
        assert after["3.2.1.1"]["deducted"] == "0.20"
        assert Decimal(before) - Decimal(after["3.2"]["points"]) == Decimal("0.20")

    def test_a_file_with_bad_rows_applies_nothing_and_lists_every_bad_row(self, cli, year, tmp_path):
        path = write_csv(tmp_path / "bad.csv", "unit,item,date,count,evidence,note\n"
                                               "taishan,2.1,2025-03-04,1,工单1,\n"
                                               "nowhere,2.1,2025-03-04,1,工单2,\n"
                                               "taishan,2.1,2025-13-01,1,工单3,\n"
                                               "taishan,2.1,2025-03-04,-2,工单4,\n"
                                               "taishan,1.2.1,2025-03-04,9,表,\n"
                                               "taishan,2.1,2025-03-04,1,,\n")
        before = log_length(cli)
        result = cli("import", "events", path)
        assert result.exit_code == 1
        lines = [ln for ln in result.stderr.splitlines() if ln.startswith(path)]
        assert [ln.split(": ")[0] for ln in lines] == [f"{path}:3:unit", f"{path}:4:date", f"{path}:5:count",
                                                       f"{path}:6:count", f"{path}:7:evidence"]
        assert log_length(cli) == before
        assert taishan(cli)["2.1"]["points"] == "3.00"

    def test_identical_content_imported_again_is_refused_unless_again(self, cli, year, tmp_path):
        path = write_csv(tmp_path / "once.csv", "unit,item,date,count,evidence\ntaishan,2.1,2025-03-04,1,工单1\n")
        assert cli.json("import", "events", path)["new"] == 1
        before = log_length(cli)
        refused = cli("import", "events", path)
        assert refused.exit_code == 1
        assert "already imported" in refused.stderr
        assert log_length(cli) == before
        assert cli.json("import", "events", path, "--again")["new"] == 1
        # two imports of one lag: 3.00 − 2 × 0.10 = 2.80
        assert taishan(cli)["2.1"]["points"] == "2.80"


class TestReadModel:
    def test_rebuilding_the_read_model_gives_identical_score_and_trace_json(self, cli, year, tmp_path):
        oid = record(cli, "2.2.1", count=2)
        record(cli, "5.1", unit="daiyue")
        cli.json("assess", "--unit", "taishan", "--item", "1.3", "--points", "1", "--date", "2025-02-01",
                 "--evidence", "会议纪要")
        cli("retract", oid, "--reason", "重复")
        path = write_csv(tmp_path / "e.csv", "unit,item,date,count,evidence\ntaishan,2.1,2025-03-04,4,工单\n")
        cli.json("import", "events", path)
        args = ("--year", 2025, "--as-of", "2025-12-31")
        score, trace = cli.json("score", *args), cli.json("trace", *args, "--unit", "taishan")
        assert cli("rebuild").exit_code == 0
        assert cli.json("score", *args) == score
        assert cli.json("trace", *args, "--unit", "taishan") == trace
