"""The read model's daily tallies of work orders: what each order counts in, and keeping them right as orders change."""

from __future__ import annotations

import sqlite3

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections import order_tallies, rate_specs
from projections.order_tallies import adjust, ensure, measures, screen, tally_counts
from projections.rate_specs import specs
from projections.unit_facts import RateCounts

RULESET = parse_ruleset(builtin_text(), "built-in")
SPECS = tuple(specs(RULESET).values())
NAMES = {s.key: s.code for s in SPECS}
# order_id, unit, dispatched_at, due_at, completed_at, reply_required, replied, satisfaction, counted,
# observed_at, screened (rate codes, comma-separated)
DONE = ("A1", "taishan", "2025-03-01T09:00:00", "2025-03-08T09:00:00", "2025-03-05T10:00:00", 1, 1, "满意", 1,
        "2025-04-01T00:00:00", "")
LATE_OPEN = ("A2", "taishan", "2025-03-01T10:00:00", "2025-03-31T18:00:00", None, 1, 0, "不满意", 1,
             "2025-04-01T00:00:00", "")


def view_db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute(f"CREATE TABLE workorders ({', '.join(order_tallies.COLUMNS)}, PRIMARY KEY (order_id))")
    db.execute("CREATE TABLE rulesets (nid INTEGER, text TEXT, sha256 TEXT)")
    db.execute("INSERT INTO rulesets VALUES (1, ?, 'taian')", (builtin_text(),))
    return db


def with_(order: tuple, **changes: object) -> tuple:
    values = list(order)
    for name, value in changes.items():
        values[order_tallies.COLUMNS.index(name)] = value
    return tuple(values)


def named(order: tuple) -> list[tuple[str, str, str]]:
    """The order's measures with each rate's key spelt as its code (``satisfaction:d``, ``ontime:n0``)."""
    out = []
    for unit, day, measure in measures(order, SPECS):
        key, _, what = measure.partition(":")
        out.append((unit, day, f"{NAMES[key]}:{what}" if what else measure))
    return out


def counts(db: sqlite3.Connection, first: str, last: str) -> dict[str, tuple[int, ...]]:
    """unit → (volume, satisfied, rated, replied, needing a reply, on time, due)."""
    out = {}
    for unit, t in tally_counts(db, SPECS, first, last).items():
        r = t.rates
        out[unit] = (t.volume, *(x for code in ("satisfaction", "reply", "ontime")
                                  for x in (r[code].numerator, r[code].denominator)))
    return out


class TestMeasures:
    def test_a_completed_satisfied_order_counts_on_its_dispatch_day_and_its_due_day(self):
        assert named(DONE) == [
            ("taishan", "2025-03-01", "volume"),
            ("taishan", "2025-03-01", "satisfaction:d"),
            ("taishan", "2025-03-01", "satisfaction:n0"),
            ("taishan", "2025-03-01", "reply:d"),
            ("taishan", "2025-03-01", "reply:n0"),
            ("taishan", "2025-03-08", "ontime:d"),
            ("taishan", "2025-03-08", "ontime:n0"),
        ]

    def test_an_open_order_counts_in_the_on_time_denominator_only(self):
        assert ("taishan", "2025-03-31", "ontime:d") in named(LATE_OPEN)
        assert ("taishan", "2025-03-31", "ontime:n0") not in named(LATE_OPEN)

    def test_an_order_completed_exactly_at_its_due_time_is_on_time(self):
        at_due = with_(DONE, completed_at="2025-03-08T09:00:00")

        assert ("taishan", "2025-03-08", "ontime:n0") in named(at_due)

    def test_an_uncounted_order_counts_nowhere(self):
        assert measures(with_(DONE, counted=0), SPECS) == []

    def test_a_screening_takes_the_order_out_of_that_rate_only(self):
        screened = named(with_(DONE, screened="satisfaction"))

        assert ("taishan", "2025-03-01", "satisfaction:d") not in screened
        assert ("taishan", "2025-03-01", "volume") in screened
        assert ("taishan", "2025-03-01", "reply:n0") in screened

    def test_with_screening_leaves_all_a_screening_takes_the_order_out_of_every_rate(self):
        leaves = parse_ruleset(builtin_text().replace('unrated_value = "未评价"\n',
                                                      'unrated_value = "未评价"\nscreening_leaves = "all"\n', 1), "all")
        screened = measures(with_(DONE, screened="reply"), tuple(specs(leaves).values()))

        assert screened == [("taishan", "2025-03-01", "volume")]


