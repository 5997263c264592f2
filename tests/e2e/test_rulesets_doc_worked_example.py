"""docs/rulesets.md's worked example (连云港) run as the page writes it: its TOML is the shipped file's, its files
and commands go through the CLI, and what it pastes (``rules check``, ``score``, ``trace``) is what they print now,
with the bulletin's published figures — so the page cannot drift from the program (issue 15)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

DOC = (Path(__file__).parents[2] / "docs" / "rulesets.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("## Worked example: 连云港 (Lianyungang)"):]
SHIPPED = str(resources.files("ledger.rulesets").joinpath("lianyungang.toml"))
#: The path the page's commands use (from a checkout of the repository), run with the installed file.
DOC_PATH = "ledger/rulesets/lianyungang.toml"

#: The bulletin's published figures, worked by hand (unit, item, points; the month's figure in the arithmetic).
PUBLISHED = [
    ("东海县", "1.1", "19.91", "150/167 = 89.82%", "= 14.82"),  # 25 − 10.1796 = 14.82; (14.82 + 25.00) / 2 = 19.91
    ("海州区", "1.2", "19.75", "7/8 = 87.50%", "= 19.75"),      # 25 − (98 − 87.5) × 0.5
    ("连云区", "1.2", "17.67", "5/6 = 83.33%", "= 17.67"),      # 25 − (98 − 83.333…) × 0.5 = 17.666…
    ("赣榆区", "1.2", "13.50", "3/4 = 75.00%", "= 13.50"),      # 25 − (98 − 75) × 0.5
    ("徐圩新区", "1.2", "12.50", "1/2 = 50.00%", "保底 12.50"),  # 25 − 24 = 1.00, held at 12.50
]


def _blocks(lang: str) -> list[str]:
    return [b.rstrip("\n") for b in re.findall(rf"```{lang}\n(.*?)```", SECTION, re.S)]


def _text_after(marker: str) -> str:
    """The first ```text block of the section after ``marker``."""
    rest = SECTION[SECTION.index(marker):]
    return re.search(r"```text\n(.*?)```", rest, re.S).group(1).rstrip("\n")  # type: ignore[union-attr]


def _run(cli: Any, line: str) -> Any:
    """One command line of the page: ``hotline-ledger …`` in-process on the test's store, ``python3 FILE`` as is."""
    argv = shlex.split(line)
    if argv[0] == "python3":
        subprocess.run([sys.executable, *argv[1:]], check=True)
        return None
    assert argv[0] == "hotline-ledger"
    result = cli(*[SHIPPED if a == DOC_PATH else a for a in argv[1:]])
    assert result.exit_code == 0, result.stderr or result.output
    return result


def test_the_toml_shown_is_the_shipped_file_line_by_line() -> None:
    shipped = set(Path(SHIPPED).read_text(encoding="utf-8").splitlines())
    blocks = _blocks("toml")
    assert len(blocks) >= 9
    for block in blocks:
        assert [line for line in block.splitlines() if line not in shipped] == []


def test_the_published_figures_are_the_pages() -> None:
    for figure in ("89.82 %", "14.82", "87.5 %", "19.75", "83.33 %", "17.67", "75 %", "13.50", "50 %", "12.50"):
        assert figure in SECTION


def test_rules_check_prints_what_the_page_shows(cli: Any) -> None:
    command = next(line for b in _blocks("sh") for line in b.splitlines() if line.startswith("hotline-ledger rules"))
    assert _run(cli, command).stdout.rstrip("\n") == _text_after(command)


@pytest.fixture
def worked(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, Any]]:
    """The page's files written and its commands run, in order, in an empty directory: (cli, output by line)."""
    monkeypatch.chdir(tmp_path)
    (csv_text,), (python,) = _blocks("csv"), _blocks("python")
    Path("districts.csv").write_text(csv_text + "\n", encoding="utf-8")
    Path("donghai.py").write_text(python + "\n", encoding="utf-8")
    commands = [line for line in _blocks("sh")[-1].splitlines() if line.strip()]
    assert commands[0].startswith("hotline-ledger init") and len(commands) == 10
    return cli, {line: _run(cli, line) for line in commands}


def test_score_prints_the_pages_ranking(worked: tuple[Any, dict[str, Any]]) -> None:
    _, outputs = worked
    line = next(c for c in outputs if c.startswith("hotline-ledger score"))
    assert outputs[line].stdout.removeprefix("\ufeff").rstrip("\n").replace("\r\n", "\n") == _text_after(line)


def test_trace_gives_the_published_figures_as_the_page_writes_them(worked: tuple[Any, dict[str, Any]]) -> None:
    cli, outputs = worked
    shown = _text_after("and `trace` writes")
    assert len(shown.splitlines()) == len(PUBLISHED)
    for (unit, code, points, rate, month), row in zip(PUBLISHED, shown.splitlines(), strict=True):
        doc = cli.json("trace", "--year", "2025", "--unit", unit, "--item", code, "--as-of", "2025-12-31")
        item = doc["items"][0]
        assert (item["code"], item["points"]) == (code, points)
        assert rate in item["explanation"] and month in item["explanation"]
        assert row == f"{unit} {code} {points}  {item['explanation']}"
        table = outputs[f"hotline-ledger trace --year 2025 --unit {unit} --item {code} --as-of 2025-12-31"].stdout
        assert f"{points} / 25.00" in table
    floor = cli.json("trace", "--year", "2025", "--unit", "徐圩新区", "--item", "1.2", "--as-of", "2025-12-31")
    assert Decimal(floor["items"][0]["absorbed"]) == Decimal("11.50")  # 12.50 − 1.00
