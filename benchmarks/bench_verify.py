"""Measure ``verify_chain`` over a synthetic SQLite store (target: 1,000,000 events in < 30 s).

Usage: ``.venv/bin/python benchmarks/bench_verify.py [--events N] [--db PATH]``

The store is filled through the chained recorder's ``insert_events`` in large batches, so the
chain is built exactly as the ledger builds it. An existing ``--db`` that already holds at least
N events is reused, and only the verification is timed again.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from eventsourcing.persistence import InfrastructureFactory, StoredEvent

from ledger.storage.chain import chain_env, verify_chain

TOPIC = "bench:Ticket.Created"


def fill(recorder: object, events: int, batch: int) -> float:
    """Insert ``events`` small events in batches; return the seconds taken."""
    began = time.perf_counter()
    for done in range(0, events, batch):
        stored = [
            StoredEvent(uuid4(), 1, TOPIC, b'{"timestamp":"2025-01-03T09:00:00+00:00","note":"n%d"}' % i)
            for i in range(done, min(done + batch, events))
        ]
        recorder.insert_events(stored)  # type: ignore[attr-defined]
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000, help="events per insert transaction")
    parser.add_argument("--page", type=int, default=5000, help="verify_chain's batch")
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()

    db = args.db or Path(tempfile.mkdtemp(prefix="bench_verify_")) / "bench.db"
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db),
           **chain_env("eventsourcing.sqlite")}
    factory = InfrastructureFactory.construct(env)
    recorder = factory.application_recorder()
    have = recorder.max_notification_id() or 0
    if have < args.events:
        seconds = fill(recorder, args.events - have, args.batch)
        print(f"wrote {args.events - have:,} events in {seconds:.1f} s "
              f"({(args.events - have) / seconds:,.0f} events/s) to {db}")

    began = time.perf_counter()
    report = verify_chain(recorder, batch=args.page)
    seconds = time.perf_counter() - began
    print(f"verified {report.count:,} events in {seconds:.2f} s ({report.count / seconds:,.0f} events/s); "
          f"ok={report.ok} head={report.head}")
    factory.close()
    if not report.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
