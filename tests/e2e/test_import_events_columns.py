"""``import events``: each refusal is placed at its column by what it is about, not by its wording, and a large
file's rows built from parts already checked are the events the full check makes.

Item 2.3.2 is a rate item in the Tai'an ruleset (computed from work orders, never recorded) and 2.1 an
occurrence item (RUBRIC.md); in the Lianyungang ruleset item 3.1 is scored for districts only, so donghai
(东海县, a county) may not record it.
"""

from __future__ import annotations

import gc
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger.usecases.imports.events_file import import_events_file, no_cycle_collection

CHINESE = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
LIANYUNGANG = str(resources.files("ledger.rulesets").joinpath("lianyungang.toml"))


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _columns(stderr: str, path: str) -> list[str]:
    return [line.split(": ")[0].split("：")[0] for line in stderr.splitlines() if line.startswith(path)]


def test_a_kind_mismatch_is_placed_at_the_item_column_in_chinese_too(tmp_path: Path) -> None:
    # The message is translated, so no English word of it can tell the column: the refusal says it is the item.
    store = ["--store", f"sqlite:///{tmp_path / 'ledger.db'}"]
    runner = CliRunner()
    assert runner.invoke(_main(), [*store, "init", "--year", "2025"]).exit_code == 0
    path = _write(tmp_path / "e.csv", "unit,item,date,count,evidence\n"
                                      "taishan,2.1,2025-03-04,1,工单1\n"
                                      "taishan,2.1,2025-03-04,0,工单2\n")  # count 0: the count column
    result = runner.invoke(_main(), [*store, "import", "events", path], env=CHINESE)
    assert result.exit_code == 1
    assert _columns(result.stderr, path) == [f"{path}:3:count"]
    rate = _write(tmp_path / "a.csv", "unit,item,date,evidence\ntaishan,2.3.2,2025-03-04,表\n")
    result = runner.invoke(_main(), [*store, "import", "events", rate], env=CHINESE)
    assert result.exit_code == 1
    assert _columns(result.stderr, rate) == [f"{rate}:2:item"]
    assert "项目 2.3.2 的类型是" in result.stderr and " of kind " not in result.stderr  # the message is in Chinese


def test_an_item_of_another_unit_class_is_placed_at_the_item_column(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "--year", "2025", "--ruleset", LIANYUNGANG).exit_code == 0
    before = cli.json("log")
    path = _write(tmp_path / "e.csv", "单位,项目,日期,次数,证据\ndonghai,3.1,2025-12-20,10,评定表\n")
    result = cli("import", "events", path)
    assert result.exit_code == 1
    assert _columns(result.stderr, path) == [f"{path}:2:项目"]
    assert "does not apply to donghai" in result.stderr
    assert cli.json("log") == before


def test_rows_built_from_checked_parts_are_the_events_the_full_check_builds(ledger: Any, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # The first file's first three rows teach the import each part (a date, a unit and item as written, a count);
    # its last three combine those parts anew and are built from them without the full check. The second file
    # holds those three rows alone, each with a part it has not seen, so each is checked in full. Both must give
    # the same events, field for field.
    from events.occurrences import OccurrenceRecorded
    from ledger.rulesets.loading import builtin_text
    from ledger.usecases.imports import events_file

    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    checked: list[int] = []
    full_check = events_file._row_event

    def counted(*args: Any) -> Any:
        checked.append(args[3])  # the row number
        return full_check(*args)

    monkeypatch.setattr(events_file, "_row_event", counted)
    header = "unit,item,date,count,evidence,note\n"
    taught = ("taishan,2.1,2025-03-04,2,工单1, 备注 \n"
              "泰山区,2.2.1,2025-05-06,1,工单2,\n"
              "daiyue,5.1,2025-07-08,,工单3,x\n")
    built = ("taishan,2.1,2025-05-06,,工单4,\n"
             "泰山区,2.2.1,2025-07-08,2,工单5,y\n"
             "daiyue,5.1,2025-03-04,1, 工单6 ,\n")
    fast = import_events_file(ledger, _write(tmp_path / "fast.csv", header + taught + built), "tester")
    assert checked == [2, 3, 4]
    full = import_events_file(ledger, _write(tmp_path / "full.csv", header + built), "tester")
    assert checked == [2, 3, 4, 2, 3, 4]
    by_batch: dict[str, list[dict[str, Any]]] = {fast["batch"]: [], full["batch"]: []}
    for e in ledger.recorded(OccurrenceRecorded):
        by_batch[e.batch].append(e.model_dump(exclude={"originator_id", "batch", "source", "timestamp"}))
    assert by_batch[fast["batch"]][3:] == by_batch[full["batch"]]
    assert [(e["unit"], e["item"], str(e["date"]), e["count"], e["evidence"], e["note"])
            for e in by_batch[full["batch"]]] == [("taishan", "2.1", "2025-05-06", 1, "工单4", ""),
                                                  ("taishan", "2.2.1", "2025-07-08", 2, "工单5", "y"),
                                                  ("daiyue", "5.1", "2025-03-04", 1, "工单6", "")]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_the_import_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with no_cycle_collection():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def _main() -> Any:
    from cli import main

    return main
