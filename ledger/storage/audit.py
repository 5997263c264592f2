"""``verify``: the tamper-evidence chain, the sealed heads, the read model, the order index and the evidence files.

Every event must be of one of the ledger's own types (a row of any other type is named, never
decoded), and the read model must equal a replay of the events (``projections.replay_check``).

The order matters on a damaged store. The chain is checked first, over the raw stored bytes, so an
event whose bytes no longer decode is named as a chain failure rather than crashing a decoder. Only
an intact chain lets the read model catch up; on a broken one the evidence files the read model
already knows are still checked, but no event is applied from the damaged store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError

from events.base import Attachment
from events.registry import is_ledger_topic
from ledger.domain.errors import RefusedEvent, RuleViolation
from ledger.storage.chain import FOREIGN, GENESIS, head, verify_chain
from ledger.storage.event_tree import ensure_tree, tree_head
from ledger.storage.merkle import ProofError, verify_consistency
from ledger.storage.order_index import index_differences
from ledger.storage.seal_audit import check_seals, seal_records, seals_to_vouch
from ledger.storage.tree_check import TreeReport, rebuilt_root, verify_tree
from ledger.translation import _
from projections.replay_check import replay_differences


def current_head(app: Any) -> tuple[int, str]:
    """The last notification id and its chain hash (what a seal publishes)."""
    found = head(app.recorder)
    if found is None:
        return 0, GENESIS
    return found


def verified_head(app: Any, signer: str | None = None, trusted: Sequence[str] = ()) -> tuple[int, str, int, str]:
    """The current chain head and the Merkle tree's head at it (notification id, hash, tree size, tree root), once
    the chain, the tree and the earlier seals verify (a seal must never vouch for a damaged ledger); ``signer`` is
    the public key about to sign, ``trusted`` other keys it accepts (see ``seals_to_vouch``).
    """
    seals = seal_records(app)
    report = verify_chain(app.recorder, expected=_vouching([(r.notification_id, r.head) for r in seals]),
                          accept_topic=is_ledger_topic)
    if not report.ok:
        raise RuleViolation(_("nothing sealed: the chain is broken at {failure}; run `verify`").format(
            failure=report.failure))
    refusal = seals_to_vouch(seals, signer, trusted)
    if refusal:
        raise RuleViolation(_("nothing sealed: {refusal}; run `verify`").format(refusal=refusal))
    ensure_tree(app.recorder)
    tree = verify_tree(app.recorder)
    refusal = tree.failure or _tree_seal_problem(seals, tree)
    if refusal:
        raise RuleViolation(_("nothing sealed: the Merkle tree does not verify: {refusal}; run `verify`").format(
            refusal=refusal))
    nid, hash_ = current_head(app)
    size, root = tree_head(app.recorder, nid)
    return nid, hash_, size, root


def _tree_seal_problem(seals: Sequence[Any], tree: TreeReport) -> str | None:
    """None, or the first seal whose signed tree head the rebuilt tree no longer has, or that the next tree head
    does not extend (RFC 6962 consistency, checked with the proof the store would hand out)."""
    previous = None
    for seal in seals:
        if not seal.tree_root:
            continue
        name = _("seal {id} (tree head {size})").format(id=seal.id, size=seal.tree_size)
        root = rebuilt_root(tree, seal.tree_size)
        if root is None or root.hex() != seal.tree_root:
            return _("{name}: the events no longer make its signed tree root {root} (rewritten?)").format(
                name=name, root=seal.tree_root)
        if previous is not None and 0 < previous.tree_size <= seal.tree_size:
            try:
                verify_consistency(previous.tree_size, seal.tree_size, bytes.fromhex(previous.tree_root),
                                   bytes.fromhex(seal.tree_root),
                                   tree.reader.consistency(previous.tree_size, seal.tree_size))
            except ProofError as e:
                return _("{name} does not extend the tree head of seal {previous}: {error}").format(
                    name=name, previous=previous.id, error=e)
        previous = seal
    return None


def recorded_seals(app: Any) -> list[tuple[int, str]]:
    """The (notification id, head) pairs of the ledger's own seals, read from the store, not the read model."""
    return [(r.notification_id, r.head) for r in seal_records(app)]


