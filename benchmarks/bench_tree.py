"""Benchmark the Merkle tree (issue 17): what it adds to an append, and what a proof costs.

    python benchmarks/bench_tree.py [--events 20000] [--batch 100] [--singles 2000] [--proofs 200] [--rounds 3]

On SQLite files in a temp dir, in the same run (the machine is shared: compare, don't trust absolutes):

1. appends through the chained recorder with the tree (the ledger's) and without it (the chain
   alone: the same recorder with the tree step skipped), in batches of --batch events and one
   event per transaction (--singles), each event ~300 bytes of JSON like an occurrence;
2. on the ledger of --events events: the root of the whole tree, and --proofs inclusion proofs of
   random leaves built from the stored nodes and checked (per-proof milliseconds; a unit's proof
   file is one of these per event behind its score);
3. a consistency proof between half and the whole, built and checked.

Nothing is asserted; figures only.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteDatastore

from ledger.storage import chain
from ledger.storage.chain_sqlite import ChainedSQLiteApplicationRecorder
from ledger.storage.event_tree import event_leaf
from ledger.storage.merkle import TreeReader, verify_consistency, verify_inclusion


class ChainOnlyRecorder(ChainedSQLiteApplicationRecorder):
    """The ledger's SQLite recorder with the tree step skipped: the chain alone, the floor to compare with."""

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        saved = chain.extend_tree
        chain.extend_tree = lambda *a, **k: 0
        try:
            return super()._insert_events(c, stored_events, **kwargs)
        finally:
            chain.extend_tree = saved


def _event(n: int) -> StoredEvent:
    state = (f'{{"unit":"taishan","item":"2.2.1","year":2025,"date":"2025-03-{n % 28 + 1:02d}","count":1,'
             f'"evidence":"工单TA2025{n:010d}","note":"","attachments":[],"recorded_by":"bench",'
             f'"authenticated_as":"bench","timestamp":"2025-03-01T08:00:00.000000+00:00",'
             f'"originator_topic":"ledger.aggregates:Occurrence"}}').encode()
    return StoredEvent(originator_id=uuid4(), originator_version=1, topic="events.occurrences:OccurrenceRecorded",
                       state=state)


def _recorder(cls: type, path: Path) -> Any:
    recorder = cls(SQLiteDatastore(db_name=str(path), lock_timeout=60))
    recorder.create_tables()
    return recorder


def _append(recorder: Any, total: int, batch: int) -> float:
    """Events per second appending ``total`` events in transactions of ``batch``."""
    events = [_event(n) for n in range(total)]
    start = time.perf_counter()
    for i in range(0, total, batch):
        recorder.insert_events(events[i:i + batch])
    return total / (time.perf_counter() - start)


Rows = list[tuple[str, str]]


def _append_rows(a: argparse.Namespace, tmp: str) -> Rows:
    """Appending in batches and one event per transaction, the chain alone beside chain + tree."""
    rows: Rows = []
    for label, total, batch in (("batches", a.events, a.batch), ("one event per transaction", a.singles, 1)):
        # Alternating rounds, fresh files each, medians: the machine's load drifts during a run.
        floors, trees = [], []
        for r in range(a.rounds):
            floors.append(_append(_recorder(ChainOnlyRecorder, Path(tmp, f"chain-{batch}-{r}.db")), total, batch))
            trees.append(_append(_recorder(ChainedSQLiteApplicationRecorder, Path(tmp, f"tree-{batch}-{r}.db")),
                                 total, batch))
        floor, tree_rate = statistics.median(floors), statistics.median(trees)
        rows.append((f"append, {label} of {batch}: chain alone", f"{floor:,.0f} events/s (median of {a.rounds})"))
        rows.append((f"append, {label} of {batch}: chain + tree", f"{tree_rate:,.0f} events/s "
                     f"({100 * (floor / tree_rate - 1):+.0f}% time per event)"))
    return rows


def _inclusion_rows(recorder: Any, size: int, root: bytes, proofs: int) -> Rows:
    """Inclusion proofs of random events: built from the store, and checked (medians)."""
    rng = random.Random(1)
    build, check = [], []
    for _ in range(proofs):
        nid = rng.randint(1, size)
        t0 = time.perf_counter()
        index, salt = recorder.leaf_of(nid)
        (_, oid, version, topic, state), = recorder.event_rows(nid - 1, nid, 1)
        proof = TreeReader(recorder.tree_node).inclusion(index, size)
        t1 = time.perf_counter()
        verify_inclusion(index, size, event_leaf(salt, oid, version, topic, bytes(state)), proof, root)
        t2 = time.perf_counter()
        build.append(t1 - t0)
        check.append(t2 - t1)
    return [(f"inclusion proof of one event, built from the store ({len(proof)} hashes)",
             f"{1000 * statistics.median(build):.2f} ms median"),
            ("inclusion proof of one event, checked", f"{1000 * statistics.median(check):.3f} ms median")]


def _consistency_row(recorder: Any, size: int, root: bytes) -> tuple[str, str]:
    """The consistency proof from half the tree to all of it: built and checked."""
    half = size // 2
    t0 = time.perf_counter()
    reader = TreeReader(recorder.tree_node)
    proof = reader.consistency(half, size)
    first = reader.root(half)
    t1 = time.perf_counter()
    verify_consistency(half, size, first, root, proof)
    t2 = time.perf_counter()
    return (f"consistency proof {half:,} → {size:,} ({len(proof)} hashes): built / checked",
            f"{1000 * (t1 - t0):.2f} ms / {1000 * (t2 - t1):.3f} ms")


def _tree_rows(a: argparse.Namespace, tmp: str) -> Rows:
    """The root, the proofs and the store sizes, on the first batched store."""
    recorder = _recorder(ChainedSQLiteApplicationRecorder, Path(tmp, f"tree-{a.batch}-0.db"))
    size = recorder.tree_size_at()
    start = time.perf_counter()
    root = TreeReader(recorder.tree_node).root(size)
    rows = [(f"root of the tree of {size:,} (fresh reader)", f"{1000 * (time.perf_counter() - start):.2f} ms")]
    rows += _inclusion_rows(recorder, size, root, a.proofs)
    rows.append(_consistency_row(recorder, size, root))
    db = Path(tmp, f"tree-{a.batch}-0.db")
    rows.append(("store size with the tree (events, chain, leaves, nodes)", f"{os.path.getsize(db) / 1e6:.1f} MB"))
    chain_db = Path(tmp, f"chain-{a.batch}-0.db")
    rows.append(("store size, chain alone", f"{os.path.getsize(chain_db) / 1e6:.1f} MB"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--singles", type=int, default=2000)
    ap.add_argument("--proofs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tree-") as tmp:
        rows = _append_rows(a, tmp) + _tree_rows(a, tmp)
    width = max(len(r[0]) for r in rows)
    print("\nMerkle tree benchmark (SQLite, this machine, same run)")
    for what, figure in rows:
        print(f"  {what.ljust(width)}  {figure}")


if __name__ == "__main__":
    main()
