"""The content-addressed evidence store: attachments are kept under their SHA-256, never a user path.

One interface, ``EvidenceStore`` (add, check, iterate, open, staging), with two implementations
chosen by the store's backend (``evidence_store_for``):

- ``FileEvidenceStore``: files named by their digest in a directory beside an SQLite database (or
  a temporary one for a memory store). A file is added before its event is saved, idempotently:
  an event that then fails leaves only an unreferenced, harmless file under its own digest.
- ``ledger.storage.evidence_postgres.PostgresEvidenceStore``: rows in the store's own schema, written in
  the same transaction as the event that cites them, so every machine sees the same evidence.

Either way a file is streamed in ``CHUNK``-byte blocks (memory stays flat whatever its size) and
refused above ``max_bytes()`` (``HOTLINE_LEDGER_EVIDENCE_MAX_BYTES``) before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from events.base import Attachment
from ledger.domain.errors import LedgerError, RuleViolation
from ledger.translation import _

#: Bytes read, hashed and written at a time (and the size of one stored chunk on PostgreSQL).
CHUNK = 1 << 20
#: The setting that bounds one attachment's size, in bytes.
MAX_BYTES_ENV = "HOTLINE_LEDGER_EVIDENCE_MAX_BYTES"
#: Its default: 1 GiB, a long video of a site visit; larger files belong in a document system.
DEFAULT_MAX_BYTES = 1 << 30


def check_digest(sha256: str) -> str:
    """``sha256`` if it is a lowercase hex SHA-256 digest (never a path), else ValueError."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 digest: {sha256!r}")
    return sha256


