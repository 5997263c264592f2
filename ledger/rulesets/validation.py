"""Whole-ruleset checks: references resolve, codes are unique, parameters fit together.

Each check is a small function returning ``key.path: message`` lines, so every problem of a file
is reported at once (``rules check`` prints them; loading raises them as one ``RulesetInvalid``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ledger.rulesets.kinds import kind_of
from ledger.rulesets.rates import BUILTIN_FIELDS, RESERVED_CODES
from ledger.rulesets.wording import reworded
from ledger.translation import _

if TYPE_CHECKING:
    from ledger.rulesets.schema import Ruleset

#: Separates the problems one validator finds (loading reports each on a line of its own).
PROBLEMS_SEPARATOR = "\n"


def _at(kind: str, index: int, code: str) -> str:
    """The key path of an entry of a table array, as ``rules check`` prints it (items[3](2.2.1))."""
    return f"{kind}[{index}]({code})"


def _check_codes(r: Ruleset) -> list[str]:
    errors = []
    for kind, codes in (("units", [u.code for u in r.units]), ("items", [i.code for i in r.items]),
                        ("classes", [c.code for c in r.classes]), ("rates", [x.code for x in r.rates]),
                        ("grades", [g.name for g in r.grades])):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            errors.append(f"{kind}: " + _("duplicate code(s) {codes}").format(codes=", ".join(dupes)))
    for n, rate in enumerate(r.rates):
        if rate.code in RESERVED_CODES:
            errors.append(f"{_at('rates', n, rate.code)}.code: "
                          + _("{code} is a built-in name; choose another").format(code=rate.code))
    return errors


def _check_structure(r: Ruleset) -> list[str]:
    errors = []
    sections = {s.code for s in r.sections}
    pools = {p.code for p in r.pools}
    for n, p in enumerate(r.pools):
        if p.section not in sections:
            errors.append(f"{_at('pools', n, p.code)}.section: "
                          + _("unknown section {section}").format(section=repr(p.section)))
        elif p.max > next(s.max for s in r.sections if s.code == p.section):
            errors.append(f"{_at('pools', n, p.code)}.max: "
                          + _("{max} is above its section's maximum").format(max=p.max))
    for n, item in enumerate(r.items):
        at = _at("items", n, item.code)
        if item.section not in sections:
            errors.append(f"{at}.section: " + _("unknown section {section}").format(section=repr(item.section)))
        if item.pool is not None and item.pool not in pools | sections:
            errors.append(f"{at}.pool: " + _("{pool} is neither a pool nor a section").format(pool=repr(item.pool)))
        item_max = getattr(item, "max", None)
        kind = kind_of(item)
        if item.pool is None and item_max is None and not (kind and kind.bonus):
            errors.append(f"{at}: " + _("needs either max or pool"))
        if item.pool is not None and item_max is not None:
            errors.append(f"{at}: " + _("has both max and pool (a pool member has no points of its own)"))
        if item_max is not None and item.min_points > item_max:
            errors.append(f"{at}.min_points: "
                          + _("{min} is above max {max}").format(min=item.min_points, max=item_max))
        if item.cap is not None and not (kind and kind.deducts):
            errors.append(f"{at}.cap: " + _("cap limits deductions, and a {kind} item deducts nothing").format(
                kind=item.kind))
    return errors


def _check_overrides(r: Ruleset) -> list[str]:
    errors = []
    codes = {i.code for i in r.items}
    owners = [(_at("units", n, u.code), u.overrides) for n, u in enumerate(r.units)]
    owners += [(_at("classes", n, c.code), c.overrides) for n, c in enumerate(r.classes)]
    for owner, overrides in owners:
        for code, params in overrides.items():
            if code not in codes:
                errors.append(f"{owner}.overrides: " + _("unknown item {code}").format(code=repr(code)))
                continue
            item = r.item(code)
            stray = sorted(set(params) - set(type(item).model_fields))
            if stray:
                errors.append(f"{owner}.overrides.{code}: " + _("item {code} has no parameter {names}").format(
                    code=code, names=", ".join(stray)))
                continue
            # The item as overridden must be an item of its kind too: scoring builds it so (Ruleset.item_for).
            try:
                type(item).model_validate({**item.model_dump(), **params})
            except ValidationError as e:
                errors.extend(f"{owner}.overrides.{code}.{'.'.join(map(str, err['loc'])) or 'item'}: "
                              f"{reworded(err, err['msg'].removeprefix('Value error, '))}" for err in e.errors())
    return errors


def _check_classes(r: Ruleset) -> list[str]:
    errors = []
    known = {c.code for c in r.classes}
    for n, u in enumerate(r.units):
        if known and u.unit_class is None:
            errors.append(f"{_at('units', n, u.code)}.class: "
                          + _("missing (one of {classes})").format(classes=", ".join(sorted(known))))
        elif u.unit_class is not None and u.unit_class not in known:
            hint = (_("known: {classes}").format(classes=", ".join(sorted(known))) if known
                    else _("the ruleset declares no [[classes]]"))
            errors.append(f"{_at('units', n, u.code)}.class: "
                          + _("unknown class {name} ({hint})").format(name=repr(u.unit_class), hint=hint))
    tables = [(_at("sections", n, s.code), s.classes) for n, s in enumerate(r.sections)]
    tables += [(_at("items", n, i.code), i.classes) for n, i in enumerate(r.items)]
    for at, classes in tables:
        stray = sorted(set(classes) - known)
        if stray:
            errors.append(f"{at}.classes: " + _("unknown class(es) {names}").format(names=", ".join(stray)))
    for n, c in enumerate(r.classes):
        marks = r.full_marks(c.code)
        if c.full_marks is not None and c.full_marks != marks:
            errors.append(f"{_at('classes', n, c.code)}.full_marks: "
                          + _("{full_marks}, but the sections of the class add up to {marks}").format(
                              full_marks=c.full_marks, marks=marks))
    return errors


def _check_rates(r: Ruleset) -> list[str]:
    errors = []
    columns = {c.header: c.values for c in r.workorders.columns}
    fields: dict[str, tuple[str, ...] | None] = {**BUILTIN_FIELDS, "satisfaction": r.workorders.satisfaction_scale,
                                                 **columns}
    for n, rate in enumerate(r.rates):
        at = _at("rates", n, rate.code)
        conditions = [("denominator", rate.denominator)]
        conditions += [(f"numerator[{k}].where", part.where) for k, part in enumerate(rate.numerator)]
        for where, condition in conditions:
            for name, values in condition.items():
                if name not in fields:
                    errors.append(f"{at}.{where}: " + _("unknown field {name} (built-in: {fields}; declare an export "
                                                          "column in [[workorders.columns]])").format(
                        name=repr(name), fields=", ".join(BUILTIN_FIELDS)))
                elif fields[name]:
                    stray = [v for v in values if v not in (fields[name] or ())]
                    if stray:
                        errors.append(f"{at}.{where}.{name}: " + _("no such value {stray} (values: {values})").format(
                            stray=", ".join(stray), values=", ".join(fields[name] or ())))
        for where, within in rate.durations():
            errors += within.check(r, f"{at}.{where}")
    return errors


def _check_kinds(r: Ruleset) -> list[str]:
    """Each item's own parameters, by its kind (a rate that exists, a formula's names, …)."""
    errors = []
    for n, item in enumerate(r.items):
        kind = kind_of(item)
        if kind is not None:
            errors.extend(kind.check(r, item, _at("items", n, item.code)))
    return errors


def _check_grades(r: Ruleset) -> list[str]:
    errors = []
    names = {g.name for g in r.grades}
    codes = {i.code for i in r.items}
    for n, v in enumerate(r.vetoes):
        if v.name is None and v.item not in codes:
            errors.append(f"{_at('vetoes', n, v.item)}.item: "
                          + _("unknown item {code} (give the veto a name to declare it as an item of its own)")
                          .format(code=repr(v.item)))
        if v.name is not None and v.item in codes:
            errors.append(f"{_at('vetoes', n, v.item)}.item: "
                          + _("{code} is already a scored item; a veto with a name declares a new item "
                              "(leave out name to veto on the scored item)").format(code=v.item))
        if v.grade not in names:
            known = ", ".join(g.name for g in r.grades) or _("none declared")
            errors.append(f"{_at('vetoes', n, v.item)}.grade: "
                          + _("unknown grade {grade} (grades: {known})").format(grade=repr(v.grade), known=known))
    return errors


#: Every check, in the order their problems are reported.
CHECKS: tuple[Callable[[Ruleset], list[str]], ...] = (
    _check_codes, _check_structure, _check_overrides, _check_classes, _check_rates, _check_kinds, _check_grades,
)
