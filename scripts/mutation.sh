#!/usr/bin/env bash
# Mutation run over the scoring core (issue 15): mutmut 3 in a scratch copy (build/mutation), one module at a time.
#
#   bash scripts/mutation.sh                 # every core module; prints killed / total per module and overall
#   bash scripts/mutation.sh projections/rate_points.py ...   # only these modules
#   MUTATION_FRESH=1 bash scripts/mutation.sh  # forget mutmut's cached verdicts first
#   MUTATION_WORK=build/mutation-2 bash scripts/mutation.sh ...  # in another scratch copy (absolute or from the root)
#   MUTATION_MUTANTS="projections.scores.x__score_pool__mutmut_37 …" bash scripts/mutation.sh projections/scores.py
#                                              # re-run only these mutants (after a test was added for them)
#   python scripts/mutation_report.py run.txt,rerun.txt MODULES…  # figures from a run and its re-runs combined
# A changed test selection (TESTS) makes mutmut forget every cached verdict of its scratch copy: keep the results
# file of a run (build/mutation/results.txt) before re-running survivors with new tests, and combine the two.
#
# The runner uses a fast subset of the tests (TESTS below), HOTLINE_LEDGER_TEST_BACKENDS=sqlite. Survivors are
# argued in docs/mutation.md. Needs mutmut in .venv (`.venv/bin/pip install mutmut==3.8.1`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=$root/.venv/bin
[ -x "$py/mutmut" ] || "$py/pip" install -q 'mutmut==3.8.1'

CORE=(
  ledger/rulesets/rates.py
  ledger/rulesets/grades.py
  ledger/rulesets/expression.py
  ledger/rulesets/expression_syntax.py
  ledger/domain/calendar.py
  projections/item_points.py
  projections/rate_points.py
  projections/ranked_items.py
  projections/score_sheet.py
  projections/scores.py
  projections/order_rates.py
  projections/order_tallies.py
  projections/deadlines.py
  projections/facts.py
  projections/rate_specs.py
  ledger/rulesets/kinds/*.py
)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${CORE[@]}")

# Fast tests only (each survivor runs every test that reaches its function): the unit tests of the core, the
# in-memory store for rates counted from imported orders, and the hypothesis properties at a tenth of their examples.
TESTS=(
  tests/unit/test_scores_core.py tests/unit/test_expression.py tests/unit/test_deadlines.py
  tests/unit/test_calendar.py tests/unit/test_ruleset_language.py tests/unit/test_ruleset_language_rates.py
  tests/unit/test_lianyungang.py tests/unit/test_use_cases_in_memory.py tests/unit/test_workorder_tallies.py
  tests/unit/test_scoring_core_mutants.py tests/unit/test_scoring_lines_shown.py tests/unit/test_scoring_properties.py
  tests/unit/test_occurrence_counts.py tests/unit/test_per_order_trace.py
  # the rule kinds (ledger/rulesets/kinds) and the rates as data: their words, checks, JSON and per-order SQL
  tests/unit/test_rule_kinds.py tests/unit/test_rule_kind_words.py tests/unit/test_per_order_limits.py
  tests/unit/test_rate_specs.py tests/unit/test_order_misses.py tests/unit/test_costly_orders_from_columns.py
  tests/unit/test_rate_durations_counted.py tests/unit/test_order_durations.py tests/e2e/test_cli_rate_durations.py
  tests/unit/test_rate_placer.py
  tests/e2e/test_cli_per_order.py
  # deadlines through the read model (reports, notices, calendar rulings): a few of the application's tests
  tests/integration/test_deadlines_application.py::TestMonthlyReports::test_the_september_2025_report_submitted_on_15_october_is_late_and_costs_0_50_of_pool_3_2
  tests/integration/test_deadlines_application.py::TestNotices
  tests/integration/test_deadlines_application.py::TestUnknownCalendarYears::test_a_ruling_alone_leaves_it_pending_and_declaring_2027_complete_settles_it
  tests/integration/test_deadlines_application.py::TestCalendarRulings::test_a_ruling_re_derives_an_existing_verdict_and_a_later_ruling_restores_it
)

# MUTATION_WORK: another scratch copy, for a second run beside one still going (each has its own cache).
work=$(realpath -m "${MUTATION_WORK:-$root/build/mutation}")
[ -z "${MUTATION_FRESH:-}" ] || rm -rf "$work"
mkdir -p "$work"
# The copy mutmut works in: sources, tests and the project file, with the runner's settings added.
rsync -a --delete --exclude mutants --exclude __pycache__ --exclude '*.egg-info' \
  "$root"/{ledger,projections,events,web,tests,pyproject.toml} "$root"/cli*.py "$work"/
{
  echo
  echo '[tool.mutmut]'
  echo 'source_paths = ["ledger", "projections"]'
  printf 'only_mutate = [%s]\n' "$(printf '"%s",' "${CORE[@]}" | sed 's/,$//')"
  printf 'pytest_add_cli_args_test_selection = [%s]\n' "$(printf '"%s",' "${TESTS[@]}" | sed 's/,$//')"
  echo 'pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "-q"]'
} >>"$work/pyproject.toml"

export HOTLINE_LEDGER_TEST_BACKENDS=sqlite HOTLINE_LEDGER_MUTATION=1
cd "$work"
# One run (the clean and forced-fail runs of the tests are paid once); with modules named, only their mutants.
names=()
# (A package's __init__.py: the mutants named directly under the package, x_… and xǁ….)
if [ $# -gt 0 ]; then for m in "${modules[@]}"; do
  name=${m%.py}; name=${name//\//.}
  if [[ $name == *.__init__ ]]; then names+=("${name%.__init__}.x*"); else names+=("$name.*"); fi
done; fi
# MUTATION_MUTANTS="name …": only these mutants, re-run (with the tests as they are now); figures for the modules named.
[ -z "${MUTATION_MUTANTS:-}" ] || read -r -a names <<<"$MUTATION_MUTANTS"
echo "mutmut run ${names[*]:-(every core module)}: log in $work/run.log"
"$py/mutmut" run --max-children "${MUTATION_CHILDREN:-2}" "${names[@]}" >"$work/run.log" 2>&1 \
  || { tail -20 "$work/run.log"; exit 1; }
"$py/mutmut" results --all true >"$work/results.txt" 2>&1 || true
"$py/python" "$root/scripts/mutation_report.py" "$work/results.txt" "${modules[@]}"
