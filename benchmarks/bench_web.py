"""The web service under load: readers and clerks at once, against one or more ``serve`` processes (issue 13).

Sets up a store with ``hotline-ledger demo`` (a fresh SQLite file by default, or ``--store URL``;
or ``--no-demo`` to use a store as it is, e.g. the 1M-order ledger; ``--workorders FILE`` imports a
platform export into it first, e.g. ``gen_workorders.py``'s million orders), opens a viewer and a clerk
account with API tokens, starts ``--processes`` ``serve`` processes on 127.0.0.1 (more than one
only on PostgreSQL), each with ``--workers`` worker processes, and runs ``--users`` concurrent clients
for ``--seconds``: readers cycle
through the ranking page, a unit's page and a trace (API); one client in five is a clerk recording
occurrences. Each client pauses between requests as a person does (``--think``: a random pause,
exponentially distributed with that mean, 1 s by default; ``--think 0`` sends the next request as soon
as the last is answered, which measures throughput rather than what a user waits). Prints p50/p95
latency per kind and the throughput, then checks that every write the clerks were told was stored
appears in the log exactly once. 127.0.0.1 only; nothing asserted on timing
(target: p95 < 100 ms for pages and API reads).

    .venv/bin/python benchmarks/bench_web.py [--store URL] [--no-demo] [--workorders FILE] [--processes 2] \
        [--workers 2] [--users 20] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from bench_harness import fresh_store  # the same fresh-schema housekeeping as the other benchmarks

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "hotline-ledger") if (ROOT / ".venv/bin/hotline-ledger").exists() else \
    shutil.which("hotline-ledger") or "hotline-ledger"
UNITS = ["taishan", "daiyue", "xintai", "feicheng", "ningyang", "dongping", "gaoxin", "jingqu"]
PW = "bench password 12345"


def cli(store: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([CLI, "--store", store, "--actor", "bench", *args], input=stdin, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"hotline-ledger {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


async def think(mean: float) -> None:
    """A person's pause before the next request (exponential, so arrivals are not in lockstep)."""
    if mean > 0:
        await asyncio.sleep(random.expovariate(1 / mean))


async def reader(client: httpx.AsyncClient, bases: list[str], year: int, token: str, until: float,
                 out: dict[str, list[float]], pause: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    await think(pause)
    while time.perf_counter() < until:
        base = random.choice(bases)
        unit = random.choice(UNITS)
        for kind, url in (("page ranking", f"{base}/app/ranking?year={year}"),
                          ("page unit", f"{base}/app/unit/{unit}?year={year}"),
                          ("api trace", f"{base}/api/v1/trace?year={year}&unit={unit}&item=2.1")):
            start = time.perf_counter()
            r = await client.get(url, headers=headers)
            out.setdefault(kind, []).append(time.perf_counter() - start)
            if r.status_code != 200:
                out.setdefault("errors", []).append(r.status_code)
            await think(pause)


async def clerk(client: httpx.AsyncClient, bases: list[str], year: int, token: str, until: float,
                out: dict[str, list[float]], written: list[str], marker: str, pause: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    await think(pause)
    while time.perf_counter() < until:
        body = {"unit": random.choice(UNITS), "item": "2.1", "date": f"{year}-06-01", "count": 1,
                "evidence": f"{marker}-{uuid.uuid4().hex[:12]}"}
        start = time.perf_counter()
        r = await client.post(f"{random.choice(bases)}/api/v1/occurrences", json=body, headers=headers)
        out.setdefault("api record", []).append(time.perf_counter() - start)
        if r.status_code == 201:
            written.append(body["evidence"])
        else:
            out.setdefault("errors", []).append(r.status_code)
        await think(pause)


async def bare(base: str, users: int, seconds: float, pause: float) -> list[float]:
    """The same number of clients, with the same pauses, on the bare endpoint for the same time (the raw floor)."""
    times: list[float] = []

    async def one(client: httpx.AsyncClient, until: float) -> None:
        await think(pause)
        while time.perf_counter() < until:
            start = time.perf_counter()
            await client.get(f"{base}/ping")
            times.append(time.perf_counter() - start)
            await think(pause)

    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=users)) as client:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(one(client, until) for _ in range(users)))
    return times


