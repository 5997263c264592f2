"""Reading CSV and XLSX tables: encodings, row numbers, cell texts and file-level refusals."""

import datetime as dt
import hashlib

import openpyxl
import pytest

from ledger.usecases.imports.tabular import ImportRejected, RowError, map_columns, open_table


def read_all(path):
    table = open_table(path)
    return table.header, list(table.rows)


def write_xlsx(path, rows, formats=None):
    """A workbook whose first sheet holds `rows`; `formats` maps a cell ("D2") to its number format."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref, number_format in (formats or {}).items():
        ws[ref].number_format = number_format
    wb.create_sheet("second")["A1"] = "never read"
    wb.save(path)
    return path


class TestCsv:
    def test_a_utf8_csv_gives_its_header_and_rows_numbered_as_a_spreadsheet_shows_them(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text("工单编号,承办单位\nTA1,泰山区\nTA2,岱岳区\n", encoding="utf-8")

        header, rows = read_all(path)

        assert header == ["工单编号", "承办单位"]
        assert rows == [(2, ["TA1", "泰山区"]), (3, ["TA2", "岱岳区"])]

    def test_a_byte_order_mark_is_not_part_of_the_first_header(self, tmp_path):
        path = tmp_path / "bom.csv"
        path.write_text("工单编号,承办单位\nTA1,泰山区\n", encoding="utf-8-sig")

        header, rows = read_all(path)

        assert header == ["工单编号", "承办单位"]
        assert rows == [(2, ["TA1", "泰山区"])]

    def test_a_gb18030_csv_as_excel_writes_it_on_chinese_windows_reads_the_same(self, tmp_path):
        path = tmp_path / "gb.csv"
        path.write_bytes("工单编号,承办单位\r\nTA1,泰安高新区\r\n".encode("gb18030"))

        header, rows = read_all(path)

        assert header == ["工单编号", "承办单位"]
        assert rows == [(2, ["TA1", "泰安高新区"])]

    def test_a_file_neither_utf8_nor_gb18030_is_refused_at_the_line_of_the_bad_bytes(self, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes("单位,次数\n泰山区,1\n".encode("gb18030") + b"\xff\xff,2\n")

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert str(e.value) == f"{path}:3: the file is neither UTF-8 nor GB18030 text"

    def test_header_cells_are_stripped_but_data_cells_are_left_as_written(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text(" 工单编号 ,承办单位\n TA1 ,泰山区\n", encoding="utf-8")

        assert read_all(path) == (["工单编号", "承办单位"], [(2, [" TA1 ", "泰山区"])])

    def test_blank_rows_are_skipped_and_the_rows_after_them_keep_their_numbers(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text("a,b\n1,2\n\n,\n3,4\n\n\n", encoding="utf-8")

        _, rows = read_all(path)

        # rows 3 (empty line) and 4 (only a comma) are blank; so are the trailing 6 and 7
        assert rows == [(2, ["1", "2"]), (5, ["3", "4"])]

    def test_a_quoted_cell_spanning_two_lines_is_one_row(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text('a,b\n1,"道路破损积水，\n影响出行"\n2,x\n', encoding="utf-8")

        _, rows = read_all(path)

        assert rows == [(2, ["1", "道路破损积水，\n影响出行"]), (3, ["2", "x"])]

    def test_a_short_row_is_padded_with_empty_cells_to_the_header_width(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text("a,b,c\n1\n", encoding="utf-8")

        assert read_all(path)[1] == [(2, ["1", "", ""])]

    def test_a_tab_separated_file_is_read_too(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text("a\tb\n1\t2,5\n", encoding="utf-8")

        assert read_all(path) == (["a", "b"], [(2, ["1", "2,5"])])

    def test_the_sha256_is_that_of_the_file_bytes(self, tmp_path):
        path = tmp_path / "a.csv"
        data = "a,b\n1,2\n".encode("gb18030")
        path.write_bytes(data)

        with open_table(path) as table:
            assert table.sha256 == hashlib.sha256(data).hexdigest()

    def test_the_file_is_named_as_the_user_gave_it(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        (tmp_path / "a.csv").write_text("a\n1\n", encoding="utf-8")

        with open_table("a.csv") as table:
            assert table.file == "a.csv"


class TestXlsx:
    def test_the_first_sheet_is_read_with_dates_times_and_numbers_as_their_natural_text(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [
            ["工单编号", "派单时间", "办结时限", "次数", "分值", "备注"],
            ["TA1", dt.datetime(2025, 4, 1, 9, 5, 33), dt.datetime(2025, 4, 8), 3, 2.0, None],
            [20250401002, dt.datetime(2025, 4, 1, 0, 0), dt.date(2025, 4, 9), 1, 0.5, "x"],
        ], formats={"C2": "yyyy-mm-dd", "B3": "yyyy-mm-dd hh:mm"})

        header, rows = read_all(path)

        assert header == ["工单编号", "派单时间", "办结时限", "次数", "分值", "备注"]
        assert rows == [
            (2, ["TA1", "2025-04-01 09:05:33", "2025-04-08", "3", "2", ""]),
            # a midnight shown with its time keeps it; a date-formatted cell is a date alone
            (3, ["20250401002", "2025-04-01 00:00:00", "2025-04-09", "1", "0.5", "x"]),
        ]

    def test_a_datetime_a_hair_below_the_second_is_rounded_to_it(self, tmp_path):
        # Excel keeps days as floats: 09:05:33 may come back as 09:05:32.999999
        path = write_xlsx(tmp_path / "a.xlsx", [["t"], [dt.datetime(2025, 4, 1, 9, 5, 32, 999_999)]])

        assert read_all(path)[1] == [(2, ["2025-04-01 09:05:33"])]

    def test_a_float_shows_fifteen_significant_digits_as_excel_does(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["p"], [0.1 + 0.2]])

        assert read_all(path)[1] == [(2, ["0.3"])]

    def test_blank_and_trailing_rows_are_skipped_keeping_row_numbers(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["a", "b"], [1, 2], [None, None], [3, None], [None, None]])

        assert read_all(path)[1] == [(2, ["1", "2"]), (4, ["3", ""])]

    def test_the_sha256_is_that_of_the_file_bytes(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["a"], [1]])

        with open_table(path) as table:
            assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_a_workbook_whose_first_row_is_blank_has_no_header(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [[None], ["a"], [1]])

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert str(e.value) == f"{path}:1: no header row: row 1 must name the columns"

    def test_a_workbook_is_recognised_by_its_content_whatever_its_name(self, tmp_path):
        path = write_xlsx(tmp_path / "export", [["a"], [1]])

        assert read_all(path) == (["a"], [(2, ["1"])])

    def test_a_damaged_workbook_is_refused_at_row_1(self, tmp_path):
        path = tmp_path / "a.xlsx"
        path.write_bytes(b"PK\x03\x04 not really a zip")

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert [(err.row, err.column) for err in e.value.errors] == [(1, "")]
        assert "cannot read the workbook" in str(e.value)


class TestUnreadableFiles:
    def test_an_empty_file_is_refused_at_row_1(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_bytes(b"")

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert e.value.errors == [RowError(str(path), 1, "", "the file is empty")]

    def test_a_csv_with_a_blank_first_row_has_no_header(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_text(",,\n1,2,3\n", encoding="utf-8")

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert str(e.value) == f"{path}:1: no header row: row 1 must name the columns"

    def test_a_missing_file_is_refused_at_row_1(self, tmp_path):
        path = tmp_path / "nowhere.csv"

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert str(e.value) == f"{path}:1: cannot read the file: No such file or directory"

    def test_a_legacy_xls_is_refused_with_what_to_do(self, tmp_path):
        path = tmp_path / "a.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)

        with pytest.raises(ImportRejected) as e:
            open_table(path)

        assert str(e.value) == f"{path}:1: legacy .xls files are not supported: save it as .xlsx or .csv"


class TestErrors:
    def test_a_row_error_reads_file_row_column_message(self):
        assert str(RowError("orders.csv", 3, "派单时间", "not a time")) == "orders.csv:3:派单时间: not a time"

    def test_errors_sort_by_file_then_row_then_column(self):
        errors = [RowError("b.csv", 2, "x", "m"), RowError("a.csv", 10, "x", "m"),
                  RowError("a.csv", 9, "z", "m"), RowError("a.csv", 9, "y", "m")]

        rejected = ImportRejected(errors)

        assert str(rejected) == "a.csv:9:y: m\na.csv:9:z: m\na.csv:10:x: m\nb.csv:2:x: m"


SPEC = {"unit": ("单位",), "item": ("项目",), "note": ("备注",)}


class TestMapColumns:
    def table(self, tmp_path, header):
        path = tmp_path / "a.csv"
        path.write_text(header + "\n", encoding="utf-8")
        with open_table(path) as table:  # the header is read on opening
            return table

    def test_chinese_headers_map_to_their_fields_and_unknown_columns_are_ignored(self, tmp_path):
        table = self.table(tmp_path, "来电号码,项目,单位")

        assert map_columns(table, SPEC, {"unit", "item"}) == ({"item": 1, "unit": 2}, [])

    def test_english_headers_match_without_case_or_surrounding_whitespace(self, tmp_path):
        table = self.table(tmp_path, " Unit ,ITEM,Note")

        assert map_columns(table, SPEC, {"unit", "item"}) == ({"unit": 0, "item": 1, "note": 2}, [])

    def test_every_missing_required_column_is_named_at_row_1(self, tmp_path):
        table = self.table(tmp_path, "备注")

        columns, errors = map_columns(table, SPEC, {"unit", "item"})

        assert columns == {"note": 0}
        assert [str(e) for e in errors] == [
            f"{table.file}:1:单位 / unit: required column is missing",
            f"{table.file}:1:项目 / item: required column is missing",
        ]

    def test_a_field_given_twice_is_an_error_at_the_second_column(self, tmp_path):
        table = self.table(tmp_path, "单位,项目,unit")

        _, errors = map_columns(table, SPEC, {"unit"})

        assert [str(e) for e in errors] == [f"{table.file}:1:unit: the same column as '单位' appears twice"]
