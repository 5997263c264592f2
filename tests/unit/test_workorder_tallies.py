"""The read model's daily tallies of work orders: what each order counts in, and keeping them right as orders change."""

from __future__ import annotations

import sqlite3

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections import order_tallies
from projections.order_tallies import adjust, ensure, measures, screen, tally_counts

RULESET = parse_ruleset(builtin_text(), "built-in")
# order_id, unit, dispatched_at, due_at, completed_at, reply_required, replied, satisfaction, counted,
# observed_at, screened_satisfaction, screened_reply, screened_ontime
DONE = ("A1", "taishan", "2025-03-01T09:00:00", "2025-03-08T09:00:00", "2025-03-05T10:00:00", 1, 1, "满意", 1,
        "2025-04-01T00:00:00", 0, 0, 0)
LATE_OPEN = ("A2", "taishan", "2025-03-01T10:00:00", "2025-03-31T18:00:00", None, 1, 0, "不满意", 1,
             "2025-04-01T00:00:00", 0, 0, 0)


def view_db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute(f"CREATE TABLE workorders ({', '.join(order_tallies.COLUMNS)}, PRIMARY KEY (order_id))")
    return db


def with_(order: tuple, **changes: object) -> tuple:
    values = list(order)
    for name, value in changes.items():
        values[order_tallies.COLUMNS.index(name)] = value
    return tuple(values)


class TestMeasures:
    def test_a_completed_satisfied_order_counts_on_its_dispatch_day_and_its_due_day(self):
        assert measures(DONE) == [
            ("taishan", "2025-03-01", "volume"),
            ("taishan", "2025-03-01", "satisfaction:满意"),
            ("taishan", "2025-03-01", "reply_den"),
            ("taishan", "2025-03-01", "reply_num"),
            ("taishan", "2025-03-08", "ontime_den"),
            ("taishan", "2025-03-08", "ontime_num"),
        ]

    def test_an_open_order_counts_in_the_on_time_denominator_only(self):
        assert ("taishan", "2025-03-31", "ontime_den") in measures(LATE_OPEN)
        assert ("taishan", "2025-03-31", "ontime_num") not in measures(LATE_OPEN)

    def test_an_order_completed_exactly_at_its_due_time_is_on_time(self):
        at_due = with_(DONE, completed_at="2025-03-08T09:00:00")

        assert ("taishan", "2025-03-08", "ontime_num") in measures(at_due)

    def test_an_uncounted_order_counts_nowhere(self):
        assert measures(with_(DONE, counted=0)) == []

    def test_a_screening_takes_the_order_out_of_that_rate_only(self):
        screened = measures(with_(DONE, screened_satisfaction=1))

        assert ("taishan", "2025-03-01", "satisfaction:满意") not in screened
        assert ("taishan", "2025-03-01", "volume") in screened
        assert ("taishan", "2025-03-01", "reply_num") in screened


class TestKeepingTalliesRight:
    def test_tallies_move_from_an_orders_old_state_to_its_new_one(self):
        db = view_db()
        ensure(db)
        adjust(db, [], [DONE, LATE_OPEN])
        # A2 is completed late, replied and rated 基本满意.
        adjust(db, [LATE_OPEN], [with_(LATE_OPEN, completed_at="2025-04-02T00:00:00", replied=1,
                                       satisfaction="基本满意")])

        counts = tally_counts(db, RULESET, "2025-01-01", "2025-12-31")

        # volume 2; satisfied 满意 + 基本满意 = 2 of 2 rated; replied 2 of 2; on time: A1 only, 1 of 2.
        assert counts == {"taishan": {"volume": 2, "sat_den": 2, "sat_num": 2, "reply_den": 2, "reply_num": 2,
                                      "ontime_den": 2, "ontime_num": 1}}

    def test_the_window_counts_dispatch_days_and_due_days_up_to_its_last_day(self):
        db = view_db()
        ensure(db)
        adjust(db, [], [DONE, LATE_OPEN])

        counts = tally_counts(db, RULESET, "2025-01-01", "2025-03-10")

        # Both dispatched by 10 March; only A1 is due by then (A2 on 31 March).
        assert counts["taishan"]["volume"] == 2
        assert (counts["taishan"]["ontime_den"], counts["taishan"]["ontime_num"]) == (1, 1)

    def test_unrated_orders_are_not_in_the_satisfaction_denominator(self):
        db = view_db()
        ensure(db)
        adjust(db, [], [with_(DONE, satisfaction="未评价"), with_(LATE_OPEN, satisfaction=None)])

        counts = tally_counts(db, RULESET, "2025-01-01", "2025-12-31")

        assert (counts["taishan"]["sat_den"], counts["taishan"]["sat_num"]) == (0, 0)

    def test_screening_an_order_twice_counts_it_out_once(self):
        db = view_db()
        ensure(db)
        db.execute(f"INSERT INTO workorders VALUES ({','.join('?' * len(DONE))})", LATE_OPEN)
        adjust(db, [], [LATE_OPEN])

        screen(db, "A2", "screened_satisfaction")
        screen(db, "A2", "screened_satisfaction")

        counts = tally_counts(db, RULESET, "2025-01-01", "2025-12-31")
        assert (counts["taishan"]["sat_den"], counts["taishan"]["volume"]) == (0, 1)

    def test_a_read_model_made_before_the_tallies_existed_gets_them_counted_from_its_orders(self):
        db = view_db()
        for order in (DONE, LATE_OPEN, with_(DONE, order_id="A3", counted=0)):
            db.execute(f"INSERT INTO workorders VALUES ({','.join('?' * len(DONE))})", order)

        ensure(db)

        counts = tally_counts(db, RULESET, "2025-01-01", "2025-12-31")
        # A3 is not counted: volume 2, satisfied 1 of 2, replied 1 of 2, on time 1 of 2.
        assert counts == {"taishan": {"volume": 2, "sat_den": 2, "sat_num": 1, "reply_den": 2, "reply_num": 1,
                                      "ontime_den": 2, "ontime_num": 1}}
