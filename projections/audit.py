"""``verify``: the tamper-evidence chain, the sealed heads and the evidence files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from events.base import Attachment
from ledger.chain import head, verify_chain


def current_head(app: Any) -> tuple[int, str]:
    """The last notification id and its chain hash (what a seal publishes)."""
    found = head(app.recorder)
    if found is None:
        return 0, "0" * 64
    return found


def audit(app: Any, published: Sequence[tuple[int, str]] = ()) -> dict[str, Any]:
    """Verify the chain against the ledger's own seals and any published heads, then every evidence file."""
    view = app.refresh()
    sealed = [(r[0], r[1]) for r in view.db.execute("SELECT notification_id, head FROM seals ORDER BY nid")]
    report = verify_chain(app.recorder, expected=[*sealed, *published])
    lines = []
    ok = report.ok
    if report.ok:
        lines.append(f"chain ok: {report.count} events, head {report.head}")
    else:
        lines.append(f"CHAIN BROKEN at {report.failure}")
        lines.append(f"the first {report.count} events verify; head of the verified part {report.head}")
    files = 0
    for (raw,) in view.db.execute(
        "SELECT attachments FROM occurrences WHERE attachments<>'[]' UNION ALL "
        "SELECT attachments FROM disputes WHERE attachments<>'[]'"
    ):
        for a in json.loads(raw):
            files += 1
            problem = app.evidence.check(Attachment(**a))
            if problem:
                ok = False
                lines.append(f"EVIDENCE: {problem}")
    lines.append(f"evidence files checked: {files}")
    if sealed or published:
        lines.append(f"sealed heads checked: {len(sealed) + len(published)}")
    failure = report.failure
    return {"ok": ok, "count": report.count, "head": report.head,
            "failure": None if failure is None else {"notification_id": failure.notification_id,
                                                      "originator_id": failure.originator_id,
                                                      "reason": failure.reason},
            "lines": lines}
