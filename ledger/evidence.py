"""The content-addressed evidence store: attachments are kept under their SHA-256, never a user path."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from events.base import Attachment
from ledger.errors import LedgerError


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
        """Copy a file in; return what the event records (its base name, size and digest)."""
        src = Path(source)
        if not src.is_file():
            raise LedgerError(f"attachment {str(source)!r} is not a readable file")
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        # Copy to a temporary file while hashing, then move into place: a crash leaves no half file.
        with open(src, "rb") as fin, tempfile.NamedTemporaryFile(dir=self.root, delete=False) as tmp:
            for block in iter(lambda: fin.read(1 << 20), b""):
                digest.update(block)
                tmp.write(block)
            size = tmp.tell()
        sha = digest.hexdigest()
        final = self.path_of(sha)
        if final.exists():
            os.unlink(tmp.name)  # same content already kept: never overwrite
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(tmp.name, final)
            os.chmod(final, 0o444)
        return Attachment(name=src.name, sha256=sha, size=size)

    def check(self, attachment: Attachment) -> str | None:
        """None if the kept file is intact, else what is wrong with it."""
        path = self.path_of(attachment.sha256)
        if not path.is_file():
            return f"evidence file {attachment.sha256} ({attachment.name}) is missing"
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != attachment.sha256:
            return f"evidence file {attachment.sha256} ({attachment.name}) was changed: its content no longer matches"
        return None
