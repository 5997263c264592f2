"""A first end-to-end check on both backends: the recorded deductions come out in the score."""

from __future__ import annotations

from tests.conftest import items_of, unit_of


def test_three_deductions_of_0_10_take_exactly_0_30_from_pool_2_2(cli):
    assert cli("init", "--year", 2025).exit_code == 0
    for day in ("2025-03-01", "2025-03-02", "2025-03-03"):
        cli.json("record", "--unit", "泰山区", "--item", "2.2.1", "--date", day, "--evidence", f"工单{day}")
    doc = cli.json("score", "--year", 2025, "--as-of", "2025-12-31")
    items = items_of(unit_of(doc, "taishan"))
    # 7.00 − 3 × 0.10 = 6.70
    assert items["2.2"]["points"] == "6.70"
    assert items["2.2.1"]["deducted"] == "0.30"
    assert len(items["2.2.1"]["events"]) == 3
