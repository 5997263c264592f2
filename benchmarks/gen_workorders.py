"""Write a realistic year of Tai'an hotline work orders, as the platform exports them.

    python benchmarks/gen_workorders.py --orders 1000000 --year 2025 --out orders.csv \
        [--seed N] [--encoding utf-8-sig|gb18030] [--narrow] [--sorted]

The file has the platform's Chinese headers, the eight Tai'an units by Chinese name with
skewed volumes, dispatch times through the year (busier in summer and on working hours),
deadlines 5–15 days after dispatch, ~95% completed (some late, some still open at export
time), ~90% needing a reply and most replied, a realistic satisfaction mix, ~1% not counted,
and, as a real platform export has, dozens of columns the ruleset ignores (caller, address,
classification, handling and follow-up text: realistic Chinese prose of varied length). Rows come
in the shuffled order of a real export, not sorted by id. `--narrow` keeps only the three
ignored columns of the older benchmark (诉求内容, 来电号码, 诉求类型) and `--sorted` the id order,
to reproduce older figures. The same seed writes the same file. An `--out` ending in `.xlsx`
writes a workbook instead (slower; for reader tests).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from collections.abc import Callable

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
# The wide export's other columns, none of which the ruleset reads (a real platform exports ~40).
WIDE_HEADER = ["受理时间", "受理坐席", "来电人", "来电渠道", "工单来源", "紧急程度", "一级分类", "二级分类",
               "三级分类", "诉求标题", "事发地址", "所属街道", "所属社区", "是否匿名", "是否保密", "是否重复件",
               "关联工单", "督办次数", "是否延期", "延期原因", "退单次数", "退单原因", "处理部门", "处理人",
               "联系电话", "处理意见", "回复内容", "回访时间", "回访坐席", "回访意见", "热点标签", "附件数量",
               "备注"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
STREETS = ["财源街道", "泰前街道", "上高街道", "徐家楼街道", "省庄镇", "邱家店镇", "岱庙街道", "天平街道",
           "粥店街道", "新汶街道", "青云街道", "老城街道", "东平街道", "王瓜店街道"]
ROADS = ["东岳大街", "灵山大街", "泰山大街", "擂鼓石大街", "龙潭路", "迎胜路", "青年路", "温泉路", "望岳路",
         "岱宗大街", "长城路", "南关路"]
CHANNELS = ["12345热线电话", "政府网站", "微信公众号", "市长信箱", "手机APP", "短信"]
SOURCES = ["市民来电", "网络留言", "上级转办", "媒体曝光", "领导批示"]
URGENCY = ["一般", "一般", "一般", "较急", "紧急"]
CATEGORIES = ["城乡建设/物业管理/公共设施维修", "城乡建设/市政设施/道路破损", "市场监管/消费维权/退换货",
              "市场监管/食品安全/过期食品", "劳动保障/劳动关系/拖欠工资", "生态环境/噪声污染/施工噪音",
              "生态环境/大气污染/油烟扰民", "交通运输/公共交通/公交线路", "文化旅游/景区管理/环境卫生",
              "教育/学校管理/收费问题", "卫生健康/医疗服务/服务态度", "公安/治安管理/邻里纠纷"]
HANDLING = ["经核实，市民反映情况属实，已安排工作人员于{d}日内到现场处理完毕，并向市民做好解释工作。",
            "接到工单后，我单位高度重视，立即联系相关责任人现场查看，已督促其限期整改，后续将持续跟踪。",
            "经调查，该问题涉及历史遗留原因，我单位已协调街道、社区及物业公司召开专题会议，制定整改方案。",
            "已电话联系市民，详细说明相关政策规定，市民表示理解。我单位将进一步加强日常监管和巡查力度。",
            "工作人员到达现场后，该问题已由业主自行解决，已与市民电话沟通确认，市民对处理结果表示认可。",
            "该诉求不属于我单位职责范围，已按程序申请退回并说明理由，建议转{unit}相关部门办理。"]
FOLLOW_UP = ["市民对处理结果满意", "市民表示问题已解决", "市民认为处理时间过长", "电话无人接听，已短信回访",
             "市民对答复内容基本认可", "市民表示问题未彻底解决，希望继续跟进"]
TAGS = ["", "", "", "供暖", "物业", "欠薪", "噪音", "停车", "教育收费", "景区"]
HEADER = ["工单编号", "来电号码", "诉求类型", "诉求内容", "承办单位", "派单时间", "办结时限",
          "办结时间", "是否需回复", "是否已回复", "满意度", "是否计入统计"]
FMT = "%Y-%m-%d %H:%M:%S"
WIDE = HEADER[:4] + WIDE_HEADER[:17] + HEADER[4:] + WIDE_HEADER[17:]  # the ruleset's columns amid the others


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


def generate(n: int, year: int, seed: int, wide: bool = True, shuffled: bool = True):
    """Yield the header, then n rows of a year's export (export taken on 5 January next year): the wide column
    set and in shuffled order unless told otherwise."""
    rows = _core_rows(n, year, seed)
    if not wide and not shuffled:
        yield from rows
        return
    header = next(rows)
    if shuffled:
        # Only the core cells are held (a few hundred MiB for a million): the wide ones are made as they are written.
        rows = list(rows)
        random.Random(seed + 1).shuffle(rows)
    if not wide:
        yield header
        yield from rows
        return
    rng = random.Random(seed + 2)
    yield WIDE
    for r in rows:
        yield r[:4] + _wide_cells(rng, r, 0) + r[4:] + _wide_cells(rng, r, 1)


def _wide_cells(rng: random.Random, core: list[str], part: int) -> list[str]:
    """The ignored columns of one row: WIDE_HEADER[:17] (part 0) or WIDE_HEADER[17:] (part 1)."""
    choice, randint, rand = rng.choice, rng.randint, rng.random
    if part == 0:
        street = choice(STREETS)
        category = choice(CATEGORIES)
        first, second, third = category.split("/")
        return [core[5], f"坐席{randint(1, 80):03d}", choice(SURNAMES) + ("先生" if rand() < 0.5 else "女士"),
                choice(CHANNELS), choice(SOURCES), choice(URGENCY), first, second, third,
                f"关于{core[3][:8]}的诉求", f"泰安市{choice(ROADS)}{randint(1, 999)}号{street}附近",
                street, f"{choice(ROADS)[:2]}社区", "否" if rand() < 0.9 else "是",
                "否" if rand() < 0.95 else "是", "否" if rand() < 0.93 else "是",
                "" if rand() < 0.9 else f"TA2025{randint(1, 12):02d}{randint(1, 28):02d}{randint(1, 99999):05d}"]
    handled = core[7] != ""
    extended = rand() < 0.05
    returned = randint(0, 1) if rand() < 0.08 else 0
    text = choice(HANDLING).format(d=randint(1, 7), unit=core[4])
    return [str(randint(0, 2) if rand() < 0.1 else 0), "是" if extended else "否",
            "需协调多部门联合处理" if extended else "", str(returned), "非本单位职责" if returned else "",
            f"{core[4]}{choice(['城管局', '住建局', '市场监管局', '人社局', '生态环境分局', '交通局'])}",
            choice(SURNAMES) + choice("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"),
            f"0538-{randint(6000000, 8999999)}", text if handled else "",
            (text + choice(FOLLOW_UP)) if handled and core[9] == "是" else "",
            core[7] if handled and rand() < 0.8 else "", f"坐席{randint(1, 80):03d}" if handled else "",
            choice(FOLLOW_UP) if handled else "", choice(TAGS), str(randint(0, 3) if rand() < 0.3 else 0),
            "" if rand() < 0.85 else "市民情绪激动，请优先处理"]


def _formatter(start: dt.datetime) -> Callable[[int], str]:
    """Seconds since ``start`` as the platform writes a time."""
    fmt_cache: dict[int, str] = {}

    def fmt(seconds: int) -> str:
        # Many deadlines share a day-end or a minute; cache formatting, it dominates otherwise.
        text = fmt_cache.get(seconds)
        if text is None:
            text = (start + dt.timedelta(seconds=seconds)).strftime(FMT)
            if len(fmt_cache) < 2_000_000:
                fmt_cache[seconds] = text
        return text

    return fmt


def _deadline_and_completion(rng: random.Random, sent: int, exported: int) -> tuple[int, int | None]:
    """An order's deadline and its completion (None: still open at export time), in seconds of the year."""
    rand = rng.random
    day = sent // 86400
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
    return due, done


