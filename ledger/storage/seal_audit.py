"""The seals ``verify`` checks: each seal's signature, its key against the published (pinned) keys, and
whether the chain still reaches the head it sealed.

Seals are read from the store, never from the read model, and their bytes decoded without building
an event (a seal whose bytes do not decode is the chain check's to name). Whoever can rewrite the
database can also replace a seal's recorded public key with a key of their own and re-sign, so a
signature proves something only about a key the reader trusts: ``verify`` prints the fingerprint of
every key that signed, reports a change of key between seals, and fails any seal not signed by a
pinned key when keys are pinned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.utils import get_topic

from events.seals import LedgerSealed
from ledger.storage.signing import SealKeyError, fingerprint, seal_message, signature_valid
from ledger.translation import _

#: Seal notifications read per query (a ledger holds a few seals a year).
_PAGE = 1000


class SealRecord(NamedTuple):
    """One seal as stored: ``position`` is the seal event's own notification id, ``notification_id``
    the position whose chain hash it seals."""

    position: int
    id: str
    notification_id: int
    head: str
    note: str
    sealed_at: datetime
    sealed_by: str
    signature: str
    public_key: str
    tree_size: int = 0
    tree_root: str = ""


def _decoded(app: Any, n: Any) -> SealRecord | None:
    """A seal notification as a SealRecord; None when its bytes do not decode (the chain names it)."""
    try:
        state = app.mapper.decode_state(n)
        return SealRecord(
            position=n.id, id=str(UUID(str(n.originator_id))), notification_id=int(state["notification_id"]),
            head=str(state["head"]).lower(), note=str(state.get("note", "")),
            sealed_at=datetime.fromisoformat(str(state["timestamp"])), sealed_by=str(state["recorded_by"]),
            signature=str(state.get("signature", "")), public_key=str(state.get("public_key", "")),
            tree_size=int(state.get("tree_size", 0)), tree_root=str(state.get("tree_root", "")).lower())
    except Exception:  # noqa: BLE001 - damaged bytes: the chain check reports this event
        return None


def seal_records(app: Any) -> list[SealRecord]:
    """Every seal in the store, in order; seals whose bytes do not decode are passed over (the chain names them)."""
    seals: list[SealRecord] = []
    start = None
    topic = get_topic(LedgerSealed)
    while True:
        page = app.recorder.select_notifications(start=start, limit=_PAGE, topics=[topic], inclusive_of_start=False)
        seals.extend(s for s in (_decoded(app, n) for n in page) if s is not None)
        if len(page) < _PAGE:
            return seals
        start = page[-1].id


def seal_record_at(app: Any, position: int) -> SealRecord | None:
    """The seal stored at notification ``position``, None if there is none there or it does not decode."""
    page = app.recorder.select_notifications(start=position, limit=1, topics=[get_topic(LedgerSealed)])
    return next((s for s in (_decoded(app, n) for n in page if n.id == position) if s is not None), None)


def _seal_name(seal: SealRecord) -> str:
    return _("seal {id} (head #{nid}, event #{position})").format(id=seal.id, nid=seal.notification_id,
                                                                   position=seal.position)


def _key_print(public: str) -> str | None:
    try:
        return fingerprint(public)
    except SealKeyError:
        return None


def signature_status(seal: SealRecord) -> str:
    """``unsigned``, ``valid`` or ``invalid`` (a forged or altered seal, or a malformed key or signature)."""
    if not seal.signature and not seal.public_key:
        return "unsigned"
    message = seal_message(seal_id=UUID(seal.id), notification_id=seal.notification_id, head=seal.head,
                           sealed_at=seal.sealed_at, sealed_by=seal.sealed_by, note=seal.note,
                           tree_size=seal.tree_size, tree_root=seal.tree_root)
    return "valid" if signature_valid(seal.public_key, seal.signature, message) else "invalid"


def check_seals(seals: Sequence[SealRecord], pinned: Sequence[str], chain_failure: int | None
                ) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Check each seal; (one status per seal, lines for people, problems).

    ``pinned`` are the published public keys (normalised text form; empty: none pinned), and
    ``chain_failure`` the notification id of the chain's first failure (None: the chain verified,
    every sealed head included): the chain reaches no head at or after it.
    """
    statuses: list[dict[str, Any]] = []
    lines: list[str] = []
    problems: list[str] = []
    previous_key: str | None = None
    pins = set(pinned)
    for seal in seals:
        signature = signature_status(seal)
        key = _key_print(seal.public_key) if seal.public_key else None
        reached = chain_failure is None or seal.notification_id < chain_failure
        is_pinned = None if not pins else (signature == "valid" and seal.public_key in pins)
        changed = signature == "valid" and previous_key is not None and seal.public_key != previous_key
        name = _seal_name(seal)
        seal_problems = _seal_problems(seal, name, signature, key, is_pinned, pins, reached)
        if changed:
            lines.append(_("signing key changed at {name}: {old} -> {new}").format(
                name=name, old=_key_print(previous_key or ""), new=key))
        if signature == "valid":
            previous_key = seal.public_key
        if seal_problems:
            problems.extend(seal_problems)
            lines.extend(seal_problems)
        else:
            lines.append(f"{name}: " + (_("signed by {key}").format(key=key) if signature == "valid" else _("unsigned"))
                         + ("" if is_pinned is None else _(" (pinned)") if is_pinned else ""))
        statuses.append({"id": seal.id, "event": seal.position, "notification_id": seal.notification_id,
                         "head": seal.head, "note": seal.note, "signature": signature, "key": key,
                         "public_key": seal.public_key or None, "pinned": is_pinned, "key_changed": changed,
                         "reached": reached, "ok": not seal_problems})
    keys = sorted({s["key"] for s in statuses if s["signature"] == "valid"})
    if seals:
        lines.append(_("seals checked: {count} ({signed} signed); signing keys: {keys}").format(
            count=len(seals), signed=sum(s["signature"] == "valid" for s in statuses),
            keys=", ".join(keys) or _("none")))
    if pins and not any(s["pinned"] for s in statuses):
        lines.append(_("no seal is signed by a pinned key yet"))
    return statuses, lines, problems


