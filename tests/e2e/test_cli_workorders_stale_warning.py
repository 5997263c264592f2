"""A partial export whose inferred export time is older than the ledger's knowledge warns instead of
silently recording nothing, and ``--as-exported`` then applies it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADER = "工单编号,承办单位,派单时间,办结时限,办结时间,是否已回复\n"


def test_a_partial_export_taken_as_older_warns_and_as_exported_applies_it(cli: Any, tmp_path: Path) -> None:
    assert cli("init", "--year", 2025).exit_code == 0
    first, later = tmp_path / "e1.csv", tmp_path / "e2.csv"
    first.write_text(HEADER + "A1,泰山区,2025-05-01 09:00,2025-05-08 18:00,2025-05-03 10:00,否\n"
                              "A2,泰山区,2025-05-02 09:00,2025-05-09 18:00,,否\n", encoding="utf-8")
    # Only the still-open order: its latest time (dispatch 05-02 09:00) is older than e1's (05-03 10:00).
    later.write_text(HEADER + "A2,泰山区,2025-05-02 09:00,2025-05-09 18:00,,是\n", encoding="utf-8")
    assert cli("import", "workorders", first).exit_code == 0
    result = cli("import", "workorders", later, "--format", "json")
    assert result.exit_code == 0
    assert '"stale": 1' in result.stdout
    assert "warning: 1 row(s) were older" in result.stderr and "--as-exported" in result.stderr
    applied = cli.json("import", "workorders", later, "--as-exported", "2025-05-10 08:00")
    assert (applied["changed"], applied["stale"]) == (1, 0)
    trace = cli.json("trace", "--year", 2025, "--unit", "taishan", "--item", "2.3.3", "--as-of", "2025-12-31")
    # replied: A1 否, A2 是 (after --as-exported) → 1 of 2
    assert (trace["items"][0]["numerator"], trace["items"][0]["denominator"]) == (1, 2)
