"""``rules check FILE``: a valid ruleset is described item by item; an invalid one exits 1 naming key paths.

``rules check`` reads only the file, never the store, so these tests need no backend.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main

LIANYUNGANG = str(resources.files("ledger.rulesets").joinpath("lianyungang.toml"))
TAIAN = str(resources.files("ledger.rulesets").joinpath("taian.toml"))

SMALL = """id = "tiny"
name = "小城细则"

[[units]]
code = "a"
name = "甲区"

[[sections]]
code = "1"
name = "办理质量"
max = 10

[[items]]
code = "1.1"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 10
amount = 0.5
cap = 3
"""


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["rules", "check", *args], catch_exceptions=False)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestAValidRuleset:
    def test_each_item_is_described_in_plain_chinese(self) -> None:
        result = check(LIANYUNGANG)
        assert result.exit_code == 0, result.stderr
        described = "1.2 群众满意率：群众满意率达到98%得满分25分，每低1个百分点扣0.5分（按比例计算），最低12.5分"
        assert described in result.stdout
        assert "县：满分150分，单独排名" in result.stdout
        assert "区（功能区）：满分100分，单独排名" in result.stdout
        assert result.stderr == ""

    def test_a_cap_and_the_floor_are_said_in_words(self, tmp_path: Path) -> None:
        result = check(write(tmp_path, SMALL))
        assert "1.1 退单不规范：每发生1次扣0.5分，满分10分，本项最多扣3分，扣完为止" in result.stdout

    def test_json_lists_classes_sections_and_rules(self) -> None:
        result = check(LIANYUNGANG, "--format", "json")
        assert result.exit_code == 0
        doc = json.loads(result.stdout)
        assert doc["valid"] is True and doc["id"] == "lianyungang"
        assert {c["code"]: c["full_marks"] for c in doc["classes"]} == {"county": "150", "district": "100"}
        items = {i["code"]: i for s in doc["sections"] for i in s["items"]}
        assert items["1.1"]["rule"].startswith("按期办结率达到100%得满分25分，每低1个百分点扣1分")
        assert items["2.1"]["classes"] == ["county"]

    def test_the_taian_ruleset_checks_clean_with_its_unit_overrides_shown(self) -> None:
        result = check(TAIAN)
        assert result.exit_code == 0 and result.stderr == ""
        assert "泰安高新区：threshold = 92" in result.stdout

    def test_a_section_whose_items_do_not_add_up_is_a_warning_not_an_error(self, tmp_path: Path) -> None:
        result = check(write(tmp_path, SMALL.replace("max = 10\n\n[[items]]", "max = 12\n\n[[items]]")))
        assert result.exit_code == 0
        assert "warning: section 1: its items and pools add up to 10, not its max 12" in result.stderr


class TestAnInvalidRuleset:
    def test_exits_1_naming_the_file_the_key_path_and_the_problem(self, tmp_path: Path) -> None:
        path = write(tmp_path, SMALL.replace("cap = 3", "cap = -3"))
        result = check(path)
        assert result.exit_code == 1
        assert "rules.toml: items[0](1.1).cap: Input should be greater than or equal to 0" in result.stderr
        assert result.stdout == ""

    def test_every_problem_is_listed_at_once(self, tmp_path: Path) -> None:
        text = SMALL.replace('section = "1"\nkind', 'section = "9"\nkind')
        text = text.replace("cap = 3", "cap = 3\nmin_points = 11")
        result = check(write(tmp_path, text))
        assert result.exit_code == 1
        assert "items[0](1.1).section: unknown section '9'" in result.stderr
        assert "items[0](1.1).min_points: 11 is above max 10" in result.stderr

    def test_json_reports_the_errors_on_stdout_and_still_exits_1(self, tmp_path: Path) -> None:
        path = write(tmp_path, SMALL.replace('kind = "per_occurrence"', 'kind = "per_case"'))
        result = check(path, "--format", "json")
        assert result.exit_code == 1
        doc = json.loads(result.stdout)
        assert doc["valid"] is False
        assert doc["errors"][0].startswith("rules.toml: items[0](1.1)")

    def test_a_file_that_is_not_toml_is_refused(self, tmp_path: Path) -> None:
        result = check(write(tmp_path, "id = \n"))
        assert result.exit_code == 1
        assert "rules.toml: not valid TOML" in result.stderr

    def test_a_missing_file_is_a_usage_error(self, tmp_path: Path) -> None:
        assert check(str(tmp_path / "absent.toml")).exit_code == 2
