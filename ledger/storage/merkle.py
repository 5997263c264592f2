"""RFC 6962 Merkle trees: tree hashing, inclusion and consistency proofs, and their verification.

The hashing is Certificate Transparency's (RFC 6962 §2.1, kept in RFC 9162 §2.1)::

    leaf hash = SHA-256(0x00 ‖ entry)        node hash = SHA-256(0x01 ‖ left ‖ right)

and a tree of n leaves splits at k, the largest power of two below n. Proofs are built by the RFC's
``PATH`` and ``SUBPROOF`` and checked by the verification algorithms of RFC 9162 §2.1.3.2 and
§2.1.4.2, which need nothing but the hashes: a proof file is checked without the store.

A store keeps the hash of every *complete* subtree, ``(level, index)`` covering leaves
``[index·2^level, (index+1)·2^level)`` (level 0: the leaves). Those never change once written, so a
tree grows by appending rows (``grown``), and any earlier tree size's root and proofs are a few
lookups away (``TreeReader``): an inclusion proof reads O(log n) rows, not the ledger.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from ledger.translation import gettext as _

HASH_SIZE = 32

#: The root of the empty tree: SHA-256 of nothing.
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: Looks up the stored hash of the complete subtree at (level, index).
NodeLookup = Callable[[int, int], bytes]


class ProofError(Exception):
    """A proof that does not verify; the message says which check failed."""


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def grown(size: int, leaves: Sequence[bytes], lookup: NodeLookup) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) rows that appending ``leaves`` (leaf hashes) to a tree of ``size`` adds.

    Level 0 rows are the leaves themselves; each leaf that completes a subtree adds its hash, and so
    on up. ``lookup`` reads the stored left siblings (the rows returned so far are consulted first).
    """
    rows: list[tuple[int, int, bytes]] = []
    # The last node made at each level whose right sibling is still to come: nodes of a level are made in index
    # order, so (level, index − 1) is the one kept there when (level, index) needs it, unless it is older than
    # this batch (then it is looked up).
    pending: dict[int, bytes] = {}
    sha256 = hashlib.sha256
    for offset, leaf in enumerate(leaves):
        index, level, h = size + offset, 0, leaf
        rows.append((0, index, h))
        while index & 1:
            left = pending.pop(level, None)
            h = sha256(b"\x01" + (left if left is not None else lookup(level, index - 1)) + h).digest()  # node_hash
            level, index = level + 1, index >> 1
            rows.append((level, index, h))
        pending[level] = h
    return rows


class TreeReader:
    """Roots and proofs of any tree size, read from the stored complete subtrees (``lookup``)."""

    def __init__(self, lookup: NodeLookup) -> None:
        self._lookup = lookup
        self._cache: dict[tuple[int, int], bytes] = {}

    def _node(self, level: int, index: int) -> bytes:
        key = (level, index)
        h = self._cache.get(key)
        if h is None:
            h = self._cache[key] = self._lookup(level, index)
        return h

    def subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]), where ``lo`` is a multiple of the largest power of two not above hi − lo."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self._node(n.bit_length() - 1, lo // n)
        k = split(n)
        return node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))

    def root(self, size: int) -> bytes:
        """The root of the first ``size`` leaves (``EMPTY_ROOT`` for none)."""
        return EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]): the audit path of leaf ``index`` in the tree of ``size`` leaves."""
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = split(n)
        if m < k:
            return [*self._path(m, lo, lo + k), self.subtree(lo + k, hi)]
        return [*self._path(m - k, lo + k, hi), self.subtree(lo, lo + k)]

    def consistency(self, first: int, second: int) -> list[bytes]:
        """PROOF(first, D[second]): shows the tree of ``second`` leaves extends that of ``first``."""
        if not 0 < first <= second:
            raise ValueError(f"no consistency proof from {first} to {second} leaves")
        return self._subproof(first, 0, second, True)

    def _subproof(self, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if whole else [self.subtree(lo, hi)]
        k = split(n)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, whole), self.subtree(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self.subtree(lo, lo + k)]


def memory_lookup(leaves: Sequence[bytes]) -> NodeLookup:
    """A lookup over leaf hashes held in a list (every complete subtree computed once): tests and rebuilds."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return lambda level, index: levels[level][index]


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(_("{what} is {length} bytes, not a {hash_size}-byte hash")
            .format(what=what, length=len(value), hash_size=HASH_SIZE))


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` at ``index`` in a tree of ``size`` (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(_("leaf index {index} is outside a tree of {size}").format(index=index, size=size))
    _check_hash(leaf, _("the leaf hash"))
    fn, sn, r = index, size - 1, leaf
    for i, p in enumerate(proof):
        _check_hash(p, _("proof hash {number}").format(number=i))
        if sn == 0:
            raise ProofError(_("the proof has {count} hashes, more than a tree of {size} needs")
                .format(count=len(proof), size=size))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(_("the proof has {count} hashes, fewer than a tree of {size} needs")
            .format(count=len(proof), size=size))
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` shows ``leaf`` at ``index`` in the tree of ``size`` with ``root``."""
    _check_hash(root, _("the root"))
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(_("leaf {index} does not lead to the root of the tree of {size} (altered?)")
            .format(index=index, size=size))


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Raise ``ProofError`` unless ``proof`` shows the tree of ``second`` extends that of ``first``
    (RFC 9162 §2.1.4.2): every leaf of the first is in the second, unchanged and in place."""
    if _trivially_consistent(first, second, first_root, second_root, proof):
        return
    fr, sr = _consistency_roots(first, second, first_root, proof)
    if fr != first_root:
        raise ProofError(_("the proof does not lead to the earlier root (tree of {first}): history rewritten?")
            .format(first=first))
    if sr != second_root:
        raise ProofError(_("the proof does not lead to the later root (tree of {second})").format(second=second))


def _trivially_consistent(first: int, second: int, first_root: bytes, second_root: bytes,
                          proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2's preliminary checks: refuse sizes and proofs that cannot be consistent; True when the
    sizes are equal (the roots then simply agree), False when the proof is to be walked."""
    if first > second:
        raise ProofError(_("the first tree ({first}) is larger than the second ({second})")
            .format(first=first, second=second))
    if first == 0:
        raise ProofError(_("a consistency proof from the empty tree proves nothing"))
    if first == second:
        if proof:
            raise ProofError(_("equal tree sizes need an empty proof"))
        if first_root != second_root:
            raise ProofError(_("two different roots for the same tree size {first}").format(first=first))
        return True
    if not proof:
        raise ProofError(_("an empty proof between different tree sizes"))
    for i, p in enumerate(proof):
        _check_hash(p, _("proof hash {number}").format(number=i))
    return False


def _consistency_roots(first: int, second: int, first_root: bytes, proof: Sequence[bytes]) -> tuple[bytes, bytes]:
    """RFC 9162 §2.1.4.2's walk of the proof: the (first, second) roots it leads to, ``fr`` and ``sr``."""
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(_("the proof has more hashes than sizes {first} and {second} need")
                .format(first=first, second=second))
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(_("the proof has fewer hashes than sizes {first} and {second} need")
            .format(first=first, second=second))
    return fr, sr