class TestKeepingTalliesRight:
    def test_tallies_move_from_an_orders_old_state_to_its_new_one(self):
        db = view_db()
        ensure(db)
        adjust(db, [], [DONE, LATE_OPEN])
        # A2 is completed late, replied and rated 基本满意.
        adjust(db, [LATE_OPEN], [with_(LATE_OPEN, completed_at="2025-04-02T00:00:00", replied=1,
                                       satisfaction="基本满意")])

        # volume 2; satisfied 满意 + 基本满意 = 2 of 2 rated; replied 2 of 2; on time: A1 only, 1 of 2.
        assert counts(db, "2025-01-01", "2025-12-31") == {"taishan": (2, 2, 2, 2, 2, 1, 2)}

    def test_the_window_counts_dispatch_days_and_due_days_up_to_its_last_day(self):
        db = view_db()
        ensure(db)
        adjust(db, [], [DONE, LATE_OPEN])

        # Both dispatched by 10 March; only A1 is due by then (A2 on 31 March).
        volume, *_, on_time, due = counts(db, "2025-01-01", "2025-03-10")["taishan"]
        assert (volume, on_time, due) == (2, 1, 1)

    def test_unrated_orders_are_not_in_the_satisfaction_denominator(self):
        db = view_db()
        ensure(db)
        adjust(db, [], [with_(DONE, satisfaction="未评价"), with_(LATE_OPEN, satisfaction=None)])

        assert counts(db, "2025-01-01", "2025-12-31")["taishan"][1:3] == (0, 0)

    def test_screening_an_order_twice_counts_it_out_once(self):
        db = view_db()
        ensure(db)
        db.execute("CREATE TABLE workorder_misses (unit TEXT, rate TEXT, order_id TEXT, dispatched_at TEXT, "
                   "due_at TEXT, completed_at TEXT, satisfaction TEXT, screened INTEGER, "
                   "PRIMARY KEY (unit, rate, order_id))")
        db.execute(f"INSERT INTO workorders VALUES ({','.join('?' * len(DONE))})", LATE_OPEN)
        adjust(db, [], [LATE_OPEN])

        screen(db, "A2", "satisfaction")
        screen(db, "A2", "satisfaction")

        volume, _, rated, *_ = counts(db, "2025-01-01", "2025-12-31")["taishan"]
        assert (rated, volume) == (0, 1)
        assert db.execute("SELECT screened FROM workorders").fetchone() == ("satisfaction",)

    def test_screening_an_order_out_of_a_second_rate_keeps_it_out_of_the_first(self):
        db = view_db()
        ensure(db)
        db.execute("CREATE TABLE workorder_misses (unit TEXT, rate TEXT, order_id TEXT, dispatched_at TEXT, "
                   "due_at TEXT, completed_at TEXT, satisfaction TEXT, screened INTEGER, "
                   "PRIMARY KEY (unit, rate, order_id))")
        db.execute(f"INSERT INTO workorders VALUES ({','.join('?' * len(DONE))})", LATE_OPEN)
        adjust(db, [], [LATE_OPEN])
        # A2 (open, needing a reply, 不满意): volume 1, satisfied 0 of 1, replied 0 of 1, on time 0 of 1.
        assert counts(db, "2025-01-01", "2025-12-31")["taishan"] == (1, 0, 1, 0, 1, 0, 1)

        screen(db, "A2", "satisfaction")
        screen(db, "A2", "reply")

        # Out of both rates (the column lists both codes, sorted), still in the on-time rate and the volume.
        assert counts(db, "2025-01-01", "2025-12-31")["taishan"] == (1, 0, 0, 0, 0, 0, 1)
        assert db.execute("SELECT screened FROM workorders").fetchone() == ("reply,satisfaction",)

    def test_a_ruleset_adopted_after_the_orders_gets_its_new_rates_counted_from_them(self):
        db = view_db()
        ensure(db)
        db.execute("CREATE TABLE workorder_misses (unit TEXT, rate TEXT, order_id TEXT, dispatched_at TEXT, "
                   "due_at TEXT, completed_at TEXT, satisfaction TEXT, screened INTEGER, "
                   "PRIMARY KEY (unit, rate, order_id))")
        for o in (DONE, LATE_OPEN):
            db.execute(f"INSERT INTO workorders VALUES ({','.join('?' * len(DONE))})", o)
        adjust(db, [], [DONE, LATE_OPEN])
        before = rate_specs.kept(db)
        db.execute("INSERT INTO rulesets VALUES (2, ?, 'unreplied')", (builtin_text().replace(
            'unrated_value = "未评价"\n', 'unrated_value = "未评价"\n\n[[rates]]\ncode = "unreplied"\nname = "未回复"\n'
            'denominator = { reply_required = ["是"] }\nnumerator = [{ where = { replied = ["否"] } }]\n', 1),))

        order_tallies.after_ruleset(db, before)

        new = next(s for s in rate_specs.kept(db) if s.code == "unreplied")
        t = tally_counts(db, [*SPECS, new], "2025-01-01", "2025-12-31")["taishan"]
        # A2 is the one of the two needing a reply not replied: 1 of 2; the volume is counted once, as before
        assert (t.rates["unreplied"], t.volume) == (RateCounts(1, 2), 2)
        # listed as costing points on it: the order in its denominator not in its numerator, A1 (replied)
        assert [r[0] for r in db.execute("SELECT order_id FROM workorder_misses WHERE rate=?", (new.key,))] == ["A1"]

    def test_months_are_summed_from_the_days(self):
        db = view_db()
        ensure(db)
        april = with_(DONE, order_id="A3", dispatched_at="2025-04-02T09:00:00", due_at="2025-04-09T09:00:00",
                      completed_at="2025-04-10T09:00:00", satisfaction="不满意")
        adjust(db, [], [DONE, LATE_OPEN, april])

        t = tally_counts(db, SPECS, "2025-01-01", "2025-12-31", monthly=True)["taishan"]

        # March: A1 满意, A2 不满意 → 1 of 2; April: A3 不满意 → 0 of 1. On time by due month: March A1 yes, A2 no
        # (open); April A3 completed a day late.
        assert t.monthly["satisfaction"] == {"2025-03": RateCounts(1, 2), "2025-04": RateCounts(0, 1)}
        assert t.monthly["ontime"] == {"2025-03": RateCounts(1, 2), "2025-04": RateCounts(0, 1)}
        assert t.rates["satisfaction"] == RateCounts(1, 3)

    def test_a_read_model_made_before_the_tallies_existed_gets_them_counted_from_its_orders(self):
        db = view_db()
        for order in (DONE, LATE_OPEN, with_(DONE, order_id="A3", counted=0)):
            db.execute(f"INSERT INTO workorders VALUES ({','.join('?' * len(DONE))})", order)

        ensure(db)

        # A3 is not counted: volume 2, satisfied 1 of 2, replied 1 of 2, on time 1 of 2.
        assert counts(db, "2025-01-01", "2025-12-31") == {"taishan": (2, 1, 2, 1, 2, 1, 2)}
