"""The bulletin and the reports print the signed tree head they were computed from (issue 17): the seal's tree
size and root, its signature and the key's fingerprint — when a seal covers what they read, and say that
they are not sealed otherwise."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import Cli

BULLETIN = ["bulletin", "--year", "2025", "--month", "3"]


def _seal(cli: Cli, key_file: Path, note: str) -> dict[str, Any]:
    result = cli("seal", "--note", note, "--format", "json", env={"HOTLINE_LEDGER_SEAL_KEY": str(key_file)})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def ledger(cli: Cli, tmp_path: Path) -> dict[str, Any]:
    """init, three 2.1 occurrences for taishan and one for daiyue in March; a key, nothing sealed yet."""
    cli.json("init", "--year", "2025")
    for unit, day in (("taishan", 1), ("taishan", 2), ("taishan", 3), ("daiyue", 4)):
        cli.json("record", "--item", "2.1", "--unit", unit, "--date", f"2025-03-0{day}", "--evidence", f"工单{day}")
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))
    return {"key_file": tmp_path / "seal.pem", **key}


def _page(cli: Cli, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "page.html"
    result = cli(*args, "--format", "html", "--output", out)
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_before_any_seal_the_bulletin_says_it_is_not_sealed(cli: Cli, tmp_path: Path, ledger: dict[str, Any]):
    assert cli.json(*BULLETIN)["tree_head"] is None
    page = _page(cli, tmp_path, *BULLETIN)
    assert "<dt>签名树头</dt><dd>无（本报表所依据的记录尚未全部封存" in page


def test_a_sealed_ledgers_bulletin_and_reports_print_the_signed_head(cli: Cli, tmp_path: Path,
                                                                    ledger: dict[str, Any]):
    seal = _seal(cli, ledger["key_file"], "三月通报")
    # init + 4 records = 5 events in the signed tree.
    assert seal["tree_size"] == 5
    head = cli.json(*BULLETIN)["tree_head"]
    assert {k: head[k] for k in ("seal", "tree_size", "tree_root", "public_key", "fingerprint", "signature_status")} \
        == {"seal": seal["id"], "tree_size": 5, "tree_root": seal["tree_root"], "public_key": ledger["public_key"],
            "fingerprint": ledger["fingerprint"], "signature_status": "valid"}
    assert head["note"] == "三月通报" and head["signature"] and head["sealed_at"].endswith("+08:00")
    for page in (_page(cli, tmp_path, *BULLETIN),
                 _page(cli, tmp_path, "score", "--year", "2025", "--as-of", "2025-03-31")):
        assert f"<dt>签名树头</dt><dd>封存 {seal['id']}（" in page
        assert "<dt>树大小</dt><dd>5 个事件</dd>" in page and f"<dd>{seal['tree_root']}</dd>" in page
        assert f"<dd>{head['signature']}</dd>" in page and f"<dt>公钥指纹</dt><dd>{ledger['fingerprint']}</dd>" in page
        assert "<dt>签名状态</dt><dd>有效</dd>" in page
    book = tmp_path / "score.xlsx"
    assert cli("score", "--year", "2025", "--as-of", "2025-03-31", "--format", "xlsx", "--output", book).exit_code == 0
    facts = [str(c.value) for c in openpyxl.load_workbook(book)["汇总"]["A"] if c.value]
    assert f"树根 SHA-256：{seal['tree_root']}" in facts and f"公钥指纹：{ledger['fingerprint']}" in facts


def test_a_record_after_the_seal_uncovers_the_present_but_not_what_was_known_at_the_seal(
        cli: Cli, tmp_path: Path, ledger: dict[str, Any]):
    seal = _seal(cli, ledger["key_file"], "三月通报")
    time.sleep(0.05)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    cli.json("record", "--item", "2.1", "--unit", "daiyue", "--date", "2025-03-20", "--evidence", "工单晚到")
    assert cli.json(*BULLETIN)["tree_head"] is None  # the new record is in no signed tree yet
    then = cli.json(*BULLETIN, "--known-at", moment)["tree_head"]
    assert (then["seal"], then["tree_size"], then["tree_root"]) == (seal["id"], 5, seal["tree_root"])
    # Sealing again covers the present: the seal event (#6) and the record (#7) are in the new tree.
    later = _seal(cli, ledger["key_file"], "三月通报（更正）")
    now = cli.json(*BULLETIN)["tree_head"]
    assert (now["seal"], now["tree_size"], now["tree_root"]) == (later["id"], 7, later["tree_root"])


def test_an_account_opened_after_the_seal_changes_no_score_and_leaves_the_seal_covering(
        cli: Cli, tmp_path: Path, ledger: dict[str, Any]):
    seal = _seal(cli, ledger["key_file"], "三月通报")
    added = cli("users", "add", "bob", "--role", "viewer", "--password-stdin", input="correct horse battery\n")
    assert added.exit_code == 0, added.stderr
    assert cli.json(*BULLETIN)["tree_head"]["seal"] == seal["id"]
