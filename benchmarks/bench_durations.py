"""Durations at scale, in process: a rate's ``within`` against a ``per_order`` item on the same synthetic orders.

    python benchmarks/bench_durations.py [--orders 1000000] [--seed 12345] [--runs 3]

Writes N synthetic 2025 orders of eight units (dispatch times through the year, busier in working hours;
completed 0–15 days later, 5 % still open) into an in-memory read model, then times, in CPU seconds, the
best of ``--runs``: the floor (one SQL pass over the year's orders, ``COUNT(*)``), the rates counted from the
orders with no duration (``order_rate_facts``), a ``per_order`` item and a rate with the same duration — in
working days and in working hours — and checks the rate's late orders equal the item's count.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.domain.calendar import WorkingCalendar  # noqa: E402
from ledger.rulesets.kinds.per_order import orders_meeting  # noqa: E402
from ledger.rulesets.loading import parse_ruleset  # noqa: E402
from projections import rate_specs  # noqa: E402
from projections.order_durations import Judge  # noqa: E402
from projections.order_rates import order_rate_facts  # noqa: E402
from projections.view import SCHEMA  # noqa: E402

UNITS = [f"u{k}" for k in range(8)]
LIMITS = {"days": "working_days = 3", "hours": "working_hours = 8"}


def ruleset_text(limit: str) -> str:
    """A ruleset with a per_order item and a rate over the same duration (dispatch → completion)."""
    units = "".join(f'[[units]]\ncode = "{u}"\nname = "{u}"\n' for u in UNITS)
    return f"""id = "bench"
name = "bench"
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
{units}
[[rates]]
code = "quick"
name = "快速办结率"
numerator = [{{ within = {{ start = "dispatched", end = "completed", {limit} }} }}]
[[rates]]
code = "plain"
name = "办结率"
numerator = [{{ where = {{ completed = ["是"] }} }}]
[[sections]]
code = "1"
name = "一"
max = 20
[[items]]
code = "1.1"
name = "超时"
section = "1"
kind = "per_order"
start = "dispatched"
end = "completed"
{limit}
amount = 0.001
max = 10
[[items]]
code = "1.2"
name = "快速办结率"
section = "1"
kind = "rate_threshold"
rate = "quick"
max = 10
threshold = 100
per_point = 0.1
"""


def orders(n: int, seed: int) -> list[tuple[Any, ...]]:
    """N orders as ``workorders`` rows."""
    rnd = random.Random(seed)
    hours = [0.2] * 8 + [3] * 10 + [1] * 6
    out = []
    for k in range(n):
        day = datetime(2025, 1, 1) + timedelta(days=rnd.randrange(365))
        at = day + timedelta(hours=rnd.choices(range(24), hours)[0], seconds=rnd.randrange(3600))
        done = None if rnd.random() < 0.05 else at + timedelta(seconds=rnd.randrange(15 * 86400))
        out.append((f"W{k:08d}", UNITS[k % 8], at.isoformat(), (at + timedelta(days=10)).isoformat(),
                    done.isoformat() if done else None, 1, 1, "满意", 1, "2026-01-01T00:00:00", ""))
    return out


def best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The least CPU seconds of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.process_time()
        result = work()
        times.append(time.process_time() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders VALUES (?,?,?,?,?,?,?,?,?,?,?)", orders(args.orders, args.seed))
    calendar, as_of, window = WorkingCalendar(), date(2025, 12, 31), ("2025-01-01T00:00:00", "2025-12-31T23:59:59")
    floor, _ = best(args.runs, lambda: db.execute(
        "SELECT unit, COUNT(*) FROM workorders WHERE counted = 1 AND dispatched_at BETWEEN ? AND ? GROUP BY unit",
        window).fetchall())
    print(f"{args.orders} orders; floor (one SQL pass, COUNT by unit): {floor:.2f} s CPU")
    for name, limit in LIMITS.items():
        r = parse_ruleset(ruleset_text(limit), "bench.toml")
        specs = rate_specs.specs(r)
        plain, _ = best(args.runs, lambda r=r, s=specs: order_rate_facts(db, r, [s["plain"]], *window))
        item, late = best(args.runs, lambda r=r: orders_meeting(db, r, r.item("1.1"), None, 2025, as_of, calendar))
        rate, facts = best(args.runs, lambda r=r, s=specs: order_rate_facts(  # a judge per score, as facts makes
            db, r, [s["quick"]], *window, Judge(db, r, 2025, as_of, calendar)))
        missed = sum(f.rates["quick"].denominator - f.rates["quick"].numerator for f in facts.values())
        assert missed == sum(t.count for t in late.values()), (missed, {u: t.count for u, t in late.items()})
        print(f"{name} ({limit}): rate without a duration {plain:.2f} s; per_order item {item:.2f} s; "
              f"rate with the duration {rate:.2f} s CPU ({missed} orders late)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
