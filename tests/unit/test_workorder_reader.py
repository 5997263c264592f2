"""Reading the platform's work-order export: normalised rows, defaults, absent columns, every bad row."""

import csv
import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest

from ledger.usecases.imports.tabular import ImportRejected
from ledger.usecases.imports.workorders import ABSENT, WorkOrderReader, WorkOrderRow, parse_time, read_workorders

DATA = Path(__file__).parent.parent / "data"
NAMES = {"泰山区": "taishan", "岱岳区": "daiyue", "新泰市": "xintai", "肥城市": "feicheng",
         "宁阳县": "ningyang", "东平县": "dongping", "泰安高新区": "gaoxin", "泰山景区": "jingqu"}
UNITS = NAMES | {code: code for code in NAMES.values()}
LABELS = ("满意", "基本满意", "不满意", "未评价")
HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间",
          "是否需回复", "是否已回复", "满意度", "是否计入统计"]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def read(path):
    """(rows, error strings) of one export."""
    reader = WorkOrderReader(path, UNITS, LABELS, "未评价")
    rows = list(reader)
    return rows, [str(e) for e in reader.errors]


def row(n, order_id, unit, dispatched, due, completed=None, reply_required=True, replied=False,
        satisfaction="未评价", counted=True, exported=None):
    return WorkOrderRow(n, order_id, unit, dispatched, due, completed, reply_required, replied, satisfaction,
                        counted, exported)


