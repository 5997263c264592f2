"""The syntax of ruleset formulas (``ledger.rulesets.expression``): tokens, the parsed tree, and the tree written back.

A Pratt parser turns a formula's tokens into an immutable tree of numbers, names, ``+ - * / ^``, unary signs and
calls to a fixed whitelist of functions; ``render`` writes a tree back with minimal parentheses (or with values in
place of names, for an explanation). Nothing reaches Python: no ``eval``, no attribute access, no strings.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from unicodedata import east_asian_width

from ledger.domain.errors import LedgerError

Value = Decimal | int | Fraction

_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN, traps=_TRAPS)
CENT = Decimal("0.01")
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
_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "/", "^": "^"}
ARITY: dict[str, tuple[int, int | None]] = {
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


class Node:
    """A node of the parsed tree; ``str()`` renders it in canonical form."""

    def __str__(self) -> str:
        return render(self, str)


@dataclass(frozen=True)
class Number(Node):
    value: Decimal
    text: str


@dataclass(frozen=True)
class Name(Node):
    id: str


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


class Parser:
    """A Pratt parser over the token list of one formula."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self) -> Node:
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

    def expression(self, min_power: int) -> Node:
        left = self.operand()
        while (token := self.tokens[self.index][1]) in _INFIX:
            left_power, right_power = _INFIX[token]
            if left_power < min_power:
                break
            self.take()
            left = Binary(token, left, self.expression(right_power))
        return left

    def operand(self) -> Node:
        kind, token, position = self.take()
        if kind == "num":
            return Number(Decimal(token), token)
        if kind == "name" and self.tokens[self.index][1] == "(":
            return self.call(token, position)
        if kind == "name":
            return Name(token)
        if token in ("-", "+"):
            return Unary(token, self.expression(_PREFIX))
        if token == "(":
            inner = self.expression(0)
            self.close(position, "')'")
            return inner
        if kind == "end":
            raise self.error("unexpected end of expression", position)
        raise self.error(f"unexpected {self.typed(token, position)}", position)

    def call(self, function: str, position: int) -> Call:
        if function not in ARITY:
            allowed = ", ".join(ARITY)
            raise self.error(f"unknown function {function!r} (allowed: {allowed})", position)
        opening = self.take()[2]
        args: list[Node] = []
        if self.tokens[self.index][1] != ")":
            args.append(self.expression(0))
            while self.tokens[self.index][1] == ",":
                self.take()
                args.append(self.expression(0))
        self.close(opening, "',' or ')'")
        low, high = ARITY[function]
        if not low <= len(args) <= (high or len(args)):
            wanted = f"{low}" if low == high else f"{low} to {high}" if high else f"at least {low}"
            raise self.error(f"{function}() takes {wanted} argument(s), got {len(args)}", position)
        return Call(function, tuple(args))

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


def render(node: Node, show: Callable[[str], str]) -> str:
    """Canonical text with minimal parentheses; ``show`` renders each name (or its value)."""
    match node:
        case Number(text=text):
            return text
        case Name(id=name):
            return show(name)
        case Unary(op=op, operand=operand):
            return _SYMBOL[op] + _wrap(operand, show, _precedence(operand) < _PREFIX)
        case Binary(op=op, left=left, right=right):
            # Parenthesise a same-level child only on the side its operator does not associate to.
            power, lp, rp = _PREC[op], _precedence(left), _precedence(right)
            lhs = _wrap(left, show, lp < power or (op == "^" and lp == power))
            rhs = _wrap(right, show, rp < power or (op != "^" and rp == power))
            return f"{lhs} {_SYMBOL[op]} {rhs}"
        case Call(function=function, args=args):
            return f"{function}({', '.join(render(arg, show) for arg in args)})"
    raise AssertionError(node)


def _precedence(node: Node) -> int:
    return _PREC[node.op] if isinstance(node, Binary) else _PREFIX if isinstance(node, Unary) else 50


def _wrap(node: Node, show: Callable[[str], str], needed: bool) -> str:
    text = render(node, show)
    return f"({text})" if needed else text


def show(value: Value) -> str:
    """A value as the reader knows it: its own digits, negatives and thirds in parentheses."""
    if isinstance(value, Fraction) and value.denominator != 1:
        with localcontext(CONTEXT):
            exact = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(exact) != value:  # a repeating decimal would misstate the value
            return f"({signed(Decimal(value.numerator))}/{value.denominator})"
        value = exact
    text = signed(Decimal(int(value)) if isinstance(value, Fraction | int) else value)
    return f"({text})" if text.startswith("−") else text


def signed(value: Decimal) -> str:
    return format(value, "f").replace("-", "−")
