"""RFC 6962 tree hashing and proofs, against the published test vectors and by properties.

The vectors in tests/data/rfc6962_vectors are transparency-dev/merkle's testdata (Apache 2.0; the
Go implementation Trillian and the CT logs use), verbatim: every ``wantErr: false`` case must
verify and every ``wantErr: true`` case (a flipped bit, a swapped or missing hash, a wrong size)
must be refused.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.storage.merkle import (
    EMPTY_ROOT,
    ProofError,
    TreeReader,
    grown,
    leaf_hash,
    memory_lookup,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent.parent / "data" / "rfc6962_vectors"

# The reference leaves of RFC 6962's test suite (the vectors' trees are built from them).
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
# Their roots by tree size, as published with those tests (CT's merkle_tree_test.cc).
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _cases(kind: str) -> list[tuple[str, dict]]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    return [(str(f.relative_to(VECTORS)), json.loads(f.read_text())) for f in files]


def test_the_vectors_are_there() -> None:
    assert len(_cases("inclusion")) > 60 and len(_cases("consistency")) > 90


@pytest.mark.parametrize(("name", "case"), _cases("inclusion"), ids=lambda x: x if isinstance(x, str) else "")
def test_inclusion_vectors(name: str, case: dict) -> None:
    proof = [_b64(p) for p in case["proof"] or []]
    args = (case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize(("name", "case"), _cases("consistency"), ids=lambda x: x if isinstance(x, str) else "")
def test_consistency_vectors(name: str, case: dict) -> None:
    proof = [_b64(p) for p in case["proof"] or []]
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof)
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_roots_of_the_reference_leaves() -> None:
    hashes = [leaf_hash(x) for x in LEAVES]
    for size, expected in ROOTS.items():
        assert TreeReader(memory_lookup(hashes[:size])).root(size).hex() == expected
    assert TreeReader(memory_lookup([])).root(0) == EMPTY_ROOT


def test_the_proofs_built_are_the_published_ones() -> None:
    # consistency/3/happy-path.json: from 2 to 5 leaves; inclusion/3/happy-path.json: leaf 2 of 3.
    reader = TreeReader(memory_lookup([leaf_hash(x) for x in LEAVES]))
    case = json.loads((VECTORS / "consistency/3/happy-path.json").read_text())
    assert reader.consistency(2, 5) == [_b64(p) for p in case["proof"]]
    case = json.loads((VECTORS / "inclusion/3/happy-path.json").read_text())
    assert reader.inclusion(2, 3) == [_b64(p) for p in case["proof"]]


def test_a_tree_grown_one_leaf_at_a_time_stores_every_complete_subtree() -> None:
    hashes = [leaf_hash(x) for x in LEAVES]
    stored: dict[tuple[int, int], bytes] = {}
    for i, h in enumerate(hashes):
        for level, index, value in grown(i, [h], lambda lv, ix: stored[(lv, ix)]):
            stored[(level, index)] = value
    # 8 leaves: 8 + 4 + 2 + 1 complete subtrees, the top one the root of 8.
    assert len(stored) == 15
    assert stored[(3, 0)].hex() == ROOTS[8]
    assert stored[(1, 1)] == node_hash(hashes[2], hashes[3])


sizes = st.integers(min_value=1, max_value=70)


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[bytes], TreeReader]:
    n = draw(sizes)
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    # Grown in random batches, as appends come: the stored nodes must be those of the whole list.
    stored: dict[tuple[int, int], bytes] = {}
    done = 0
    while done < n:
        batch = draw(st.integers(min_value=1, max_value=n - done))
        for level, index, value in grown(done, hashes[done:done + batch], lambda lv, ix: stored[(lv, ix)]):
            stored[(level, index)] = value
        done += batch
    return hashes, TreeReader(lambda lv, ix: stored[(lv, ix)])


@settings(max_examples=60, deadline=None)
@given(trees(), st.data())
def test_every_inclusion_proof_verifies_and_any_change_fails(tree: tuple[list[bytes], TreeReader],
                                                              data: st.DataObject) -> None:
    hashes, reader = tree
    size = data.draw(st.integers(min_value=1, max_value=len(hashes)))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root, proof = reader.root(size), reader.inclusion(index, size)
    assert root == TreeReader(memory_lookup(hashes[:size])).root(size)
    verify_inclusion(index, size, hashes[index], proof, root)
    flipped = bytearray(hashes[index])
    flipped[data.draw(st.integers(0, 31))] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(ProofError):
        verify_inclusion(index, size, bytes(flipped), proof, root)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[k] = bytes(flipped)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, hashes[index], bad, root)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, hashes[index], proof[:-1], root)
    if len(proof) > 1:
        with pytest.raises(ProofError):
            verify_inclusion(index, size, hashes[index], [proof[1], proof[0], *proof[2:]], root)
    # A wrong size whose path has another shape (one more level) cannot lead to the root either; the
    # size itself is bound to the root by the head's signature.
    with pytest.raises(ProofError):
        verify_inclusion(index, 2 * size + 1, hashes[index], proof, root)


@settings(max_examples=60, deadline=None)
@given(trees(), st.data())
def test_every_consistency_proof_verifies_and_any_change_fails(tree: tuple[list[bytes], TreeReader],
                                                                data: st.DataObject) -> None:
    hashes, reader = tree
    second = data.draw(st.integers(min_value=1, max_value=len(hashes)))
    first = data.draw(st.integers(min_value=1, max_value=second))
    r1, r2, proof = reader.root(first), reader.root(second), reader.consistency(first, second)
    verify_consistency(first, second, r1, r2, proof)
    if first == second:
        return
    flipped = bytearray(r1)
    flipped[data.draw(st.integers(0, 31))] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(ProofError):
        verify_consistency(first, second, bytes(flipped), r2, proof)
    with pytest.raises(ProofError):
        verify_consistency(first, second, r1, bytes(flipped), proof)
    k = data.draw(st.integers(0, len(proof) - 1))
    bad = list(proof)
    bad[k] = bytes(flipped)
    with pytest.raises(ProofError):
        verify_consistency(first, second, r1, r2, bad)
    with pytest.raises(ProofError):
        verify_consistency(first, second, r1, r2, proof[:-1])
    with pytest.raises(ProofError):
        verify_consistency(second, first, r2, r1, proof)


def test_a_leaf_rewritten_before_the_earlier_head_breaks_consistency() -> None:
    # Eleven leaves, an earlier head at 6; leaf 3 is rewritten and every later hash recomputed.
    hashes = [leaf_hash(bytes([i])) for i in range(11)]
    honest = TreeReader(memory_lookup(hashes))
    forged_hashes = list(hashes)
    forged_hashes[3] = leaf_hash(b"rewritten")
    forged = TreeReader(memory_lookup(forged_hashes))
    with pytest.raises(ProofError, match="earlier root"):
        verify_consistency(6, 11, honest.root(6), forged.root(11), forged.consistency(6, 11))
