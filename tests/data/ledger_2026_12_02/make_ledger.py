"""Writes the fixture ledger of this folder: every event kind, through the CLI, as main wrote it on 2026-12-02.

Run once (``python tests/data/ledger_2026_12_02/make_ledger.py``) with the code of that day; the store
(``store/``) and the reads captured from it (``expected/``) are then kept as they are, so that a later
version of the ledger is checked against what an earlier one wrote (tests/integration/test_fixture_ledger.py).
Never regenerate it with newer code: that would test nothing.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from pathlib import Path

from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
os.environ["LANG"] = "en_US.UTF-8"
for variable in ("LC_ALL", "LC_MESSAGES", "HOTLINE_LEDGER_VIEWS", "HOTLINE_LEDGER_EVIDENCE",
                 "HOTLINE_LEDGER_STORE", "HOTLINE_LEDGER_CIPHER_KEY"):
    os.environ.pop(variable, None)

from cli import main  # noqa: E402
from ledger.rulesets.loading import builtin_text  # noqa: E402

STORE = HERE / "store"
WORK = HERE / "work"
#: The reads captured after the ledger was written: name → argv (each run with --format json).
READS: dict[str, list[str]] = json.loads((HERE / "expected" / "reads.json").read_text(encoding="utf-8"))
WORKORDER_HEADERS = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
                     "是否计入统计"]


def run(*args: str, actor: str = "张三", env: dict[str, str] | None = None, input: str | None = None) -> str:  # noqa: A002
    """One command on the fixture store; stop on any refusal (the fixture must be complete)."""
    argv = ["--store", f"sqlite:///{STORE / 'ledger.db'}", "--actor", actor, *args]
    result = CliRunner().invoke(main, argv, env=env, input=input, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(args)}: exit {result.exit_code}\n{result.output}")
    return result.stdout


def rec(*args: str, actor: str = "张三") -> str:
    """A recording command's new id."""
    return str(json.loads(run(*args, "--format", "json", actor=actor))["id"])


def workorders(name: str, rows: list[list[str]], extra: list[str] | None = None) -> str:
    path = WORK / name
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(WORKORDER_HEADERS + (extra or []))
        w.writerows(rows)
    return name


