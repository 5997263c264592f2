"""docs/rulesets.md: every TOML example is valid TOML, and the examples of the newer keys (caps, a veto item
of its own) are accepted by a ruleset, so a reader copying them gets what the page says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from ledger.rulesets.check import check_text
from ledger.rulesets.kinds import KINDS, MODELS
from ledger.rulesets.schema import Ruleset, Scoring

DOC = (Path(__file__).parents[2] / "docs" / "rulesets.md").read_text(encoding="utf-8")
KIND_MODELS: tuple[type[BaseModel], ...] = MODELS
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


# --- Every key of the schema is explained on the page and shown in a ```toml example (issue 15) ---------------


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models a field's type holds (``tuple[Unit, ...]``, ``Within | None``, the item union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _key(model: type[BaseModel], field: str) -> str:
    """The field's key as a TOML file writes it (``class`` for ``Unit.unit_class``)."""
    return model.model_fields[field].alias or field


def _owner(model: type[BaseModel], field: str) -> str:
    """The class that declares the field: ``ItemBase`` for ``cap``, so every kind's ``cap`` is one key."""
    return next(c.__name__ for c in reversed(model.__mro__) if field in c.__dict__.get("__annotations__", {}))


def _schema(root: type[BaseModel], extra: tuple[type[BaseModel], ...] = ()) -> dict[type[BaseModel], None]:
    """Every model reachable from ``root`` through its fields, and ``extra`` (the kinds' models) with theirs."""
    seen: dict[type[BaseModel], None] = {}
    todo = [root, *extra]
    while todo:
        model = todo.pop()
        if model not in seen:
            seen[model] = None
            todo += [m for f in model.model_fields.values() for m in _models_in(f.annotation)]
    return seen


def _example_keys(models: list[type[BaseModel]], data: Any, found: set[tuple[str, str]]) -> None:
    """Collect (declaring class, key) for every key of ``data`` (TOML) that its model knows, recursively. ``models``
    holds one model, or the item models of the union, one picked by the row's ``kind``; a key the model does not
    know (a fragment's own context) is passed over."""
    if not models:
        return
    for row in (r for r in (data if isinstance(data, list) else [data]) if isinstance(r, dict)):
        model = models[0] if len(models) == 1 else KINDS[row["kind"]].model if row.get("kind") in KINDS else None
        fields = {_key(model, f): f for f in model.model_fields} if model else {}
        for key, value in row.items():
            if model and key in fields:
                found.add((_owner(model, fields[key]), key))
                _example_keys(_models_in(model.model_fields[fields[key]].annotation), value, found)


def undocumented(doc: str, root: type[BaseModel]) -> list[str]:
    """Every key of the ruleset schema under ``root`` that ``doc`` neither names (```key``` or ```key = …``) nor
    shows in a TOML example under its own table: ``Model.key: why``."""
    found: set[tuple[str, str]] = set()
    for block in re.findall(r"```toml\n(.*?)```", doc, re.S):
        _example_keys([root], tomllib.loads(block), found)
    problems = []
    for model in _schema(root, KIND_MODELS):
        for field in model.model_fields:
            key, owner = _key(model, field), _owner(model, field)
            if not re.search(rf"`\[{{0,2}}{re.escape(key)}(\]{{0,2}}`| =)", doc):
                problems.append(f"{owner}.{key}: not explained")
            if (owner, key) not in found:
                problems.append(f"{owner}.{key}: in no ```toml example")
    return sorted(set(problems))


def test_every_key_of_the_schema_is_explained_with_an_example() -> None:
    assert undocumented(DOC, Ruleset) == []


def test_a_key_added_to_the_schema_without_docs_is_caught() -> None:
    """The walk reaches a new key wherever it is added: at the top, in a setting, in a kind's model."""
    from pydantic import create_model

    new_setting = create_model("Scoring", __base__=Scoring, penalty_cap=(int, 0))
    root = create_model("Ruleset", __base__=Ruleset, scoring=(new_setting, new_setting()), motto=(str, ""))
    assert undocumented(DOC, root) == ["Ruleset.motto: in no ```toml example", "Ruleset.motto: not explained",
                                       "Scoring.penalty_cap: in no ```toml example",
                                       "Scoring.penalty_cap: not explained"]
