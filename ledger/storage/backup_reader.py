"""Reading an export's lines after its header (see ``ledger.storage.backup``): each event's form and chain link checked
as it is read, its meaning re-decided (``ledger.storage.restore_check``), each evidence file streamed into the staging
folder, and the trailer's counts and head compared; the problems collected, each named ``FILE:LINE``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.domain.errors import LedgerError, RuleViolation
from ledger.storage.chain_format import chain_link, event_digest
from ledger.storage.encryption import KeyRefused, key_problem
from ledger.storage.event_tree import SALT_SIZE
from ledger.storage.evidence import check_digest
from ledger.storage.restore_check import RestoreCheck
from ledger.translation import _

#: Problems listed in a refusal; the rest are counted.
SHOWN_PROBLEMS = 50

#: One restored event: id, originator, version, topic, state, digest, hash, the salt of its Merkle leaf (None: the
#: export has none).
Row = tuple[int, str, int, str, bytes, bytes, bytes, bytes | None]


class RestoreReader:
    """Reads the lines after the header: yields each event row, then the trailer's summary."""

    def __init__(self, path: str, version: int, check: RestoreCheck, staging: Any,
                 seals: dict[int, str]) -> None:
        self.path, self.version, self.check, self.staging = path, version, check, staging
        self.seals = {int(n): h.lower() for n, h in seals.items()}
        self.problems: list[str] = []
        self.evidence: set[str] = set()

    def rows(self, lines: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[Row | dict[str, Any]]:
        """Yield each event row as it is checked, then the summary; raise at the end if anything was wrong."""
        previous, last_id, events, files = bytes(32), 0, 0, 0
        for number, obj in lines:
            kind = obj.get("kind")
            where = f"{self.path}:{number}"
            if kind == "event":
                row = self._event(obj, where, previous, last_id)
                if events == 0 and (problem := key_problem(self.check.mapper, row[4],
                                                                 _("the export {where}").format(where=where))):
                    raise KeyRefused(problem)  # restored bytes stay as they are: the key must be the export's own
                self._meaning(number, row)
                if not self.problems:  # after the first problem nothing is written: the rest is only checked
                    yield row
                previous, last_id, events = row[6], row[0], events + 1
            elif kind == "evidence":
                self._evidence(obj, where, lines)
                files += 1
            elif kind == "end":
                if obj.get("events") != events or obj.get("evidence") != files or obj.get("head") != previous.hex():
                    raise RuleViolation(_("{where}: the trailer says {said_events} events and {said_evidence} evidence "
                                          "files, the file holds {events} and {files}; nothing was imported").format(
                        where=where, said_events=obj.get("events"), said_evidence=obj.get("evidence"),
                        events=events, files=files))
                self._finish(last_id)
                yield {"events": events, "evidence": files, "head": previous.hex()}
                return
            else:
                raise RuleViolation(_("{where}: unknown line kind {kind}; nothing was imported").format(where=where,
                                                                                                 kind=repr(kind)))
        raise RuleViolation(_("{path}: the file ends without its trailer (truncated?); nothing was imported").format(
            path=self.path))

    def _event(self, obj: dict[str, Any], where: str, previous: bytes, last_id: int) -> Row:
        """The event's row, its chain link checked (a fault here stops the reading)."""
        try:
            nid, oid = int(obj["notification_id"]), str(obj["originator_id"])
            version = int(obj["originator_version"])
            topic, state = str(obj["topic"]), base64.b64decode(obj["state"], validate=True)
            claimed = bytes.fromhex(obj["hash"])
            salt = bytes.fromhex(obj["salt"]) if obj.get("salt") is not None else None
            if salt is not None and len(salt) != SALT_SIZE:
                raise ValueError(_("its leaf salt is {size} bytes, not {expected}").format(size=len(salt),
                                                                                           expected=SALT_SIZE))
        except (KeyError, TypeError, ValueError, binascii.Error) as e:
            raise RuleViolation(_("{where}: a malformed event ({kind}: {error}); nothing was imported").format(
                where=where, kind=type(e).__name__, error=e)) from None
        if nid <= last_id:
            raise RuleViolation(_("{where}: event #{nid} does not come after #{last}; nothing was imported").format(
                where=where, nid=nid, last=last_id))
        if nid >= 2**63 or not 0 < version < 2**63:
            raise RuleViolation(_("{where}: event #{nid} version {version}: out of the store's range; "
                                  "nothing was imported").format(where=where, nid=nid, version=version))
        digest = event_digest(oid, version, topic, state)
        link = chain_link(previous, nid, digest)
        if link != claimed:
            raise RuleViolation(_("{where}: event #{nid} does not match its chain hash (the file was altered?); "
                                  "nothing was imported").format(where=where, nid=nid))
        return nid, oid, version, topic, state, digest, link, salt

    def _meaning(self, number: int, row: Row) -> None:
        nid, oid, version, topic, state, _digest, link, _salt = row
        where = f"{self.path}:{number}"
        try:
            self.check.check(number, nid, oid, version, topic, state, link.hex())
        except LedgerError as e:
            self.problems.append(f"{where}: {e}")
        sealed = self.seals.pop(nid, None)
        if sealed is not None and sealed != link.hex():
            self.problems.append(_("{where}: event #{nid}'s chain hash is {link}, not the published head "
                                   "{sealed} given with --seal (the file is not the sealed ledger)").format(
                where=where, nid=nid, link=link.hex(), sealed=sealed))

    def _evidence(self, obj: dict[str, Any], where: str, lines: Iterator[tuple[int, dict[str, Any]]]) -> None:
        """Stream one evidence file into the staging folder: inline (version 1) or from its chunk lines."""
        try:
            sha, size = str(obj["sha256"]), int(obj["size"])
            check_digest(sha)
            if "content" in obj:
                blocks: Iterable[bytes] = [base64.b64decode(obj["content"], validate=True)]
            else:
                blocks = self._chunks(int(obj["chunks"]), where, lines)
            name = obj.get("name")
            if name is not None and (not isinstance(name, str) or len(name) > 1000):
                raise ValueError(_("its name is not a short text"))
            problem = self.staging.receive(sha, size, blocks, name or "")
        except (KeyError, TypeError, ValueError, binascii.Error) as e:
            raise RuleViolation(_("{where}: a malformed evidence file ({kind}: {error}); nothing was imported").format(
                where=where, kind=type(e).__name__, error=e)) from None
        if problem:
            self.problems.append(f"{where}: {problem}")
        self.evidence.add(sha)

    def _chunks(self, count: int, where: str, lines: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[bytes]:
        for _chunk in range(count):
            number, obj = next(lines, (0, {}))
            if obj.get("kind") != "chunk" or not isinstance(obj.get("data"), str):
                raise RuleViolation(_("{path}:{number}: the evidence file of {where} lacks one of its {count} chunk "
                                      "lines; nothing was imported").format(path=self.path, number=number or "end",
                                                                            where=where, count=count))
            yield base64.b64decode(obj["data"], validate=True)

    def _finish(self, last_id: int) -> None:
        """Add what only the whole file shows, then refuse it if anything was wrong."""
        for sha, number in self.check.attachments.items():
            if sha not in self.evidence:
                self.problems.append(_("{path}:{number}: its attachment {sha} is not among the file's "
                                       "evidence files").format(path=self.path, number=number, sha=sha))
        for nid, head in sorted(self.seals.items()):
            self.problems.append(_("{path}: no event #{nid} in the file (its last is #{last}): it does "
                                   "not reach the published head {nid}:{head} given with --seal").format(
                path=self.path, nid=nid, last=last_id, head=head))
        if self.problems:
            shown = self.problems[:SHOWN_PROBLEMS]
            more = len(self.problems) - len(shown)
            more_line = "\n" + _("… and {more} more").format(more=more) if more else ""
            raise RuleViolation("\n".join(shown) + more_line + "\n"
                                + _("{path}: {count} problem(s); nothing was imported").format(
                                    path=self.path, count=len(self.problems)))
