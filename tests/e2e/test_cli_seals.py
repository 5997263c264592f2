"""Signed seals through the CLI: ``seal keygen``, ``seal`` with and without a key, and ``verify`` against
someone with full rights on the database who rewrites history, recomputes the chain and tampers with
the seals themselves (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.storage.chain import chain_link, event_digest
from ledger.storage.signing import seal_message
from tests.e2e.test_cli_verify import RawStore


@pytest.fixture
def raw(store_url: str) -> RawStore:
    return RawStore(store_url)


def _keygen(cli: Any, path: Path) -> dict[str, str]:
    return cli.json("seal", "keygen", str(path))


def _ledger(cli: Any) -> list[str]:
    """init and three occurrences of 2.1 for taishan (one each, 0.10 points each)."""
    cli.json("init", "--year", "2025")
    record = ["record", "--unit", "taishan", "--item", "2.1"]
    return [cli.json(*record, "--date", f"2025-03-0{n}", "--evidence", f"WO-{n}")["id"] for n in (1, 2, 3)]


def _seal(cli: Any, key: Path, *args: str, **env: str) -> Any:
    result = cli("seal", *args, "--format", "json", env={"HOTLINE_LEDGER_SEAL_KEY": str(key), **env})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _verify(cli: Any, *args: str, **env: str) -> Any:
    result = cli("verify", *args, env=env or None)
    assert "Traceback" not in result.output
    return result


def _state(raw: RawStore, nid: int) -> dict[str, Any]:
    return json.loads(next(s for n, _, _, _, s in raw.events() if n == nid))


def _put_state(raw: RawStore, nid: int, state: dict[str, Any]) -> None:
    raw.set_state(nid, json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode())


def _chain_hash_at(raw: RawStore, target: int) -> str:
    """The chain hash at ``target`` recomputed from the stored events (what a forger would publish)."""
    previous = bytes(32)
    for nid, oid, version, topic, state in raw.events():
        previous = chain_link(previous, nid, event_digest(oid, version, topic, state))
        if nid == target:
            return previous.hex()
    raise AssertionError(f"no event #{target}")


def _rewrite_count(raw: RawStore, event_id: str, count: int) -> int:
    """Change an occurrence's stored count and recompute every chain hash: a rewrite by a full-rights insider."""
    nid = raw.position_of(event_id)
    state = _state(raw, nid)
    assert state["count"] == 1
    _put_state(raw, nid, {**state, "count": count})
    raw.rechain()
    return nid


