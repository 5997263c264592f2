"""Rate definitions resolved against their ruleset (``projections.rate_specs``): the fields that read the ruleset,
and the generated functions agreeing with the tests read one by one."""

from __future__ import annotations

import itertools
import sqlite3
from decimal import Decimal

import pytest

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections import rate_specs
from projections.rate_specs import compiled, specs

TAIAN = parse_ruleset(builtin_text(), "taian")
TAIAN_SPECS = tuple(specs(TAIAN).values())
MORE = parse_ruleset(builtin_text().replace('unrated_value = "未评价"\n', '''unrated_value = "未评价"

[[rates]]
code = "weighted"
name = "加权办结率"
year_by = "due"
denominator = { rated = ["否"], reply_required = ["是"] }
numerator = [{ where = { on_time = ["是"] } }, { where = { completed = ["是"], satisfied = ["否"] }, weight = 0.5 }]

[[rates]]
code = "labels"
name = "按标签"
numerator = [{ where = { satisfaction = ["未评价", "不满意"] } }]

[[rates]]
code = "done"
name = "办结工单占比"
denominator = { completed = ["是"] }
numerator = [{ where = {} }]
''', 1), "more")


def order(satisfaction: str | None, completed: str | None, reply_required: int, replied: int,
          screened: str = "") -> tuple:
    return ("O1", "taishan", "2025-03-01T09:00:00", "2025-03-08T09:00:00", completed, reply_required, replied,
            satisfaction, 1, "2025-04-01T00:00:00", screened)


LABELS = (None, "满意", "基本满意", "不满意", "未评价")
COMPLETIONS = (None, "2025-03-08T09:00:00", "2025-03-09T00:00:00")  # open, exactly at the due time, late
ORDERS = [order(s, c, r, p, sc) for s, c, r, p, sc in itertools.product(
    LABELS, COMPLETIONS, (0, 1), (0, 1), ("", "weighted", "satisfaction,labels"))]


def test_rated_and_satisfied_read_the_label_through_the_ruleset() -> None:
    sat = specs(TAIAN)["satisfaction"]
    placed = {label: sat.place(order(label, None, 1, 1)) for label in (None, "满意", "基本满意", "不满意", "未评价")}
    # no label and 未评价 are unrated: outside the denominator; 满意 and 基本满意 count (part 0); 不满意 in no part (1)
    assert placed == {None: None, "满意": 0, "基本满意": 0, "不满意": 1, "未评价": None}


def test_a_label_condition_naming_the_unrated_label_takes_an_order_without_a_label() -> None:
    labels = specs(MORE)["labels"]
    assert [labels.place(order(x, None, 1, 1)) for x in (None, "未评价", "不满意", "满意")] == [0, 0, 0, 1]


def test_the_generated_functions_agree_with_the_tests_read_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # generated here, not taken from the functions an earlier test (or process) left in the cache
    monkeypatch.setattr(rate_specs, "_COMPILED", {})
    kept = tuple(specs(MORE).values())
    measure, miss = compiled(kept, False), compiled(kept, True)
    for o in ORDERS:
        expected, costly = [("taishan", "2025-03-01", "volume")], []
        for s in kept:
            part = s.place(o)
            if part is not None and not (o[10] and s.out(o[10])):
                day = (o[2] if s.basis == "dispatched_at" else o[3])[:10]
                expected.append(("taishan", day, s.key + ":d"))
                if part < len(s.parts):
                    expected.append(("taishan", day, f"{s.key}:n{part}"))
            if part is not None and s.costs(part):
                costly.append(("taishan", s.key, "O1", *o[2:5], o[7], int(bool(o[10]) and s.out(o[10]))))
        assert measure(o) == expected, o
        assert miss(o) == costly, o
    # made once per set of rates and kind of function
    assert compiled(kept, False) is measure and compiled(list(kept), True) is miss and measure is not miss


def test_a_weighted_order_below_the_fullest_weight_costs_points() -> None:
    w = specs(MORE)["weighted"]
    assert [p for p, _ in w.parts] == [Decimal(1), Decimal("0.5")]
    late_unsatisfied = order("不满意", "2025-03-09T00:00:00", 1, 1)  # rated, so outside: the denominator wants 否
    assert w.place(late_unsatisfied) is None
    late_unrated = order(None, "2025-03-09T00:00:00", 1, 1)
    assert (w.place(late_unrated), w.costs(1)) == (1, True)
    assert (w.place(order(None, "2025-03-08T09:00:00", 1, 1)), w.costs(0)) == (0, False)


