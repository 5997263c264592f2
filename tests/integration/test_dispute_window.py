"""A ruleset's dispute deadline (``[disputes] working_days``) enforced by the application, on both backends."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.domain.errors import RuleViolation
from ledger.rulesets.loading import builtin_text


@pytest.fixture
def app(ledger: Any) -> Any:
    """Tai'an's rules for 2025 with disputes to be filed within 5 working days."""
    ledger.adopt_ruleset(2025, builtin_text() + "\n[disputes]\nworking_days = 5\n", "taian+deadline", "tester")
    return ledger


def occurrence(app: Any) -> str:
    return app.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 3), evidence="知识库抽查", actor="tester")


def disputes(app: Any) -> list[Any]:
    return app.refresh().db.execute("SELECT id FROM disputes").fetchall()


class TestDisputeDeadline:
    def test_a_dispute_filed_after_five_working_days_is_refused_and_nothing_is_recorded(self, app: Any) -> None:
        occ = occurrence(app)
        # Mon 3 March 2025 + 5 working days = Mon 10 March; the 11th is too late
        with pytest.raises(RuleViolation, match="by 2025-03-10"):
            app.open_dispute(event_id=occ, reason="非本单位责任", evidence="说明", actor="unit",
                             filed_on=date(2025, 3, 11))
        assert disputes(app) == []

    def test_a_dispute_filed_on_the_fifth_working_day_is_opened(self, app: Any) -> None:
        occ = occurrence(app)
        opened = app.open_dispute(event_id=occ, reason="非本单位责任", evidence="说明", actor="unit",
                                  filed_on=date(2025, 3, 10))
        assert [r[0] for r in disputes(app)] == [opened]

    def test_the_taian_ruleset_sets_no_deadline(self, ledger: Any) -> None:
        ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        occ = occurrence(ledger)
        opened = ledger.open_dispute(event_id=occ, reason="非本单位责任", evidence="说明", actor="unit",
                                     filed_on=date(2026, 3, 3))
        assert [r[0] for r in disputes(ledger)] == [opened]
