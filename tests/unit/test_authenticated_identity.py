"""``authenticated_as`` is stamped where events are stored: a use case's caller cannot choose it.

In memory (fast): the store's identity is the OS account; the web service's login, set around a
request with ``ledger.storage.identity.authenticated``, takes its place for that request only.
"""

from __future__ import annotations

import os
import pwd
import threading
import uuid
from datetime import date

import pytest
from eventsourcing.persistence import StoredEvent

from events.occurrences import OccurrenceRecorded
from ledger.aggregates import Occurrence
from ledger.rulesets.loading import builtin_text
from ledger.storage.identity import authenticated

OS_USER = pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture
def app(memory_ledger):
    memory_ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "王五")
    return memory_ledger


def _stored(app, oid):
    return app.mapper.to_domain_event(next(n for n in app.recorder.select_notifications(start=1, limit=100)
                                           if n.originator_id == oid))


def test_an_event_built_with_another_authenticated_as_is_stored_with_the_stores_own(app):
    fields = app.occurrence_fields("taishan", "2.1", date(2025, 3, 1), 1, "工单TA1")
    forged = Occurrence._create(OccurrenceRecorded, id=uuid.uuid4(), **fields, attachments=(), recorded_by="张三",
                                authenticated_as="director")
    app.save(forged)
    event = _stored(app, forged.id)
    assert (event.recorded_by, event.authenticated_as) == ("张三", OS_USER)


def test_a_web_request_login_is_stamped_for_that_request_only(app):
    with authenticated("web:clerk07"):
        inside = app.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 1), evidence="E1", actor="张三")
    outside = app.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 2), evidence="E2", actor="张三")
    log = {e["id"]: e for e in _log(app)}
    assert log[inside]["authenticated_as"] == "web:clerk07"
    assert log[outside]["authenticated_as"] == OS_USER


def test_concurrent_requests_never_see_each_others_login(app):
    ids: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def request(login: str) -> None:
        with authenticated(login):
            barrier.wait()  # both logins are set before either records
            ids[login] = app.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 1), evidence=login,
                                               actor="张三")

    threads = [threading.Thread(target=request, args=(login,)) for login in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = {e["id"]: e for e in _log(app)}
    assert {login: log[i]["authenticated_as"] for login, i in ids.items()} == {"alice": "alice", "bob": "bob"}


def test_an_event_in_the_old_shape_decodes_with_no_authenticated_identity(app):
    old = (b'{"timestamp":"2025-03-01T02:00:00+00:00","recorded_by":"\xe5\xbc\xa0\xe4\xb8\x89",'
           b'"originator_topic":"ledger.aggregates:Occurrence","unit":"taishan","item":"2.1","year":2025,'
           b'"date":"2025-03-01","count":1,"evidence":"E1","note":"","attachments":[]}')
    event = app.mapper.to_domain_event(StoredEvent(uuid.uuid4(), 1, "events.occurrences:OccurrenceRecorded", old))
    assert (event.recorded_by, event.authenticated_as) == ("张三", None)


def _log(app):
    from projections.ledger_log import log_entries

    return log_entries(app.refresh().db)
