"""The README's set-up and tour work as written for a newcomer: the venv is activated before the tour, its
``--known-at`` forms work on a fresh store, and the main job leaves ``git status`` clean."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]


def _tour() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## A short tour", 1)[1].split("```sh", 1)[1].split("```", 1)[0]


def test_the_tour_activates_the_venv_before_its_first_command() -> None:
    lines = [line for line in _tour().splitlines() if line.strip() and not line.startswith("#")]
    activate = next(i for i, line in enumerate(lines) if line.startswith(". .venv/bin/activate"))
    first = next(i for i, line in enumerate(lines) if line.startswith("hotline-ledger"))
    assert activate < first


def test_the_tours_known_at_forms_work_on_a_fresh_store(cli: Any) -> None:
    cli.json("init", "--year", "2025")
    cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "x")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")  # "$(TZ=Asia/Shanghai date +%F)"
    assert cli("score", "--year", "2025", "--known-at", today).exit_code == 0
    pasted = cli.json("log")[-1]["recorded_at"][:19] + "+08:00"  # a time as `log` prints it
    assert cli("score", "--year", "2025", "--known-at", pasted).exit_code == 0
    assert re.search(r"--known-at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", _tour())
    assert '--known-at "$(TZ=Asia/Shanghai date +%F)"' in _tour()


def test_the_files_the_main_job_and_the_tour_write_are_ignored_by_git() -> None:
    from ledger.storage.store import DEFAULT_STORE, parse_store

    location = parse_store(DEFAULT_STORE)
    db = Path(location.env["SQLITE_DBNAME"]).name
    written = [db, f"{db}-wal", f"{db}-shm", location.views_path.name, f"{location.views_path.name}-wal",
               f"{location.evidence_dir.name}/x", "demo-2025.xlsx", "demo-2025.html"]
    for name in written:
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT)
        assert ignored.returncode == 0, f"{name} is not in .gitignore"
