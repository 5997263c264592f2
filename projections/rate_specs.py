"""A ruleset's rates as tests over an order's state: what the read model counts and lists for each rate.

A rate definition (``ledger.rulesets.rates``) names fields and values; some read the ruleset
(``rated``, ``satisfied``: through ``[workorders]``; ``satisfaction``: an order without a result
is ``unrated_value``). ``spec`` resolves them once into a ``RateSpec`` whose tests read only the
order's own state (a ``order_tallies.COLUMNS`` row, plus its extra export columns), so the same
spec counts an order whoever reads it. A spec's ``key`` is a digest of what it counts, its code
and screening rule included: the daily tallies and the list of costly orders are kept under it
(``projections.order_tallies``, ``projections.order_misses``), and two rulesets defining a rate
alike share them, two defining it differently never mix.

The specs the read model keeps are those of every ruleset adopted in the ledger (``kept``); a
rate over an extra export column, or with a duration condition (its limits move with the calendar's
rulings and the as-of date), is counted from the orders when read (``order_rates``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.domain.errors import RulesetInvalid
from ledger.rulesets.durations import BUILTIN_TIMES, Within
from ledger.rulesets.loading import parse_adopted
from ledger.rulesets.rates import BUILTIN_FIELDS, RateDefinition
from ledger.rulesets.schema import Ruleset

#: An order's state, column by column, as the ``workorders`` table holds it.
COLUMNS = ("order_id", "unit", "dispatched_at", "due_at", "completed_at", "reply_required", "replied",
           "satisfaction", "counted", "observed_at", "screened")
_UNIT, _DISPATCHED, _DUE, _COMPLETED, _REPLY_REQUIRED, _REPLIED, _SATISFACTION, _COUNTED, _SCREENED = (
    1, 2, 3, 4, 5, 6, 7, 8, 10)
_YES = {"是": 1, "否": 0}


def screened_codes(screened: str | None) -> frozenset[str]:
    """The rate codes an order was screened out of (the ``screened`` column: codes joined by commas)."""
    return frozenset(screened.split(",")) if screened else frozenset()


def with_screening(screened: str | None, code: str) -> str:
    """The ``screened`` column once the order is also screened out of ``code`` (sorted: a rebuild writes the same)."""
    return ",".join(sorted(screened_codes(screened) | {code}))


@dataclass(frozen=True)
class Test:
    """One field's test: the order's value is in ``values`` (not in, if ``negate``); no value at all: ``none``."""

    field: str
    values: frozenset[Any]
    negate: bool = False
    none: bool = False

    def value(self, order: Sequence[Any], extra: Mapping[str, str]) -> Any:
        """The field's value in the order's state (an int for a flag), or None when it has none."""
        f = self.field
        if f == "satisfaction":
            return order[_SATISFACTION]
        if f == "reply_required":
            return order[_REPLY_REQUIRED]
        if f == "replied":
            return order[_REPLIED]
        if f == "completed":
            return int(order[_COMPLETED] is not None)
        if f == "on_time":
            return int(order[_COMPLETED] is not None and order[_COMPLETED] <= order[_DUE])
        return extra.get(f)

    def __call__(self, order: Sequence[Any], extra: Mapping[str, str]) -> bool:
        v = self.value(order, extra)
        if v is None:
            return self.none
        return (v in self.values) != self.negate

    def text(self) -> str:
        return f"{self.field}{'!' if self.negate else '='}{sorted(map(str, self.values))}{'~' if self.none else ''}"


def _tests(ruleset: Ruleset, condition: Mapping[str, Sequence[str]], within: Within | None = None) -> tuple[Test, ...]:
    """A condition's tests on the order's own state: the fields that read the ruleset resolved (a duration: its
    field, judged by the reader)."""
    wo = ruleset.workorders
    out = [Test(within.name(), frozenset({"是"}))] if within is not None else []
    for name, values in sorted(condition.items()):
        wanted = set(values)
        if name == "satisfaction":  # no result stated counts as unrated (RUBRIC.md §6: 未评价 excluded)
            out.append(Test(name, frozenset(wanted), none=wo.unrated_value in wanted))
        elif name in ("rated", "satisfied"):
            if wanted >= {"是", "否"}:
                continue  # every order
            yes = "是" in wanted
            if name == "rated":  # a label other than unrated_value; an order without one is unrated
                out.append(Test("satisfaction", frozenset({wo.unrated_value}), negate=yes, none=not yes))
            else:  # one of satisfied_values; an order without a label is unrated_value
                unrated_holds = wo.unrated_value in wo.satisfied_values
                out.append(Test("satisfaction", frozenset(wo.satisfied_values), negate=not yes,
                                none=unrated_holds == yes))
        elif name in BUILTIN_FIELDS:
            out.append(Test(name, frozenset(_YES[v] for v in wanted if v in _YES)))
        else:
            out.append(Test(name, frozenset(wanted)))
    return tuple(out)


@dataclass(frozen=True)
class RateSpec:
    """A rate resolved against its ruleset: what the read model counts for it.

    Attributes:
        code, name: the rate's. basis: the order's time placing it in a day (``dispatched_at`` or ``due_at``).
        leaves_all: an accepted screening for any rate takes the order out (``screening_leaves = "all"``).
        denominator: tests every one of which an order in the denominator passes.
        parts: (weight, tests) of the numerator; an order counts with the first part it passes.
        extra: the extra export columns the rate reads (such a rate is counted when read).
        key: the digest the read model keeps the rate's tallies and costly orders under.
        durations: the rate's duration conditions, each tested as the field ``Within.name()`` holding ``是``
            (judged when read, on the calendar with its rulings: such a rate is counted when read).
    """

    code: str
    name: str
    basis: str
    leaves_all: bool
    denominator: tuple[Test, ...]
    parts: tuple[tuple[Decimal, tuple[Test, ...]], ...]
    extra: frozenset[str]
    key: str
    durations: tuple[Within, ...] = ()

    def out(self, screened: str | None) -> bool:
        """Whether an order screened out of ``screened`` (the column) is out of this rate."""
        codes = screened_codes(screened)
        return bool(codes) if self.leaves_all else self.code in codes

    def place(self, order: Sequence[Any], extra: Mapping[str, str] = {}) -> int | None:  # noqa: B006 - read only
        """Screening aside: None if the order is not in the denominator, else the index of the numerator part it
        counts in (``len(parts)``: none)."""
        if not all(t(order, extra) for t in self.denominator):
            return None
        for k, (_, tests) in enumerate(self.parts):
            if all(t(order, extra) for t in tests):
                return k
        return len(self.parts)

    def costs(self, part: int) -> bool:
        """Whether an order in the denominator, counting in ``part``, costs points (less than the most an order
        may count: 部分解决 at 0.5 does, 解决 at 1 does not)."""
        full = max(w for w, _ in self.parts)
        return part == len(self.parts) or self.parts[part][0] < full


def _expression(t: Test, constants: dict[str, Any]) -> str:
    """Python source testing ``t`` on an order state ``o`` (and its extra fields ``x``); ``constants`` gets its set."""
    name = f"V{len(constants)}"
    constants[name] = t.values
    value = {"satisfaction": "o[7]", "reply_required": "o[5]", "replied": "o[6]",
             "completed": "(o[4] is not None)", "on_time": "(o[4] is not None and o[4] <= o[3])"}.get(t.field)
    if value is None:  # an extra export column
        constants[f"F{name}"] = t.field
        value = f"x.get(F{name})"
    test = f"({value} {'not in' if t.negate else 'in'} {name})"
    if t.field in ("satisfaction",) or value.startswith("x."):
        return f"({test} if {value} is not None else {t.none})"
    return test


_COMPILED: dict[tuple[bool, tuple[str, ...]], Callable[..., list[tuple[Any, ...]]]] = {}


def compiled(specs: Sequence[RateSpec], misses: bool) -> Callable[..., list[tuple[Any, ...]]]:
    """``_compile``'s function for ``specs``, made once per set of keys."""
    key = (misses, tuple(s.key for s in specs))
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) > 256:
            _COMPILED.clear()
        found = _COMPILED[key] = _compile(tuple(specs), misses)
    return found


