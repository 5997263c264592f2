"""``serve --workers N``: N worker processes behind one port, each on the store; a read after a write shows it.

Real processes over real HTTP: the write goes to whichever worker accepts its connection, and each
read opens a connection of its own, so reads land on both workers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year
CLI = str(Path(sys.executable).with_name("hotline-ledger"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(store_url: str) -> Iterator[tuple[str, str]]:
    """The store with this year's ruleset and a clerk's token, served by ``serve --workers 2``: (base, token)."""
    from ledger.rulesets.loading import builtin_text
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    app = Ledger(parse_store(store_url))
    app.adopt_ruleset(YEAR, builtin_text(), "built-in", "root")
    app.add_account(login="clerk", role="clerk", unit=None, actor="root", password="correct horse battery")
    token = app.issue_token("clerk", "root")
    app.close()
    port = _free_port()
    proc = subprocess.Popen([CLI, "--store", store_url, "serve", "--port", str(port), "--workers", "2"],
                            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/app/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, token
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    assert output.count("Started server process") == 2, output  # two workers answered on the one port


def _points_21(base: str, token: str) -> str:
    with httpx.Client(timeout=60) as fresh:  # a connection of its own: any worker may take it
        doc = fresh.get(f"{base}/api/v1/score", params={"year": YEAR, "as_of": f"{YEAR}-12-31"},
                        headers={"Authorization": f"Bearer {token}"}).json()
    unit = next(u for u in doc["units"] if u["unit"] == "taishan")
    return next(i for s in unit["sections"] for i in s["items"] if i["code"] == "2.1")["points"]


def test_every_worker_shows_each_write_at_once(served: tuple[str, str]) -> None:
    base, token = served
    # 2.1 is 3.00 − 0.10 per occurrence: one, two, three occurrences leave 2.90, 2.80, 2.70.
    for n, expected in ((1, "2.90"), (2, "2.80"), (3, "2.70")):
        with httpx.Client(timeout=60) as client:
            r = client.post(f"{base}/api/v1/occurrences", headers={"Authorization": f"Bearer {token}"},
                            json={"unit": "taishan", "item": "2.1", "date": f"{YEAR}-03-04", "count": 1,
                                  "evidence": f"工单TA-{n}"})
        assert r.status_code == 201, r.text
        assert [_points_21(base, token) for _ in range(6)] == [expected] * 6


def test_a_memory_store_is_not_served_by_several_workers(tmp_path: Path) -> None:
    done = subprocess.run([CLI, "--store", "memory:", "serve", "--workers", "2"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1
    assert "--workers 1" in done.stderr and "Traceback" not in done.stderr
