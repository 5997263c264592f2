"""Benchmark concurrent writers on one store (issue 7).

    python benchmarks/bench_concurrent.py [--writers 4] [--per-writer 25000] [--batches 10]
        [--mode import|record] [--year 2025]
        [--store sqlite:///PATH | postgresql://USER@HOST:PORT/DB[?schema=S]] [--cli CMD]

N writers record M occurrences each into the same store at the same time. `--mode import`
(default): each writer imports its own M distinct rows as `--batches` CSV files one after the
other (`import events`), the N writers running side by side so that their batches interleave.
`--mode record`: each writer calls `hotline-ledger record` M times (one process per occurrence;
slow, use a small M). Reports the total occurrences/s (target ≥ 5,000/s), checks through
`score --format json` and `log --format json` that exactly N×M occurrences are there, runs
`verify` (expected exit 0), then times `score` (target < 1 s). Nothing is asserted; exit 0
when every step ran, 1 when a step failed (reported, no traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_harness import Cli, Table, count_score_events, exit_cleanly_on_sigterm, fresh_store, time_score  # noqa: E402
from bench_occurrences import ITEMS, UNITS, Row, write_csv  # noqa: E402

DEDUCTIONS = {k: v for k, v in ITEMS.items() if k != "3.2.1.1"}  # per-occurrence items, count 1


def writer_rows(writer: int, m: int, year: int, seed: int) -> list[Row]:
    """M occurrences for one writer; the evidence reference makes every row distinct across writers."""
    rng = random.Random(seed * 1000 + writer)
    units = rng.choices(list(UNITS), weights=list(UNITS.values()), k=m)
    items = rng.choices(list(DEDUCTIONS), weights=list(DEDUCTIONS.values()), k=m)
    start = dt.date(year, 1, 1)
    span = (dt.date(year + 1, 1, 1) - start).days
    rows: list[Row] = []
    for i, (unit, item) in enumerate(zip(units, items, strict=True)):
        day = start + dt.timedelta(days=rng.randrange(span))
        rows.append((unit, item, day.isoformat(), 1, f"工单TA{day:%Y%m%d}W{writer}{i:06d}", f"writer {writer}"))
    return rows


Job = tuple[list[str], int]  # CLI arguments, occurrences they record


def writer_jobs(writer: int, rows: list[Row], mode: str, batches: int, tmp: Path) -> list[Job]:
    """One writer's commands: `import events` of its rows in `batches` files, or one `record` per row."""
    if mode == "record":
        return [(["record", "--unit", u, "--item", i, "--date", d, "--count", str(c), "--evidence", e,
                  "--note", note], 1) for u, i, d, c, e, note in rows]
    size = -(-len(rows) // batches)
    jobs: list[Job] = []
    for b in range(0, len(rows), size):
        path = tmp / f"writer{writer}_batch{b // size:02d}.csv"
        write_csv(path, rows[b:b + size])
        jobs.append((["import", "events", str(path)], len(rows[b:b + size])))
    return jobs


def run_writer(cli: Cli, jobs: list[Job]) -> tuple[int, list[str]]:
    """One writer's work, one CLI process after another: (occurrences recorded, failure messages)."""
    done, failures = 0, []
    for cli_args, size in jobs:
        run = cli.run(*cli_args)
        if run.ok:
            done += size
        else:
            failures.append(run.problem())
    return done, failures


def count_log_occurrences(out: str) -> int | None:
    """Occurrence events in `log --format json` (type `occurrence`, `OccurrenceRecorded` or the like)."""
    try:
        kinds = ["".join(c for c in str(e.get("type", "")).lower() if c.isalpha()) for e in json.loads(out)]
    except (ValueError, TypeError, AttributeError):
        return None
    return sum(k in ("occurrence", "occurrencerecorded") for k in kinds)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--writers", type=int, default=4, help="concurrent writers N (default 4)")
    p.add_argument("--per-writer", type=int, default=25_000, help="occurrences per writer M (default 25000)")
    p.add_argument("--batches", type=int, default=10, help="import files per writer (default 10)")
    p.add_argument("--mode", choices=["import", "record"], default="import")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--store", help="store URL (default: SQLite in a fresh temp dir)")
    p.add_argument("--cli", help="command to run instead of the installed hotline-ledger")
    p.add_argument("--score-runs", type=int, default=3)
    return p


def _write_at_once(cli: Cli, table: Table, work: list[list[Job]], args: argparse.Namespace) -> None:
    """Every writer's jobs at once, one thread each: the rate, and what each writer recorded."""
    n, m = args.writers, args.per_writer
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda jobs: run_writer(cli, jobs), work))
    elapsed = time.perf_counter() - began
    recorded = sum(done for done, _ in results)
    rate = recorded / elapsed
    table.measure(f"{n} writers, {recorded:,} recorded in {elapsed:.1f} s", rate >= 5_000,
                  f"{rate:,.0f} occurrences/s", "≥ 5,000/s")
    for w, (done, failures) in enumerate(results):
        if failures:
            table.fail(f"writer {w}", f"{args.mode} ({len(failures)} of its commands failed)", failures[0])
        table.info(f"  writer {w}", f"{done:,} recorded", "" if done == m else f"expected {m:,}")


def _check_counts(cli: Cli, table: Table, year: str, expected: int) -> None:
    """Every occurrence listed once by `score` and by `log`, and `verify` passing."""
    check = cli.step(table, "score (check)", "score", "--year", year, "--format", "json")
    if check:
        seen = count_score_events(check.out)
        table.info(f"occurrences listed by score ({check.seconds:.1f} s)",
                   "unreadable" if seen is None else f"{seen:,}",
                   f"= N×M = {expected:,}" if seen == expected else f"MISMATCH: expected {expected:,}")
    log = cli.step(table, "log", "log", "--format", "json")
    if log:
        logged = count_log_occurrences(log.out)
        table.info(f"occurrence events in log ({log.seconds:.1f} s)",
                   "unreadable" if logged is None else f"{logged:,}",
                   f"= N×M = {expected:,}" if logged == expected else f"MISMATCH: expected {expected:,}")
    v = cli.run("verify")
    table.info(f"verify ({v.seconds:.1f} s)", f"exit {v.rc}",
               "chain intact (expected exit 0)" if v.ok else "FAILED: " + v.problem())
    if not v.ok:
        table.failures.append(f"verify: {v.problem()}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    exit_cleanly_on_sigterm()
    n, m, year = args.writers, args.per_writer, str(args.year)
    how = f"{args.batches} import files each" if args.mode == "import" else "one `record` each"
    table = Table(f"bench_concurrent: {n} writers × {m:,} occurrences ({how}), year {year}")
    with tempfile.TemporaryDirectory(prefix="bench_conc_") as tmp_name:
        tmp = Path(tmp_name)
        work = [writer_jobs(w, writer_rows(w, m, args.year, args.seed), args.mode, args.batches, tmp)
                for w in range(n)]
        with fresh_store(args.store, tmp, "conc") as (store, env):
            cli = Cli(args.cli, store, tmp, env)
            table.info("store", cli.store_label)
            if cli.step(table, "init", "init", "--year", year):
                _write_at_once(cli, table, work, args)
                _check_counts(cli, table, year, n * m)
                time_score(cli, table, year, args.score_runs)
    table.print()
    return 1 if table.failures else 0


if __name__ == "__main__":
    sys.exit(main())
