"""The orders that cost points, kept per unit and rate for ``trace``, are what counting the orders gives.

``workorder_misses`` is adjusted as facts arrive (shuffled exports, partial and later ones, in small
merge runs), as screenings are accepted and as rulesets are adopted; these tests hold it to the
orders' states counted afresh, to what ``trace`` lists, and to a rebuild, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections.rate_specs import specs
from tests.conftest import Cli, read_model
from tests.e2e.test_workorder_row_order import _generator, later_export, small_runs, write  # noqa: F401

COLUMNS = ("order_id", "unit", "dispatched_at", "due_at", "completed_at", "reply_required", "replied",
           "satisfaction", "counted", "screened")
TAIAN = specs(parse_ruleset(builtin_text()))
STRICTER_TEXT = builtin_text().replace('satisfied_values = ["满意", "基本满意"]', 'satisfied_values = ["满意"]')
STRICTER = specs(parse_ruleset(STRICTER_TEXT))


def _orders(cli: Cli, views: str) -> list[dict[str, Any]]:
    cli.json("score", "--year", 2025)  # the read model caught up with what was just recorded
    with read_model(cli.store, views) as db:
        return [dict(zip(COLUMNS, r, strict=True))
                for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM workorders ORDER BY order_id").fetchall()]


def _kept(cli: Cli, views: str) -> list[tuple[Any, ...]]:
    cli.json("score", "--year", 2025)
    with read_model(cli.store, views) as db:
        return [tuple(r) for r in db.execute("SELECT * FROM workorder_misses ORDER BY unit, rate, order_id")]


def _screened(o: dict[str, Any], rate: str) -> int:
    return int(rate in o["screened"].split(","))


def _counted_afresh(orders: list[dict[str, Any]], settled: list[set[str]]) -> list[tuple[Any, ...]]:
    """The rows the table should hold, from the orders' states: the definition written out once more, with a
    satisfaction rate per adopted ruleset (``settled``: the labels each counts as satisfied or unrated), each under
    its own key."""
    keys = {frozenset(("满意", "基本满意", "未评价")): TAIAN["satisfaction"].key,
            frozenset(("满意", "未评价")): STRICTER["satisfaction"].key}
    out = []
    for o in orders:
        if o["counted"] != 1:
            continue
        shown = (o["dispatched_at"], o["due_at"], o["completed_at"], o["satisfaction"])
        for labels in settled:
            if o["satisfaction"] is not None and o["satisfaction"] not in labels:
                out.append((o["unit"], keys[frozenset(labels)], o["order_id"], *shown,
                            _screened(o, "satisfaction")))
        if o["reply_required"] == 1 and o["replied"] == 0:
            out.append((o["unit"], TAIAN["reply"].key, o["order_id"], *shown, _screened(o, "reply")))
        if o["completed_at"] is None or o["completed_at"] > o["due_at"]:
            out.append((o["unit"], TAIAN["ontime"].key, o["order_id"], *shown, _screened(o, "ontime")))
    return sorted(out)


def _listed(cli: Cli, unit: str, item: str) -> list[tuple[str, bool]]:
    doc = cli.json("trace", "--year", 2025, "--unit", unit, "--item", item, "--as-of", "2025-12-31")
    return [(o["order_id"], o["screened_out"]) for o in doc["items"][0]["orders"]]


@pytest.mark.usefixtures("small_runs")  # chunks of 300 facts, merge flushes every 700 orders
def test_the_costly_orders_kept_on_apply_equal_the_orders_counted_afresh_and_a_rebuild(
        cli: Cli, tmp_path: Path) -> None:
    views = str(tmp_path / "views.db")
    header, *rows = _generator().generate(2500, 2025, 5)
    half = write(tmp_path / "half.csv", header, rows[::2])
    whole = write(tmp_path / "whole.csv", header, rows)
    later = write(tmp_path / "later.csv", header, later_export(header, rows))
    assert cli("init", "--year", 2025).exit_code == 0
    for path, exported in ((half, "2026-01-04"), (whole, "2026-01-05"), (later, "2026-02-05")):
        result = cli("import", "workorders", path, "--as-exported", exported, "--format", "json")
        assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["changed"] > 0  # the later export changed orders already listed

    # Screen a few listed orders out of each rate: they stay listed, flagged.
    kept = _kept(cli, views)
    screened = 0
    for rate in ("satisfaction", "reply", "ontime"):
        for _unit, _rate, order_id, *_ in [r for r in kept if r[1] == TAIAN[rate].key][:3]:
            opened = cli("dispute", "open", "--workorder", order_id, "--rate", rate, "--reason", "甄别",
                         "--evidence", "材料", "--format", "json")
            assert opened.exit_code == 0, opened.stderr
            cli.json("dispute", "decide", json.loads(opened.stdout)["id"], "--decision", "accept", "--reason", "核实")
            screened += 1
    kept = _kept(cli, views)
    assert sum(r[7] for r in kept) == screened == 9
    assert kept == _counted_afresh(_orders(cli, views), [{"满意", "基本满意", "未评价"}])
    assert {r[6] for r in kept if r[1] == TAIAN["satisfaction"].key} == {"不满意"}

    # An amended ruleset counts 基本满意 against a unit too: its orders join the list.
    amended = tmp_path / "amended.toml"
    amended.write_text(STRICTER_TEXT, encoding="utf-8")
    adopted = cli("init", "--year", 2025, "--ruleset", amended)
    assert adopted.exit_code == 0, adopted.stderr
    orders = _orders(cli, views)
    kept = _kept(cli, views)
    # The earlier ruleset's satisfaction rate stays kept (a rebuild keeps it too), the amended one's beside it.
    assert kept == _counted_afresh(orders, [{"满意", "基本满意", "未评价"}, {"满意", "未评价"}])
    assert {r[6] for r in kept if r[1] == STRICTER["satisfaction"].key} == {"不满意", "基本满意"}
    expected = [(o["order_id"], bool(_screened(o, "satisfaction"))) for o in orders
                if o["unit"] == "taishan" and o["counted"] == 1 and o["dispatched_at"] <= "2025-12-31T23:59:59"
                and o["satisfaction"] in ("不满意", "基本满意")]
    assert len(expected) > 20
    assert _listed(cli, "taishan", "2.3.2") == expected
    traced = {unit: _listed(cli, unit, "2.3.3") for unit in ("taishan", "xintai")}

    assert cli("rebuild").exit_code == 0

    assert _kept(cli, views) == kept
    assert {unit: _listed(cli, unit, "2.3.3") for unit in traced} == traced


def test_a_read_model_made_before_the_table_lists_the_orders_it_already_holds(cli: Cli, tmp_path: Path) -> None:
    views = str(tmp_path / "views.db")
    header, *rows = _generator().generate(600, 2025, 9)
    assert cli("init", "--year", 2025).exit_code == 0
    assert cli("import", "workorders", write(tmp_path / "export.csv", header, rows)).exit_code == 0
    kept = _kept(cli, views)
    assert len(kept) > 50
    with read_model(cli.store, views) as db:  # as a read model from before the table was
        db.execute("DROP TABLE workorder_misses")

    assert _kept(cli, views) == kept  # the next command's opening of the read model listed them again
    verified = cli("verify")
    assert verified.exit_code == 0, verified.stderr
