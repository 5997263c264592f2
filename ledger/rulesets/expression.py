"""A small, safe expression language for ruleset formulas (issue 8).

``parse`` turns a formula such as ``10 × (V / Vmax) ^ 0.5`` into an immutable tree of numbers,
names, ``+ - * / ^``, unary signs and calls to a fixed whitelist of functions. Nothing reaches
Python: no ``eval``, no attribute access, no strings. Arithmetic is ``Decimal`` to 50 significant
digits (half-even inside); the caller rounds the final result half-up to 0.01.
"""

from __future__ import annotations

import decimal
import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from difflib import get_close_matches
from fractions import Fraction
from typing import Any
from unicodedata import east_asian_width

from ledger.errors import LedgerError

Value = Decimal | int | Fraction

_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN, traps=_TRAPS)
_CENT = Decimal("0.01")
# Far beyond any real formula; bounds tree depth, so hostile input cannot hit RecursionError.
_MAX_TOKENS = 200

# Chinese staff type typographic operators; each maps one character to one, so offsets hold.
_TYPOGRAPHIC = str.maketrans({"×": "*", "÷": "/", "−": "-", "（": "(", "）": ")", "，": ","})
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_TOKEN = re.compile(
    rf"(?P<space>\s+)|(?P<num>(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    rf"|(?P<name>[A-Za-z_{_CJK}][A-Za-z0-9_{_CJK}]*)|(?P<op>[-+*/^(),])"
)
_REFUSED = {".": "attribute access ('.') is not allowed", "'": "strings are not allowed",
            '"': "strings are not allowed"} | {c: f"brackets ({c!r}) are not allowed" for c in "[]{}"}

# Binding powers (left, right): left-associative ops bind tighter on the right, '^' the reverse.
_INFIX = {"+": (10, 11), "-": (10, 11), "*": (20, 21), "/": (20, 21), "^": (41, 40)}
_PREFIX = 30  # below '^', so -2^2 is -(2^2)
_PREC = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 40}
_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "/", "^": "^"}
_ARITY: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1), "ceil": (1, 1), "floor": (1, 1), "max": (1, None), "min": (1, None), "round": (1, 2),
}


class ExpressionError(LedgerError, ValueError):  # a ValueError, so pydantic reports it as a field error
    """A formula that does not parse. ``position`` is the 0-based offset into ``text``."""

    def __init__(self, message: str, position: int, text: str = "") -> None:
        super().__init__(message, position, text)
        self.message, self.position, self.text = message, position, text

    def __str__(self) -> str:
        head = f"{self.message} at column {self.position + 1}"
        if not self.text:
            return head
        # Wide (CJK, full-width) characters take two terminal cells, so the caret counts cells.
        pad = sum(2 if east_asian_width(c) in "WF" else 1 for c in self.text[: self.position])
        return f"{head}\n  {self.text}\n  {' ' * pad}^"


class EvaluationError(LedgerError):
    """A formula that parsed but cannot be computed with the given values."""


class _Node:
    """A node of the parsed tree; ``str()`` renders it in canonical form."""

    def __str__(self) -> str:
        return _render(self, str)


@dataclass(frozen=True)
class _Number(_Node):
    value: Decimal
    text: str


@dataclass(frozen=True)
class _Name(_Node):
    id: str


@dataclass(frozen=True)
class _Unary(_Node):
    op: str
    operand: _Node


@dataclass(frozen=True)
class _Binary(_Node):
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Call(_Node):
    function: str
    args: tuple[_Node, ...]