def max_bytes() -> int:
    """The largest attachment accepted, from ``HOTLINE_LEDGER_EVIDENCE_MAX_BYTES`` (default 1 GiB)."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise RuleViolation(_("{env}={raw} is not a size: give a positive number of bytes").format(env=MAX_BYTES_ENV,
                                                                                                raw=repr(raw)))
    return int(raw)


def too_large(source: str | os.PathLike[str], size: int, limit: int) -> LedgerError:
    """The refusal of an attachment above the limit."""
    return RuleViolation(_("attachment {source} is {size} bytes, more than the {limit} bytes an attachment "
                           "may have ({env}); nothing was recorded").format(source=repr(str(source)), size=size,
                                                                            limit=limit, env=MAX_BYTES_ENV))


def digest_mismatch(sha256: str, size: int, received: int) -> str:
    """The problem of a restored evidence file whose bytes do not hash to ``sha256`` (``size``: its line's)."""
    if received == size:
        return _("evidence file {sha} does not match its digest").format(sha=sha256)
    return _("evidence file {sha} does not match its digest ({received} bytes where its line says {size})").format(
        sha=sha256, received=received, size=size)


def readable(source: str | os.PathLike[str]) -> Path:
    """The attachment's path, refused unless it is a regular file within the size limit."""
    src = Path(source)
    if not src.is_file():
        raise LedgerError(_("attachment {source} is not a readable file").format(source=repr(str(source))))
    limit = max_bytes()
    try:
        size = src.stat().st_size
    except OSError as e:
        raise LedgerError(_("attachment {source} cannot be read: {error}").format(source=repr(str(source)),
                                                                                  error=e.strerror or e)) from None
    if size > limit:
        raise too_large(source, size, limit)
    return src


def blocks_of(source: Path, limit: int) -> Iterator[bytes]:
    """The file's content in ``CHUNK`` blocks; refused once it grows past ``limit`` while being read."""
    read = 0
    with open(source, "rb") as f:
        while block := f.read(CHUNK):
            read += len(block)
            if read > limit:
                raise too_large(source, read, limit)
            yield block


def rechunk(blocks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The same bytes in pieces of exactly ``size`` (the last may be shorter), holding at most two pieces."""
    pending = b""
    for block in blocks:
        pending += block
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    if pending:
        yield pending


class EvidenceStore(ABC):
    """Where attachments are kept, by digest."""

    @abstractmethod
    def add(self, source: str | os.PathLike[str]) -> Attachment:
        """Take a file in (or, on PostgreSQL, hold it for the next save); return what the event records."""

    @abstractmethod
    def check(self, attachment: Attachment) -> str | None:
        """None if the kept content is intact, else what is wrong with it (re-hashed, streamed)."""

    @abstractmethod
    def iterate(self) -> Iterator[tuple[str, int]]:
        """(digest, size) of every kept file, in digest order."""

    @abstractmethod
    def open(self, sha256: str) -> Iterator[bytes]:
        """The kept content of one file, in blocks."""

    @abstractmethod
    def staging(self) -> Any:
        """A context manager receiving a restore's files (``receive``; ``commit`` once the events are in)."""

    def name_of(self, sha256: str) -> str | None:
        """The original name of a kept file, where the store keeps one (files on disk are named by digest)."""
        return None

    def keep(self, source: str | os.PathLike[str]) -> Attachment:
        """Store a file now, before any event cites it (an upload to be cited by its digest later).

        Content-addressed and idempotent: a file kept but never cited is harmless, and citing it
        later stores nothing twice.
        """
        return self.add(source)

    @abstractmethod
    def has(self, sha256: str) -> bool:
        """Whether a file with this digest is kept."""

    def settle(self) -> None:  # noqa: B027 - only a store that holds files for the next save has work here
        """Forget any file held for a save (called after every save, whatever its outcome)."""

    def problem_of(self, sha256: str, name: str, found: str, size: int, expected_size: int | None) -> str | None:
        """The message for a kept file whose content hashes to ``found`` (None when it matches)."""
        if found != sha256 or (expected_size is not None and size != expected_size):
            return _("evidence file {sha} ({name}) was changed: its content no longer matches").format(sha=sha256,
                                                                                                    name=name)
        return None


class FileEvidenceStore(EvidenceStore):
    """Files named by their digest under ``root/ab/abcdef…``: no path traversal, no overwrite."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def path_of(self, sha256: str) -> Path:
        """Where the file with this digest is (or would be) kept."""
        return self.root / sha256[:2] / check_digest(sha256)

    def add(self, source: str | os.PathLike[str]) -> Attachment:
        """Copy a file in; return what the event records (its base name, size and digest).

        The file is hashed and copied in chunks to a temporary file, which is renamed into place only
        when complete. Any read or write error (a full disk) removes the temporary file and becomes one
        ``LedgerError`` naming the attachment.
        """
        src = readable(source)
        limit = max_bytes()
        tmp_name: str | None = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".incoming-", delete=False) as tmp:
                tmp_name = tmp.name
                for block in blocks_of(src, limit):
                    digest.update(block)
                    tmp.write(block)
                tmp.flush()
                os.fsync(tmp.fileno())  # a full disk may only say so here
                size = tmp.tell()
            sha = digest.hexdigest()
            final = self.path_of(sha)
            if final.exists():
                os.unlink(tmp_name)  # same content already kept: never overwrite
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp_name, 0o444)
                os.replace(tmp_name, final)  # same directory tree, same file system: atomic
            tmp_name = None
        except OSError as e:
            raise LedgerError(_("attachment {source} could not be stored in the evidence store {root}: "
                                "{error}; nothing was recorded").format(source=repr(str(source)), root=self.root,
                                                                        error=e.strerror or e)) from None
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
        return Attachment(name=src.name, sha256=sha, size=size)

    def check(self, attachment: Attachment) -> str | None:
        """None if the kept file is intact, else what is wrong with it."""
        path = self.path_of(attachment.sha256)
        if not path.is_file():
            return _("evidence file {sha} ({name}) is missing").format(sha=attachment.sha256, name=attachment.name)
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "rb") as f:
                while block := f.read(CHUNK):
                    digest.update(block)
                    size += len(block)
        except OSError as e:
            return _("evidence file {sha} ({name}) cannot be read: {error}").format(
                sha=attachment.sha256, name=attachment.name, error=e.strerror or e)
        return self.problem_of(attachment.sha256, attachment.name, digest.hexdigest(), size, None)

    def iterate(self) -> Iterator[tuple[str, int]]:
        """The kept files (``root/ab/abcdef…``), in digest order; temporary files are skipped."""
        if not self.root.is_dir():
            return
        for sub in sorted(p for p in self.root.iterdir() if p.is_dir() and len(p.name) == 2):
            for path in sorted(sub.iterdir()):
                if path.is_file() and len(path.name) == 64 and path.name.startswith(sub.name):
                    yield path.name, path.stat().st_size

    def open(self, sha256: str) -> Iterator[bytes]:
        """The kept file's content in ``CHUNK`` blocks."""
        with open(self.path_of(sha256), "rb") as f:
            while block := f.read(CHUNK):
                yield block

    def staging(self) -> Any:
        """A staging folder beside this store (ledger/storage/evidence_staging.py)."""
        from ledger.storage.evidence_staging import EvidenceStaging

        return EvidenceStaging(self)


def evidence_store_for(app: Any) -> EvidenceStore:
    """The evidence store of the application's backend: rows in a PostgreSQL store, else files beside it."""
    if app.location.kind == "postgresql":
        from ledger.storage.evidence_postgres import PostgresEvidenceStore

        return PostgresEvidenceStore(app.recorder)
    return FileEvidenceStore(app.location.evidence_dir)
