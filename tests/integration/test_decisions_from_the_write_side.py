"""Decisions come from the aggregates in the event store, never from the read model (issue 12).

The read model is only an index for reading: with it switched off, every decision about a record
named by its whole id — retractable? already disputed? decided already? — is still made, and
made right, from the events themselves.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from events.disputes import DisputeOpened
from ledger.domain.errors import NotFound, RuleViolation
from ledger.rulesets.loading import builtin_text
from ledger.storage.store import parse_store
from ledger.usecases.application import Ledger
from ledger.usecases.imports.workorder_import import import_workorders
from projections.view import View
from tests.conftest import PG_URL, Cli, _pg_connect, read_model
from tests.integration.test_rates import order, write_export


@pytest.fixture
def blind(ledger: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The ledger with a year and one occurrence recorded, and its read model switched off afterwards."""
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    ledger.occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1",
                                          count=1, actor="centre")
    ledger.assessment = ledger.assess(unit="taishan", item="1.1.1", points=Decimal("0.5"),
                                      on=date(2025, 12, 20), evidence="年终检查", actor="centre")

    def no_reading(*_: Any, **__: Any) -> None:
        raise AssertionError("a decision read the read model")

    monkeypatch.setattr(View, "catch_up", no_reading)
    return ledger


def test_a_second_open_dispute_is_refused_from_the_events_alone(blind: Any) -> None:
    first = blind.open_dispute(event_id=blind.occ, reason="已更新", evidence="截图", actor="unit")

    with pytest.raises(RuleViolation, match=f"already has an open dispute {first}"):
        blind.open_dispute(event_id=blind.occ, reason="再次申诉", evidence="截图", actor="unit")


def test_after_a_decision_the_next_dispute_gets_the_next_number(blind: Any) -> None:
    first = blind.open_dispute(event_id=blind.occ, reason="已更新", evidence="截图", actor="unit")
    blind.decide_dispute(dispute_id=first, decision="reject", reason="不属实", actor="centre")

    second = blind.open_dispute(event_id=blind.occ, reason="补充材料", evidence="录音", actor="unit")

    assert second != first
    with pytest.raises(RuleViolation, match="already decided"):
        blind.decide_dispute(dispute_id=first, decision="accept", reason="改判", actor="centre")


def test_a_retraction_is_decided_from_the_occurrence_itself(blind: Any) -> None:
    blind.retract(blind.occ, "录入错误", "centre")

    with pytest.raises(RuleViolation, match="already retracted"):
        blind.retract(blind.occ, "再次撤回", "centre")
    with pytest.raises(RuleViolation, match="is retracted: there is nothing to dispute"):
        blind.open_dispute(event_id=blind.occ, reason="x", evidence="y", actor="unit")


def test_an_assessment_named_by_its_whole_id_is_not_disputed(blind: Any) -> None:
    with pytest.raises(RuleViolation, match="assessments are not disputed"):
        blind.open_dispute(event_id=blind.assessment, reason="x", evidence="y", actor="unit")


def test_an_id_of_another_kind_of_record_is_not_retracted(blind: Any) -> None:
    did = blind.open_dispute(event_id=blind.occ, reason="已更新", evidence="截图", actor="unit")

    with pytest.raises(NotFound, match="another kind"):
        blind.retract(did, "撤回", "centre")
    with pytest.raises(NotFound, match="no occurrence with id"):
        blind.retract("00000000-0000-0000-0000-000000000001", "撤回", "centre")


@pytest.mark.parametrize("given", ["%%%%%%%%", "________", "%", "zzzzzzzz"])
def test_an_id_is_never_a_wildcard(ledger: Any, given: str) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=1,
                             actor="centre")

    with pytest.raises(NotFound):
        ledger.retract(given, "撤回", "centre")


# ── work orders: re-imports, screenings and filing windows decided from the store (issue 12, item 3) ──

APRIL = [  # as exported on 2025-04-20: TA2 still open
    order("TA1", "泰山区", completed="2025-04-03 10:00:00"),
    order("TA2", "泰山区", dispatched="2025-04-10 09:00:00", due="2025-04-17 09:00:00", completed="",
          replied="否", satisfaction="未评价"),
    order("TA3", "岱岳区", satisfaction="不满意"),
]
MAY = [  # TA2 completed and rated since; TA4 is new
    order("TA1", "泰山区", completed="2025-04-03 10:00:00"),
    order("TA2", "泰山区", dispatched="2025-04-10 09:00:00", due="2025-04-17 09:00:00",
          completed="2025-04-18 16:00:00", replied="是", satisfaction="基本满意"),
    order("TA3", "岱岳区", satisfaction="不满意"),
    order("TA4", "岱岳区", dispatched="2025-05-02 08:00:00", due="2025-05-09 08:00:00",
          completed="2025-05-05 08:00:00"),
]


