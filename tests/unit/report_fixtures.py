"""Realistic `score` and `trace` dicts for the report renderers: Tai'an's 8 units, year 2025.

The dicts have the shapes of CLI.md (plus the core's extra fields) and add up exactly
(items → sections → total), because the renderers are checked against them. The small
arithmetic here only builds the fixture; tests compare rendered output with these dicts.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import ROUND_HALF_UP, Decimal

D = Decimal
CENT = D("0.01")
NS = uuid.UUID("6f1c2f0e-8a54-4f0c-9d2b-7c1f3a5e9b10")
HOSTILE = "<script>alert(1)</script>"

SECTIONS = [("1", "组织领导与制度建设", "5"), ("2", "办理质量", "55"), ("3", "督查督办", "32"),
            ("4", "媒体监督落实情况", "4"), ("5", "市领导批示落实情况", "4")]
ASSESSED = [("1.1.1", "有分管领导，有与开展工作相适应的专职人员", "0.5"),
            ("1.1.2", "乡镇（街道）和县市区直部门有分管领导、责任单位或科室、专兼职人员且相对稳定", "0.5"),
            ("1.2.1", "热线办理工作制度", "1"), ("1.2.2", "热线评价制度", "1"),
            ("1.2.3", "责任追究制度", "1"), ("1.3", "主要领导及分管领导重视", "1")]
NAMES = {"2.1": "知识库信息滞后", "2.2": "首次答复与退单", "2.2.1": "首次答复简单笼统",
         "2.2.2": "未按要求告知来电人延时申请情况", "2.2.3": "政策依据不足、事实不充分、盲目退单",
         "2.3.1": "承办量", "2.3.2": "群众满意率", "2.3.3": "回复群众率", "2.3.4": "按期办结率",
         "2.4": "违反《快速处理办法》", "2.5": "违反《首接责任制》", "3.1": "二级热线自身督办",
         "3.2": "督办落实", "3.2.1.1": "工单被首次督办", "3.2.2.2": "落实不好，下发书面督办单",
         "3.2.5.1": "月度分析报告未按期报送", "4.1": "媒体监督问题整改落实不好",
         "5.1": "市领导提出表扬", "5.2": "批示要求落实不好"}
AMOUNT = {"2.1": "0.1", "2.2.1": "0.1", "2.2.2": "1", "2.2.3": "0.5", "2.4": "0.5", "2.5": "0.5",
          "3.2.1.1": "0.1", "3.2.2.2": "0.2", "3.2.5.1": "0.5", "4.1": "1", "5.1": "1", "5.2": "2"}
COUNTED = {"effective", "disputed", "rejected", "amended"}

# code, name, threshold, volume, satisfied/rated, replied/required, on time/due, 1.3 points, events
# event: (item, date, count, state, evidence)
UNITS = [
    ("taishan", "泰山区", 90, 9800, (8900, 9600), (9700, 9750), (9690, 9700), "1", [
        ("2.2.1", "2025-03-04", 2, "effective", "工单TA2025030400123"),
        ("2.2.1", "2025-05-19", 1, "accepted", "工单TA2025051900457"),
        ("5.1", "2025-11-20", 1, "effective", "市领导批示〔2025〕41号")]),
    ("daiyue", "岱岳区", 90, 8700, (7700, 8600), (8500, 8600), (8550, 8600), "1", [
        ("2.1", "2025-02-11", 3, "effective", "知识库核查记录2025-02"),
        ("2.4", "2025-09-03", 1, "disputed", "工单TA2025090300881"),
        ("3.2.1.1", "2025-10-31", 40, "effective", "首次督办台账2025-10")]),
    ("xintai", "新泰市", 90, 9100, (8300, 9000), (8950, 9000), (8800, 9000), "0.5", [
        ("2.2.3", "2025-04-22", 1, "rejected", "工单TA2025042200310"),
        ("3.2.5.1", "2025-10-15", 1, "effective", "2025年9月月度分析报告"),
        ("5.1", "2025-06-30", 2, "effective", "市领导批示〔2025〕19号")]),
    ("feicheng", "肥城市", 90, 7600, (6900, 7500), (7480, 7500), (7400, 7500), "1", [
        ("2.5", "2025-07-08", 1, "amended", "工单TA2025070800042"),
        ("4.1", "2025-08-14", 1, "effective", "泰安日报2025-08-14第3版")]),
    ("ningyang", "宁阳县", 90, 5200, (4600, 5100), (5000, 5100), (5050, 5100), "1", [
        ("2.1", "2025-01-20", 1, "retracted", "知识库核查记录2025-01"),
        ("3.2.2.2", "2025-09-25", 2, "effective", "书面督办单〔2025〕7号")]),
    ("dongping", "东平县", 90, 6100, (5500, 6000), (5950, 6000), (5900, 6000), "1", [
        ("2.2.2", "2025-06-12", 1, "effective", "工单TA2025061200777"),
        ("5.2", "2025-12-02", 1, "effective", "市领导批示〔2025〕52号")]),
    ("gaoxin", "泰安高新区", 92, 2400, (2230, 2380), (2370, 2380), (2375, 2380), "1", [
        ("2.1", "2025-03-30", 2, "effective", "知识库核查记录2025-03")]),
    ("jingqu", "泰山景区", 92, 1900, (1700, 1880), (1860, 1880), (1870, 1880), None, [
        ("2.2.1", "2025-08-01", 1, "effective", "工单TA2025080100019")]),
]


def q(value: Decimal) -> Decimal:
    """Round half-up to cents, as the core does once per item."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def s(value: Decimal | int | str) -> str:
    """A JSON points string."""
    return f"{q(D(value)):f}"


