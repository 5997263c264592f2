"""The seam between the ledger and a backend: what checking the chain and the Merkle tree, and
provisioning, need from a chained recorder, whatever keeps the events (see ``ledger.storage.chain``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from uuid import UUID

from ledger.storage.identity import os_user
from ledger.storage.order_index import OrderIndexing

# One stored event as hashed: (notification_id, originator_id, originator_version, topic, state).
EventRow = tuple[int, str, int, str, bytes]
# One chain row: (notification_id, digest, hash).
ChainRow = tuple[int, bytes, bytes]


class ChainedRecorder(OrderIndexing, ABC):
    """The seam between the ledger and a backend: what ``verify_chain``, ``head``, ``iter_chain`` and
    provisioning need from a chained recorder, whatever keeps the events.

    Each page method returns rows with ``after < notification_id <= upto`` in ascending order.
    Implementations: SQLite and PostgreSQL (through SQL, ``SQLChainPages``) and in memory
    (``ledger.storage.chain_memory``, for fast aggregate and use-case tests). Each also keeps the write
    side's order index in the insert's transaction (``ledger.storage.order_index``).
    """

    events_table_name: str

    @property
    def chain_table_name(self) -> str:
        """The side table holding one chain row per event."""
        return f"{self.events_table_name}_chain"

    @abstractmethod
    def chain_bound(self) -> int | None:
        """The largest notification id among the events and chain rows, read in one snapshot."""

    @abstractmethod
    def event_rows(self, after: int, upto: int, limit: int) -> list[EventRow]:
        """A page of raw stored events, originator ids in canonical text."""

    @abstractmethod
    def chain_rows(self, after: int, upto: int, limit: int) -> list[ChainRow]:
        """A page of chain rows."""

    @abstractmethod
    def last_chain_row(self, before: int | None = None) -> tuple[int, bytes] | None:
        """The last (notification_id, hash) chain row, optionally only among ids < ``before``."""

    @abstractmethod
    def positions_of(self, digest: bytes) -> list[int]:
        """The notification ids whose chain rows carry ``digest`` (used only to explain a failure)."""

    @abstractmethod
    def notification_id_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one stored event (used only to name it in a message)."""

    @property
    def leaves_table_name(self) -> str:
        """The side table holding each event's leaf position and salt (ledger/storage/event_tree.py)."""
        return f"{self.events_table_name}_leaves"

    @property
    def tree_table_name(self) -> str:
        """The side table holding the hash of every complete subtree of the Merkle tree."""
        return f"{self.events_table_name}_tree"

    #: The event's plain bytes from its stored state (the application sets the cipher's and compressor's
    #: inverse: ``PydanticMapper.plain_bytes``); the leaves commit to these.
    plain_state: Callable[[bytes], bytes] = staticmethod(bytes)  # type: ignore[assignment]

    @abstractmethod
    def tree_size_at(self, notification_id: int | None = None) -> int:
        """How many leaves the tree has up to and including ``notification_id`` (None: all)."""

    @abstractmethod
    def tree_node(self, level: int, index: int) -> bytes:
        """The stored hash of the complete subtree (level, index); ``LookupError`` if there is none."""

    @abstractmethod
    def leaf_of(self, notification_id: int) -> tuple[int, bytes] | None:
        """The (leaf index, salt) of one stored event, or None if the tree has no leaf for it."""

    @abstractmethod
    def leaf_page(self, after: int, limit: int) -> list[tuple[int, int, bytes, bytes]]:
        """A page of (leaf index, notification_id, salt, stored leaf hash) with index > ``after``."""

    @abstractmethod
    def node_page(self, after: tuple[int, int], limit: int) -> list[tuple[int, int, bytes]]:
        """A page of stored (level, index, hash) rows above the leaves, after ``after`` in (level, index) order."""

    @abstractmethod
    def build_tree(self) -> int:
        """Give every stored event without a leaf its leaf (a store made before the tree), in a
        transaction of its own; the tree's size."""

    def tree_exists(self) -> bool:
        """Whether the Merkle tree's tables are there (a store made before them, opened read-only, has none)."""
        return True

    @abstractmethod
    def tables_exist(self) -> bool:
        """Whether the events and chain tables are there (read only: no right beyond reading needed)."""

    @abstractmethod
    def create_tables(self) -> None:
        """Create the events and chain tables (the caller has checked they are missing)."""

    def protect_history(self) -> None:  # noqa: B027 - optional: most backends have nothing to add
        """Make the stored history refuse changes, where the backend can (PostgreSQL: triggers)."""

    def authenticated_as(self) -> str:
        """Who this backend authenticated for the process: for a file or memory store, the OS account."""
        return os_user()
