"""One key per ledger: an encrypted ledger opens only with its key, a plaintext ledger only without one.

The ledger's first stored event fixes its mode. Its bytes are either the transcoder's JSON (a
plaintext ledger) or AES-GCM cipher text (an encrypted one), and GCM's tag tells a right key from
a wrong one, so the event itself is the canary: nothing extra is stored, an export carries it,
and ledgers created before this check are checked too. The check reads that one row once, when
the application opens the store (``LedgerCore``), before any command reads or writes; an empty
store has nothing to protect, so it is checked again before each write until it holds an event.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ledger.domain.errors import LedgerError
from ledger.storage.chain_format import event_digest
from ledger.translation import _

KEY_ENV = "HOTLINE_LEDGER_CIPHER_KEY"

_CIPHER_TOPIC = "eventsourcing.cipher:AESCipher"


class KeyRefused(LedgerError):
    """The cipher key given does not fit the ledger (missing, wrong, malformed, or given to a plaintext ledger)."""


def cipher_env(key: str | None) -> dict[str, str]:
    """The eventsourcing settings that encrypt with ``key`` (none for no key); a malformed key is refused."""
    if not key:
        return {}
    # pycryptodome is imported by a ledger that has a key, not by every command.
    from eventsourcing.cipher import AESCipher

    try:
        size = len(base64.b64decode(key.encode("ascii"), validate=True))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        size = -1
    if size not in AESCipher.KEY_SIZES:
        # Never echo the key, not even a malformed one: it may be a real key pasted wrongly.
        raise KeyRefused(_("{env} is not a key: expected the base64 of 16, 24 or 32 random bytes "
                           "(see docs/deployment.md, \"Encryption at rest\"); nothing was read or written").format(
            env=KEY_ENV))
    return {"CIPHER_TOPIC": _CIPHER_TOPIC, "CIPHER_KEY": key}


def check_store_key(recorder: Any, mapper: Any) -> bool:
    """Refuse a key that does not fit the ledger's first event; return whether the store holds one yet.

    ``recorder`` is the ledger's chained recorder, ``mapper`` the application's (with its cipher, if any).
    """
    rows = recorder.event_rows(0, 2**63 - 1, 1)
    if not rows:
        return False
    nid, originator, version, topic, state = rows[0]
    problem = key_problem(mapper, bytes(state), _("this ledger"))
    if problem is None:
        return True
    chained = recorder.chain_rows(0, nid, 1)
    if not chained or chained[0][0] != nid or bytes(chained[0][1]) != event_digest(originator, version, topic,
                                                                                    bytes(state)):
        # Not a key question at all: the canary itself was altered.
        raise KeyRefused(_("the ledger's first event #{nid} ({originator}) differs from its chain entry (edited?), "
                           "so {env} cannot be checked against it; restore the ledger from a backup; "
                           "nothing was read or written").format(nid=nid, originator=originator, env=KEY_ENV))
    raise KeyRefused(problem)


def key_problem(mapper: Any, state: bytes, subject: str) -> str | None:
    """Why ``mapper``'s key (or its lack of one) does not fit the stored ``state`` of ``subject``; None if it does."""
    plain = _is_plain(mapper, state)
    if mapper.cipher is None:
        return None if plain else _("{subject} is encrypted: set {env} to its key; nothing was read or written").format(
            subject=subject, env=KEY_ENV)
    if plain:
        return _("{subject} is not encrypted, but {env} is set: unset it (a ledger keeps the mode it was "
                 "created with; see docs/deployment.md, \"Encryption at rest\"); nothing was read or written").format(
            subject=subject, env=KEY_ENV)
    try:
        mapper.cipher.decrypt(state)
    except ValueError:  # GCM's tag does not match: another key encrypted it
        return _("{env} is not the key of {subject}: it does not decrypt its first event; nothing was read or written"
                 ).format(env=KEY_ENV, subject=subject)
    return None


def _is_plain(mapper: Any, state: bytes) -> bool:
    """Whether ``state`` reads as an event without decrypting (cipher text never parses as a JSON object)."""
    try:
        data = mapper.compressor.decompress(state) if mapper.compressor else state
        return isinstance(mapper.transcoder.decode(data), dict)
    except Exception:  # any decoder's complaint means the same here: not plain text
        return False
