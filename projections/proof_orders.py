"""A unit's work orders as a proof file states them: fact rows merged into order states, screenings applied.

``proof check`` recounts a unit's rates from the work-order chunks in its proof file without
building a read model (projections/proof_rates.py). This module gives it each order's state the
way the read model would hold it (projections/order_facts.py), written again plainly:

- the chunks are merged in notification order; a fact states only what is new or changed
  (``None``: not stated), an empty completion time clears it (the order was reopened), a fact
  exported before what is already known of the order is stale and ignored (its extra columns too);
- an order first seen needs a reply, is unreplied and counted until a fact says otherwise;
- an accepted screening (甄别, a ``workorder`` dispute decided ``accept``) takes an order out of
  the rate it names — only if the order is known by then, as the read model applies it.

Every fact row is read through ``fact_values`` alone: the one place that knows a row's layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from eventsourcing.utils import get_topic

from events.disputes import DisputeDecided, DisputeOpened
from events.workorders import FACT_FIELDS

_NAMES = ("order_id", "unit", "dispatched_at", "due_at", "completed_at", "reply_required", "replied",
          "satisfaction", "counted")
#: A fact row's values in ``_NAMES`` order (rows are laid out as ``FACT_FIELDS``).
fact_values = itemgetter(*(FACT_FIELDS.index(name) for name in _NAMES))

#: Positions in an order's state (``OrderBook.orders``).
UNIT, DISPATCHED, DUE, COMPLETED, REPLY_REQUIRED, REPLIED, SATISFACTION, COUNTED, OBSERVED, SCREENED = range(10)
_OPENED, _DECIDED = get_topic(DisputeOpened), get_topic(DisputeDecided)


@dataclass
class OrderBook:
    """Order id → state (a list indexed by the positions above; ``SCREENED`` a frozenset of rate codes), and
    order id → {extra export column: value stated}."""

    orders: dict[str, list[Any]] = field(default_factory=dict)
    extra: dict[str, dict[str, str]] = field(default_factory=dict)

    def record(self, facts: dict[str, Any]) -> None:
        """Merge one ``WorkOrderFactsRecorded`` chunk (its plain JSON, parsed)."""
        orders, at = self.orders, facts["exported_at"]
        stale: set[str] = set()
        for row in facts["rows"]:
            order_id, unit, dispatched, due, completed, reply_required, replied, satisfaction, counted = \
                fact_values(row)
            state = orders.get(order_id)
            if state is None:
                state = orders[order_id] = [None, None, None, None, 1, 0, None, 1, at, frozenset()]
            elif state[OBSERVED] > at:
                stale.add(order_id)
                continue
            _state_facts(state, unit, dispatched, due, completed)
            if reply_required is not None:
                state[REPLY_REQUIRED] = int(reply_required)
            if replied is not None:
                state[REPLIED] = int(replied)
            if satisfaction is not None:
                state[SATISFACTION] = satisfaction
            if counted is not None:
                state[COUNTED] = int(counted)
            state[OBSERVED] = at
        for column, values in (facts.get("extra") or {}).items():
            for row, value in zip(facts["rows"], values, strict=True):
                order_id = fact_values(row)[0]
                if value is not None and order_id not in stale:
                    self.extra.setdefault(order_id, {})[column] = value

    def screen(self, order_id: str, rate: str) -> None:
        """Take a known order out of ``rate`` (an unknown one is not screened: the read model has no row)."""
        state = self.orders.get(order_id)
        if state is not None:
            state[SCREENED] = state[SCREENED] | {rate}


def _state_facts(state: list[Any], unit: str | None, dispatched: str | None, due: str | None,
                 completed: str | None) -> None:
    """The order's unit and times as a fact states them (``""`` for the completion time reopens the order)."""
    if unit is not None:
        state[UNIT] = unit
    if dispatched is not None:
        state[DISPATCHED] = dispatched
    if due is not None:
        state[DUE] = due
    if completed is not None:
        state[COMPLETED] = completed or None


def order_book(events: list[dict[str, Any]], chunks: dict[int, dict[str, Any]]) -> OrderBook:
    """The orders of a proof file's ``events`` in order: the chunks (``chunks``: notification id → parsed plain
    JSON) merged, the accepted screenings applied where they fall."""
    book = OrderBook()
    screenings: dict[str, tuple[str, str]] = {}  # dispute id → (order id, rate code)
    for e in events:
        facts = chunks.get(e["notification_id"])
        if facts is not None:
            book.record(facts)
        elif e["topic"] == _OPENED:
            opened = json.loads(e["plain"])
            if opened.get("subject") == "workorder" and opened.get("rate"):
                screenings[e["originator_id"]] = (opened["target"], opened["rate"])
        elif e["topic"] == _DECIDED and e["originator_id"] in screenings:
            if json.loads(e["plain"]).get("decision") == "accept":
                book.screen(*screenings[e["originator_id"]])
    return book
