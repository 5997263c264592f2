"""Stored text is shown, never run: in the workbook, the CSV summary, the terminal and the web page (issue 11).

Evidence, notes and actors are recorded with formula, markup and control-character strings, and
unit names are given the same in an adopted ruleset; every report must show them as plain text:
no formula cell in the workbook (LibreOffice prints `=1+1`, not `2`), `'`-prefixed CSV text cells,
literal text and no ESC byte on the terminal, escaped HTML.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ledger.rulesets.loading import builtin_text
from tests.conftest import Cli

HOSTILE = ["=1+1", '=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "[/bold]", "[link=http://x]x[/link]",
           "\x1b[31mred", "a\x00b"]
#: What the workbook shows for each: the characters xlsx forbids become their control pictures.
IN_SHEET = {"\x1b[31mred": "␛[31mred", "a\x00b": "a␀b"}
#: What the terminal shows for each: control characters as escapes.
ON_TERMINAL = {"\x1b[31mred": "\\x1b[31mred", "a\x00b": "a\\x00b"}
#: Unit names in the adopted ruleset (泰山区, 岱岳区 …), one per CSV rule: = + - @ tab CR.
UNIT_NAMES = {"泰山区": "=1+1", "岱岳区": "+1", "新泰市": "-1", "肥城市": "@SUM(A1)", "宁阳县": "\tx", "东平县": "\ry"}
SCORE = ("score", "--year", "2025", "--as-of", "2025-12-31")
WIDE = {"COLUMNS": "1000"}  # rich wraps at the terminal's width: one line per row, so text stays whole


def toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string with \t, \r escapes is a valid TOML basic string


@pytest.fixture
def hostile(store_url: str, tmp_path: Path) -> Cli:
    """A 2025 ledger whose unit names are formulas and whose events carry every hostile string (SQLite:
    rendering does not depend on the backend)."""
    if not store_url.startswith("sqlite"):
        pytest.skip("rendering does not depend on the backend: SQLite only")
    text = builtin_text()
    for name, hostile_name in UNIT_NAMES.items():
        text = text.replace(f'name = "{name}"', f"name = {toml_string(hostile_name)}", 1)
    ruleset = tmp_path / "hostile.toml"
    ruleset.write_text(text, encoding="utf-8")
    cli = Cli(store_url)
    result = cli("init", "--year", 2025, "--ruleset", ruleset)
    assert result.exit_code == 0, result.output
    for n, value in enumerate(HOSTILE):
        result = Cli(store_url, actor=value)("record", "--unit", "taishan", "--item", "2.2.1",
                                             "--date", f"2025-03-{n + 1:02d}", "--evidence", value, "--note", value)
        assert result.exit_code == 0, result.output
    return cli


def workbook_cells(path: Path) -> list[Any]:
    wb = openpyxl.load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


class TestTheWorkbook:
    def test_no_cell_of_the_workbook_is_a_formula(self, hostile, tmp_path):
        book = tmp_path / "score.xlsx"
        assert hostile(*SCORE, "--format", "xlsx", "--output", book).exit_code == 0
        cells = workbook_cells(book)
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        texts = {c.value for c in cells if isinstance(c.value, str)}
        for value in HOSTILE:
            assert IN_SHEET.get(value, value) in texts, value
        assert {"=1+1", "+1", "-1", "@SUM(A1)"} <= texts  # the unit names, as typed

    def test_points_in_the_workbook_stay_numbers(self, hostile, tmp_path):
        book = tmp_path / "score.xlsx"
        assert hostile(*SCORE, "--format", "xlsx", "--output", book).exit_code == 0
        summary = openpyxl.load_workbook(book)["汇总"]
        header = next(r for r in summary.iter_rows() if r[0].value == "排名")
        total = [c.value for c in header].index("总分")
        first = summary[header[0].row + 1]
        assert first[total].data_type == "n" and isinstance(first[total].value, float)

    def test_libreoffice_prints_the_formula_text_not_its_result(self, hostile, tmp_path):
        soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
        if soffice is None or pdftotext is None:
            if os.environ.get("CI"):
                pytest.fail("CI must have LibreOffice and poppler-utils (scripts/test.sh installs them)")
            pytest.skip("no soffice/pdftotext: apt-get install -y libreoffice-calc-nogui poppler-utils")
        book = tmp_path / "score.xlsx"
        assert hostile(*SCORE, "--format", "xlsx", "--output", book).exit_code == 0
        subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                       check=True, capture_output=True, timeout=300)
        text = subprocess.run([pdftotext, str(tmp_path / "score.pdf"), "-"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
        # Long text wraps inside its cell (the workbook prints at ≥ 9 pt): a cell's lines, joined, are its text.
        joined = text.replace("\n", "")
        assert "=1+1" in text
        assert '=HYPERLINK("http://x","y")' in joined
        assert "@SUM(A1)" in text


class TestTheCsvSummary:
    def test_text_cells_starting_like_a_formula_get_a_quote_and_points_do_not(self, hostile):
        # As of 03-03 against 02-28: the deductions of 03-01, 03-02 and 03-03 (3 × 0.10) and nothing else
        # (no report deadline has passed yet), so taishan's change is −0.30: a number, not text.
        result = hostile("score", "--year", "2025", "--as-of", "2025-03-03", "--format", "csv",
                         "--compare-as-of", "2025-02-28")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("\ufeff")  # the BOM Excel needs, on stdout as in --output
        table = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")))
        rows = {row[1]: row for row in table[1:]}
        assert table[0][:3] == ["排名", "单位代码", "单位"]
        assert {code: rows[code][2] for code in ("taishan", "daiyue", "xintai", "feicheng", "ningyang", "dongping")
                } == {"taishan": "'=1+1", "daiyue": "'+1", "xintai": "'-1", "feicheng": "'@SUM(A1)",
                      "ningyang": "'\tx", "dongping": "'\ry"}
        assert (rows["taishan"][-1], rows["daiyue"][-1]) == ("-0.30", "0.00")


class TestTheTerminal:
    @pytest.mark.parametrize("command", [("trace", "--year", "2025", "--unit", "taishan", "--as-of", "2025-12-31"),
                                         ("log",)])
    def test_stored_text_is_printed_literally_without_escape_codes(self, hostile, command):
        result = hostile(*command, env=WIDE)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x00" not in result.stdout
        for value in HOSTILE:
            assert ON_TERMINAL.get(value, value) in result.stdout, value

    def test_the_ranking_table_shows_unit_names_literally(self, hostile):
        result = hostile(*SCORE, env=WIDE)
        assert result.exit_code == 0, result.output
        assert "=1+1" in result.stdout and "@SUM(A1)" in result.stdout
        assert "\\x0dy" in result.stdout and "\r" not in result.stdout

    def test_a_dispute_reason_in_markup_is_listed_literally(self, hostile):
        first = hostile.json("log")[-1]["id"]
        assert hostile("dispute", "open", first, "--reason", "[/bold][link=http://x]x[/link]\x1b]8;;",
                       "--evidence", "[red]").exit_code == 0
        result = hostile("dispute", "list", env=WIDE)
        assert result.exit_code == 0, result.output
        assert "[/bold][link=http://x]x[/link]\\x1b]8;;" in result.stdout
        assert "\x1b" not in result.stdout

    def test_emoji_codes_in_evidence_stay_as_typed(self, hostile):
        assert hostile("record", "--unit", "daiyue", "--item", "2.2.1", "--date", "2025-04-01",
                       "--evidence", ":warning:").exit_code == 0
        result = hostile("log", "--unit", "daiyue", env=WIDE)
        assert ":warning:" in result.stdout and "⚠" not in result.stdout


class TestTheWebPage:
    def test_a_script_in_evidence_is_escaped_in_the_page(self, hostile, tmp_path):
        assert hostile("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-04-01",
                       "--evidence", "<script>alert(1)</script>", "--note", '"><img src=x onerror=alert(2)>'
                       ).exit_code == 0
        page = tmp_path / "score.html"
        assert hostile(*SCORE, "--format", "html", "--output", page).exit_code == 0
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
        assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html
