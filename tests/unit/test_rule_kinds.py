"""The rule kinds' registry (ledger/rulesets/kinds): one module per kind, each complete, and the schema made of them."""

from __future__ import annotations

from typing import get_args

import pytest

from ledger.domain.errors import RulesetInvalid
from ledger.rulesets.kinds import KINDS, kind_of
from ledger.rulesets.kinds.base import Kind
from ledger.rulesets.loading import parse_ruleset
from ledger.translation import catalogue

RULESET = """
id = "k"
name = "种类"
[[units]]
code = "a"
name = "甲区"
[[sections]]
code = "1"
name = "一"
max = 5
[[items]]
code = "1.1"
name = "项"
section = "1"
kind = "{kind}"
amount = 1
max = 5
"""


def test_each_kind_is_named_by_its_model() -> None:
    for name, kind in KINDS.items():
        assert get_args(kind.model.model_fields["kind"].annotation) == (name,)
        assert isinstance(kind, Kind)


def test_every_kind_has_a_label_in_chinese() -> None:
    zh = catalogue("zh_CN")
    for kind in KINDS.values():
        assert zh.gettext(kind.label) != kind.label, kind.name


def test_the_schema_reads_an_item_as_the_model_of_its_kind() -> None:
    ruleset = parse_ruleset(RULESET.format(kind="per_occurrence"), "k.toml")
    assert kind_of(ruleset.items[0]) is KINDS["per_occurrence"]


def test_a_kind_no_module_defines_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(RulesetInvalid) as refused:
        parse_ruleset(RULESET.format(kind="per_complaint"), "k.toml")
    problem = "\n".join(refused.value.problems)
    assert "items[0](1.1)" in problem
    for name in ("per_occurrence", "per_order", "rate_threshold"):
        assert name in problem


def test_a_kind_recorded_nowhere_takes_no_cap_unless_it_deducts() -> None:
    text = RULESET.format(kind="per_occurrence").replace("amount = 1\nmax = 5", "max = 5\ncap = 1").replace(
        "per_occurrence", "assessment")
    with pytest.raises(RulesetInvalid) as refused:
        parse_ruleset(text, "k.toml")
    assert "items[0](1.1).cap: cap limits deductions, and a assessment item deducts nothing" in refused.value.problems


def test_an_override_that_makes_an_item_invalid_is_refused_by_its_path() -> None:
    # Unit b's threshold of 920 % is no rate item's: scoring b would build that item, so the ruleset is refused.
    text = RULESET.format(kind="rate_threshold").replace("amount = 1\nmax = 5", 'rate = "reply"\nmax = 5\n'
                                                         "threshold = 90\nper_point = 1") + """
[[units]]
code = "b"
name = "乙区"
overrides = { "1.1" = { threshold = 920 } }
"""
    with pytest.raises(RulesetInvalid) as refused:
        parse_ruleset(text, "k.toml")
    assert refused.value.problems == ["units[1](b).overrides.1.1.threshold: Input should be less than or equal to 100"]