def _vouching(heads: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """The heads to check: a seal of the empty ledger (#0, the genesis hash) vouches for nothing, names no event."""
    return [h for h in heads if h != (0, GENESIS)]


def _catch_up(app: Any) -> str | None:
    """Bring the read model up to date; None, or what stopped it (naming the event)."""
    try:
        app.refresh()
    except RefusedEvent as e:  # a row the ledger did not write, bytes that do not decode
        return str(e)
    except Exception as e:  # a verifier reports what it finds; it never ends in a traceback
        position = app.view.position(app.name)
        if position:
            return _("the read model cannot apply the event after event #{position}: {kind}: {error}").format(
                position=position, kind=type(e).__name__, error=e)
        return _("the read model cannot apply the event: {kind}: {error}").format(kind=type(e).__name__, error=e)
    return None


def _replay_differs(app: Any) -> str | None:
    """None, or how the read model differs from a replay of the events (``projections.replay_check``)."""
    try:
        differs = replay_differences(app)
    except RefusedEvent as e:
        return str(e)
    except OSError as e:  # no room or no right for the replay's temporary file beside the read model
        return _("cannot replay the events to compare the read model: {error} ({file})").format(
            error=e.strerror or e, file=e.filename or _("temp file"))
    if differs is None:
        return None
    return _("{differs}; the read model differs from a replay of the events (edited?): run `rebuild`").format(
        differs=differs)


def _order_index_differs(app: Any) -> str | None:
    """None, or how the write side's order index (``ledger/storage/order_index.py``) differs from a replay of the
    facts."""
    try:
        differs = index_differences(app.recorder, app._order_facts)
    except (RefusedEvent, MapperDeserialisationError) as e:
        return _("cannot replay the work-order facts: {error}").format(error=e)
    if differs is None:
        return None
    table = getattr(app.recorder, "order_index_table", _("the order index"))
    return _("{differs}; the index differs from a replay of the events: as the store's owner, drop the table "
             "{table} and open the store again, which rebuilds it from the events").format(differs=differs, table=table)


def _evidence_problems(app: Any) -> tuple[int, list[str]]:
    """Re-hash every attachment the read model knows, then every other kept file against its digest;
    (files checked, problems)."""
    files, problems, seen = 0, [], set()
    for (raw,) in app.view.db.execute(
        "SELECT attachments FROM occurrences WHERE attachments<>'[]' UNION ALL "
        "SELECT attachments FROM disputes WHERE attachments<>'[]'"
    ):
        for a in json.loads(raw):
            files += 1
            seen.add(a["sha256"])
            problem = app.evidence.check(Attachment(**a))
            if problem:
                problems.append(problem)
    for sha, size in app.evidence.iterate():  # kept but cited by no event (an import's, a failed save's)
        if sha not in seen:
            seen.add(sha)
            files += 1
            problem = app.evidence.check(Attachment(name="not cited", sha256=sha, size=size))
            if problem:
                problems.append(problem)
    return files, problems


def audit(app: Any, published: Sequence[tuple[int, str]] = (), pinned: Sequence[str] = ()) -> dict[str, Any]:
    """Verify the chain against the ledger's own seals and any published heads, the seals' signatures (against
    the ``pinned`` public keys, if any), then the read model and evidence.

    Returns ``ok``, ``count`` and ``head`` (of the verified part), ``failure`` (the first chain
    failure or None), ``problems`` (every failure as one line, naming the event or file) and
    ``lines`` (the whole report, for people) and ``seals`` (each seal's status).
    """
    seals = seal_records(app)
    expected = _vouching([*((r.notification_id, r.head) for r in seals), *published])
    report = verify_chain(app.recorder, expected=expected, accept_topic=is_ledger_topic)
    out = _Lines()
    if report.ok:
        out.say(_("chain ok: {count} events, head {head}").format(count=report.count, head=report.head))
        _check_tree(app, seals, out)
        _check_read_side(app, out)
    else:
        _chain_broken(report, out)
    files, broken_files = _evidence_problems(app)
    for text in broken_files:
        out.problem(_("EVIDENCE: {problem}").format(problem=text))
    out.say(_("evidence files checked: {count}").format(count=files))
    if expected:
        out.say(_("sealed heads checked: {count}").format(count=len(expected)))
    failure = report.failure
    seal_statuses, seal_lines, seal_problems = check_seals(
        seals, pinned, None if failure is None else failure.notification_id)
    out.lines.extend(seal_lines)
    out.problems.extend(seal_problems)
    return {"ok": not out.problems, "count": report.count, "head": report.head,
            "failure": None if failure is None else {"notification_id": failure.notification_id,
                                                      "originator_id": failure.originator_id,
                                                      "reason": failure.reason},
            "problems": out.problems, "lines": out.lines, "seals": seal_statuses}


class _Lines:
    """The audit's report as it grows: every line for people, and the problems among them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.problems: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(text)


def _check_tree(app: Any, seals: Sequence[Any], out: _Lines) -> None:
    """The Merkle tree over an intact chain: its leaves, its nodes, and the seals' tree heads."""
    tree = verify_tree(app.recorder) if app.recorder.tree_exists() else None
    tree_problem = None if tree is None else tree.failure or _tree_seal_problem(seals, tree)
    if tree is None:
        out.say(_("merkle tree: none in this store yet (made before the tree, opened read-only: "
                  "the store's owner adds it by opening the store for writing)"))
    elif tree_problem:
        out.problem(_("MERKLE TREE: {problem}").format(problem=tree_problem))
    else:
        out.say(_("merkle tree ok: {size} leaves, root {root}").format(size=tree.size,
                                                                     root=tree.reader.root(tree.size).hex())
                + ("" if tree.size == tree.events else
                   _("; {count} older events get their leaves at the next append").format(
                       count=tree.events - tree.size)))


def _check_read_side(app: Any, out: _Lines) -> None:
    """The read model brought up to date and compared with a replay; the order index with the work-order facts."""
    stuck = _catch_up(app)
    if stuck:
        out.problem(_("READ MODEL: {problem}").format(problem=stuck))
    else:
        differs = _replay_differs(app)
        if differs:
            out.problem(_("READ MODEL: {problem}").format(problem=differs))
        else:
            out.say(_("read model ok: equal to a replay of the events"))
    index = _order_index_differs(app)
    if index:
        out.problem(_("ORDER INDEX: {problem}").format(problem=index))
    else:
        out.say(_("order index ok: equal to a replay of the work-order facts"))


def _chain_broken(report: Any, out: _Lines) -> None:
    """The chain's first failure, and how far it verifies; the read model is then left as it is."""
    if report.failure is not None and report.failure.reason.startswith(FOREIGN):
        out.problem(_("NOT A LEDGER EVENT at {failure}; it was not decoded").format(failure=report.failure))
    else:
        out.problem(_("CHAIN BROKEN at {failure}").format(failure=report.failure))
    out.say(_("the first {count} events verify; head of the verified part {head}").format(
        count=report.count, head=report.head))
    out.say(_("the read model was not brought up to date from the damaged store"))
