"""Seals: the published heads of the tamper-evidence chain."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from events.seals import LedgerSealed
from ledger.domain.aggregates_base import TOPIC_MODULE, LedgerAggregate
from ledger.domain.errors import RuleViolation
from ledger.translation import gettext as _


class Seal(LedgerAggregate):
    """A published head of the tamper-evidence chain."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @classmethod
    def seal(cls, *, id: UUID, timestamp: datetime, notification_id: int, head: str, actor: str,  # noqa: A002
             note: str = "", signature: str = "", public_key: str = "", tree_size: int = 0,
             tree_root: str = "") -> Self:
        """Record the chain's ``head`` at ``notification_id``; ``id`` and ``timestamp`` are those the signature covers.

        Signed means both a signature and its key; a tree head is a size with its root, or neither (0, "").
        """
        if notification_id < 0 or tree_size < 0 or not head:
            raise RuleViolation(_("a seal names a chain head at a notification id of 0 or more"))
        if bool(signature) != bool(public_key):
            raise RuleViolation(_("a seal is signed with a signature and its public key, or is unsigned"))
        if bool(tree_size) != bool(tree_root):
            raise RuleViolation(_("a seal's tree head has both a size and a root, or neither"))
        return cls._create(LedgerSealed, id=id, timestamp=timestamp, notification_id=notification_id, head=head,
                           note=note, signature=signature, public_key=public_key, tree_size=tree_size,
                           tree_root=tree_root, recorded_by=actor)
