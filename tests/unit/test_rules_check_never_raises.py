"""``rules check`` never raises: any text gets either "ok" with its description or item-by-item
plain-word problems (exit 0 or 1), never a traceback.

The rulesets fed in are the shipped ones mutated at random (a value replaced by one of another
shape, a key deleted, an unknown key added, an entry duplicated or dropped), written back as TOML,
and random text outright.
"""

from __future__ import annotations

import copy
import json
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from ledger.domain.errors import RulesetInvalid
from ledger.rulesets.check import check_text, describe, describe_item, render_lines
from ledger.rulesets.items import Points, _Item
from ledger.rulesets.loading import parse_ruleset

SHIPPED = {name: tomllib.loads(resources.files("ledger.rulesets").joinpath(f"{name}.toml").read_text("utf-8"),
                               parse_float=Decimal)
           for name in ("taian", "lianyungang")}
# The newer keys too, so mutations reach them: caps, a veto item of its own, a weighted rate, grades, a per-order
# rule over a time column and working hours.
SHIPPED["features"] = tomllib.loads("""
id = "features"
name = "新键细则"
[workorders]
columns = [{ header = "签收时间", type = "time" }]
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
[scoring]
total_cap = 100
bonus_cap = 3
[[units]]
code = "a"
name = "甲区"
[[sections]]
code = "1"
name = "办理质量"
max = 100
cap = 102
[[rates]]
code = "resolution"
name = "解决率"
numerator = [{ where = { satisfaction = ["满意"] } }, { where = { satisfaction = ["基本满意"] }, weight = 0.5 }]
[[items]]
code = "1.1"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 90
threshold = 90
per_point = 0.1
[[items]]
code = "1.2"
name = "退单"
section = "1"
kind = "per_occurrence"
max = 10
amount = 0.5
cap = 5
[[items]]
code = "1.3"
name = "表扬"
section = "1"
kind = "bonus"
amount = 1
[[items]]
code = "1.4"
name = "超期办结"
section = "1"
kind = "per_order"
start = "due"
end = "签收时间"
working_hours = 4
amount = 0.2
pool = "1"
[[grades]]
name = "优秀"
min_percent = 90
[[grades]]
name = "不合格"
min_points = 0
[[vetoes]]
item = "V1"
name = "重大舆情"
grade = "不合格"
[[vetoes]]
item = "1.2"
grade = "不合格"
count = 3
""", parse_float=Decimal)
KINDS = ["assessment", "per_occurrence", "per_block", "formula_volume", "rate_threshold", "rank", "deadline",
         "bonus", "per_order", ""]


def toml_value(v: Any) -> str:
    """``v`` as a TOML value: every table inline, so a whole ruleset is a handful of ``key = value`` lines."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | Decimal):
        return str(v)
    if isinstance(v, str):  # JSON's escapes are TOML's, but TOML also refuses a raw DEL
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_text(doc: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n" for k, v in doc.items())


scalars = st.one_of(
    st.integers(-10**6, 10**6), st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.sampled_from([Decimal("1E+400"), Decimal("-0.0"), Decimal("1E-30"), 0, 100, 101]),
    st.booleans(), st.text(max_size=8), st.sampled_from(KINDS + ["V / Vmax", "V ^ 99999", "1 / 0", "max(", "2", "2.2",
                                                                 "satisfaction", "monthly", "notice", "volume"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                           max_size=3), max_leaves=6)


def _containers(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if isinstance(node, dict | list) else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, child in children:
        out += _containers(child, (*path, k))
    return out


@st.composite
def mutated_rulesets(draw: st.DrawFn) -> str:
    doc = copy.deepcopy(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_containers(doc)))
        node = doc
        for step in path:
            node = node[step]
        if not node:
            continue
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "kind"]))
        if action == "replace":
            node[key] = draw(values)
        elif action == "delete":
            del node[key]
        elif action == "add" and isinstance(node, dict):
            node[draw(st.text(min_size=1, max_size=6))] = draw(values)
        elif action == "duplicate" and isinstance(node, list):
            node.append(copy.deepcopy(node[key]))
        elif isinstance(node, dict):
            node["kind"] = draw(st.sampled_from(KINDS))
    return toml_text(doc)


def _outcome(text: str) -> str:
    """``ok`` with a description, or ``invalid`` with one plain line per problem; anything else fails the test."""
    try:
        doc = describe(check_text(text, "city.toml"))
    except RulesetInvalid as e:
        assert e.problems and all(p.strip() and "Traceback" not in p for p in e.problems)
        return "invalid"
    assert doc["valid"] is True and render_lines(doc)
    return "ok"


def test_the_shipped_rulesets_written_back_as_toml_still_check_ok() -> None:
    for doc in SHIPPED.values():
        assert _outcome(toml_text(doc)) == "ok"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_rulesets())
def test_a_mutated_ruleset_is_either_ok_or_refused_in_words(text: str) -> None:
    _outcome(text)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(SHIPPED)), st.data())
def test_new_names_and_amounts_keep_a_ruleset_valid_and_described(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(SHIPPED[name])
    for item in doc["items"]:
        item["name"] = data.draw(st.text(min_size=1, max_size=10))
        if "amount" in item:
            item["amount"] = data.draw(st.decimals(min_value=0, max_value=5, places=2))
    assert _outcome(toml_text(doc)) == "ok"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_is_either_ok_or_refused_in_words(text: str) -> None:
    _outcome(text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated_rulesets() | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_the_command_exits_0_or_1_and_never_prints_a_traceback(text: str, tmp_path: Path) -> None:
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    for fmt in ("table", "json"):
        result = CliRunner().invoke(main, ["rules", "check", str(path), "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output


def test_a_file_that_is_not_utf8_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "city.toml"
    path.write_bytes(b'id = "\xff\xfe"\n')
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 1, result.output
    assert "city.toml: not UTF-8 text (invalid start byte at byte 6)" in result.stderr
    assert "Traceback" not in result.output


class _PerOrderItem(_Item):
    """A kind the scoring core does not know yet, with ``amount`` and ``max``."""

    kind: Literal["per_order"]
    amount: Points
    max: Points


def test_a_kind_without_wording_of_its_own_is_described_by_its_parameters() -> None:
    ruleset = parse_ruleset(resources.files("ledger.rulesets").joinpath("taian.toml").read_text("utf-8"))
    item = _PerOrderItem(code="9.1", name="超期工单", section="2", kind="per_order", amount=Decimal("0.2"),
                         max=Decimal(5))
    assert describe_item(ruleset, item) == "per_order：min_points = 0，amount = 0.2，max = 5，满分5分"