def _compile(specs: tuple[RateSpec, ...], misses: bool) -> Callable[..., list[tuple[Any, ...]]]:
    """One function of an order state (and its extra fields) giving what ``specs`` count it in: its tallies
    ((unit, day, measure) tuples, ``order_tallies.measures``), or with ``misses`` its costly-order rows
    (``order_misses.misses``). Generated once per set of specs: a million orders are measured on each import, and
    the tests written out run many times faster than interpreted one by one."""
    constants: dict[str, Any] = {}
    lines = ["def f(o, x=None):", "    if not o[8]: return []", "    u = o[1]; s = o[10]",
             "    out = []" if misses else "    d0 = o[2][:10]; d1 = o[3][:10]; out = [(u, d0, 'volume')]"]
    for n, sp in enumerate(specs):
        constants[f"S{n}"] = sp
        day = "d0" if sp.basis == "dispatched_at" else "d1"
        den = " and ".join(_expression(t, constants) for t in sp.denominator) or "True"
        full = max(w for w, _ in sp.parts)
        if misses:
            lines.append(f"    if {den}:")
            costly = [k for k, (w, _) in enumerate(sp.parts) if w < full]
            branches = [(_expression_all(tests, constants), k in costly) for k, (_, tests) in enumerate(sp.parts)]
            row = f"out.append((u, {sp.key!r}, o[0], o[2], o[3], o[4], o[7], int(bool(s) and S{n}.out(s))))"
            for k, (cond, costs) in enumerate(branches):
                lines.append(f"        {'if' if k == 0 else 'elif'} {cond}:")
                lines.append(f"            {row if costs else 'pass'}")
            lines.append(f"        else: {row}")
        else:
            lines.append(f"    if not (s and S{n}.out(s)) and {den}:")
            lines.append(f"        out.append((u, {day}, {sp.key + ':d'!r}))")
            for k, (_, tests) in enumerate(sp.parts):
                lines.append(f"        {'if' if k == 0 else 'elif'} {_expression_all(tests, constants)}:")
                lines.append(f"            out.append((u, {day}, {f'{sp.key}:n{k}'!r}))")
    lines.append("    return out")
    namespace: dict[str, Any] = dict(constants)
    exec("\n".join(lines), namespace)  # noqa: S102 - our own source, from validated rate definitions
    return namespace["f"]  # type: ignore[no-any-return]


