"""Benchmark the write side's order index (ledger/storage/order_index.py): what a re-import's decision costs.

    python benchmarks/bench_order_index.py [--orders 200000] [--runs 3] [--store sqlite:///PATH | postgresql://…]

A re-import decides, for every row of the export, whether the order is new, changed or unchanged.
It used to read the read model's ``workorders`` table; it now reads the order index in the store.
This measures both lookups over the same ids in the same run (the read model's, as the ledger did
it before, is the floor: the machine's load moves every absolute figure), in chunks of 5,000 ids as
the import makes them, then the whole re-import (target ≥ 100,000 orders/s, new = 0) and the first
import that wrote the index. Wall-clock and CPU seconds (``process_time``: the client's own work) are
both printed, medians of ``--runs``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ledger.rulesets.loading import builtin_text  # noqa: E402
from ledger.storage.store import parse_store  # noqa: E402
from ledger.usecases.application import Ledger  # noqa: E402
from ledger.usecases.imports.workorder_import import CHUNK, import_workorders  # noqa: E402

#: The read model's lookup as the import made it before the index (900 ids per IN list).
_OLD_SQL = ("SELECT order_id, unit, dispatched_at, due_at, completed_at, reply_required, replied, satisfaction, "
            "counted, observed_at FROM workorders WHERE order_id IN ")


def read_model_lookup(db: Any, ids: list[str]) -> int:
    """The floor: the read model's rows for ``ids``, as the import read them before the index."""
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples, as the import did
    found = 0
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        found += len(cursor.execute(_OLD_SQL + f"({','.join('?' * len(part))})", part).fetchall())
    return found


def timed(fn: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _export(orders: int, tmp: str) -> tuple[Path, list[str]]:
    """A narrow export of ``orders`` work orders (gen_workorders.py) and its order ids."""
    export = Path(tmp) / "orders.csv"
    subprocess.run([sys.executable, str(HERE / "gen_workorders.py"), "--orders", str(orders), "--year", "2025",
                    "--out", str(export), "--narrow"], check=True)
    with export.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return export, [r[0] for r in rows]


def _first_import(app: Any, export: Path, ids: list[str], url: str) -> None:
    """The first import, and the order index's share of it: the recorder's work on it, inside the append's
    transaction."""
    spent = [0.0, 0.0]
    indexing = app.recorder._index_inserted

    def measured(*a: Any) -> None:
        w, c, _ = timed(lambda: indexing(*a))
        spent[0] += w
        spent[1] += c

    app.recorder._index_inserted = measured
    wall, cpu, first = timed(lambda: import_workorders(app, str(export), "bench"))
    app.recorder._index_inserted = indexing
    print(f"orders: {len(ids):,}; store {parse_store(url).display}")
    print(f"first import (writes the index):  {wall:7.2f} s wall, {cpu:6.2f} s CPU, "
          f"{len(ids) / wall:10,.0f} orders/s; new {first['new']:,}")
    print(f"  of which the order index:        {spent[0]:7.2f} s wall, {spent[1]:6.2f} s CPU "
          f"({spent[0] / wall:.0%} of the import)")


def _lookups(app: Any, ids: list[str], runs: int) -> None:
    """The order index's lookups of every chunk beside the read model's (the floor), in alternating runs."""
    db = app.refresh().db
    chunks = [sorted(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    index, floor = [], []
    for _ in range(runs):
        index.append(timed(lambda: sum(len(app.order_states(c)) for c in chunks)))
        floor.append(timed(lambda: sum(read_model_lookup(db, c) for c in chunks)))
    for name, timings in (("order index lookups (store)", index), ("read model lookups (floor)", floor)):
        w, c = statistics.median(r[0] for r in timings), statistics.median(r[1] for r in timings)
        print(f"{name:33s} {w:7.2f} s wall, {c:6.2f} s CPU, {len(ids) / w:10,.0f} orders/s; "
              f"found {timings[0][2]:,}")
    ratio = statistics.median(r[0] for r in index) / statistics.median(r[0] for r in floor)
    print(f"index / floor (wall, median):      {ratio:.2f}×")


def _reimport(app: Any, export: Path, ids: list[str], runs: int) -> None:
    """The same file imported again: every order decided from the index."""
    again = [timed(lambda: import_workorders(app, str(export), "bench")) for _ in range(runs)]
    w, c = statistics.median(r[0] for r in again), statistics.median(r[1] for r in again)
    print(f"re-import (decided from the index): {w:7.2f} s wall, {c:6.2f} s CPU, "
          f"{len(ids) / w:10,.0f} orders/s (target ≥ 100,000); new {again[0][2]['new']}, "
          f"unchanged {again[0][2]['unchanged']:,}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--store", help="store URL (default: SQLite in a fresh temp dir)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_oi_") as tmp:
        export, ids = _export(args.orders, tmp)
        url = args.store or f"sqlite:///{tmp}/ledger.db"
        os.environ["HOTLINE_LEDGER_VIEWS"] = f"{tmp}/ledger.views"
        app = Ledger(parse_store(url))
        try:
            app.adopt_ruleset(2025, builtin_text(), "built-in:taian", "bench")
            _first_import(app, export, ids, url)
            _lookups(app, ids, args.runs)
            _reimport(app, export, ids, args.runs)
        finally:
            app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