def wait_until_answering(url: str, tries: int, pause: float) -> None:
    """Ask ``url`` until it answers 200 (a server starting up), at most ``tries`` times, ``pause`` s apart."""
    for _ in range(tries):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(pause)


def floor(users: int, seconds: float, pause: float) -> list[float]:
    """Serve ``bare_app`` with uvicorn (one process, as ``serve``) and load it; the latencies."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "benchmarks"), "bare_app:app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/ping", 300, 0.1)
        return asyncio.run(bare(base, users, seconds, pause))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


async def load(bases: list[str], year: int, viewer: str, clerk_token: str, users: int, seconds: float,
               pause: float) -> tuple[
        dict[str, list[float]], list[str], str, float]:
    out: dict[str, list[float]] = {}
    written: list[str] = []
    marker = f"bench{uuid.uuid4().hex[:6]}"
    limits = httpx.Limits(max_connections=users)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        start = time.perf_counter()
        until = start + seconds
        tasks = [clerk(client, bases, year, clerk_token, until, out, written, marker, pause) if n % 5 == 4 else
                 reader(client, bases, year, viewer, until, out, pause) for n in range(users)]
        await asyncio.gather(*tasks)
        return out, written, marker, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=None)
    ap.add_argument("--no-demo", action="store_true", help="use the store as it is (it has the year's ledger)")
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="worker processes of each serve process")
    ap.add_argument("--workorders", default=None, help="a platform export to import before the run")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean pause of each client between requests, seconds (0: none)")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-web-")
    os.environ.setdefault("HOTLINE_LEDGER_VIEWS", f"{folder}/views.db")
    os.environ.setdefault("HOTLINE_LEDGER_EVIDENCE", f"{folder}/evidence")
    # A PostgreSQL URL without ?schema= gets a fresh schema, dropped afterwards (never the database's default).
    with fresh_store(args.store, Path(folder), "web") as (store, _env):
        return run(args, store, folder)


def prepare(args: argparse.Namespace, store: str, year: int) -> tuple[str, str, str]:
    """The demo year (unless --no-demo), this year's ruleset, the --workorders import, a viewer and a clerk
    with API tokens: what was imported (for the summary line), the viewer's token, the clerk's token."""
    if not args.no_demo:
        cli(store, "demo", "--year", str(year))
    cli(store, "init")  # this year's ruleset: accounts belong to its units
    imported = ""
    if args.workorders:
        cli(store, "init", "--year", str(year))
        start = time.perf_counter()
        counts = json.loads(cli(store, "import", "workorders", args.workorders, "--format", "json"))
        imported = f" · imported {counts.get('new', 0):,} orders in {time.perf_counter() - start:.0f} s"
    tag = uuid.uuid4().hex[:6]
    for login, role in ((f"v{tag}", "viewer"), (f"c{tag}", "clerk")):
        cli(store, "users", "add", login, "--role", role, "--password-stdin", stdin=PW + "\n")
    viewer = json.loads(cli(store, "users", "token", f"v{tag}", "--format", "json"))["token"]
    clerk_token = json.loads(cli(store, "users", "token", f"c{tag}", "--format", "json"))["token"]
    return imported, viewer, clerk_token


def start_serving(args: argparse.Namespace, store: str, procs: list[subprocess.Popen[bytes]]) -> list[str]:
    """Start --processes ``serve`` processes (added to ``procs``) and wait until each answers; their base URLs."""
    bases = []
    for _ in range(args.processes):
        port = free_port()
        # One read model for all: an SQLite store's file (its processes take turns catching it up), a
        # PostgreSQL store's schema.
        procs.append(subprocess.Popen([CLI, "--store", store, "serve", "--port", str(port),
                                       "--workers", str(args.workers)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        wait_until_answering(f"{base}/app/login", 600, 0.2)
    return bases


def warm_up(bases: list[str], year: int, viewer: str, workers: int) -> float:
    """Warm each process before the clock starts: its read model, and each page's first visit (a unit page
    lists the unit's costly work orders once per state of the orders). Workers take requests by chance.
    The seconds it took."""
    warm_start = time.perf_counter()
    with httpx.Client(timeout=1800, headers={"Authorization": f"Bearer {viewer}"}) as warm:
        for base in bases:
            for _ in range(3 * workers):
                warm.get(f"{base}/api/v1/score?year={year}")
                warm.get(f"{base}/app/ranking?year={year}")
                for unit in UNITS:
                    warm.get(f"{base}/app/unit/{unit}?year={year}")
                    warm.get(f"{base}/api/v1/trace?year={year}&unit={unit}&item=2.1")
    return time.perf_counter() - warm_start


def print_latencies(out: dict[str, list[float]], elapsed: float) -> None:
    """p50/p95 per kind of request beside the target, and the throughput."""
    print(f"{'kind':<14}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}   target p95 < 100 ms")
    total = 0
    for kind in sorted(k for k in out if k != "errors"):
        values = out[kind]
        total += len(values)
        p95 = pct(values, 95) * 1000
        verdict = "(a write: no target)" if kind == "api record" else "meets target" if p95 < 100 else "MISSES target"
        print(f"{kind:<14}{len(values):>10}{pct(values, 50) * 1000:>10.1f}{p95:>10.1f}   {verdict}")
    print(f"throughput: {total / elapsed:.1f} requests/s; errors: {len(out.get('errors', []))}")


def stored_once(log: httpx.Response, written: list[str], marker: str) -> bool:
    """Whether every write the clerks were told was stored appears in the log exactly once (and says so)."""
    stored = [e["evidence"] for e in log.json() if str(e.get("evidence", "")).startswith(marker)] \
        if log.status_code == 200 else []
    once = len(stored) == len(set(stored)) and set(stored) == set(written)
    print(f"writes acknowledged: {len(written)}; in the log: {len(stored)}; each exactly once: {once}")
    return once


def run(args: argparse.Namespace, store: str, folder: str) -> int:
    """Set the store up, start the serve processes, load them; the figures (0: every write stored once)."""
    if args.processes > 1 and store.startswith("sqlite"):
        sys.exit("several serve processes share a PostgreSQL store: give --store postgresql://…")
    year = args.year or time.localtime().tm_year - 1
    imported, viewer, clerk_token = prepare(args, store, year)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        bases = start_serving(args, store, procs)
        warmed = warm_up(bases, year, viewer, args.workers)
        out, written, marker, elapsed = asyncio.run(load(bases, year, viewer, clerk_token, args.users, args.seconds,
                                                         args.think))
        log = httpx.get(f"{bases[0]}/api/v1/log?item=2.1", headers={"Authorization": f"Bearer {clerk_token}"},
                        timeout=600)
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            p.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nstore {store.split('@')[-1]} · {args.processes} serve process(es) × {args.workers} worker(s) · "
          f"{args.users} users (think {args.think:g} s) · {elapsed:.1f} s{imported} · "
          f"warm-up (every page once per worker) {warmed:.0f} s")
    print_latencies(out, elapsed)
    raw = floor(args.users, min(args.seconds, 10), args.think)
    print(f"{'raw floor':<14}{len(raw):>10}{pct(raw, 50) * 1000:>10.1f}{pct(raw, 95) * 1000:>10.1f}   "
          f"a bare FastAPI endpoint under uvicorn, same clients ({len(raw) / min(args.seconds, 10):.0f} requests/s)")
    once = stored_once(log, written, marker)
    return 0 if once and not out.get("errors") else 1


if __name__ == "__main__":
    sys.exit(main())
