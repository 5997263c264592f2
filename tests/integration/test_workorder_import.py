"""Importing work-order exports into a real store: facts only for what changed, never a rollback, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from ledger.usecases.imports.tabular import ImportRejected
from ledger.usecases.imports.workorder_import import import_workorders
from projections.documents import score_document
from projections.reading import open_reading
from tests.integration.test_rates import HEADER, order, write_export

DATA = Path(__file__).parent.parent / "data"
YEAR_END = date(2025, 12, 31)


@pytest.fixture
def app(ledger: Any) -> Any:
    """The ledger with the Tai'an ruleset adopted for 2025."""
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
    return ledger


def last_id(app: Any) -> int:
    """The store's last notification id: unchanged means nothing was recorded."""
    return app.recorder.max_notification_id() or 0


def stored(app: Any, order_id: str) -> dict[str, Any]:
    """The read model's current state of one order."""
    row = app.refresh().db.execute("SELECT * FROM workorders WHERE order_id=?", (order_id,)).fetchone()
    return dict(row)


def scores(app: Any, as_of: date = YEAR_END) -> dict[str, Any]:
    """``score --format json`` as a document, for comparing two ledgers' states."""
    reading = open_reading(app, 2025, as_of)
    doc = score_document(reading, reading.scores())
    return {u["unit"]: u for u in doc["units"]}


APRIL = [  # as exported on 2025-04-20: TA2 still open and unrated
    order("TA1", "泰山区", completed="2025-04-03 10:00:00"),
    order("TA2", "泰山区", dispatched="2025-04-10 09:00:00", due="2025-04-17 09:00:00", completed="",
          replied="否", satisfaction="未评价"),
    order("TA3", "岱岳区", satisfaction="不满意"),
]
MAY = [  # as exported on 2025-05-20: TA2 completed (late), replied and rated; TA4 is new
    order("TA1", "泰山区", completed="2025-04-03 10:00:00"),
    order("TA2", "泰山区", dispatched="2025-04-10 09:00:00", due="2025-04-17 09:00:00",
          completed="2025-04-18 16:00:00", replied="是", satisfaction="基本满意"),
    order("TA3", "岱岳区", satisfaction="不满意"),
    order("TA4", "岱岳区", dispatched="2025-05-02 08:00:00", due="2025-05-09 08:00:00",
          completed="2025-05-05 08:00:00"),
]