def test_keygen_writes_a_private_key_only_its_owner_can_read_and_prints_the_public_key(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "seal.pem"

    result = cli("seal", "keygen", str(path))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    raw_public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public = "ed25519:" + base64.b64encode(raw_public).decode()
    assert f"public key: {public}" in result.stdout
    assert "fingerprint: SHA256:" in result.stdout
    assert "PRIVATE KEY" not in result.output


def test_keygen_refuses_an_existing_file_and_leaves_it_untouched(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "seal.pem"
    _keygen(cli, path)
    before = path.read_bytes()

    result = cli("seal", "keygen", str(path))

    assert result.exit_code == 1
    assert "already exists" in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == before


def test_a_signed_seal_verifies_and_verify_prints_the_fingerprint_of_the_key(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    _ledger(cli)
    published = _keygen(cli, tmp_path / "seal.pem")

    sealed = _seal(cli, tmp_path / "seal.pem", "--note", "2025年第1期通报")
    result = _verify(cli)
    (status,) = cli.json("verify")["seals"]

    assert sealed["signed"] is True and sealed["public_key"] == published["public_key"]
    assert sealed["notification_id"] == 4  # 1 ruleset + 3 occurrences
    assert result.exit_code == 0, result.output
    assert f"seal {sealed['id']} (head #4, event #5): signed by {published['fingerprint']}" in result.stdout
    assert status["signature"] == "valid" and status["key"] == published["fingerprint"] and status["ok"] is True
    assert status["reached"] is True and status["pinned"] is None
    seal_state = _state(raw, 5)
    assert seal_state["public_key"] == published["public_key"] and len(base64.b64decode(seal_state["signature"])) == 64


def test_the_private_key_appears_nowhere_in_the_store_or_the_output(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _ledger(cli)
    path = tmp_path / "seal.pem"
    _keygen(cli, path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    secret = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                               serialization.NoEncryption())
    pem_body = b"".join(path.read_bytes().splitlines()[1:-1])

    outputs = [cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(path)}).output, _verify(cli).output,
               cli("log", "--format", "json").output]

    stored = b"".join(s for _, _, _, _, s in raw.events())
    for secret_form in (secret, base64.b64encode(secret), secret.hex().encode(), pem_body):
        assert secret_form not in stored
        assert all(secret_form not in out.encode() for out in outputs)


def test_a_rewrite_with_a_recomputed_chain_is_caught_at_the_signed_seal_naming_it(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    ids = _ledger(cli)
    _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem")
    _rewrite_count(raw, ids[0], 9)  # 1 → 9, every later chain hash recomputed

    result = _verify(cli)
    statuses = cli("verify", "--format", "json")

    assert result.exit_code == 1
    assert f"seal {sealed['id']} (head #4, event #5): the chain no longer reaches its sealed head" in result.stderr
    (status,) = json.loads(statuses.stdout)["seals"]
    assert (status["reached"], status["signature"], status["ok"]) == (False, "valid", False)


def test_a_seal_whose_head_was_changed_to_the_rewritten_chain_fails_its_signature(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    ids = _ledger(cli)
    _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem")
    _rewrite_count(raw, ids[0], 9)
    _put_state(raw, 5, {**_state(raw, 5), "head": _chain_hash_at(raw, 4)})  # make the seal agree with the forgery
    raw.rechain()

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"seal {sealed['id']} (head #4, event #5): the signature does not verify" in result.stderr
    assert "no longer reaches" not in result.stderr  # the forged head itself matches the forged chain


def test_a_seal_with_flipped_signature_bytes_fails_verify(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _ledger(cli)
    _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem")
    state = _state(raw, 5)
    signature = bytearray(base64.b64decode(state["signature"]))
    signature[10] ^= 0x01
    _put_state(raw, 5, {**state, "signature": base64.b64encode(bytes(signature)).decode()})
    raw.rechain()

    result = _verify(cli)

    assert result.exit_code == 1
    assert f"SEAL BROKEN: seal {sealed['id']} (head #4, event #5): the signature does not verify" in result.stderr


def _resign_with_own_key(raw: RawStore, seal_nid: int, tmp_path: Path) -> str:
    """Replace a seal's head, signature and public key with the forger's own; their public key."""
    forger = Ed25519PrivateKey.generate()
    state = _state(raw, seal_nid)
    head = _chain_hash_at(raw, state["notification_id"])
    seal_id = next(UUID(o) for n, o, _, _, _ in raw.events() if n == seal_nid)
    # The forger signs the tree head too, the tree rebuilt over the rewritten events.
    raw.retree()
    tree_size, tree_root = raw.tree_head(state["notification_id"])
    message = seal_message(seal_id=seal_id, notification_id=state["notification_id"], head=head,
                           sealed_at=datetime.fromisoformat(state["timestamp"]), sealed_by=state["recorded_by"],
                           note=state["note"], tree_size=tree_size, tree_root=tree_root)
    public = forger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    forged_public = "ed25519:" + base64.b64encode(public).decode()
    _put_state(raw, seal_nid, {**state, "head": head, "signature": base64.b64encode(forger.sign(message)).decode(),
                               "public_key": forged_public, "tree_root": tree_root})
    raw.rechain()
    return forged_public


def test_a_seal_re_signed_with_another_key_fails_when_the_published_key_is_pinned(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    ids = _ledger(cli)
    published = _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem")
    _rewrite_count(raw, ids[0], 9)
    _resign_with_own_key(raw, 5, tmp_path)

    unpinned = _verify(cli)
    pinned = _verify(cli, "--key", published["public_key"])
    pinned_by_env = _verify(cli, HOTLINE_LEDGER_SEAL_PUBLIC=published["public_key"])

    # Alone, a consistent forgery with the forger's own key verifies; it shows, though, another key.
    assert unpinned.exit_code == 0 and published["fingerprint"] not in unpinned.stdout, unpinned.stderr
    for result in (pinned, pinned_by_env):
        assert result.exit_code == 1
        assert f"SEAL BROKEN: seal {sealed['id']} (head #4, event #5): signed by SHA256:" in result.stderr
        assert f"not by a pinned key ({published['fingerprint']})" in result.stderr


def test_seal_refuses_to_sign_after_a_seal_whose_signature_does_not_verify(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    _ledger(cli)
    _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem", "--note", "第1期")
    _put_state(raw, 5, {**_state(raw, 5), "note": "第2期"})
    raw.rechain()
    before = raw.events()

    result = cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(tmp_path / "seal.pem")})

    assert result.exit_code == 1
    assert f"nothing sealed: seal {sealed['id']} (head #4, event #5): the signature does not verify" in result.stderr
    assert raw.events() == before


def test_seal_refuses_to_vouch_for_a_forgery_re_signed_with_another_key(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    ids = _ledger(cli)
    published = _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem")
    _rewrite_count(raw, ids[0], 9)
    _resign_with_own_key(raw, 5, tmp_path)
    before = raw.events()

    result = cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(tmp_path / "seal.pem")})

    assert result.exit_code == 1
    assert f"nothing sealed: seal {sealed['id']} (head #4, event #5) was signed by SHA256:" in result.stderr
    assert f"not by this key ({published['fingerprint']})" in result.stderr
    assert raw.events() == before


def test_a_seal_signed_by_a_pinned_key_passes_the_pin_given_by_option_or_environment(cli: Any, tmp_path: Path) -> None:
    _ledger(cli)
    published = _keygen(cli, tmp_path / "seal.pem")
    _seal(cli, tmp_path / "seal.pem")

    other = _keygen(cli, tmp_path / "other.pem")["public_key"]

    result = _verify(cli, "--key", published["public_key"])
    by_env = _verify(cli, HOTLINE_LEDGER_SEAL_PUBLIC=f"{other}, {published['public_key']}")

    assert result.exit_code == 0, result.output
    assert f"signed by {published['fingerprint']} (pinned)" in result.stdout
    assert by_env.exit_code == 0, by_env.output


def test_seal_without_a_key_refuses_and_writes_nothing(cli: Any, raw: RawStore) -> None:
    _ledger(cli)
    before = raw.events()

    result = cli("seal")

    assert result.exit_code == 1
    assert "HOTLINE_LEDGER_SEAL_KEY" in result.stderr and "--unsigned" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert raw.events() == before


def test_seal_with_a_missing_key_file_refuses_and_writes_nothing(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _ledger(cli)
    before = raw.events()

    result = cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(tmp_path / "nowhere.pem")})

    assert result.exit_code == 1
    assert f"seal key {tmp_path / 'nowhere.pem'} (HOTLINE_LEDGER_SEAL_KEY): No such file" in result.stderr
    assert "Traceback" not in result.output
    assert raw.events() == before


def test_seal_with_a_file_that_is_not_a_key_refuses_without_quoting_it(
    cli: Any, raw: RawStore, tmp_path: Path
) -> None:
    _ledger(cli)
    path = tmp_path / "notakey.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXRleHQtdGhhdC1pcy1ub3QtYS1rZXk=\n"
                    "-----END PRIVATE KEY-----\n")
    path.chmod(0o600)
    before = raw.events()

    result = cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(path)})

    assert result.exit_code == 1
    assert "not an Ed25519 private key" in result.stderr and "Traceback" not in result.output
    assert "c2VjcmV0" not in result.output
    assert raw.events() == before