def event_id(unit: str, n: int) -> str:
    return str(uuid.uuid5(NS, f"{unit}/{n}"))


def _rate_item(code: str, top: str, threshold: int, per_point: str, num: int, den: int) -> dict:
    rate = D(num) * 100 / D(den)
    pts = D(top) if rate >= threshold else max(D(0), D(top) - (D(threshold) - rate) * D(per_point))
    return {"code": code, "name": NAMES[code], "max": s(top), "points": s(pts), "status": "scored",
            "rate": s(rate), "numerator": num, "denominator": den}


def _history(state: str, date: str) -> list[dict]:
    opened = {"type": "dispute_opened", "at": f"{date}T09:30:00Z", "by": "单位联络员",
              "reason": "工单已按要求答复，附录音", "decision": None}
    decided = {"type": "dispute_decided", "at": f"{date}T16:00:00Z", "by": "市热线管理中心"}
    return {
        "effective": [], "disputed": [opened],
        "accepted": [opened, {**decided, "reason": "录音证实已答复", "decision": "accept"}],
        "rejected": [opened, {**decided, "reason": "答复未解决诉求", "decision": "reject"}],
        "amended": [opened, {**decided, "reason": "核减为1次", "decision": "amend"}],
        "retracted": [{"type": "retracted", "at": f"{date}T11:00:00Z", "by": "zhang.wei",
                       "reason": "重复录入"}],
    }[state]


def _amount(code: str, count: int) -> Decimal:
    """Points an occurrence costs or earns; 3.2.1.1 counts per full block of 20 work orders."""
    blocks = count // 20 if code == "3.2.1.1" else count
    return D(blocks) * D(AMOUNT[code])


def _events(unit: str, raw: list, as_of: str) -> list[dict]:
    events = []
    for n, (code, date, count, state, evidence) in enumerate(raw):
        if date > as_of:
            continue
        attachments = [{"name": f"{evidence}.pdf", "size": 20480 + n,
                        "sha256": hashlib.sha256(f"{unit}/{n}".encode()).hexdigest()}] if n % 2 == 0 else []
        events.append({
            "id": event_id(unit, n), "type": "occurrence", "date": date, "count": count,
            "amount": s(_amount(code, count)), "evidence": evidence,
            "note": HOSTILE if (unit, n) == ("daiyue", 0) else "", "attachments": attachments,
            "recorded_by": "li.na", "recorded_at": f"{date}T08:15:00Z", "state": state,
            "history": _history(state, date), "_item": code,
        })
    return events


def _sum(events: list[dict], code: str) -> Decimal:
    return sum((D(e["amount"]) for e in events if e["_item"] == code and e["state"] in COUNTED), D(0))


def _member(code: str, pool: str, events: list[dict]) -> dict:
    ids = [e["id"] for e in events if e["_item"] == code]
    return {"code": code, "name": NAMES[code], "pool": pool, "deducted": s(_sum(events, code)), "events": ids}


