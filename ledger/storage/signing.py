"""Seal signatures: Ed25519 keys (library ``cryptography``) and the exact bytes a seal signs.

The private key lives in a PEM (PKCS#8) file the centre keeps away from the database; the ledger
records only the public key, as ``ed25519:<base64 of the 32 raw bytes>``, and people compare keys
by a short fingerprint, ``SHA256:`` and the first 16 hex digits of the raw key's SHA-256.

The signed message is canonical and domain-separated, so a seal signature can never be taken for
a signature over anything else the same key might sign::

    b"hotline-ledger seal v1\\0" ‖ len ‖ seal id ‖ len ‖ notification id ‖ len ‖ head ‖ len ‖ sealed at
                                ‖ len ‖ sealed by ‖ len ‖ note

Each ``len`` is an 8-byte big-endian length of the UTF-8 field after it; the seal id is the
canonical UUID text, the notification id its decimal text, the head its 64 lowercase hex digits and
the time ISO 8601 in UTC with microseconds (``2025-11-05T02:00:00.000000Z``).

A seal that also signs the Merkle tree's head (ledger/storage/event_tree.py) signs version 2, the same
fields followed by the tree's size (decimal text) and root (64 lowercase hex digits)::

    b"hotline-ledger seal v2\0" ‖ … as v1 … ‖ len ‖ tree size ‖ len ‖ tree root

Seals made before the tree keep their v1 signatures, which verify as they always did.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.domain.errors import LedgerError
from ledger.translation import _

#: The environment variable naming the private key file ``seal`` signs with.
KEY_ENV = "HOTLINE_LEDGER_SEAL_KEY"
#: The environment variable holding the published public key(s) ``verify`` pins (comma- or space-separated).
PUBLIC_ENV = "HOTLINE_LEDGER_SEAL_PUBLIC"

_DOMAIN = b"hotline-ledger seal v1\x00"
_DOMAIN_TREE = b"hotline-ledger seal v2\x00"
_PREFIX = "ed25519:"


class SealKeyError(LedgerError):
    """A key file or public key that cannot be used (the message never quotes the key itself)."""


def seal_message(*, seal_id: UUID, notification_id: int, head: str, sealed_at: datetime, sealed_by: str,
                 note: str, tree_size: int = 0, tree_root: str = "") -> bytes:
    """The canonical bytes a seal signs (see the module docstring): v2 with a tree head, v1 without."""
    at = sealed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [str(seal_id), str(notification_id), head.lower(), at, sealed_by, note]
    tree = bool(tree_root)
    if tree:
        fields += [str(tree_size), tree_root.lower()]
    message = bytearray(_DOMAIN_TREE if tree else _DOMAIN)
    for field in fields:
        data = field.encode()
        message += len(data).to_bytes(8, "big") + data
    return bytes(message)


def public_text(key: Ed25519PublicKey) -> str:
    """The public key in the ledger's text form, ``ed25519:<base64>``."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _PREFIX + base64.b64encode(raw).decode()


def fingerprint(public: str) -> str:
    """A short fingerprint of a public key in text form, for people to compare."""
    return "SHA256:" + hashlib.sha256(_raw_public(public)).hexdigest()[:16]


def parse_public(text: str) -> str:
    """A published public key checked and normalised to its text form; refuses anything else."""
    return public_text(Ed25519PublicKey.from_public_bytes(_raw_public(text.strip())))


def split_publics(text: str) -> list[str]:
    """The keys listed in ``HOTLINE_LEDGER_SEAL_PUBLIC`` (separated by commas or spaces), unchecked."""
    return text.replace(",", " ").split()


def _raw_public(text: str) -> bytes:
    if not text.startswith(_PREFIX):
        raise SealKeyError(_("{text}…: not a seal public key (expected {prefix}<base64>)").format(text=repr(text[:20]),
                                                                                          prefix=_PREFIX))
    try:
        raw = base64.b64decode(text[len(_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SealKeyError(_("{text}…: not a seal public key (expected {prefix} and 32 bytes in base64)").format(
            text=repr(text[:20]), prefix=_PREFIX))
    return raw


def generate_key(path: str) -> str:
    """Write a new private key to ``path`` (PEM PKCS#8, mode 0600, never over an existing file); its public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        # O_EXCL: an existing key (perhaps the one whose public half is published) is never replaced.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SealKeyError(_("{path}: already exists; a seal key is never overwritten (choose another file)").format(
            path=path)) from None
    except OSError as e:
        raise SealKeyError(f"{path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    except OSError as e:
        Path(path).unlink(missing_ok=True)
        raise SealKeyError(f"{path}: {e.strerror}") from None
    return public_text(key.public_key())


class SealKey:
    """A loaded private key; it signs and tells its public key, and never prints itself."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public = public_text(key.public_key())

    def sign(self, message: bytes) -> str:
        """The base64 signature of ``message``."""
        return base64.b64encode(self._key.sign(message)).decode()

    def __repr__(self) -> str:
        return f"SealKey({fingerprint(self.public)})"


def load_key(path: str) -> SealKey:
    """The private key in ``path``; one clear message if it is missing, unreadable, shared or not Ed25519."""
    where = _("seal key {path} ({env})").format(path=path, env=KEY_ENV)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SealKeyError(_("{where}: not a file").format(where=where))
        if info.st_mode & 0o077:
            raise SealKeyError(_("{where}: readable by others (mode {mode}); restrict it with `chmod 600 {path}`")
                               .format(where=where, mode=f"{stat.S_IMODE(info.st_mode):04o}", path=path))
        data = Path(path).read_bytes()
    except OSError as e:
        raise SealKeyError(f"{where}: {e.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise SealKeyError(_("{where}: the key is password-protected; use an unencrypted PKCS#8 key "
                             "kept in a file only the sealing account can read").format(where=where)) from None
    except (ValueError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        # Deliberately vague: the file's content is never echoed.
        raise SealKeyError(_("{where}: not an Ed25519 private key in PEM (PKCS#8); make one with `seal keygen FILE`")
                           .format(where=where))
    return SealKey(key)


def signature_valid(public: str, signature: str, message: bytes) -> bool:
    """Whether ``signature`` (base64) is ``public``'s signature of ``message``; False for anything malformed."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_raw_public(public))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (SealKeyError, InvalidSignature, binascii.Error, ValueError):
        return False
    return True
