"""The read model is kept up to date incrementally; ``rebuild`` (a full replay) must give the very same answers.

A randomized ledger — occurrences, assessments, retractions, disputes decided every way, work
orders and screenings, recorded in a seeded random order with reads in between so the view is
caught up piecemeal — is scored and traced; then the view is rebuilt from the first event, and
also built afresh in a new file, and every score and trace document must be identical.
"""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
UNITS = ["taishan", "daiyue", "xintai", "feicheng", "ningyang", "dongping", "gaoxin", "jingqu"]
OCCURRENCE_ITEMS = ["2.1", "2.2.1", "2.2.2", "2.2.3", "2.4", "2.5", "3.2.1.1", "3.2.2.1", "3.2.6", "4.1", "5.1", "5.2"]
ASSESSMENT_ITEMS = {"1.1.1": Decimal("0.5"), "1.2.1": Decimal("1"), "3.1": Decimal("2")}
AS_OF = "2025-12-31"


def _documents(cli) -> dict[str, object]:
    docs: dict[str, object] = {"score": cli.json("score", "--year", "2025", "--as-of", AS_OF)}
    for unit in UNITS:
        docs[unit] = cli.json("trace", "--year", "2025", "--unit", unit, "--as-of", AS_OF)
    return docs


def _ok(result) -> None:
    assert result.exit_code == 0, result.stderr


def _random_ledger(cli, seed: int) -> None:
    rnd = random.Random(seed)
    cli.json("init", "--year", "2025")
    with open(DATA / "workorders_small.csv", encoding="utf-8-sig", newline="") as f:
        orders = [row[0] for row in list(csv.reader(f))[1:] if row]
    _ok(cli("import", "workorders", str(DATA / "workorders_small.csv")))
    effective: list[str] = []
    for step in range(70):
        roll = rnd.random()
        if roll < 0.45 or not effective:
            day = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            new = cli.json("record", "--unit", rnd.choice(UNITS), "--item", rnd.choice(OCCURRENCE_ITEMS),
                           "--date", day, "--count", rnd.randint(1, 3), "--evidence", f"工单TA{seed}{step:04d}")
            effective.append(new["id"])
        elif roll < 0.6:
            item, top = rnd.choice(sorted(ASSESSMENT_ITEMS.items()))
            points = (top * Decimal(rnd.randint(0, 10)) / 10).quantize(Decimal("0.01"))
            cli.json("assess", "--unit", rnd.choice(UNITS), "--item", item, "--points", points,
                     "--date", f"2025-{rnd.randint(1, 12):02d}-15", "--evidence", f"检查{step}")
        elif roll < 0.7:
            cli.json("retract", effective.pop(rnd.randrange(len(effective))), "--reason", f"录入错误{step}")
        elif roll < 0.88:
            target = effective.pop(rnd.randrange(len(effective)))
            dispute = cli.json("dispute", "open", target, "--reason", "申诉", "--evidence", f"材料{step}")["id"]
            decision = rnd.choice(["accept", "reject", "amend", "open"])
            if decision == "amend":
                cli.json("dispute", "decide", dispute, "--decision", "amend", "--count", rnd.randint(1, 4),
                         "--reason", "核实")
            elif decision != "open":
                cli.json("dispute", "decide", dispute, "--decision", decision, "--reason", "核实")
        elif orders:
            order = orders.pop(rnd.randrange(len(orders)))
            rate = rnd.choice(["satisfaction", "reply", "ontime"])
            result = cli("dispute", "open", "--workorder", order, "--rate", rate, "--reason", "甄别",
                         "--evidence", f"甄别{step}", "--format", "json")
            if result.exit_code == 0 and rnd.random() < 0.7:
                import json

                cli.json("dispute", "decide", json.loads(result.stdout)["id"],
                         "--decision", rnd.choice(["accept", "reject"]), "--reason", "甄别结论")
        if step % 9 == 0:
            cli.json("score", "--year", "2025", "--as-of", AS_OF)  # catch the view up piecemeal


class TestRebuild:
    @pytest.mark.parametrize("seed", [7, 2025])
    def test_rebuilding_the_read_model_gives_the_same_scores_and_traces(self, cli, seed):
        _random_ledger(cli, seed)
        incremental = _documents(cli)

        result = cli("rebuild")

        assert result.exit_code == 0, result.stderr
        assert _documents(cli) == incremental

    @pytest.mark.parametrize("seed", [11])
    def test_a_read_model_built_afresh_in_a_new_file_gives_the_same_documents(
            self, cli, seed, tmp_path, monkeypatch):
        _random_ledger(cli, seed)
        incremental = _documents(cli)

        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "fresh-views.db"))

        assert _documents(cli) == incremental

    def test_a_read_model_ahead_of_its_store_is_rebuilt_rather_than_trusted(self, cli, tmp_path, monkeypatch):
        """A views file left behind by a longer ledger at the same place (the store was replaced)."""
        cli.json("init", "--year", "2025")
        cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-01", "--evidence", "a")
        cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-02", "--evidence", "b")
        cli.json("score", "--year", "2025", "--as-of", AS_OF)
        # A new, shorter ledger read through the same views file (HOTLINE_LEDGER_VIEWS stays set).
        from tests.conftest import Cli

        other = Cli(f"sqlite:///{tmp_path}/other.db")
        other.json("init", "--year", "2025")

        # 2.1: 3.00 − 0 × 0.10 = 3.00 (the other ledger has no occurrence, whatever the old view said)
        doc = other.json("score", "--year", "2025", "--as-of", AS_OF)
        taishan = next(u for u in doc["units"] if u["unit"] == "taishan")
        assert {i["code"]: i for s in taishan["sections"] for i in s["items"]}["2.1"]["points"] == "3.00"
