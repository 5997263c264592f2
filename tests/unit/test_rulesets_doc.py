"""docs/rulesets.md: every TOML example is valid TOML, and the examples of the newer keys (caps, a veto item
of its own) are accepted by a ruleset, so a reader copying them gets what the page says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ledger.rulesets.check import check_text

DOC = (Path(__file__).parents[2] / "docs" / "rulesets.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC, re.S)

BASE = """id = "doc"
name = "示例"
[[units]]
code = "a"
name = "甲区"
[[sections]]
code = "3"
name = "督查督办"
max = 96
[[items]]
code = "3.2.7"
name = "失泄密造成不良影响"
section = "3"
kind = "per_occurrence"
max = 96
amount = 3
"""


def _block_with(key: str) -> str:
    return next(b for b in BLOCKS if re.search(rf"^{re.escape(key)}", b, re.M))


def test_every_toml_example_parses() -> None:
    assert len(BLOCKS) >= 10
    for block in BLOCKS:
        tomllib.loads(block)


def test_the_cap_and_veto_examples_are_accepted_in_a_ruleset() -> None:
    scoring, section, vetoes = _block_with("total_cap ="), _block_with("cap = 6"), _block_with("[[vetoes]]")
    checked = check_text(BASE + scoring + section + vetoes, "doc.toml")
    r = checked.ruleset
    assert r.scoring.total_cap == 100 and r.sections[1].cap == 6
    assert [(v.item, v.name) for v in r.vetoes] == [("3.2.7", None), ("V1", "发生重大舆情事件，造成恶劣影响"),
                                                     ("V2", "被省级以上媒体曝光")]


def test_the_rates_and_screening_examples_are_accepted_in_a_ruleset() -> None:
    """Issue 15: the examples of [[rates]] over the built-in fields, screening_leaves and screening_from."""
    rates = _block_with('[[rates]]                       # 群众满意率')
    workorders = _block_with('[workorders]\nscreening_leaves')
    disputes = _block_with("[disputes]")
    columns = '[workorders]\ncolumns = [{ header = "解决情况" }, { header = "回访情况" }]\n'
    satisfaction = rates[:rates.index("[[rates]]                       # 解决率")]
    r = check_text(BASE + disputes + satisfaction, "doc.toml").ruleset
    assert (r.disputes.working_days, r.disputes.screening_from) == (5, "dispatched")
    assert [x.code for x in r.rates] == ["satisfaction", "ontime"]
    assert check_text(BASE + workorders, "doc.toml").ruleset.workorders.screening_leaves == "all"
    labels = ('[workorders]\nsatisfaction_scale = ["非常满意", "满意", "理解", "不满意", "未评价"]\n'
              'satisfied_values = ["非常满意", "满意", "理解"]\n')
    full = BASE + labels + columns.removeprefix("[workorders]\n") + rates
    assert [x.code for x in check_text(full, "doc.toml").ruleset.rates] == [
        "satisfaction", "ontime", "resolution", "completed_satisfaction"]


def test_the_duration_rate_example_is_accepted_and_described() -> None:
    """Issue 15: the [[rates]] example with `within` and `denominator_within` is a valid ruleset, as described."""
    checked = check_text(BASE + _block_with("denominator_within ="), "doc.toml")
    signing, signed_quick = checked.ruleset.rates
    assert signing.numerator[0].within is not None and signing.numerator[0].within.working_hours == 2
    assert signed_quick.denominator_within is not None and signed_quick.numerator[0].within is not None
    assert (signed_quick.denominator_within.end, signed_quick.numerator[0].within.working_days) == ("签收时间", 5)
