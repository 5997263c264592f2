"""Write a realistic year of Tai'an hotline work orders, as the platform exports them.

    python benchmarks/gen_workorders.py --orders 1000000 --year 2025 --out orders.csv \
        [--seed N] [--encoding utf-8-sig|gb18030]

The file has the platform's Chinese headers, the eight Tai'an units by Chinese name with
skewed volumes, dispatch times through the year (busier in summer and on working hours),
deadlines 5–15 days after dispatch, ~95% completed (some late, some still open at export
time), ~90% needing a reply and most replied, a realistic satisfaction mix, ~1% not counted,
and a few columns the reader ignores (诉求内容, 来电号码, 诉求类型). The same seed writes the
same file. An `--out` ending in `.xlsx` writes a workbook instead (slower; for reader tests).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time

UNITS = {  # Chinese name → share of the city's volume
    "泰山区": 0.24, "岱岳区": 0.20, "新泰市": 0.17, "肥城市": 0.13,
    "宁阳县": 0.09, "东平县": 0.09, "泰安高新区": 0.05, "泰山景区": 0.03,
}
# Extra share of 不满意 by unit, so that satisfaction rates straddle the 90% / 92% thresholds.
EXTRA_DISSATISFIED = {"新泰市": 0.07, "东平县": 0.02, "泰山景区": 0.04}
MONTH_WEIGHTS = [0.8, 0.7, 0.9, 0.9, 1.0, 1.1, 1.3, 1.3, 1.1, 1.0, 0.9, 0.9]  # summer peak
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 8, 10, 10, 9, 6, 6, 9, 10, 9, 8, 6, 5, 4, 3, 2, 1.5]
SATISFACTION = {"满意": 0.76, "基本满意": 0.13, "不满意": 0.04, "未评价": 0.07}
TOPICS = {
    "城乡建设": ["小区楼道灯不亮，请求维修", "道路破损积水，影响出行", "小区供暖温度不达标"],
    "市场监管": ["商家拒绝退款", "购买的食品疑似过期", "电动车充电桩收费不透明"],
    "劳动保障": ["工地拖欠工资，请求帮助追讨", "咨询灵活就业人员社保缴纳"],
    "生态环境": ["夜间施工噪音扰民", "餐馆油烟直排，影响居民"],
    "交通运输": ["公交车班次太少，候车时间长", "出租车绕路多收费"],
    "文化旅游": ["景区门票预约系统无法使用", "泰山登山步道垃圾较多"],
}
HEADER = ["工单编号", "来电号码", "诉求类型", "诉求内容", "承办单位", "派单时间", "办结时限",
          "办结时间", "是否需回复", "是否已回复", "满意度", "是否计入统计"]
FMT = "%Y-%m-%d %H:%M:%S"


def _dispatch_seconds(rng: random.Random, n: int, year: int) -> list[int]:
    """n dispatch times (seconds since 1 January 00:00), sorted, shaped by month and hour."""
    month_days = [(dt.date(year + (m == 12), m % 12 + 1, 1) - dt.date(year, m, 1)).days for m in range(1, 13)]
    month_start = [(dt.date(year, m, 1) - dt.date(year, 1, 1)).days for m in range(1, 13)]
    weights = [w * d for w, d in zip(MONTH_WEIGHTS, month_days, strict=True)]
    months = rng.choices(range(12), weights=weights, k=n)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
    rand = rng.random
    out = [
        (month_start[m] + int(rand() * month_days[m])) * 86400 + h * 3600 + int(rand() * 3600)
        for m, h in zip(months, hours, strict=True)
    ]
    out.sort()
    return out


def generate(n: int, year: int, seed: int):
    """Yield the header, then n rows of a year's export (export taken on 5 January next year)."""
    rng = random.Random(seed)
    rand = rng.random
    start = dt.datetime(year, 1, 1)
    exported = int((dt.datetime(year + 1, 1, 5, 10, 0, 0) - start).total_seconds())
    units = rng.choices(list(UNITS), weights=list(UNITS.values()), k=n)
    ratings = rng.choices(list(SATISFACTION), weights=list(SATISFACTION.values()), k=n)
    topics = rng.choices(list(TOPICS), k=n)
    fmt_cache: dict[int, str] = {}

    def fmt(seconds: int) -> str:
        # Many deadlines share a day-end or a minute; cache formatting, it dominates otherwise.
        text = fmt_cache.get(seconds)
        if text is None:
            text = (start + dt.timedelta(seconds=seconds)).strftime(FMT)
            if len(fmt_cache) < 2_000_000:
                fmt_cache[seconds] = text
        return text

    yield HEADER
    day_seq: dict[int, int] = {}
    for i, sent in enumerate(_dispatch_seconds(rng, n, year)):
        day = sent // 86400
        seq = day_seq[day] = day_seq.get(day, 0) + 1
        date_text = (start + dt.timedelta(days=day)).strftime("%Y%m%d")
        due_days = rng.randint(5, 15)
        # Half the platform's deadlines are "N days to the minute", half run to the day's end.
        due = sent + due_days * 86400 if rand() < 0.5 else (day + due_days) * 86400 + 86399
        r = rand()
        if r < 0.045:
            done = None  # stuck: still open at export time
        elif r < 0.10:
            done = due + int(rand() * 10 * 86400) + 60  # late
        else:
            done = sent + 3600 + int(rand() * (due - sent - 3600))
        if done is not None and done > exported:
            done = None
        reply_required = rand() < 0.90
        replied = reply_required and done is not None and rand() < 0.97
        rating = ratings[i] if done is not None else "" if rand() < 0.5 else "未评价"
        if done is not None and rand() < EXTRA_DISSATISFIED.get(units[i], 0.0):
            rating = "不满意"
        topic = topics[i]
        yield [
            f"TA{date_text}{seq:05d}",
            f"1{rng.randint(30, 99)}****{rng.randint(0, 9999):04d}",
            topic,
            rng.choice(TOPICS[topic]),
            units[i],
            fmt(sent),
            fmt(due),
            "" if done is None else fmt(done),
            "是" if reply_required else "否",
            "是" if replied else "否",
            rating,
            "否" if rand() < 0.01 else "是",
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, required=True, help="number of work orders")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--out", required=True, help="output file (.csv, or .xlsx for a workbook)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--encoding", choices=["utf-8-sig", "utf-8", "gb18030"], default="utf-8-sig")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    rows = generate(args.orders, args.year, args.seed)
    if args.out.endswith(".xlsx"):
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet()
        for r in rows:
            ws.append(r)
        wb.save(args.out)
    else:
        with open(args.out, "w", encoding=args.encoding, newline="") as f:
            csv.writer(f).writerows(rows)
    print(f"{args.orders} work orders → {args.out} in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