class TestRecordingOnlyWhatChanged:
    def test_the_first_import_records_every_order_as_new(self, app, tmp_path):
        counts = import_workorders(app, write_export(tmp_path / "april.csv", APRIL), "tester")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (3, 0, 0)
        assert stored(app, "TA2")["completed_at"] is None
        assert stored(app, "TA2")["unit"] == "taishan"

    def test_importing_the_same_file_twice_changes_nothing(self, app, tmp_path):
        path = write_export(tmp_path / "april.csv", APRIL)
        import_workorders(app, path, "tester")
        before, scored = last_id(app), scores(app)

        counts = import_workorders(app, path, "tester")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 3)
        assert last_id(app) == before
        assert scores(app) == scored

    def test_a_later_export_records_only_the_orders_that_changed(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "april.csv", APRIL), "tester", exported_at="2025-04-20T00:00:00")

        counts = import_workorders(app, write_export(tmp_path / "may.csv", MAY), "tester",
                                   exported_at="2025-05-20T00:00:00")

        # TA1 and TA3 are identical; TA2 was completed, replied and rated; TA4 is new.
        assert (counts["new"], counts["changed"], counts["unchanged"]) == (1, 1, 2)
        ta2 = stored(app, "TA2")
        assert (ta2["completed_at"], ta2["replied"], ta2["satisfaction"]) == ("2025-04-18T16:00:00", 1, "基本满意")

    def test_importing_last_months_export_after_this_months_does_not_roll_an_order_back(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "may.csv", MAY), "tester", exported_at="2025-05-20T00:00:00")
        before, scored = last_id(app), scores(app)

        counts = import_workorders(app, write_export(tmp_path / "april.csv", APRIL), "tester",
                                   exported_at="2025-04-20T00:00:00")

        # TA2 differs but is older than what the ledger knows: stale, nothing recorded.
        assert (counts["new"], counts["changed"], counts["unchanged"], counts["stale"]) == (0, 0, 2, 1)
        assert stored(app, "TA2")["completed_at"] == "2025-04-18T16:00:00"
        assert last_id(app) == before
        assert scores(app) == scored

    def test_without_an_export_time_the_files_latest_time_orders_the_facts(self, app, tmp_path):
        # May's latest time (TA2's completion 2025-04-18T16:00, TA4's dispatch 2025-05-02T08:00) is later
        # than April's (TA2's dispatch 2025-04-10T09:00): April after May is stale for TA2.
        import_workorders(app, write_export(tmp_path / "may.csv", MAY), "tester")

        counts = import_workorders(app, write_export(tmp_path / "april.csv", APRIL), "tester")

        assert counts["stale"] == 1
        assert stored(app, "TA2")["satisfaction"] == "基本满意"

    def test_the_files_export_time_column_orders_the_facts(self, app, tmp_path):
        header = [*HEADER, "导出时间"]
        may = [[*row, "2025-05-20 08:00:00"] for row in MAY]
        april = [[*row, "2025-04-20 08:00:00"] for row in APRIL]
        import_workorders(app, write_export(tmp_path / "may.csv", may, header), "tester")

        counts = import_workorders(app, write_export(tmp_path / "april.csv", april, header), "tester")

        assert counts["exported_at"] == "2025-04-20T08:00:00"
        assert counts["stale"] == 1
        assert stored(app, "TA2")["completed_at"] == "2025-04-18T16:00:00"

    def test_a_column_absent_from_a_later_export_changes_nothing(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "may.csv", MAY), "tester", exported_at="2025-05-20T00:00:00")
        without_satisfaction = [c for c in HEADER if c != "满意度"]
        index = HEADER.index("满意度")
        june = [[*row[:index], *row[index + 1:]] for row in MAY]

        counts = import_workorders(app, write_export(tmp_path / "june.csv", june, without_satisfaction), "tester",
                                   exported_at="2025-06-20T00:00:00")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 4)
        assert stored(app, "TA3")["satisfaction"] == "不满意"

    def test_an_emptied_completion_time_reopens_the_order(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "may.csv", MAY), "tester", exported_at="2025-05-20T00:00:00")
        reopened = [order("TA1", "泰山区", completed="")]

        counts = import_workorders(app, write_export(tmp_path / "june.csv", reopened), "tester",
                                   exported_at="2025-06-20T00:00:00")

        assert counts["changed"] == 1
        assert stored(app, "TA1")["completed_at"] is None


class TestAllOrNothing:
    def test_a_file_with_bad_rows_applies_nothing_and_lists_every_bad_row(self, app, tmp_path):
        import_workorders(app, write_export(tmp_path / "april.csv", APRIL), "tester")
        before, scored = last_id(app), scores(app)
        rows = [*MAY, order("TA5", "泰山县"), order("TA6", "泰山区", due="next week"),
                order("TA7", "泰山区", satisfaction="很满意")]
        path = write_export(tmp_path / "bad.csv", rows)

        with pytest.raises(ImportRejected) as refused:
            import_workorders(app, path, "tester")

        assert [str(e) for e in refused.value.errors] == [
            f"{path}:6:承办单位: unknown unit '泰山县'",
            f"{path}:7:办结时限: not a time: 'next week' (expected YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)",
            f"{path}:8:满意度: '很满意' is not a satisfaction label of the ruleset (满意, 基本满意, 不满意, 未评价)",
        ]
        assert last_id(app) == before
        assert scores(app) == scored
        assert stored(app, "TA2")["completed_at"] is None