def _unit(spec: tuple, vmax: int, as_of: str, scale: float) -> tuple[dict, dict]:
    code, name, threshold, volume, sat, rep, ont, one_three, raw = spec
    # Earlier in the year (scale < 1): fewer orders, and a few more of them unsatisfied or late.
    lag = 0 if scale == 1 else 25
    sat, rep, ont = ((int(a * scale) - lag, int(b * scale)) for a, b in (sat, rep, ont))
    events = _events(code, raw, as_of)
    s1 = [{"code": c, "name": n, "max": s(m), "points": s(m), "status": "scored"} for c, n, m in ASSESSED[:5]]
    s1.append({"code": "1.3", "name": ASSESSED[5][1], "max": "1.00", "points": s(one_three or 0),
               "status": "scored" if one_three else "pending",
               **({} if one_three else {"reason": "尚无考核组评分"})})
    pool22 = [_member(c, "2.2", events) for c in ("2.2.1", "2.2.2", "2.2.3")]
    s2 = [{"code": "2.1", "name": NAMES["2.1"], "max": "3.00", "status": "scored",
           "points": s(max(D(0), 3 - _sum(events, "2.1")))},
          {"code": "2.2", "name": NAMES["2.2"], "max": "7.00", "status": "scored",
           "points": s(max(D(0), 7 - sum(D(m["deducted"]) for m in pool22)))}, *pool22,
          {"code": "2.3.1", "name": NAMES["2.3.1"], "max": "5.00", "status": "scored",
           "points": s((D("0.6") + D("0.4") * D(volume) / D(vmax)) * 5)},
          _rate_item("2.3.2", "20", threshold, "0.2", *sat), _rate_item("2.3.3", "10", 100, "0.1", *rep),
          _rate_item("2.3.4", "10", 100, "0.1", *ont),
          _member("2.4", "2", events), _member("2.5", "2", events)]
    pool32 = [_member(c, "3.2", events) for c in ("3.2.1.1", "3.2.2.2", "3.2.5.1")]
    s3 = [{"code": "3.1", "name": NAMES["3.1"], "max": "2.00", "points": "2.00", "status": "scored"},
          {"code": "3.2", "name": NAMES["3.2"], "max": "30.00", "status": "scored",
           "points": s(max(D(0), 30 - sum(D(m["deducted"]) for m in pool32)))}, *pool32]
    s4 = [{"code": "4.1", "name": NAMES["4.1"], "max": "4.00", "status": "scored",
           "points": s(max(D(0), 4 - _sum(events, "4.1")))}]
    bonus = _sum(events, "5.1")
    s5 = [{"code": "5.1", "name": NAMES["5.1"], "bonus": s(bonus),
           "events": _member("5.1", "", events)["events"]},
          {"code": "5.2", "name": NAMES["5.2"], "max": "4.00", "status": "scored",
           "points": s(max(D(0), 4 - _sum(events, "5.2")))}]
    sections = []
    for (scode, sname, smax), items in zip(SECTIONS, (s1, s2, s3, s4, s5), strict=True):
        # Items with points of their own, minus section-wide pool deductions (2.4, 2.5), plus bonus.
        total = sum((D(i["points"]) for i in items if "points" in i), D(0))
        total -= sum((D(i["deducted"]) for i in items if i.get("pool") == scode), D(0))
        total += sum((D(i["bonus"]) for i in items if "bonus" in i), D(0))
        sections.append({"code": scode, "name": sname, "max": s(smax), "points": s(total), "items": items})
    total = sum(D(x["points"]) for x in sections)
    unit = {"unit": code, "name": name, "total": s(total), "bonus": s(bonus), "base": s(total - bonus),
            "sections": sections}
    return unit, {"year": 2025, "unit": code, "name": name, "items": _trace_items(code, sections, events)}


def _trace_items(code: str, sections: list[dict], events: list[dict]) -> list[dict]:
    """The unit's trace: each item of its sections with the events behind it (and 2.3.2's orders, 3.2.5.1's periods)."""
    trace_items = []
    for section in sections:
        for item in section["items"]:
            own = [{k: v for k, v in e.items() if k != "_item"} for e in events if e["_item"] == item["code"]]
            ti = {"code": item["code"], "name": item["name"], "kind": "per_occurrence",
                  "max": item.get("max"), "points": item.get("points"), "explanation": "",
                  "rate": item.get("rate"), "numerator": item.get("numerator"),
                  "denominator": item.get("denominator"), "events": own}
            if "deducted" in item:
                ti["explanation"] = f"扣 {item['deducted']} 分（计入 {item['pool']}）"
            if item["code"] == "2.3.2":
                ti["orders"] = [{"order_id": f"TA2025{code.upper()[:3]}{k:05d}", "reason": "不满意",
                                 "screening": "甄别成立" if k == 1 else ""} for k in range(1, 3)]
            if item["code"] == "3.2.5.1":
                ti["periods"] = [{"period": "2025-09", "deadline": "2025-10-14", "submitted": "2025-10-15"
                                  if code == "xintai" else "2025-10-10",
                                  "verdict": "逾期" if code == "xintai" else "按期", "reason": ""}]
            trace_items.append(ti)
    return trace_items


def build(as_of: str = "2025-12-31", known_at: str | None = None, scale: float = 1.0) -> tuple[dict, dict]:
    """(score dict, traces by unit code) as of `as_of`; `scale` shrinks the work-order counts."""
    vmax = max(u[3] for u in UNITS)
    pairs = [_unit(spec, vmax, as_of, scale) for spec in UNITS]
    units = sorted((u for u, _ in pairs), key=lambda u: -D(u["total"]))
    for n, unit in enumerate(units):
        same = n and units[n - 1]["total"] == unit["total"]
        unit["rank"] = units[n - 1]["rank"] if same else n + 1
    scores = {"year": 2025, "as_of": as_of, "known_at": known_at,
              "ruleset": {"id": "taian", "name": "泰安市12345热线年终评价细则（县市区）",
                          "sha256": hashlib.sha256(b"taian-ruleset-2025").hexdigest()},
              "units": units}
    return scores, {t["unit"]: t for _, t in pairs}


def scores_and_traces() -> tuple[dict, dict, dict]:
    """The year-end scores, their traces, and the scores at the end of October for comparison."""
    scores, traces = build()
    earlier, _ = build(as_of="2025-10-31", known_at="2025-11-05", scale=10 / 12)
    return scores, traces, earlier
