"""The Merkle tree's and the chain's rows written in a PostgreSQL append's transaction (see
``ledger.storage.chain_postgres``), by binary ``COPY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from psycopg import Cursor
from psycopg.rows import DictRow

from ledger.storage.chain_format import ChainBrokenError, ChainFailure
from ledger.storage.pg_binary import copy_rows as binary_copy
from ledger.translation import _

if TYPE_CHECKING:
    from ledger.storage.chain_postgres import ChainedPostgresApplicationRecorder


def qualified(schema: str, table: str) -> str:
    """A schema-qualified table name, quoted for SQL text."""
    return ".".join('"' + name.replace('"', '""') + '"' for name in (schema, table))

class PostgresTreeRows:
    """The tree's rows written in the append's transaction, under its advisory lock (``event_tree.TreeStore``)."""

    def __init__(self, recorder: ChainedPostgresApplicationRecorder, curs: Cursor[DictRow]) -> None:
        schema = recorder.datastore.schema
        self.curs, self.recorder = curs, recorder
        self.leaves = qualified(schema, recorder.leaves_table_name)
        self.tree = qualified(schema, recorder.tree_table_name)
        self.events = qualified(schema, recorder.events_table_name)
        #: The last node added at each level, (index, hash): the left sibling the next slice of an append needs
        #: there, if any (nodes of a level are added in index order), without a query.
        self.added: dict[int, tuple[int, bytes]] = {}

    def last_leaf(self) -> tuple[int, int]:
        row = self.curs.execute(f"SELECT idx, notification_id FROM {self.leaves} ORDER BY idx DESC LIMIT 1"  # noqa: S608
                                ).fetchone()
        return (int(row["idx"]) + 1, int(row["notification_id"])) if row else (0, 0)

    def events_after(self, after: int, before: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        rows = self.curs.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {self.events} "  # noqa: S608
            "WHERE notification_id > %s AND notification_id < %s ORDER BY notification_id LIMIT %s",
            (after, before, limit)).fetchall()
        return [(r["notification_id"], self.recorder._canonical_originator_id(r["originator_id"]),
                 r["originator_version"], r["topic"], bytes(r["state"])) for r in rows]

    def node(self, level: int, index: int) -> bytes:
        added = self.added.get(level)
        if added is not None and added[0] == index:
            return added[1]
        row = self.curs.execute(f"SELECT hash FROM {self.tree} WHERE level = %s AND idx = %s",  # noqa: S608
                                (level, index)).fetchone()
        if row is None:
            lacks = _("the Merkle tree lacks node ({level}, {index})").format(level=level, index=index)
            raise ChainBrokenError(ChainFailure(0, None, None, lacks))
        return bytes(row["hash"])

    def add(self, leaves: list[tuple[int, int, bytes]], nodes: list[tuple[int, int, bytes]]) -> None:
        copy_rows(self.curs, f"COPY {self.leaves} (notification_id, idx, salt) FROM STDIN (FORMAT BINARY)", leaves,
                  ("bigint", "bigint", "bytea"))
        copy_rows(self.curs, f"COPY {self.tree} (level, idx, hash) FROM STDIN (FORMAT BINARY)", nodes,
                  ("integer", "bigint", "bytea"))
        for level, index, h in nodes:
            self.added[level] = (index, h)


#: The chain table's columns as its binary COPY writes them.
CHAIN_COLUMNS = ("bigint", "bytea", "bytea")


def copy_rows(curs: Cursor[Any], statement: Any, rows: Sequence[Sequence[Any]], kinds: Sequence[str]) -> None:
    """Append ``rows`` with one binary ``COPY … FROM STDIN (FORMAT BINARY)`` (``kinds``: each column's type, as
    ``ledger.storage.pg_binary.copy_rows`` writes it): an append's chain and tree rows (two or three per event) as one
    stream, not a statement each (100,000 occurrences made 300,000 INSERTs), built in bulk, not value by value."""
    if not rows:
        return
    with curs.copy(statement) as copy:
        copy.write(binary_copy(rows, kinds))
