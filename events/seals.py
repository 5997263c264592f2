"""Seals: a published head of the tamper-evidence chain, signed by the centre's key."""

from __future__ import annotations

from events.base import LedgerCreated


class LedgerSealed(LedgerCreated):
    """The chain head at ``notification_id`` was ``head`` when sealed (print it in the bulletin).

    Attributes:
        signature: base64 Ed25519 signature of ``ledger.signing.seal_message`` over this seal;
            empty for an unsigned seal (and every seal recorded before seals were signed).
        public_key: the signing key, ``ed25519:<base64>``; empty when unsigned.
        tree_size, tree_root: the signed tree head (ledger/event_tree.py): how many events the Merkle
            tree held at ``notification_id`` and its root (64 hex digits); 0 and empty for seals made
            before the tree (their signature covers the chain head alone).
    """

    notification_id: int
    head: str
    note: str = ""
    signature: str = ""
    public_key: str = ""
    tree_size: int = 0
    tree_root: str = ""
