#!/usr/bin/env bash
# Run the ledger's benchmarks at their default sizes: on SQLite, then on PostgreSQL as well when a
# server answers at 127.0.0.1:5432 (URL overridable with BENCH_PG_URL; each script works in a fresh
# schema of that database and drops it afterwards).
#
#   benchmarks/run_all.sh            # from anywhere; uses the repo's .venv
#
# Every figure is printed against its target; nothing fails on timing. Exit status: 0 when every
# benchmark ran, 1 when a step of the CLI failed in any of them (the tables say which).
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
PG_URL="${BENCH_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}"
status=0

run() {
    echo
    echo "== $PY $*"
    "$PY" "$@" || status=1
}

pg_up=0
if timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; then
    pg_up=1
fi

run benchmarks/bench_occurrences.py
if [ "$pg_up" = 1 ]; then
    # The PG/SQLite ratio is measured in the same run as the SQLite import.
    run benchmarks/bench_workorders.py --compare-postgres "$PG_URL"
else
    run benchmarks/bench_workorders.py
fi
run benchmarks/bench_concurrent.py

if [ "$pg_up" = 1 ]; then
    echo
    echo "== PostgreSQL at 127.0.0.1:5432: $PG_URL"
    run benchmarks/bench_occurrences.py --store "$PG_URL"
    run benchmarks/bench_workorders.py --store "$PG_URL"
    run benchmarks/bench_concurrent.py --store "$PG_URL"
else
    echo
    echo "== no PostgreSQL at 127.0.0.1:5432: PostgreSQL runs skipped"
fi
exit "$status"
