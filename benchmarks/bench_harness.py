"""What the benchmarks share: running the CLI (timed, its failures reported), the table of figures beside
their targets, a fresh store (SQLite in a temp dir, or a PostgreSQL schema created and dropped), and
reading the counts the CLI prints.

bench_occurrences.py, bench_workorders.py, bench_concurrent.py, bench_proof.py and bench_web.py import it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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

