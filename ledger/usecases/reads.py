"""The reading use cases, composed once for the CLI and the web service: score, trace, log, disputes.

Each takes the Ledger application and simple values and returns the JSON-shaped document that
``--format json`` prints and the API answers with; the CLI renders it, the service serves it.
Where a record belongs to a unit (``unit_of_record``, ``units_of_evidence``) is read here too, so
the service's authorization layer can decide on it without reading the read model itself.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from ledger.domain.defaults import default_zone
from ledger.domain.errors import NotFound, RuleViolation, UnknownItem
from ledger.translation import _


def today() -> date:
    """Today in the ledger's time zone (the default ``as_of``)."""
    return datetime.now(default_zone()).date()


def reading(app: Any, year: int, as_of: date | None = None, known_at: datetime | None = None,
            progress: Any = None) -> Any:
    """The read model caught up (or replayed to ``known_at``) and read for ``year`` as of ``as_of``."""
    from projections.reading import open_reading

    return open_reading(app, year, as_of or today(), known_at, progress=progress)


def rebuild(app: Any, progress: Any = None) -> int:
    """Rebuild the read model from the first event (it gives the same results as before); the events read."""
    app.view.reset()
    return int(app.view.catch_up(app, progress=progress))


def scores_of(app: Any, read: Any) -> list[Any]:
    """Every unit's score for a reading — kept for each state of the read model and brought forward over a
    clerk's recordings (``ledger.usecases.kept_scores``); ``known_at`` readings are computed afresh."""
    if read.known_at is not None:
        return read.scores()
    from ledger.usecases.kept_scores import kept_reading

    return kept_reading(app, read).scores


def score_doc(app: Any, year: int, unit: str | None = None, as_of: date | None = None,
              known_at: datetime | None = None) -> dict[str, Any]:
    """``score --format json``: every unit (or the one named by code or name), ranked.

    Without ``known_at`` the document is kept for the read model's state and shared: do not change it."""
    from ledger.usecases.kept_scores import kept_reading
    from projections.documents import score_document

    read = reading(app, year, as_of, known_at)
    code = read.unit_code(unit) if unit is not None else None
    if known_at is not None:
        return score_document(read, read.scores(), code)
    kept = kept_reading(app, read)

    def one(unit_code: str) -> dict[str, Any]:
        return kept.document(("score", unit_code), lambda: score_document(read, kept.scores, unit_code))

    def every() -> dict[str, Any]:
        # The ranking is each unit's document in rank order (a unit's is kept while its score stays the same).
        if not kept.scores:
            return score_document(read, kept.scores)
        docs = [one(s.unit) for s in kept.scores]
        return {**{k: v for k, v in docs[0].items() if k != "units"}, "units": [d["units"][0] for d in docs]}

    return one(code) if code is not None else kept.document(("score", None), every)


def bulletin_doc(app: Any, year: int, month: int, known_at: datetime | None = None,
                 progress: Any = None, today_is: date | None = None) -> dict[str, Any]:
    """``bulletin``: the ranking at the end of ``month``, the change since the previous month's end and each
    unit's monthly trend (projections/bulletin.py says which knowledge each month is read with).

    ``tree_head`` is the signed tree head the bulletin was computed from (projections/tree_head.py), None
    while what it read is not sealed.

    Refuses a month that has not ended yet (by ``today_is``, default today): its deadlines have not all
    passed, so a bulletin of it would count reports as missing that are still due.
    """
    from projections.bulletin import bulletin_document, month_end
    from projections.tree_head import tree_head

    end = month_end(year, month)
    if end >= (today_is or today()):
        raise RuleViolation(_("{month} has not ended yet (it ends on {end}): a bulletin covers a finished month")
                            .format(month=f"{year}-{month:02d}", end=end.isoformat()))
    read = reading(app, year, end, known_at, progress)
    return {**bulletin_document(read, month), "tree_head": tree_head(app, read)}


def ranking_doc(app: Any, year: int, as_of: date) -> dict[str, Any]:
    """The ranking as of ``as_of`` with each unit's change since the end of the previous month (the 排名
    page): ``previous``, ``change`` and ``rank_change`` as a bulletin has them (projections/bulletin.py),
    empty in January (no earlier month in the scoring year). Both readings are kept (``score_doc``)."""
    from projections.bulletin import ranking_with_change

    before = as_of.replace(day=1) - timedelta(days=1)
    earlier = score_doc(app, year, as_of=before) if before.year == year else None
    return ranking_with_change(score_doc(app, year, as_of=as_of), earlier)


def report_doc(app: Any, read: Any, doc: dict[str, Any]) -> dict[str, Any]:
    """A score document as a published report prints it: with ``tree_head``, the signed tree head its
    reading was computed from (None while not sealed; projections/tree_head.py)."""
    from projections.tree_head import tree_head

    return {**doc, "tree_head": tree_head(app, read)}


def score_report(app: Any, read: Any, unit: str | None = None, compare_as_of: date | None = None,
                 fmt: str = "json") -> dict[str, Any] | bytes:
    """``score`` from a reading: the ranking document (one unit's, if named; with every unit's earlier total and
    rank beside it at ``compare_as_of``), or for ``csv``/``xlsx``/``html`` the report's bytes, printed with the signed
    tree head the reading was computed from."""
    from projections.documents import score_document, with_previous

    code = read.unit_code(unit) if unit is not None else None
    scores = read.scores()
    doc = score_document(read, scores, code)
    compare = None
    if compare_as_of is not None:
        earlier = read.at(compare_as_of)
        compare = score_document(earlier, earlier.scores(), code)
        doc = with_previous(doc, compare)
    if fmt not in ("csv", "xlsx", "html"):
        return doc
    from projections.reports.publish import render_report

    return render_report(fmt, read, scores, report_doc(app, read, doc), compare)


