"""What an export states that the ledger does not know yet: its rows as facts, decided from the order index.

A row of an order the ledger has not seen becomes a fact stating everything; a row of a known order becomes a
fact stating only what changed (``None`` elsewhere), or nothing at all. ``PendingFacts`` holds a whole file's
facts (as compact JSON bytes) until the file's end decides what they are as of, filed per unit: an order moved
to another unit is a fact of the unit it leaves and is stated whole again in the new unit's chunks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from events.workorders import FACT_FIELDS, FactRow
from ledger.storage.order_index import extra_digest, extra_of
from ledger.usecases.imports.workorders_format import ABSENT, WorkOrderRow

#: Facts per event: large enough to amortise the store's per-event cost, small enough to decode fast; rows are
#: decided this many at a time too (one question to the order index each).
CHUNK = 5000

_FLAG = {True: "1", False: "0", ABSENT: None}


def _fact(row: WorkOrderRow, known: tuple[Any, ...] | None) -> FactRow | None:
    """The fact for ``row`` given the order's known state (None: new); None when nothing changed."""
    completed, satisfaction = row.completed_at, row.satisfaction
    fact = FactRow(row.order_id, row.unit, row.dispatched_at, row.due_at,
                   None if completed is ABSENT else (completed or ""),  # "": open (clears a completion time)
                   _FLAG[row.reply_required], _FLAG[row.replied], None if satisfaction is ABSENT else satisfaction,
                   _FLAG[row.counted])
    if known is None:
        return fact._replace(completed_at=None) if completed is None else fact  # a new order: nothing to clear
    current = _known_fact(row.order_id, known)
    changed = [v if v is not None and v != c else None for v, c in zip(fact[1:], current[1:], strict=True)]
    if all(v is None for v in changed):
        return None
    return FactRow(row.order_id, *changed)


def _known_fact(order_id: str, state: tuple[Any, ...]) -> FactRow:
    """An order index state (``ledger.storage.order_index.COLUMNS``) as the fact that states all of it."""
    def flag(known: Any) -> str | None:
        return None if known is None else str(int(known))

    unit, dispatched, due, completed, reply_required, replied, satisfaction, counted = state[:8]
    return FactRow(order_id, unit, dispatched, due, completed or "", flag(reply_required), flag(replied),
                   satisfaction, flag(counted))


def restated(state: tuple[Any, ...], fact: FactRow) -> FactRow:
    """The whole of an order's state after ``fact`` (a fact changing the known ``state``, an order index
    state), as a fact: what a unit's own chunks must say of an order moved to it from another unit."""
    stated = {name: value for name, value in fact._asdict().items() if value is not None}
    return _known_fact(fact.order_id, state)._replace(**stated)


def _extra_changes(row: WorkOrderRow, known: dict[str, str] | None,
                   columns: tuple[str, ...]) -> list[str | None] | None:
    """The row's extra values that are new or changed (None in the other positions); None if none is.

    ``known`` holds the order index's digests of the values recorded (``ledger.storage.order_index.extra_digest``).
    """
    if known is None:
        return list(row.extra)
    changed = [v if v is not None and known.get(c) != extra_digest(v) else None
               for c, v in zip(columns, row.extra, strict=True)]
    return None if all(v is None for v in changed) else changed


_NOTHING_STATED = (None,) * (len(FACT_FIELDS) - 1)  # a fact changing only extra columns states none of the others


def _diff(rows: list[WorkOrderRow], known: dict[str, tuple[Any, ...]], counts: dict[str, int],
          pending: list[tuple[FactRow, list[str | None] | None, str | None]],
          extra_known: dict[str, dict[str, str]] | None = None, columns: tuple[str, ...] = ()) -> None:
    """Count the unchanged rows; queue the others' facts (with their extra values, None: no extra column
    changed) and the order's observed_at (None: new)."""
    if columns:
        _diff_with_extra(rows, known, counts, pending, extra_known or {}, columns)
        return
    unchanged = 0
    flag = _FLAG
    for r in rows:
        state = known.get(r.order_id)
        if state is None:  # a new order: every field it has, inline (a first import is a million of these)
            completed, satisfaction = r.completed_at, r.satisfaction
            pending.append((FactRow(r.order_id, r.unit, r.dispatched_at, r.due_at,
                                    None if completed is ABSENT else completed, flag[r.reply_required],
                                    flag[r.replied], None if satisfaction is ABSENT else satisfaction,
                                    flag[r.counted]), None, None))
            continue
        # Fast path: every column present and equal (a flag True/False equals the stored 1/0).
        if (r.unit, r.dispatched_at, r.due_at, r.completed_at, r.reply_required, r.replied, r.satisfaction,
                r.counted) == state[:8]:
            unchanged += 1
            continue
        fact = _fact(r, state)
        if fact is None:
            unchanged += 1
        else:
            pending.append((fact, None, state[8]))
    counts["unchanged"] += unchanged


