"""The aggregates on their own: each is created by its named class method, which derives a deterministic id and
refuses what its own fields make impossible; what it decides survives a save and a replay from the in-memory store."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from events.workorders import FACT_FIELDS, FactRow
from ledger.aggregates import (
    Account,
    Assessment,
    CalendarDay,
    CalendarYear,
    Dispute,
    EventsFile,
    LedgerAggregate,
    Notice,
    Occurrence,
    ReportSubmission,
    RulesetBook,
    Seal,
    WorkOrderBatch,
    ledger_id,
)
from ledger.domain.counts import MAX_COUNT
from ledger.domain.errors import Conflict, RuleViolation

TEXT = 'id = "taian"\n'
SHA = hashlib.sha256(TEXT.encode()).hexdigest()
ROW = FactRow("WO-1", "taishan", "2025-03-01T09:00:00", "2025-03-03T09:00:00", None, "1", None, None, "1")


def occurrence(**changed):
    fields = {"unit": "taishan", "item": "2.1", "year": 2025, "date": date(2025, 3, 1), "count": 1,
              "evidence": "工单TA1", "actor": "张三"} | changed
    return Occurrence.record(**fields)


def dispute(**changed):
    fields = {"id": Dispute.id_for("occurrence", "o1", None, 0), "subject": "occurrence", "target": "o1",
              "unit": "taishan", "item": "2.1", "reason": "not ours", "evidence": "回访录音",
              "actor": "泰山区"} | changed
    return Dispute.open(**fields)


def only_event(agg):
    (event,) = agg.collect_events()
    return event


class TestCreation:
    def test_the_generic_start_is_gone(self):
        assert not hasattr(LedgerAggregate, "start")

    def test_an_occurrence_is_recorded_with_a_new_id_and_its_fields(self):
        first, second = occurrence(), occurrence()
        event = only_event(first)
        assert first.id != second.id and (first.version, first.retracted) == (1, False)
        assert (event.unit, event.item, event.year, event.date, event.count) == ("taishan", "2.1", 2025,
                                                                                date(2025, 3, 1), 1)
        assert (event.evidence, event.note, event.attachments, event.batch, event.source) == ("工单TA1", "", (),
                                                                                              None, None)
        assert event.recorded_by == "张三" and event.originator_topic == "ledger.aggregates:Occurrence"

    def test_an_import_gives_an_occurrence_its_deterministic_id(self):
        row_id = ledger_id("events-row", "abc", 7)
        assert occurrence(id=row_id, batch="b1", source="e.csv:7").id == row_id

    def test_the_ids_that_derive_from_their_fields_are_derived(self):
        assert Notice.receive(unit="taishan", notice=" DB-7 ", received=date(2025, 3, 1), year=2025,
                              evidence="督办单", actor="a").id == ledger_id("notice", "DB-7")
        assert Account.open(login="clerk07", role="clerk", actor="root").id == ledger_id("account", "clerk07")
        assert CalendarDay.rule(day=date(2025, 10, 11), workday=True, evidence="国办发明电", actor="a"
                                ).id == ledger_id("calendar", "2025-10-11")
        assert CalendarYear.complete(year=2025, evidence="国办发明电", actor="a").id == ledger_id("calendar-year", 2025)
        assert WorkOrderBatch.record(batch="b1", chunk=3, source="x.csv", sha256="0" * 64,
                                     exported_at="2025-12-31T00:00:00", rows=[ROW], actor="a"
                                     ).id == ledger_id("workorders", "b1", 3)
        assert RulesetBook.adopt_first(year=2025, ruleset_id="taian", text=TEXT, sha256=SHA, source="built-in",
                                       actor="a").id == ledger_id("ruleset", 2025)
        assert EventsFile.record(sha256="f" * 64, name="e.csv", rows=2, again=1, actor="a"
                                 ).id == ledger_id("events-file", "f" * 64, 1)

    def test_a_notice_is_stored_with_its_id_trimmed(self):
        assert only_event(Notice.receive(unit="taishan", notice=" DB-7 ", received=date(2025, 3, 1), year=2025,
                                         evidence=" 督办单 ", actor="a")).notice == "DB-7"

    def test_a_seal_keeps_the_id_and_time_its_signature_covers(self):
        seal_id, at = uuid4(), datetime(2025, 12, 31, 8, 0, tzinfo=UTC)
        seal = Seal.seal(id=seal_id, timestamp=at, notification_id=42, head="ab" * 32, actor="a",
                         signature="c2ln", public_key="ed25519:a2V5", tree_size=42, tree_root="cd" * 32)
        event = only_event(seal)
        assert (seal.id, event.timestamp, event.notification_id, event.tree_size) == (seal_id, at, 42, 42)
        assert (event.signature, event.public_key, event.note) == ("c2ln", "ed25519:a2V5", "")

    def test_a_work_order_chunk_without_extra_columns_records_none(self):
        event = only_event(WorkOrderBatch.record(batch="b1", chunk=0, source="x.csv", sha256="0" * 64,
                                                 exported_at="2025-12-31T00:00:00", rows=[ROW], actor="a"))
        assert (event.rows, event.extra) == ([ROW], {})


class TestRefusedInvariants:
    @pytest.mark.parametrize("count", [0, -1, True, 1.0, MAX_COUNT + 1])
    def test_an_occurrence_counts_a_whole_number_from_one_to_the_most_a_record_carries(self, count):
        with pytest.raises(RuleViolation, match="count"):
            occurrence(count=count)

    def test_an_occurrence_of_the_largest_count_is_recorded(self):
        assert only_event(occurrence(count=MAX_COUNT)).count == MAX_COUNT

    def test_the_scoring_year_is_the_year_of_the_date(self):
        with pytest.raises(RuleViolation, match="the year 2024 is not the year of the date 2025-03-01"):
            occurrence(year=2024)
        with pytest.raises(RuleViolation, match="the year 2026 is not the year of the date 2025-03-01"):
            Notice.receive(unit="taishan", notice="DB-7", received=date(2025, 3, 1), year=2026, evidence="e", actor="a")

    @pytest.mark.parametrize("evidence", ["", "   "])
    def test_a_record_rests_on_evidence(self, evidence):
        with pytest.raises(RuleViolation, match="the evidence reference is empty"):
            occurrence(evidence=evidence)
        with pytest.raises(RuleViolation, match="the evidence reference is empty"):
            CalendarYear.complete(year=2025, evidence=evidence, actor="a")
        with pytest.raises(RuleViolation, match="the evidence reference is empty"):
            dispute(evidence=evidence)

    def test_an_occurrence_names_its_unit_and_item(self):
        with pytest.raises(RuleViolation, match="the unit is empty"):
            occurrence(unit=" ")
        with pytest.raises(RuleViolation, match="the item is empty"):
            occurrence(item="")

    @pytest.mark.parametrize("points", [Decimal("-0.01"), Decimal("NaN"), Decimal("Infinity")])
    def test_an_assessment_awards_a_finite_number_of_points_of_at_least_zero(self, points):
        with pytest.raises(RuleViolation, match="points must be a number of at least 0"):
            Assessment.record(unit="taishan", item="1.1", year=2025, date=date(2025, 12, 20), points=points,
                              evidence="考核记录", actor="a")

    def test_a_dispute_needs_a_reason(self):
        with pytest.raises(RuleViolation, match="a dispute needs a reason"):
            dispute(reason="  ")

    def test_a_screening_names_its_rate_and_a_dispute_of_an_occurrence_none(self):
        with pytest.raises(RuleViolation, match="a screening names the rate"):
            dispute(subject="workorder", target="WO-1")
        with pytest.raises(RuleViolation, match="a screening names the rate"):
            dispute(rate="satisfaction")
        assert only_event(dispute(subject="workorder", target="WO-1", rate="satisfaction")).rate == "satisfaction"

    def test_a_notice_has_an_id(self):
        with pytest.raises(RuleViolation, match="the notice id is empty"):
            Notice.receive(unit="taishan", notice="  ", received=date(2025, 3, 1), year=2025, evidence="e", actor="a")

    def test_a_report_is_for_a_period_of_its_year(self):
        with pytest.raises(RuleViolation, match="the period 2025-12 is not in the year 2026"):
            ReportSubmission.submit(unit="taishan", kind="monthly", period="2025-12", year=2026,
                                    date=date(2026, 1, 5), evidence="月报", actor="a")
        event = only_event(ReportSubmission.submit(unit="taishan", kind="monthly", period="2025-12", year=2025,
                                                   date=date(2026, 1, 5), evidence="月报", actor="a"))
        assert (event.period, event.year, event.date) == ("2025-12", 2025, date(2026, 1, 5))

    @pytest.mark.parametrize(("signed", "tree", "refusal"), [
        ({"signature": "c2ln"}, {}, "signed with a signature and its public key"),
        ({"public_key": "ed25519:a2V5"}, {}, "signed with a signature and its public key"),
        ({}, {"tree_size": 3}, "both a size and a root"),
        ({}, {"tree_root": "cd" * 32}, "both a size and a root"),
        ({}, {"notification_id": -1}, "a notification id of 0 or more"),
        ({}, {"head": ""}, "a notification id of 0 or more"),
    ])
    def test_a_seal_is_signed_wholly_or_not_at_all_and_names_a_whole_tree_head(self, signed, tree, refusal):
        fields = {"id": uuid4(), "timestamp": datetime.now(UTC), "notification_id": 3, "head": "ab" * 32,
                  "actor": "a"} | signed | tree
        with pytest.raises(RuleViolation, match=refusal):
            Seal.seal(**fields)

    @pytest.mark.parametrize(("role", "unit"), [("unit", None), ("clerk", "taishan")])
    def test_an_account_has_a_unit_exactly_when_it_is_a_units(self, role, unit):
        with pytest.raises(RuleViolation, match=f"the role {role} with the unit"):
            Account.open(login="x", role=role, unit=unit, actor="root")

    @pytest.mark.parametrize("login", ["", "Clerk07", " clerk07"])
    def test_an_account_is_opened_with_its_login_as_stored(self, login):
        with pytest.raises(RuleViolation, match="is not written as the ledger writes logins"):
            Account.open(login=login, role="clerk", actor="root")

    def test_a_ruleset_is_adopted_with_the_digest_of_its_text(self):
        with pytest.raises(RuleViolation, match="its sha256 is not the digest of its text"):
            RulesetBook.adopt_first(year=2025, ruleset_id="taian", text=TEXT, sha256="0" * 64, source="x", actor="a")
        book = RulesetBook.adopt_first(year=2025, ruleset_id="taian", text=TEXT, sha256=SHA, source="x", actor="a")
        book.collect_events()
        with pytest.raises(RuleViolation, match="its sha256 is not the digest of its text"):
            book.adopt(year=2025, ruleset_id="taian", text=TEXT + "# amended\n", sha256=SHA[::-1], source="x",
                       actor="a")
        assert (book.sha256, book.version, book.collect_events()) == (SHA, 1, [])  # nothing changed

    @pytest.mark.parametrize(("chunk", "rows", "refusal"), [
        (-1, [ROW], "a position of 0 or more"),
        (0, [], "at least one fact row"),
        (0, [ROW, ROW[:-1]], "fact row 2 is not a work-order fact"),
        (0, [[None, *ROW[1:]]], "fact row 1 is not a work-order fact"),
    ])
    def test_a_work_order_chunk_holds_whole_fact_rows(self, chunk, rows, refusal):
        assert len(ROW) == len(FACT_FIELDS)
        with pytest.raises(RuleViolation, match=refusal):
            WorkOrderBatch.record(batch="b1", chunk=chunk, source="x.csv", sha256="0" * 64,
                                  exported_at="2025-12-31T00:00:00", rows=rows, actor="a")

    def test_an_events_file_has_a_row_count_and_repeat_of_zero_or_more(self):
        with pytest.raises(RuleViolation, match="row count or repeat number"):
            EventsFile.record(sha256="f" * 64, name="e.csv", rows=-1, again=0, actor="a")


class TestReplay:
    """What an aggregate decided is what the store gives back: same state, same version."""

    @staticmethod
    def replayed(app, agg):
        app.save(agg)
        return app.repository.get(agg.id)

    def test_an_occurrence_retracted_is_replayed_retracted(self, memory_ledger):
        occ = occurrence()
        occ.retract("recorded twice", "李四")
        back = self.replayed(memory_ledger, occ)
        assert (type(back), back.version, back.retracted) == (Occurrence, 2, True)
        assert (back.unit, back.item, back.year, back.date) == ("taishan", "2.1", 2025, date(2025, 3, 1))
        with pytest.raises(RuleViolation, match="already retracted"):
            back.retract("again", "李四")

    def test_a_decided_dispute_is_replayed_decided(self, memory_ledger):
        d = dispute()
        d.decide("amend", 2, "two, not three", "中心")
        back = self.replayed(memory_ledger, d)
        assert (back.version, back.subject, back.target, back.decision) == (2, "occurrence", "o1", "amend")
        with pytest.raises(Conflict, match="already decided"):
            back.decide("reject", None, "again", "中心")

    def test_an_account_is_replayed_with_its_role_tokens_and_state(self, memory_ledger):
        account = Account.open(login="unit07", role="unit", unit="taishan", name="王五", actor="root")
        account.issue_token("t1", "", "root")
        account.issue_token("t2", "cron", "root")
        account.revoke_tokens("root")
        account.issue_token("t3", "", "root")
        account.disable("root")
        back = self.replayed(memory_ledger, account)
        assert (back.version, back.login, back.role, back.unit, back.name) == (6, "unit07", "unit", "taishan", "王五")
        assert (back.enabled, back.password_set, back.tokens) == (False, False, ("t3",))

    def test_a_notice_explained_is_replayed_explained(self, memory_ledger):
        notice = Notice.receive(unit="taishan", notice="DB-7", received=date(2025, 3, 1), year=2025,
                                evidence="督办单", actor="a")
        notice.explain(date(2025, 3, 4), "说明", "泰山区")
        back = self.replayed(memory_ledger, notice)
        assert (back.version, back.notice, back.received, back.explained) == (2, "DB-7", date(2025, 3, 1),
                                                                              date(2025, 3, 4))

    def test_a_ruling_changed_is_replayed_changed_and_the_same_ruling_again_changes_nothing(self, memory_ledger):
        day = CalendarDay.rule(day=date(2025, 10, 11), workday=True, evidence="国办发明电", actor="a")
        assert day.change(False, "更正", "a") is True
        back = self.replayed(memory_ledger, day)
        assert (back.version, back.workday) == (2, False)
        assert back.change(False, "again", "a") is False and back.collect_events() == []

    def test_a_ruleset_book_is_replayed_with_the_ruleset_last_adopted(self, memory_ledger):
        text = TEXT + "# amended\n"
        sha = hashlib.sha256(text.encode()).hexdigest()
        book = RulesetBook.adopt_first(year=2025, ruleset_id="taian", text=TEXT, sha256=SHA, source="x", actor="a")
        assert book.adopt(year=2025, ruleset_id="taian", text=text, sha256=sha, source="y", actor="a") is True
        back = self.replayed(memory_ledger, book)
        assert (back.version, back.year, back.text, back.sha256) == (2, 2025, text, sha)

    def test_an_aggregate_with_no_handlers_keeps_only_its_version(self, memory_ledger):
        year = CalendarYear.complete(year=2025, evidence="国办发明电", actor="a")
        back = self.replayed(memory_ledger, year)
        assert (type(back), back.id, back.version) == (CalendarYear, CalendarYear.id_for(2025), 1)

    def test_each_aggregate_dispatches_its_own_events_only(self):
        assert Occurrence.when is not Account.when  # registering on a shared ``when`` would cross-wire them
        occ = occurrence()
        only_event(occ)
        opened = only_event(Account.open(login="x", role="clerk", actor="root"))
        occ.when(opened)  # an event it registers nothing for changes nothing
        assert not hasattr(occ, "login") and occ.retracted is False
