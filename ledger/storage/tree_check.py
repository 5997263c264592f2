"""``verify``'s check of the Merkle tree (ledger/storage/event_tree.py): rebuilt from the events, compared row by row.

Every leaf is recomputed from its event's plain bytes and stored salt; every complete subtree from
those leaves. A stored leaf or node that differs, an event without a leaf before the tree's last
leaf, or a leaf without an event is the failure. Events after the tree's last leaf (a store made
before the tree, not written to since) are reported, not failed: ``build_tree`` adds them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ledger.storage.chain_format import canonical_originator_id
from ledger.storage.event_tree import event_leaf
from ledger.storage.merkle import TreeReader, node_hash
from ledger.translation import _

_PAGE = 5000


class TreeReport(NamedTuple):
    """The outcome of ``verify_tree``: ``size`` leaves checked, ``events`` stored, ``reader`` the rebuilt tree
    (roots and proofs of any size up to ``size``), ``failure`` the first problem (None: all agree)."""

    ok: bool
    size: int
    events: int
    reader: TreeReader
    failure: str | None


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


def verify_tree(recorder: Any) -> TreeReport:
    """Rebuild the tree from the stored events and compare it with the stored one (see the module docstring)."""
    plain = recorder.plain_state
    upto = recorder.chain_bound() or 0
    leaves: list[bytes] = []
    events = 0
    failure: str | None = None
    leaf_rows = _paged_leaves(recorder)
    after = 0
    while failure is None:
        page = recorder.event_rows(after, upto, _PAGE)
        for nid, oid, version, topic, state in page:
            events += 1
            row = next(leaf_rows, None)
            if row is None:
                continue  # after the tree's last leaf: not built yet
            index, leaf_nid, salt, stored = row
            if leaf_nid != nid:
                failure = (_("event #{nid}: no leaf in the Merkle tree (leaf {index} is event #{leaf})").format(
                    nid=nid, index=index, leaf=leaf_nid) if leaf_nid > nid else
                    _("leaf {index}: its event #{leaf} is gone (deleted?)").format(index=index, leaf=leaf_nid))
                break
            try:
                leaf = event_leaf(salt, canonical_originator_id(oid), version, topic, plain(bytes(state)))
            except Exception:  # noqa: BLE001 - undecodable bytes: this leaf cannot be the event's
                leaf = b""
            if leaf != stored:
                failure = _("event #{nid} ({oid} v{version}): its Merkle leaf differs from the event (edited?)").format(
                    nid=nid, oid=oid, version=version)
                break
            leaves.append(leaf)
        if len(page) < _PAGE:
            break
        after = page[-1][0]
    if failure is None and (extra := next(leaf_rows, None)) is not None:
        failure = _("leaf {index}: its event #{leaf} is gone (deleted?)").format(index=extra[0], leaf=extra[1])
    levels = _levels(leaves)
    if failure is None:
        failure = _compare_nodes(recorder, levels)
    reader = TreeReader(lambda level, index: levels[level][index])
    return TreeReport(failure is None, len(leaves), events, reader, failure)


def _paged_leaves(recorder: Any) -> Any:
    after = -1
    while True:
        page = recorder.leaf_page(after, _PAGE)
        yield from page
        if len(page) < _PAGE:
            return
        after = page[-1][0]


def _compare_nodes(recorder: Any, levels: list[list[bytes]]) -> str | None:
    expected = [(level, index) for level in range(1, len(levels)) for index in range(len(levels[level]))]
    position = 0
    after = (0, 0)
    while True:
        page = recorder.node_page(after, _PAGE)
        for level, index, h in page:
            want = expected[position] if position < len(expected) else None
            if want != (level, index):
                missing = want if want is not None and want < (level, index) else None
                if missing is not None:
                    return _("the Merkle tree lacks the node at level {level}, index {index} (deleted?)").format(
                        level=missing[0], index=missing[1])
                return _("the Merkle tree holds a node at level {level}, index {index} that no event makes").format(
                    level=level, index=index)
            if h != levels[level][index]:
                return _("the Merkle tree's node at level {level}, index {index} differs from its events "
                         "(altered?)").format(level=level, index=index)
            position += 1
        if len(page) < _PAGE:
            break
        after = (page[-1][0], page[-1][1])
    if position < len(expected):
        level, index = expected[position]
        return _("the Merkle tree lacks the node at level {level}, index {index} (deleted?)").format(level=level,
                                                                                                 index=index)
    return None


def rebuilt_root(report: TreeReport, size: int) -> bytes | None:
    """The rebuilt tree's root at ``size`` leaves (None if the tree has fewer)."""
    return report.reader.root(size) if size <= report.size else None

