"""A bulletin of a ruleset that ranks unit classes apart (连云港: 县 and 区) says each row's class: ranks start again
at 1 in each class, so a table of 1, 2, 3, 1, 2, … without it reads as a mistake. Tai'an's has no such column."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl

from ledger.rulesets import loading

LIANYUNGANG = Path(loading.__file__).with_name("lianyungang.toml")


def _ranking_rows(book: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(book)["通报"]
    rows = [r for r in ws.iter_rows(values_only=True) if any(c is not None for c in r)]
    header = next(n for n, r in enumerate(rows) if "排名" in r)
    return rows[header:]


def test_a_bulletin_of_unit_classes_names_each_rows_class(cli: Any, tmp_path: Path) -> None:
    assert cli("demo", "--year", "2025", "--ruleset", LIANYUNGANG).exit_code == 0
    page, book = tmp_path / "b.html", tmp_path / "b.xlsx"
    assert cli("bulletin", "--year", 2025, "--month", 10, "--output", page).exit_code == 0
    assert cli("bulletin", "--year", 2025, "--month", 10, "--format", "xlsx", "--output", book).exit_code == 0
    doc = cli.json("bulletin", "--year", 2025, "--month", 10)
    classes = [(u["class_name"], u["rank"]) for u in doc["units"]]
    assert {c for c, _ in classes} == {"县", "区（功能区）"}
    html = page.read_text(encoding="utf-8")
    assert '<th class="class" scope="col">类别</th>' in html
    for name, rank in classes:
        row = (f'<td class="rank">{rank}</td><th class="unit" scope="row">[^<]+</th>'
               f'<td class="class">{re.escape(name)}</td>')
        assert re.search(row, html)
    header, *rows = _ranking_rows(book)
    assert header[:4] == ("排名", "单位代码", "单位", "类别")
    assert [(r[3], r[0]) for r in rows] == classes


def test_a_bulletin_without_classes_has_no_class_column(cli: Any, tmp_path: Path) -> None:
    assert cli("demo", "--year", "2025").exit_code == 0
    page, book = tmp_path / "b.html", tmp_path / "b.xlsx"
    assert cli("bulletin", "--year", 2025, "--month", 10, "--output", page).exit_code == 0
    assert cli("bulletin", "--year", 2025, "--month", 10, "--format", "xlsx", "--output", book).exit_code == 0
    assert "类别" not in page.read_text(encoding="utf-8")
    assert _ranking_rows(book)[0][0] == "排名"
