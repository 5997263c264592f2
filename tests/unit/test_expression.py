"""The ruleset formula language: parsing, exact decimal evaluation, errors and explanations."""

from dataclasses import FrozenInstanceError
from decimal import Decimal
from fractions import Fraction

import pydantic
import pytest

from ledger.domain.errors import LedgerError
from ledger.rulesets.expression import EvaluationError, Expression, ExpressionError, parse


def value(text: str, **env: Decimal | int | Fraction) -> Decimal:
    return parse(text).evaluate(env)


class TestPrecedence:
    def test_multiplication_binds_tighter_than_addition(self) -> None:
        assert value("1 + 2 * 3") == 7  # 1 + 6

    def test_subtraction_and_division_associate_to_the_left(self) -> None:
        assert value("10 - 4 - 3") == 3  # (10 − 4) − 3, not 10 − 1
        assert value("24 / 4 / 2") == 3  # (24 / 4) / 2, not 24 / 2

    def test_power_associates_to_the_right(self) -> None:
        assert value("2 ^ 3 ^ 2") == 512  # 2 ^ 9, not 8 ^ 2 = 64

    def test_power_binds_tighter_than_a_leading_minus(self) -> None:
        assert value("-2 ^ 2") == -4  # −(2 ^ 2)
        assert value("(-2) ^ 2") == 4

    def test_a_minus_may_follow_an_operator(self) -> None:
        assert value("2 ^ -1") == Decimal("0.5")
        assert value("3 - -V + +1", V=2) == 6  # 3 + 2 + 1
        assert value("2 * -V", V=4) == -8

    def test_parentheses_override_precedence(self) -> None:
        assert value("(1 + 2) * 3") == 9


class TestNotation:
    def test_typographic_operators_and_full_width_parentheses_are_accepted(self) -> None:
        typed = parse("10 × （6 − 2） ÷ 4")
        assert typed.evaluate({}) == 10  # 10 × 4 / 4
        assert str(typed) == str(parse("10 * (6 - 2) / 4"))
        assert value("min(3，2)　+ 1") == 3  # full-width comma and space

    def test_an_error_quotes_the_operator_as_it_was_typed(self) -> None:
        with pytest.raises(ExpressionError, match="unexpected '×' at column 1"):
            parse("× 2")

    def test_names_may_be_chinese(self) -> None:
        formula = parse("基础分 × 比例")
        assert formula.names == {"基础分", "比例"}
        assert formula.evaluate({"基础分": 10, "比例": Decimal("0.8")}) == 8

    def test_numbers_may_carry_an_exponent(self) -> None:
        assert value("1e-3 * 2000") == 2
        assert value("2.5E2") == 250

    def test_max_is_a_name_unless_it_is_called(self) -> None:
        formula = parse("min(max, 2 * count)")
        assert formula.names == {"max", "count"}
        assert formula.evaluate({"max": 10, "count": 3}) == 6  # min(10, 6)

    def test_str_renders_canonical_form_with_only_the_parentheses_it_needs(self) -> None:
        assert str(parse("(0.6+0.4*V/Vmax)*max")) == "(0.6 + 0.4 × V / Vmax) × max"
        assert str(parse("(a - b) - c")) == "a − b − c"
        assert str(parse("a - (b - c)")) == "a − (b − c)"
        assert str(parse("-2^2")) == "−2 ^ 2"
        assert str(parse("(-2)^2")) == "(−2) ^ 2"
        assert str(parse("2^(3^2)")) == "2 ^ 3 ^ 2"
        assert str(parse("(2^3)^2")) == "(2 ^ 3) ^ 2"
        assert str(parse("round( x ,2 )")) == "round(x, 2)"

    def test_the_canonical_form_parses_back_to_the_same_formula(self) -> None:
        for text in ["a - (b - c) / d ^ -e", "max(0, 25 - (1 - rate) * 100)", "-(a + b) ^ 2 * c"]:
            formula = parse(text)
            assert parse(str(formula)).root == formula.root


class TestFunctions:
    def test_min_and_max_take_any_number_of_arguments(self) -> None:
        assert value("min(3, 1, 2)") == 1
        assert value("max(3, 1, 2, 5)") == 5
        assert value("max(7)") == 7

    def test_abs_floor_and_ceil(self) -> None:
        assert value("abs(-2.5)") == Decimal("2.5")
        assert value("floor(1.5)") == 1
        assert value("floor(-1.5)") == -2
        assert value("ceil(1.2)") == 2
        assert value("ceil(-1.5)") == -1

    def test_round_goes_half_up_not_half_even(self) -> None:
        assert value("round(2.345, 2)") == Decimal("2.35")  # half-even would give 2.34
        assert value("round(2.5, 0)") == 3  # half-even would give 2
        assert value("round(-2.5)") == -3  # half away from zero
        assert value("round(1234, -2)") == 1200

    def test_round_refuses_fractional_places(self) -> None:
        with pytest.raises(EvaluationError, match="whole-number places"):
            value("round(1, 0.5)")


