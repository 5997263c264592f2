"""A small, safe expression language for ruleset formulas (issue 8).

``parse`` turns a formula such as ``10 × (V / Vmax) ^ 0.5`` into an immutable tree of numbers,
names, ``+ - * / ^``, unary signs and calls to a fixed whitelist of functions (its syntax:
``ledger.rulesets.expression_syntax``). Nothing reaches Python: no ``eval``, no attribute access,
no strings. Arithmetic is ``Decimal`` to 50 significant digits (half-even inside); the caller
rounds the final result half-up to 0.01.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from difflib import get_close_matches
from fractions import Fraction
from typing import Any

from ledger.domain.errors import LedgerError
from ledger.rulesets.expression_syntax import (
    CENT,
    CONTEXT,
    Binary,
    Call,
    ExpressionError,
    Name,
    Node,
    Number,
    Parser,
    Unary,
    Value,
    render,
    show,
    signed,
)

_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

__all__ = ["EvaluationError", "Expression", "ExpressionError", "Value", "parse"]


class EvaluationError(LedgerError):
    """A formula that parsed but cannot be computed with the given values."""


@dataclass(frozen=True)
class Expression:
    """A parsed formula. ``text`` is as written; ``str()`` gives the canonical form."""

    text: str
    root: Node = field(repr=False)

    @property
    def names(self) -> frozenset[str]:
        """The free variables; a function name counts only where it is not called."""
        found: set[str] = set()
        render(self.root, lambda name: found.add(name) or name)  # the renderer visits every name
        return frozenset(found)

    def check(self, names: Collection[str]) -> list[str]:
        """Return one message per free name not in ``names`` (empty when all are known)."""
        return [_unknown(name, names) for name in sorted(self.names - set(names))]

    def evaluate(self, env: Mapping[str, Value]) -> Decimal:
        """Compute the formula to 50 significant digits, unrounded."""
        with localcontext(CONTEXT):
            for name in sorted(self.names):
                if name not in env:
                    raise EvaluationError(_unknown(name, env))
            return _evaluate(self.root, {name: _to_decimal(name, env[name]) for name in self.names})

    def explain(self, env: Mapping[str, Value]) -> str:
        """Render the arithmetic with values substituted, e.g. ``(0.6 + 0.4 × 8000 / 10000) × 5 = 4.60``."""
        result = self.evaluate(env)
        with localcontext(CONTEXT):
            shown = result.quantize(CENT, rounding=decimal.ROUND_HALF_UP)
        return f"{render(self.root, lambda name: show(env[name]))} = {signed(shown)}"

    def __str__(self) -> str:
        return str(self.root)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Let a ruleset model declare ``formula: Expression``: parsed from text, dumped as text."""
        from pydantic_core import core_schema

        from_text = core_schema.no_info_after_validator_function(parse, core_schema.str_schema())
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_text]),
            serialization=core_schema.plain_serializer_function_ser_schema(lambda e: e.text),
        )


def parse(text: str) -> Expression:
    """Parse a formula, raising ``ExpressionError`` at the first thing it does not accept."""
    return Expression(text, Parser(text).parse())


def _unknown(name: str, known: Collection[str]) -> str:
    close = get_close_matches(name, [str(k) for k in known], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown name {name!r}{hint}; known names: {', '.join(sorted(known)) or '(none)'}"


def _to_decimal(name: str, value: Value) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):  # a float here is a bug upstream, not a rule problem
        raise TypeError(f"{name} must be Decimal, int or Fraction, not {type(value).__name__}")
    if not value.is_finite():
        raise EvaluationError(f"{name} is {value}, not a finite number")
    return value


def _evaluate(node: Node, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return values[node.id]
    if isinstance(node, Unary):
        value = _evaluate(node.operand, values)
        return -value if node.op == "-" else value
    children = node.args if isinstance(node, Call) else (node.left, node.right)
    operands = [_evaluate(child, values) for child in children]
    try:
        return _function(node.function, operands) if isinstance(node, Call) else _arithmetic(node, *operands)
    except decimal.DecimalException as exc:  # a trap (overflow, 0 ^ 0, ...) names its sub-expression
        reason = {decimal.Overflow: "result too large", decimal.DivisionByZero: "division by zero"}
        raise EvaluationError(f"cannot compute {node}: {reason.get(type(exc), 'undefined result')}") from None


def _arithmetic(node: Binary, a: Decimal, b: Decimal) -> Decimal:
    if node.op == "/" and b == 0:
        raise EvaluationError(f"division by zero: {node.right} is 0")
    if node.op != "^":
        return _OPERATORS[node.op](a, b)
    if a == 0 and b < 0:  # Decimal gives Infinity here, which a formula's bounds would turn into full marks
        raise EvaluationError(f"division by zero: {node} is 0 ^ ({signed(b)})")
    if b == b.to_integral_value():
        return a**b  # an integral exponent is exact whenever the result fits in 50 digits
    if a < 0:
        raise EvaluationError(f"negative base with fractional exponent: {node} is ({signed(a)}) ^ {b}")
    return a.sqrt() if b == Decimal("0.5") else a**b


def _function(function: str, args: list[Decimal]) -> Decimal:
    if function in ("min", "max"):
        return min(args) if function == "min" else max(args)
    if function == "abs":
        return abs(args[0])
    if function in ("floor", "ceil"):
        rounding = decimal.ROUND_FLOOR if function == "floor" else decimal.ROUND_CEILING
        return args[0].to_integral_value(rounding=rounding)
    places = args[1] if len(args) == 2 else Decimal(0)
    if places != places.to_integral_value():
        raise EvaluationError(f"round() needs whole-number places, got {places}")
    return args[0].quantize(Decimal(1).scaleb(-int(places)), rounding=decimal.ROUND_HALF_UP)
