"""Benchmark one unit's proof on a year of work orders (issue 17): build, size and check.

    python benchmarks/bench_proof.py [--orders 1000000] [--unit taishan] [--runs 3] [--store URL]
        [--skip-import] [--seal-key FILE] [--cli CMD]

(A store given with --skip-import that was sealed before is sealed again with the same --seal-key.)

The export is benchmarks/gen_workorders.py's (cached in benchmarks/out/, as bench_workorders.py
has it). Into a fresh store (or --store; --skip-import when it already holds the year): `init
--year 2025`, `import workorders FILE`, `seal keygen`, `seal`. Then, in --runs rounds, each round
running the three in turn so that the machine's load weighs on each alike:

- the floor: `rules show` (the CLI's start-up, connection and catch-up check, reading nothing);
- `proof unit --year 2025 --unit U --output FILE` (target **< 1 s**);
- `proof check FILE --key K` (target **< 1 s**, no store).

Each is shown as its median wall-clock time and CPU time (user + system of the CLI process, from
`getrusage` of the children: what to read when others load the machine), and less the floor's. Then
the proof file: its size, its events (the unit's work-order chunks among them), the orders it holds
against the ledger's, and the size per fact row (target: proportional to the unit's orders, not to
the ledger). Nothing is asserted; figures only.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_harness import Cli, Table, exit_cleanly_on_sigterm, fresh_store  # noqa: E402
from bench_workorders import workorders_file  # noqa: E402


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--unit", default="taishan")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--store", help="store URL (default: SQLite in a fresh temp dir)")
    p.add_argument("--skip-import", action="store_true", help="the store already holds the year's work orders")
    p.add_argument("--seal-key", help="the seal key file (made if missing; default: a new one in the temp dir)")
    p.add_argument("--cli", help="command to run instead of the installed hotline-ledger")
    return p


def _import_year(cli: Cli, args: argparse.Namespace, table: Table) -> bool:
    """``init`` and ``import workorders`` of the generated export; False when a step failed."""
    path = workorders_file(args, table)
    if not cli.step(table, "init", "init", "--year", str(args.year)):
        return False
    before = _cpu_of_children()
    run = cli.step(table, "import workorders", "import", "workorders", str(path))
    if not run:
        return False
    table.info(f"import workorders ({run.seconds:.1f} s)", f"{args.orders / run.seconds:,.0f} orders/s",
               f"CPU {_cpu_of_children() - before:.1f} s")
    return True


def _seal(cli: Cli, args: argparse.Namespace, table: Table, tmp: Path) -> str | None:
    """Seal the store (making the key if needed); its public key, or None when a step failed."""
    # The seal key: --seal-key (made there if missing; a store sealed before wants the same key again),
    # else a new one in the temp dir.
    key_file = Path(args.seal_key) if args.seal_key else tmp / "seal.pem"
    key = key_file.exists() or cli.step(table, "seal keygen", "seal", "keygen", str(key_file), json_flag=True)
    cli.env["HOTLINE_LEDGER_SEAL_KEY"] = str(key_file)
    sealed = cli.step(table, "seal", "seal", "--note", "bench", json_flag=True) if key else None
    if not key or not sealed:
        return None
    head = json.loads(sealed.out)
    table.info(f"seal ({sealed.seconds:.1f} s)", f"tree size {head['tree_size']:,}")
    return str(head["public_key"])


Rounds = tuple[dict[str, list[float]], dict[str, list[float]]]


def _rounds(cli: Cli, table: Table, steps: dict[str, tuple[str, ...]], runs: int) -> Rounds | None:
    """Each step's wall-clock and CPU times over ``runs`` rounds (the steps in turn); None when one failed."""
    wall: dict[str, list[float]] = {k: [] for k in steps}
    cpu: dict[str, list[float]] = {k: [] for k in steps}
    said: list[str] = []
    for _ in range(runs):
        for name, command in steps.items():
            before = _cpu_of_children()
            run = cli.step(table, " ".join(command[:2]), *command)
            if not run:
                return None
            wall[name].append(run.seconds)
            cpu[name].append(_cpu_of_children() - before)
            said = run.out.strip().splitlines()[-3:-1] if name == "check" else said
    for line in said:
        table.info("  proof check says", line[:110])
    return wall, cpu


def _show_times(table: Table, times: Rounds, runs: int, unit: str) -> None:
    """The floor's median, and each step's beside its target and less the floor."""
    wall, cpu = times
    floor, floor_cpu = statistics.median(wall["floor"]), statistics.median(cpu["floor"])
    table.info(f"floor: rules show, median of {runs}", f"{floor:.2f} s (CPU {floor_cpu:.2f} s)")
    for name, what in (("build", f"proof unit {unit}"), ("check", "proof check")):
        seconds, used = statistics.median(wall[name]), statistics.median(cpu[name])
        table.measure(f"{what}, median of {runs}", seconds < 1, f"{seconds:.2f} s (CPU {used:.2f} s)", "< 1 s")
        table.info(f"  {name} less the floor", f"{seconds - floor:.2f} s (CPU {used - floor_cpu:.2f} s)",
                   "runs " + ", ".join(f"{t:.2f}" for t in wall[name]) + " s")


def _show_file(table: Table, out: Path, total_orders: int) -> None:
    """The proof file's size, events, orders and inclusion proofs."""
    doc = json.loads(out.read_text(encoding="utf-8"))
    size = out.stat().st_size
    orders = doc["work_orders"]["facts"]
    chunks = [e for e in doc["events"] if e["topic"].endswith(":WorkOrderFactsRecorded")]
    table.info("proof file", f"{size / 2**20:,.1f} MiB",
               f"{len(doc['events'])} events, {len(chunks)} of them work-order chunks")
    table.info("  the unit's orders in it", f"{orders:,} of {total_orders:,}",
               f"{size / max(orders, 1):,.0f} bytes per order")
    proof_bytes = sum(len(h) // 2 for e in doc["events"] for h in e["proof"])
    table.info("  inclusion proofs", f"{proof_bytes / 1024:,.1f} KiB",
               f"{len(doc['events'][0]['proof'])} hashes per event")


def _measure(cli: Cli, args: argparse.Namespace, table: Table, tmp: Path) -> bool:
    """Import (unless skipped), seal, then time the proof's build and check; False when a step failed."""
    if not args.skip_import and not _import_year(cli, args, table):
        return False
    public = _seal(cli, args, table, tmp)
    if public is None:
        return False
    year, out = str(args.year), tmp / "unit.proof.json"
    steps = {"floor": ("rules", "show", "--year", year),
             "build": ("proof", "unit", "--year", year, "--unit", args.unit, "--output", str(out)),
             "check": ("proof", "check", str(out), "--key", public)}
    times = _rounds(cli, table, steps, args.runs)
    if times is None:
        return False
    _show_times(table, times, args.runs, args.unit)
    _show_file(table, out, args.orders)
    return True


def main(argv: list[str] | None = None) -> int:
    exit_cleanly_on_sigterm()
    args = _parser().parse_args(argv)
    args.narrow = args.sorted = False
    table = Table(f"bench_proof: one unit's proof on {args.orders:,} work orders, year {args.year}")
    with tempfile.TemporaryDirectory(prefix="bench_proof_") as tmp_name:
        tmp = Path(tmp_name)
        with fresh_store(args.store, tmp, "proof") as (url, env):
            cli = Cli(args.cli, url, tmp, env)
            table.info("store", cli.store_label)
            if not _measure(cli, args, table, tmp):
                table.print()
                return 1
    table.print()
    return 0 if not table.failures else 1


if __name__ == "__main__":
    sys.exit(main())
