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

This file also holds the helpers bench_workorders.py and bench_concurrent.py import (running the
CLI, the table of figures, the fresh store).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import random
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# ---- Shared helpers (bench_workorders.py and bench_concurrent.py import them from here) ----
REPO = Path(__file__).resolve().parent.parent


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that the running CLI command is killed and the temp dir and
    any schema created are removed (the `finally` blocks run), as on Ctrl-C."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def find_cli(override: str | None) -> list[str]:
    """--cli if given, else the repo's .venv/bin/hotline-ledger, else hotline-ledger on PATH."""
    if override:
        return shlex.split(override)
    local = REPO / ".venv" / "bin" / "hotline-ledger"
    found = str(local) if local.exists() else shutil.which("hotline-ledger")
    if not found:
        raise SystemExit("hotline-ledger is not installed: `pip install -e .` in the repo, or pass --cli CMD")
    return [found]


@dataclass
class Run:
    """One finished CLI command: exit status, output and wall-clock seconds."""

    rc: int
    out: str
    err: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def problem(self) -> str:
        """The gist of a failure: the exit status and the last line of stderr."""
        lines = [ln.strip() for ln in self.err.splitlines() if ln.strip()]
        tb = " (it printed a traceback)" if "Traceback (most recent call last)" in self.err else ""
        return f"exit {self.rc}: {lines[-1][:240] if lines else '(nothing on stderr)'}{tb}"


class Table:
    """The figures of one benchmark, printed as one aligned table, with failed steps listed below."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, str, str]] = []
        self.failures: list[str] = []

    def info(self, what: str, figure: str, note: str = "") -> None:
        self.rows.append((what, figure, "", note))

    def measure(self, what: str, ok: bool, figure: str, target: str) -> None:
        self.rows.append((what, figure, target, "meets target" if ok else "below target"))

    def fail(self, what: str, command: str, problem: str) -> None:
        self.rows.append((what, "not measured", "", "FAILED (see below)"))
        self.failures.append(f"{what}: `{command}` {problem}")

    def print(self) -> None:
        def width(s: str) -> int:
            return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

        rows = [("measure", "figure", "target", "verdict / note"), *self.rows]
        widths = [max(width(r[i]) for r in rows) for i in range(4)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        print(f"\n{self.title}\n{line}")
        for n, r in enumerate(rows):
            print("| " + " | ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)) + " |")
            if n == 0:
                print(line)
        print(line)
        for f in self.failures:
            print(f"FAILED {f}")
        sys.stdout.flush()


class Cli:
    """Runs `hotline-ledger --store STORE ...` in a working directory, timing each command."""

    def __init__(self, override: str | None, store: str, cwd: Path, env: dict[str, str]) -> None:
        self.cmd, self.store, self.cwd, self.env = find_cli(override), store, cwd, {**os.environ, **env}
        parts = urlsplit(store)
        self.store_label = store if not parts.password else store.replace(parts.password, "***")

    def run(self, *args: str, prefix: Sequence[str] = (), timeout: float = 3600) -> Run:
        began = time.perf_counter()
        try:
            p = subprocess.run([*prefix, *self.cmd, "--store", self.store, *args], cwd=self.cwd, env=self.env,
                               capture_output=True, text=True, errors="replace", timeout=timeout)
        except OSError as e:
            return Run(127, "", f"cannot run {self.cmd[0]}: {e}", 0.0)
        except subprocess.TimeoutExpired:
            return Run(124, "", f"no answer within {timeout:.0f} s (killed)", time.perf_counter() - began)
        return Run(p.returncode, p.stdout, p.stderr, time.perf_counter() - began)

    def step(self, table: Table, what: str, *args: str, json_flag: bool = False,
             prefix: Sequence[str] = ()) -> Run | None:
        """Run one step; a failure goes in the table and gives None. json_flag adds `--format json`,
        and falls back to the plain command if the CLI refuses that option (usage error, exit 2)."""
        run = self.run(*args, *(["--format", "json"] if json_flag else []), prefix=prefix)
        if json_flag and run.rc == 2 and "--format" in run.err:
            run = self.run(*args, prefix=prefix)
        print(f"  … {what}: {'ok' if run.ok else 'failed'} in {run.seconds:.2f} s", file=sys.stderr, flush=True)
        if run.ok:
            return run
        table.fail(what, "hotline-ledger " + " ".join(args), run.problem())
        return None


def time_score(cli: Cli, table: Table, year: str, runs: int) -> str | None:
    """Time `score --year Y --format json` `runs` times; the first run (which may catch the read model
    up) and the median go in the table against the < 1 s target. Returns the last JSON printed."""
    times: list[float] = []
    out = None
    for _ in range(runs):
        run = cli.step(table, "score", "score", "--year", year, "--format", "json")
        if not run:
            break
        times.append(run.seconds)
        out = run.out
    if times:
        table.measure("score --format json, first run", times[0] < 1, f"{times[0]:.3f} s", "< 1 s")
        med = statistics.median(times)
        table.measure(f"score, median of {len(times)} runs", med < 1, f"{med:.3f} s", "< 1 s")
        table.info("  score runs", ", ".join(f"{t:.3f}" for t in times) + " s")
    return out


def _pg(url: str, sql: str) -> None:
    """Run one statement on PostgreSQL (schema housekeeping); a failure is a warning, not a crash."""
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=10) as con:
            con.execute(sql)
    except Exception as e:  # noqa: BLE001 - report and go on; the CLI will say what is wrong
        print(f"warning: {sql.split(' IF')[0].lower()} on {urlsplit(url).hostname}: {e}", file=sys.stderr)


@contextlib.contextmanager
def fresh_store(url: str | None, tmp: Path, tag: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (store URL, extra environment). No URL: a SQLite file in tmp. A PostgreSQL URL without
    `?schema=` gets a fresh schema, created now and dropped afterwards; its read model and evidence
    store go in tmp instead of ~/.cache."""
    if not url or not url.startswith(("postgresql:", "postgres:")):
        yield url or f"sqlite:///{tmp / (tag + '.db')}", {}
        return
    env = {"HOTLINE_LEDGER_VIEWS": str(tmp / f"{tag}.views"),
           "HOTLINE_LEDGER_EVIDENCE": str(tmp / f"{tag}.evidence")}
    parts = urlsplit(url)
    if "schema" in parse_qs(parts.query):
        yield url, env
        return
    schema = f"bench_{tag}_{os.getpid()}_{time.time_ns() % 10**6}"
    base = parts._replace(query="").geturl()
    _pg(base, f"CREATE SCHEMA IF NOT EXISTS {schema}")
    try:
        yield parts._replace(query="&".join(filter(None, [parts.query, f"schema={schema}"]))).geturl(), env
    finally:
        _pg(base, f"DROP SCHEMA IF EXISTS {schema}, {schema}_views CASCADE")  # the store and its read model