class TestHandComputedResults:
    def test_power_volume_formula_at_a_quarter_of_the_maximum_gives_half_marks(self) -> None:
        # 2500 / 10000 = 0.25; 0.25 ^ 0.5 = 0.5; 10 × 0.5 = 5
        assert parse("10 × (V / Vmax) ^ 0.5").evaluate({"V": 2500, "Vmax": 10000}) == 5

    def test_linear_volume_formula_is_exact(self) -> None:
        # 0.4 × 7500 / 10000 = 0.3; 0.6 + 0.3 = 0.9; 0.9 × 5 = 4.5
        result = parse("(0.6 + 0.4 * V / Vmax) * 5").evaluate({"V": 7500, "Vmax": 10000})
        assert result == Decimal("4.5")
        assert isinstance(result, Decimal)

    def test_threshold_formula_deducts_per_point_below_the_threshold(self) -> None:
        # (0.95 − 0.93) × 100 = 2 points; 2 × 0.5 = 1; 10 − 1 = 9
        env = {"max": 10, "threshold": Decimal("0.95"), "rate": Decimal("0.93"), "per_point": Decimal("0.5")}
        assert parse("max - (threshold - rate) * 100 * per_point").evaluate(env) == 9

    def test_floor_at_zero_formula(self) -> None:
        formula = parse("max(0, 25 - (1 - rate) * 100)")
        assert formula.evaluate({"rate": Decimal("0.9")}) == 15  # 25 − 0.1 × 100
        assert formula.evaluate({"rate": Decimal("0.7")}) == 0  # 25 − 30 = −5, floored at 0

    def test_division_carries_fifty_significant_digits(self) -> None:
        assert value("1 / 3") == Decimal("0." + "3" * 50)
        assert value("2 / 3 * 3") == Decimal("2." + "0" * 49)  # 0.666…67 × 3, rounded to 50 digits

    def test_a_fraction_value_is_used_as_a_decimal(self) -> None:
        assert value("V * 4", V=Fraction(1, 4)) == 1

    def test_an_integer_power_is_exact_and_keeps_the_sign(self) -> None:
        assert value("V ^ 3", V=-2) == -8
        assert value("1.1 ^ 2") == Decimal("1.21")

    def test_a_non_integer_power_is_correctly_rounded(self) -> None:
        assert value("4 ^ 1.5") == 8  # (√4)³


class TestEvaluationErrors:
    def test_division_by_zero_names_the_divisor(self) -> None:
        with pytest.raises(EvaluationError, match="^division by zero: Vmax is 0$"):
            parse("10 × (V / Vmax) ^ 0.5").evaluate({"V": 2500, "Vmax": 0})

    def test_division_by_a_zero_subexpression_shows_it_in_canonical_form(self) -> None:
        with pytest.raises(EvaluationError, match="^division by zero: a − b is 0$"):
            value("1 / (a - b)", a=3, b=3)

    def test_a_negative_base_with_a_fractional_exponent_is_refused(self) -> None:
        with pytest.raises(EvaluationError, match=r"negative base with fractional exponent: V \^ 0.5"):
            value("V ^ 0.5", V=-4)

    def test_an_unknown_name_lists_the_known_ones(self) -> None:
        with pytest.raises(EvaluationError) as caught:
            value("V / Vmx", V=1, Vmax=2)
        assert str(caught.value) == "unknown name 'Vmx' (did you mean 'Vmax'?); known names: V, Vmax"

    def test_an_overflowing_result_names_the_subexpression(self) -> None:
        with pytest.raises(EvaluationError, match=r"cannot compute 10 \^ 10 \^ 10: result too large"):
            value("10 ^ 10 ^ 10")

    def test_zero_to_the_power_zero_is_undefined(self) -> None:
        with pytest.raises(EvaluationError, match="undefined"):
            value("0 ^ 0")


class TestCheck:
    def test_check_passes_when_every_name_is_known(self) -> None:
        assert parse("(0.6 + 0.4 * V / Vmax) * max").check({"V", "Vmax", "max", "spare"}) == []

    def test_check_reports_each_unknown_name_once_in_order(self) -> None:
        problems = parse("b + a * b + min(1, 2)").check(["c"])
        assert problems == [
            "unknown name 'a'; known names: c",
            "unknown name 'b'; known names: c",
        ]


