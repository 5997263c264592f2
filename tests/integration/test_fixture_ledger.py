"""A ledger written by an earlier version of the code (main on 2026-12-02) reads, scores, traces and verifies as
it did then: the store in tests/data/ledger_2026_12_02/store holds every kind of event (rulesets adopted and
amended, occurrences with evidence files, assessments, an events file, reports, notices, explanations, calendar
rulings, two work-order exports, a retraction, disputes accepted/rejected/amended/open, screenings, accounts,
signed and unsigned seals), and expected/ what each read printed on that day (make_ledger.py wrote both).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ledger.rulesets.rates import standard_rates
from tests.conftest import BACKENDS, Cli

FIXTURE = Path(__file__).parent.parent / "data" / "ledger_2026_12_02"
#: name → the argv of a read whose JSON was captured in expected/NAME.json.
READS: dict[str, list[str]] = json.loads((FIXTURE / "expected" / "reads.json").read_text(encoding="utf-8"))


def expected(name: str) -> object:
    return json.loads((FIXTURE / "expected" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def old_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A copy of the fixture store (read model and evidence beside it, as an SQLite store keeps them)."""
    for variable in ("HOTLINE_LEDGER_VIEWS", "HOTLINE_LEDGER_EVIDENCE", "HOTLINE_LEDGER_STORE",
                     "HOTLINE_LEDGER_CIPHER_KEY", "HOTLINE_LEDGER_SEAL_PUBLIC"):
        monkeypatch.delenv(variable, raising=False)
    shutil.copytree(FIXTURE / "store", tmp_path / "store")
    return Cli(f"sqlite:///{tmp_path}/store/ledger.db")


def kept(then: object, now: object, where: str = "") -> list[str]:
    """Where ``now`` lost or changed what ``then`` said: every value equal, every list as long, every key still
    there — keys added since are allowed (../shared/CLI.md: JSON fields may be added, never renamed or dropped)."""
    if isinstance(then, dict) and isinstance(now, dict):
        return [x for k, v in then.items() for x in (kept(v, now[k], f"{where}.{k}") if k in now
                                                      else [f"{where}.{k}: gone"])]
    if isinstance(then, list) and isinstance(now, list) and len(then) == len(now):
        return [x for i, (a, b) in enumerate(zip(then, now, strict=True)) for x in kept(a, b, f"{where}[{i}]")]
    return [] if then == now else [f"{where}: was {then!r}, now {now!r}"]


def test_kept_finds_a_changed_value_a_dropped_key_and_a_shorter_list_but_allows_an_added_key() -> None:
    then = {"a": [1, {"b": 2}], "c": "x"}
    assert kept(then, {"a": [1, {"b": 2, "new": 0}], "c": "x", "d": 1}) == []
    assert kept(then, {"a": [1, {"b": 3}], "c": "x"}) == [".a[1].b: was 2, now 3"]
    assert kept(then, {"a": [1, {"b": 2}]}) == [".c: gone"]
    assert kept(then, {"a": [1], "c": "x"}) == [".a: was [1, {'b': 2}], now [1]"]


def read_now(cli: Cli, name: str) -> object:
    """What the command prints today, less what later issues added on purpose: the standard rates, which
    `rules show` lists since rates became ruleset data (issue 15); they were scored the same before."""
    now = cli.json(*READS[name])
    if name == "rules":
        standard = {str(r["code"]) for r in standard_rates()}
        now = {**now, "rates": [r for r in now["rates"] if r["code"] not in standard]}
    return now


def assert_reads_as_written(cli: Cli) -> None:
    for name in READS:
        assert kept(expected(name), read_now(cli, name)) == [], name


#: Every event type the ledger wrote on 2026-12-02 (a type added later gets a fixture of its own).
TYPES_THEN = {
    "RulesetAdopted", "RulesetAmended", "OccurrenceRecorded", "OccurrenceRetracted", "AssessmentRecorded",
    "EventsFileImported", "DisputeOpened", "DisputeDecided", "ReportSubmitted", "NoticeReceived",
    "ExplanationSubmitted", "CalendarRuled", "CalendarRulingChanged", "CalendarYearCompleted",
    "WorkOrderFactsRecorded", "LedgerSealed", "AccountOpened", "AccountRoleChanged", "AccountDisabled",
    "AccountEnabled", "AccountPasswordSet", "AccountTokenIssued", "AccountTokensRevoked",
}


def test_the_fixture_holds_every_event_type_of_its_day_each_still_one_the_ledger_reads() -> None:
    from events.registry import EVENT_TYPES

    assert {e["type"] for e in expected("log")} == TYPES_THEN
    assert TYPES_THEN <= {cls.__name__ for cls in EVENT_TYPES}


def test_an_earlier_ledger_verifies_and_reads_as_it_did_when_written(old_ledger: Cli) -> None:
    result = old_ledger("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == (FIXTURE / "expected" / "verify.txt").read_text(encoding="utf-8")
    assert_reads_as_written(old_ledger)


def test_an_earlier_ledger_rebuilt_from_its_events_reads_as_it_did_when_written(old_ledger: Cli) -> None:
    result = old_ledger("rebuild")
    assert result.exit_code == 0, result.output
    assert_reads_as_written(old_ledger)
    result = old_ledger("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == (FIXTURE / "expected" / "verify.txt").read_text(encoding="utf-8")


@pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL not among the test backends")
def test_an_earlier_ledger_moved_to_postgresql_scores_and_traces_as_it_did(store_url: str, old_ledger: Cli,
                                                                           tmp_path: Path) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("the move's destination is PostgreSQL")
    exported = tmp_path / "ledger.jsonl"
    result = old_ledger("export", str(exported))
    assert result.exit_code == 0, result.output
    pg = Cli(store_url)
    result = pg("import", "ledger", str(exported))
    assert result.exit_code == 0, result.output
    result = pg("verify")
    assert result.exit_code == 0, result.output
    for name in ("score", "score_october", "trace_taishan", "trace_daiyue", "disputes", "rules"):
        assert kept(expected(name), read_now(pg, name)) == [], name
