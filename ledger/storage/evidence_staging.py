"""Evidence files received by a restore, kept aside until the whole restore has succeeded.

Each file is streamed to a private staging folder beside the evidence store (same filesystem, so
moving it in is a rename), hashed as it is written and checked against its digest and size. Only
``commit`` moves the files into the store; leaving the ``with`` block any other way removes them,
so a refused import leaves no evidence behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from ledger.storage.evidence import FileEvidenceStore, check_digest, digest_mismatch


class EvidenceStaging:
    """A staging folder for one restore's evidence files (a context manager)."""

    def __init__(self, store: FileEvidenceStore) -> None:
        self.store = store
        self.folder: Path | None = None
        self.staged: list[str] = []

    def __enter__(self) -> EvidenceStaging:
        parent = self.store.root.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.store.root.name}.restore-", dir=parent))  # mode 0700
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def bind(self, cursor: object) -> None:
        """Files are staged on disk, outside the events' transaction: nothing to bind."""

    def receive(self, sha256: str, size: int, chunks: Iterable[bytes], name: str = "") -> str | None:
        """Stream one file in; None when it matches ``sha256`` and ``size``, else what is wrong (it is dropped).

        ``name`` (the original name, when the export gives one) is not kept: files here are named by digest.
        """
        assert self.folder is not None, "receive() inside the with block"
        check_digest(sha256)  # a digest, never a path
        digest, received = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as tmp:
            for block in chunks:
                digest.update(block)
                tmp.write(block)
                received += len(block)
        if digest.hexdigest() != sha256 or received != size:
            os.unlink(tmp.name)
            return digest_mismatch(sha256, size, received)
        os.replace(tmp.name, self.folder / sha256)
        self.staged.append(sha256)
        return None

    def commit(self) -> None:
        """Move every staged file into the evidence store (a file already kept is left as it is)."""
        assert self.folder is not None, "commit() inside the with block"
        for sha in self.staged:
            final = self.store.path_of(sha)
            if final.exists():
                continue
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(self.folder / sha, 0o444)
            os.replace(self.folder / sha, final)