def write() -> None:
    shutil.rmtree(STORE, ignore_errors=True)
    shutil.rmtree(WORK, ignore_errors=True)
    STORE.mkdir()
    WORK.mkdir()
    os.chdir(WORK)  # files are named as a clerk types them (a work order's source, an import's file:row)
    run("init", "--year", "2025", actor="王五")
    run("init", "--year", "2026", actor="王五")
    # An amendment for 2025: the same rules, with an extra export column kept (解决情况).
    amended = builtin_text().replace('unrated_value = "未评价"\n', 'unrated_value = "未评价"\n'
                                     'columns = [{ header = "解决情况", values = ["解决", "未解决"] }]\n', 1)
    (WORK / "taian-amended.toml").write_text(amended, encoding="utf-8")
    run("init", "--year", "2025", "--ruleset", "taian-amended.toml", actor="王五")

    (WORK / "notice.pdf").write_bytes(b"%PDF-1.4 fixture evidence\n")
    late = rec("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "工单TA1",
               "--attach", "notice.pdf")
    twice = rec("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-04-10", "--count", "2",
                "--evidence", "督办单 7", "--note", "两次")
    wrong = rec("record", "--unit", "daiyue", "--item", "2.4", "--date", "2025-05-06", "--evidence", "通报 3")
    gone = rec("record", "--unit", "daiyue", "--item", "2.2.1", "--date", "2025-06-01", "--evidence", "重复")
    rec("record", "--unit", "taishan", "--item", "5.1", "--date", "2025-06-01", "--evidence", "市领导批示")
    rec("record", "--unit", "xintai", "--item", "2.5", "--date", "2025-09-30", "--evidence", "通报 9")
    rec("assess", "--unit", "taishan", "--item", "1.1.1", "--points", "0.5", "--date", "2025-12-20",
        "--evidence", "考核表")
    rec("assess", "--unit", "daiyue", "--item", "1.1.1", "--points", "0.4", "--date", "2025-12-20",
        "--evidence", "考核表")
    events_file = WORK / "events.csv"
    events_file.write_text("unit,item,date,count,evidence,note\n"
                           "taishan,2.2.2,2025-07-01,1,督办单 11,导入\n"
                           "daiyue,1.1.2,2025-12-21,0.3,考核表,导入\n", encoding="utf-8")
    run("import", "events", events_file.name)

    rec("submit-report", "--unit", "taishan", "--kind", "monthly", "--period", "2025-09", "--date", "2025-10-14",
        "--evidence", "月报")
    rec("submit-report", "--unit", "daiyue", "--kind", "quarterly", "--period", "2025-Q3", "--date", "2025-10-20",
        "--evidence", "季报")
    rec("notice", "--unit", "taishan", "--notice", "DB-1", "--received", "2025-06-03", "--evidence", "督办通知")
    rec("explain", "--notice", "DB-1", "--date", "2025-06-13", "--evidence", "情况说明")
    rec("notice", "--unit", "daiyue", "--notice", "DB-2", "--received", "2025-08-04", "--evidence", "督办通知")
    rec("calendar", "set", "2025-10-11", "--workday", "--evidence", "调休通知")
    rec("calendar", "set", "2025-10-11", "--holiday", "--evidence", "调休更正")
    rec("calendar", "set", "2027-01-01", "--holiday", "--evidence", "国办发明电〔2026〕X号")
    rec("calendar", "complete", "2027", "--evidence", "国办发明电〔2026〕X号")

    first = workorders("export-2025-10.csv", [
        ["TA1", "taishan", "2025-10-01 09:00", "2025-10-08 18:00", "2025-10-07 10:00", "是", "是", "满意", "是"],
        ["TA2", "taishan", "2025-10-02 09:00", "2025-10-05", "2025-10-09 10:00", "是", "否", "不满意", "是"],
        ["TA3", "泰山区", "2025-10-03 09:00", "2025-10-10 18:00", "", "是", "否", "", "是"],
        ["DY1", "daiyue", "2025-10-03 09:00", "2025-10-10 18:00", "2025-10-04 11:00", "否", "否", "基本满意", "是"],
        ["DY2", "daiyue", "2025-10-05 09:00", "2025-10-12 18:00", "2025-10-06 11:00", "是", "是", "不满意", "否"],
    ])
    run("import", "workorders", first, "--format", "json")
    # A later export: TA3 completed and rated, DY1 re-rated; 解决情况 stated for some orders.
    second = workorders("export-2025-11.csv", [
        ["TA1", "taishan", "2025-10-01 09:00", "2025-10-08 18:00", "2025-10-07 10:00", "是", "是", "满意", "是",
         "解决"],
        ["TA3", "泰山区", "2025-10-03 09:00", "2025-10-10 18:00", "2025-10-10 12:00", "是", "是", "不满意", "是",
         "未解决"],
        ["DY1", "daiyue", "2025-10-03 09:00", "2025-10-10 18:00", "2025-10-04 11:00", "否", "否", "满意", "是", ""],
    ], extra=["解决情况"])
    run("import", "workorders", second, "--format", "json")

    run("retract", wrong, "--reason", "录入错误", "--format", "json")
    accepted = rec("dispute", "open", gone, "--reason", "非本单位责任", "--evidence", "纸质异议单",
                   "--date", "2025-06-05", actor="李四")
    run("dispute", "decide", accepted, "--decision", "accept", "--reason", "核实", "--format", "json")
    rejected = rec("dispute", "open", late, "--reason", "已答复", "--evidence", "截图", actor="李四")
    run("dispute", "decide", rejected, "--decision", "reject", "--reason", "晚于时限", "--format", "json")
    amended_dispute = rec("dispute", "open", twice, "--reason", "只有一次", "--evidence", "督办记录", actor="李四")
    run("dispute", "decide", amended_dispute, "--decision", "amend", "--count", "1", "--reason", "核实为一次",
        "--format", "json")
    screened = rec("dispute", "open", "--workorder", "TA2", "--rate", "satisfaction", "--reason", "恶意差评",
                   "--evidence", "录音", "--attach", "notice.pdf", actor="李四")
    run("dispute", "decide", screened, "--decision", "accept", "--reason", "核实录音", "--format", "json")
    rec("dispute", "open", "--workorder", "TA3", "--rate", "ontime", "--reason", "系统故障", "--evidence", "截图",
        actor="李四")  # left open

    run("users", "add", "zhang", "--role", "clerk", "--name", "张明", "--password-stdin", input="fixture-password-1")
    run("users", "add", "taishan1", "--role", "unit", "--unit", "泰山区", "--password-stdin",
        input="fixture-password-2")
    run("users", "role", "zhang", "--role", "admin")
    run("users", "disable", "taishan1")
    run("users", "enable", "taishan1")
    run("users", "password", "zhang", "--password-stdin", input="fixture-password-3")
    run("users", "token", "zhang", "--label", "nightly", "--format", "json")
    run("users", "revoke-token", "zhang")

    key = WORK / "seal.pem"
    run("seal", "keygen", str(key))
    run("seal", "--note", "2025年10月通报", "--format", "json", env={"HOTLINE_LEDGER_SEAL_KEY": str(key)})
    rec("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-11-04", "--evidence", "工单TA9")
    run("seal", "--unsigned", "--note", "未签名", "--format", "json")
    os.chdir(HERE)
    shutil.rmtree(WORK)


def capture() -> None:
    expected = HERE / "expected"
    for name, argv in READS.items():
        doc = json.loads(run(*argv, "--format", "json"))
        (expected / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (expected / "verify.txt").write_text(run("verify"), encoding="utf-8")


if __name__ == "__main__":
    write()
    capture()
