"""Which rows an order gets in ``workorder_misses``: one per rate it costs points on, by the adopted rulesets."""

from __future__ import annotations

import sqlite3

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections.order_misses import misses
from projections.rate_specs import kept, specs

TAIAN = tuple(specs(parse_ruleset(builtin_text(), "taian")).values())
NAMES = {s.key: s.code for s in TAIAN}


def order(**changes: object) -> list[object]:
    """An order as ``rate_specs.COLUMNS`` holds it: counted, replied, completed on time, satisfied."""
    base = {"order_id": "TA1", "unit": "taishan", "dispatched_at": "2025-03-01T09:00:00",
            "due_at": "2025-03-08T23:59:59", "completed_at": "2025-03-05T10:00:00", "reply_required": 1,
            "replied": 1, "satisfaction": "满意", "counted": 1, "observed_at": "2025-04-01T00:00:00",
            "screened": ""}
    return list((base | changes).values())


def rates(o: list[object], specs_: tuple = TAIAN) -> list[str]:
    return [NAMES.get(r[1], r[1]) for r in misses(o, specs_)]


def test_an_order_that_costs_nothing_has_no_row() -> None:
    assert rates(order()) == []
    assert rates(order(satisfaction="基本满意")) == rates(order(satisfaction="未评价")) == []


def test_an_unsatisfied_unreplied_late_order_has_a_row_per_rate_with_what_trace_shows() -> None:
    o = order(satisfaction="不满意", replied=0, completed_at="2025-03-09T08:00:00", screened="reply")
    assert [(r[0], NAMES[r[1]], *r[2:]) for r in misses(o, TAIAN)] == [
        ("taishan", "satisfaction", "TA1", "2025-03-01T09:00:00", "2025-03-08T23:59:59", "2025-03-09T08:00:00",
         "不满意", 0),
        ("taishan", "reply", "TA1", "2025-03-01T09:00:00", "2025-03-08T23:59:59", "2025-03-09T08:00:00", "不满意", 1),
        ("taishan", "ontime", "TA1", "2025-03-01T09:00:00", "2025-03-08T23:59:59", "2025-03-09T08:00:00", "不满意", 0),
    ]


def test_an_open_order_misses_the_on_time_rate_and_an_uncounted_one_misses_nothing() -> None:
    assert rates(order(completed_at=None, satisfaction=None)) == ["ontime"]
    assert rates(order(counted=0, completed_at=None, replied=0, satisfaction="不满意")) == []


def test_the_rates_kept_are_those_of_every_adopted_ruleset_each_under_its_own_key() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE rulesets (nid INTEGER, text TEXT, sha256 TEXT)")
    assert kept(db) == ()  # nothing adopted: no rate row at all
    assert rates(order(satisfaction="不满意"), kept(db)) == []
    db.execute("INSERT INTO rulesets VALUES (1, ?, 'taian')", (builtin_text(),))
    assert sorted(s.code for s in kept(db)) == ["ontime", "reply", "satisfaction"]
    stricter = builtin_text().replace('satisfied_values = ["满意", "基本满意"]', 'satisfied_values = ["满意"]')
    db.execute("INSERT INTO rulesets VALUES (2, ?, 'stricter')", (stricter,))
    # The stricter satisfaction rate is another rate to keep (基本满意 costs points under it); reply and ontime
    # are defined alike: kept once.
    assert sorted(s.code for s in kept(db)) == ["ontime", "reply", "satisfaction", "satisfaction"]
    db.execute("INSERT INTO rulesets VALUES (3, 'not = [toml', 'unreadable')")
    assert len(kept(db)) == 4  # a text that cannot be read adds nothing
    assert sorted(r[1] == s.key for r in misses(order(satisfaction="基本满意"), kept(db))
                  for s in kept(db) if s.code == "satisfaction") == [False, True]