class TestParseErrors:
    def test_an_error_shows_the_text_with_a_caret_under_the_column(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("(1 + 2))")
        assert caught.value.position == 7
        assert str(caught.value) == "unexpected ')' at column 8\n  (1 + 2))\n         ^"

    def test_the_caret_allows_for_wide_chinese_characters(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("基础分 + )")
        # three wide characters take six cells, then " + " three more
        assert str(caught.value).splitlines()[2] == "  " + " " * 9 + "^"

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("", "empty expression", 0),
            ("1 +", "unexpected end of expression", 3),
            ("(1 + 2", "unclosed '('", 0),
            ("(1 2)", "expected ')' but found '2'", 3),
            ("min(1 2)", "expected ',' or ')' but found '2'", 6),
            ("min(1,)", "unexpected ')'", 6),
            ("1 2", "unexpected '2'", 2),
            ("* 2", "unexpected '*'", 0),
            ("2 ** 3", "'**' is not an operator; write powers with '^'", 2),
            ("abs(1, 2)", "abs() takes 1 argument(s), got 2", 0),
            ("min()", "min() takes at least 1 argument(s), got 0", 0),
            ("2 = 2", "unexpected character '='", 2),
        ],
    )
    def test_malformed_formulas_are_refused_at_the_offending_column(
        self, text: str, message: str, position: int
    ) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse(text)
        assert (caught.value.message, caught.value.position) == (message, position)

    def test_an_unknown_function_is_named_with_the_allowed_ones(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("10 * sqrt(V)")
        assert caught.value.message == "unknown function 'sqrt' (allowed: abs, ceil, floor, max, min, round)"
        assert caught.value.position == 5

    @pytest.mark.parametrize(
        "text",
        [
            "__import__('os')", "x.y", "V.__class__", "V[0]", "'a'", '"a"', "{1}",
            "lambda: 1", "open('f').read()", "1 if 0 else 2", "x = 1",
        ],
    )
    def test_python_is_not_reachable(self, text: str) -> None:
        with pytest.raises(ExpressionError):
            parse(text)

    def test_attribute_access_is_refused_by_name(self) -> None:
        with pytest.raises(ExpressionError, match=r"attribute access \('.'\) is not allowed at column 2"):
            parse("x.y")

    @pytest.mark.parametrize("text", ["(" * 500 + "1" + ")" * 500, "-" * 999 + "1", "+".join(["1"] * 999)])
    def test_absurdly_long_formulas_are_an_expression_error_not_a_crash(self, text: str) -> None:
        with pytest.raises(ExpressionError, match="formula longer than 200 tokens"):
            parse(text)

    def test_a_formula_at_the_length_limit_still_parses_and_renders(self) -> None:
        formula = parse("+".join(["1"] * 100))  # 100 numbers and 99 pluses: 199 tokens
        assert formula.evaluate({}) == 100
        assert str(formula).startswith("1 + 1 + ")


class TestExplain:
    def test_explain_substitutes_values_and_shows_the_result_to_two_decimals(self) -> None:
        # 0.4 × 8000 / 10000 = 0.32; 0.6 + 0.32 = 0.92; 0.92 × 5 = 4.60
        line = parse("(0.6 + 0.4 * V / Vmax) * max").explain({"V": 8000, "Vmax": 10000, "max": 5})
        assert line == "(0.6 + 0.4 × 8000 / 10000) × 5 = 4.60"

    def test_explain_keeps_each_value_s_own_digits(self) -> None:
        line = parse("max - (threshold - rate) * 100 * per_point").explain(
            {"max": Decimal("10.00"), "threshold": Decimal("0.95"), "rate": Decimal("0.930"), "per_point": 1}
        )
        # (0.95 − 0.930) × 100 × 1 = 2; 10.00 − 2 = 8.00
        assert line == "10.00 − (0.95 − 0.930) × 100 × 1 = 8.00"

    def test_explain_parenthesises_negative_and_repeating_values(self) -> None:
        # 1.5 − (−2) = 3.5; 1/3 × 3 = 0.99999… which shows as 1.00
        assert parse("a - b").explain({"a": Decimal("1.5"), "b": -2}) == "1.5 − (−2) = 3.50"
        assert parse("a * 3").explain({"a": Fraction(1, 3)}) == "(1/3) × 3 = 1.00"
        assert parse("a * 3").explain({"a": Fraction(1, 4)}) == "0.25 × 3 = 0.75"

    def test_explain_rounds_the_result_half_up(self) -> None:
        assert parse("x / 8").explain({"x": 1}) == "1 / 8 = 0.13"  # 0.125, half-even would give 0.12


class TestValueObject:
    def test_both_errors_belong_to_the_ledger_vocabulary(self) -> None:
        assert issubclass(ExpressionError, LedgerError) and issubclass(ExpressionError, ValueError)
        assert issubclass(EvaluationError, LedgerError)

    def test_an_expression_is_frozen_and_compares_by_value(self) -> None:
        formula = parse("V / Vmax")
        with pytest.raises(FrozenInstanceError):
            formula.text = "1"  # type: ignore[misc]
        assert formula == parse("V / Vmax")
        assert hash(formula) == hash(parse("V / Vmax"))

    def test_a_pydantic_model_can_hold_a_formula_as_text(self) -> None:
        class Item(pydantic.BaseModel):
            formula: Expression

        item = Item.model_validate({"formula": "10 × (V / Vmax) ^ 0.5"})
        assert item.formula.names == {"V", "Vmax"}
        assert item.model_dump() == {"formula": "10 × (V / Vmax) ^ 0.5"}
        with pytest.raises(pydantic.ValidationError, match="unexpected '\\)' at column 3"):
            Item.model_validate({"formula": "1 )"})