def test_seal_with_a_key_file_readable_by_others_refuses(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _ledger(cli)
    path = tmp_path / "seal.pem"
    _keygen(cli, path)
    path.chmod(0o644)
    before = raw.events()

    result = cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(path)})

    assert result.exit_code == 1
    assert "readable by others (mode 0644)" in result.stderr and "chmod 600" in result.stderr
    assert raw.events() == before


def test_an_unsigned_seal_is_reported_as_unsigned_and_is_no_failure_by_itself(cli: Any) -> None:
    _ledger(cli)

    sealed = cli.json("seal", "--unsigned")
    result = _verify(cli)

    assert sealed["signed"] is False
    assert result.exit_code == 0, result.output
    assert f"seal {sealed['id']} (head #4, event #5): unsigned" in result.stdout
    (status,) = cli.json("verify")["seals"]
    assert (status["signature"], status["key"], status["ok"]) == ("unsigned", None, True)


def test_an_unsigned_seal_fails_when_a_published_key_is_pinned(cli: Any, tmp_path: Path) -> None:
    _ledger(cli)
    published = _keygen(cli, tmp_path / "seal.pem")
    sealed = cli.json("seal", "--unsigned")

    result = _verify(cli, "--key", published["public_key"])

    assert result.exit_code == 1
    assert f"seal {sealed['id']} (head #4, event #5): unsigned, not by a pinned key" in result.stderr