def counts_of(result: dict[str, Any]) -> tuple[int, int, int]:
    return result["new"], result["changed"], result["unchanged"]


@pytest.fixture
def orders(ledger: Any, tmp_path: Path) -> Any:
    """The ledger with 2025 adopted (disputes within 5 working days) and April's export imported."""
    ledger.adopt_ruleset(2025, builtin_text() + "\n[disputes]\nworking_days = 5\n", "taian+deadline", "admin")
    ledger.april = write_export(tmp_path / "april.csv", APRIL)
    ledger.may = write_export(tmp_path / "may.csv", MAY)
    assert counts_of(import_workorders(ledger, ledger.april, "centre")) == (3, 0, 0)
    return ledger


def tamper_read_model(store_url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the read model's rows behind the ledger's back: its position stays, so no catch-up repairs it."""
    with read_model(store_url) as db:
        db.execute(sql, params)


@contextmanager
def reopened_without_read_model(app: Any, store_url: str) -> Iterator[Any]:
    """The store opened again after its read model was deleted (SQLite's file) or dropped (PostgreSQL's schema)."""
    app.close()
    if store_url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(os.environ["HOTLINE_LEDGER_VIEWS"] + suffix).unlink(missing_ok=True)
    else:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA "{parse_store(store_url).views_schema}" CASCADE')
    again = Ledger(parse_store(store_url))
    again.april, again.may = app.april, app.may
    try:
        yield again
    finally:
        again.close()


class TestReimportDecidedFromTheStore:
    def test_a_reimport_after_the_read_model_is_deleted_finds_nothing_new(self, orders: Any, store_url: str) -> None:
        with reopened_without_read_model(orders, store_url) as app:
            before = app.recorder.max_notification_id()

            assert counts_of(import_workorders(app, app.april, "centre")) == (0, 0, 3)
            assert app.recorder.max_notification_id() == before  # nothing recorded

            # May: TA4 new; TA2 completed, replied, rated; TA1 and TA3 as they were.
            assert counts_of(import_workorders(app, app.may, "centre")) == (1, 1, 2)

    def test_a_reimport_is_decided_right_when_the_read_model_lost_rows(self, orders: Any, store_url: str) -> None:
        tamper_read_model(store_url, "DELETE FROM workorders WHERE order_id IN ('TA1', 'TA3')")

        # The read model would call TA1 and TA3 new; the store knows them.
        assert counts_of(import_workorders(orders, orders.may, "centre")) == (1, 1, 2)

    def test_a_reimport_is_decided_right_when_the_read_model_holds_other_values(
            self, orders: Any, store_url: str) -> None:
        # The read model says TA2 is completed already (as May's export says): from it, TA2 would be unchanged.
        tamper_read_model(store_url, "UPDATE workorders SET completed_at='2025-04-18T16:00:00', replied=1, "
                                     "satisfaction='基本满意' WHERE order_id='TA2'")

        assert counts_of(import_workorders(orders, orders.may, "centre")) == (1, 1, 2)

    def test_an_order_known_only_to_the_read_model_is_new_to_the_store(self, orders: Any, store_url: str) -> None:
        tamper_read_model(store_url, "INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, "
                                     "reply_required, replied, satisfaction, counted, observed_at) VALUES "
                                     "('TA4', 'daiyue', '2025-05-02T08:00:00', '2025-05-09T08:00:00', "
                                     "'2025-05-05T08:00:00', 1, 1, '满意', 1, '2025-04-20T00:00:00')")

        assert counts_of(import_workorders(orders, orders.may, "centre"))[0] == 1


class TestScreeningDecidedFromTheStore:
    def test_an_order_the_read_model_lost_is_still_screened_for_its_own_unit(
            self, orders: Any, store_url: str) -> None:
        tamper_read_model(store_url, "DELETE FROM workorders WHERE order_id='TA3'")
        tamper_read_model(store_url, "UPDATE workorders SET unit='taishan' WHERE order_id='TA1'")

        orders.open_screening(order_id="TA3", rate="satisfaction", reason="恶意差评", evidence="录音",
                              actor="daiyue", filed_on=date(2025, 4, 8))
        orders.open_screening(order_id="TA1", rate="reply", reason="无需回复", evidence="说明", actor="taishan",
                              filed_on=date(2025, 4, 8))

        opened = {e.target: e.unit for e in orders.recorded(DisputeOpened)}
        assert opened == {"TA3": "daiyue", "TA1": "taishan"}

    def test_an_order_only_the_read_model_holds_is_not_screened(self, orders: Any, store_url: str) -> None:
        tamper_read_model(store_url, "INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, "
                                     "counted, observed_at) VALUES ('TA9', 'taishan', '2025-04-01T09:00:00', "
                                     "'2025-04-08T09:00:00', '2025-04-03T10:00:00', 1, '2025-04-20T00:00:00')")

        with pytest.raises(NotFound, match="no work order 'TA9'"):
            orders.open_screening(order_id="TA9", rate="satisfaction", reason="x", evidence="y", actor="taishan",
                                  filed_on=date(2025, 4, 8))
        assert list(orders.recorded(DisputeOpened)) == []

    def test_the_filing_window_counts_from_the_completion_the_store_holds(self, orders: Any, store_url: str) -> None:
        # The read model says TA1 was completed on 15 April: from it, a screening filed on the 14th is in time.
        # The store says Thu 3 April; with 4-6 April the 清明 holidays, 5 working days end on Fri 11 April
        # (7, 8, 9, 10, 11), so the 14th is too late.
        tamper_read_model(store_url, "UPDATE workorders SET completed_at='2025-04-15T10:00:00' WHERE order_id='TA1'")

        with pytest.raises(RuleViolation, match="by 2025-04-11"):
            orders.open_screening(order_id="TA1", rate="satisfaction", reason="x", evidence="y", actor="taishan",
                                  filed_on=date(2025, 4, 14))
        assert list(orders.recorded(DisputeOpened)) == []

    def test_a_calendar_ruling_the_read_model_lost_still_moves_the_deadline(self, orders: Any, store_url: str) -> None:
        occ = orders.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 3), evidence="抽查", count=1,
                                       actor="centre")
        orders.rule_calendar(day=date(2025, 3, 5), workday=False, evidence="市政府通知", actor="centre")
        orders.refresh()
        tamper_read_model(store_url, "DELETE FROM calendar_rulings")

        # Mon 3 March + 5 working days, Wed 5 March a holiday by ruling: 4, 6, 7, 10, 11 → Tue 11 March.
        did = orders.open_dispute(event_id=occ, reason="非本单位责任", evidence="说明", actor="taishan",
                                  filed_on=date(2025, 3, 11))
        assert [e.originator_id for e in orders.recorded(DisputeOpened)] == [UUID(did)]

    def test_screening_and_its_window_never_read_the_read_model(self, orders: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
        def no_reading(*_: Any, **__: Any) -> None:
            raise AssertionError("a decision read the read model")

        monkeypatch.setattr(type(orders), "view", property(no_reading))
        monkeypatch.setattr(type(orders), "refresh", no_reading)

        orders.open_screening(order_id="TA1", rate="satisfaction", reason="x", evidence="y", actor="taishan",
                              filed_on=date(2025, 4, 11))
        with pytest.raises(RuleViolation, match="already has an open screening"):
            orders.open_screening(order_id="TA1", rate="satisfaction", reason="x", evidence="y", actor="taishan",
                                  filed_on=date(2025, 4, 11))


# ── the order index itself: checked by verify, protected, built for older stores, carried by export ──

def store_sql(app: Any, store_url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run SQL on the store's own tables, as its owner would with a database client ({t}: the order index)."""
    sql = sql.format(t=app.recorder.order_index_table)
    if store_url.startswith("sqlite"):
        db = sqlite3.connect(parse_store(store_url).env["SQLITE_DBNAME"])
        with db:
            db.execute(sql, params)
        db.close()
        return
    with _pg_connect() as conn:
        conn.execute(f'SET search_path TO "{parse_store(store_url).env["POSTGRES_SCHEMA"]}"')
        conn.execute(sql.replace("?", "%s"), params)


def index_problems(app: Any) -> list[str]:
    from ledger.storage.audit import audit

    report = audit(app)
    return [p for p in report["problems"] if p.startswith("ORDER INDEX")]


class TestTheOrderIndex:
    def test_verify_finds_the_index_equal_to_a_replay(self, orders: Any) -> None:
        import_workorders(orders, orders.may, "centre")

        assert index_problems(orders) == []

    def test_verify_names_a_forged_row_of_the_index(self, orders: Any, store_url: str) -> None:
        # A later row for TA1 would make it another unit's order, for every decision from now on.
        store_sql(orders, store_url, "INSERT INTO {t} VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                  ("TA1", 999, "daiyue", "2025-04-01T09:00:00", "2025-04-08T09:00:00", "2025-04-03T10:00:00",
                   1, 1, "满意", 1, "2025-04-20T00:00:00", None))

        [problem] = index_problems(orders)
        assert "order TA1" in problem and "unit=daiyue" in problem and "edited?" in problem

    def test_the_verify_command_exits_1_naming_the_forged_order(self, orders: Any, store_url: str) -> None:
        store_sql(orders, store_url, "INSERT INTO {t} (order_id, nid, unit) VALUES (?,?,?)", ("TA2", 999, "daiyue"))

        result = Cli(store_url)("verify")

        assert result.exit_code == 1
        assert "ORDER INDEX: order TA2" in result.stderr
        assert "Traceback" not in result.output

    def test_verify_names_an_order_the_index_gives_that_no_fact_does(self, orders: Any, store_url: str) -> None:
        store_sql(orders, store_url, "INSERT INTO {t} (order_id, nid, unit) VALUES (?,?,?)", ("TA9", 3, "taishan"))

        [problem] = index_problems(orders)
        assert "order TA9 is in the order index but in no work-order fact" in problem

    def test_verify_names_an_order_missing_from_the_index_of_an_sqlite_store(self, orders: Any,
                                                                              store_url: str) -> None:
        if not store_url.startswith("sqlite"):
            pytest.skip("a PostgreSQL store refuses the DELETE (see the next test)")
        store_sql(orders, store_url, "DELETE FROM {t} WHERE order_id='TA2'")

        [problem] = index_problems(orders)
        assert "order TA2: the events give" in problem and "no row (deleted?)" in problem

    @pytest.mark.parametrize("change", ["UPDATE {t} SET unit='daiyue'", "DELETE FROM {t}", "TRUNCATE {t}"])
    def test_a_postgresql_store_refuses_to_change_the_index_even_to_its_owner(
            self, orders: Any, store_url: str, change: str) -> None:
        if store_url.startswith("sqlite"):
            pytest.skip("an SQLite store is one file: its permissions decide who may change it")
        import psycopg

        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="cannot be changed"):
            store_sql(orders, store_url, change)
        assert counts_of(import_workorders(orders, orders.april, "centre")) == (0, 0, 3)

    def test_a_store_older_than_the_index_has_it_built_from_its_events_when_opened(
            self, orders: Any, store_url: str) -> None:
        import_workorders(orders, orders.may, "centre")
        store_sql(orders, store_url, "DROP TABLE {t}")
        orders.close()

        again = Ledger(parse_store(store_url))
        try:
            assert again.recorder.order_index_exists()
            assert index_problems(again) == []
            # A second process that found it missing too creates it after the first: it finds it filled, adds nothing.
            again.recorder.create_order_index()
            assert index_problems(again) == []
            assert counts_of(import_workorders(again, orders.may, "centre")) == (0, 0, 4)
        finally:
            again.close()

    @pytest.mark.parametrize("target", ["sqlite", "postgres"])
    def test_a_ledger_moved_by_export_and_import_keeps_deciding_from_its_index(
            self, orders: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schema: str, target: str) -> None:
        from ledger.storage.backup import import_ledger
        from ledger.storage.export import write_export as export_ledger

        import_workorders(orders, orders.may, "centre")
        path = tmp_path / "ledger.jsonl"
        with path.open("w", encoding="utf-8") as out:
            export_ledger(orders, out)
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "moved.views"))
        url = f"sqlite:///{tmp_path}/moved.db" if target == "sqlite" else f"{PG_URL}?schema={schema}"
        moved = Ledger(parse_store(url))
        try:
            import_ledger(moved, str(path))

            assert index_problems(moved) == []
            assert counts_of(import_workorders(moved, orders.may, "centre")) == (0, 0, 4)
        finally:
            moved.close()


def test_the_in_memory_store_decides_a_reimport_from_its_index(memory_ledger: Any, tmp_path: Path) -> None:
    memory_ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    april, may = write_export(tmp_path / "april.csv", APRIL), write_export(tmp_path / "may.csv", MAY)

    assert counts_of(import_workorders(memory_ledger, april, "centre")) == (3, 0, 0)
    assert counts_of(import_workorders(memory_ledger, may, "centre")) == (1, 1, 2)
    assert counts_of(import_workorders(memory_ledger, may, "centre")) == (0, 0, 4)
    assert index_problems(memory_ledger) == []
