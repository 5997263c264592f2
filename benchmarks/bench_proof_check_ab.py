"""Time `proof check` of one proof file with two CLIs in alternation (a change against its base, issue 17).

    python benchmarks/bench_proof_check_ab.py FILE --key KEY --cli NAME=CMD --cli NAME=CMD [--runs 7]

Each round runs every CLI once in turn, so that the machine's load weighs on each alike; the first
round only fills the bytecode caches and is not counted. Each CLI runs with its own bytecode cache
(`PYTHONPYCACHEPREFIX`) and without `PYTHONDONTWRITEBYTECODE`, as an installed CLI has its bytecode.
Shown per CLI: the median CPU time (user + system of the child, from `getrusage`: what to read when
others load the machine), the median user time, the median wall-clock time and every run's CPU
time. A run that does not end in success is an error. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time


def _run(cmd: str, file: str, key: str, env: dict[str, str]) -> tuple[float, float, float]:
    """One `proof check`: (CPU, user CPU, wall) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*cmd.split(), "proof", "check", file, "--key", key], env=env, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{cmd}: exit {done.returncode}\n{done.stderr[-2000:]}")
    user = after.ru_utime - before.ru_utime
    return user + after.ru_stime - before.ru_stime, user, wall


def main() -> None:
    """Parse the arguments, run the rounds, print one line per CLI."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("--key", required=True)
    p.add_argument("--cli", action="append", required=True,
                   help="NAME=COMMAND, e.g. main=/work/main/.venv/bin/hotline-ledger")
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    clis = dict(c.split("=", 1) for c in args.cli)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="proof-ab-") as caches:
        envs = {name: {**base, "PYTHONPYCACHEPREFIX": os.path.join(caches, name)} for name in clis}
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in clis}
        for round_ in range(args.runs + 1):
            for name, cmd in clis.items():
                figures = _run(cmd, args.file, args.key, envs[name])
                if round_:
                    runs[name].append(figures)
    for name, figures in runs.items():
        cpu, user, wall = (statistics.median(f[i] for f in figures) for i in range(3))
        print(f"{name}: CPU median {cpu:.3f} s (user {user:.3f} s), wall median {wall:.3f} s; "
              f"runs {' '.join(f'{f[0]:.2f}' for f in figures)}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
