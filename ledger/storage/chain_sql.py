"""The page reads of a chained recorder over SQL, shared by the SQLite and PostgreSQL recorders."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from ledger.storage.chain_format import canonical_originator_id
from ledger.storage.chain_recorder import ChainedRecorder, ChainRow, EventRow


class SQLChainPages(ChainedRecorder):
    """The page reads of a chained recorder over SQL: each backend names its SQL and how to run a read."""

    _bound_sql: Any
    _events_sql: Any
    _chain_sql: Any
    _last_sql: Any
    _positions_sql: Any
    _locate_sql: Any

    @abstractmethod
    def _fetch(self, sql: Any, params: Sequence[Any]) -> list[Any]:
        """Run one read query in its own snapshot and return plain tuples."""

    def chain_bound(self) -> int | None:
        (events_max, chain_max), = self._fetch(self._bound_sql, ())
        return max((m for m in (events_max, chain_max) if m is not None), default=None)

    def event_rows(self, after: int, upto: int, limit: int) -> list[EventRow]:
        return self._fetch(self._events_sql, (after, upto, limit))

    def chain_rows(self, after: int, upto: int, limit: int) -> list[ChainRow]:
        return self._fetch(self._chain_sql, (after, upto, limit))

    def last_chain_row(self, before: int | None = None) -> tuple[int, bytes] | None:
        rows = self._fetch(self._last_sql, (2**63 - 1 if before is None else before,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def positions_of(self, digest: bytes) -> list[int]:
        return [row[0] for row in self._fetch(self._positions_sql, (digest,))]

    def notification_id_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one stored event (used only to name it in a message)."""
        rows = self._fetch(self._locate_sql, (self._stored_originator_id(originator_id), version))
        return int(rows[0][0]) if rows else None

    def _stored_originator_id(self, originator_id: UUID | str) -> Any:
        return canonical_originator_id(originator_id)

    _size_at_sql: Any
    _node_sql: Any
    _leaf_sql: Any
    _leaf_page_sql: Any
    _node_page_sql: Any

    def tree_size_at(self, notification_id: int | None = None) -> int:
        rows = self._fetch(self._size_at_sql, (2**63 - 1 if notification_id is None else notification_id,))
        return 0 if not rows or rows[0][0] is None else int(rows[0][0]) + 1

    def tree_node(self, level: int, index: int) -> bytes:
        rows = self._fetch(self._node_sql, (level, index))
        if not rows:
            raise LookupError(f"no stored tree node at level {level}, index {index}")
        return bytes(rows[0][0])

    def leaf_of(self, notification_id: int) -> tuple[int, bytes] | None:
        rows = self._fetch(self._leaf_sql, (notification_id,))
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def leaf_page(self, after: int, limit: int) -> list[tuple[int, int, bytes, bytes]]:
        return [(int(i), int(n), bytes(s), bytes(h)) for i, n, s, h in self._fetch(self._leaf_page_sql, (after, limit))]

    def node_page(self, after: tuple[int, int], limit: int) -> list[tuple[int, int, bytes]]:
        level, index = after
        return [(int(lv), int(ix), bytes(h))
                for lv, ix, h in self._fetch(self._node_page_sql, (level, level, index, limit))]

    def _tree_sql(self, t: str, lv: str, p: str) -> None:
        """The tree's read queries, given the tables' qualified names ``t`` (tree) and ``lv`` (leaves) and
        the driver's placeholder ``p``."""
        self._size_at_sql = f"SELECT MAX(idx) FROM {lv} WHERE notification_id <= {p}"
        self._node_sql = f"SELECT hash FROM {t} WHERE level = {p} AND idx = {p}"
        self._leaf_sql = f"SELECT idx, salt FROM {lv} WHERE notification_id = {p}"
        self._leaf_page_sql = (f"SELECT l.idx, l.notification_id, l.salt, t.hash FROM {lv} l "
                               f"LEFT JOIN {t} t ON t.level = 0 AND t.idx = l.idx "
                               f"WHERE l.idx > {p} ORDER BY l.idx LIMIT {p}")
        self._node_page_sql = (f"SELECT level, idx, hash FROM {t} WHERE level > 0 AND "
                               f"(level > {p} OR (level = {p} AND idx > {p})) ORDER BY level, idx LIMIT {p}")