@dataclass(frozen=True)
class Expression:
    """A parsed formula. ``text`` is as written; ``str()`` gives the canonical form."""

    text: str
    root: _Node = field(repr=False)

    @property
    def names(self) -> frozenset[str]:
        """The free variables; a function name counts only where it is not called."""
        found: set[str] = set()
        _render(self.root, lambda name: found.add(name) or name)  # the renderer visits every name
        return frozenset(found)

    def check(self, names: Collection[str]) -> list[str]:
        """Return one message per free name not in ``names`` (empty when all are known)."""
        return [_unknown(name, names) for name in sorted(self.names - set(names))]

    def evaluate(self, env: Mapping[str, Value]) -> Decimal:
        """Compute the formula to 50 significant digits, unrounded."""
        with localcontext(_CONTEXT):
            for name in sorted(self.names):
                if name not in env:
                    raise EvaluationError(_unknown(name, env))
            return _evaluate(self.root, {name: _to_decimal(name, env[name]) for name in self.names})

    def explain(self, env: Mapping[str, Value]) -> str:
        """Render the arithmetic with values substituted, e.g. ``(0.6 + 0.4 × 8000 / 10000) × 5 = 4.60``."""
        result = self.evaluate(env)
        with localcontext(_CONTEXT):
            shown = result.quantize(_CENT, rounding=decimal.ROUND_HALF_UP)
        return f"{_render(self.root, lambda name: _show(env[name]))} = {_signed(shown)}"

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
    return Expression(text, _Parser(text).parse())