def test_the_read_model_keeps_the_rates_over_the_orders_own_fields_of_every_ruleset_adopted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rate_specs, "_KEPT", {})  # worked out here, not taken from an earlier test's cache
    extra = builtin_text().replace('unrated_value = "未评价"\n', '''unrated_value = "未评价"
columns = [{ header = "解决情况" }]

[[rates]]
code = "resolution"
name = "解决率"
numerator = [{ where = { "解决情况" = ["解决"] } }]
''', 1)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE rulesets (nid INTEGER, text TEXT, sha256 TEXT)")
    db.executemany("INSERT INTO rulesets VALUES (?, ?, ?)", [(1, builtin_text(), "t"), (2, "不是细则", "x"),
                                                             (3, extra, "e")])
    # Tai'an's three rates (the third ruleset defines them alike: one spec each); not 解决率, over an extra column;
    # nothing of the text this version cannot read
    assert [s.code for s in rate_specs.kept(db)] == [s.code for s in sorted(TAIAN_SPECS, key=lambda s: s.key)]
    leaving_all = builtin_text().replace('unrated_value = "未评价"\n',
                                         'unrated_value = "未评价"\nscreening_leaves = "all"\n', 1)
    db.execute("INSERT INTO rulesets VALUES (4, ?, 'a')", (leaving_all,))
    # a ruleset defining the same rates differently adds its own specs (its screenings leave every rate)
    keys = [s.key for s in rate_specs.kept(db)]
    assert len(keys) == 6 and keys == sorted(keys)
    assert {s.leaves_all for s in rate_specs.kept(db)} == {False, True}


def test_a_numerator_without_a_condition_counts_every_order_of_the_denominator() -> None:
    done = specs(MORE)["done"]
    # completed: in the denominator and counting (part 0); open: outside
    assert [done.place(order("满意", c, 1, 1)) for c in COMPLETIONS] == [None, 0, 0]
    assert compiled((done,), False)(order("满意", COMPLETIONS[2], 1, 1)) == [
        ("taishan", "2025-03-01", "volume"), ("taishan", "2025-03-01", f"{done.key}:d"),
        ("taishan", "2025-03-01", f"{done.key}:n0")]


def test_rated_with_both_answers_takes_every_order_and_the_other_conditions_still_hold() -> None:
    either = parse_ruleset(builtin_text().replace('unrated_value = "未评价"\n', '''unrated_value = "未评价"

[[rates]]
code = "either"
name = "需回复工单"
denominator = { rated = ["是", "否"], reply_required = ["是"] }
numerator = [{ where = { replied = ["是"] } }]
''', 1), "either")
    s = specs(either)["either"]
    # rated or not, labelled or not: in the denominator when a reply is required; out when none is
    assert [s.place(order(label, None, 1, 1)) for label in LABELS] == [0, 0, 0, 0, 0]
    assert s.place(order(None, None, 0, 0)) is None


def test_satisfied_no_takes_an_order_labelled_unrated() -> None:
    w = specs(MORE)["weighted"]
    # 未评价 is not one of the satisfied values: an order labelled so, completed late, counts 0.5 (the second part)
    late = "2025-03-09T00:00:00"
    assert (w.place(order("未评价", late, 1, 1)), w.place(order("满意", late, 1, 1))) == (1, None)


def _with_rate(unrated: str, scale: str, where: str) -> rate_specs.RateSpec:
    """The rate ``share`` (numerator ``where``) of Tai'an's ruleset with another unrated label and scale."""
    text = builtin_text().replace('satisfaction_scale = ["满意", "基本满意", "不满意", "未评价"]\n',
                                  f"satisfaction_scale = [{scale}]\n", 1)
    text = text.replace('unrated_value = "未评价"\n', f'''unrated_value = "{unrated}"

[[rates]]
code = "share"
name = "占比"
numerator = [{{ where = {{ {where} }} }}]
''', 1)
    return specs(parse_ruleset(text, "share"))["share"]


def test_rates_counting_an_order_without_a_label_differently_are_kept_under_different_keys() -> None:
    # The read model keeps a rate's tallies under its key across the rulesets adopted: two rates of one code that
    # count some order differently must not share one.
    scale = '"满意", "基本满意", "不满意", "未评价", "未回访"'
    # 满意 or 未评价, where an order without a label is 未评价 (it counts) or 未回访 (it does not)
    labels = [_with_rate(u, scale, 'satisfaction = ["满意", "未评价"]') for u in ("未评价", "未回访")]
    assert [s.place(order(None, None, 1, 1)) for s in labels] == [0, 1]
    # not satisfied, where no label is 未评价 (not satisfied: it counts), against satisfied, where no label is
    # 基本满意 (satisfied: it counts too); a label tells them apart
    satisfied = [_with_rate("未评价", scale, 'satisfied = ["否"]'), _with_rate("基本满意", scale, 'satisfied = ["是"]')]
    assert [s.place(order(None, None, 1, 1)) for s in satisfied] == [0, 0]
    assert [s.place(order("满意", None, 1, 1)) for s in satisfied] == [1, 0]
    assert labels[0].key != labels[1].key and satisfied[0].key != satisfied[1].key
