"""What a newcomer tripped on (issue 14), each pinned: rulesets in other encodings, rules shown in words,
JSON without escapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ledger.rulesets.loading import builtin_text

CHINESE = {"LANG": "zh_CN.UTF-8", "COLUMNS": "240"}


def test_rules_check_of_a_gb18030_ruleset_is_the_same_clear_refusal_as_init(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "gb18030.toml"
    path.write_bytes(builtin_text().encode("gb18030"))
    checked = cli("rules", "check", path)
    adopted = cli("init", "--year", "2025", "--ruleset", path)
    for result in (checked, adopted):
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert f"{path}: not UTF-8 text" in result.stderr and "save the ruleset as UTF-8" in result.stderr
    assert cli.json("log") == []  # init refused: nothing adopted
    chinese = cli("rules", "check", path, env=CHINESE)
    assert chinese.exit_code == 1 and "不是 UTF-8 文本" in chinese.stderr


def test_rules_check_runs_without_a_store_and_its_json_has_no_escapes(tmp_path: Path) -> None:
    from cli import main

    path = tmp_path / "taian.toml"
    path.write_text(builtin_text(), encoding="utf-8-sig")  # a BOM, as Windows editors write it
    result = CliRunner().invoke(main, ["--store", f"sqlite:///{tmp_path / 'never.db'}", "rules", "check", str(path),
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "\\u" not in result.stdout and "泰安" in result.stdout
    assert not (tmp_path / "never.db").exists()


def test_rules_show_says_each_rule_in_words_not_in_python_reprs(cli: Any) -> None:
    cli.json("init", "--year", "2025")
    table = cli("rules", "show", "--year", "2025", env=CHINESE).stdout
    for repr_text in ("{'", "classes=()", "min_points=", "amount=", "per_occurrence", "rate_threshold"):
        assert repr_text not in table
    assert "2.3.2: threshold = 92" in table  # the high-tech zone's adjusted threshold
    assert "每发生1次扣0.1分，从2.2工单答复质量的7分中扣除" in table  # 2.2.1, as `rules check` says it
    assert "按次扣分" in table and "评价项目" in table
    json_text = cli("rules", "show", "--year", "2025", "--format", "json").stdout
    assert "\\u" not in json_text and "泰山区" in json_text


def _in(folder: Path, *args: str) -> Any:
    from cli import main

    return CliRunner().invoke(main, ["--actor", "newcomer", *args], catch_exceptions=False)


def test_a_refused_command_in_an_empty_folder_leaves_it_empty(tmp_path: Path, monkeypatch: Any) -> None:
    for variable in ("HOTLINE_LEDGER_STORE", "HOTLINE_LEDGER_VIEWS", "HOTLINE_LEDGER_EVIDENCE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    refused = [("score", "--year", "2025"), ("init", "--year", "0"), ("demo", "--year", "2031"),
               ("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "x"),
               ("trace", "--year", "2025", "--unit", "taishan"), ("dispute", "decide", "deadbeef", "--decision",
                                                                   "accept", "--reason", "r")]
    for args in refused:
        result = _in(tmp_path, *args)
        assert result.exit_code == 1, (args, result.output)
        assert list(tmp_path.iterdir()) == [], (args, list(tmp_path.iterdir()))
    assert _in(tmp_path, "init", "--year", "2025").exit_code == 0  # the store is made by the first success
    assert (tmp_path / "hotline-ledger.db").exists()
    assert _in(tmp_path, "score", "--year", "2031").exit_code == 1  # an existing store is never removed
    assert (tmp_path / "hotline-ledger.db").exists() and _in(tmp_path, "rules", "show", "--year", "2025").exit_code == 0


def test_a_demo_of_a_year_the_calendar_does_not_know_records_nothing(cli: Any, today_is: Any) -> None:
    from datetime import date

    today_is(date(2032, 3, 1))  # 2031 is over, but the bundled calendar does not know it
    result = cli("demo", "--year", "2031")
    assert result.exit_code == 1
    assert "no demo for 2031: the working-day calendar does not know 2031" in result.stderr
    assert "calendar complete 2031" in result.stderr
    assert cli.json("log") == []
    again = cli("demo", "--year", "2031")  # not "already holds the demo year": there is none
    assert again.exit_code == 1 and "does not know 2031" in again.stderr
    assert cli.json("log") == []


def test_a_half_recorded_demo_year_is_never_shown_as_done(cli: Any) -> None:
    cli.actor = "someone (demo)"  # as an interrupted earlier demo left it: its records, no decided disputes
    cli.json("init", "--year", "2025")
    cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "x")
    before = len(cli.json("log"))
    result = cli("demo", "--year", "2025")
    assert result.exit_code == 1 and "half-recorded 2025 demo year" in result.stderr
    assert len(cli.json("log")) == before


def test_an_assessment_in_trace_shows_its_points_as_points_not_as_a_count(cli: Any) -> None:
    cli.json("init", "--year", "2025")
    cli.json("assess", "--unit", "taishan", "--item", "1.1.1", "--points", "0.4", "--date", "2025-12-20",
             "--evidence", "年终检查")
    table = cli("trace", "--year", "2025", "--unit", "taishan", "--item", "1.1.1", "--as-of", "2025-12-31",
                env=CHINESE).stdout
    (row,) = [line for line in table.splitlines() if line.strip().startswith("2025-12-20")]
    assert row.count("0.40") == 1  # under 分值 only; 次数 stays empty for an assessment
    header = next(line for line in table.splitlines() if "次数" in line)
    assert row.index("0.40") >= header.index("分值")


def test_the_csv_on_stdout_is_byte_for_byte_the_csv_of_output(cli: Any, tmp_path: Path) -> None:
    import subprocess
    import sys

    cli.json("init", "--year", "2025")
    cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "x")
    target = tmp_path / "out.csv"
    assert cli("score", "--year", "2025", "--as-of", "2025-12-31", "--format", "csv", "--output", target).exit_code == 0
    script = Path(sys.executable).with_name("hotline-ledger")
    piped = subprocess.run([str(script), "--store", cli.store, "score", "--year", "2025", "--as-of", "2025-12-31",
                            "--format", "csv"], capture_output=True, check=True, timeout=120).stdout
    assert piped == target.read_bytes()
    assert piped.startswith("\ufeff".encode()) and "泰山区".encode() in piped


def test_a_duplicate_order_id_is_reported_even_when_its_first_row_has_another_error(cli: Any, tmp_path: Path) -> None:
    cli.json("init", "--year", "2025")
    path = tmp_path / "export.csv"
    path.write_text(
        "工单编号,承办单位,派单时间,办结时限,办结时间,满意度\n"
        "TA1,泰山区,2025-04-01 09:00:00,2025-04-08 09:00:00,2025-04-03 10:00:00,很满意\n"  # row 2: bad label
        "TA1,泰山区,2025-04-01 09:00:00,2025-04-08 09:00:00,2025-04-03 10:00:00,满意\n"  # row 3: the same id
        "TA2,泰山区,2025-04-01 09:00:00,2025-04-08 09:00:00,2025-04-03 10:00:00,满意\n",
        encoding="utf-8")
    before = len(cli.json("log"))
    result = cli("import", "workorders", path)
    assert result.exit_code == 1
    assert f"{path}:2:满意度:" in result.stderr
    assert f"{path}:3:工单编号: order 'TA1' also appears at row 2" in result.stderr
    assert "TA2" not in result.stderr
    assert len(cli.json("log")) == before  # a file with any bad row applies nothing


def test_a_demo_of_a_year_not_over_yet_records_nothing(cli: Any, today_is: Any) -> None:
    from datetime import date

    today_is(date(2025, 6, 1))
    result = cli("demo", "--year", "2025")
    assert result.exit_code == 1 and "2025 is not over yet" in result.stderr
    assert cli.json("log") == []


def test_no_record_is_dated_after_today_whatever_its_kind(cli: Any, today_is: Any) -> None:
    from datetime import date

    today_is(date(2025, 6, 1))
    cli.json("init", "--year", "2025")
    occ = cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-06-01", "--evidence", "x")["id"]
    cli.json("notice", "--unit", "taishan", "--notice", "DB-1", "--received", "2025-05-20", "--evidence", "督办单")
    before = len(cli.json("log"))
    tomorrow = "2025-06-02"
    for args in (("record", "--unit", "taishan", "--item", "2.2.1", "--date", tomorrow, "--evidence", "x"),
                 ("assess", "--unit", "taishan", "--item", "1.3", "--points", "0.5", "--date", tomorrow,
                  "--evidence", "x"),
                 ("submit-report", "--unit", "taishan", "--kind", "monthly", "--period", "2025-05", "--date",
                  tomorrow, "--evidence", "x"),
                 ("notice", "--unit", "taishan", "--notice", "DB-2", "--received", tomorrow, "--evidence", "x"),
                 ("explain", "--notice", "DB-1", "--date", tomorrow, "--evidence", "x"),
                 ("dispute", "open", occ, "--reason", "r", "--evidence", "e", "--date", tomorrow)):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert tomorrow in result.stderr and "still to come" in result.stderr, (args, result.stderr)
    assert len(cli.json("log")) == before


def test_a_dispute_cannot_be_dated_before_the_occurrence_it_disputes(cli: Any, today_is: Any) -> None:
    from datetime import date

    today_is(date(2025, 6, 1))
    cli.json("init", "--year", "2025")
    occ = cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "x")["id"]
    before = len(cli.json("log"))
    result = cli("dispute", "open", occ, "--reason", "r", "--evidence", "e", "--date", "2025-03-03")
    assert result.exit_code == 1
    assert f"occurrence {occ} happened on 2025-03-04: a dispute of it cannot be filed on 2025-03-03" in result.stderr
    assert len(cli.json("log")) == before
    assert cli("dispute", "open", occ, "--reason", "r", "--evidence", "e", "--date", "2025-03-04").exit_code == 0