class _Parser:
    """A Pratt parser over the token list of one formula."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self) -> _Node:
        if self.tokens[0][0] == "end":
            raise self.error("empty expression", 0)
        node = self.expression(0)
        kind, token, position = self.tokens[self.index]
        if kind != "end":
            raise self.error(f"unexpected {self.typed(token, position)}", position)
        return node

    def error(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, position, self.text)

    def typed(self, token: str, position: int) -> str:
        """The token as the user typed it (say '×' rather than '*'), quoted for a message."""
        return repr(self.text[position : position + len(token)])

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expression(self, min_power: int) -> _Node:
        left = self.operand()
        while (token := self.tokens[self.index][1]) in _INFIX:
            left_power, right_power = _INFIX[token]
            if left_power < min_power:
                break
            self.take()
            left = _Binary(token, left, self.expression(right_power))
        return left

    def operand(self) -> _Node:
        kind, token, position = self.take()
        if kind == "num":
            return _Number(Decimal(token), token)
        if kind == "name" and self.tokens[self.index][1] == "(":
            return self.call(token, position)
        if kind == "name":
            return _Name(token)
        if token in ("-", "+"):
            return _Unary(token, self.expression(_PREFIX))
        if token == "(":
            inner = self.expression(0)
            self.close(position, "')'")
            return inner
        if kind == "end":
            raise self.error("unexpected end of expression", position)
        raise self.error(f"unexpected {self.typed(token, position)}", position)

    def call(self, function: str, position: int) -> _Call:
        if function not in _ARITY:
            allowed = ", ".join(_ARITY)
            raise self.error(f"unknown function {function!r} (allowed: {allowed})", position)
        opening = self.take()[2]
        args: list[_Node] = []
        if self.tokens[self.index][1] != ")":
            args.append(self.expression(0))
            while self.tokens[self.index][1] == ",":
                self.take()
                args.append(self.expression(0))
        self.close(opening, "',' or ')'")
        low, high = _ARITY[function]
        if not low <= len(args) <= (high or len(args)):
            wanted = f"{low}" if low == high else f"{low} to {high}" if high else f"at least {low}"
            raise self.error(f"{function}() takes {wanted} argument(s), got {len(args)}", position)
        return _Call(function, tuple(args))

    def close(self, opening: int, expected: str) -> None:
        kind, token, position = self.take()
        if kind == "end":
            raise self.error("unclosed '('", opening)
        if token != ")":
            raise self.error(f"expected {expected} but found {self.typed(token, position)}", position)


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """Split into (kind, token, position) triples, ending with an ``end`` token."""
    plain, tokens, position = text.translate(_TYPOGRAPHIC), [], 0
    while position < len(plain):
        match = _TOKEN.match(plain, position)
        if match is None or plain.startswith("**", position):
            char = text[position]
            message = "'**' is not an operator; write powers with '^'" if char == "*" else (
                _REFUSED.get(char, f"unexpected character {char!r}"))
            raise ExpressionError(message, position, text)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group(), position))
        if len(tokens) > _MAX_TOKENS:
            raise ExpressionError(f"formula longer than {_MAX_TOKENS} tokens", position, text)
        position = match.end()
    return [*tokens, ("end", "", len(text))]


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


def _evaluate(node: _Node, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, _Number):
        return node.value
    if isinstance(node, _Name):
        return values[node.id]
    if isinstance(node, _Unary):
        value = _evaluate(node.operand, values)
        return -value if node.op == "-" else value
    children = node.args if isinstance(node, _Call) else (node.left, node.right)
    operands = [_evaluate(child, values) for child in children]
    try:
        return _function(node.function, operands) if isinstance(node, _Call) else _arithmetic(node, *operands)
    except decimal.DecimalException as exc:  # a trap (overflow, 0 ^ 0, ...) names its sub-expression
        reason = {decimal.Overflow: "result too large", decimal.DivisionByZero: "division by zero"}
        raise EvaluationError(f"cannot compute {node}: {reason.get(type(exc), 'undefined result')}") from None


def _arithmetic(node: _Binary, a: Decimal, b: Decimal) -> Decimal:
    if node.op == "/" and b == 0:
        raise EvaluationError(f"division by zero: {node.right} is 0")
    if node.op != "^":
        return _OPERATORS[node.op](a, b)
    if a == 0 and b < 0:  # Decimal gives Infinity here, which a formula's bounds would turn into full marks
        raise EvaluationError(f"division by zero: {node} is 0 ^ ({_signed(b)})")
    if b == b.to_integral_value():
        return a**b  # an integral exponent is exact whenever the result fits in 50 digits
    if a < 0:
        raise EvaluationError(f"negative base with fractional exponent: {node} is ({_signed(a)}) ^ {b}")
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


def _render(node: _Node, show: Callable[[str], str]) -> str:
    """Canonical text with minimal parentheses; ``show`` renders each name (or its value)."""
    match node:
        case _Number(text=text):
            return text
        case _Name(id=name):
            return show(name)
        case _Unary(op=op, operand=operand):
            return _SYMBOL[op] + _wrap(operand, show, _precedence(operand) < _PREFIX)
        case _Binary(op=op, left=left, right=right):
            # Parenthesise a same-level child only on the side its operator does not associate to.
            power, lp, rp = _PREC[op], _precedence(left), _precedence(right)
            lhs = _wrap(left, show, lp < power or (op == "^" and lp == power))
            rhs = _wrap(right, show, rp < power or (op != "^" and rp == power))
            return f"{lhs} {_SYMBOL[op]} {rhs}"
        case _Call(function=function, args=args):
            return f"{function}({', '.join(_render(arg, show) for arg in args)})"
    raise AssertionError(node)


def _precedence(node: _Node) -> int:
    return _PREC[node.op] if isinstance(node, _Binary) else _PREFIX if isinstance(node, _Unary) else 50


def _wrap(node: _Node, show: Callable[[str], str], needed: bool) -> str:
    text = _render(node, show)
    return f"({text})" if needed else text


def _show(value: Value) -> str:
    """A value as the reader knows it: its own digits, negatives and thirds in parentheses."""
    if isinstance(value, Fraction) and value.denominator != 1:
        with localcontext(_CONTEXT):
            exact = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(exact) != value:  # a repeating decimal would misstate the value
            return f"({_signed(Decimal(value.numerator))}/{value.denominator})"
        value = exact
    text = _signed(Decimal(int(value)) if isinstance(value, Fraction | int) else value)
    return f"({text})" if text.startswith("−") else text


def _signed(value: Decimal) -> str:
    return format(value, "f").replace("-", "−")
