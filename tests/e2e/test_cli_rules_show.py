"""``rules show --format json`` prints the ruleset with the keys a centre writes in its file."""

from __future__ import annotations

from importlib import resources
from typing import Any

from ledger.rulesets.loading import parse_ruleset
from ledger.rulesets.schema import Ruleset

LIANYUNGANG = resources.files("ledger.rulesets").joinpath("lianyungang.toml")


def test_a_units_class_is_shown_under_the_files_key_class(cli: Any) -> None:
    assert cli("init", "--year", "2025", "--ruleset", str(LIANYUNGANG)).exit_code == 0

    shown = cli.json("rules", "show", "--year", "2025")

    # lianyungang.toml: [[units]] code = "donghai", name = "东海县", class = "county"
    donghai = next(u for u in shown["units"] if u["code"] == "donghai")
    assert donghai["class"] == "county"
    assert "unit_class" not in donghai


def test_the_json_shown_reads_back_as_the_adopted_ruleset(cli: Any) -> None:
    assert cli("init", "--year", "2025", "--ruleset", str(LIANYUNGANG)).exit_code == 0

    result = cli("rules", "show", "--year", "2025", "--format", "json")

    assert result.exit_code == 0, result.stderr
    assert Ruleset.model_validate_json(result.stdout) == parse_ruleset(LIANYUNGANG.read_text(encoding="utf-8"),
                                                                       "lianyungang.toml")