def _diff_with_extra(rows: list[WorkOrderRow], known: dict[str, tuple[Any, ...]], counts: dict[str, int],
                     pending: list[tuple[FactRow, list[str | None] | None, str | None]],
                     extra_known: dict[str, dict[str, str]], columns: tuple[str, ...]) -> None:
    """`_diff` for a file with extra columns: a row is unchanged only when its extra values are too."""
    for r in rows:
        state = known.get(r.order_id)
        extra = _extra_changes(r, extra_known.get(r.order_id), columns)
        fact = _fact(r, state)
        if fact is None and extra is None:
            counts["unchanged"] += 1
            continue
        pending.append((fact or FactRow(r.order_id, *_NOTHING_STATED), extra, None if state is None else state[8]))


def chunk_extra(extras: list[list[str | None] | None], columns: tuple[str, ...]) -> dict[str, list[str | None]]:
    """A chunk's ``extra``: column → one value per fact (None: not stated), for the columns some fact states."""
    out: dict[str, list[str | None]] = {}
    for j, column in enumerate(columns):
        values = [None if e is None else e[j] for e in extras]
        if any(v is not None for v in values):
            out[column] = values
    return out


def _packed(value: Any) -> bytes:
    """``value`` as JSON bytes of their own size: orjson's own bytes keep its 4 KiB buffer (measured: 200,000
    facts took 800 MiB instead of 45). A ``FactRow`` is written as the array of its fields, as the event stores it."""
    return memoryview(orjson.dumps(value, default=tuple)).tobytes()


class PendingFacts:
    """A file's facts, held until the file's end: the new orders' per unit, the changed ones with the time the
    order was last observed (a fact older than that is stale); ``counts`` of new, changed, unchanged and stale."""

    def __init__(self, app: Any, columns: tuple[str, ...]) -> None:
        self._app, self._columns = app, columns
        self.new: dict[str, list[bytes | None]] = {}
        self.changed: list[tuple[str, bytes, str, bool]] = []  # (unit, fact, observed_at, counts as a changed order)
        self.counts = {"new": 0, "changed": 0, "unchanged": 0, "stale": 0}
        self._pending: list[tuple[FactRow, list[str | None] | None, str | None]] = []

    def read(self, rows: Iterable[WorkOrderRow]) -> str:
        """Decide every row's fact, ``CHUNK`` rows at a time; the latest 导出时间 of the rows ("" if none)."""
        column_time = ""
        buffer: list[WorkOrderRow] = []
        for row in rows:
            if row.exported_at and row.exported_at > column_time:
                column_time = row.exported_at
            buffer.append(row)
            if len(buffer) >= CHUNK:
                self._add(buffer)
                buffer = []
        self._add(buffer)
        return column_time

    def _add(self, rows: list[WorkOrderRow]) -> None:
        """File the facts of ``rows``: each under the unit whose chunk records it."""
        columns, pending = self._columns, self._pending
        known = self._app.order_states([r.order_id for r in rows])
        extra_known = {order_id: extra_of(state) for order_id, state in known.items()} if columns else None
        _diff(rows, known, self.counts, pending, extra_known, columns)
        moved: dict[str, WorkOrderRow] | None = None
        for fact, extra, observed in pending:
            if observed is None:
                self.new.setdefault(fact.unit, []).append(_packed([fact, extra]))
                continue
            state = known[fact.order_id]
            self.changed.append((state[0], _packed([fact, extra]), observed, True))
            if fact.unit is not None and fact.unit != state[0]:
                # Moved to another unit: the move is the old unit's fact (its orders left it), and the new unit's
                # chunk states the whole order, so that each unit's chunks alone give its orders' states.
                moved = moved if moved is not None else {r.order_id: r for r in rows}
                row = moved[fact.order_id]
                self.changed.append((fact.unit, _packed([restated(state, fact), list(row.extra) if columns else None]),
                                     observed, False))
        pending.clear()

    def by_unit(self, as_of: str) -> dict[str, list[bytes | None]]:
        """unit → its facts as of ``as_of``: the new orders', then the changed ones that are not stale (counted)."""
        self.counts["new"] = sum(map(len, self.new.values()))
        by_unit, self.new = self.new, {}
        for unit, packed, observed, counted in self.changed:
            if observed > as_of:
                self.counts["stale"] += int(counted)
            else:
                self.counts["changed"] += int(counted)
                by_unit.setdefault(unit, []).append(packed)
        self.changed.clear()
        return by_unit
