"""Sealing: recording a published head of the tamper-evidence chain (see ledger/storage/chain.py), signed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from eventsourcing.domain import datetime_now_with_tzinfo

from ledger.aggregates import Seal

if TYPE_CHECKING:
    from ledger.storage.signing import SealKey
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object


class Sealing(_Core):
    """Published chain heads, kept in the ledger itself."""

    def seal(self, *, notification_id: int, head: str, note: str, actor: str, key: SealKey | None,
             tree_size: int = 0, tree_root: str = "") -> str:
        """Record a published chain head and the Merkle tree's head at it, signed with ``key`` (None: unsigned)."""
        # The id and time are made before the event so that the signature covers them.
        seal_id, at = uuid4(), datetime_now_with_tzinfo()
        signed = {}
        if key is not None:
            from ledger.storage.signing import seal_message  # cryptography: imported by the commands that sign

            message = seal_message(seal_id=seal_id, notification_id=notification_id, head=head, sealed_at=at,
                                   sealed_by=actor, note=note, tree_size=tree_size, tree_root=tree_root)
            signed = {"signature": key.sign(message), "public_key": key.public}
        agg = Seal.seal(id=seal_id, timestamp=at, notification_id=notification_id, head=head,
                        note=note, actor=actor, tree_size=tree_size, tree_root=tree_root, **signed)
        self.save(agg)
        return str(agg.id)

    def seal_verified(self, *, note: str, actor: str, key: SealKey | None,
                      trusted: Sequence[str] = ()) -> dict[str, Any]:
        """``seal``: verify the chain, the tree and the earlier seals (a seal must never vouch for a damaged ledger),
        then seal the current head with ``key`` (None: unsigned); ``trusted`` are other public keys whose seals are
        accepted. Returns what ``seal --format json`` prints."""
        from ledger.storage.audit import verified_head
        from ledger.storage.signing import fingerprint

        nid, head, tree_size, tree_root = verified_head(self, None if key is None else key.public, trusted)
        new = self.seal(notification_id=nid, head=head, note=note, actor=actor, key=key, tree_size=tree_size,
                        tree_root=tree_root)
        signer = {} if key is None else {"public_key": key.public, "fingerprint": fingerprint(key.public)}
        return {"id": new, "notification_id": nid, "head": head, "tree_size": tree_size, "tree_root": tree_root,
                "signed": key is not None, **signer}
