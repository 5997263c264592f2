"""A rate counted from the orders places each with a generated function (``rate_specs.placer``): it agrees with the
spec's tests read one by one, for the built-in fields, an extra export column and a duration's verdict."""

from __future__ import annotations

import itertools

import pytest

from ledger.rulesets.loading import parse_ruleset
from projections import rate_specs
from projections.rate_specs import placer, specs
from tests.unit.test_rate_specs import MORE, ORDERS

EXTRA = parse_ruleset("""
id = "x"
name = "x"
[workorders]
columns = [{ header = "解决情况", values = ["解决", "部分解决", "未解决"] }, { header = "签收时间", type = "time" }]
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
[[units]]
code = "taishan"
name = "泰山区"
[[sections]]
code = "1"
name = "一"
max = 10
[[items]]
code = "1.1"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 90
per_point = 0.5
[[rates]]
code = "resolution"
name = "解决率"
denominator = { completed = ["是"] }
numerator = [{ where = { "解决情况" = ["解决"] } }, { where = { "解决情况" = ["部分解决"] }, weight = 0.5 }]
[[rates]]
code = "signing"
name = "签收及时率"
denominator_within = { start = "dispatched", end = "completed", working_days = 5 }
numerator = [{ where = { satisfied = ["是"] }, within = { start = "dispatched", end = "签收时间", working_hours = 2 } }]
""", "x.toml")


def test_the_generated_placer_agrees_with_the_tests_read_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # generated here, not taken from the functions an earlier test (or process) left in the cache
    monkeypatch.setattr(rate_specs, "_PLACERS", {})
    signing = specs(EXTRA)["signing"]
    days, hours = (w.name() for w in sorted(signing.durations, key=lambda w: w.working_days is None))
    extras = [{}, {"解决情况": "解决"}, {"解决情况": "部分解决"}, {"解决情况": "未解决"}]
    extras += [{days: a, hours: b} for a, b in itertools.product(("是", "否"), repeat=2)]
    every = [*specs(MORE).values(), *specs(EXTRA).values()]
    checked = set()
    for s, o, x in itertools.product(every, ORDERS, extras):
        assert placer(s)(o, x) == s.place(o, x), (s.code, o, x)
        checked.add((s.code, s.place(o, x)))
    # every rate met each of its outcomes (outside, each part, no part) somewhere in the grid
    assert {("resolution", p) for p in (None, 0, 1, 2)} | {("signing", p) for p in (None, 0, 1)} <= checked
