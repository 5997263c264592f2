"""Benchmark recording occurrences in bulk, then scoring and tracing them (issue 2).

    python benchmarks/bench_occurrences.py [--rows 100000] [--year 2025] [--seed 1]
        [--store sqlite:///PATH | postgresql://USER@HOST:PORT/DB[?schema=S]] [--cli CMD]

Writes a CSV of ROWS occurrences for the eight Tai'an units (per_occurrence, per_block and
bonus items of RUBRIC.md, mostly 0.1 items), then through the installed `hotline-ledger`:
`init`, `import events` (target ≥ 10,000 events/s), `score --format json` three times (target
< 1 s; the first may catch the read model up) and `trace --unit taishan --item 2.2.1` (target
< 0.3 s). The raw-SQLite `executemany` of the same rows is printed beside them. Timings are
wall-clock times of the whole command, process start-up included. Nothing is asserted: each
figure is marked "meets target" or "below target". Exit 0 when every step ran, 1 when a step
of the CLI failed (reported, no traceback). Without --store the ledger lives in a temp dir,
removed afterwards; a PostgreSQL URL without `?schema=` gets a fresh schema, dropped afterwards.

Its helpers (running the CLI, the table of figures, the fresh store) are in bench_harness.py.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_harness import (  # noqa: E402
    Cli,
    Table,
    count_score_events,
    exit_cleanly_on_sigterm,
    fresh_store,
    import_counts,
    show_counts,
    time_score,
)

UNITS = {"taishan": 0.24, "daiyue": 0.20, "xintai": 0.17, "feicheng": 0.13,
         "ningyang": 0.09, "dongping": 0.09, "gaoxin": 0.05, "jingqu": 0.03}
# Recordable items (no assessment, rate or deadline items) → relative frequency; the frequent
# ones are the 0.1-point deductions, the heavy ones are rare.
ITEMS = {
    "2.2.1": 30, "3.2.1.1": 18, "2.1": 12, "3.2.2.1": 12, "3.2.1.2": 8,   # 0.1 points
    "3.2.2.2": 4,                                                          # 0.2
    "2.2.3": 3, "2.4": 2, "2.5": 2, "3.2.2.3": 1.5, "3.2.3.1": 1, "3.2.6": 1, "3.2.8": 1.5,  # 0.5
    "2.2.2": 1.2, "3.2.3.2": 0.5, "3.2.4.1": 0.4, "4.1": 0.3,              # 1 point
    "3.2.4.2": 0.1, "5.2": 0.1, "3.2.7": 0.02,                             # 2–3 points
    "5.1": 0.3,                                                            # bonus +1
}
NOTES = ["", "", "", "", "市热线管理中心抽查", "月度通报", "群众二次来电", "督办单回执"]


Row = tuple[str, str, str, int, str, str]


def make_rows(n: int, year: int, seed: int) -> list[Row]:
    """n distinct occurrence rows (unit, item, date, count, evidence, note), skewed like a real year."""
    rng = random.Random(seed)
    units = rng.choices(list(UNITS), weights=list(UNITS.values()), k=n)
    items = rng.choices(list(ITEMS), weights=list(ITEMS.values()), k=n)
    start = dt.date(year, 1, 1)
    span = (dt.date(year + 1, 1, 1) - start).days
    rows: list[Row] = []
    for i, (unit, item) in enumerate(zip(units, items, strict=True)):
        day = start + dt.timedelta(days=rng.randrange(span))
        count = rng.choice((1, 1, 1, 2, 3, 5, 8, 20)) if item == "3.2.1.1" else 1
        evidence = f"工单TA{day:%Y%m%d}{i:06d}"
        rows.append((unit, item, day.isoformat(), count, evidence, rng.choice(NOTES)))
    return rows


def write_csv(path: Path, rows: list[Row]) -> None:
    """The `import events` file: English headers, UTF-8."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit", "item", "date", "count", "evidence", "note"])
        w.writerows(rows)


def raw_sqlite_seconds(rows: list[Row], path: Path) -> float:
    """Baseline: one `executemany` of the rows into a fresh SQLite file, one transaction."""
    began = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE occurrences (id INTEGER PRIMARY KEY, unit TEXT, item TEXT, date TEXT,"
                " count INTEGER, evidence TEXT, note TEXT)")
    with con:
        con.executemany("INSERT INTO occurrences (unit, item, date, count, evidence, note)"
                        " VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return time.perf_counter() - began


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000, help="occurrences to import (default 100000)")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--store", help="store URL (default: SQLite in a fresh temp dir)")
    p.add_argument("--cli", help="command to run instead of the installed hotline-ledger")
    p.add_argument("--score-runs", type=int, default=3)
    return p


def _import(cli: Cli, table: Table, csv_path: Path, rows: int, raw: float) -> None:
    """`import events` of the file beside its target and the raw SQLite baseline."""
    run = cli.step(table, "import events", "import", "events", str(csv_path), json_flag=True)
    if run:
        rate = rows / run.seconds
        table.measure(f"import events ({run.seconds:.2f} s)", rate >= 10_000, f"{rate:,.0f} events/s", "≥ 10,000/s")
        table.info("  printed counts", show_counts(import_counts(run.out), run.out))
        table.info("  vs raw SQLite", f"{raw / run.seconds:.1%} of its speed")


def _read(cli: Cli, table: Table, year: str, rows: int, score_runs: int) -> None:
    """`score` (timed, every occurrence listed) and `trace taishan 2.2.1`."""
    score_out = time_score(cli, table, year, score_runs)
    if score_out is not None:
        seen = count_score_events(score_out)
        table.info("  occurrences listed by score", "unreadable" if seen is None else f"{seen:,}",
                   "= rows imported" if seen == rows else f"expected {rows:,}")
    t = cli.step(table, "trace", "trace", "--year", year, "--unit", "taishan", "--item", "2.2.1", "--format", "json")
    if t:
        table.measure("trace taishan 2.2.1 --format json", t.seconds < 0.3, f"{t.seconds:.3f} s", "< 0.3 s")
        try:
            listed = f"{len(json.loads(t.out)['items'][0]['events']):,}"
        except (ValueError, KeyError, IndexError, TypeError):
            listed = "unreadable JSON"
        table.info("  events listed by trace", listed)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    exit_cleanly_on_sigterm()
    year = str(args.year)

    table = Table(f"bench_occurrences: {args.rows:,} occurrences, year {year}")
    with tempfile.TemporaryDirectory(prefix="bench_occ_") as tmp_name:
        tmp = Path(tmp_name)
        began = time.perf_counter()
        rows = make_rows(args.rows, args.year, args.seed)
        csv_path = tmp / "occurrences.csv"
        write_csv(csv_path, rows)
        table.info("generate the CSV", f"{time.perf_counter() - began:.2f} s")
        raw = raw_sqlite_seconds(rows, tmp / "raw.db")
        table.info("raw SQLite executemany (baseline)", f"{args.rows / raw:,.0f} rows/s", f"{raw:.3f} s")

        with fresh_store(args.store, tmp, "occ") as (store, env):
            cli = Cli(args.cli, store, tmp, env)
            table.info("store", cli.store_label)
            startup = cli.run("--help")
            table.info("CLI start-up (--help)", f"{startup.seconds:.3f} s" if startup.ok else "failed")
            if cli.step(table, "init", "init", "--year", year):
                _import(cli, table, csv_path, args.rows, raw)
                _read(cli, table, year, args.rows, args.score_runs)
    table.print()
    return 1 if table.failures else 0


if __name__ == "__main__":
    sys.exit(main())