def test_a_change_of_signing_key_between_seals_must_be_declared_and_is_reported(cli: Any, tmp_path: Path) -> None:
    _ledger(cli)
    first, second = _keygen(cli, tmp_path / "a.pem"), _keygen(cli, tmp_path / "b.pem")
    _seal(cli, tmp_path / "a.pem")
    refused = cli("seal", env={"HOTLINE_LEDGER_SEAL_KEY": str(tmp_path / "b.pem")})
    later = _seal(cli, tmp_path / "b.pem", HOTLINE_LEDGER_SEAL_PUBLIC=first["public_key"])  # the old key, trusted

    result = _verify(cli)

    assert refused.exit_code == 1  # a key change is deliberate: the sealer names the earlier key
    assert f"was signed by {first['fingerprint']}, not by this key ({second['fingerprint']})" in refused.stderr
    assert result.exit_code == 0, result.output
    assert (f"signing key changed at seal {later['id']} (head #5, event #6): "
            f"{first['fingerprint']} -> {second['fingerprint']}") in result.stdout
    assert [s["key_changed"] for s in cli.json("verify")["seals"]] == [False, True]


def test_a_seal_recorded_before_seals_were_signed_still_decodes_and_verifies(cli: Any, raw: RawStore) -> None:
    _ledger(cli)
    cli.json("seal", "--unsigned")
    old = {k: v for k, v in _state(raw, 5).items() if k not in ("signature", "public_key")}
    _put_state(raw, 5, old)  # the bytes an older ledger stored: no signature fields at all
    raw.rechain()

    result = _verify(cli)

    assert result.exit_code == 0, result.output
    assert "(head #4, event #5): unsigned" in result.stdout
    assert len(cli.json("log")) == 5


def test_verify_refuses_a_malformed_public_key(cli: Any) -> None:
    _ledger(cli)

    result = cli("verify", "--key", "ed25519:AAAA")

    assert result.exit_code == 2
    assert "not a seal public key" in result.output and "Traceback" not in result.output


def test_a_seal_signs_the_merkle_tree_head_too(cli: Any, raw: RawStore, tmp_path: Path) -> None:
    _ledger(cli)
    published = _keygen(cli, tmp_path / "seal.pem")
    sealed = _seal(cli, tmp_path / "seal.pem")
    # init's ruleset and three occurrences: four events, the head at #4, the tree of 4 leaves.
    assert (sealed["notification_id"], sealed["tree_size"]) == (4, 4)
    leaves = [bytes(h) for (h,) in raw.execute("SELECT hash FROM {tree} WHERE level = 0 ORDER BY idx")][:4]
    from hashlib import sha256

    def node(a: bytes, b: bytes) -> bytes:
        return sha256(b"\x01" + a + b).digest()

    assert sealed["tree_root"] == node(node(leaves[0], leaves[1]), node(leaves[2], leaves[3])).hex()
    state = _state(raw, 5)
    assert (state["tree_size"], state["tree_root"]) == (4, sealed["tree_root"])
    message = seal_message(seal_id=UUID(sealed["id"]), notification_id=4, head=sealed["head"],
                           sealed_at=datetime.fromisoformat(state["timestamp"]), sealed_by=state["recorded_by"],
                           note=state["note"], tree_size=4, tree_root=sealed["tree_root"])
    assert message.startswith(b"hotline-ledger seal v2\x00")
    public = serialization.load_pem_private_key((tmp_path / "seal.pem").read_bytes(), None).public_key()
    public.verify(base64.b64decode(state["signature"]), message)  # raises if it does not verify
    assert published["public_key"] == state["public_key"]
    assert _verify(cli).exit_code == 0


def test_a_rewrite_before_a_seal_with_chain_tree_and_chain_head_recomputed_is_named_by_the_tree_head(
        cli: Any, raw: RawStore) -> None:
    ids = _ledger(cli)
    sealed = cli.json("seal", "--unsigned")
    _rewrite_count(raw, ids[0], 9)  # every chain hash and every tree node recomputed
    state = _state(raw, 5)  # the seal's chain head forged too; its tree root left as sealed
    _put_state(raw, 5, {**state, "head": _chain_hash_at(raw, 4)})
    raw.rechain()
    result = _verify(cli)
    assert result.exit_code == 1
    assert (f"MERKLE TREE: seal {sealed['id']} (tree head 4): the events no longer make its signed tree root "
            f"{sealed['tree_root']} (rewritten?)") in result.stderr
