"""Issue 14: the refusals and reports of seal keys, grants, evidence, ledger import, verify, the order index and
the bulletin speak the reader's language; a late order's reason prints its times with their offset.

Each family's refusal is asked for through the CLI under a Chinese locale (Chinese words, the English
text nowhere) and under an English one (the English msgid, unchanged)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
from click.testing import CliRunner

from tests.integration.test_rates import order, write_export

CHINESE = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
ENGLISH = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}


def _invoke(args: list[str], env: dict[str, str | None]) -> click.testing.Result:
    from cli import main

    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def _store(tmp_path: Path) -> list[str]:
    store = ["--store", f"sqlite:///{tmp_path / 'ledger.db'}"]
    assert _invoke([*store, "init", "--year", "2025"], ENGLISH).exit_code == 0
    return store


def test_a_seal_key_that_exists_is_refused_in_chinese(tmp_path: Path) -> None:
    key = tmp_path / "seal.pem"
    key.write_text("not a key")
    chinese = _invoke(["seal", "keygen", str(key)], CHINESE)
    assert chinese.exit_code == 1
    assert f"{key}：已存在；签章密钥从不覆盖（请另选文件）" in chinese.stderr
    assert "already exists" not in chinese.stderr
    english = _invoke(["seal", "keygen", str(key)], ENGLISH)
    assert "already exists; a seal key is never overwritten" in english.stderr
    assert key.read_text() == "not a key"


def test_a_grant_on_an_sqlite_store_is_refused_in_chinese(tmp_path: Path) -> None:
    store = _store(tmp_path)
    chinese = _invoke([*store, "db", "grant", "someone", "--as", "reader"], CHINESE)
    assert chinese.exit_code == 1
    assert "SQLite 存储是一个文件：谁能使用它由文件的权限决定" in chinese.stderr
    assert "file's permissions" not in chinese.stderr


def test_an_attachment_above_the_limit_is_refused_in_chinese(tmp_path: Path) -> None:
    store = _store(tmp_path)
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"0123456789")
    args = [*store, "record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "WO-1",
            "--attach", str(photo)]
    limit = {"HOTLINE_LEDGER_EVIDENCE_MAX_BYTES": "4"}
    chinese = _invoke(args, {**CHINESE, **limit})
    assert chinese.exit_code == 1
    assert (f"附件 {str(photo)!r} 有 10 字节，超过附件上限 4 字节（HOTLINE_LEDGER_EVIDENCE_MAX_BYTES）；"
            "未记录任何内容") in chinese.stderr
    english = _invoke(args, {**ENGLISH, **limit})
    assert f"attachment {str(photo)!r} is 10 bytes, more than the 4 bytes an attachment may have" in english.stderr


def test_an_empty_export_is_refused_in_chinese(tmp_path: Path) -> None:
    store = ["--store", f"sqlite:///{tmp_path / 'empty.db'}"]
    export = tmp_path / "ledger.jsonl"
    export.write_text("")
    chinese = _invoke([*store, "import", "ledger", str(export)], CHINESE)
    assert chinese.exit_code == 1
    assert f"{export}：文件为空：不是台账导出文件" in chinese.stderr
    english = _invoke([*store, "import", "ledger", str(export)], ENGLISH)
    assert f"{export}: the file is empty: not a ledger export" in english.stderr


def test_verify_reports_the_chain_tree_and_read_model_in_chinese(tmp_path: Path) -> None:
    store = _store(tmp_path)
    chinese = _invoke([*store, "verify"], CHINESE)
    assert chinese.exit_code == 0, chinese.output
    assert "哈希链正常：1 个事件，链头" in chinese.stdout
    assert "读模型正常：与重放事件的结果一致" in chinese.stdout and "已核验证据文件：0 个" in chinese.stdout
    assert "chain ok" not in chinese.stdout
    assert "chain ok: 1 events, head" in _invoke([*store, "verify"], ENGLISH).stdout


def test_a_seal_key_readable_by_others_is_refused_in_chinese(tmp_path: Path) -> None:
    store = _store(tmp_path)
    key = tmp_path / "seal.pem"
    assert _invoke(["seal", "keygen", str(key)], ENGLISH).exit_code == 0
    key.chmod(0o644)
    chinese = _invoke([*store, "seal"], {**CHINESE, "HOTLINE_LEDGER_SEAL_KEY": str(key)})
    assert chinese.exit_code == 1
    assert (f"签章密钥 {key}（HOTLINE_LEDGER_SEAL_KEY）：其他人可读（权限 0644）；"
            f"请用 `chmod 600 {key}` 加以限制") in chinese.stderr


def test_a_bulletin_of_an_unfinished_month_is_refused_in_chinese(tmp_path: Path) -> None:
    store = _store(tmp_path)
    args = [*store, "bulletin", "--year", "2099", "--month", "1", "--format", "json"]
    chinese = _invoke(args, CHINESE)
    assert chinese.exit_code == 1
    assert "2099-01 尚未结束（结束于 2099-01-31）：通报只涵盖已结束的月份" in chinese.stderr
    assert "2099-01 has not ended yet (it ends on 2099-01-31)" in _invoke(args, ENGLISH).stderr


def test_a_late_orders_reason_prints_its_times_with_the_rulesets_offset(tmp_path: Path) -> None:
    # The sheet's times are Beijing wall times: they keep their clock reading and gain the zone's +08:00.
    store = _store(tmp_path)
    march_20, march_29 = "2025-03-20 09:00:00", "2025-03-29 17:00:00"
    export = write_export(tmp_path / "orders.csv", [
        order("TS1", "taishan", dispatched=march_20, due=march_29, completed="2025-03-30 05:04:00"),
        order("TS2", "taishan", dispatched=march_20, due=march_29, completed=""),
        order("TS3", "taishan")])
    assert _invoke([*store, "import", "workorders", export], ENGLISH).exit_code == 0
    result = _invoke([*store, "trace", "--year", "2025", "--unit", "taishan", "--item", "2.3.4", "--as-of",
                      "2025-12-31", "--format", "json"], CHINESE)
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)["items"]
    reasons = {o["order_id"]: o["reason"] for o in item["orders"]}
    assert reasons == {"TS1": "办结 2025-03-30T05:04:00+08:00 > 时限 2025-03-29T17:00:00+08:00",
                       "TS2": "办结 未办结 > 时限 2025-03-29T17:00:00+08:00"}


def test_verify_names_an_order_index_row_deleted_in_chinese(tmp_path: Path) -> None:
    store = _store(tmp_path)
    export = write_export(tmp_path / "orders.csv", [order("TS1", "taishan"), order("TS2", "taishan")])
    assert _invoke([*store, "import", "workorders", export], ENGLISH).exit_code == 0
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        assert db.execute("DELETE FROM stored_events_orders WHERE order_id='TS2'").rowcount == 1
    chinese = _invoke([*store, "verify"], CHINESE)
    assert chinese.exit_code == 1
    assert "工单索引：工单 TS2：事件给出 #" in chinese.output and "工单索引中没有对应行（被删除？）" in chinese.output
    english = _invoke([*store, "verify"], ENGLISH)
    assert "ORDER INDEX: order TS2: the events give #" in english.output


def test_rules_check_words_pydantics_problems_in_chinese(tmp_path: Path) -> None:
    from ledger.rulesets.loading import builtin_text

    text = builtin_text()
    assert text.count("timezone = ") == 1
    bad = tmp_path / "rules.toml"
    bad.write_text(text.replace("per_point = 0.1\n", "per_point = -0.1\n", 1).replace("timezone = ", "zone = "),
                   encoding="utf-8")
    chinese = _invoke(["rules", "check", str(bad)], CHINESE)
    assert chinese.exit_code == 1
    assert "per_point: 应大于或等于 0" in chinese.stderr and "scoring.zone: 不允许的多余键" in chinese.stderr
    assert "Input should be" not in chinese.stderr and "Extra inputs are not permitted" not in chinese.stderr
    english = _invoke(["rules", "check", str(bad)], ENGLISH)
    assert "scoring.zone: Extra inputs are not permitted" in english.stderr
    assert "per_point: Input should be greater than or equal to 0" in english.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("year = = 2025\n", encoding="utf-8")
    assert "broken.toml: 不是有效的 TOML：" in _invoke(["rules", "check", str(broken)], CHINESE).stderr


def test_a_cipher_key_that_is_no_key_is_refused_in_chinese(tmp_path: Path) -> None:
    store = ["--store", f"sqlite:///{tmp_path / 'ledger.db'}"]
    chinese = _invoke([*store, "init", "--year", "2025"], {**CHINESE, "HOTLINE_LEDGER_CIPHER_KEY": "not-a-key"})
    assert chinese.exit_code == 1
    assert "HOTLINE_LEDGER_CIPHER_KEY 不是密钥：应为 16、24 或 32 个随机字节的 base64 编码" in chinese.stderr
    assert "未读取或写入任何内容" in chinese.stderr and "not-a-key" not in chinese.stderr


def test_rules_check_words_the_rulesets_own_cross_checks_in_chinese(tmp_path: Path) -> None:
    from ledger.rulesets.loading import builtin_text

    bad = tmp_path / "rules.toml"
    bad.write_text(builtin_text().replace('section = "2"\n', 'section = "9"\n', 1), encoding="utf-8")
    chinese = _invoke(["rules", "check", str(bad)], CHINESE)
    assert chinese.exit_code == 1
    assert ".section: 未知部分 '9'" in chinese.stderr and "unknown section" not in chinese.stderr
    assert ".section: unknown section '9'" in _invoke(["rules", "check", str(bad)], ENGLISH).stderr
