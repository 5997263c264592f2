"""``score --compare-as-of D --format json`` gives each unit its standing at D (CLI.md, "Publishing").

Each unit's ``previous`` is exactly what ``score --as-of D`` says of it on its own; the totals
differ from today's (an occurrence of June and the deadlines passed since March count now).
"""

from __future__ import annotations

from tests.conftest import unit_of


def test_each_unit_carries_its_total_and_rank_as_of_the_earlier_date(cli) -> None:
    cli.json("init", "--year", "2025")
    cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-06-01", "--evidence", "工单TA1")

    now = cli.json("score", "--year", "2025", "--as-of", "2025-12-31", "--format", "json")
    doc = cli.json("score", "--year", "2025", "--as-of", "2025-12-31", "--compare-as-of", "2025-03-31",
                   "--format", "json")
    then = cli.json("score", "--year", "2025", "--as-of", "2025-03-31", "--format", "json")

    taishan = unit_of(doc, "taishan")
    assert taishan["previous"] == {"as_of": "2025-03-31", "total": unit_of(then, "taishan")["total"],
                                   "rank": unit_of(then, "taishan")["rank"]}
    assert taishan["previous"]["total"] != unit_of(now, "taishan")["total"]
    assert all("previous" in u for u in doc["units"])
    assert all("previous" not in u for u in now["units"])
