"""The demo year's work-order export: a CSV in the platform's shape, with the columns the ruleset reads.

The platform's own columns always; then every extra column the ruleset declares in ``[[workorders.columns]]``
(a text column takes the values it lists, or those its rates name; a time column a time after dispatch, for
the ``per_order`` rules and ``within`` rates that measure to it). Satisfaction labels come from
``[workorders]``. Drawn from the demo's one random sequence, so a year's export is the same every time.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ledger.usecases.demo_plan import DemoPlan

_HEADERS = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
            "是否计入统计", "诉求内容"]
_TIME = "%Y-%m-%d %H:%M:%S"


def _labels(ruleset: Any) -> tuple[str, str, str, str]:
    """(the first satisfied label, a second one, an unsatisfied one, the unrated one) of the ruleset's scale."""
    w = ruleset.workorders
    satisfied = w.satisfied_values
    others = [v for v in w.satisfaction_scale if v not in satisfied and v != w.unrated_value]
    return satisfied[0], satisfied[1 if len(satisfied) > 1 else 0], (others or [satisfied[-1]])[0], w.unrated_value


def _column_values(ruleset: Any, header: str, declared: tuple[str, ...]) -> list[str]:
    """The values the demo writes in a text column: those declared, else those the rates' conditions name."""
    if declared:
        return list(declared)
    named: list[str] = []
    for rate in ruleset.rates:
        for condition in (rate.denominator, *(c.where for c in rate.numerator)):
            named += [v for v in condition.get(header, ()) if v not in named]
    return named or ["示例"]


def _extra_cells(ruleset: Any, rng: random.Random, dispatched: datetime) -> list[str]:
    """The cells of the declared extra columns for one order."""
    cells = []
    for column in ruleset.workorders.columns:
        if column.type == "time":
            cells.append(f"{dispatched + timedelta(minutes=rng.randrange(1, 60 * 30)):{_TIME}}")
        else:
            cells.append(rng.choice(_column_values(ruleset, column.header, column.values)))
    return cells


def _row(rng: random.Random, year: int, diligence: float, satisfied: float, labels: tuple[str, ...]) -> list[Any]:
    """One order's platform columns after its number and unit (drawn in the order the demo always drew them)."""
    dispatched = datetime(year, 1, 1, 8) + timedelta(minutes=rng.randrange(365 * 24 * 60 - 60 * 24 * 20))
    due = dispatched + timedelta(days=rng.choice((5, 7, 10, 15)))
    late = rng.random() > 0.97 + 0.03 * diligence
    done = due + timedelta(hours=rng.randrange(1, 72)) if late else \
        dispatched + (due - dispatched) * rng.uniform(0.2, 0.95)
    rated = rng.random() < 0.8
    mood = (labels[0] if rng.random() < 0.8 else labels[1]) if rng.random() < satisfied else labels[2]
    return [dispatched, f"{dispatched:{_TIME}}", f"{due:{_TIME}}", f"{done:{_TIME}}", "是",
            "是" if rng.random() < 0.985 + 0.015 * diligence else "否", mood if rated else labels[3],
            "否" if rng.random() < 0.01 else "是", "群众诉求（示例）"]


def workorders_file(rng: random.Random, year: int, ruleset: Any, plan: DemoPlan, folder: Path) -> Path:
    """Write the year's export for every unit of ``plan`` into ``folder``; its path."""
    path = folder / f"demo-workorders-{year}.csv"
    names = {u.code: u.name for u in ruleset.units}
    labels = _labels(ruleset)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(_HEADERS + [c.header for c in ruleset.workorders.columns])
        n = 0
        for unit in plan.units:
            for _n in range(unit.orders):
                n += 1
                dispatched, *cells = _row(rng, year, unit.diligence, unit.satisfied, labels)
                w.writerow([f"{plan.order_prefix}{year}{n:06d}", names[unit.code], *cells,
                            *_extra_cells(ruleset, rng, dispatched)])
    return path
