"""The signed tree head a published report was computed from (issue 17): the seal that covers its reading.

A reading (projections/reading.py) sees the ledger's events up to some position: everything recorded so
far, or what had been recorded by ``known_at``. A seal (ledger/usecases/sealing.py) signs the Merkle tree's size
and root at the position it sealed. The seal *covers* the reading when every event the reading could
score from is inside its tree: the last such event (any event but seals and account changes, which score
nothing) is at or before the sealed position, and the seal is itself part of what the reading knows (so a
report known at the moment of a seal, as ``proof unit`` publishes it, is covered by that seal). Of the
seals that cover a reading the latest is printed; a reading with events recorded after its latest seal
has none, and the report says that it is not sealed yet.

What is printed is what a unit needs to check the report offline (docs/merkle.md): the tree's size and
root, the signature and the signing key's fingerprint, with the signature checked here first.
"""

from __future__ import annotations

from typing import Any

from events.accounts import (
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountPasswordSet,
    AccountRoleChanged,
    AccountTokenIssued,
    AccountTokensRevoked,
)
from events.seals import LedgerSealed
from ledger.storage.seal_audit import seal_record_at, signature_status
from projections.local_time import in_zone

#: Events no score depends on: an event of these kinds after a seal leaves the seal covering the reading.
UNSCORED = tuple(t.__name__ for t in (LedgerSealed, AccountOpened, AccountRoleChanged, AccountDisabled,
                                      AccountEnabled, AccountPasswordSet, AccountTokenIssued, AccountTokensRevoked))


def covering_seal(db: Any) -> int | None:
    """The position (notification id) of the latest seal in the read model ``db`` whose sealed position is at
    or after the last event a score may depend on; None when there is none (nothing sealed, or something
    recorded after the last seal)."""
    marks = ",".join("?" * len(UNSCORED))
    # Walked from the newest event back (the primary key), stopping at the first that may count.
    row = db.execute(f"SELECT nid FROM log WHERE type NOT IN ({marks}) ORDER BY nid DESC LIMIT 1",
                     UNSCORED).fetchone()
    last = row[0] if row else 0
    found = db.execute("SELECT nid FROM seals WHERE notification_id >= ? ORDER BY nid DESC LIMIT 1",
                       (last,)).fetchone()
    return int(found[0]) if found else None


def tree_head(app: Any, reading: Any) -> dict[str, Any] | None:
    """The signed tree head ``reading`` was computed from (see the module docstring), or None.

    Keys: ``seal`` (its id), ``sealed_at`` (in the ruleset's time zone, with its offset), ``note``,
    ``tree_size``, ``tree_root``, ``signature`` (base64, "" when unsigned), ``public_key``,
    ``fingerprint`` (None when unsigned) and ``signature_status`` (``valid``, ``unsigned`` or ``invalid``).
    A seal made before the Merkle tree signs no tree head: it covers nothing here.
    """
    position = covering_seal(reading.db)
    if position is None:
        return None
    seal = seal_record_at(app, position)
    if seal is None or not seal.tree_root:
        return None
    status = signature_status(seal)
    return {"seal": seal.id, "sealed_at": in_zone(seal.sealed_at.isoformat(), reading.ruleset.scoring.timezone),
            "note": seal.note, "tree_size": seal.tree_size, "tree_root": seal.tree_root,
            "signature": seal.signature, "public_key": seal.public_key or None,
            "fingerprint": seal_key_print(seal.public_key), "signature_status": status}


def seal_key_print(public: str) -> str | None:
    """The fingerprint people compare (``SHA256:…``), None for an unsigned seal or a malformed key."""
    from ledger.storage.signing import SealKeyError, fingerprint

    if not public:
        return None
    try:
        return fingerprint(public)
    except SealKeyError:
        return None