def _reply_and_rating(rng: random.Random, done: int | None, rating: str, unit: str) -> tuple[bool, bool, str]:
    """Whether a reply was required and given, and the caller's rating (none before completion)."""
    rand = rng.random
    reply_required = rand() < 0.90
    replied = reply_required and done is not None and rand() < 0.97
    rating = rating if done is not None else "" if rand() < 0.5 else "未评价"
    if done is not None and rand() < EXTRA_DISSATISFIED.get(unit, 0.0):
        rating = "不满意"
    return reply_required, replied, rating


def _core_rows(n: int, year: int, seed: int):
    """The header and rows of the narrow export, sorted by dispatch time (and so by id)."""
    rng = random.Random(seed)
    start = dt.datetime(year, 1, 1)
    exported = int((dt.datetime(year + 1, 1, 5, 10, 0, 0) - start).total_seconds())
    units = rng.choices(list(UNITS), weights=list(UNITS.values()), k=n)
    ratings = rng.choices(list(SATISFACTION), weights=list(SATISFACTION.values()), k=n)
    topics = rng.choices(list(TOPICS), k=n)
    fmt = _formatter(start)
    yield HEADER
    day_seq: dict[int, int] = {}
    for i, sent in enumerate(_dispatch_seconds(rng, n, year)):
        day = sent // 86400
        seq = day_seq[day] = day_seq.get(day, 0) + 1
        date_text = (start + dt.timedelta(days=day)).strftime("%Y%m%d")
        due, done = _deadline_and_completion(rng, sent, exported)
        reply_required, replied, rating = _reply_and_rating(rng, done, ratings[i], units[i])
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
            "否" if rng.random() < 0.01 else "是",
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, required=True, help="number of work orders")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--out", required=True, help="output file (.csv, or .xlsx for a workbook)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--encoding", choices=["utf-8-sig", "utf-8", "gb18030"], default="utf-8-sig")
    parser.add_argument("--narrow", action="store_true", help="only the three ignored columns of older benchmarks")
    parser.add_argument("--sorted", action="store_true", help="rows in id order (the older benchmark's order)")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    rows = generate(args.orders, args.year, args.seed, wide=not args.narrow, shuffled=not args.sorted)
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
