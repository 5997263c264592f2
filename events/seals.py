"""Seals: a published head of the tamper-evidence chain, signed by the centre's key."""

from __future__ import annotations

from typing import Any, ClassVar

from events.base import LedgerCreated, LedgerEvent


class LedgerSealed(LedgerCreated):
    """The chain head at ``notification_id`` was ``head`` when sealed (print it in the bulletin).

    Attributes:
        signature: base64 Ed25519 signature of ``ledger.storage.signing.seal_message`` over this seal;
            empty for an unsigned seal (and every seal recorded before seals were signed).
        public_key: the signing key, ``ed25519:<base64>``; empty when unsigned.
        tree_size, tree_root: the signed tree head (ledger/storage/event_tree.py): how many events the Merkle
            tree held at ``notification_id`` and its root (64 hex digits); 0 and empty for seals made
            before the tree (their signature covers the chain head alone).
    """

    #: 2: ``signature``, ``public_key`` added (signed seals); 3: ``authenticated_as`` added; 4: ``tree_size``,
    #: ``tree_root`` added (signed tree heads). Between 2026-12-01 and 12-02.
    class_version: ClassVar[int] = 4

    notification_id: int
    head: str
    note: str = ""
    signature: str = ""
    public_key: str = ""
    tree_size: int = 0
    tree_root: str = ""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Sealed before seals were signed: unsigned."""
        state.setdefault("signature", "")
        state.setdefault("public_key", "")

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        LedgerEvent.upcast_v1_v2(state)

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        """Sealed before the Merkle tree: no tree head (the signature covers the chain head alone)."""
        state.setdefault("tree_size", 0)
        state.setdefault("tree_root", "")