class TestFileFormats:
    def test_the_libreoffice_xlsx_export_imports_the_same_as_the_csv(self, app, tmp_path):
        import_workorders(app, str(DATA / "workorders_small.csv"), "tester")
        scored = scores(app)

        counts = import_workorders(app, str(DATA / "workorders_small_libreoffice.xlsx"), "tester")

        # Every fact of the spreadsheet is already known from the CSV.
        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 6)
        assert scores(app) == scored

    def test_the_small_export_scores_as_computed_by_hand(self, app, tmp_path):
        import_workorders(app, str(DATA / "workorders_small.csv"), "tester")

        doc = scores(app)

        # 岱岳区 TA…0002: rated 不满意 → 0 / 1 = 0 %, 90 points below: 20 − 18 = 2.00; replied 否 → 0 / 1,
        # 10 − 100 × 0.1 = 0.00; completed 04-11 08:30 after its due time 04-10 23:59:59 → 0 / 1 → 0.00.
        daiyue = {i["code"]: i for s in doc["daiyue"]["sections"] for i in s["items"]}
        assert (daiyue["2.3.2"]["points"], daiyue["2.3.3"]["points"], daiyue["2.3.4"]["points"]) == (
            "2.00", "0.00", "0.00")
        # 高新区's only order is 是否计入统计 = 否: every rate pending, V = 0 of Vmax 1 → (0.6 + 0) × 5 = 3.00.
        gaoxin = {i["code"]: i for s in doc["gaoxin"]["sections"] for i in s["items"]}
        assert [gaoxin[c]["status"] for c in ("2.3.2", "2.3.3", "2.3.4")] == ["pending"] * 3
        assert gaoxin["2.3.1"]["points"] == "3.00"
        # 景区's order is 未评价: pending on 2.3.2.
        jingqu = {i["code"]: i for s in doc["jingqu"]["sections"] for i in s["items"]}
        assert jingqu["2.3.2"]["status"] == "pending"

    def test_a_gb18030_export_imports_the_same_as_utf8(self, app, tmp_path):
        utf8 = write_export(tmp_path / "utf8.csv", MAY)
        gb = tmp_path / "gb18030.csv"
        gb.write_bytes(Path(utf8).read_text(encoding="utf-8").encode("gb18030"))
        import_workorders(app, str(gb), "tester")
        scored = scores(app)

        counts = import_workorders(app, utf8, "tester")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 4)
        assert scores(app) == scored
        assert stored(app, "TA2")["satisfaction"] == "基本满意"

    def test_a_utf8_export_with_a_bom_imports_the_same(self, app, tmp_path):
        utf8 = write_export(tmp_path / "utf8.csv", MAY)
        bom = tmp_path / "bom.csv"
        bom.write_bytes(b"\xef\xbb\xbf" + Path(utf8).read_bytes())
        import_workorders(app, utf8, "tester")

        counts = import_workorders(app, str(bom), "tester")

        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 4)


class TestReplay:
    def test_a_rebuilt_read_model_holds_the_same_orders_and_tallies(self, app, tmp_path):
        # The import applies its chunks from memory; a rebuild decodes them back from the store.
        import_workorders(app, write_export(tmp_path / "april.csv", APRIL), "tester", exported_at="2025-04-20T00:00:00")
        import_workorders(app, write_export(tmp_path / "may.csv", MAY), "tester", exported_at="2025-05-20T00:00:00")
        import_workorders(app, write_export(tmp_path / "april2.csv", APRIL), "tester",
                          exported_at="2025-04-20T00:00:00")
        scored = scores(app)
        view = app.refresh()
        tables = ("SELECT * FROM workorders ORDER BY order_id",
                  "SELECT * FROM workorder_tallies ORDER BY unit, day, measure")
        before = [[tuple(r) for r in view.db.execute(sql)] for sql in tables]

        view.reset()

        after = [[tuple(r) for r in app.refresh().db.execute(sql)] for sql in tables]
        assert after == before
        assert len(after[0]) == 4 and len(after[1]) > 0
        assert scores(app) == scored