def _seal_problems(seal: SealRecord, name: str, signature: str, key: str | None, is_pinned: bool | None,
                   pins: set[str], reached: bool) -> list[str]:
    """What is wrong with one seal: a signature that does not verify, or not by a pinned key; a head the chain
    no longer reaches."""
    seal_problems = []
    if signature == "invalid":
        seal_problems.append(_("SEAL BROKEN: {name}: the signature does not verify (forged or altered?)").format(
            name=name))
    elif is_pinned is False:
        pinned_prints = ", ".join(sorted(fingerprint(p) for p in pins))
        who = _("unsigned") if signature == "unsigned" else _("signed by {key}").format(key=key)
        seal_problems.append(_("SEAL BROKEN: {name}: {who}, not by a pinned key ({pinned})").format(
            name=name, who=who, pinned=pinned_prints))
    if not reached:
        seal_problems.append(_("SEAL BROKEN: {name}: the chain no longer reaches its sealed head {head}").format(
            name=name, head=seal.head))
    return seal_problems


def seals_to_vouch(seals: Sequence[SealRecord], signer: str | None, trusted: Sequence[str]) -> str | None:
    """Why a new seal must not vouch for the ledger, or None.

    A new signature over the head would launder an earlier forgery: so every earlier signature must
    verify, and, when signing, every earlier signed seal must be signed by the signer's own key or
    one it trusts (a key change: the old key listed in ``trusted``). Unsigned seals are let through.
    """
    keys = {signer, *trusted}
    for seal in seals:
        name = _seal_name(seal)
        signature = signature_status(seal)
        if signature == "invalid":
            return _("{name}: the signature does not verify (forged or altered?)").format(name=name)
        if signer is not None and signature == "valid" and seal.public_key not in keys:
            return _("{name} was signed by {key}, not by this key ({signer}); if that key is the centre's earlier one, "
                     "list it in HOTLINE_LEDGER_SEAL_PUBLIC").format(name=name, key=_key_print(seal.public_key),
                                                                     signer=fingerprint(signer))
    return None
