"""What every aggregate of the ledger shares: deterministic ids, the ``when`` dispatch, the checks of their fields.

Each aggregate is created only by its own named class method (``Occurrence.record``, ``Dispute.open``,
``Account.open`` …, as eventsourcing's examples do): it takes the event's fields as keyword
parameters, derives the id where the id is deterministic (``id_for``) and refuses what its own
fields make impossible (a count below 1, an empty reason or evidence). Checks that need a
ruleset, the calendar or the store stay in the use cases that call it. The ``when`` handlers only
assign: they re-run on every replay, so they never read a clock, make an id, consult a ruleset or raise.

Stored topics: every creation event stores its aggregate's topic as ``originator_topic``, and the ledger's
events name ``ledger.aggregates:<class>`` (the aggregates were one module until they were split by what they
keep). Each aggregate class sets ``__module__ = TOPIC_MODULE`` so that new events keep writing those same
topic strings and old ledgers decode and pass the restore checks unchanged; ``ledger.aggregates`` imports
every aggregate class, so each topic also resolves. A move of these modules must keep both true. Import the
aggregates from ``ledger.aggregates``: eventsourcing imports a class's module while defining it, so a module
of aggregates imported first on its own meets its own import of ``ledger.aggregates`` half done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import BaseAggregate

from ledger.domain.counts import check_count
from ledger.domain.errors import RuleViolation
from ledger.translation import gettext as _

#: The module every aggregate class names as its own: the topics its events store (``ledger.aggregates:Occurrence``).
TOPIC_MODULE = "ledger.aggregates"


def ledger_id(*parts: object) -> UUID:
    """A deterministic id: the same parts always name the same aggregate (idempotent re-imports)."""
    return uuid5(NAMESPACE_URL, "/hotline-ledger/" + "/".join(str(p) for p in parts))


def ledger_ids(*parts: object) -> Callable[[object], UUID]:
    """``ledger_id(*parts, last)`` as a function of ``last``: the common parts are hashed once (a file's rows).

    The same ids as ``ledger_id``, made as ``uuid5`` makes them (SHA-1 of the namespace and the name).
    """
    common = hashlib.sha1(NAMESPACE_URL.bytes + ("/hotline-ledger/" + "".join(f"{p}/" for p in parts)).encode(),
                          usedforsecurity=False)

    def made(last: object) -> UUID:
        h = common.copy()
        h.update(str(last).encode())
        return UUID(bytes=h.digest()[:16], version=5)

    return made


def _changes_nothing(self: Any, event: object) -> None:
    """Events with no state to keep change nothing but the version."""


def handlers() -> singledispatchmethod[None]:
    """A fresh ``when`` for one aggregate class: ``when = handlers()``, then ``@when.register`` per event type.

    Each class needs its own: registering on an inherited ``when`` would add to every aggregate's registry.
    """
    return singledispatchmethod(_changes_nothing)


class LedgerAggregate(BaseAggregate[UUID]):
    """Common dispatch: each event calls the handler its class registered for its type (``@when.register``);
    an event none is registered for changes nothing but the version."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    when = handlers()


def required(value: str, empty: str) -> str:
    """``value`` stripped, or the refusal ``empty`` (an ``N_`` message, translated only when refused)."""
    if not value or not value.strip():
        raise RuleViolation(_(empty))
    return value.strip()


def checked_evidence(evidence: str) -> str:
    """The evidence reference stripped: a record always says what it rests on."""
    if not evidence or not evidence.strip():
        raise RuleViolation(_("the evidence reference is empty: say what the record rests on (--evidence)"))
    return evidence.strip()


def check_year_of(year: int, day: date) -> None:
    """Refuse a scoring year that is not the year of the date it is derived from."""
    if year != day.year:
        raise RuleViolation(_("the year {year} is not the year of the date {date}").format(year=year, date=day))


def check_digest(text: str, sha256: str) -> None:
    """Refuse a ruleset whose recorded digest is not that of its text (the identity ``init`` reports)."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
        raise RuleViolation(_("its sha256 is not the digest of its text"))


def check_positive_count(count: int) -> None:
    """Refuse a count that is not a whole number from 1 to ``MAX_COUNT``."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise RuleViolation(_("count must be a positive integer, not {count}").format(count=repr(count)))
    check_count(count)
