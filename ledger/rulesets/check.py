"""``rules check``: validate a ruleset file and say, item by item and in plain words, what it would score.

The description is in Chinese (the centre's staff read it); problems that do not make the file
invalid, such as a section whose items do not add up to its maximum, are reported as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.rulesets.durations import Within, time_words
from ledger.rulesets.kinds import kind_of
from ledger.rulesets.kinds.base import Phrases, n
from ledger.rulesets.loading import parse_ruleset
from ledger.rulesets.rates import RateDefinition
from ledger.rulesets.schema import Item, Ruleset, Section
from ledger.translation import gettext as _
from projections.explanations import rate_names

_SCREENING_FROM = {"completed": "办结时间", "dispatched": "派单时间", "due": "办结时限"}
_FIELDS = {"satisfaction": "满意度", "rated": "是否有满意度评价", "satisfied": "是否满意",
           "reply_required": "是否需回复", "replied": "是否已回复",
           "completed": "是否已办结", "on_time": "是否按期办结"}


@dataclass(frozen=True)
class CheckedRuleset:
    """A ruleset that validated, with its warnings."""

    ruleset: Ruleset
    warnings: tuple[str, ...]


def check_text(text: str, source: str) -> CheckedRuleset:
    """Validate ruleset text (``RulesetInvalid`` names every key path and problem) and collect warnings."""
    ruleset = parse_ruleset(text, source)
    return CheckedRuleset(ruleset, tuple(_warnings(ruleset)))


def _warnings(r: Ruleset) -> list[str]:
    out = []
    for unit_class in dict.fromkeys(r.class_of(u.code) for u in r.units):
        unit = next(u.code for u in r.units if r.class_of(u.code) == unit_class)
        who = _(" (class {unit_class})").format(unit_class=unit_class) if unit_class else ""
        for s in r.sections:
            if not r.applies(unit, s.code):
                continue
            own = [r.item_for(unit, i.code) for i in r.items if i.section == s.code and r.applies(unit, i.code)]
            total = sum((getattr(i, "max", None) or Decimal(0) for i in own if i.pool is None), Decimal(0))
            total += sum((p.max for p in r.pools if p.section == s.code), Decimal(0))
            if total != s.max:
                out.append(_("section {code}{who}: its items and pools add up to {total}, not its max {max}").format(
                    code=s.code, who=who, total=n(total), max=n(s.max)))
    # A cap below the full marks takes points from a unit that lost none: almost always a typing slip.
    for s in r.sections:
        if s.cap is not None and s.cap < s.max:
            out.append(_("section {code}: its cap {cap} is below its max {max}").format(
                code=s.code, cap=n(s.cap), max=n(s.max)))
    cap = r.scoring.total_cap
    for unit_class in dict.fromkeys(r.class_of(u.code) for u in r.units):
        if cap is not None and cap < r.full_marks(unit_class):
            who = _(" (class {unit_class})").format(unit_class=unit_class) if unit_class else ""
            out.append(_("scoring.total_cap {cap} is below the full marks{who} ({full})").format(
                cap=n(cap), who=who, full=n(r.full_marks(unit_class))))
    return out


def _condition(where: dict[str, tuple[str, ...]], within: Within | None = None) -> str:
    words = [f"{_FIELDS.get(k, k)}为{'或'.join(v)}" for k, v in where.items()]
    words += [within.words()] if within is not None else []
    return "且".join(words) + "的工单" if words else "全部计入统计的工单"


def describe_rate(definition: RateDefinition) -> str:
    """A defined rate in words: its numerator and denominator (a duration's unmet end explained once)."""
    parts = " + ".join(_condition(c.where, c.within) + ("" if c.weight == 1 else f" × {n(c.weight)}")
                       for c in definition.numerator)
    when = "派单时间" if definition.year_by == "dispatched" else "办结时限"
    text = (f"{definition.name} = （{parts}）÷ {_condition(definition.denominator, definition.denominator_within)}"
            f"（按{when}归属年度、月份）")
    ends = dict.fromkeys(time_words(w.end) for _, w in definition.durations())
    if ends:
        text += f"；{'、'.join(ends)}为空的工单，时限未过视为不晚于时限，时限一过即为晚于时限"
    return text


def describe_item(r: Ruleset, item: Item) -> str:
    """What the item scores, in plain Chinese words (the words are its kind's)."""
    floor = item.min_points
    held = f"，最低{n(floor)}分" if floor else "，扣完为止"
    cap = f"，本项最多扣{n(item.cap)}分" if item.cap is not None else ""
    where = ""
    if item.pool is not None:
        pool = next((p for p in r.pools if p.code == item.pool), None)
        if pool is not None:
            where = f"，从{pool.code}{pool.name}的{n(pool.max)}分中扣除"
        else:
            section = next(s for s in r.sections if s.code == item.pool)
            where = f"，在本部分其他项目计分后从第{section.code}部分（{section.name}）得分中扣除，本部分扣完为止"
        held = ""
    elif getattr(item, "max", None) is not None:
        where = f"，满分{n(item.max)}分"
    kind = kind_of(item)
    if kind is not None:
        return kind.describe(r, item, Phrases(where, cap, held, rate_names(r)))
    # A kind without wording of its own still gets its parameters, never an exception.
    params = "，".join(f"{k} = {v}" for k, v in item.model_dump(exclude={"code", "name", "section", "kind", "pool",
                                                                          "classes"}).items() if v not in (None, ()))
    return f"{item.kind}：{params}{where}"


def describe(checked: CheckedRuleset) -> dict[str, Any]:
    """The whole ruleset in words, as ``rules check --format json`` prints it."""
    r = checked.ruleset
    classes = [{"code": c or None, "name": r.class_name(c) or "全部单位", "full_marks": n(r.full_marks(c)),
                "units": [u.code for u in r.units if r.class_of(u.code) == c]}
               for c in dict.fromkeys(r.class_of(u.code) for u in r.units)]
    sections = [_describe_section(r, s) for s in r.sections]
    grades = [f"总分达到{n(g.min_points)}分为{g.name}" if g.min_points is not None
              else f"总分达到满分的{n(g.min_percent or 0)}%为{g.name}" for g in r.grades]
    vetoes = [f"{v.item} {v.name}（否决事项，不计分，用 record --item {v.item} 记录）发生{v.count}次及以上，"
              f"等次直接定为{v.grade}（不论得分）" if v.name else
              f"{v.item}发生{v.count}次及以上，等次直接定为{v.grade}（不论得分）" for v in r.vetoes]
    return {
        "valid": True, "id": r.id, "name": r.name, "classes": classes,
        "units": [{"code": u.code, "name": u.name, "class": u.unit_class,
                   "overrides": {k: {p: str(v) for p, v in ps.items()} for k, ps in u.overrides.items()}}
                  for u in r.units],
        "sections": sections,
        "rates": [{"code": d.code, "name": d.name, "rule": describe_rate(d)} for d in r.rates],
        "bonus_cap": n(r.scoring.bonus_cap) if r.scoring.bonus_cap is not None else None,
        "total_cap": n(r.scoring.total_cap) if r.scoring.total_cap is not None else None,
        "grades": grades, "vetoes": vetoes,
        "disputes": (f"异议、甄别须在评价后{r.disputes.working_days}个工作日内提出（甄别自工单"
                     f"{_SCREENING_FROM[r.disputes.screening_from]}起算），逾期不予受理"
                     if r.disputes.working_days else None),
        "screening": ("甄别通过的工单退出全部比率的分子和分母" if r.workorders.screening_leaves == "all"
                      else "甄别通过的工单退出所甄别比率的分子和分母"),
        "warnings": list(checked.warnings),
    }


def _describe_section(r: Ruleset, s: Section) -> dict[str, Any]:
    """One section in words: its caps and its lines (a pool's line where its first member appears)."""
    items = []
    pools = {p.code: p for p in r.pools if p.section == s.code}
    for i in (i for i in r.items if i.section == s.code):
        if i.pool in pools:  # a pool's line stands where its first member appears, as on the score sheet
            p = pools.pop(i.pool)
            floor = f"，最低{n(p.min_points)}分" if p.min_points else "，扣完为止"
            items.append({"code": p.code, "name": p.name, "kind": "pool", "max": n(p.max),
                          "rule": f"{p.code}下各项共用{n(p.max)}分{floor}"})
        rule = describe_item(r, i)
        tuned = [(u, u.overrides[i.code]) for u in r.units if i.code in u.overrides]
        if tuned:
            rule += "".join(f"；{u.name}：" + "，".join(f"{k} = {v}" for k, v in o.items()) for u, o in tuned)
        entry = {"code": i.code, "name": i.name, "kind": i.kind, "rule": rule}
        if getattr(i, "max", None) is not None:
            entry["max"] = n(i.max)
        if i.pool is not None:
            entry["pool"] = i.pool
        if i.classes:
            entry["classes"] = list(i.classes)
        items.append(entry)
    return {"code": s.code, "name": s.name, "max": n(s.max), "classes": list(s.classes),
            "bonus_cap": n(s.bonus_cap) if s.bonus_cap is not None else None,
            "cap": n(s.cap) if s.cap is not None else None, "items": items}


def render_lines(doc: dict[str, Any]) -> list[str]:
    """``rules check`` for people: what the ruleset would score, item by item."""
    lines = [f"{doc['name']}（{doc['id']}）：规则有效", ""]
    for c in doc["classes"]:
        ranked = "，单独排名" if len(doc["classes"]) > 1 else ""
        lines.append(f"{c['name']}：满分{c['full_marks']}分{ranked}（{len(c['units'])}个单位：{'、'.join(c['units'])}）")
    for s in doc["sections"]:
        names = {c["code"]: c["name"] for c in doc["classes"]}
        only = f"（仅{'、'.join(names.get(c, c) for c in s['classes'])}）" if s["classes"] else ""
        cap = f"，加分最多{s['bonus_cap']}分" if s["bonus_cap"] else ""
        cap += f"，含加分不超过{s['cap']}分" if s.get("cap") else ""
        lines += ["", f"{s['code']} {s['name']}（{s['max']}分{cap}）{only}"]
        for i in s["items"]:
            lines.append(f"  {i['code']} {i['name']}：{i['rule']}")
    for title, key in (("比率", "rates"), ("等次", "grades"), ("一票否决", "vetoes")):
        entries = [e["rule"] if isinstance(e, dict) else e for e in doc[key]]
        if entries:
            lines += ["", f"{title}："] + [f"  {e}" for e in entries]
    if doc["bonus_cap"]:
        lines += ["", f"加分合计最多{doc['bonus_cap']}分"]
    if doc.get("total_cap"):
        lines += ["", f"总分（含加分）不超过{doc['total_cap']}分"]
    if doc.get("screening"):
        lines += ["", doc["screening"]]
    if doc["disputes"]:
        lines += ["", doc["disputes"]]
    return lines
