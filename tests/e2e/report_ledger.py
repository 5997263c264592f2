"""A small real ledger for the report tests, recorded through the CLI as the centre would.

Tai'an 2025: work orders for two units, deductions (one with an attachment), a dispute accepted
with its history, a dispute left open, a bonus and an assessment. Everything is dated by
2025-10-31, the "October bulletin", so later recordings can be tested against it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ORDER_HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度"]
ORDERS = [
    ["TA001", "泰山区", "2025-03-01 09:00", "2025-03-06 18:00", "2025-03-05 10:00", "是", "是", "满意"],
    ["TA002", "泰山区", "2025-03-02 09:00", "2025-03-07 18:00", "2025-03-09 10:00", "是", "是", "不满意"],
    ["TA003", "泰山区", "2025-04-01 09:00", "2025-04-06 18:00", "2025-04-03 10:00", "是", "否", "基本满意"],
    ["DY001", "岱岳区", "2025-05-01 09:00", "2025-05-06 18:00", "2025-05-02 10:00", "是", "是", "满意"],
]
ATTACHMENT = "知识库核查截图（2025-03）".encode()


@dataclass
class ReportLedger:
    """What was recorded: the CLI bound to the store, the ids worth finding in a report."""

    cli: Any
    attachment: Path
    lag: str  # taishan 2.1 × 3, with an attachment
    accepted: str  # xintai 4.1, disputed and the dispute accepted
    disputed: str  # feicheng 2.4, dispute still open


def _id(cli: Any, *args: Any) -> str:
    return cli.json(*args)["id"]


def record_bulletin_ledger(cli: Any, folder: Path) -> ReportLedger:
    """Record the sample year into `cli`'s (fresh) store and return what was recorded."""
    assert cli("init", "--year", "2025").exit_code == 0
    export = folder / "orders.csv"
    with export.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([ORDER_HEADER, *ORDERS])
    imported = cli("import", "workorders", str(export))
    assert imported.exit_code == 0, imported.stderr
    attachment = folder / "lag.png"
    attachment.write_bytes(ATTACHMENT)
    lag = _id(cli, "record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--count", "3",
              "--evidence", "工单TA2025030400123", "--note", "知识库未及时更新", "--attach", str(attachment))
    _id(cli, "record", "--unit", "daiyue", "--item", "2.2.1", "--date", "2025-04-10",
        "--evidence", "工单TA2025041000456")
    accepted = _id(cli, "record", "--unit", "xintai", "--item", "4.1", "--date", "2025-05-06",
                   "--evidence", "媒体监督通报2025-05")
    dispute = _id(cli, "dispute", "open", accepted, "--reason", "已按期整改", "--evidence", "整改报告")
    _id(cli, "dispute", "decide", dispute, "--decision", "accept", "--reason", "核实整改到位")
    disputed = _id(cli, "record", "--unit", "feicheng", "--item", "2.4", "--date", "2025-06-01",
                   "--evidence", "快速处理督查单2025-06")
    _id(cli, "dispute", "open", disputed, "--reason", "非本单位职责", "--evidence", "职责清单")
    _id(cli, "record", "--unit", "taishan", "--item", "5.1", "--date", "2025-07-01", "--evidence", "市领导批示（表扬）")
    _id(cli, "assess", "--unit", "ningyang", "--item", "1.3", "--points", "0.8", "--date", "2025-09-30",
        "--evidence", "考核检查记录")
    return ReportLedger(cli, attachment, lag, accepted, disputed)