def demo_ranking(read: Any) -> tuple[dict[str, Any], tuple[dict[str, Any], dict[str, Any]] | None]:
    """``demo``'s answer from one scoring: the ranking document, and the item that cost the last-ranked unit most
    (what a newcomer asks first) as (the item's trace entry, the unit's trace of that item), or None."""
    from projections.documents import score_document, trace_document

    scores = read.scores()
    last = scores[-1] if scores else None
    code = last.largest_loss() if last is not None else None
    if code is None:
        return score_document(read, scores), None
    doc = trace_document(read, last, code)
    return score_document(read, scores), (next(i for i in doc["items"] if i["code"] == code), doc)


def trace_of(read: Any, unit: str, item: str | None = None, scores: list[Any] | None = None) -> dict[str, Any]:
    """``trace --format json`` from a reading (and its ``scores``, if computed): refuses an item the year's
    ruleset does not have. With the scores of a kept reading (``scores_of``) the document is kept with them
    and shared: do not change it."""
    from ledger.usecases.kept_scores import kept_with
    from projections.documents import trace_document

    code = read.unit_code(unit)
    known = {i.code for i in read.ruleset.items} | {p.code for p in read.ruleset.pools} | {
        v.item for v in read.ruleset.vetoes}
    if item is not None and item not in known:
        raise UnknownItem(item, read.year)
    scored = scores if scores is not None else read.scores()
    score_of = next(x for x in scored if x.unit == code)
    kept = kept_with(scored) if read.known_at is None else None
    if kept is None:
        return trace_document(read, score_of, item)
    return kept.document(("trace", code, item), lambda: trace_document(read, score_of, item, kept.costly_orders))


def trace_doc(app: Any, year: int, unit: str, item: str | None = None, as_of: date | None = None,
              known_at: datetime | None = None, progress: Any = None) -> dict[str, Any]:
    """``trace --format json``: how the unit's items (or one) were computed, with every event behind them."""
    read = reading(app, year, as_of, known_at, progress)
    return trace_of(read, unit, item, scores_of(app, read))


def unit_code(app: Any, unit: str | None) -> str | None:
    """A unit named by code or Chinese name, as its code in the latest adopted ruleset (None stays None)."""
    if unit is None:
        return None
    from projections.reading import unit_code as resolve

    return resolve(app.refresh().db, unit)


def log_doc(app: Any, unit: str | None = None, item: str | None = None, since: date | None = None) -> list[Any]:
    """``log --format json``: the events in recorded order, filtered by unit, item and recording date."""
    from projections.ledger_log import known_item, log_entries

    db = app.refresh().db
    return log_entries(db, unit=unit_code(app, unit), item=known_item(db, item),
                       since=datetime.combine(since, time(0), default_zone()) if since else None)


def dispute_rows(app: Any, unit: str | None = None, only_open: bool = False) -> list[dict[str, Any]]:
    """``dispute list --format json``: disputes and screenings with their state, oldest first."""
    from projections.disputes import list_disputes

    return list_disputes(app.refresh().db, unit=unit_code(app, unit), only_open=only_open)


#: The read model's tables of records that belong to a unit, and what the user calls each.
_RECORDS = (("occurrences", "occurrence"), ("assessments", "assessment"), ("disputes", "dispute"))


def unit_of_record(app: Any, given: str, table: str | None = None) -> str:
    """The unit an occurrence, assessment or dispute (by id or unique prefix) belongs to; NotFound if none."""
    for name, what in _RECORDS:
        if table is not None and name != table:
            continue
        try:
            found = app.find_id(name, given, what)
        except NotFound:
            continue
        row = app.refresh().db.execute(f"SELECT unit FROM {name} WHERE id=?", (found,)).fetchone()
        if row is not None:
            return str(row[0])
    raise NotFound(f"no record with id {given!r}")


def unit_of_workorder(app: Any, order_id: str) -> str:
    """The unit a work order was dispatched to; NotFound if the ledger has no such order."""
    row = app.refresh().db.execute("SELECT unit FROM workorders WHERE order_id=?", (order_id.strip(),)).fetchone()
    if row is None:
        raise NotFound(f"no work order {order_id!r} in the ledger (import the export that has it first)")
    return str(row[0])


def evidence_name(app: Any, sha256: str) -> str | None:
    """The file name the ledger recorded for the attachment ``sha256`` (on an occurrence or a dispute), or None."""
    db = app.refresh().db
    for table in ("occurrences", "disputes"):
        row = db.execute(f"SELECT attachments FROM {table} WHERE attachments LIKE ? LIMIT 1",
                         (f'%"{sha256}"%',)).fetchone()
        for a in json.loads(row[0] or "[]") if row else ():
            if a.get("sha256") == sha256:
                return str(a.get("name") or sha256)
    return None


def units_of_evidence(app: Any, sha256: str) -> set[str]:
    """The units whose occurrences or disputes carry the attachment ``sha256``."""
    db = app.refresh().db
    units = set()
    pattern = f'%"{sha256}"%'
    for table in ("occurrences", "disputes"):
        for unit, attachments in db.execute(f"SELECT unit, attachments FROM {table} WHERE attachments LIKE ?",
                                            (pattern,)):
            if any(a.get("sha256") == sha256 for a in json.loads(attachments or "[]")):
                units.add(unit)
    return units
