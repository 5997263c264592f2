"""The Merkle tree over every stored event (RFC 6962, ``ledger.storage.merkle``), beside the hash chain.

Leaf i is the i-th stored event in notification order. Its entry commits to the event's *plain*
content (decrypted and decompressed: the JSON the ledger wrote) and a random salt of its own::

    entry = b"hotline-ledger leaf v1\\0" ‖ len ‖ salt ‖ len ‖ originator id ‖ len ‖ version
            ‖ len ‖ topic ‖ len ‖ plain state

(each ``len`` an 8-byte big-endian length; the originator id as the chain writes it, the uuid's
hex). With encryption at rest the stored bytes are cipher text a unit cannot check against the
fields it reads, so the leaf names the plain bytes; and the salt, revealed only in a proof of that
event, keeps a short event (a count, a date) from being guessed from its leaf hash by anyone who
holds another unit's proof, where the hash appears as a sibling.

Every append writes, in its own transaction, one row per event to ``<events>_leaves
(notification_id, idx, salt)`` and the hashes of the leaf and of every subtree it completes to
``<events>_tree (level, idx, hash)``. A store made before the tree gets its leaves for the events it
holds at its next append (or ``build_tree``), oldest first, so the tree always covers a prefix of the
events in order.

The linear chain stays: it is what every read checks each event against (one hash per event,
cheap, and the published heads and backups already name it); the tree adds what the chain cannot
give, a proof of one event (or of an earlier head) in a few dozen hashes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ledger.storage.merkle import TreeReader, grown, leaf_hash

LEAF_DOMAIN = b"hotline-ledger leaf v1\x00"
SALT_SIZE = 16

#: One event as the tree takes it in: (notification_id, originator id text, version, topic, stored state).
EventRow = tuple[int, str, int, str, bytes]
#: The events read per page while a tree catches up with an older store.
PAGE = 1000


def leaf_entry(salt: bytes, originator_id: str, originator_version: int, topic: str, plain: bytes) -> bytes:
    """The bytes a leaf hashes (see the module docstring)."""
    out = bytearray(LEAF_DOMAIN)
    for field in (salt, originator_id.encode(), str(originator_version).encode(), topic.encode(), plain):
        out += len(field).to_bytes(8, "big") + field
    return bytes(out)


def event_leaf(salt: bytes, originator_id: str, originator_version: int, topic: str, plain: bytes) -> bytes:
    """The leaf hash of one event."""
    return leaf_hash(leaf_entry(salt, originator_id, originator_version, topic, plain))


class TreeStore(Protocol):
    """What extending the tree needs from a backend, inside the append's transaction."""

    def last_leaf(self) -> tuple[int, int]:
        """(tree size, notification id of its last leaf; 0 for none)."""

    def events_after(self, after: int, before: int, limit: int) -> list[EventRow]:
        """Stored events with after < notification id < before, in order."""

    def node(self, level: int, index: int) -> bytes:
        """A stored subtree hash."""

    def add(self, leaves: list[tuple[int, int, bytes]], nodes: list[tuple[int, int, bytes]]) -> None:
        """Insert (notification_id, idx, salt) leaf rows and (level, idx, hash) tree rows."""


def extend_tree(store: TreeStore, new: Sequence[EventRow], plain: Callable[[bytes], bytes],
                salts: Mapping[int, bytes] | None = None) -> int:
    """Add leaves for ``new`` events (and first for any older events the tree lacks); the new size.

    ``salts``: the salts some events already had, by notification id (a ledger restored from its export
    keeps its tree, and so every signed tree head); every other leaf gets a fresh random one.
    """
    size, last = store.last_leaf()
    before = new[0][0] if new else 2**63 - 1
    while True:
        lagging = store.events_after(last, before, PAGE)
        if not lagging:
            break
        size = _add(store, size, lagging, plain, salts or {})
        last = lagging[-1][0]
    return _add(store, size, new, plain, salts or {}) if new else size


def _add(store: TreeStore, size: int, events: Sequence[EventRow], plain: Callable[[bytes], bytes],
         salts: Mapping[int, bytes]) -> int:
    leaves, hashes = [], []
    fresh = os.urandom(SALT_SIZE * len(events))  # one system call for the lot, not one per event
    sha256 = hashlib.sha256
    # Length-prefixed bytes made once: each topic's and version's (an import repeats one or two), a uuid hex's prefix.
    prefixed: dict[object, bytes] = {}
    salt_prefix = _LEAF_PREFIX + SALT_SIZE.to_bytes(8, "big")
    hex_len = (32).to_bytes(8, "big")
    for offset, (nid, oid, version, topic, state) in enumerate(events):
        salt = salts.get(nid) or fresh[offset * SALT_SIZE:(offset + 1) * SALT_SIZE]
        leaves.append((nid, size + offset, salt))
        tv = prefixed.get((topic, version))
        if tv is None:
            t, v = topic.encode(), str(version).encode()
            tv = prefixed[(topic, version)] = len(v).to_bytes(8, "big") + v + len(t).to_bytes(8, "big") + t
        o, p = oid.encode(), plain(bytes(state))
        # leaf_hash(leaf_entry(...)), inlined: a bulk import hashes a hundred thousand leaves here.
        h = sha256(salt_prefix + salt if len(salt) == SALT_SIZE
                   else _LEAF_PREFIX + len(salt).to_bytes(8, "big") + salt)
        h.update((hex_len if len(o) == 32 else len(o).to_bytes(8, "big")) + o)
        h.update(tv)
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)
        hashes.append(h.digest())
    store.add(leaves, grown(size, hashes, store.node))
    return size + len(events)


#: What ``leaf_hash`` puts before an entry, and the entry's domain tag.
_LEAF_PREFIX = b"\x00" + LEAF_DOMAIN


def ensure_tree(recorder: Any) -> None:
    """Build the leaves a store made before the tree still lacks (nothing to do on any other store)."""
    last = recorder.last_chain_row()
    if last is not None and recorder.leaf_of(last[0]) is None:
        recorder.build_tree()


def tree_head(recorder: Any, notification_id: int) -> tuple[int, str]:
    """The Merkle tree's head at ``notification_id``: (its size, its root in hex), read from the stored nodes."""
    ensure_tree(recorder)
    size = recorder.tree_size_at(notification_id)
    return size, TreeReader(recorder.tree_node).root(size).hex()