class TestCleanExports:
    def test_a_clean_export_yields_one_row_per_order_with_codes_and_normalised_times(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [
            ["TA1", "泰山区", "2025-04-01 09:05:33", "2025-04-08 09:05:33", "2025-04-03 16:20:00", "是", "是",
             "满意", "是"],
            ["TA2", "泰安高新区", "2025-04-01 10:12", "2025-04-10 18:00", "", "否", "否", "", "否"],
        ])

        rows, errors = read(path)

        assert errors == []
        assert rows == [
            row(2, "TA1", "taishan", "2025-04-01T09:05:33", "2025-04-08T09:05:33", "2025-04-03T16:20:00",
                True, True, "满意", True),
            row(3, "TA2", "gaoxin", "2025-04-01T10:12:00", "2025-04-10T18:00:00", None,
                False, False, "未评价", False),
        ]

    def test_a_date_alone_ends_the_day_for_a_deadline_and_starts_it_for_dispatch_and_completion(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "岱岳区", "2025-04-01", "2025-04-10", "2025-04-10"]],
                         header=HEADER[:5])

        rows, _ = read(path)

        assert (rows[0].dispatched_at, rows[0].due_at, rows[0].completed_at) == (
            "2025-04-01T00:00:00", "2025-04-10T23:59:59", "2025-04-10T00:00:00")

    def test_slashes_and_single_digit_month_day_and_hour_are_accepted(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "新泰市", "2025/4/1 9:05", "2025/4/9", "2025-4-3 7:30:05"]],
                         header=HEADER[:5])

        rows, _ = read(path)

        assert (rows[0].dispatched_at, rows[0].due_at, rows[0].completed_at) == (
            "2025-04-01T09:05:00", "2025-04-09T23:59:59", "2025-04-03T07:30:05")

    @pytest.mark.parametrize(("yes", "no"), [("是", "否"), ("Y", "N"), ("yes", "no"), ("TRUE", "false"),
                                             ("1", "0"), (" 是 ", " No ")])
    def test_yes_and_no_are_accepted_in_their_usual_spellings(self, tmp_path, yes, no):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "肥城市", "2025-04-01 09:00:00", "2025-04-09 09:00:00",
                                                    "", no, yes, "", no]])

        rows, errors = read(path)

        assert errors == []
        assert (rows[0].reply_required, rows[0].replied, rows[0].counted) == (False, True, False)

    def test_empty_cells_take_the_defaults_reply_needed_not_replied_unrated_counted(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "宁阳县", "2025-04-01 09:00:00", "2025-04-09 09:00:00",
                                                    "", "", "", "", ""]])

        rows, _ = read(path)

        assert rows == [row(2, "TA1", "ningyang", "2025-04-01T09:00:00", "2025-04-09T09:00:00", None,
                            True, False, "未评价", True)]

    def test_english_headers_and_unit_codes_are_accepted(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "Dongping", "2025-04-01 09:00:00", "2025-04-09 09:00:00"]],
                         header=["Order_ID", "unit", "DISPATCHED_AT", "due_at"])

        rows, _ = read(path)

        assert (rows[0].order_id, rows[0].unit) == ("TA1", "dongping")

    def test_columns_the_file_lacks_are_absent_not_their_defaults(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "泰山景区", "2025-04-01 09:00:00", "2025-04-09 09:00:00"]],
                         header=HEADER[:4])

        rows, _ = read(path)

        assert rows == [row(2, "TA1", "jingqu", "2025-04-01T09:00:00", "2025-04-09T09:00:00", ABSENT,
                            ABSENT, ABSENT, ABSENT, ABSENT, None)]

    def test_unknown_extra_columns_are_ignored(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv",
                         [["13800001111", "TA1", "路灯不亮", "泰山区", "2025-04-01 09:00:00", "2025-04-09 09:00:00"]],
                         header=["来电号码", "工单编号", "诉求内容", "承办单位", "派单时间", "办结时限"])

        rows, errors = read(path)

        assert errors == []
        assert (rows[0].order_id, rows[0].unit) == ("TA1", "taishan")

    def test_an_export_time_column_is_read_as_a_time(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv",
                         [["TA1", "泰山区", "2025-04-01 09:00:00", "2025-04-09 09:00:00", "2026-01-05 10:00"]],
                         header=[*HEADER[:4], "导出时间"])

        rows, _ = read(path)

        assert rows[0].exported_at == "2026-01-05T10:00:00"

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
    def test_a_bom_or_gb18030_export_reads_the_same_as_plain_utf8(self, tmp_path, encoding):
        rows = [["TA1", "泰安高新区", "2025-04-01 09:00:00", "2025-04-09 09:00:00", "", "是", "是", "基本满意", "是"]]
        plain = write_csv(tmp_path / "plain.csv", rows)
        other = write_csv(tmp_path / "other.csv", rows, encoding=encoding)

        assert read(other) == read(plain)
        assert read(other)[0][0].satisfaction == "基本满意"

    def test_an_xlsx_with_real_datetime_cells_reads_like_the_csv(self, tmp_path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(HEADER)
        ws.append(["TA1", "泰山区", dt.datetime(2025, 4, 1, 9, 5, 33), dt.datetime(2025, 4, 8),
                   dt.datetime(2025, 4, 3, 16, 20), "是", "是", "满意", "是"])
        ws["D2"].number_format = "yyyy-mm-dd"
        wb.save(tmp_path / "orders.xlsx")

        rows, errors = read(tmp_path / "orders.xlsx")

        assert errors == []
        assert rows == [row(2, "TA1", "taishan", "2025-04-01T09:05:33", "2025-04-08T23:59:59",
                            "2025-04-03T16:20:00", True, True, "满意", True)]

    def test_a_libreoffice_xlsx_reads_to_exactly_the_rows_of_the_csv_it_was_converted_from(self):
        # workorders_small_libreoffice.xlsx is `soffice --headless --convert-to xlsx workorders_small.csv`:
        # LibreOffice turned the ISO times into date cells and the numeric order id into a number.
        csv_rows, csv_errors = read(DATA / "workorders_small.csv")
        xlsx_rows, xlsx_errors = read(DATA / "workorders_small_libreoffice.xlsx")

        assert csv_errors == xlsx_errors == []
        assert xlsx_rows == csv_rows
        assert [r.order_id for r in csv_rows] == ["TA2025040100001", "TA2025040100002", "TA2025040100003",
                                                  "TA2025040200004", "20250402005", "TA2025040300006"]
        assert csv_rows[1] == row(3, "TA2025040100002", "daiyue", "2025-04-01T10:12:00", "2025-04-10T23:59:59",
                                  "2025-04-11T08:30:00", True, False, "不满意", True)
        assert csv_rows[3] == row(5, "TA2025040200004", "gaoxin", "2025-04-02T00:00:00", "2025-04-12T23:59:59",
                                  "2025-04-05T00:00:00", False, False, "基本满意", False)


class TestBadRows:
    def test_every_bad_row_is_listed_as_file_row_column_message(self, tmp_path):
        path = write_csv(tmp_path / "bad.csv", [
            ["TA1", "泰山区", "2025-05-01 09:00", "2025-05-08", "", "是", "是", "满意", "是"],         # row 2 good
            ["TA2", "泰山", "2025-05-01 09:00", "2025-05-08", "", "是", "是", "满意", "是"],           # 3 unit
            ["TA3", "泰山区", "not a date", "2025-02-30", "", "是", "是", "满意", "是"],                # 4 times
            ["TA4", "泰山区", "2025-05-09 09:00", "2025-05-08", "2025-05-01", "是", "是", "满意", "是"],  # 5 order
            ["TA5", "泰山区", "2025-05-01 09:00", "2025-05-08", "", "maybe", "是", "很满意", "是"],    # 6 labels
            ["", "岱岳区", "", "2025-05-08", "2025-05-07 24:00", "是", "是", "满意", "x"],             # 7 several
        ])
        file = str(path)

        rows, errors = read(path)

        assert [r.order_id for r in rows] == ["TA1"]
        assert errors == [
            f"{file}:3:承办单位: unknown unit '泰山'",
            f"{file}:4:派单时间: not a time: 'not a date' (expected YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)",
            f"{file}:4:办结时限: not a time: '2025-02-30' (expected YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)",
            f"{file}:5:办结时限: the due time 2025-05-08T23:59:59 is before the dispatch time 2025-05-09T09:00:00",
            f"{file}:5:办结时间: the completion time 2025-05-01T00:00:00 is before the dispatch time "
            "2025-05-09T09:00:00",
            f"{file}:6:是否需回复: 'maybe' is not 是 or 否",
            f"{file}:6:满意度: '很满意' is not a satisfaction label of the ruleset (满意, 基本满意, 不满意, 未评价)",
            f"{file}:7:工单编号: the order id is empty",
            f"{file}:7:派单时间: a time is required",
            f"{file}:7:办结时间: not a time: '2025-05-07 24:00' (expected YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)",
            f"{file}:7:是否计入统计: 'x' is not 是 or 否",
        ]

    def test_errors_name_the_column_as_the_file_writes_it(self, tmp_path):
        path = write_csv(tmp_path / "bad.csv", [["TA1", "nowhere", "2025-05-01 09:00", "2025-05-08"]],
                         header=["Order_Id", " Unit ", "dispatched_at", "due_at"])

        assert read(path)[1] == [f"{path}:2:Unit: unknown unit 'nowhere'"]

    def test_an_identical_repeated_row_is_skipped_silently(self, tmp_path):
        line = ["TA1", "泰山区", "2025-05-01 09:00", "2025-05-08", "", "是", "是", "满意", "是"]
        path = write_csv(tmp_path / "orders.csv", [line, ["TA2", *line[1:]], line])

        rows, errors = read(path)

        assert errors == []
        assert [(r.row, r.order_id) for r in rows] == [(2, "TA1"), (3, "TA2")]

    def test_a_repeated_order_with_other_values_is_refused_naming_both_rows(self, tmp_path):
        line = ["TA1", "泰山区", "2025-05-01 09:00", "2025-05-08", "", "是", "是", "满意", "是"]
        path = write_csv(tmp_path / "orders.csv", [line, ["TA2", *line[1:]], [*line[:7], "不满意", "是"]])

        _, errors = read(path)

        assert errors == [f"{path}:4:工单编号: order 'TA1' also appears at row 2 with different values"]

    def test_every_missing_required_column_is_named_before_any_row_is_read(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [["TA1", "泰山区"]], header=["工单编号", "承办单位", "满意度"])

        with pytest.raises(ImportRejected) as e:
            WorkOrderReader(path, UNITS, LABELS, "未评价")

        assert str(e.value) == (f"{path}:1:办结时限 / due_at: required column is missing\n"
                                f"{path}:1:派单时间 / dispatched_at: required column is missing")

    def test_read_workorders_raises_after_the_last_row_when_any_row_was_bad(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [
            ["TA1", "泰山区", "2025-05-01 09:00", "2025-05-08"],
            ["TA2", "泰山区", "someday", "2025-05-08"],
            ["TA3", "泰山区", "2025-05-02 09:00", "2025-05-08"],
        ], header=HEADER[:4])
        seen = []

        with pytest.raises(ImportRejected) as e:
            for r in read_workorders(path, UNITS, LABELS, "未评价"):
                seen.append(r.order_id)

        assert seen == ["TA1", "TA3"]
        assert [(err.row, err.column) for err in e.value.errors] == [(3, "派单时间")]


class TestReaderFacts:
    def test_the_reader_reports_hash_rows_read_latest_time_and_progress(self, tmp_path):
        path = write_csv(tmp_path / "orders.csv", [
            ["TA1", "泰山区", "2025-05-01 09:00", "2025-06-30", "2025-05-20 10:00"],
            ["TA2", "岱岳区", "2025-05-03 08:00", "2025-05-10", ""],
        ], header=HEADER[:5])
        calls = []
        reader = WorkOrderReader(path, UNITS, LABELS, "未评价", progress=calls.append)

        list(reader)

        assert reader.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert reader.rows_read == 2
        # the latest dispatch or completion; the deadline 2025-06-30 is not something that happened
        assert reader.max_time == "2025-05-20T10:00:00"
        assert calls == [2]


class TestParseTime:
    @pytest.mark.parametrize(("text", "expected"), [
        ("2025-04-01 09:05:33", "2025-04-01T09:05:33"),
        ("2025-04-01 09:05", "2025-04-01T09:05:00"),
        ("2025-04-01", "2025-04-01T00:00:00"),
        ("2025/4/1 9:05", "2025-04-01T09:05:00"),
        ("2025-04-01T09:05:33", "2025-04-01T09:05:33"),
        ("2025-04-01 09:05:33.000", "2025-04-01T09:05:33"),
        ("2024-02-29 12:00:00", "2024-02-29T12:00:00"),
        ("1999-12-31 23:59:59", "1999-12-31T23:59:59"),
        ("2025-02-29 12:00:00", None),
        ("2025-13-01", None),
        ("2025-04-01 9:60", None),
        ("01/04/2025", None),
        ("", None),
    ])
    def test_accepted_forms_normalise_and_others_are_refused(self, text, expected):
        assert parse_time(text) == expected
