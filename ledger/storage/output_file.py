"""The files the CLI writes (``export FILE``, ``--output FILE``, reports): never one of the store's own
files, and never half-written.

- A target that is the store's SQLite database or its ``-wal``/``-shm``/``-journal``, the read model
  (``StoreLocation.views_path``) or its side files, or anything inside the evidence store is refused,
  compared by resolved path (symlinks, ``./x/../`` spellings) and by inode (hard links).
- A regular file is written to a temporary file in the target's directory and renamed into place
  only when complete: a failure half-way (a broken chain, a full disk, Ctrl-C) leaves any existing
  file as it was and no temporary file behind. A symlinked target is replaced where it points.
- A target that is not a regular file (a pipe, ``/dev/full``), or any name under ``/dev/`` or ``/proc/``
  (``/dev/stdout``), is written directly.
- A write error is one :class:`OutputRefused` naming the file, never a traceback.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ledger.domain.errors import LedgerError
from ledger.storage.store import StoreLocation
from ledger.translation import gettext as _

#: Names under these are devices and the process's own descriptors: written directly, never replaced.
_DEVICE_DIRS = ("/dev/", "/proc/")

#: Side files SQLite keeps beside a database (write-ahead log, shared memory, rollback journal).
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class OutputRefused(LedgerError):
    """An output file that may not, or could not, be written; nothing was changed."""


def _own_files(store: StoreLocation) -> list[tuple[Path, str]]:
    """The store's own files on this machine, each with what it is (for the message)."""
    files: list[tuple[Path, str]] = []
    if store.kind == "sqlite":
        db = Path(store.env["SQLITE_DBNAME"])
        files.append((db, _("SQLite database")))
        files += [(Path(f"{db}{side}"), _("SQLite database's {side} file").format(side=side[1:]))
                  for side in _SQLITE_SIDE_FILES]
    if store.views_path is not None:  # a PostgreSQL store's read model is in the database
        views = Path(store.views_path)
        files.append((views, _("read model")))
        files += [(Path(f"{views}{side}"), _("read model's {side} file").format(side=side[1:]))
                  for side in _SQLITE_SIDE_FILES]
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either does not exist (yet): the resolved paths decide
        return False


def check_target(target: str | os.PathLike[str], store: StoreLocation) -> Path:
    """The resolved path of ``target``; refuse it (:class:`OutputRefused`) if it is one of the store's files."""
    resolved = Path(target).expanduser().resolve()
    for own, what in _own_files(store):
        if resolved == own.expanduser().resolve() or _same_file(resolved, own):
            raise OutputRefused(_("{target}: that is the ledger's own {what} ({own}); "
                                  "nothing was written: choose another file").format(target=target, what=what, own=own))
    evidence = None if store.evidence_dir is None else Path(store.evidence_dir).expanduser().resolve()
    if evidence is not None and (resolved == evidence or resolved.is_relative_to(evidence)):
        raise OutputRefused(_("{target}: that is inside the ledger's evidence store ({store}); "
                              "nothing was written: choose another file").format(target=target,
                                                                                  store=store.evidence_dir))
    return resolved


def _is_regular_or_absent(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return True


def _new_file_mode(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets what ``open`` would give it (0666 & ~umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_error(target: str | os.PathLike[str], e: OSError) -> OutputRefused:
    reason = e.strerror or str(e)
    return OutputRefused(_("{target}: cannot write: {reason}; nothing was written").format(target=target,
                                                                                          reason=reason))


@contextmanager
def output_file(target: str | os.PathLike[str], store: StoreLocation, *, binary: bool = False,
                encoding: str = "utf-8", newline: str | None = None) -> Iterator[IO[Any]]:
    """Open ``target`` for writing as described in the module docstring; yield the file to write to.

    The file appears under its name only if the ``with`` block completes; any exception inside the
    block leaves the target as it was (a regular file) and is re-raised; an ``OSError`` while
    writing becomes :class:`OutputRefused`.
    """
    resolved = check_target(target, store)
    kwargs: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
    mode = "wb" if binary else "w"
    if str(target).startswith(_DEVICE_DIRS) or not _is_regular_or_absent(resolved):
        # A device or a pipe (``/dev/stdout`` may lead to a pipe, a terminal or the shell's redirection
        # file): nothing to rename over, and opened by the name given, which is what the user meant.
        try:
            with open(target, mode, **kwargs) as direct:
                yield direct
        except OSError as e:
            if e.filename not in (None, str(target)):
                raise
            raise _write_error(target, e) from None
        return
    try:
        fd, temp = tempfile.mkstemp(dir=resolved.parent, prefix=f".{resolved.name}.", suffix=".tmp")
    except OSError as e:
        raise _write_error(target, e) from None
    try:
        with os.fdopen(fd, mode, **kwargs) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())  # the rename must not land before the content (a backup is for crashes)
        os.chmod(temp, _new_file_mode(resolved))
        os.replace(temp, resolved)
    except OSError as e:
        _discard(temp)
        if e.filename not in (None, temp, str(resolved)):
            raise  # about another file the block was reading (an evidence file): its own message
        raise _write_error(target, e) from None
    except BaseException:
        _discard(temp)
        raise


def _discard(temp: str) -> None:
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass


def write_output(target: str | os.PathLike[str], store: StoreLocation, data: bytes) -> None:
    """Write ``data`` to ``target`` through :func:`output_file` (refused, atomic, one clear error)."""
    with output_file(target, store, binary=True) as out:
        out.write(data)
