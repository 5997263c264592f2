"""Every format the CLI writes says what ``score --format json`` says (CLI.md "Publishing").

The same sample ledger and moment in table, csv, xlsx and html: each unit's section points equal
the JSON's (section 5 with its bonus inside: 泰山区's praise makes it 5.00), the bonus is shown as
其中加分 beside the total, ``--compare-as-of`` shows the JSON's ``previous`` total and rank, and
every record listed (occurrences, assessments) is named by its id.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import unit_of
from tests.e2e.report_ledger import ReportLedger, record_bulletin_ledger

AS_OF = ("--year", "2025", "--as-of", "2025-10-31")
THEN = "2025-05-31"


@pytest.fixture
def recorded(cli: Any, tmp_path: Path) -> ReportLedger:
    return record_bulletin_ledger(cli, tmp_path)


def _file(cli: Any, path: Path, fmt: str, *args: Any) -> Path:
    result = cli("score", *AS_OF, "--format", fmt, "--output", str(path), *args)
    assert result.exit_code == 0, result.stderr
    return path


def _expected(doc: dict[str, Any]) -> dict[str, list[str]]:
    """unit → its section points as the JSON has them."""
    return {u["unit"]: [s["points"] for s in u["sections"]] for u in doc["units"]}


def _two(value: Any) -> str:
    return f"{Decimal(str(value)):.2f}"


def test_every_format_shows_the_json_section_points_with_the_bonus_inside(recorded, tmp_path):
    cli = recorded.cli
    doc = cli.json("score", *AS_OF)
    expected = _expected(doc)
    taishan = unit_of(doc, "taishan")
    assert expected["taishan"][4] == "5.00" and taishan["bonus"] == "1.00"  # 4.00 + the praise 1.00

    rows = list(csv.DictReader(io.StringIO(_file(cli, tmp_path / "s.csv", "csv").read_text("utf-8-sig"))))
    sections = [h for h in rows[0] if h[:1].isdigit()]
    assert {r["单位代码"]: [r[h] for h in sections] for r in rows} == expected
    assert {r["单位代码"]: (r["总分"], r["其中加分"]) for r in rows} == {
        u["unit"]: (u["total"], u["bonus"]) for u in doc["units"]}

    book = openpyxl.load_workbook(_file(cli, tmp_path / "s.xlsx", "xlsx"))
    summary = book["汇总"]
    top = next(c.row for c in summary["A"] if c.value == "排名")
    headers = [c.value for c in summary[top]]
    columns = [n for n, h in enumerate(headers) if str(h)[:1].isdigit()]
    got = {}
    for cells in summary.iter_rows(min_row=top + 1, max_row=top + 8):
        got[cells[1].value] = [_two(cells[n].value) for n in columns]
        assert _two(cells[headers.index("其中加分")].value) == unit_of(doc, cells[1].value)["bonus"]
    assert got == expected
    for unit in doc["units"]:  # each unit's sheet: its section rows, 得分 column, as the JSON
        ws = book[unit["name"]]
        head = next(c.row for c in ws["A"] if c.value == "代码")
        by_code = {r[0].value: r for r in ws.iter_rows(min_row=head + 1) if r[0].value}
        assert [_two(by_code[s["code"]][3].value) for s in unit["sections"]] == expected[unit["unit"]]
    assert _two(next(r for r in book["泰山区"].iter_rows() if r[0].value == "5")[5].value) == "1.00"  # 其中加分

    page = _file(cli, tmp_path / "s.html", "html").read_text("utf-8")
    ranking = page[page.index('id="ranking"'):page.index('id="units"')]
    for unit in doc["units"]:
        row = re.search(rf'href="#unit-{unit["unit"]}">.*?</tr>', ranking, re.S).group(0)
        cells = re.findall(r"<td>([0-9.]+)</td>", row)
        assert cells == [*expected[unit["unit"]], unit["bonus"]]  # the sections, then 其中加分
        drill = page[page.index(f'id="unit-{unit["unit"]}"'):]
        shown = re.findall(r'<details class="section">.*?<span class="num">([0-9.]+) / ', drill, re.S)[:5]
        assert shown == expected[unit["unit"]]
    assert "其中加分 1.00" in page

    table = cli("score", *AS_OF, env={"COLUMNS": "220"}).stdout
    for unit in doc["units"]:
        line = next(x for x in table.splitlines() if f"│ {unit['name']} " in x)
        numbers = re.findall(r"\d+\.\d\d", line)
        assert numbers == [*expected[unit["unit"]], unit["total"], unit["bonus"]]
    assert "其中加分" in table


def test_compare_as_of_shows_the_json_previous_total_and_rank_in_every_format(recorded, tmp_path):
    cli = recorded.cli
    doc = cli.json("score", *AS_OF, "--compare-as-of", THEN)
    previous = {u["unit"]: (u["previous"]["total"], u["previous"]["rank"]) for u in doc["units"]}
    change = {u["unit"]: Decimal(u["total"]) - Decimal(u["previous"]["total"]) for u in doc["units"]}
    assert change["taishan"] != 0  # the praise of July and the monthly reports missed since May

    rows = list(csv.DictReader(io.StringIO(cli("score", *AS_OF, "--format", "csv", "--compare-as-of", THEN).stdout)))
    assert {r["单位代码"]: (r["上期总分"], int(r["上期排名"])) for r in rows} == previous
    assert {r["单位代码"]: Decimal(r["较上期变化"]) for r in rows} == change

    book = openpyxl.load_workbook(_file(cli, tmp_path / "c.xlsx", "xlsx", "--compare-as-of", THEN))
    ws = book["汇总"]
    top = next(c.row for c in ws["A"] if c.value == "排名")
    headers = [c.value for c in ws[top]]
    assert headers[-3:] == ["上期总分", "上期排名", "较上期变化"]
    got = {r[1].value: (_two(r[-3].value), r[-2].value) for r in ws.iter_rows(min_row=top + 1, max_row=top + 8)}
    assert got == previous

    page = _file(cli, tmp_path / "c.html", "html", "--compare-as-of", THEN).read_text("utf-8")
    for unit, (total, rank) in previous.items():
        row = re.search(rf'href="#unit-{unit}">.*?</tr>', page, re.S).group(0)
        assert f'<td class="previous">{total}（{rank}）</td>' in row
        assert f"{change[unit]:+.2f}".replace("-", "−") in row

    table = cli("score", *AS_OF, "--compare-as-of", THEN, env={"COLUMNS": "240"}).stdout
    assert THEN in table and "较上期" in table
    for unit in doc["units"]:
        line = next(x for x in table.splitlines() if f"│ {unit['name']} " in x)
        total, rank = previous[unit["unit"]]
        assert f"{total} ({rank})" in line and f"{change[unit['unit']]:+.2f}" in line


def test_every_record_is_named_by_its_id_in_the_workbook_and_the_page(recorded, tmp_path):
    cli = recorded.cli
    traces = [cli.json("trace", *AS_OF, "--unit", u["unit"]) for u in cli.json("score", *AS_OF)["units"]]
    ids = {event["id"] for trace in traces for item in trace["items"] for event in item["events"]}
    assert {recorded.lag, recorded.accepted, recorded.disputed} <= ids and len(ids) >= 6
    book = openpyxl.load_workbook(_file(cli, tmp_path / "s.xlsx", "xlsx"))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert ids <= cells
    page = _file(cli, tmp_path / "s.html", "html").read_text("utf-8")
    # Each record's row carries its id; the page shows its first 8 characters (a prefix the CLI accepts).
    assert all(f'data-id="{i}"><td class="id"><span class="hash" title="{i}">{i[:8]}</span>' in page for i in ids)
