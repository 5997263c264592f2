"""How the reports print a signed tree head among their facts (projections/reports/head_facts.py)."""

from __future__ import annotations

from projections.reports.head_facts import tree_head_facts

HEAD = {"seal": "5f3a9c1e-0000-4000-8000-000000000001", "sealed_at": "2025-04-01T09:00:00+08:00", "note": "三月通报",
        "tree_size": 354, "tree_root": "ab" * 32, "signature": "c2ln", "public_key": "ed25519:x",
        "fingerprint": "SHA256:0123456789abcdef", "signature_status": "valid"}


def test_a_document_without_a_tree_head_key_prints_nothing():
    assert tree_head_facts({"year": 2025}) == []


def test_an_unsealed_reading_says_so():
    unsealed = "签名树头：无（本报表所依据的记录尚未全部封存，见 hotline-ledger seal）"
    assert tree_head_facts({"tree_head": None}) == [unsealed]


def test_a_signed_head_prints_size_root_signature_and_fingerprint():
    assert tree_head_facts({"tree_head": HEAD}) == [
        "签名树头：封存 5f3a9c1e-0000-4000-8000-000000000001（2025-04-01 09:00:00 +08:00 · 三月通报）",
        "树大小：354 个事件", f"树根 SHA-256：{'ab' * 32}", "签名状态：有效",
        "签名（Ed25519）：c2ln", "公钥指纹：SHA256:0123456789abcdef"]


def test_an_unsigned_or_forged_seal_is_named_as_such():
    unsigned = {**HEAD, "signature": "", "public_key": None, "fingerprint": None, "signature_status": "unsigned"}
    assert tree_head_facts({"tree_head": unsigned})[-1] == "签名状态：未签名"
    forged = tree_head_facts({"tree_head": {**HEAD, "signature_status": "invalid"}})
    assert "签名状态：无效（签名不符，勿信）" in forged
