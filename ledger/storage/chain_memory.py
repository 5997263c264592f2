"""The hash chain's in-memory recorder (see ``ledger.storage.chain``): the ledger without a database.

Aggregate and use-case tests run against it, fast; it chains every event exactly as the SQLite
and PostgreSQL recorders do, so ``verify``, ``seal`` and ``export`` behave the same. Nothing
survives the process. Selected by the store URL ``memory:``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from ledger.storage.chain_format import link_rows
from ledger.storage.chain_recorder import ChainedRecorder
from ledger.storage.event_tree import extend_tree
from ledger.storage.order_index import FACTS_TOPIC, IndexRow, OrderState


def _canonical(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


class ChainedPOPOApplicationRecorder(POPOApplicationRecorder, ChainedRecorder):
    """The library's plain-Python recorder, with a chain row appended for every event under its lock."""

    events_table_name = "stored_events"

    def __init__(self) -> None:
        super().__init__()
        self._chain: list[tuple[int, bytes, bytes]] = []
        self._leaves: list[tuple[int, bytes]] = []  # (notification_id, salt), by leaf index
        self._leaf_index: dict[int, int] = {}
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._orders: dict[str, list[IndexRow]] = {}  # the order index: order id → its rows, oldest first

    def _insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self._database_lock:
            ids = super()._insert_events(stored_events, **kwargs)
            if stored_events:
                head = (self._chain[-1][0], self._chain[-1][2]) if self._chain else None
                events = [(_canonical(s.originator_id), s.originator_version, s.topic, s.state)
                          for s in stored_events]
                self._chain.extend(link_rows(head, ids, events))
                extend_tree(self, [(n, *event) for n, event in zip(ids or (), events, strict=True)],
                            self.plain_state)
                self._index_inserted(None, stored_events, ids or ())
            return ids

    # ── the Merkle tree (event_tree.TreeStore while the lock is held, and the reads) ──
    def last_leaf(self) -> tuple[int, int]:
        return (len(self._leaves), self._leaves[-1][0]) if self._leaves else (0, 0)

    def events_after(self, after: int, before: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        return self.event_rows(after, min(before - 1, len(self._stored_events)), limit)

    def node(self, level: int, index: int) -> bytes:
        return self._nodes[(level, index)]

    def add(self, leaves: list[tuple[int, int, bytes]], nodes: list[tuple[int, int, bytes]]) -> None:
        for nid, index, salt in leaves:
            self._leaf_index[nid] = index
            self._leaves.append((nid, salt))
        self._nodes.update(((level, index), h) for level, index, h in nodes)

    def tree_size_at(self, notification_id: int | None = None) -> int:
        with self._database_lock:
            if notification_id is None:
                return len(self._leaves)
            return sum(1 for nid, _ in self._leaves if nid <= notification_id)

    def tree_node(self, level: int, index: int) -> bytes:
        with self._database_lock:
            try:
                return self._nodes[(level, index)]
            except KeyError:
                raise LookupError(f"no stored tree node at level {level}, index {index}") from None

    def leaf_of(self, notification_id: int) -> tuple[int, bytes] | None:
        with self._database_lock:
            index = self._leaf_index.get(notification_id)
            return None if index is None else (index, self._leaves[index][1])

    def leaf_page(self, after: int, limit: int) -> list[tuple[int, int, bytes, bytes]]:
        with self._database_lock:
            return [(i, nid, salt, self._nodes.get((0, i), b""))
                    for i, (nid, salt) in enumerate(self._leaves[after + 1:after + 1 + limit], start=after + 1)]

    def node_page(self, after: tuple[int, int], limit: int) -> list[tuple[int, int, bytes]]:
        with self._database_lock:
            keys = sorted(k for k in self._nodes if k[0] > 0 and k > after)[:limit]
            return [(level, index, self._nodes[(level, index)]) for level, index in keys]

    def build_tree(self) -> int:
        with self._database_lock:
            return extend_tree(self, [], self.plain_state)

    def chain_bound(self) -> int | None:
        with self._database_lock:
            return max(len(self._stored_events), self._chain[-1][0] if self._chain else 0) or None

    def event_rows(self, after: int, upto: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        with self._database_lock:
            stop = min(upto, len(self._stored_events), after + limit)
            return [(i, _canonical(s.originator_id), s.originator_version, s.topic, s.state)
                    for i, s in ((n, self._stored_events[n - 1]) for n in range(after + 1, stop + 1))]

    def chain_rows(self, after: int, upto: int, limit: int) -> list[tuple[int, bytes, bytes]]:
        with self._database_lock:
            return [row for row in self._chain if after < row[0] <= upto][:limit]

    def last_chain_row(self, before: int | None = None) -> tuple[int, bytes] | None:
        with self._database_lock:
            rows = [row for row in self._chain if before is None or row[0] < before]
            return (rows[-1][0], rows[-1][2]) if rows else None

    def positions_of(self, digest: bytes) -> list[int]:
        with self._database_lock:
            return [row[0] for row in self._chain if row[1] == digest]

    def notification_id_of(self, originator_id: UUID | str, version: int) -> int | None:
        with self._database_lock:
            index = self._stored_events_index.get(str(originator_id), {}).get(version)
            return None if index is None else index + 1

    def tables_exist(self) -> bool:
        return True

    def _index_lookup(self, cursor: Any, ids: list[str]) -> dict[str, OrderState]:
        return {i: tuple(self._orders[i][-1][2:]) for i in ids if i in self._orders}

    def _index_write(self, cursor: Any, rows: list[IndexRow]) -> None:
        for row in rows:
            self._orders.setdefault(row[0], []).append(row)

    def order_states(self, ids: list[str]) -> dict[str, OrderState]:
        with self._database_lock:
            return self._index_lookup(None, ids)

    def order_index_rows(self) -> Iterator[tuple[str, int, OrderState]]:
        with self._database_lock:
            latest = sorted((rows[-1] for rows in self._orders.values()), key=lambda r: r[0])
        for row in latest:
            yield row[0], row[1], tuple(row[2:])

    def order_index_exists(self) -> bool:
        return True

    def create_order_index(self) -> None:
        """Nothing to create: the index is made with the recorder."""

    def fact_events(self) -> Iterator[tuple[int, StoredEvent]]:
        with self._database_lock:
            found = [(n + 1, s) for n, s in enumerate(self._stored_events) if s.topic == FACTS_TOPIC]
        yield from found

    def create_tables(self) -> None:
        """Nothing to create: the lists are made with the recorder."""


class ChainedPOPOFactory(POPOFactory):
    """The library's in-memory factory, building the chained recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return ChainedPOPOApplicationRecorder()
