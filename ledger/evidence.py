"""The content-addressed evidence store: attachments are kept under their SHA-256, never a user path."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from events.base import Attachment
from ledger.errors import LedgerError

_CHUNK = 1 << 20  # bytes read, hashed and written at a time


@dataclass(frozen=True)
class EvidenceStore:
    """Files named by their digest under ``root/ab/abcdef…``: no path traversal, no overwrite."""

    root: Path

    def path_of(self, sha256: str) -> Path:
        """Where the file with this digest is (or would be) kept."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def add(self, source: str | os.PathLike[str]) -> Attachment:
        """Copy a file in; return what the event records (its base name, size and digest).

        The file is hashed and copied in chunks (memory stays flat whatever its size) to a temporary
        file, which is renamed into place only when complete. Any read or write error (a full disk)
        removes the temporary file and becomes one ``LedgerError`` naming the attachment.
        """
        src = Path(source)
        if not src.is_file():
            raise LedgerError(f"attachment {str(source)!r} is not a readable file")
        tmp_name: str | None = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with open(src, "rb") as fin, tempfile.NamedTemporaryFile(dir=self.root, prefix=".incoming-",
                                                                     delete=False) as tmp:
                tmp_name = tmp.name
                while block := fin.read(_CHUNK):
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
            raise LedgerError(f"attachment {str(source)!r} could not be stored in the evidence store {self.root}: "
                              f"{e.strerror or e}; nothing was recorded") from None
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
        return Attachment(name=src.name, sha256=sha, size=size)

    def check(self, attachment: Attachment) -> str | None:
        """None if the kept file is intact, else what is wrong with it."""
        path = self.path_of(attachment.sha256)
        if not path.is_file():
            return f"evidence file {attachment.sha256} ({attachment.name}) is missing"
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                while block := f.read(_CHUNK):
                    digest.update(block)
        except OSError as e:
            return f"evidence file {attachment.sha256} ({attachment.name}) cannot be read: {e.strerror or e}"
        if digest.hexdigest() != attachment.sha256:
            return f"evidence file {attachment.sha256} ({attachment.name}) was changed: its content no longer matches"
        return None
