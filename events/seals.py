"""Seals: a published head of the tamper-evidence chain, signed by the centre's key."""

from __future__ import annotations

from events.base import LedgerCreated


class LedgerSealed(LedgerCreated):
    """The chain head at ``notification_id`` was ``head`` when sealed (print it in the bulletin).

    Attributes:
        signature: base64 Ed25519 signature of ``ledger.signing.seal_message`` over this seal;
            empty for an unsigned seal (and every seal recorded before seals were signed).
        public_key: the signing key, ``ed25519:<base64>``; empty when unsigned.
    """

    notification_id: int
    head: str
    note: str = ""
    signature: str = ""
    public_key: str = ""
