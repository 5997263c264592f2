"""The ledger application on a real store: recording, refusals that change nothing, reopening, rebuilding.

Expected figures are worked out by hand from RUBRIC.md in the comments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain.errors import RuleViolation, UnknownItem, UnknownUnit
from ledger.rulesets.loading import builtin_text
from ledger.usecases.imports.events_file import import_events_file
from ledger.usecases.imports.tabular import ImportRejected
from projections.documents import score_document, trace_document
from projections.reading import open_reading

YEAR_END = date(2025, 12, 31)


@pytest.fixture
def app(ledger: Any) -> Any:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
    return ledger


def events_in(app: Any) -> int:
    return app.recorder.max_notification_id() or 0


def documents(app: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    reading = open_reading(app, 2025, YEAR_END)
    scores = reading.scores()
    taishan = next(s for s in scores if s.unit == "taishan")
    return score_document(reading, scores), trace_document(reading, taishan)


def record(app: Any, item: str, count: int = 1, unit: str = "taishan", day: date = date(2025, 3, 4)) -> str:
    return app.record_occurrence(unit=unit, item=item, on=day, evidence="工单TA1", actor="tester", count=count)


def populate(app: Any) -> None:
    record(app, "2.2.1", count=3)
    record(app, "2.2.2", count=8, unit="daiyue")
    gone = record(app, "2.1")
    app.retract(gone, "录入错误", "tester")
    record(app, "5.1", unit="xintai")
    app.assess(unit="taishan", item="1.2.1", points=Decimal("0.8"), on=date(2025, 6, 1), evidence="表",
               actor="tester")


class TestRecording:
    def test_occurrences_recorded_through_the_application_are_scored(self, app):
        populate(app)
        score = next(s for s in open_reading(app, 2025, YEAR_END).scores() if s.unit == "taishan")
        # pool 2.2: 7.00 − 3 × 0.10 = 6.70; 2.1 full 3.00 (its one lag was retracted); 1.2.1 assessed 0.80
        assert score.item("2.2").points == Decimal("6.70")
        assert score.item("2.1").points == Decimal("3.00")
        assert score.item("1.2.1").points == Decimal("0.80")

    @pytest.mark.parametrize(("kwargs", "error"), [
        ({"unit": "nowhere", "item": "2.1"}, UnknownUnit),
        ({"unit": "taishan", "item": "7.7"}, UnknownItem),
        ({"unit": "taishan", "item": "1.3"}, RuleViolation),  # an assessment item
        ({"unit": "taishan", "item": "2.1", "count": 0}, RuleViolation),
        ({"unit": "taishan", "item": "2.1", "evidence": ""}, RuleViolation),
    ])
    def test_a_refused_occurrence_writes_nothing(self, app, kwargs, error):
        before = events_in(app)
        args = {"on": date(2025, 3, 4), "evidence": "工单", "actor": "tester", **kwargs}
        with pytest.raises(error):
            app.record_occurrence(**args)
        assert events_in(app) == before

    def test_points_outside_0_to_max_are_refused_and_write_nothing(self, app):
        before = events_in(app)
        with pytest.raises(RuleViolation, match=r"outside 0\.\.0\.5"):
            app.assess(unit="taishan", item="1.1.1", points=Decimal("0.6"), on=date(2025, 6, 1), evidence="表",
                       actor="tester")
        assert events_in(app) == before


class TestImportEventsFile:
    def test_a_file_with_one_bad_row_applies_nothing(self, app, tmp_path):
        path = tmp_path / "e.csv"
        path.write_text("unit,item,date,count,evidence\n"
                        "taishan,2.1,2025-03-04,1,工单1\n"
                        "taishan,2.1,2025-03-04,1.5,工单2\n", encoding="utf-8")
        before = events_in(app)
        with pytest.raises(ImportRejected) as refused:
            import_events_file(app, str(path), "tester")
        assert [str(e) for e in refused.value.errors] == [
            f"{path}:3:count: count '1.5' is not a positive integer"]
        assert events_in(app) == before

    def test_a_year_with_no_ruleset_is_named_at_the_date_cell(self, app, tmp_path):
        path = tmp_path / "e.csv"
        path.write_text("unit,item,date,count,evidence\ntaishan,2.1,2024-03-04,1,工单1\n", encoding="utf-8")
        with pytest.raises(ImportRejected) as refused:
            import_events_file(app, str(path), "tester")
        (error,) = refused.value.errors
        assert (error.row, error.column) == (2, "date")
        assert "init --year 2024" in error.message

    def test_an_imported_file_scores_like_the_same_rows_recorded_one_by_one(self, app, tmp_path):
        path = tmp_path / "e.csv"
        path.write_text("unit,item,date,count,evidence\n" + "taishan,2.1,2025-03-04,1,工单\n" * 35,
                        encoding="utf-8")
        assert import_events_file(app, str(path), "tester")["new"] == 35
        line = next(s for s in open_reading(app, 2025, YEAR_END).scores() if s.unit == "taishan").item("2.1")
        # 3.00 − 35 × 0.10 = −0.50 → 0.00, 0.50 absorbed
        assert (line.points, line.absorbed) == (Decimal("0.00"), Decimal("0.50"))


class TestPersistence:
    def test_reopening_the_store_gives_identical_scores(self, app, store_url):
        from ledger.storage.store import parse_store
        from ledger.usecases.application import Ledger

        populate(app)
        score, trace = documents(app)
        reopened = Ledger(parse_store(store_url))
        try:
            assert documents(reopened) == (score, trace)
        finally:
            reopened.close()

    def test_the_read_model_rebuilt_from_scratch_equals_the_incremental_one(self, app, tmp_path):
        populate(app)
        path = tmp_path / "e.csv"
        path.write_text("unit,item,date,count,evidence\ntaishan,3.2.1.1,2025-05-31,45,汇总\n", encoding="utf-8")
        import_events_file(app, str(path), "tester")  # applied to the view as recorded, not decoded back
        incremental = documents(app)
        app.view.reset()
        assert documents(app) == incremental