def import_counts(out: str) -> dict[str, int] | None:
    """The new/changed/unchanged counts an import printed (JSON, or failing that its text)."""
    try:
        data = json.loads(out)
        return {k: int(data[k]) for k in ("new", "changed", "unchanged") if k in data} or None
    except (ValueError, TypeError, AttributeError):
        found = re.findall(r"(new|changed|unchanged)\D{0,12}?(\d[\d,]*)", out, re.IGNORECASE)
        return {k.lower(): int(v.replace(",", "")) for k, v in found} or None


def show_counts(counts: dict[str, int] | None, out: str) -> str:
    """Counts as `new 100,000, changed 0, unchanged 0`, or the start of what was printed."""
    return ", ".join(f"{k} {v:,}" for k, v in counts.items()) if counts else repr(out.strip()[:60])


def count_score_events(out: str) -> int | None:
    """How many event ids `score --format json` lists under the items of all units."""
    try:
        return sum(len(item.get("events") or []) for unit in json.loads(out)["units"]
                   for section in unit["sections"] for item in section["items"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


# ---- The occurrence benchmark ----
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000, help="occurrences to import (default 100000)")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--store", help="store URL (default: SQLite in a fresh temp dir)")
    p.add_argument("--cli", help="command to run instead of the installed hotline-ledger")
    p.add_argument("--score-runs", type=int, default=3)
    args = p.parse_args(argv)
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
                run = cli.step(table, "import events", "import", "events", str(csv_path), json_flag=True)
                if run:
                    rate = args.rows / run.seconds
                    table.measure(f"import events ({run.seconds:.2f} s)", rate >= 10_000,
                                  f"{rate:,.0f} events/s", "≥ 10,000/s")
                    table.info("  printed counts", show_counts(import_counts(run.out), run.out))
                    table.info("  vs raw SQLite", f"{raw / run.seconds:.1%} of its speed")
                score_out = time_score(cli, table, year, args.score_runs)
                if score_out is not None:
                    seen = count_score_events(score_out)
                    table.info("  occurrences listed by score", "unreadable" if seen is None else f"{seen:,}",
                               "= rows imported" if seen == args.rows else f"expected {args.rows:,}")
                t = cli.step(table, "trace", "trace", "--year", year, "--unit", "taishan", "--item", "2.2.1",
                             "--format", "json")
                if t:
                    table.measure("trace taishan 2.2.1 --format json", t.seconds < 0.3, f"{t.seconds:.3f} s",
                                  "< 0.3 s")
                    try:
                        listed = f"{len(json.loads(t.out)['items'][0]['events']):,}"
                    except (ValueError, KeyError, IndexError, TypeError):
                        listed = "unreadable JSON"
                    table.info("  events listed by trace", listed)
    table.print()
    return 1 if table.failures else 0


if __name__ == "__main__":
    sys.exit(main())