def _expression_all(tests: tuple[Test, ...], constants: dict[str, Any]) -> str:
    return " and ".join(_expression(t, constants) for t in tests) or "True"


_PLACERS: dict[str, Callable[..., int | None]] = {}


def placer(sp: RateSpec) -> Callable[..., int | None]:
    """``sp.place`` as one generated function of (order state, extra fields): a rate counted from the orders
    places a year's orders each time it is read, and the tests written out run several times faster."""
    found = _PLACERS.get(sp.key)
    if found is None:
        constants: dict[str, Any] = {}
        lines = ["def f(o, x):", f"    if not ({_expression_all(sp.denominator, constants)}): return None"]
        lines += [f"    if {_expression_all(tests, constants)}: return {k}" for k, (_, tests) in enumerate(sp.parts)]
        lines.append(f"    return {len(sp.parts)}")
        namespace: dict[str, Any] = dict(constants)
        exec("\n".join(lines), namespace)  # noqa: S102 - our own source, from validated rate definitions
        if len(_PLACERS) > 256:
            _PLACERS.clear()
        found = _PLACERS[sp.key] = namespace["f"]
    return found


def spec(ruleset: Ruleset, definition: RateDefinition) -> RateSpec:
    """The rate ``definition`` of ``ruleset``, resolved."""
    basis = "dispatched_at" if definition.year_by == "dispatched" else "due_at"
    leaves_all = ruleset.workorders.screening_leaves == "all"
    den = _tests(ruleset, definition.denominator, definition.denominator_within)
    parts = tuple((c.weight, _tests(ruleset, c.where, c.within)) for c in definition.numerator)
    shown = "|".join((definition.code, basis, str(leaves_all), ";".join(t.text() for t in den),
                      *(f"{w}:{';'.join(t.text() for t in ts)}" for w, ts in parts)))
    durations = tuple(dict.fromkeys(w for _, w in definition.durations()))
    times = {t for w in durations for t in (w.start, w.end) if t not in BUILTIN_TIMES}
    return RateSpec(definition.code, definition.name, basis, leaves_all, den, parts,
                    frozenset((definition.fields() - set(BUILTIN_FIELDS)) | times),
                    hashlib.sha256(shown.encode()).hexdigest()[:16], durations)


def specs(ruleset: Ruleset) -> dict[str, RateSpec]:
    """Every rate of the ruleset, resolved: code → spec."""
    return {d.code: spec(ruleset, d) for d in ruleset.rates}


_KEPT: dict[tuple[str, ...], tuple[RateSpec, ...]] = {}


def kept(db: sqlite3.Connection) -> tuple[RateSpec, ...]:
    """The specs the read model keeps tallies and costly orders for: every rate over the order's own fields of
    every ruleset adopted (by key, in key order; a text this version cannot read adds none)."""
    rows = db.execute("SELECT text, sha256 FROM rulesets ORDER BY nid").fetchall()
    digests = tuple(r[1] for r in rows)
    if digests not in _KEPT:
        found: dict[str, RateSpec] = {}
        for text, sha in rows:
            try:
                ruleset = parse_adopted(text, sha)
            except RulesetInvalid:
                continue
            for s in specs(ruleset).values():
                if not s.extra and not s.durations:
                    found.setdefault(s.key, s)
        if len(_KEPT) > 64:
            _KEPT.clear()
        _KEPT[digests] = tuple(found[k] for k in sorted(found))
    return _KEPT[digests]
