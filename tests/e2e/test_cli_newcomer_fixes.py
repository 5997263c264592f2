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
